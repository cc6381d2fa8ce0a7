#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "err.h"
#include "exit.h"

FILE *outfile_open(struct outfile *o, const char *path)
{
	o->path = path;
	if (!path) {
		o->f = stdout;
		return o->f;
	}
	if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%d", path, (int)getpid()) >= sizeof o->tmp)
		die(EXIT_USAGE, "%s: name too long", path);
	int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die_errno(EXIT_FAIL, -errno, "%s", o->tmp);
	o->f = fdopen(fd, "w");
	if (!o->f)
		die_errno(EXIT_FAIL, -errno, "%s", o->tmp);
	return o->f;
}

void outfile_commit(struct outfile *o)
{
	if (!o->path) {
		if (fflush(stdout) != 0)
			die_errno(EXIT_FAIL, -errno, "standard output");
		return;
	}
	int bad = ferror(o->f);
	if (fclose(o->f) != 0 || bad) {
		int e = errno ? errno : EIO;
		unlink(o->tmp);
		die_errno(EXIT_FAIL, -e, "%s", o->path);
	}
	if (rename(o->tmp, o->path) != 0) {
		int e = errno;
		unlink(o->tmp);
		die_errno(EXIT_FAIL, -e, "%s", o->path);
	}
}
