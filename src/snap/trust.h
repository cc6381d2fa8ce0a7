/* trust.h: what root will run to capture a program.
 *
 * Capturing runs the program's dynamic linker and every IFUNC resolver of
 * the program and its libraries with the privileges of whoever snaps.
 * Run as root, snap runs only code no other user controls: the file is
 * root's and no one else may write it, and so is every directory on its
 * way (or the directory is sticky and the entry root's, as in /tmp), and
 * every symlink on the way lies in such a directory.  Otherwise another
 * user could swap what root opens between a check and the open. */
#ifndef RESIDENT_TRUST_H
#define RESIDENT_TRUST_H

#include <stddef.h>

/* 0 if root may run path's code; -1 with a reason naming the culprit */
int trust_path(const char *path, char *why, size_t n);

#endif
