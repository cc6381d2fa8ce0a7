/* registry.c: the programs enabled on this system (registry.h). */
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/err.h"

static const char *state_dir(void)
{
	const char *d = getenv("RESIDENT_STATE_DIR");
	return d && *d ? d : "/var/lib/resident";
}

static int parse(struct registry *r, FILE *f, char *why, size_t n)
{
	char line[3 * PATH_MAX + 8];
	for (unsigned no = 1; fgets(line, sizeof line, f); no++) {
		size_t len = strcspn(line, "\n");
		line[len] = 0;
		if (!line[strspn(line, " \t")])
			continue;	/* a blank line (an editor's) */
		char *a = line, *b = strchr(a, '\t'), *c = b ? strchr(b + 1, '\t') : NULL;
		struct enabled e;
		if (!c || a[0] != '/' || b[1] != '/' || strchr(c + 1, '\t') || (size_t)(b - a) >= PATH_MAX ||
		    (size_t)(c - b - 1) >= PATH_MAX || strlen(c + 1) >= PATH_MAX)
			return because(why, n, "%s/enabled: line %u: not PATH<tab>ORIGINAL<tab>DPKG-NAME", r->dir, no);
		snprintf(e.path, sizeof e.path, "%.*s", (int)(b - a), a);
		snprintf(e.orig, sizeof e.orig, "%.*s", (int)(c - b - 1), b + 1);
		snprintf(e.dpkg, sizeof e.dpkg, "%s", strcmp(c + 1, "-") ? c + 1 : "");
		if (registry_add(r, &e))
			return because(why, n, "out of memory");
	}
	return ferror(f) ? because(why, n, "%s/enabled: %s", r->dir, strerror(errno)) : 0;
}

static void init(struct registry *r)
{
	memset(r, 0, sizeof *r);
	r->lockfd = -1;
	snprintf(r->dir, sizeof r->dir, "%s", state_dir());
}

static int load(struct registry *r, char *why, size_t n)
{
	char p[PATH_MAX + 16];
	snprintf(p, sizeof p, "%s/enabled", r->dir);
	FILE *f = fopen(p, "re");
	if (!f)
		return errno == ENOENT ? 0 : because(why, n, "%s: %s", p, strerror(errno));
	int rc = parse(r, f, why, n);
	fclose(f);
	return rc;
}

int registry_open(struct registry *r, char *why, size_t n)
{
	init(r);
	if (mkdir(r->dir, 0755) && errno != EEXIST)
		return because(why, n, "%s: %s", r->dir, strerror(errno));
	char p[PATH_MAX + 16];
	snprintf(p, sizeof p, "%s/lock", r->dir);
	r->lockfd = open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r->lockfd < 0 || flock(r->lockfd, LOCK_EX))
		return because(why, n, "%s: %s", p, strerror(errno));
	return load(r, why, n);
}

int registry_read(struct registry *r, char *why, size_t n)
{
	init(r);
	return load(r, why, n);
}

int registry_save(struct registry *r, char *why, size_t n)
{
	char tmp[PATH_MAX + 32], p[PATH_MAX + 16];
	snprintf(tmp, sizeof tmp, "%s/.enabled.XXXXXX", r->dir);
	snprintf(p, sizeof p, "%s/enabled", r->dir);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return because(why, n, "%s: %s", r->dir, strerror(errno));
	FILE *f = fdopen(fd, "w");
	for (size_t i = 0; f && i < r->n; i++)
		fprintf(f, "%s\t%s\t%s\n", r->v[i].path, r->v[i].orig, r->v[i].dpkg[0] ? r->v[i].dpkg : "-");
	int bad = !f || fflush(f) || fchmod(fd, 0644) || fsync(fd);
	if (f ? fclose(f) : close(fd))
		bad = 1;
	if (bad || rename(tmp, p)) {
		int e = errno;
		unlink(tmp);
		return because(why, n, "%s: %s", p, strerror(e));
	}
	return 0;
}

void registry_close(struct registry *r)
{
	free(r->v);
	if (r->lockfd >= 0)
		close(r->lockfd);
	memset(r, 0, sizeof *r);
	r->lockfd = -1;
}

struct enabled *registry_find(struct registry *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].path, path) || !strcmp(r->v[i].orig, path))
			return &r->v[i];
	return NULL;
}

int registry_add(struct registry *r, const struct enabled *e)
{
	struct enabled *v = realloc(r->v, (r->n + 1) * sizeof *v);
	if (!v)
		return -1;
	r->v = v;
	r->v[r->n++] = *e;
	return 0;
}

void registry_remove(struct registry *r, struct enabled *e)
{
	size_t i = (size_t)(e - r->v);
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof *e);
	r->n--;
}
