/* groupkey.c: the keys of `resident cost --by` (groupkey.h). */
#include "groupkey.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../proc/procfs.h"

static const char *const kinds[] = { "program", "user", "cgroup", "unit", "library" };

int group_by_parse(const char *s)
{
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, kinds[i]))
			return i;
	return -1;
}

const char *group_by_head(enum group_by by)
{
	static const char *const h[] = { "PROGRAM", "USER", "CGROUP", "UNIT", "LIBRARY" };
	return h[by];
}

const char *group_by_label(enum group_by by)
{
	return kinds[by];
}

static int unit_suffix(const char *c, size_t n, int slice_too)
{
	static const char *const sfx[] = { ".service", ".scope", ".socket", ".mount", ".swap", ".slice" };
	for (int i = 0; i < 6 - !slice_too; i++) {
		size_t l = strlen(sfx[i]);
		if (n > l && !memcmp(c + n - l, sfx[i], l))
			return 1;
	}
	return 0;
}

const char *unit_of_cgroup(const char *path, char *out, size_t size)
{
	for (int slice_too = 0; slice_too < 2; slice_too++) {
		const char *best = NULL;
		size_t bestn = 0;
		for (const char *c = path; *c;) {
			while (*c == '/')
				c++;
			size_t n = strcspn(c, "/");
			if (n && unit_suffix(c, n, slice_too))
				best = c, bestn = n;
			c += n;
		}
		if (best) {
			snprintf(out, size, "%.*s", (int)bestn, best);
			return out;
		}
	}
	snprintf(out, size, "%s", path);
	return out;
}

/* the process's memory cgroup: the v1 memory controller's line where
 * there is one (that is what its memory is charged to), else v2's */
static char *cgroup_of(int root, pid_t pid)
{
	char buf[8192], *v1 = NULL, *v2 = NULL;
	char name[64];
	snprintf(name, sizeof name, "%d/cgroup", (int)pid);
	long n = procfs_read(root, name, buf, sizeof buf);
	if (n <= 0)
		return strdup("?");
	buf[n < (long)sizeof buf ? n : (long)sizeof buf - 1] = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		const char *ctl = c1 + 1;
		if (!strcmp(line, "0") && !*ctl)
			v2 = c2 + 1;
		for (const char *t = ctl; *t; t += strcspn(t, ",") + (t[strcspn(t, ",")] != 0))
			if (!strncmp(t, "memory", 6) && (t[6] == ',' || !t[6]))
				v1 = c2 + 1;
	}
	return strdup(v1 ? v1 : v2 ? v2 : "?");
}

void group_keys(int root, enum group_by by, const struct pcost *p, size_t n, char **keys)
{
	for (size_t i = 0; i < n; i++) {
		keys[i] = NULL;
		if (p[i].state != PS_OK)
			continue;
		char b[4096];
		switch (by) {
		case BY_PROGRAM:
		case BY_LIBRARY:	/* not asked for: libraries are rows of their own (libview.c) */
			keys[i] = strdup(p[i].exe);
			break;
		case BY_USER: {
			struct passwd *pw = getpwuid(p[i].uid);
			if (pw)
				keys[i] = strdup(pw->pw_name);
			else if (snprintf(b, sizeof b, "%u", (unsigned)p[i].uid) > 0)
				keys[i] = strdup(b);
			break;
		}
		case BY_CGROUP:
			keys[i] = cgroup_of(root, p[i].pid);
			break;
		case BY_UNIT: {
			char *cg = cgroup_of(root, p[i].pid);
			keys[i] = cg ? strdup(unit_of_cgroup(cg, b, sizeof b)) : NULL;
			free(cg);
			break;
		}
		}
		if (!keys[i])
			die(4, "out of memory");
	}
}
