#include "imgdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "program.h"

char *imgdir_base(int system)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME"), *sys = getenv("RESIDENT_SYSTEM_DIR");
	char *out;
	if (system)
		return strdup(sys && sys[0] == '/' ? sys : "/usr/local/lib/resident");
	if (xdg && xdg[0] == '/')
		return asprintf(&out, "%s/resident", xdg) < 0 ? NULL : out;
	if (home && home[0] == '/')
		return asprintf(&out, "%s/.local/share/resident", home) < 0 ? NULL : out;
	errno = ENOENT;
	return NULL;
}

/* every directory of path; those it makes get mode (the system tree is
 * for every user: 0755 whatever root's umask).  Below base nothing is
 * followed: the mirror holds links back to the real directories, and a
 * directory that must now hold images replaces such a link (writing
 * through it would put an image in the real directory, over a program) */
static void mkdirs(const char *base, const char *path, mode_t mode, int force_mode)
{
	char d[PATH_MAX];
	size_t bl = strlen(base);
	snprintf(d, sizeof d, "%s", path);
	for (char *p = d + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = 0;
		struct stat st;
		int below = strlen(d) > bl;
		if (below && lstat(d, &st) == 0 && S_ISLNK(st.st_mode) && unlink(d))
			die_errno(EXIT_FAIL, -errno, "%s", d);
		if (mkdir(d, mode) == 0) {
			if (force_mode)
				chmod(d, mode);
		} else if (errno != EEXIST || (below && (lstat(d, &st) || !S_ISDIR(st.st_mode)))) {
			die_errno(EXIT_FAIL, errno == EEXIST ? -ENOTDIR : -errno, "%s", d);
		}
		if (!c)
			break;
		*p = c;
	}
}

/* name -> target, replacing whatever name was, never missing: a new link
 * beside it, renamed over it */
static void relink(const char *target, const char *name)
{
	char tmp[PATH_MAX + 64];
	for (int i = 0;; i++) {
		snprintf(tmp, sizeof tmp, "%s.resident-tmp.%d.%d", name, (int)getpid(), i);
		if (symlink(target, tmp) == 0)
			break;
		if (errno != EEXIST || i == 100)
			die_errno(EXIT_FAIL, -errno, "%s", tmp);
	}
	if (rename(tmp, name)) {
		int e = -errno;
		unlink(tmp);
		die_errno(EXIT_FAIL, e, "%s", name);
	}
}

/* root/DIR, DIR the directory of the program's file; the image is named
 * as the program was called */
static void paths(const struct program *p, char *dir, size_t n, const char **name)
{
	snprintf(dir, n, "%s", p->real);
	*strrchr(dir, '/') = 0;
	*name = strrchr(p->name, '/') + 1;
}

char *imgdir_place(const struct program *p, int system)
{
	char *base = imgdir_base(system);
	if (!base)
		die(EXIT_USAGE, "no -o, and neither XDG_DATA_HOME nor HOME is set");
	mode_t dmode = system ? 0755 : 0777;
	char dir[PATH_MAX], prefix[PATH_MAX], mdir[PATH_MAX + 16], mprefix[PATH_MAX + 16], *out;
	const char *name;
	/* the real file's directory is mirrored (the program finds its data
	 * from there); the name is the one it was called by: /usr/bin/cc ->
	 * root/usr/bin/cc beside root/usr/bin/gcc-12's siblings */
	paths(p, dir, sizeof dir, &name);
	snprintf(prefix, sizeof prefix, "%s", dir);
	char *cut = strrchr(prefix, '/');
	if (cut == prefix)
		cut[1] = 0;	/* the prefix is / */
	else if (cut)
		*cut = 0;
	snprintf(mdir, sizeof mdir, "%s/root%s", base, dir);
	snprintf(mprefix, sizeof mprefix, "%s/root%s", base, strcmp(prefix, "/") ? prefix : "");
	mkdirs(base, mdir, dmode, system);
	/* the program's directory's siblings, linked back to the real ones */
	DIR *d = opendir(prefix);
	struct dirent *e;
	const char *own = strrchr(dir, '/') + 1;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, own))
			continue;
		char from[PATH_MAX * 2 + 8], to[PATH_MAX * 2 + 8];
		snprintf(from, sizeof from, "%s/%s", mprefix, e->d_name);
		snprintf(to, sizeof to, "%s/%s", strcmp(prefix, "/") ? prefix : "", e->d_name);
		if (symlink(to, from) && errno != EEXIST)
			warn("%s: %s", from, strerror(errno));
	}
	if (d)
		closedir(d);
	if (asprintf(&out, "%s/%s", mdir, name) < 0)
		die(EXIT_FAIL, "out of memory");
	free(base);
	return out;
}

void imgdir_link(const struct program *p, int system)
{
	char *base = imgdir_base(system);
	char dir[PATH_MAX], bindir[PATH_MAX + 8], link[PATH_MAX + 16], target[PATH_MAX * 2];
	const char *name;
	if (!base)
		die(EXIT_USAGE, "no -o, and neither XDG_DATA_HOME nor HOME is set");
	paths(p, dir, sizeof dir, &name);
	snprintf(bindir, sizeof bindir, "%s/bin", base);
	mkdirs(base, bindir, system ? 0755 : 0777, system);
	snprintf(link, sizeof link, "%s/%s", bindir, name);
	snprintf(target, sizeof target, "../root%s/%s", dir, name);
	relink(target, link);
	free(base);
}

void imgdir_vet(const struct program *p, int system)
{
	char *base = imgdir_base(system);
	char dir[PATH_MAX], link[PATH_MAX + 16], want[PATH_MAX * 2], have[PATH_MAX];
	const char *name;
	if (!base)
		return;	/* imgdir_place says why */
	paths(p, dir, sizeof dir, &name);
	snprintf(link, sizeof link, "%s/bin/%s", base, name);
	snprintf(want, sizeof want, "../root%s/%s", dir, name);
	ssize_t n = readlink(link, have, sizeof have - 1);
	free(base);
	if (n < 0)
		return;
	have[n] = 0;
	if (strcmp(have, want))
		die(EXIT_USAGE, "%s: %s is the image of another %s (%s): not replaced (resident rm %s first, or snap -o)",
		    p->name, link, name, have + strlen("../root"), name);
}
