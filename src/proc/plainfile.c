#include "plainfile.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int plainfile_open(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	int e = fstat(fd, &st) != 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}

int plainfile_open_follow(const char *path)
{
	/* O_PATH opens nothing (no FIFO waits, no device acts); the type is
	 * checked on what it names, which then cannot change under us */
	int p = open(path, O_PATH | O_CLOEXEC);
	if (p < 0)
		return -errno;
	struct stat st;
	int e = fstat(p, &st) ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
	if (e) {
		close(p);
		return -e;
	}
	char fdp[64];
	snprintf(fdp, sizeof fdp, "/proc/self/fd/%d", p);
	int fd = open(fdp, O_RDONLY | O_CLOEXEC);
	e = errno;
	close(p);
	return fd < 0 ? -e : fd;
}
