// cxx: static constructors, iostreams, exceptions, the standard library:
// what C++ programs do before and after main.
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

static std::vector<std::string> order;
struct Early {
	explicit Early(const char *n) { order.push_back(n); }
};
static Early a("first"), b("second");

static int thrower(int n)
{
	if (n > 2)
		throw std::runtime_error("deep " + std::to_string(n));
	return thrower(n + 1);
}

int main(int argc, char **argv)
{
	std::map<std::string, int> words;
	for (int i = 1; i < argc; i++)
		words[argv[i]]++;
	for (const auto &s : order)
		std::cout << "constructed " << s << '\n';
	for (const auto &w : words)
		std::cout << w.first << ' ' << w.second << '\n';
	try {
		thrower(0);
	} catch (const std::exception &e) {
		std::cout << "caught " << e.what() << std::endl;
	}
	std::cerr << "cerr works" << std::endl;
	return 0;
}
