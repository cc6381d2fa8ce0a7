/* enable.h: a program's image at the program's own path, so that every
 * exec of it benefits, whoever starts it and by whatever name.
 *
 *   enable /usr/bin/jq                         disable (or its package gone)
 *
 *   /usr/bin/jq  ──link──▶ /usr/bin/jq.resident-orig   the original, same inode
 *   dpkg-divert /usr/bin/jq -> /usr/bin/jq.resident-orig  (a packaged file)
 *   snap jq.resident-orig, renamed over /usr/bin/jq    rename jq.resident-orig
 *                                                       back over /usr/bin/jq
 *
 * No exec ever finds the path missing or half-written: the original keeps
 * its path until the image is renamed over it, and comes back the same way.
 * The image falls back to the original under its new name, where dpkg also
 * installs each later version (then the image is stale: refresh). */
#ifndef RESIDENT_ENABLE_H
#define RESIDENT_ENABLE_H

#include <stddef.h>

#include "registry.h"

#define ENABLE_SUFFIX ".resident-orig"

/* 0 enabled, 1 it already was; -2 refused, -1 failed, with a reason
 * (nothing changed either way) */
int enable_program(struct registry *r, const char *prog, int layouts, int after_init, char *why, size_t n);
/* put the original back (or, its package removed, take the image away),
 * remove the diversion and the entry: 0, or -1 with a reason (the entry
 * stays, for a later run to finish) */
int disable_entry(struct registry *r, struct enabled *e, char *why, size_t n);

enum refreshed { REFRESH_CURRENT, REFRESH_SNAPPED, REFRESH_REMOVED, REFRESH_FAILED };
/* re-snap a stale image, remove one whose program is gone; never replaces
 * a current image, keeps the old one where the capture fails */
enum refreshed refresh_entry(struct registry *r, struct enabled *e, char *why, size_t n);

/* snap prog into out in a child process (its one-line reason in why):
 * the capture dies on refusal, the caller must not; layouts 0: as many as
 * the image at out has, else 1; system: a sidecar for the pages */
int snap_child(const char *prog, const char *out, int layouts, int system, int after_init, char *why, size_t n);

#endif
