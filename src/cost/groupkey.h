/* groupkey.h: what a row of `resident cost --by KIND` stands for: a
 * program (its executable, the default), a user, a memory cgroup, or a
 * systemd unit (a service, a scope: a container's is one too). */
#ifndef RESIDENT_GROUPKEY_H
#define RESIDENT_GROUPKEY_H

#include <stddef.h>

#include "pcost.h"

enum group_by { BY_PROGRAM, BY_USER, BY_CGROUP, BY_UNIT, BY_LIBRARY };

/* "program", "user", ...: the kind, or -1 */
int group_by_parse(const char *s);
/* the table's first column, the Prometheus label */
const char *group_by_head(enum group_by by);
const char *group_by_label(enum group_by by);
/* each read process's key, malloc'd into keys[i] (NULL for the others);
 * program: its exe; the others read from root (a /proc) */
void group_keys(int root, enum group_by by, const struct pcost *p, size_t n, char **keys);
/* the unit a cgroup path is in: its deepest component that is a unit
 * (.service, .scope, .socket, .mount, .swap; a .slice only when there is
 * no other), else the path itself (a container's cgroup outside systemd) */
const char *unit_of_cgroup(const char *path, char *out, size_t size);

#endif
