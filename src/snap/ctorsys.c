/* ctorsys.c: the constructors' syscalls that are not memory ones
 * (ctorsys.h has the classes). */
#include "ctorsys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../image/verify.h"
#include "../lib/err.h"

#define NOT_HERE "before main: not captured after init"

/* "SigIgn:\t0000000000001000" of /proc/PID/status */
static int status_mask(pid_t pid, const char *key, uint64_t *out)
{
	char p[64], line[256];
	snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
	FILE *f = fopen(p, "re");
	if (!f)
		return -1;
	int found = 0;
	size_t kl = strlen(key);
	while (!found && fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			*out = strtoull(line + kl + 1, NULL, 16);
			found = 1;
		}
	fclose(f);
	return found ? 0 : -1;
}

int ctorsys_start(struct ctorsys *s, pid_t pid, int root_only, char *why, size_t n)
{
	memset(s, 0, sizeof *s);
	s->pr.pid = pid;
	s->pr.ctor = 1;
	s->pr.root_only = root_only;
	for (size_t i = 0; i < sizeof s->content_fd / sizeof s->content_fd[0]; i++)
		s->content_fd[i] = -1;
	if (status_mask(pid, "SigIgn", &s->ign0) || status_mask(pid, "SigBlk", &s->blk0))
		return because(why, n, "cannot read the signal state of the run");
	return 0;
}

/* all of a kernel file, as the loader will read it */
static int slurp(const char *path, uint64_t *sum, uint64_t *size)
{
	char buf[IMD_CONTENT_MAX + 1];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	size_t got = 0;
	ssize_t k;
	while (got < sizeof buf && (k = read(fd, buf + got, sizeof buf - got)) > 0)
		got += (size_t)k;
	close(fd);
	if (got > IMD_CONTENT_MAX)
		return -1;
	*sum = img_sum(IMG_FNV_INIT, buf, got);
	*size = got;
	return 0;
}

static int content_of_fd(const struct ctorsys *s, long fd)
{
	for (size_t i = 0; i < s->ncontent; i++)
		if (s->content_fd[i] >= 0 && s->content_fd[i] == fd)
			return (int)i;
	return -1;
}

/* an open of a kernel file by its absolute name, to read: 1 if it is
 * one (then pending), 0 if not, -1 refused */
static int content_open(struct ctorsys *s, pid_t pid, const struct user_regs_struct *g, char *why, size_t n)
{
	uint64_t path = g->orig_rax == SYS_open ? g->rdi : g->rsi;
	uint64_t flags = g->orig_rax == SYS_open ? g->rsi : g->rdx;
	if (g->orig_rax == SYS_openat && (int)g->rdi != AT_FDCWD)
		return 0;
	if (probe_read_path(pid, path, s->cpath, sizeof s->cpath) || !img_kernel_file(s->cpath))
		return 0;
	if (flags & (O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_PATH))
		return because(why, n, "a constructor opened %s other than to read it " NOT_HERE, s->cpath);
	struct stat st;
	if (stat(s->cpath, &st) || (st.st_mode & 0444) != 0444)
		return because(why, n, "a constructor read %s, which not everyone may read " NOT_HERE, s->cpath);
	if (s->ncontent == sizeof s->content / sizeof s->content[0])
		return because(why, n, "a constructor read more than %zu kernel files " NOT_HERE, s->ncontent);
	struct statfs fs;
	if (statfs(s->cpath, &fs) ||
	    fs.f_type != (strncmp(s->cpath, "/proc/", 6) ? SYSFS_MAGIC : PROC_SUPER_MAGIC))
		return because(why, n, "a constructor read %s, which is not the kernel's here " NOT_HERE, s->cpath);
	if (slurp(s->cpath, &s->csum, &s->csize))
		return because(why, n, "a constructor read %s, which snap cannot read whole (%d bytes at most) "
				       NOT_HERE, s->cpath, IMD_CONTENT_MAX);
	s->pending = CS_CONTENT;
	return 1;
}

static int question(struct ctorsys *s, const struct user_regs_struct *g, char *why, size_t n)
{
	uint32_t nr = (uint32_t)g->orig_rax;
	if (!img_sysop_question(nr, g->rdi, g->rsi))
		return 0;
	if (s->nops == sizeof s->ops / sizeof s->ops[0])
		return because(why, n, "the constructors asked the kernel more than %zu questions " NOT_HERE, s->nops);
	/* only the arguments it reads: the other registers hold whatever was
	 * there (the loader passes 0 for them, as the kernel wants of some) */
	int k = img_sysop_nargs(nr, g->rdi);
	s->ops[s->nops] = (struct img_sysop){ .kind = ISO_ANSWER, .nr = nr,
					      .arg = { k > 0 ? g->rdi : 0, k > 1 ? g->rsi : 0, k > 2 ? g->rdx : 0 } };
	s->pending = CS_ANSWER;
	return 1;
}

static int sigaction_set(struct ctorsys *s, pid_t pid, const struct user_regs_struct *g, char *why, size_t n)
{
	uint64_t sig = g->rdi, act[4];
	if (g->r10 != 8 || sig < 1 || sig > 64)
		return 1;	/* EINVAL: no effect */
	s->asked |= 1ull << (sig - 1);	/* its old action tells exec's state: checked */
	if (!g->rsi)
		return 1;
	struct iovec l = { act, sizeof act }, r = { (void *)g->rsi, sizeof act };
	if (process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)sizeof act)
		return because(why, n, "cannot read the action a constructor set for signal %llu", (unsigned long long)sig);
	memcpy(s->acts[sig - 1], act, sizeof act);
	s->acted |= 1ull << (sig - 1);
	return 1;
}

int ctorsys_enter(struct ctorsys *s, pid_t pid, const struct user_regs_struct *g, char *why, size_t n)
{
	long nr = (long)g->orig_rax, fd = (long)(int)g->rdi;
	int r;
	s->pending = CS_NONE;
	switch (nr) {
	case SYS_read: case SYS_pread64: case SYS_lseek: case SYS_fstat:
		return probe_fd_ours(&s->pr, fd) || content_of_fd(s, fd) >= 0;
	case SYS_fstatfs:	/* is it the kernel's (libcap asks): the loader checks that too */
		return content_of_fd(s, fd) >= 0;
	case SYS_fcntl:
		return (probe_fd_ours(&s->pr, fd) || content_of_fd(s, fd) >= 0) &&
		       (g->rsi == F_GETFD || g->rsi == F_SETFD || g->rsi == F_GETFL);
	case SYS_close:
		if (probe_fd_ours(&s->pr, fd)) {
			probe_fd_closed(&s->pr, fd);
			return 1;
		}
		if ((r = content_of_fd(s, fd)) >= 0) {
			s->content_fd[r] = -1;
			return 1;
		}
		return 0;
	case SYS_rt_sigaction:
		return sigaction_set(s, pid, g, why, n);
	case SYS_rt_sigprocmask:	/* its end state is read at main */
		s->masked = 1;
		return g->r10 == 8;
	case SYS_open: case SYS_openat:
		if ((r = content_open(s, pid, g, why, n)))
			return r;
		break;
	}
	if ((r = question(s, g, why, n)))
		return r;
	if ((nr == SYS_newfstatat || nr == SYS_statx) && content_of_fd(s, fd) >= 0) {
		/* fstat of a kernel file it opened (stdio asks its block size) */
		char e[1];
		return ((nr == SYS_newfstatat ? g->r10 : g->rdx) & AT_EMPTY_PATH) && !probe_read_path(pid, g->rsi, e, 1);
	}
	r = probe_enter(&s->pr, pid, g, why, n);
	if (r > 0)
		s->pending = CS_PROBE;
	s->opening = r > 0 && (nr == SYS_open || nr == SYS_openat);
	/* 0 from probe_enter: a descriptor's fstat (one it opened), or not a
	 * lookup at all */
	if (r == 0 && nr != SYS_newfstatat && nr != SYS_statx)
		return 0;
	return r < 0 ? -1 : 1;
}

int ctorsys_exit(struct ctorsys *s, int64_t ret, char *why, size_t n)
{
	int kind = s->pending;
	s->pending = CS_NONE;
	switch (kind) {
	case CS_PROBE:
		if (probe_exit(&s->pr, ret, why, n))
			return -1;
		if (s->opening && ret >= 0) {
			/* what it reads may end up in the image, which others read */
			char fdp[64];
			struct stat st;
			snprintf(fdp, sizeof fdp, "/proc/%d/fd/%d", (int)s->pr.pid, (int)ret);
			if (stat(fdp, &st) || (st.st_mode & 0444) != 0444)
				return because(why, n, "a constructor opened a file not everyone may read: what it read "
						       "would be in the image for anyone who can read that; not captured "
						       "after init");
		}
		return 0;
	case CS_ANSWER:
		s->ops[s->nops++].ret = ret;
		return 0;
	case CS_CONTENT: {
		uint64_t sum, size;
		if (ret < 0)
			return because(why, n, "a constructor could not open %s (%s) " NOT_HERE, s->cpath,
				       strerror((int)-ret));
		if (slurp(s->cpath, &sum, &size) || sum != s->csum || size != s->csize)
			return because(why, n, "%s changed while a constructor read it: try again", s->cpath);
		struct cap_dep *d = &s->content[s->ncontent];
		for (size_t i = 0; i < s->ncontent; i++)
			if (!strcmp(s->content[i].path, s->cpath)) {
				s->content_fd[i] = (int)ret;
				return 0;
			}
		if (!(d->path = strdup(s->cpath)))
			return because(why, n, "out of memory");
		d->kind = IMD_CONTENT;
		d->sum = sum;
		d->size = size;
		s->content_fd[s->ncontent++] = (int)ret;
		return 0;
	}
	}
	return 0;
}

int ctorsys_at_main(struct ctorsys *s, pid_t pid, char *why, size_t n)
{
	for (int fd = 0; fd < 1024; fd++)
		if (probe_fd_ours(&s->pr, fd) || content_of_fd(s, fd) >= 0)
			return because(why, n, "a constructor left descriptor %d open at main; not captured after init",
				       fd);
	uint64_t blk;
	if (status_mask(pid, "SigBlk", &blk))
		return because(why, n, "cannot read the signal state of the run");
	for (int sig = 1; sig <= 64; sig++) {
		int acted = s->acted >> (sig - 1) & 1;
		if (!(s->asked >> (sig - 1) & 1))
			continue;
		if (s->nops == sizeof s->ops / sizeof s->ops[0])
			return because(why, n, "the constructors set too much kernel state " NOT_HERE);
		struct img_sysop *o = &s->ops[s->nops++];
		*o = (struct img_sysop){ .kind = ISO_SIGACTION,
					 .arg = { (uint64_t)sig, (s->ign0 >> (sig - 1) & 1) | (acted ? 0 : ISO_F_ASKED) } };
		if (acted)
			memcpy(o->set, s->acts[sig - 1], sizeof o->set);
	}
	if (s->masked) {
		if (s->nops == sizeof s->ops / sizeof s->ops[0])
			return because(why, n, "the constructors set too much kernel state " NOT_HERE);
		s->ops[s->nops++] = (struct img_sysop){ .kind = ISO_SIGMASK, .arg = { s->blk0 }, .set = { blk } };
	}
	return 0;
}

int ctorsys_deps(const struct ctorsys *s, struct cap_dep **deps, size_t *ndeps, char *why, size_t n)
{
	if (probes_deps(&s->pr, deps, ndeps, why, n))
		return -1;
	if (!s->ncontent)
		return 0;
	struct cap_dep *v = realloc(*deps, (*ndeps + s->ncontent) * sizeof *v);
	if (!v)
		goto oom;
	*deps = v;
	for (size_t i = 0; i < s->ncontent; i++) {
		v[*ndeps] = s->content[i];
		if (!(v[*ndeps].path = strdup(s->content[i].path)))
			goto oom;
		(*ndeps)++;
	}
	return 0;
oom:
	cap_deps_free(*deps, *ndeps);
	*deps = NULL;
	*ndeps = 0;
	return because(why, n, "out of memory");
}

int ctorsys_same(const struct ctorsys *a, const struct ctorsys *b)
{
	if (a->nops != b->nops || a->ncontent != b->ncontent || a->pr.n != b->pr.n)
		return 0;
	for (size_t i = 0; i < a->nops; i++)
		if (memcmp(&a->ops[i], &b->ops[i], sizeof a->ops[i]))
			return 0;
	for (size_t i = 0; i < a->ncontent; i++)
		if (strcmp(a->content[i].path, b->content[i].path) || a->content[i].sum != b->content[i].sum)
			return 0;
	return 1;
}

void ctorsys_free(struct ctorsys *s)
{
	probes_free(&s->pr);
	for (size_t i = 0; i < s->ncontent; i++)
		free(s->content[i].path);
	memset(s, 0, sizeof *s);
}
