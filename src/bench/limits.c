/* limits.c: refuse, before starting the N instances, what the machine would
 * not survive or allow: more tasks than pid_max, threads-max or
 * RLIMIT_NPROC leave room for, or more memory than MemAvailable (measured
 * on one instance of each command).  bench holds no descriptor per
 * instance, so RLIMIT_NOFILE does not bound N. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/fmt.h"
#include "../proc/kvfile.h"
#include "../proc/procfs.h"
#include "../proc/scan.h"
#include "bench.h"

/* tasks left free below these, for everything else on the machine */
#define TASK_MARGIN 256
/* of MemAvailable, what a run may take */
#define MEM_SHARE 0.8

/* a number in a small file under the proc root (sys/kernel/...), or -1 */
static long read_long(int root, const char *name)
{
	char buf[64];
	uint64_t v;
	if (procfs_read(root, name, buf, sizeof buf) <= 0 || scan_u64(buf, strcspn(buf, "\n"), 10, &v) <= 0)
		return -1;
	return (long)v;
}

/* tasks whose real uid is ours: what RLIMIT_NPROC counts */
static long tasks_of_user(int root, uid_t uid)
{
	pid_t *pids;
	long n = procfs_pids(root, &pids), mine = 0;
	struct linereader lr = LINEREADER_ZERO;
	for (long i = 0; i < n; i++) {
		int fd = procfs_open_file(root, pids[i], "status");
		if (fd < 0)
			continue;	/* gone meanwhile: normal */
		struct status st;
		struct parse_error pe;
		lr_from_fd(&lr, fd);
		if (status_parse(&lr, &st, &pe) == 0 && (st.seen >> ST_UID & 1) && st.v[ST_UID] == uid)
			mine += (st.seen >> ST_THREADS & 1) ? (long)st.v[ST_THREADS] : 1;
		close(fd);
	}
	lr_free(&lr);
	if (n > 0)
		free(pids);
	return mine;
}

static long max_n(const struct bench *b)
{
	long maxn = 0;
	for (int i = 0; i < b->nns; i++)
		if (b->ns[i] > maxn)
			maxn = b->ns[i];
	return maxn;
}

void limits_tasks(struct bench *b)
{
	long maxn = max_n(b);
	if (maxn == 0)
		return;
	long pid_max = read_long(b->proc_root, "sys/kernel/pid_max");
	long threads_max = read_long(b->proc_root, "sys/kernel/threads-max");
	long tasks = procfs_tasks(b->proc_root);
	if (pid_max > 0 && tasks >= 0 && tasks + maxn + TASK_MARGIN > pid_max)
		die(EXIT_USAGE, "--instances %ld: %ld tasks run already and pid_max is %ld (%ld kept free)", maxn, tasks,
		    pid_max, (long)TASK_MARGIN);
	if (threads_max > 0 && tasks >= 0 && tasks + maxn + TASK_MARGIN > threads_max)
		die(EXIT_USAGE, "--instances %ld: %ld tasks run already and threads-max is %ld (%ld kept free)", maxn,
		    tasks, threads_max, (long)TASK_MARGIN);
	struct rlimit rl;
	if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		long mine = tasks_of_user(b->proc_root, getuid());
		if (mine + maxn + 1 > (long)rl.rlim_cur)
			die(EXIT_USAGE, "--instances %ld: this user runs %ld tasks and `ulimit -u` is %llu", maxn, mine,
			    (unsigned long long)rl.rlim_cur);
	}
}

/* one instance of each command, measured as resident cost does */
void limits_memory(struct bench *b)
{
	long maxn = max_n(b);
	if (maxn == 0)
		return;
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
