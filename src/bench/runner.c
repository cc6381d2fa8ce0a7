/* runner.c: the thread every process of a run is forked from, and the PID
 * namespace each fleet is forked into.
 *
 * A PID namespace is per thread (the one a thread's children go into), and
 * a thread whose children go to another namespace can make no more threads
 * (clone: EINVAL), so the forks happen on a thread of their own and the
 * main thread keeps its namespace: resident cost's reader threads, and
 * LeakSanitizer's tracer at exit, still start.  Children get
 * PR_SET_PDEATHSIG against this thread, which lives as long as resident.
 *
 * The run has one namespace (unshare(CLONE_NEWPID) on the runner: a thread
 * cannot make a second one, nor, in a user namespace, go back), made by
 * the first fleet.  Its init shares resident's memory (CLONE_VM: nothing
 * to copy, nothing counted) and waits on a pipe: at each byte it kills
 * every other process of the namespace (kill(-1, SIGKILL) from pid 1: a
 * fork in flight is cancelled, none can leave) and answers; at end of
 * file, resident has died, and so does it.  It also reaps orphans (SIGCHLD
 * ignored) and has PDEATHSIG; when it dies, the kernel kills everything
 * in the namespace.  Making a PID namespace takes CAP_SYS_ADMIN: root has
 * it; another user first enters a user namespace of its own, mapping only
 * its own uid and gid, which must happen while resident has one thread. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static pthread_t thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static void (*job)(void *);
static void *job_arg;
static int started;
pid_t runner_tid;

static int ns_ok;		/* PID namespaces work here */
static const char *ns_why;	/* why not */
static char ns_err[128];
static pid_t init_pid;
static int cmd[2] = { -1, -1 };	/* resident writes cmd[1], init reads cmd[0] */
static int ack[2] = { -1, -1 };	/* init writes ack[1], resident reads ack[0] */

static int write_proc(const char *name, const char *s)
{
	int fd = open(name, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int e = write(fd, s, strlen(s)) < 0 ? -errno : 0;
	close(fd);
	return e;
}

static int has_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return 0;
	return (d[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
}

/* a user namespace in which resident is itself (the same uid and gid) but
 * may make PID namespaces */
static int enter_userns(void)
{
	uid_t u = geteuid();
	gid_t g = getegid();
	char map[64];
	if (unshare(CLONE_NEWUSER))
		return -errno;
	snprintf(map, sizeof map, "%u %u 1\n", (unsigned)u, (unsigned)u);
	int e = write_proc("/proc/self/uid_map", map);
	if (!e)
		e = write_proc("/proc/self/setgroups", "deny");
	snprintf(map, sizeof map, "%u %u 1\n", (unsigned)g, (unsigned)g);
	if (!e)
		e = write_proc("/proc/self/gid_map", map);
	return e;
}

static void *runner_main(void *unused)
{
	(void)unused;
	__atomic_store_n(&runner_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	pthread_mutex_lock(&mu);
	for (;;) {
		while (!job)
			pthread_cond_wait(&cv, &mu);
		void (*fn)(void *) = job;
		pthread_mutex_unlock(&mu);
		fn(job_arg);
		pthread_mutex_lock(&mu);
		job = NULL;
		pthread_cond_broadcast(&cv);
	}
	return NULL;
}

int runner_start(int want_ns, const char **why)
{
	ns_ok = 0;
	ns_why = "--no-pidns";
	if (want_ns) {
		int e = 0;
		if (!has_sys_admin())
			e = enter_userns();
		if (e) {
			snprintf(ns_err, sizeof ns_err, "no user namespace: %s", strerror(-e));
			ns_why = ns_err;
		} else if (pipe2(cmd, O_CLOEXEC) || pipe2(ack, O_CLOEXEC)) {
			ns_why = "pipe";
		} else {
			ns_ok = 1;
			ns_why = NULL;
		}
	}
	/* every signal blocked: handlers run on the main thread, and the
	 * runner's children (and the init) start with them blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&thread, NULL, runner_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		return -e;
	started = 1;
	while (!__atomic_load_n(&runner_tid, __ATOMIC_ACQUIRE))
		sched_yield();
	*why = ns_why;
	return ns_ok;
}

void runner_call(void (*fn)(void *), void *arg)
{
	if (!started) {
		fn(arg);
		return;
	}
	pthread_mutex_lock(&mu);
	job = fn;
	job_arg = arg;
	pthread_cond_broadcast(&cv);
	while (job)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

/* the kernel's struct sigaction for rt_sigaction (x86_64, arm64 and most
 * others: handler, flags, restorer, mask) */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* The init: on its own small stack, in resident's memory and with
 * resident's thread pointer, so plain system calls only, nothing that
 * would touch resident's state.  (syscall() sets errno only on failure,
 * and these do not fail.) */
static char init_stack[16384] __attribute__((aligned(64)));

__attribute__((no_sanitize("address", "undefined"))) static int init_main(void *unused)
{
	(void)unused;
	struct ksigaction ign = { SIG_IGN, 0, NULL, 0 };
	char c;
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	syscall(SYS_rt_sigaction, SIGCHLD, &ign, NULL, sizeof ign.mask);
	syscall(SYS_close, cmd[1]);
	syscall(SYS_close, ack[0]);
	/* 0 when every write end is closed: resident died */
	while (syscall(SYS_read, cmd[0], &c, 1) > 0) {
		syscall(SYS_kill, -1, SIGKILL);
		syscall(SYS_write, ack[1], &c, 1);
	}
	syscall(SYS_exit, 0);
	return 0;
}

/* on the runner thread */
pid_t runner_pidns(void)
{
	if (init_pid || !ns_ok)
		return init_pid;
	if (unshare(CLONE_NEWPID)) {
		snprintf(ns_err, sizeof ns_err, "unshare(CLONE_NEWPID): %s", strerror(errno));
		ns_why = ns_err;
		ns_ok = 0;
		return 0;
	}
	pid_t p = clone(init_main, init_stack + sizeof init_stack, CLONE_VM | SIGCHLD, NULL);
	if (p < 0) {
		/* the next fork would become the namespace's init */
		snprintf(ns_err, sizeof ns_err, "clone: %s", strerror(errno));
		ns_why = ns_err;
		ns_ok = 0;
		return -1;
	}
	/* the init's alone now: end of file if it dies.  (ack[1] keeps its
	 * value: the init reads it from this same memory.) */
	close(ack[1]);
	init_pid = p;
	return p;
}

void runner_ns_kill(void)
{
	char c = 'k';
	if (init_pid <= 0 || write(cmd[1], &c, 1) != 1)
		return;
	/* the answer, or end of file; a stuck init is not waited for long:
	 * the other layers follow */
	struct pollfd p = { ack[0], POLLIN, 0 };
	if (poll(&p, 1, 10000) > 0)
		while (read(ack[0], &c, 1) < 0 && errno == EINTR)
			;
}

void runner_end(void)
{
	if (init_pid <= 0)
		return;
	kill(init_pid, SIGKILL);
	/* the init's exit waits for the namespace's zombies, which are ours
	 * to reap; a child that cannot be killed is not waited for */
	for (int i = 0; i < 1000; i++) {
		pid_t r = waitpid(-1, NULL, WNOHANG);
		if (r == init_pid || (r < 0 && errno != EINTR))
			break;
		if (r == 0)
			usleep(10000);
	}
	init_pid = 0;
}

const char *runner_ns_why(void)
{
	return ns_why;
}
