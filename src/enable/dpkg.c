/* dpkg.c: the package database, asked and told (dpkg.h). */
#include "dpkg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/err.h"

/* run argv (no shell), its stdout into out (NUL-terminated, may be cut),
 * stderr into err; its exit status, or -1 */
static int run(char *const argv[], char *out, size_t outsize, char *err, size_t errsize)
{
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	size_t no = 0, ne = 0;
	char sink[512];
	for (int open_o = 1, open_e = 1; open_o || open_e;) {
		/* small outputs: read one pipe to its end, then the other */
		int fd = open_o ? po[0] : pe[0];
		char *buf = open_o ? out : err;
		size_t *k = open_o ? &no : &ne, size = open_o ? outsize : errsize;
		ssize_t r = *k + 1 < size ? read(fd, buf + *k, size - 1 - *k) : read(fd, sink, sizeof sink);
		if (r > 0 && *k + 1 < size)
			*k += (size_t)r;
		if (r <= 0 && !(r < 0 && errno == EINTR)) {
			if (open_o)
				open_o = 0;
			else
				open_e = 0;
		}
	}
	close(po[0]);
	close(pe[0]);
	if (outsize)
		out[no] = 0;
	if (errsize)
		err[ne] = 0;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* "pkg: /usr/bin/jq" (or "pkg1, pkg2: /x") for exactly this name? */
static int owns(const char *name)
{
	char out[4096], err[512];
	char *argv[] = { "dpkg-query", "-S", (char *)name, NULL };
	if (run(argv, out, sizeof out, err, sizeof err) != 0)
		return 0;
	size_t len = strlen(name);
	for (char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		char *colon = strstr(l, ": ");
		/* "diversion by ..." lines are not owners */
		if (!strncmp(l, "diversion by ", 13) || !colon)
			continue;
		if (!strncmp(colon + 2, name, len) && (colon[2 + len] == '\n' || !colon[2 + len]))
			return 1;
	}
	return 0;
}

int dpkg_owned(const char *path, char *out, size_t size)
{
	static const char *const merged[] = { "/bin/", "/sbin/", "/lib/", "/lib64/" };
	if (owns(path)) {
		snprintf(out, size, "%s", path);
		return 1;
	}
	/* merged /usr: /usr/bin/true is /bin/true to dpkg */
	for (size_t i = 0; i < sizeof merged / sizeof merged[0]; i++) {
		char alias[PATH_MAX];
		if (!strncmp(path, "/usr", 4) && !strncmp(path + 4, merged[i], strlen(merged[i]))) {
			snprintf(alias, sizeof alias, "%s", path + 4);
			if (owns(alias)) {
				snprintf(out, size, "%s", alias);
				return 1;
			}
		}
	}
	return 0;
}

static int divert(char *const argv[], char *why, size_t n)
{
	char out[1024], err[1024];
	int st = run(argv, out, sizeof out, err, sizeof err);
	if (st == 0)
		return 0;
	err[strcspn(err, "\n")] = 0;
	return because(why, n, "dpkg-divert: %s", st < 0 ? strerror(errno) : err[0] ? err : "failed");
}

int dpkg_divert_add(const char *name, const char *to, char *why, size_t n)
{
	char *argv[] = { "dpkg-divert", "--quiet", "--package", "resident", "--no-rename", "--divert",
			 (char *)to, "--add", (char *)name, NULL };
	return divert(argv, why, n);
}

int dpkg_divert_remove(const char *name, char *why, size_t n)
{
	char *argv[] = { "dpkg-divert", "--quiet", "--package", "resident", "--no-rename", "--remove",
			 (char *)name, NULL };
	return divert(argv, why, n);
}

int dpkg_diverted(const char *name, char *to, size_t tosize, char *by, size_t bysize)
{
	char out[4096], err[256];
	char *tv[] = { "dpkg-divert", "--truename", (char *)name, NULL };
	char *lv[] = { "dpkg-divert", "--listpackage", (char *)name, NULL };
	if (run(tv, out, sizeof out, err, sizeof err) != 0)
		return 0;
	out[strcspn(out, "\n")] = 0;
	if (!strcmp(out, name))
		return 0;
	snprintf(to, tosize, "%s", out);
	if (run(lv, out, sizeof out, err, sizeof err) != 0)
		out[0] = 0;
	out[strcspn(out, "\n")] = 0;
	snprintf(by, bysize, "%s", strcmp(out, "LOCAL") ? out : "");
	return 1;
}

int dpkg_package(const char *name, char *out, size_t size)
{
	char buf[4096], err[256];
	char *argv[] = { "dpkg-query", "-S", (char *)name, NULL };
	if (run(argv, buf, sizeof buf, err, sizeof err) != 0)
		return 0;
	for (char *l = buf; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		char *colon = strstr(l, ": ");
		if (strncmp(l, "diversion by ", 13) && colon) {
			size_t k = strcspn(l, ",:");	/* the first of "a, b: path" */
			snprintf(out, size, "%.*s", (int)k, l);
			return 1;
		}
	}
	return 0;
}

int dpkg_verify(const char *pkg, char *why, size_t n)
{
	char out[4096], err[512];
	char *argv[] = { "dpkg", "--verify", (char *)pkg, NULL };
	int st = run(argv, out, sizeof out, err, sizeof err);
	out[strcspn(out, "\n")] = 0;
	if (st == 0 && !out[0])
		return 0;
	err[strcspn(err, "\n")] = 0;
	return because(why, n, "%s", out[0] ? out : err[0] ? err : "dpkg --verify failed");
}

void dpkg_each_diversion(void (*fn)(const char *from, const char *to, const char *by, void *arg), void *arg)
{
	static char out[1 << 20];
	char err[256];
	char *argv[] = { "dpkg-divert", "--list", NULL };
	if (run(argv, out, sizeof out, err, sizeof err) != 0)
		return;
	/* "diversion of FROM to TO by PKG", "local diversion of FROM to TO" */
	for (char *l = out; *l;) {
		char *end = strchr(l, '\n');
		if (end)
			*end = 0;
		int local = !strncmp(l, "local diversion of ", 19);
		char *from = local ? l + 19 : !strncmp(l, "diversion of ", 13) ? l + 13 : NULL;
		char *to = from ? strstr(from, " to ") : NULL;
		char *by = to && !local ? strstr(to + 4, " by ") : NULL;
		if (to && (local || by)) {
			*to = 0;
			if (by)
				*by = 0;
			fn(from, to + 4, by ? by + 4 : "", arg);
		}
		if (!end)
			break;
		l = end + 1;
	}
}

struct target_of {
	const char *path;
	char *by;
	size_t n;
	int found;
};

static void is_target(const char *from, const char *to, const char *by, void *arg)
{
	struct target_of *t = arg;
	(void)from;
	if (!strcmp(to, t->path)) {
		snprintf(t->by, t->n, "%s", by[0] ? by : "a local diversion");
		t->found = 1;
	}
}

int dpkg_diversion_target(const char *path, char *by, size_t n)
{
	struct target_of t = { path, by, n, 0 };
	dpkg_each_diversion(is_target, &t);
	return t.found;
}

int dpkg_lock(char *why, size_t n)
{
	/* inside dpkg already (a hook, a maintainer script, apt's dpkg run):
	 * its lock is held for us */
	if (getenv("DPKG_FRONTEND_LOCKED") || getenv("DPKG_MAINTSCRIPT_NAME") || getenv("DPKG_HOOK_ACTION"))
		return 0;
	int fd = open("/var/lib/dpkg/lock-frontend", O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return errno == ENOENT ? 0 : because(why, n, "/var/lib/dpkg/lock-frontend: %s", strerror(errno));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	for (int i = 0; fcntl(fd, F_SETLK, &fl); i++) {
		if ((errno != EAGAIN && errno != EACCES) || i == 300) {
			int e = errno;
			close(fd);
			return because(why, n, "dpkg is running (/var/lib/dpkg/lock-frontend: %s): try again when it is done",
				       strerror(e));
		}
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	return 0;	/* held until exit */
}

int dpkg_md5_matches(const char *pkg, const char *name, const char *file)
{
	static char sums[1 << 20];
	char want[33] = "", out[256], err[256];
	/* the package's md5sums, through dpkg-query (not its database's files) */
	char *qv[] = { "dpkg-query", "--control-show", (char *)pkg, "md5sums", NULL };
	if (run(qv, sums, sizeof sums, err, sizeof err) != 0)
		return -1;
	/* "HASH  usr/bin/jq" */
	for (char *l = sums; *l;) {
		char *end = strchr(l, '\n');
		if (end)
			*end = 0;
		if (strlen(l) > 34 && !strcmp(l + 34, name + 1)) {
			snprintf(want, sizeof want, "%.32s", l);
			break;
		}
		if (!end)
			break;
		l = end + 1;
	}
	char *argv[] = { "md5sum", (char *)file, NULL };
	if (!want[0] || run(argv, out, sizeof out, err, sizeof err) != 0)
		return -1;
	return !strncmp(out, want, 32);
}
