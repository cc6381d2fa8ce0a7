/* probes.h: what a normal exec looks at before the program runs, found or
 * not, recorded during the capture: the names the kernel's exec resolves
 * (the program as named, its PT_INTERP) and every path ld.so opens,
 * stats, accesses or reads as a link on its way to the hand-over.  An
 * image depends on each answer staying the same (DESIGN.md, "What an
 * image depends on"); probes_deps turns the answers into the cheapest
 * checks that are still exact:
 *
 *   looked up and found      the identity of what the name leads to now
 *                            (dev, ino, size, mtime, ctime), by that name:
 *                            a switched symlink leads elsewhere
 *   not found (ENOENT)       the deepest directory of its path that exists,
 *                            when several such paths share it (an entry
 *                            appearing changes its mtime): one stat for the
 *                            ten glibc-hwcaps and tls probes of an RPATH
 *                            directory; the path itself when alone, or
 *                            when a dangling symlink is on its way
 *   refused (EACCES...)      the path itself: it must stay unfindable
 *
 * Each answer is taken twice, before and after the syscall that looked:
 * if they differ, the file system changed under the capture and snap
 * refuses rather than record a world that ld.so did not see.  A lookup in
 * /proc or /sys, or of a device, is refused: its answer changes from run
 * to run (readlink of /proc/self/exe aside: it names the program, whose
 * way from its name is checked). */
#ifndef RESIDENT_PROBES_H
#define RESIDENT_PROBES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/user.h>

/* one dependency: kind is an IMD_* of image/format.h (never IMD_MAPPED:
 * the image writer promotes the files the program maps) */
struct cap_dep {
	char *path;
	int kind;
	struct stat st;		/* IMD_FILE, IMD_DIR: the identity */
	uint64_t sum, size;	/* IMD_CONTENT: img_sum of its size bytes */
};

struct probe;
struct probes {
	struct probe *v;	/* in the order looked up */
	size_t n;
	int pending;		/* v[n - 1] waits for its syscall's result */
	int root_only;		/* snap runs as root: every file ld.so opens must be
				 * root's alone, its way too (trust.h), or root would
				 * run another user's code (IFUNC resolvers run at
				 * capture) */
	pid_t pid;		/* the capture's child */
	int via_ldso;		/* run as `ld.so PROGRAM`: /proc/self/exe names ld.so */
	int ctor;		/* the constructors' lookups (ctorsys.h), not ld.so's: a
				 * relative path depends on the directory, /proc/self on
				 * the run (its exe is the image's) */
	unsigned char fds[128];	/* the descriptors ld.so opened (a bit each, below 1024) */
};

/* the syscalls that look up a path, for the capture's seccomp filter */
extern const int probe_syscalls[];
extern const size_t probe_nsyscalls;

/* a NUL-terminated string of the tracee's at addr, read a page at a time
 * (the path argument of a syscall); 0, or -1 (unreadable, or no NUL in
 * size bytes) */
int probe_read_path(pid_t pid, uint64_t addr, char *buf, size_t size);
/* a name looked up by the exec itself, before any syscall of the program;
 * probe_settle checks it again at the end */
int probe_exec_name(struct probes *p, const char *path, char *why, size_t n);
/* at a watched syscall's entry: 1 if it looks up a path (the caller then
 * wants its exit), 0 if not, -1 with a reason if ld.so did something an
 * image cannot depend on exactly (a path relative to a descriptor, a
 * file opened for writing, a change of directory) */
int probe_enter(struct probes *p, pid_t pid, const struct user_regs_struct *r, char *why, size_t n);
/* at that syscall's exit, with its result (rax) */
int probe_exit(struct probes *p, int64_t ret, char *why, size_t n);
/* is fd one ld.so opened (and not closed since)? */
int probe_fd_ours(const struct probes *p, long fd);
/* ld.so closed fd */
void probe_fd_closed(struct probes *p, long fd);
/* after the hand-over: every exec name looked up again, unchanged */
int probe_settle(struct probes *p, char *why, size_t n);
/* the dependencies, malloc'd; 0, or -1 with a reason */
int probes_deps(const struct probes *p, struct cap_dep **deps, size_t *ndeps, char *why, size_t n);
/* each dependency looked at again: the path of the first whose answer
 * changed, or NULL */
const char *probes_recheck(const struct cap_dep *d, size_t n);
void probes_free(struct probes *p);
void cap_deps_free(struct cap_dep *d, size_t n);

#endif
