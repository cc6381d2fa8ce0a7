#include "imgdir.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"

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

static void mkdirs(const char *path)
{
	char d[PATH_MAX];
	snprintf(d, sizeof d, "%s", path);
	for (char *p = d + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(d, 0755);
			*p = '/';
		}
	if (mkdir(d, 0755) && errno != EEXIST)
		die_errno(EXIT_FAIL, -errno, "%s", d);
}

char *imgdir_place(const char *orig, int system)
{
	char *base = imgdir_base(system);
	if (!base)
		die(EXIT_USAGE, "no -o, and neither XDG_DATA_HOME nor HOME is set");
	char dir[PATH_MAX], prefix[PATH_MAX], mdir[PATH_MAX + 16], mprefix[PATH_MAX + 16], link[PATH_MAX + 16];
	/* orig is absolute: /usr/bin/NAME -> dir /usr/bin, prefix /usr */
	snprintf(dir, sizeof dir, "%s", orig);
	*strrchr(dir, '/') = 0;
	snprintf(prefix, sizeof prefix, "%s", dir);
	char *cut = strrchr(prefix, '/');
	if (cut == prefix)
		cut[1] = 0;	/* the prefix is / */
	else if (cut)
		*cut = 0;
	const char *name = strrchr(orig, '/') + 1;
	snprintf(mdir, sizeof mdir, "%s/root%s", base, dir);
	snprintf(mprefix, sizeof mprefix, "%s/root%s", base, strcmp(prefix, "/") ? prefix : "");
	mkdirs(mdir);
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
	/* bin/NAME -> the image, for PATH */
	char bindir[PATH_MAX + 8], *out, target[PATH_MAX * 2];
	snprintf(bindir, sizeof bindir, "%s/bin", base);
	mkdirs(bindir);
	snprintf(link, sizeof link, "%s/%s", bindir, name);
	snprintf(target, sizeof target, "../root%s/%s", dir, name);
	unlink(link);
	if (symlink(target, link))
		die_errno(EXIT_FAIL, -errno, "%s", link);
	if (asprintf(&out, "%s/%s", mdir, name) < 0)
		die(EXIT_FAIL, "out of memory");
	free(base);
	return out;
}
