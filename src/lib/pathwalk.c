/* pathwalk.c: a path resolved as the kernel resolves it (pathwalk.h). */
#include "pathwalk.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int path_walk(const char *path, int (*visit)(const struct path_step *, void *), void *arg)
{
	char cur[PATH_MAX + 1] = "", rest[2 * PATH_MAX + 2], next[2 * PATH_MAX + 2], entry[PATH_MAX + NAME_MAX + 2];
	char target[PATH_MAX];
	struct stat dir;
	int links = 0;
	if (path[0] == '/')
		snprintf(rest, sizeof rest, "%s", path);
	else if (!getcwd(cur, sizeof cur) ||
		 (size_t)snprintf(rest, sizeof rest, "%s/%s", cur, path) >= sizeof rest)
		return errno ? -errno : -ENAMETOOLONG;
	cur[0] = 0;
	if (lstat("/", &dir))
		return -errno;
	for (char *r = rest;;) {
		while (*r == '/')
			r++;
		if (!*r)
			return 0;
		size_t len = strcspn(r, "/");
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		const char *comp = r;
		r += len;
		int last = !r[strspn(r, "/")];
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			char *cut = strrchr(cur, '/');
			if (cut)
				*cut = 0;
			if (lstat(cur[0] ? cur : "/", &dir))
				return -errno;
			continue;
		}
		if ((size_t)snprintf(entry, sizeof entry, "%s/%.*s", cur, (int)len, comp) >= PATH_MAX)
			return -ENAMETOOLONG;
		struct path_step s = { .entry = entry, .dir = &dir, .last = last };
		if (lstat(entry, &s.st))
			s.err = errno;
		ssize_t t = 0;
		if (!s.err && S_ISLNK(s.st.st_mode)) {
			if (++links > 40)
				return -ELOOP;
			if ((t = readlink(entry, target, sizeof target - 1)) < 0)
				s.err = errno;
			else
				target[t] = 0, s.target = target;
		}
		int v = visit(&s, arg);
		if (v)
			return v;
		if (s.err)
			return -s.err;
		if (s.target) {
			/* the link's contents, then what was left of the path */
			if ((size_t)snprintf(next, sizeof next, "%s/%s", target, r) >= sizeof next)
				return -ENAMETOOLONG;
			snprintf(rest, sizeof rest, "%s", next);
			r = rest;
			if (target[0] == '/') {
				cur[0] = 0;
				if (lstat("/", &dir))
					return -errno;
			}
			continue;
		}
		if (last)
			return 0;
		if (!S_ISDIR(s.st.st_mode))
			return -ENOTDIR;
		memcpy(cur, entry, strlen(entry) + 1);	/* shorter than PATH_MAX */
		dir = s.st;
	}
}
