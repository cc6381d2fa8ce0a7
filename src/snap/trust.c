/* trust.c: what root will run to capture a program (trust.h). */
#include "trust.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/err.h"

/* a directory no one but root can change the entries of: root's, and
 * writable by no one else, or sticky (then only an entry's owner or root
 * can replace it: the entry itself is checked) */
static int dir_ok(const struct stat *st)
{
	return st->st_uid == 0 && (!(st->st_mode & 022) || (st->st_mode & S_ISVTX));
}

int trust_path(const char *path, char *why, size_t n)
{
	char cur[2 * PATH_MAX + 2] = "", rest[2 * PATH_MAX + 2], next[2 * PATH_MAX + 2], entry[2 * PATH_MAX + 2];
	struct stat st, dir;
	int links = 0;
	if (path[0] != '/' && !getcwd(cur, PATH_MAX))
		return because(why, n, "%s: cannot tell where it is", path);
	if (lstat(cur[0] ? cur : "/", &dir) || !dir_ok(&dir))
		return because(why, n, "%s: %s is not root's alone", path, cur[0] ? cur : "/");
	snprintf(rest, sizeof rest, "%s", path);
	for (char *r = rest;;) {
		while (*r == '/')
			r++;
		if (!*r)
			return 0;
		size_t len = strcspn(r, "/");
		char comp[NAME_MAX + 1];
		if (len > NAME_MAX)
			return because(why, n, "%s: a name too long", path);
		memcpy(comp, r, len);
		comp[len] = 0;
		r += len;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *cut = strrchr(cur, '/');
			if (cut)
				*cut = 0;
			if (lstat(cur[0] ? cur : "/", &dir))
				return because(why, n, "%s: %s", path, strerror(errno));
			continue;
		}
		snprintf(entry, sizeof entry, "%s/%s", cur, comp);
		if (lstat(entry, &st))
			return because(why, n, "%s: %s: %s", path, entry, strerror(errno));
		/* in a sticky directory, only root's entries are safe */
		if ((dir.st_mode & S_ISVTX) && (dir.st_mode & 022) && st.st_uid)
			return because(why, n, "%s: %s is another user's, in a directory anyone may write", path, entry);
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t t = readlink(entry, target, sizeof target - 1);
			if (t <= 0 || ++links > 40)
				return because(why, n, "%s: %s: %s", path, entry, t <= 0 ? strerror(errno) : "too many links");
			target[t] = 0;
			snprintf(next, sizeof next, "%s/%s", target, r);
			snprintf(rest, sizeof rest, "%s", next);
			r = rest;
			if (target[0] == '/') {
				cur[0] = 0;
				lstat("/", &dir);
			}
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!dir_ok(&st))
				return because(why, n, "%s: the directory %s is %s", path, entry,
					       st.st_uid ? "another user's" : "writable by others");
			snprintf(cur, sizeof cur, "%s", entry);
			dir = st;
			continue;
		}
		if (st.st_uid || st.st_mode & 022)
			return because(why, n, "%s is %s", entry, st.st_uid ? "another user's" : "writable by others");
		return 0;
	}
}
