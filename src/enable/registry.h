/* registry.h: the programs enabled on this system (resident enable).
 *
 * One line per program in $RESIDENT_STATE_DIR/enabled (default
 * /var/lib/resident/enabled), tab-separated:
 *
 *     /usr/bin/jq  /usr/bin/jq.resident-orig  /usr/bin/jq
 *     PATH         ORIG (the original, moved)  DPKG (the name dpkg diverted, or -)
 *
 * Written whole (a temporary, then rename) under the state directory's
 * lock, which a command holds from its first look to its last write: an
 * entry is written before the first change to the system and removed after
 * the last, so that a command killed half-way leaves an entry that
 * `disable` or `refresh` can finish. */
#ifndef RESIDENT_REGISTRY_H
#define RESIDENT_REGISTRY_H

#include <limits.h>
#include <stddef.h>

struct enabled {
	char path[PATH_MAX];	/* where the program was, and the image is */
	char orig[PATH_MAX];	/* where the original is kept */
	char dpkg[PATH_MAX];	/* the name dpkg knows it by (diverted), or "" */
};

struct registry {
	struct enabled *v;
	size_t n;
	int lockfd;
	char dir[PATH_MAX];
};

/* lock the state directory (made 0755 if missing) and read the list; 0, or
 * -1 with a one-line reason.  Read only (ls, any user): no lock, nothing
 * made; the list is written whole, so it reads whole */
int registry_open(struct registry *r, char *why, size_t n);
int registry_read(struct registry *r, char *why, size_t n);
/* write the list as it is now: 0, or -1 with a reason */
int registry_save(struct registry *r, char *why, size_t n);
void registry_close(struct registry *r);
/* the entry for path (the program's path or its original's), or NULL */
struct enabled *registry_find(struct registry *r, const char *path);
/* append; remove (e points into r->v) */
int registry_add(struct registry *r, const struct enabled *e);
void registry_remove(struct registry *r, struct enabled *e);

#endif
