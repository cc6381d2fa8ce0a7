/* probe: what check's runs may do; ARGV[1] says which */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	if (!strcmp(what, "mkdir")) {	/* a directory beside its executable */
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 32);
		if (n <= 0)
			return 3;
		exe[n] = 0;
		strcpy(strrchr(exe, '/'), "/.cache");
		mkdir(exe, 0700);
		strcat(exe, "/x");
		close(open(exe, O_CREAT | O_WRONLY, 0600));
		return 0;
	}
	if (!strcmp(what, "tty")) {	/* reads its terminal */
		char c;
		int fd = open("/dev/tty", O_RDWR);
		return fd < 0 ? 3 : read(fd, &c, 1) < 0;
	}
	if (!strcmp(what, "sighup")) {	/* says whether SIGHUP is ignored */
		struct sigaction sa;
		sigaction(SIGHUP, NULL, &sa);
		return sa.sa_handler == SIG_IGN ? 10 : 20;
	}
	if (!strcmp(what, "escape") && argc > 2) {	/* a child out of its group */
		if (fork() == 0) {
			setsid();
			execl(argv[2], argv[2], "1000", (char *)0);
			_exit(1);
		}
		return 0;
	}
	return 1;
}
