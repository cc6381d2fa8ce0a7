/* show: prints what a process can see of how it was started, so that a
 * normal run and an image run can be compared byte for byte:
 * argv, the environment, auxv-derived values, cwd, open fds, stdin.
 *   show [--canary] [--pid] [--stdin] [--exit N] [--kill SIG] ARGS...
 * --canary prints the stack guard and pointer guard (fs:0x28, fs:0x30),
 * which must differ from run to run, so it is not part of the comparison. */
#include <dirent.h>
#include <errno.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;

static int first_phdr(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(const void **)data = info->dlpi_phdr;
	return 1;
}

/* each loaded object by name, in order, and whether AT_BASE is ld.so's */
static int each_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	printf("object=<%s>%s\n", info->dlpi_name,
	       info->dlpi_addr && info->dlpi_addr == getauxval(AT_BASE) ? " at AT_BASE" : "");
	return 0;
}

extern char _start[];

int main(int argc, char **argv)
{
	int status = 0, sig = 0, canary = 0, in = 0;
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=<%s>\n", i, argv[i]);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--exit") && i + 1 < argc)
			status = atoi(argv[i + 1]);
		if (!strcmp(argv[i], "--kill") && i + 1 < argc)
			sig = atoi(argv[i + 1]);
		canary |= !strcmp(argv[i], "--canary");
		in |= !strcmp(argv[i], "--stdin");
	}
	int n = 0;
	for (char **e = environ; *e; e++, n++)
		printf("env=<%s>\n", *e);
	printf("envc=%d getenv(HOME)=<%s>\n", n, getenv("HOME") ? getenv("HOME") : "(unset)");
	const void *ph = NULL;
	dl_iterate_phdr(first_phdr, &ph);
	printf("AT_PHDR is the main program's: %d\n", (const void *)getauxval(AT_PHDR) == ph);
	printf("AT_ENTRY is the program's _start: %d\n", getauxval(AT_ENTRY) == (unsigned long)_start);
	dl_iterate_phdr(each_object, NULL);
	printf("AT_PAGESZ=%lu AT_CLKTCK=%lu AT_SECURE=%lu hwcap=%lx\n", getauxval(AT_PAGESZ),
	       getauxval(AT_CLKTCK), getauxval(AT_SECURE), getauxval(AT_HWCAP));
	printf("program_invocation_name=<%s>\n", program_invocation_name);
	char cwd[4096];
	printf("cwd=<%s>\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int fds = 0;
	while (d && (de = readdir(d)))
		fds += de->d_name[0] != '.';
	if (d)
		closedir(d);
	printf("open fds (with the one listing them)=%d\n", fds);
	printf("errno is per-thread and works: %d\n", (errno = 7, errno == 7));
	if (in) {
		char buf[4096];
		size_t r;
		while ((r = fread(buf, 1, sizeof buf, stdin)) > 0)
			fwrite(buf, 1, r, stdout);
	}
	fprintf(stderr, "to stderr\n");
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--pid"))
			printf("pid=%d\n", (int)getpid());
	if (canary) {
		unsigned long c, p;
		__asm__("mov %%fs:0x28, %0" : "=r"(c));
		__asm__("mov %%fs:0x30, %0" : "=r"(p));
		printf("canary=%016lx pointer_guard=%016lx\n", c, p);
	}
	fflush(stdout);
	if (sig)
		raise(sig);
	return status;
}
