/* probes.c: the paths a normal exec looks at, and the checks an image
 * makes of them (probes.h has the rules). */
#include "probes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../image/format.h"
#include "../lib/err.h"
#include "trust.h"

const int probe_syscalls[] = {
	SYS_open, SYS_openat, SYS_openat2, SYS_stat, SYS_lstat, SYS_newfstatat, SYS_statx, SYS_access,
	SYS_faccessat, SYS_faccessat2, SYS_readlink, SYS_readlinkat, SYS_chdir, SYS_fchdir, SYS_chroot,
	SYS_statfs,
};
const size_t probe_nsyscalls = sizeof probe_syscalls / sizeof probe_syscalls[0];

/* what a name leads to, or the error; for a name not found, the deepest
 * existing prefix of its path and whether a symlink dangles right below it */
struct answer {
	int err;		/* 0 or errno of stat (lstat when nofollow) */
	struct stat st;
	char anc[PATH_MAX];	/* err: the deepest prefix that stats */
	struct stat anc_st;
	int dangles;		/* the component below anc exists as a dangling link, or anc is no directory */
};

struct probe {
	char *path;
	int nofollow;
	int opens;		/* an open: its descriptor is checked at its exit */
	int exec_name;		/* looked up by the kernel's exec: checked again at the end */
	int must_fail;		/* statfs: what it finds is a file system's state, no file's;
				 * only "not there" is an answer an image can depend on */
	int absent_only;	/* in /proc or /sys (a constructor's): likewise, and checked
				 * as itself, not by its directory's mtime */
	int64_t result;		/* the syscall's: >= 0 found, -errno not */
	struct answer a;
};

static int same_id(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec &&
	       a->st_mode == b->st_mode;
}

/* the directory a path's last component is in: "/a/b" -> "/a", "/a" -> "/",
 * "a" -> "." */
static void parent_of(const char *path, char *out, size_t size)
{
	const char *cut = strrchr(path, '/');
	if (!cut)
		snprintf(out, size, ".");
	else if (cut == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(cut - path), path);
}

static void look(const char *path, int nofollow, struct answer *a)
{
	memset(a, 0, sizeof *a);
	if ((nofollow ? lstat(path, &a->st) : stat(path, &a->st)) == 0)
		return;
	a->err = errno;
	/* up the path to the first prefix that is there; "below" is the
	 * prefix one component longer, which is not (by stat) */
	char below[PATH_MAX];
	snprintf(below, sizeof below, "%s", path);
	for (;;) {
		parent_of(below, a->anc, sizeof a->anc);
		if (stat(a->anc, &a->anc_st) == 0) {
			struct stat l;
			/* a link there that leads nowhere (yet), or a prefix that is
			 * no directory: only the path itself tells */
			a->dangles = !S_ISDIR(a->anc_st.st_mode) || lstat(below, &l) == 0;
			return;
		}
		if (!strcmp(a->anc, "/") || !strcmp(a->anc, "."))
			return;	/* nothing of it exists: anc_st stays zero */
		snprintf(below, sizeof below, "%s", a->anc);
	}
}

static int same_answer(const struct answer *x, const struct answer *y)
{
	if (x->err != y->err)
		return 0;
	if (!x->err)
		return same_id(&x->st, &y->st);
	return !strcmp(x->anc, y->anc) && same_id(&x->anc_st, &y->anc_st) && x->dangles == y->dangles;
}

static struct probe *add(struct probes *p, const char *path, int nofollow, char *why, size_t n)
{
	if (p->n % 64 == 0) {
		struct probe *v = realloc(p->v, (p->n + 64) * sizeof *v);
		if (!v)
			return because(why, n, "out of memory"), NULL;
		p->v = v;
	}
	struct probe *q = &p->v[p->n];
	memset(q, 0, sizeof *q);
	if (!(q->path = strdup(path)))
		return because(why, n, "out of memory"), NULL;
	q->nofollow = nofollow;
	p->n++;
	look(path, nofollow, &q->a);
	return q;
}

int probe_exec_name(struct probes *p, const char *path, char *why, size_t n)
{
	struct probe *q = add(p, path, 0, why, n);
	if (!q)
		return -1;
	q->exec_name = 1;
	q->result = q->a.err ? -q->a.err : 0;
	if (q->a.err)
		return because(why, n, "%s: %s", path, strerror(q->a.err));
	return 0;
}

int probe_read_path(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		if (chunk > size - got)
			chunk = size - got;
		struct iovec l = { buf + got, chunk }, r = { (void *)(addr + got), chunk };
		if (process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)chunk)
			return -1;
		if (memchr(buf + got, 0, chunk))
			return 0;
		got += chunk;
	}
	return -1;	/* longer than PATH_MAX: no lookup the kernel would do */
}

/* who looked, and the verdict's tail, in a refusal */
static const char *who(const struct probes *p, int or_code)
{
	return p->ctor ? "a constructor" : or_code ? "ld.so, or code it ran," : "ld.so";
}
static const char *when(const struct probes *p)
{
	return p->ctor ? "before main: not captured after init" : "before handing over: not captured";
}

static int on_proc(const char *path)
{
	struct statfs fs;
	return statfs(path, &fs) == 0 && (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC);
}

/* through a file system whose answers change from run to run (/proc,
 * /sys) anywhere on its way (/proc/self/root/etc/x ends on another), or
 * not a file whose contents stay (a device, a FIFO, a socket);
 * /proc/self/exe read as a link is the program itself, where the capture
 * runs it as exec'd (run as `ld.so PROGRAM`, it names ld.so) */
static int varies(const struct probes *p, const char *path, long nr)
{
	struct stat st;
	char prefix[PATH_MAX];
	if ((nr == SYS_readlink || nr == SYS_readlinkat) && !strcmp(path, "/proc/self/exe"))
		return p->via_ldso || p->ctor;
	if (path[0] != '/' && on_proc("."))
		return 1;
	for (const char *s = path + 1;; s++)
		if (!*s || *s == '/') {
			snprintf(prefix, sizeof prefix, "%.*s", (int)(s - path), path);
			if (on_proc(prefix))
				return 1;
			if (!*s)
				break;
		}
	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

int probe_enter(struct probes *p, pid_t pid, const struct user_regs_struct *r, char *why, size_t n)
{
	uint64_t dirfd = (uint64_t)AT_FDCWD, path, flags = 0;
	int nofollow = 0, writes = 0;
	switch ((long)r->orig_rax) {
	case SYS_open: path = r->rdi; writes = (r->rsi & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0; break;
	case SYS_openat: dirfd = r->rdi; path = r->rsi; writes = (r->rdx & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0; break;
	case SYS_openat2:	/* its flags are in a struct: not ld.so's way */
		return because(why, n, "%s called openat2 %s", who(p, 1), when(p));
	case SYS_stat: case SYS_access: case SYS_statfs: path = r->rdi; break;
	case SYS_lstat: case SYS_readlink: path = r->rdi; nofollow = 1; break;
	case SYS_readlinkat: dirfd = r->rdi; path = r->rsi; nofollow = 1; break;
	case SYS_newfstatat: dirfd = r->rdi; path = r->rsi; flags = r->r10; break;
	case SYS_statx: dirfd = r->rdi; path = r->rsi; flags = r->rdx; break;
	case SYS_faccessat: dirfd = r->rdi; path = r->rsi; break;
	case SYS_faccessat2: dirfd = r->rdi; path = r->rsi; flags = r->r10; break;
	case SYS_chdir: case SYS_fchdir: case SYS_chroot:
		return because(why, n, "%s changed its directory %s", who(p, 0), when(p));
	default:
		return 0;
	}
	if (writes)
		return because(why, n, "%s opened a file for writing %s", who(p, 0), when(p));
	char buf[PATH_MAX];
	if (probe_read_path(pid, path, buf, sizeof buf))
		return because(why, n, "cannot read a path %s looked up", who(p, 0));
	if ((flags & AT_EMPTY_PATH) && !buf[0]) {
		/* a descriptor's, not a name's: one ld.so opened */
		if (!probe_fd_ours(p, (long)dirfd))
			return because(why, n, "%s looked at descriptor %d, which it did not open, %s", who(p, 1),
				       (int)dirfd, when(p));
		return 0;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		nofollow = 1;
	if (buf[0] != '/' && ((int)dirfd != AT_FDCWD || p->ctor))
		return because(why, n, "%s looked up %s relative to %s %s", who(p, 0), buf,
			       (int)dirfd != AT_FDCWD ? "a descriptor" : "its directory", when(p));
	int vary = varies(p, buf, (long)r->orig_rax);
	struct stat there;
	/* a constructor's lookup in /proc or /sys that finds nothing (is
	 * selinuxfs mounted?): an absence the loader can check again */
	if (vary && p->ctor && lstat(buf, &there) && errno == ENOENT && strncmp(buf, "/proc/self/", 11) &&
	    strncmp(buf, "/proc/thread-self/", 18))
		vary = 2;
	if (vary == 1)
		return because(why, n, "%s looked at %s %s: its answer changes from run to run; %s", who(p, 1), buf,
			       p->ctor ? "before main" : "before handing over",
			       p->ctor ? "not captured after init" : "not captured");
	int opens = r->orig_rax == SYS_open || r->orig_rax == SYS_openat;
	struct stat st;
	char reason[PATH_MAX + 128];
	if (p->root_only && opens && stat(buf, &st) == 0 && trust_path(buf, reason, sizeof reason))
		return because(why, n, "%s: root does not run its code to capture it", reason);
	if (!add(p, buf, nofollow, why, n))
		return -1;
	p->v[p->n - 1].opens = opens;
	p->v[p->n - 1].must_fail = r->orig_rax == SYS_statfs;
	p->v[p->n - 1].absent_only = vary == 2;
	p->pending = 1;
	return 1;
}

int probe_exit(struct probes *p, int64_t ret, char *why, size_t n)
{
	if (!p->pending)
		return 0;
	p->pending = 0;
	struct probe *q = &p->v[p->n - 1];
	struct answer after;
	q->result = ret;
	look(q->path, q->nofollow, &after);
	/* what was opened is what was looked at: the descriptor itself, before
	 * ld.so reads or maps anything from it */
	if (q->opens && ret >= 0) {
		char fdp[64];
		struct stat st;
		snprintf(fdp, sizeof fdp, "/proc/%d/fd/%d", (int)p->pid, (int)ret);
		if (stat(fdp, &st) || !same_id(&st, &q->a.st))
			return because(why, n, "%s changed while %s opened it: try again", q->path, who(p, 0));
		if (ret >= 1024)
			return because(why, n, "%s opened descriptor %lld: more than the capture follows", who(p, 0),
				       (long long)ret);
		p->fds[ret / 8] |= (unsigned char)(1u << (ret % 8));
	}
	/* found but not there, or changed: the world moved under ld.so (not
	 * found but there is a refusal, EACCES: probes_deps knows it) */
	if (!same_answer(&q->a, &after) || (ret >= 0 && after.err))
		return because(why, n, "%s changed while %s looked it up: try again", q->path, who(p, 0));
	if (q->absent_only && ret != -ENOENT)
		return because(why, n, "%s looked at %s before main: its answer changes from run to run; not captured "
				       "after init", who(p, 1), q->path);
	if (q->must_fail && ret >= 0)
		return because(why, n, "%s asked statfs about %s %s; its answer is not in a file", who(p, 1), q->path,
			       p->ctor ? "before main: not captured after init" : "before handing over: not captured");
	return 0;
}

int probe_fd_ours(const struct probes *p, long fd)
{
	return fd >= 0 && fd < 1024 && (p->fds[fd / 8] >> (fd % 8) & 1);
}

void probe_fd_closed(struct probes *p, long fd)
{
	if (fd >= 0 && fd < 1024)
		p->fds[fd / 8] &= (unsigned char)~(1u << (fd % 8));
}

int probe_settle(struct probes *p, char *why, size_t n)
{
	for (size_t i = 0; i < p->n; i++) {
		struct answer now;
		if (!p->v[i].exec_name)
			continue;
		look(p->v[i].path, 0, &now);
		if (!same_answer(&p->v[i].a, &now))
			return because(why, n, "%s changed during the capture: try again", p->v[i].path);
	}
	return 0;
}

/* the process's own files, not the world's: /proc/self/exe names the
 * program, which is a dependency already */
static int self_path(const char *path)
{
	return !strncmp(path, "/proc/self/", 11) || !strncmp(path, "/proc/thread-self/", 18);
}

static int push(struct cap_dep **d, size_t *nd, const char *path, int kind, const struct stat *st)
{
	for (size_t i = 0; i < *nd; i++)
		if ((*d)[i].kind == kind && !strcmp((*d)[i].path, path))
			return 0;
	struct cap_dep *v = realloc(*d, (*nd + 1) * sizeof *v);
	if (!v)
		return -1;
	*d = v;
	v[*nd] = (struct cap_dep){ .path = strdup(path), .kind = kind };
	if (st)
		v[*nd].st = *st;
	if (!v[*nd].path)
		return -1;
	(*nd)++;
	return 0;
}

/* not found, the kind whose deepest existing prefix tells (probes.h) */
static int groupable(const struct probe *q)
{
	return (q->result == -ENOENT || q->result == -ENOTDIR) && q->a.err && !q->a.dangles && q->a.anc_st.st_ino &&
	       !q->absent_only;
}

int probes_deps(const struct probes *p, struct cap_dep **deps, size_t *ndeps, char *why, size_t n)
{
	struct cap_dep *d = NULL;
	size_t nd = 0;
	int oom = 0;
	for (size_t i = 0; i < p->n && !oom; i++) {
		const struct probe *q = &p->v[i];
		if (self_path(q->path))
			continue;
		if (q->result >= 0 && q->nofollow && S_ISLNK(q->a.st.st_mode)) {
			/* a link read as a link: it cannot change but by being
			 * replaced, in its directory */
			char parent[PATH_MAX];
			struct answer dir;
			parent_of(q->path, parent, sizeof parent);
			look(parent, 0, &dir);
			if (dir.err) {
				cap_deps_free(d, nd);
				return because(why, n, "%s: %s", parent, strerror(dir.err));
			}
			oom = push(&d, &nd, parent, IMD_DIR, &dir.st);
		} else if (q->result >= 0) {
			/* found: what the name leads to */
			oom = push(&d, &nd, q->path, S_ISDIR(q->a.st.st_mode) ? IMD_DIR : IMD_FILE, &q->a.st);
		} else if (!q->a.err) {
			/* there, but ld.so was refused it: it must stay so */
			oom = push(&d, &nd, q->path, IMD_DENIED, NULL);
		} else {
			size_t peers = 0;
			for (size_t j = 0; groupable(q) && j < p->n; j++)
				peers += groupable(&p->v[j]) && !strcmp(p->v[j].a.anc, q->a.anc);
			if (peers >= 2)
				oom = push(&d, &nd, q->a.anc, S_ISDIR(q->a.anc_st.st_mode) ? IMD_DIR : IMD_FILE,
					   &q->a.anc_st);
			else
				oom = push(&d, &nd, q->path, IMD_ABSENT, NULL);
		}
	}
	if (oom) {
		cap_deps_free(d, nd);
		return because(why, n, "out of memory");
	}
	*deps = d;
	*ndeps = nd;
	return 0;
}

const char *probes_recheck(const struct cap_dep *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int there = stat(d[i].path, &st) == 0;
		if (d[i].kind == IMD_ABSENT ? there
		    : d[i].kind == IMD_DENIED ? access(d[i].path, R_OK) == 0
		    : !there || !same_id(&st, &d[i].st))
			return d[i].path;
	}
	return NULL;
}

void cap_deps_free(struct cap_dep *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].path);
	free(d);
}

void probes_free(struct probes *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	memset(p, 0, sizeof *p);
}
