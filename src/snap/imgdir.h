/* imgdir.h: where images live by default.
 *
 *   $XDG_DATA_HOME/resident/          (default ~/.local/share/resident;
 *                                      system images: /usr/local/lib/resident
 *                                      or $RESIDENT_SYSTEM_DIR)
 *     bin/NAME -> ../root/PREFIX/bin/NAME    put this directory first in PATH
 *     root/PREFIX/bin/NAME                    the image
 *     root/PREFIX/bin/.NAME.XXXXXX.resident-pages  a system image's saved pages
 *     root/PREFIX/share -> /PREFIX/share      every sibling of the program's
 *     root/PREFIX/lib   -> /PREFIX/lib        directory, linked back
 *
 * Programs that find their data through their own executable
 * (dirname(/proc/self/exe)/../share/...) see the image's path there: the
 * mirrored prefix makes those paths lead to the real files. */
#ifndef RESIDENT_IMGDIR_H
#define RESIDENT_IMGDIR_H

/* the directory (malloc'd), the user's or the system's, or NULL with errno
 * set when neither XDG_DATA_HOME nor HOME is usable */
char *imgdir_base(int system);
/* make the layout for a program and return the image path (malloc'd):
 * root/ mirrors the directory of its real file, the image is named as the
 * program was; dies on failure.  Made only once a capture succeeded. */
struct program;
char *imgdir_place(const struct program *p, int system);
/* before a capture: bin/NAME must not be another program's image (a
 * program of the same name from another directory); dies with one line */
void imgdir_vet(const struct program *p, int system);
/* bin/NAME -> the image, once it is in place: replaced, never missing */
void imgdir_link(const struct program *p, int system);

#endif
