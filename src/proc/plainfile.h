/* plainfile.h: open a file to read where another user may have put
 * something else: a symlink, a FIFO that never answers, a device.
 *
 * Rule for every file resident reads by name: the last component is not
 * followed (O_NOFOLLOW), nothing waits (O_NONBLOCK), and only a regular
 * file is read.  What /proc and sysfs hold always passes. */
#ifndef RESIDENT_PLAINFILE_H
#define RESIDENT_PLAINFILE_H

/* path relative to dirfd (or absolute); fd or -errno (-EINVAL: not a
 * regular file) */
int plainfile_open(int dirfd, const char *path);
/* the same for a name whose symlinks are to be followed (an image, a
 * program, as a user names it): nothing but a regular file is opened for
 * reading, not even for a moment (a device acts on its open) */
int plainfile_open_follow(const char *path);

#endif
