/* trust.c: what root will run to capture a program (trust.h). */
#include "trust.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/err.h"
#include "../lib/pathwalk.h"

/* a directory no one but root can change the entries of: root's, and
 * writable by no one else, or sticky (then only an entry's owner or root
 * can replace it: the entry itself is checked) */
static int dir_ok(const struct stat *st)
{
	return st->st_uid == 0 && (!(st->st_mode & 022) || (st->st_mode & S_ISVTX));
}

struct verdict {
	const char *path;
	char *why;
	size_t n;
	int said;
};

static int judge(const struct path_step *s, void *arg)
{
	struct verdict *v = arg;
	v->said = 1;
	if (s->err)
		return because(v->why, v->n, "%s: %s: %s", v->path, s->entry, strerror(s->err));
	/* in a sticky directory, only root's entries are safe */
	if ((s->dir->st_mode & S_ISVTX) && (s->dir->st_mode & 022) && s->st.st_uid)
		return because(v->why, v->n, "%s: %s is another user's, in a directory anyone may write", v->path,
			       s->entry);
	if (S_ISDIR(s->st.st_mode) && !dir_ok(&s->st))
		return because(v->why, v->n, "%s: the directory %s is %s", v->path, s->entry,
			       s->st.st_uid ? "another user's" : "writable by others");
	if (!S_ISLNK(s->st.st_mode) && !S_ISDIR(s->st.st_mode) && (s->st.st_uid || s->st.st_mode & 022))
		return because(v->why, v->n, "%s is %s", s->entry, s->st.st_uid ? "another user's" : "writable by others");
	v->said = 0;
	return 0;
}

int trust_path(const char *path, char *why, size_t n)
{
	struct verdict v = { path, why, n, 0 };
	struct stat root;
	if (lstat("/", &root) || !dir_ok(&root))
		return because(why, n, "%s: / is not root's alone", path);
	int r = path_walk(path, judge, &v);
	return v.said ? -1 : r ? because(why, n, "%s: %s", path, strerror(-r)) : 0;
}
