#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "exit.h"

/* outfiles with a named temporary: die() exits through remove_temps */
static struct outfile *named;

static void remove_temps(void)
{
	for (struct outfile *o = named; o; o = o->next)
		if (o->tmp[0])
			unlinkat(o->dir, o->tmp, 0);
}

static void track(struct outfile *o)
{
	static int registered;
	if (!registered++)
		atexit(remove_temps);
	o->next = named;
	named = o;
}

static void untrack(struct outfile *o)
{
	for (struct outfile **p = &named; *p; p = &(*p)->next)
		if (*p == o) {
			*p = o->next;
			return;
		}
}

/* "BASE.tmp.RANDOM" into buf.  Random so that a name cannot be planted
 * ahead; a planted one is refused anyway by the creation (O_EXCL, linkat) */
static int tmp_name(const struct outfile *o, char *buf, size_t size)
{
	static unsigned count;
	uint64_t r;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = ((uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u) ^ ((uint64_t)getpid() << 24) ^ ++count;
	}
	int n = snprintf(buf, size, "%s.tmp.%012llx", o->base, (unsigned long long)(r & 0xffffffffffffu));
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* a new file under a fresh name in o->dir, never an existing one: fd or -errno */
static int create_named(struct outfile *o)
{
	for (int tries = 0; tries < 100; tries++) {
		char name[sizeof o->tmp];
		int e = tmp_name(o, name, sizeof name);
		if (e < 0)
			return e;
		int fd = openat(o->dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0) {
			memcpy(o->tmp, name, sizeof name);
			track(o);
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* give the unnamed (O_TMPFILE) file a fresh name in o->dir: 0 or errno */
static int link_unnamed(struct outfile *o, int fd)
{
	char self[64];
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 100; tries++) {
		char name[sizeof o->tmp];
		int e = tmp_name(o, name, sizeof name);
		if (e < 0)
			return -e;
		if (linkat(AT_FDCWD, self, o->dir, name, AT_SYMLINK_FOLLOW) == 0) {
			memcpy(o->tmp, name, sizeof name);
			return 0;
		}
		if (errno != EEXIST)
			return errno;
	}
	return EEXIST;
}

FILE *outfile_open(struct outfile *o, const char *path)
{
	memset(o, 0, sizeof *o);
	o->dir = -1;
	o->path = path;
	if (!path) {
		o->f = stdout;
		return o->f;
	}
	const char *slash = strrchr(path, '/');
	char dir[4096];
	o->base = slash ? slash + 1 : path;
	if (!*o->base)
		die_errno(EXIT_FAIL, -EISDIR, "%s", path);
	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) < sizeof dir)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	else
		die_errno(EXIT_FAIL, -ENAMETOOLONG, "%s", path);
	o->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (o->dir < 0)
		die_errno(EXIT_FAIL, -errno, "%s", path);

	/* unnamed where the filesystem can, and /proc is there to name it */
	int fd = -EOPNOTSUPP;
	if (access("/proc/self/fd", X_OK) == 0) {
		fd = openat(o->dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
		if (fd < 0)
			fd = -errno;
	}
	if (fd == -EOPNOTSUPP || fd == -EISDIR || fd == -EINVAL)
		fd = create_named(o);
	if (fd < 0)
		die_errno(EXIT_FAIL, fd, "%s", path);
	o->f = fdopen(fd, "w");
	if (!o->f)
		die_errno(EXIT_FAIL, -errno, "%s", path);
	return o->f;
}

void outfile_commit(struct outfile *o)
{
	if (!o->path) {
		if (fflush(stdout) != 0)
			die_errno(EXIT_FAIL, -errno, "standard output");
		return;
	}
	int e = 0, bad = ferror(o->f);
	errno = 0;
	if (fflush(o->f) != 0 || bad)
		e = errno ? errno : EIO;
	if (!e && !o->tmp[0])
		e = link_unnamed(o, fileno(o->f));
	errno = 0;
	if (fclose(o->f) != 0 && !e)
		e = errno ? errno : EIO;
	if (!e && renameat(o->dir, o->tmp, o->dir, o->base) != 0)
		e = errno;
	if (e && o->tmp[0])
		unlinkat(o->dir, o->tmp, 0);
	o->tmp[0] = 0;
	untrack(o);
	close(o->dir);
	if (e)
		die_errno(EXIT_FAIL, -e, "%s", o->path);
}
