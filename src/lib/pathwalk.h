/* pathwalk.h: a path resolved as the kernel resolves it, entry by entry.
 *
 * Three questions about a name need every entry the kernel passes on its
 * way, not just where it ends: which symlinks a program's name goes
 * through (each could be switched), whether root could be steered on the
 * way (a directory or link of another user's), whether an output name
 * lands on something a program looks up.  path_walk answers them all by
 * calling a visitor once for each entry, in the kernel's order:
 *
 *     /usr/bin/cc       a link, target "/etc/alternatives/cc"
 *     /etc              a directory
 *     /etc/alternatives a directory
 *     /etc/alternatives/cc   a link, target "/usr/bin/gcc-12"
 *     /usr  /usr/bin  /usr/bin/gcc-12 (last)
 *
 * A relative path is walked from "/" through the working directory's own
 * name (getcwd gives it without links).  "." is skipped and ".." goes back
 * one entry, as the kernel does once its symlinks are resolved. */
#ifndef RESIDENT_PATHWALK_H
#define RESIDENT_PATHWALK_H

#include <sys/stat.h>

struct path_step {
	const char *entry;	/* absolute, its directories resolved */
	int err;		/* lstat's errno, or 0 */
	struct stat st;		/* lstat of entry (err 0) */
	const struct stat *dir;	/* lstat of the directory holding it */
	const char *target;	/* a symlink's contents, else NULL */
	int last;		/* nothing left to resolve after it (but a link's target) */
};

/* Call visit for each entry: it returns 0 to go on, anything else to stop
 * the walk with that value.  An entry that cannot be looked up (err) is
 * visited and ends the walk with -err.  Returns 0 at the end of the path,
 * -ENOTDIR, -ELOOP or -ENAMETOOLONG as the kernel would, or visit's. */
int path_walk(const char *path, int (*visit)(const struct path_step *, void *), void *arg);

#endif
