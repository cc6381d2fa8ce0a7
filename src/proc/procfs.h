/* procfs.h: where process files come from: /proc, or a copy of it (--proc DIR,
 * used by tests with malformed fixtures).  Every path is relative to one
 * directory descriptor. */
#ifndef RESIDENT_PROCFS_H
#define RESIDENT_PROCFS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* open the root (default "/proc"); returns a dirfd or -errno */
int procfs_open(const char *path);

/* every numeric entry of the root, ascending; returns the count or -errno;
 * *pids is malloc'd */
long procfs_pids(int root, pid_t **pids);

/* open "PID/name" read-only (a regular file, not through a symlink: see
 * plainfile.h); fd or -errno (-ENOENT, -ESRCH: gone) */
int procfs_open_file(int root, pid_t pid, const char *name);

/* the executable PID runs, reached through the "PID/exe" link itself and
 * never by the path the link reads as: that path is the process owner's
 * to choose (a deleted program reads as "PATH (deleted)", and anything
 * may be put there).  stat: 0 or -errno; open: a read-only fd on a
 * regular file, its stat in *st, or -errno (-EINVAL: not a regular file) */
int procfs_exe_stat(int root, pid_t pid, struct stat *st);
int procfs_exe_open(int root, pid_t pid, struct stat *st);

/* read the small regular file `name` (relative to root, or absolute) into
 * buf, NUL-terminated; length or -errno */
int procfs_read(int root, const char *name, char *buf, size_t size);

/* the tasks (threads) on the machine: loadavg's "running/total"; or -errno
 * (-ERANGE: more than PID_MAX_LIMIT, which no kernel runs) */
long procfs_tasks(int root);

/* readlink "PID/name" into buf (NUL-terminated); length or -errno */
long procfs_readlink(int root, pid_t pid, const char *name, char *buf, size_t size);

/* the children of PID's main thread (the live /proc: a --proc copy has no
 * tasks' children), at most max of them into out; count or -errno.  A list
 * longer than one read gives its first part: never a number cut short.
 * Async-signal-safe: a signal handler may call it. */
long procfs_children(pid_t pid, pid_t *out, size_t max);

#endif
