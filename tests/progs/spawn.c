/* spawn: start N instances of a program, measure what they cost the kernel,
 * run a command on them, and always take them down again.
 *
 *   spawn [-n N] [-m FILE] PROG [ARGS...] -- CMD [ARGS...]
 *
 * Each instance gets READY_FD=3 and must write one byte there when ready
 * (tests/progs/dirty does).  With -m, FILE receives the per-instance delta
 * of /proc/meminfo between before the first fork and after the last
 * instance is ready, one "Key kB" line each.  CMD runs with the instances'
 * PIDs appended; spawn then kills and reaps every instance and exits with
 * CMD's status. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *keys[] = { "AnonPages", "PageTables", "KernelStack", "SUnreclaim", "Percpu",
			      "MemAvailable", "Slab" };
enum { NKEYS = sizeof keys / sizeof keys[0] };

static void meminfo(long v[NKEYS])
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f) {
		perror("spawn: /proc/meminfo");
		exit(99);
	}
	while (fgets(line, sizeof line, f))
		for (int i = 0; i < NKEYS; i++) {
			size_t n = strlen(keys[i]);
			if (!strncmp(line, keys[i], n) && line[n] == ':')
				v[i] = atol(line + n + 1);
		}
	fclose(f);
}

/* Read meminfo once it holds still.  Page tables and slab objects of exited
 * processes (earlier tests, the fork+exec churn here) are freed after an RCU
 * grace period, so a snapshot taken too early counts them. */
static void settle(long v[NKEYS])
{
	long prev[NKEYS];
	meminfo(prev);
	for (int i = 0; i < 40; i++) {
		usleep(100000);
		meminfo(v);
		long d = labs(v[1] - prev[1]) + labs(v[3] - prev[3]);	/* PageTables, SUnreclaim */
		if (d < 32)
			return;
		memcpy(prev, v, sizeof prev);
	}
}

static pid_t *kids;
static long nkids;

static void kill_all(void)
{
	for (long i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	for (long i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
}

static void on_term(int sig)
{
	(void)sig;
	for (long i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	_exit(98);	/* the killed instances are reaped by init or our parent */
}

int main(int argc, char **argv)
{
	long n = 1;
	const char *mfile = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = atol(argv[++i]);
		else if (!strcmp(argv[i], "-m") && i + 1 < argc)
			mfile = argv[++i];
		else
			break;
	}
	int sep = i;
	while (sep < argc && strcmp(argv[sep], "--"))
		sep++;
	if (n < 1 || i >= sep || sep + 1 >= argc) {
		fprintf(stderr, "usage: spawn [-n N] [-m FILE] PROG [ARGS...] -- CMD [ARGS...]\n");
		return 99;
	}
	argv[sep] = NULL;
	int ready[2];
	if (pipe2(ready, O_CLOEXEC)) {
		perror("spawn: pipe");
		return 99;
	}
	kids = calloc((size_t)n, sizeof *kids);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	long before[NKEYS] = { 0 }, after[NKEYS] = { 0 };
	settle(before);
	for (nkids = 0; nkids < n; nkids++) {
		pid_t p = fork();
		if (p < 0) {
			perror("spawn: fork");
			kill_all();
			return 99;
		}
		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			dup2(ready[1], 3);	/* dup2 clears close-on-exec */
			setenv("READY_FD", "3", 1);
			execv(argv[i], argv + i);
			_exit(127);
		}
		kids[nkids] = p;
	}
	for (long got = 0; got < n;) {
		char buf[256];
		ssize_t r = read(ready[0], buf, sizeof buf);
		if (r <= 0 && errno != EINTR) {
			fprintf(stderr, "spawn: instances did not all start (%ld of %ld)\n", got, n);
			kill_all();
			return 99;
		}
		if (r > 0)
			got += r;
	}
	settle(after);
	if (mfile) {
		FILE *f = fopen(mfile, "w");
		for (int k = 0; f && k < NKEYS; k++)
			fprintf(f, "%s %.3f\n", keys[k], (double)(after[k] - before[k]) / (double)n);
		if (!f || fclose(f)) {
			perror(mfile);
			kill_all();
			return 99;
		}
	}
	/* CMD with the PIDs appended */
	int cargc = argc - sep - 1;
	char **cargv = calloc((size_t)(cargc + n + 1), sizeof *cargv);
	for (int k = 0; k < cargc; k++)
		cargv[k] = argv[sep + 1 + k];
	for (long k = 0; k < n; k++) {
		cargv[cargc + k] = malloc(16);
		snprintf(cargv[cargc + k], 16, "%d", (int)kids[k]);
	}
	pid_t c = fork();
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		close(ready[1]);
		execvp(cargv[0], cargv);
		perror(cargv[0]);
		_exit(127);
	}
	int st = 0;
	waitpid(c, &st, 0);
	kill_all();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
