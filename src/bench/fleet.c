/* fleet.c: start N instances of a command, and leave nothing behind.
 *
 *   resident (child subreaper)
 *    `- runner thread: every fork of a run happens here (runner.c)
 *        |- init: pid 1 of the run's PID namespace
 *        |- instance 1..N: the process group, the cgroups, PDEATHSIG
 *        |   `- what they start: in the namespace and the cgroups for good;
 *        |      in the group until setsid/setpgid (daemons leave it)
 *        `- a startup run (startup.c): the namespace and the kill cgroup
 *
 * What catches what, in the order fleet_stop applies them:
 *
 *   1 PID namespace  init kills every other process in it, which nothing
 *                    can leave, and a fork in flight is cancelled.  As
 *                    root, or in a user namespace of resident's own.
 *   2 kill cgroup    v2 cgroup.kill, or v1 freezer: freeze, SIGKILL each
 *                    member, thaw; the memory cgroup's members killed one
 *                    by one.  Catches setsid'd and daemons; only a
 *                    privileged process can move out.  Where writable.
 *   3 group, pids    kill(-pgid), and each instance (one that has not
 *                    joined the group yet).
 *   4 subreaper      reap; then whatever still runs below resident in
 *                    /proc (census.c) is killed and reaped, until none is:
 *                    while resident lives, every orphan comes back to it.
 *   5 report         what survives even that (a set-user-ID program) is
 *                    one line at the end and exit status 4.
 *
 * When resident itself is SIGKILLed: 1 dies with it (init's PDEATHSIG);
 * instances and startup runs forked by fork() die of their PDEATHSIG; what
 * else remains is in 2's cgroup, which the next run kills and removes
 * (cgroups.c).  Without 1 and 2 (no user namespaces, no writable cgroup),
 * what had left the process group outlives a SIGKILL: docs/bench.md. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "bench.h"

static int use_memory;

/* the current fleet, for the signal handler and atexit */
static struct fleet *volatile current;
volatile pid_t fleet_single;

void fleet_setup(struct bench *b)
{
	long swept = 0;
	const char *why = NULL;
	use_memory = b->use_cgroup && b->nns > 0;
	if (!cgs_setup(use_memory, &why, &swept)) {
		use_memory = 0;
		b->cg_note = b->nns > 0 ? why : NULL;
	}
	if (swept)
		warn("killed %ld processes left running by an earlier resident bench that was killed", swept);
	const char *nswhy = NULL;
	int e = runner_start(b->use_pidns, &nswhy);
	if (e < 0)
		die_errno(EXIT_FAIL, e, "starting the runner thread");
}

struct open_job {
	struct fleet *f;
	int enter;
};

static void open_job(void *arg)
{
	struct open_job *j = arg;
	struct fleet *f = j->f;
	f->init = runner_pidns();
	if (j->enter && f->cg.kill[0] && cgs_enter(&f->cg, runner_tid))
		warn("%s: cannot join it: startup runs outside it", f->cg.kill);
}

void fleet_open(struct fleet *f, int flags)
{
	memset(f, 0, sizeof *f);
	cgs_make(&f->cg, (flags & FLEET_MEMORY) && use_memory);
	current = f;
	struct open_job j = { f, flags & FLEET_ENTER };
	runner_call(open_job, &j);
	if (f->init < 0)
		die(EXIT_FAIL, "a PID namespace for the run: %s", runner_ns_why());
}

struct start_job {
	struct fleet *f;
	char **argv;
	long n;
	int progress;
	const char *label;
	int err;		/* fork's errno */
};

/* pid's number in its own PID namespace: the last of status's NSpid */
static pid_t ns_pid(pid_t pid)
{
	char p[64], line[256];
	snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
	FILE *f = fopen(p, "re");
	long v = 0;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "NSpid:", 6)) {
			char *s = strrchr(line, '\t');
			v = s ? strtol(s + 1, NULL, 10) : 0;
			break;
		}
	if (f)
		fclose(f);
	return (pid_t)v;	/* 0: the instance leads a group of its own */
}

static void start_job(void *arg)
{
	struct start_job *j = arg;
	struct fleet *f = j->f;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* in the namespace, the parent (outside it) reads as pid 0 */
	pid_t expect = f->init > 0 ? 0 : getpid();
	double t0 = bench_now(), shown = t0;
	for (long i = 0; i < j->n; i++) {
		char **av = argv_expand(j->argv, i, "density");
		if (!av) {
			j->err = ENOMEM;
			break;
		}
		pid_t p = fork();
		if (p < 0) {
			j->err = errno;
			argv_free(av);
			break;
		}
		if (p == 0) {
			/* dies with resident, whatever kills it */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != expect)
				_exit(127);
			setpgid(0, f->child_pgid);
			if ((f->cg.mem_fd >= 0 && write(f->cg.mem_fd, "0", 1) < 0) ||
			    (f->cg.kill_fd >= 0 && write(f->cg.kill_fd, "0", 1) < 0))
				_exit(127);
			sigset_t none;
			sigemptyset(&none);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			sigprocmask(SIG_SETMASK, &none, NULL);
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			execvp(av[0], av);
			_exit(127);
		}
		setpgid(p, f->pgid);	/* also here: no race with killpg */
		if (!f->pgid) {
			f->pgid = p;
			f->child_pgid = f->init > 0 ? ns_pid(p) : p;
		}
		f->pids[f->n] = p;
		__atomic_store_n(&f->n, f->n + 1, __ATOMIC_RELEASE);	/* the handler reads n */
		argv_free(av);
		if (j->progress && (i & 63) == 0 && bench_now() - shown > 0.2) {
			shown = bench_now();
			fprintf(stderr, "\rresident bench: %s: %ld/%ld started, %.1f s ", j->label, i + 1, j->n,
				shown - t0);
		}
	}
	if (j->progress)
		fprintf(stderr, "\rresident bench: %s: %ld/%ld started, %.1f s\n", j->label, f->n, j->n,
			bench_now() - t0);
	if (null >= 0)
		close(null);
}

void fleet_start(struct fleet *f, char **argv, long n, int quiet, const char *label)
{
	f->pids = calloc((size_t)n, sizeof *f->pids);
	if (!f->pids)
		die(EXIT_FAIL, "out of memory");
	struct start_job j = { f, argv, n, !quiet && isatty(2), label, 0 };
	runner_call(start_job, &j);
	if (j.err) {
		long started = f->n;
		fleet_stop(f);
		die_errno(EXIT_FAIL, -j.err, "%s: starting instance %ld of %ld (all stopped)", label, started + 1, n);
	}
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

/* the layers, in order (the diagram above); async-signal-safe, used by
 * the signal handler too */
static void stop(struct fleet *f)
{
	cgs_leave(&f->cg);	/* the runner, out of the cgroup it kills */
	if (f->init > 0)
		runner_ns_kill();
	cgs_kill(&f->cg);
	if (f->pgid)
		kill(-f->pgid, SIGKILL);
	long n = __atomic_load_n(&f->n, __ATOMIC_ACQUIRE);
	for (long i = 0; f->pids && i < n; i++)
		if (f->pids[i])
			kill(f->pids[i], SIGKILL);
	pid_t one = fleet_single;
	if (one > 0)
		kill(one, SIGKILL);
	census_kill(f->init);
	for (long i = 0; f->pids && i < n; i++)
		f->pids[i] = 0;
	cgs_remove(&f->cg);
	f->pgid = 0;
}

const char *fleet_how(const struct fleet *f)
{
	if (f->init > 0)
		return "PID namespace";
	const char *how = cgs_how(&f->cg);
	return how ? how : "subreaper";
}

long fleet_stop(struct fleet *f)
{
	/* before killing: who had left the process group (daemons) */
	long strays = census(f->init, f->pgid, NULL, 0);
	f->how = fleet_how(f);
	stop(f);
	if (current == f)
		current = NULL;
	free(f->pids);
	f->pids = NULL;
	f->n = 0;
	return strays < 0 ? 0 : strays;
}

void fleet_report(void)
{
	runner_end();
	if (!census_nlost)
		return;
	char pids[128] = "";
	for (long i = 0; i < census_nlost && i < 8; i++)
		snprintf(pids + strlen(pids), sizeof pids - strlen(pids), " %d", (int)census_lost[i]);
	die(EXIT_FAIL, "%ld processes the run started could not be killed (pid%s%s)", census_nlost, pids,
	    census_nlost > 8 ? " ..." : "");
}

static void say(const char *s)
{
	if (write(2, s, strlen(s)) < 0) {
		/* stderr gone: nothing else to say it on */
	}
}

static void on_signal(int sig)
{
	struct fleet *f = current;
	if (f)
		stop(f);
	else if (fleet_single > 0) {
		kill(fleet_single, SIGKILL);
		census_kill(0);
	}
	if (census_nlost)
		say("resident: bench: some processes the run started could not be killed\n");
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
