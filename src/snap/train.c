/* train.c: which pages a start of the image touches, from one training
 * run: the image itself, run to its exit with the arguments the user
 * gave, stopped there (PTRACE_O_TRACEEXIT, the address space still
 * whole), and /proc/PID/pagemap read over every map the image makes:
 *
 *   present, the file's page (bit 61)  -> MADV_POPULATE_READ
 *   present, a private copy or zeroes  -> MADV_POPULATE_WRITE (the map
 *                                         is writable: the start wrote it)
 *
 * Fault-around makes the read set larger than what the run touched (16
 * pages per fault); MADV_RANDOM does not stop it on 6.18 (measured), and
 * the extra pages cost page-table entries only, in page-table pages the
 * program has anyway.  The training run's effects are real: it is the
 * program, run once with the given arguments. */
#include "train.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../proc/procfs.h"

struct ranges {
	struct img_prefault *p;
	uint32_t n;
};

static int add(struct ranges *r, uint64_t start, uint64_t len, uint32_t write)
{
	struct img_prefault *l = r->n ? &r->p[r->n - 1] : NULL;
	if (l && l->start + l->len == start && l->write == write) {
		l->len += len;
		return 0;
	}
	if (r->n == IMG_PREFAULT_MAX)
		return 0;	/* the rest faults as before */
	if (r->n % 256 == 0) {
		struct img_prefault *np = realloc(r->p, (r->n + 256) * sizeof *np);
		if (!np)
			return -1;
		r->p = np;
	}
	r->p[r->n++] = (struct img_prefault){ .start = start, .len = len, .write = write };
	return 0;
}

/* the present pages of the image's maps, as ranges */
static int collect(pid_t pid, const struct capture *c, struct ranges *r)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/pagemap", (int)pid);
	int pm = open(p, O_RDONLY | O_CLOEXEC);
	if (pm < 0)
		return -1;
	uint64_t e[512];
	for (size_t i = 0; i < c->nmaps; i++) {
		const struct cap_map *m = &c->maps[i];
		if (capture_special(m->path) || m->perms[3] != 'p')
			continue;
		int writable = m->perms[1] == 'w';
		for (uint64_t a = m->start; a < m->end; a += sizeof e / 8 * 4096) {
			size_t pages = (m->end - a) / 4096 < 512 ? (m->end - a) / 4096 : 512;
			if (pread(pm, e, pages * 8, (off_t)(a / 4096 * 8)) != (ssize_t)(pages * 8)) {
				close(pm);
				return -1;
			}
			for (size_t k = 0; k < pages; k++) {
				if (!(e[k] >> 63))
					continue;
				uint32_t w = writable && !(e[k] >> 61 & 1);
				if (add(r, a + 4096 * k, 4096, w)) {
					close(pm);
					return -1;
				}
			}
		}
	}
	close(pm);
	return 0;
}

/* a killed child, gone: one that is traced stops at its exit (and at an
 * exec) until let go */
static void reap(pid_t c)
{
	int st;
	ptrace(PTRACE_CONT, c, NULL, NULL);	/* a stop already seen waits for this */
	while (waitpid(c, &st, 0) == c && WIFSTOPPED(st))
		ptrace(PTRACE_CONT, c, NULL, NULL);
}

/* every child snap has now: the training run's orphans, reparented to
 * it as their subreaper; killed until none is left */
static void reap_all(void)
{
	pid_t kids[512];
	long n;
	for (int round = 0; round < 100 && (n = procfs_children(getpid(), kids, 512)) > 0; round++)
		for (long i = 0; i < n; i++)
			if (kill(kids[i], SIGKILL) == 0)
				reap(kids[i]);
}

int train_run(const struct image_out *img, const struct capture *c, char *const argv[], char *const env[],
	      struct img_prefault **out, uint32_t *n, char *why, size_t wn)
{
	*out = NULL;
	*n = 0;
	int fd = (int)syscall(SYS_memfd_create, "resident-train", MFD_CLOEXEC);
	if (fd < 0)
		return because(why, wn, "memfd_create: %s", strerror(errno));
	int e = image_write_fd(fd, img);
	if (e) {
		close(fd);
		return because(why, wn, "cannot write the image to train: %s", strerror(-e));
	}
	/* what the run starts and leaves (a daemon that setsid()s) comes back
	 * to snap, which kills it after (reap_all) */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return because(why, wn, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);	/* whatever it starts dies with it */
		int nul = open("/dev/null", O_RDWR);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0)
			_exit(127);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0) {
			raise(SIGSTOP);
			syscall(SYS_execveat, fd, "", argv, env, AT_EMPTY_PATH);
		}
		_exit(127);
	}
	setpgid(pid, pid);
	int st, rc = -1;
	struct ranges r = { 0 };
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) {
		because(why, wn, "the training run did not start");
		goto out;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC));
	time_t t0 = time(NULL);
	int execs = 0, sig = 0;
	for (;;) {
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig)) {
			because(why, wn, "ptrace: %s", strerror(errno));
			goto out;
		}
		sig = 0;
		/* 30 s at most: a server does not end by itself */
		while (waitpid(pid, &st, WNOHANG) == 0) {
			if (time(NULL) - t0 > 30) {
				because(why, wn, "the training run did not end in 30 s");
				goto out;
			}
			struct timespec d = { 0, 2000000 };
			nanosleep(&d, NULL);
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			because(why, wn, "the training run ended before it could be read");
			goto out;
		}
		if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8)) {
			/* the image's own exec is the first; a second one is a
			 * fallback or the program exec'ing another */
			if (++execs > 1) {
				because(why, wn, "the training run exec'd (the image fell back, or the program runs "
						 "another): no prefault");
				goto out;
			}
			continue;
		}
		if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXIT << 8))
			break;
		sig = st >> 16 ? 0 : WSTOPSIG(st);	/* a signal of its own: delivered */
	}
	if (collect(pid, c, &r)) {
		because(why, wn, "cannot read the training run's pagemap");
		goto out;
	}
	*out = r.p;
	*n = r.n;
	r.p = NULL;
	rc = 0;
out:
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	reap(pid);
	reap_all();
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	free(r.p);
	close(fd);
	return rc;
}
