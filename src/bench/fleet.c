/* fleet.c: start N instances of a command, and never leave one behind.
 *
 * Every instance is in one process group (the first instance leads it),
 * has PR_SET_PDEATHSIG(SIGKILL) so that it dies with resident even when
 * resident is killed with SIGKILL, and, where the machine allows, is in a
 * memory cgroup made for the run, whose accounting density.c reads and
 * which catches anything an instance starts.  resident is a child
 * subreaper, so instances' own children are reaped here too. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "bench.h"

static char cg_base[200];	/* a memory cgroup hierarchy's root we can write */
static int cg_base_version;

/* the current fleet, for the signal handler */
static struct fleet *volatile current;
volatile pid_t fleet_single;

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, s, strlen(s));
	int e = w < 0 ? -errno : 0;
	close(fd);
	return e;
}

/* the cgroups of earlier runs that were killed (SIGKILL leaves no time to
 * remove them): empty, their resident gone; removed */
static void cg_sweep(void)
{
	DIR *d = opendir(cg_base);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int pid;
		if (sscanf(e->d_name, "resident-bench-%d-", &pid) != 1 || pid == getpid() ||
		    (kill(pid, 0) && errno == ESRCH) == 0)
			continue;
		char p[512];
		snprintf(p, sizeof p, "%s/%s", cg_base, e->d_name);
		rmdir(p);	/* fails, harmlessly, if something still runs there */
	}
	if (d)
		closedir(d);
}

/* a cgroup2 mount with the memory controller enabled for children, or a v1
 * memory hierarchy, that we can make a directory in */
int fleet_cgroup_setup(const char **why)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	char v1[200] = "", v2[200] = "";
	while (f && fgets(line, sizeof line, f)) {
		char mnt[200], fstype[64], opts[512];
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %199s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (!strcmp(fstype, "cgroup2") && !v2[0])
			snprintf(v2, sizeof v2, "%s", mnt);
		else if (!strcmp(fstype, "cgroup") && !v1[0]) {
			for (char *o = strtok(opts, ","); o; o = strtok(NULL, ","))
				if (!strcmp(o, "memory"))
					snprintf(v1, sizeof v1, "%s", mnt);
		}
	}
	if (f)
		fclose(f);
	if (v2[0]) {
		char p[300], buf[512] = "";
		snprintf(p, sizeof p, "%s/cgroup.subtree_control", v2);
		FILE *s = fopen(p, "r");
		if (s) {
			if (!fgets(buf, sizeof buf, s))
				buf[0] = 0;
			fclose(s);
		}
		if (strstr(buf, "memory") && access(v2, W_OK) == 0) {
			snprintf(cg_base, sizeof cg_base, "%s", v2);
			cg_base_version = 2;
		}
	}
	if (!cg_base_version && v1[0] && access(v1, W_OK) == 0) {
		snprintf(cg_base, sizeof cg_base, "%s", v1);
		cg_base_version = 1;
	}
	if (cg_base_version) {
		cg_sweep();
		return cg_base_version;
	}
	*why = v1[0] || v2[0] ? "the memory cgroup hierarchy is not writable by this user"
			      : "no memory cgroup controller on this machine";
	return 0;
}

static void cg_make(struct fleet *f)
{
	static int seq;
	f->cg[0] = 0;
	f->cg_version = 0;
	if (!cg_base_version)
		return;
	snprintf(f->cg, sizeof f->cg, "%s/resident-bench-%d-%d", cg_base, (int)getpid(), seq++);
	if (mkdir(f->cg, 0755)) {
		warn("%s: %s: no cgroup figures for this run", f->cg, strerror(errno));
		f->cg[0] = 0;
		return;
	}
	f->cg_version = cg_base_version;
}

void fleet_start(struct fleet *f, char **argv, long n, int use_cgroup, int quiet, const char *label)
{
	memset(f, 0, sizeof *f);
	f->pids = calloc((size_t)n, sizeof *f->pids);
	if (!f->pids)
		die(EXIT_FAIL, "out of memory");
	if (use_cgroup)
		cg_make(f);
	char procs[300];
	int cgfd = -1;
	if (f->cg[0]) {
		snprintf(procs, sizeof procs, "%s/cgroup.procs", f->cg);
		cgfd = open(procs, O_WRONLY | O_CLOEXEC);
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t parent = getpid();
	current = f;
	int progress = !quiet && isatty(2);
	double t0 = bench_now(), shown = t0;
	for (long i = 0; i < n; i++) {
		char **av = argv_expand(argv, i, "density");
		if (!av)
			die(EXIT_FAIL, "out of memory");
		pid_t p = fork();
		if (p < 0) {
			int e = errno;
			argv_free(av);
			fleet_stop(f);
			die_errno(EXIT_FAIL, -e, "%s: starting instance %ld of %ld (all stopped)", label, i + 1, n);
		}
		if (p == 0) {
			/* dies with resident, whatever kills it */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(127);
			setpgid(0, f->pgid);
			if (cgfd >= 0 && write(cgfd, "0", 1) < 0)
				_exit(127);
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			execvp(av[0], av);
			_exit(127);
		}
		setpgid(p, f->pgid);	/* also here: no race with killpg */
		if (!f->pgid)
			f->pgid = p;
		f->pids[f->n++] = p;
		argv_free(av);
		if (progress && (i & 63) == 0 && bench_now() - shown > 0.2) {
			shown = bench_now();
			fprintf(stderr, "\rresident bench: %s: %ld/%ld started, %.1f s ", label, i + 1, n, shown - t0);
		}
	}
	if (progress)
		fprintf(stderr, "\rresident bench: %s: %ld/%ld started, %.1f s\n", label, n, n, bench_now() - t0);
	if (cgfd >= 0)
		close(cgfd);
	if (null >= 0)
		close(null);
}

long fleet_alive(struct fleet *f)
{
	long alive = 0;
	for (long i = 0; i < f->n; i++) {
		if (!f->pids[i])
			continue;
		int st;
		pid_t r = waitpid(f->pids[i], &st, WNOHANG);
		if (r == f->pids[i] || (r < 0 && errno == ECHILD))
			f->pids[i] = 0;
		else
			alive++;
	}
	return alive;
}

/* kill what the cgroup holds (what the instances started included);
 * async-signal-safe */
static void cg_kill(const char *cg)
{
	char p[300], buf[4096];
	snprintf(p, sizeof p, "%s/cgroup.kill", cg);
	if (write_str(p, "1") == 0)
		return;
	snprintf(p, sizeof p, "%s/cgroup.procs", cg);
	for (int round = 0; round < 100; round++) {
		int fd = open(p, O_RDONLY | O_CLOEXEC), any = 0;
		if (fd < 0)
			return;
		ssize_t r;
		long pid = 0;
		while ((r = read(fd, buf, sizeof buf)) > 0)
			for (ssize_t i = 0; i < r; i++) {
				if (buf[i] >= '0' && buf[i] <= '9') {
					pid = pid * 10 + (buf[i] - '0');
				} else if (pid) {
					kill((pid_t)pid, SIGKILL);
					any = 1;
					pid = 0;
				}
			}
		close(fd);
		if (!any)
			return;
		usleep(1000);
	}
}

/* async-signal-safe: used by the signal handler too */
static void stop(struct fleet *f)
{
	if (f->pgid)
		kill(-f->pgid, SIGKILL);
	for (long i = 0; i < f->n; i++)
		if (f->pids[i])
			kill(f->pids[i], SIGKILL);	/* one between fork and setpgid */
	if (f->cg[0])
		cg_kill(f->cg);
	for (long i = 0; i < f->n; i++)
		if (f->pids[i]) {
			while (waitpid(f->pids[i], NULL, 0) < 0 && errno == EINTR)
				;
			f->pids[i] = 0;
		}
	/* what the instances started, reparented to us (child subreaper) */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (f->cg[0]) {
		for (int i = 0; i < 200 && rmdir(f->cg) && errno == EBUSY; i++)
			usleep(5000);
		f->cg[0] = 0;
	}
	f->pgid = 0;
}

void fleet_stop(struct fleet *f)
{
	stop(f);
	if (current == f)
		current = NULL;
	free(f->pids);
	f->pids = NULL;
	f->n = 0;
}

static void on_signal(int sig)
{
	struct fleet *f = current;
	pid_t one = fleet_single;
	if (f)
		stop(f);
	if (one > 0) {
		kill(one, SIGKILL);
		waitpid(one, NULL, 0);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* an error (die -> exit) while instances run: stop them first */
static void at_exit(void)
{
	struct fleet *f = current;
	if (f)
		stop(f);
}

void fleet_guard(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	atexit(at_exit);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
}
