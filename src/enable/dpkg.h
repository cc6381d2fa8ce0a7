/* dpkg.h: the package database, asked and told as Debian's tools are.
 *
 * A packaged file is moved aside with a diversion, so that dpkg installs
 * later versions at the original's new name (and dpkg -V checks that file).
 * With merged /usr, dpkg may know /usr/bin/true as /bin/true: the diversion
 * must name the file as dpkg does. */
#ifndef RESIDENT_DPKG_H
#define RESIDENT_DPKG_H

#include <stddef.h>

/* the name dpkg knows path by (path itself, or its /bin, /sbin, /lib
 * alias), in out: 1 packaged, 0 not (or no dpkg here) */
int dpkg_owned(const char *path, char *out, size_t size);
/* dpkg-divert --package resident --no-rename --divert TO --add NAME (and
 * --remove): 0, or -1 with a reason */
int dpkg_divert_add(const char *name, const char *to, char *why, size_t n);
int dpkg_divert_remove(const char *name, char *why, size_t n);
/* the diversion of name, if any, in out (its diverted-to name) and by
 * whom ("resident", a package, or "" for a local one): 1, or 0 if none */
int dpkg_diverted(const char *name, char *to, size_t tosize, char *by, size_t bysize);

/* the package that owns name (as dpkg knows it), in out: 1, or 0 */
int dpkg_package(const char *name, char *out, size_t size);
/* dpkg --verify PKG: 0 clean, else its first complaint in why; -1 */
int dpkg_verify(const char *pkg, char *why, size_t n);
/* does file's content match what package pkg installed as name (its
 * md5sums entry, as debsums checks; dpkg --verify skips a diverted file)?
 * 1 yes, 0 no, -1 cannot tell */
int dpkg_md5_matches(const char *pkg, const char *name, const char *file);
/* each diversion: fn(from, to, by: a package, or "" for a local one) */
void dpkg_each_diversion(void (*fn)(const char *from, const char *to, const char *by, void *arg), void *arg);
/* is path the name a diversion moved a file to?  1 (by whom in by), 0 */
int dpkg_diversion_target(const char *path, char *by, size_t n);
/* take dpkg's frontend lock (waiting up to 30 s) for the rest of the
 * process, so that no package operation runs between our steps; nothing
 * inside dpkg (a hook, a maintainer script), where dpkg holds it: 0, or -1
 * with a reason */
int dpkg_lock(char *why, size_t n);

#endif
