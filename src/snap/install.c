/* install.c: an image put in place whole (install.h). */
#include "install.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "../lib/phase.h"

#define TMP_INFIX ".resident-tmp."

int target_open(const char *path, struct target *t)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || strlen(name) > NAME_MAX - 32)
		return -EINVAL;
	snprintf(t->name, sizeof t->name, "%s", name);
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	t->lockfd = -1;
	t->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->dirfd < 0)
		return -errno;
	char *abs = realpath(dir, NULL);
	if (!abs || strlen(abs) >= sizeof t->dir) {
		int e = abs ? -ENAMETOOLONG : -errno;
		free(abs);
		close(t->dirfd);
		return e;
	}
	snprintf(t->dir, sizeof t->dir, "%s", strcmp(abs, "/") ? abs : "");
	free(abs);
	/* another snap of this name names its files first; one that holds
	 * the lock for 30 s is not a snap.  The lock is a file of the snapping
	 * user's, mode 0600: no one else can open it to hold it (a flock on the
	 * directory, which anyone may open, let any user block root's snaps) */
	char lock[NAME_MAX + 64];
	snprintf(lock, sizeof lock, ".%s.resident-lock", t->name);
	/* Another user's file at that name (a group's shared directory, a
	 * sticky one), or not a plain file (a symlink, a FIFO planted there):
	 * not our lock, and not one to open; removed where we may (then we
	 * could replace the image too), refused where we may not */
	struct stat st;
	for (int tries = 0;; tries++) {
		if (tries == 3) {
			target_close(t);
			return -EPERM;
		}
		int there = fstatat(t->dirfd, lock, &st, AT_SYMLINK_NOFOLLOW) == 0;
		if (there && (!S_ISREG(st.st_mode) || st.st_uid != geteuid())) {
			if (unlinkat(t->dirfd, lock, 0) && errno != ENOENT) {
				int e = -errno;
				target_close(t);
				return e;
			}
			continue;
		}
		t->lockfd = openat(t->dirfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		if (t->lockfd < 0) {
			if ((errno == EACCES && there) || errno == ELOOP || errno == ENXIO)
				continue;	/* planted between the look and the open */
			int e = -errno;
			target_close(t);
			return e;
		}
		if (fstat(t->lockfd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
			break;
		close(t->lockfd);
		t->lockfd = -1;
	}
	for (int i = 0; flock(t->lockfd, LOCK_EX | LOCK_NB); i++) {
		if (errno != EWOULDBLOCK || i == 3000) {
			int e = -errno;
			target_close(t);
			return e;
		}
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	return 0;
}

void target_close(struct target *t)
{
	if (t->lockfd >= 0)
		close(t->lockfd);	/* and its lock */
	if (t->dirfd >= 0)
		close(t->dirfd);
	t->lockfd = t->dirfd = -1;
}

static void random_tag(char *out)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6];
	if (getrandom(r, sizeof r, GRND_NONBLOCK) != sizeof r) {
		unsigned long v = (unsigned long)clock() ^ (unsigned long)getpid() << 16 ^ (unsigned long)time(NULL);
		for (int i = 0; i < 6; i++, v /= 62)
			r[i] = (unsigned char)(v % 62);
	}
	for (int i = 0; i < 6; i++)
		out[i] = alnum[r[i] % 62];
	out[6] = 0;
}

int stage_write(const struct target *t, const struct image_out *o, mode_t mode, gid_t gid, struct staged *s)
{
	memset(s, 0, sizeof *s);
	s->dirfd = t->dirfd;
	s->fd = openat(t->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->fd < 0) {
		/* no O_TMPFILE here: a fresh name, removed on any error */
		for (int i = 0; s->fd < 0 && i < 100; i++) {
			char tag[8];
			random_tag(tag);
			snprintf(s->tmp, sizeof s->tmp, ".%s" TMP_INFIX "%s", t->name, tag);
			s->fd = openat(t->dirfd, s->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (s->fd < 0 && errno != EEXIST)
				break;
		}
		if (s->fd < 0) {
			int e = -errno;
			s->tmp[0] = 0;
			return e;
		}
	}
	int e = image_write_fd(s->fd, o);
	/* the group's access only where the group is the original's */
	if (!e && fchown(s->fd, (uid_t)-1, gid))
		mode = (mode & ~(mode_t)070) | (mode & 070 & (mode & 07) << 3);
	/* the mode whatever the umask: never wider than the original's */
	if (!e && (fchmod(s->fd, mode) || fsync(s->fd)))
		e = -errno;
	phase("fsync");
	/* open for writing no more before it has a name: an exec of a file
	 * something holds open for writing fails (ETXTBSY) */
	if (!e) {
		char fdp[64];
		snprintf(fdp, sizeof fdp, "/proc/self/fd/%d", s->fd);
		int ro = open(fdp, O_RDONLY | O_CLOEXEC);
		if (ro < 0)
			e = -errno;
		else {
			close(s->fd);
			s->fd = ro;
		}
	}
	if (e)
		stage_drop(s);
	return e;
}

/* give the staged file the name `name` in its directory: linkat for an
 * unnamed file (EEXIST if taken), renameat for a named temporary
 * (noreplace) */
static int give_name(struct staged *s, const char *name)
{
	if (s->tmp[0]) {
		if (renameat2(s->dirfd, s->tmp, s->dirfd, name, RENAME_NOREPLACE))
			return -errno;
		snprintf(s->tmp, sizeof s->tmp, "%s", name);
		return 0;
	}
	char fdp[64];
	snprintf(fdp, sizeof fdp, "/proc/self/fd/%d", s->fd);
	if (linkat(AT_FDCWD, fdp, s->dirfd, name, AT_SYMLINK_FOLLOW))
		return -errno;
	snprintf(s->tmp, sizeof s->tmp, "%s", name);
	return 0;
}

int stage_name(struct staged *s, const struct target *t, const char *suffix, char *path, size_t size)
{
	char name[NAME_MAX + 64], tag[8];
	int e = -EEXIST;
	for (int i = 0; e == -EEXIST && i < 100; i++) {
		random_tag(tag);
		snprintf(name, sizeof name, ".%s.%s%s", t->name, tag, suffix);
		e = give_name(s, name);
	}
	/* linking counts as a change (ctime): the identity is taken now */
	if (!e && fstat(s->fd, &s->st))
		e = -errno;
	if (!e && (size_t)snprintf(path, size, "%s/%s", t->dir, name) >= size)
		e = -ENAMETOOLONG;
	return e;
}

int stage_replace(struct staged *s, const struct target *t)
{
	char tag[8], name[NAME_MAX + 64];
	int e = 0;
	if (!s->tmp[0])
		for (e = -EEXIST; e == -EEXIST;) {
			random_tag(tag);
			snprintf(name, sizeof name, ".%s" TMP_INFIX "%s", t->name, tag);
			e = give_name(s, name);
		}
	if (!e && renameat(s->dirfd, s->tmp, s->dirfd, t->name))
		e = -errno;
	if (!e)
		s->tmp[0] = 0;	/* in place: nothing to remove */
	return e;
}

void stage_drop(struct staged *s)
{
	if (s->tmp[0])
		unlinkat(s->dirfd, s->tmp, 0);
	s->tmp[0] = 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void target_clean(const struct target *t, const char *suffix, const char *keep)
{
	int fd = openat(t->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	size_t nl = strlen(t->name), sl = suffix ? strlen(suffix) : 0;
	const char *k = keep ? strrchr(keep, '/') : NULL;
	k = k ? k + 1 : keep;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		size_t len = strlen(n);
		if (n[0] != '.' || strncmp(n + 1, t->name, nl) || n[1 + nl] != '.')
			continue;
		const char *rest = n + 1 + nl;
		int temp = !strncmp(rest, TMP_INFIX, strlen(TMP_INFIX)) && len == 1 + nl + strlen(TMP_INFIX) + 6;
		/* .NAME.XXXXXX.SUFFIX */
		int side = sl && len == 1 + nl + 1 + 6 + sl && !strcmp(n + len - sl, suffix) && (!k || strcmp(n, k));
		/* only what a snap of this user's left: in a shared directory,
		 * another user's files of that name are theirs */
		struct stat st;
		if ((temp || side) && fstatat(t->dirfd, n, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == geteuid())
			unlinkat(t->dirfd, n, 0);
	}
	closedir(d);
}

void target_remove_lock(const char *image)
{
	char lock[PATH_MAX + NAME_MAX + 32];
	const char *slash = strrchr(image, '/');
	struct stat st;
	if (!slash)
		snprintf(lock, sizeof lock, ".%s.resident-lock", image);
	else
		snprintf(lock, sizeof lock, "%.*s/.%s.resident-lock", (int)(slash - image), image, slash + 1);
	if (lstat(lock, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
		unlink(lock);
}
