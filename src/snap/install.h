/* install.h: an image, and a system image's sidecar, put in place whole.
 *
 *   write     unnamed (O_TMPFILE) in the target's directory: killed here,
 *             snap leaves nothing (mkstemp where the file system has no
 *             O_TMPFILE; then the name is removed on every error path)
 *   lock      flock on .NAME.resident-lock beside it, a file of the
 *             snapping user's that no one else may open: concurrent snaps
 *             of one name name their files one after the other
 *   name      the sidecar under a name of its own (.NAME.XXXXXX.resident-pages),
 *             which the image then records; the image as .NAME.resident-tmp.XXXXXX,
 *             renamed over NAME: a name always leads to a whole image
 *   clean     what an earlier snap of NAME by this user left: sidecars no
 *             image names, temporaries of a snap killed inside the lock
 *
 * Every name is made by linkat or renameat relative to the directory's
 * descriptor, never followed: a planted symlink or FIFO is replaced or
 * refused, not written through. */
#ifndef RESIDENT_INSTALL_H
#define RESIDENT_INSTALL_H

#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "image_write.h"

struct staged {
	int fd;
	char tmp[NAME_MAX + 64];	/* a named temporary (no O_TMPFILE here), or "" */
	int dirfd;
	struct stat st;		/* after naming: the identity an image records */
};

struct target {
	int dirfd;		/* the directory, open */
	int lockfd;		/* .NAME.resident-lock in it, locked */
	char dir[PATH_MAX];	/* its absolute path */
	char name[NAME_MAX + 1];
};

/* open the directory of path and lock its name; 0, or -errno
 * (-EWOULDBLOCK: still locked by another process after 30 s) */
int target_open(const char *path, struct target *t);
void target_close(struct target *t);

/* write o into an unnamed file in t's directory with this mode (and
 * group, where it can be given; else the group gets no more than
 * others); fsync'd; 0 or -errno, nothing left behind on error */
int stage_write(const struct target *t, const struct image_out *o, mode_t mode, gid_t gid, struct staged *s);
/* name the staged file .NAME.XXXXXX.SUFFIX (a fresh name; its absolute
 * path in path), identity in s->st; 0 or -errno */
int stage_name(struct staged *s, const struct target *t, const char *suffix, char *path, size_t size);
/* rename the staged file over t's name; 0 or -errno */
int stage_replace(struct staged *s, const struct target *t);
void stage_drop(struct staged *s);
/* remove .NAME.*.SUFFIX files but keep, and .NAME.resident-tmp.* */
void target_clean(const struct target *t, const char *suffix, const char *keep);
/* the lock snap leaves beside an image (image's directory, .NAME.resident-lock),
 * removed if it is a plain file of ours: when the image goes, or where
 * nothing of ours but the image should stay (an enabled program's directory) */
void target_remove_lock(const char *image);

#endif
