/* limits.c: refuse, before starting the N instances, what the machine would
 * not survive or allow: more tasks than pid_max, threads-max or
 * RLIMIT_NPROC leave room for, or more memory than MemAvailable (measured
 * on one instance of each command).  bench holds no descriptor per
 * instance, so RLIMIT_NOFILE does not bound N. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/fmt.h"
#include "../proc/kvfile.h"
#include "bench.h"

/* tasks left free below these, for everything else on the machine */
#define TASK_MARGIN 256
/* of MemAvailable, what a run may take */
#define MEM_SHARE 0.8

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* tasks (threads) on the machine: /proc/loadavg's "running/total" */
static long tasks_now(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	long run = 0, total = -1;
	if (f) {
		if (fscanf(f, "%*s %*s %*s %ld/%ld", &run, &total) != 2)
			total = -1;
		fclose(f);
	}
	return total;
}

/* tasks whose real uid is ours: what RLIMIT_NPROC counts */
static long tasks_of_user(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long n = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char p[300], line[256];
		snprintf(p, sizeof p, "/proc/%s/status", e->d_name);
		FILE *f = fopen(p, "r");
		long ruid = -1, threads = 1;
		while (f && fgets(line, sizeof line, f)) {
			if (!strncmp(line, "Uid:", 4))
				ruid = strtol(line + 4, NULL, 10);
			else if (!strncmp(line, "Threads:", 8))
				threads = strtol(line + 8, NULL, 10);
		}
		if (f)
			fclose(f);
		if (ruid == (long)uid)
			n += threads;
	}
	if (d)
		closedir(d);
	return n;
}

void limits_check(struct bench *b)
{
	long maxn = 0;
	for (int i = 0; i < b->nns; i++)
		if (b->ns[i] > maxn)
			maxn = b->ns[i];
	if (maxn == 0)
		return;
	long pid_max = read_long("/proc/sys/kernel/pid_max");
	long threads_max = read_long("/proc/sys/kernel/threads-max");
	long tasks = tasks_now();
	if (pid_max > 0 && tasks >= 0 && tasks + maxn + TASK_MARGIN > pid_max)
		die(EXIT_USAGE, "--instances %ld: %ld tasks run already and pid_max is %ld (%ld kept free)", maxn, tasks,
		    pid_max, (long)TASK_MARGIN);
	if (threads_max > 0 && tasks >= 0 && tasks + maxn + TASK_MARGIN > threads_max)
		die(EXIT_USAGE, "--instances %ld: %ld tasks run already and threads-max is %ld (%ld kept free)", maxn,
		    tasks, threads_max, (long)TASK_MARGIN);
	struct rlimit rl;
	if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		long mine = tasks_of_user(getuid());
		if (mine + maxn + 1 > (long)rl.rlim_cur)
			die(EXIT_USAGE, "--instances %ld: this user runs %ld tasks and `ulimit -u` is %llu", maxn, mine,
			    (unsigned long long)rl.rlim_cur);
	}
	/* memory: one instance of each command, measured as resident cost does */
	uint64_t mi[MI_NFIELDS], seen;
	if (meminfo_read(b->proc_root, mi, &seen) < 0)
		die(EXIT_FAIL, "/proc/meminfo: unreadable");
	for (int c = 0; c < b->ncmds; c++) {
		struct command *cmd = &b->cmd[c];
		cmd->probe_kb = density_probe(b, cmd);
		if (cmd->probe_kb <= 0)
			continue;	/* it exits at once: density_run reports it */
		double need = cmd->probe_kb * 1.25 * (double)maxn, have = (double)mi[MI_MEMAVAILABLE] * MEM_SHARE;
		if (need > have) {
			char a[16], h[16], one[16];
			die(EXIT_USAGE, "--instances %ld: %s would need about %s (%s each, measured on one, +25%%), "
			    "and %.0f%% of MemAvailable is %s", maxn, cmd->label, fmt_kb(a, need), fmt_kb(one, cmd->probe_kb),
			    MEM_SHARE * 100, fmt_kb(h, have));
		}
	}
}
