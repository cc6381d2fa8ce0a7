/* tiny: the smallest useful program, to measure what a process costs.
 * `tiny density` waits for a signal (an instance that stays); anything
 * else exits 0 at once (an exec to time).  Built as glibc dynamic, glibc
 * static, musl static and as a resident image by bench/headline.sh. */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "density"))
		for (;;)
			pause();
	return 0;
}
