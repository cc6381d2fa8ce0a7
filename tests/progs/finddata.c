/* finddata: finds its data the way many programs do, relative to its own
 * executable: dirname(/proc/self/exe)/../share/finddata/data.
 * finddata --exe: print what /proc/self/exe names first. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char exe[PATH_MAX], path[PATH_MAX + 64], line[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		return 2;
	exe[n] = 0;
	if (argc > 1 && !strcmp(argv[1], "--exe"))
		printf("exe: %s\n", exe);
	snprintf(path, sizeof path, "%s/../share/finddata/data", dirname(exe));
	FILE *f = fopen(path, "r");
	if (!f || !fgets(line, sizeof line, f)) {
		printf("no data at %s\n", path);
		return 1;
	}
	printf("data: %s", line);
	return 0;
}
