/* check_guard.c: resident check leaves nothing behind, however it ends.
 *
 *   guard_open   signals held -> mkdtemp -> handlers in place -> released
 *   guard_fork   signals held -> fork -> the run's group noted -> released
 *   guard_done   kill the run's group, then the orphans check became the
 *                parent of (as subreaper): children that left the group
 *   an ending    (a signal, exit): the same, then the scratch tree goes
 *
 * An ending is async-signal-safe (raw getdents64, no malloc, no stdio) and
 * never cut by another: the handler masks every ending signal, the ending
 * on exit holds them and lets one that came meanwhile act after (check then
 * dies of it, its handler finding nothing left to do).  A cleanup cut in the
 * middle would leave the next one's getdents where the first stopped. */
#include "check_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "../proc/procfs.h"

/* the signals whose default ends a process; QUIT too, since a terminal's
 * Ctrl-\ reaches check's group and not the run's */
static const int ending[] = { SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGALRM, SIGUSR1, SIGUSR2 };
#define NENDING (sizeof ending / sizeof ending[0])
static int taken[NENDING];		/* our handler's: not ignored at start */

static int scratch_fd = -1;
static char scratch_path[PATH_MAX];
static volatile pid_t running;		/* the run's process group */
static volatile int subreaper;		/* orphans of a run come to check */

static void ending_set(sigset_t *s)
{
	sigemptyset(s);
	for (size_t i = 0; i < NENDING; i++)
		sigaddset(s, ending[i]);
}

/* every child of check, killed and reaped, until none is left: a killed
 * orphan's own children come to check in turn */
static void kill_children(void)
{
	pid_t kids[512];
	long n;
	for (int round = 0; round < 100 && (n = procfs_children(getpid(), kids, 512)) > 0; round++)
		for (long i = 0; i < n; i++)
			if (kill(kids[i], SIGKILL) == 0)
				waitpid(kids[i], NULL, 0);
}

/* the entries of directory DFD, its subdirectories' too (a run may make
 * them beside its image); passes until one finds nothing, since removing
 * while reading may move what is still unread */
static void remove_in(int dfd, int depth)
{
	char buf[2048];
	for (int pass = 0; pass < 8; pass++) {
		int removed = 0;
		long n;
		lseek(dfd, 0, SEEK_SET);
		while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0)
			for (long at = 0; at < n;) {
				const char *name = buf + at + 19;	/* d_ino 8, d_off 8, d_reclen 2, d_type 1 */
				unsigned short len;
				memcpy(&len, buf + at + 16, 2);
				at += len;
				if (!strcmp(name, ".") || !strcmp(name, ".."))
					continue;
				if (unlinkat(dfd, name, 0) == 0) {
					removed = 1;
					continue;
				}
				int sub = depth < 16 ? openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
				if (sub < 0)
					continue;
				remove_in(sub, depth + 1);
				close(sub);
				removed |= unlinkat(dfd, name, AT_REMOVEDIR) == 0;
			}
		if (!removed)
			return;
	}
}

static void end_now(void)
{
	int e = errno;
	if (running > 0)
		kill(-running, SIGKILL);
	if (subreaper)
		kill_children();
	if (scratch_fd >= 0) {
		remove_in(scratch_fd, 0);
		close(scratch_fd);
		scratch_fd = -1;
		rmdir(scratch_path);
	}
	errno = e;
}

static void on_exit_end(void)
{
	sigset_t end, old;
	ending_set(&end);
	sigprocmask(SIG_BLOCK, &end, &old);
	end_now();
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void on_signal(int sig)
{
	end_now();
	signal(sig, SIG_DFL);
	raise(sig);	/* masked here: acts as the handler returns */
}

void guard_open(void)
{
	sigset_t end, old;
	ending_set(&end);
	sigprocmask(SIG_BLOCK, &end, &old);
	const char *tmpdir = getenv("TMPDIR");
	if ((size_t)snprintf(scratch_path, sizeof scratch_path - 64, "%s/resident-check-XXXXXX",
			     tmpdir && tmpdir[0] ? tmpdir : "/tmp") >= sizeof scratch_path - 64)
		die(EXIT_USAGE, "TMPDIR: too long");
	if (!mkdtemp(scratch_path))
		die_errno(EXIT_FAIL, -errno, "%s", scratch_path);
	if ((scratch_fd = open(scratch_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int e = errno;
		rmdir(scratch_path);
		die_errno(EXIT_FAIL, -e, "%s", scratch_path);
	}
	atexit(on_exit_end);
	/* a signal ignored when check started stays ignored (nohup, a
	 * background job of a script), for check and its runs */
	for (size_t i = 0; i < NENDING; i++) {
		struct sigaction sa = { .sa_handler = on_signal, .sa_mask = end }, was;
		if (sigaction(ending[i], NULL, &was) == 0 && was.sa_handler != SIG_IGN)
			taken[i] = sigaction(ending[i], &sa, NULL) == 0;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

const char *guard_dir(void)
{
	return scratch_path;
}

int guard_noexec(void)
{
	struct statvfs s;
	return fstatvfs(scratch_fd, &s) == 0 && (s.f_flag & ST_NOEXEC);
}

int guard_file(const char *name)
{
	int fd = openat(scratch_fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die_errno(EXIT_FAIL, -errno, "%s/%s", scratch_path, name);
	unlinkat(scratch_fd, name, 0);
	return fd;
}

pid_t guard_fork(void)
{
	if (!subreaper)
		subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
	sigset_t end, old;
	ending_set(&end);
	sigprocmask(SIG_BLOCK, &end, &old);
	pid_t parent = getpid(), p = fork();
	if (p == 0) {
		setpgid(0, 0);
		for (size_t i = 0; i < NENDING; i++)
			if (taken[i])
				signal(ending[i], SIG_DFL);
		/* check killed outright (SIGKILL) takes the run with it */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(EXIT_FAIL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	if (p > 0) {
		setpgid(p, p);
		running = p;
	}
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return p;
}

void guard_done(pid_t p)
{
	kill(-p, SIGKILL);	/* what it left behind in its group */
	running = 0;
	if (subreaper)
		kill_children();	/* and what left the group */
}
