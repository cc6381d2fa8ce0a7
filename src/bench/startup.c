/* startup.c: how long one exec takes, start to exit, two ways:
 * fork+execvp+wait4 and posix_spawnp+wait4, each run R times per command,
 * the commands interleaved (A B A B ...) so that drift hits all alike.
 * Page faults per exec come from wait4's rusage of the child.
 *
 * The runs are one fleet (fleet.c): forked on the runner thread, into one
 * PID namespace, the runner inside the kill cgroup so that posix_spawn's
 * children are too.  A command that leaves processes running after it
 * exits (a daemon) is found after its warm-up runs; its leftovers are
 * then killed after each round, and all at the end. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "../proc/procfs.h"
#include "bench.h"

extern char **environ;

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	pid_t p = fleet_single;
	if (p > 0) {
		timed_out = 1;
		kill(p, SIGKILL);
	}
}

static void arm(double s)
{
	struct itimerval it = { { 0, 0 }, { (time_t)s, (suseconds_t)((s - (double)(time_t)s) * 1e6) } };
	setitimer(ITIMER_REAL, &it, NULL);
}

struct sample {
	double us, faults;
	int status;		/* exit status, or 128 + signal */
	int err;		/* posix_spawn's or fork's error */
	int fatal;		/* fork's: the machine's, not the command's */
	const char *stays_up;	/* warm-up: the syscall it waits in, a server's */
};

/* A command that stays up (a server, a daemon in the foreground) would
 * hold each warm-up until --timeout.  While the first warm-up run waits,
 * its process is looked at every 50 ms: blocked in a syscall that waits
 * for a client or an event (poll, select, epoll, accept), with no CPU
 * time spent and no child, for 1 s, it stays up.
 * The name of that syscall, or NULL. */
static const char *waiting_in(pid_t p)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/syscall", (int)p);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	switch (atoi(buf)) {
	case 7: return "poll";
	case 23: return "select";
	case 43: return "accept";
	case 288: return "accept4";
	case 232: return "epoll_wait";
	case 281: return "epoll_pwait";
	case 441: return "epoll_pwait2";
	case 270: return "pselect6";
	case 271: return "ppoll";
	}
	/* not wait4, pause or sigsuspend: a shell or `timeout` waiting for
	 * what it started is no server (the adversarial pass) */
	return NULL;
}

/* has p children?  A process that polls while it has some waits for
 * them (make, ssh's master), not for clients */
static int has_children(pid_t p)
{
	pid_t c;
	return procfs_children(p, &c, 1) > 0;
}

static unsigned long long cpu_ticks(pid_t p)
{
	char buf[1024];
	const char *s = bench_stat_fields(p, buf, sizeof buf);
	unsigned long long ut = 0, st = 0;
	if (s)
		sscanf(s, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st);
	return ut + st;
}

/* wait for p, looking at it (waiting_in); 1 if it stays up (killed) */
static int wait_watching(pid_t p, int *st, struct rusage *ru, struct sample *s)
{
	double idle_since = 0;
	unsigned long long ticks = 0;
	for (;;) {
		pid_t r = wait4(p, st, WNOHANG, ru);
		if (r == p || (r < 0 && errno != EINTR))
			return 0;
		if (timed_out)
			continue;
		const char *w = has_children(p) ? NULL : waiting_in(p);
		unsigned long long t = cpu_ticks(p);
		double now = bench_now();
		if (!w || t != ticks) {
			idle_since = 0;
			ticks = t;
		} else if (!idle_since) {
			idle_since = now;
		} else if (now - idle_since >= 1) {
			s->stays_up = w;
			kill(p, SIGKILL);
			while (wait4(p, st, 0, ru) < 0 && errno == EINTR)
				;
			return 1;
		}
		struct timespec d = { 0, 50000000 };
		nanosleep(&d, NULL);
	}
}

static int null_fd = -1;
static pid_t expect_ppid;	/* what a fork child reads as its parent */

/* one exec, timed from before fork to after wait4; on the runner;
 * watch: looked at while it runs, whether it stays up (warm-up only: the
 * timed runs wait in wait4 alone) */
static void one(struct bench *b, char **av, int spawn, struct sample *s, int watch)
{
	struct rusage ru;
	int st = 0;
	pid_t p;
	timed_out = 0;
	s->err = s->fatal = 0;
	s->stays_up = NULL;
	double t0 = bench_now() * 1e6;
	if (spawn) {
		posix_spawn_file_actions_t fa;
		posix_spawnattr_t at;
		sigset_t none;
		sigemptyset(&none);
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, null_fd, 0);
		posix_spawn_file_actions_adddup2(&fa, null_fd, 1);
		posix_spawn_file_actions_adddup2(&fa, null_fd, 2);
		posix_spawnattr_init(&at);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
		s->err = posix_spawnp(&p, av[0], &fa, &at, av, environ);
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&at);
		if (s->err) {
			s->us = 0;
			return;
		}
	} else {
		p = fork();
		if (p < 0) {
			s->err = errno;
			s->fatal = 1;
			s->us = 0;
			return;
		}
		if (p == 0) {
			sigset_t none;
			sigemptyset(&none);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != expect_ppid)
				_exit(127);
			sigprocmask(SIG_SETMASK, &none, NULL);
			dup2(null_fd, 0);
			dup2(null_fd, 1);
			dup2(null_fd, 2);
			execvp(av[0], av);
			_exit(127);
		}
	}
	fleet_single = p;
	arm(b->timeout);
	if (watch)
		wait_watching(p, &st, &ru, s);
	else
		while (wait4(p, &st, 0, &ru) < 0 && errno == EINTR)
			;
	double t1 = bench_now() * 1e6;
	arm(0);
	fleet_single = 0;
	s->us = t1 - t0;
	s->faults = (double)(ru.ru_minflt + ru.ru_majflt);
	s->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void stats(double *us, double *faults, long n, struct timing *t)
{
	if (n <= 0)
		return;
	double sum = 0;
	for (long i = 0; i < n; i++)
		sum += us[i];
	t->med = bench_median(us, (size_t)n);	/* sorts us */
	t->p90 = bench_pct(us, (size_t)n, 90);
	t->p99 = bench_pct(us, (size_t)n, 99);
	t->min = us[0];
	t->mean = sum / (double)n;
	t->faults = bench_median(faults, (size_t)n);
}

/* kill what outlived its run, without waiting for it to die (it is
 * reaped by the init, or at the end) */
static void kill_leftovers(pid_t init)
{
	pid_t buf[512];
	long n = census(init, 0, buf, 512);
	for (long i = 0; i < n && i < 512; i++)
		kill(buf[i], SIGKILL);
}

struct job {
	struct bench *b;
	struct fleet *f;
	double *(*us)[2], *(*fl)[2];
	int err;		/* fork's or posix_spawn's errno for all commands */
};

static void warm_up(struct job *j)
{
	struct bench *b = j->b;
	/* page cache, and whether each command runs and exits at all */
	for (int c = 0; c < b->ncmds; c++) {
		struct command *cmd = &b->cmd[c];
		long before = census(j->f->init, 0, NULL, 0);
		for (int i = 0; i < b->warmup && !cmd->fails; i++) {
			char **av = argv_expand(cmd->argv, i, "startup");
			struct sample s;
			if (!av) {
				j->err = ENOMEM;
				return;
			}
			one(b, av, 1, &s, i == 0);
			argv_free(av);
			if (s.fatal) {
				j->err = s.err;
				return;
			}
			static char why[BENCH_MAX_CMDS][128];
			if (s.err) {
				cmd->fails = strerror(s.err);
			} else if (s.stays_up) {
				snprintf(why[c], sizeof why[c], "stays up (waits in %s with no CPU time for 1 s): a server, "
					 "not a command that exits; not timed", s.stays_up);
				cmd->fails = why[c];
			} else if (timed_out) {
				cmd->fails = "did not exit within the time limit (--timeout)";
			} else if (s.status && !cmd->nonzero++) {
				cmd->nonzero_status = s.status;
			}
		}
		long after = census(j->f->init, 0, NULL, 0);
		if (after > before) {
			cmd->leftovers = after - before;
			cmd->leftovers_how = fleet_how(j->f);
		}
	}
}

static void runs(void *arg)
{
	struct job *j = arg;
	struct bench *b = j->b;
	warm_up(j);
	if (j->err)
		return;
	int leaves = 0;
	for (int c = 0; c < b->ncmds; c++)
		leaves |= b->cmd[c].leftovers > 0;
	if (leaves)
		kill_leftovers(j->f->init);
	int progress = !b->quiet && isatty(2);
	double shown = 0;
	for (long r = 0; r < b->runs; r++) {
		for (int m = 0; m < 2; m++)
			for (int c = 0; c < b->ncmds; c++) {
				struct command *cmd = &b->cmd[c];
				if (cmd->fails)
					continue;
				char **av = argv_expand(cmd->argv, r, "startup");
				if (!av) {
					j->err = ENOMEM;
					return;
				}
				struct sample s;
				one(b, av, m, &s, 0);
				argv_free(av);
				if (s.fatal) {
					j->err = s.err;
					return;
				}
				if (s.err)
					cmd->fails = strerror(s.err);
				else if (timed_out)
					cmd->fails = "a run did not exit within the time limit (--timeout)";
				j->us[c][m][r] = s.us;
				j->fl[c][m][r] = s.faults;
				cmd->startup_status = s.status;
				if (s.status && !timed_out && !cmd->nonzero++)
					cmd->nonzero_status = s.status;
			}
		if (leaves)
			kill_leftovers(j->f->init);
		if (progress && (bench_now() - shown >= 1 || r + 1 == b->runs)) {
			shown = bench_now();
			fprintf(stderr, "\rresident bench: startup: run %ld/%ld%s", r + 1, b->runs,
				r + 1 == b->runs ? "\n" : " ");
		}
	}
}

void startup_run(struct bench *b)
{
	if (b->runs <= 0)
		return;
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	double *us[BENCH_MAX_CMDS][2], *fl[BENCH_MAX_CMDS][2];
	for (int c = 0; c < b->ncmds; c++)
		for (int m = 0; m < 2; m++) {
			us[c][m] = calloc((size_t)b->runs, sizeof(double));
			fl[c][m] = calloc((size_t)b->runs, sizeof(double));
			if (!us[c][m] || !fl[c][m])
				die(EXIT_FAIL, "out of memory");
		}
	struct fleet f;
	fleet_open(&f, FLEET_ENTER);
	expect_ppid = f.init > 0 ? 0 : getpid();
	struct job j = { b, &f, us, fl, 0 };
	runner_call(runs, &j);
	fleet_stop(&f);
	if (j.err)
		die_errno(EXIT_FAIL, -j.err, "starting a startup run");
	for (int c = 0; c < b->ncmds; c++) {
		struct command *cmd = &b->cmd[c];
		if (!cmd->fails) {
			stats(us[c][0], fl[c][0], b->runs, &cmd->fork_exec);
			stats(us[c][1], fl[c][1], b->runs, &cmd->spawn);
		}
		for (int m = 0; m < 2; m++) {
			free(us[c][m]);
			free(fl[c][m]);
		}
	}
	close(null_fd);
}
