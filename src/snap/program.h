/* program.h: the program a snap or check is about.
 *
 * Two paths for one program: the name, as execvp would find it, made
 * absolute but with its symlinks kept (/usr/bin/cc), which the image runs
 * whenever it cannot restore, so that a switched alternative or a
 * replaced file is followed as a normal exec would follow it; and the
 * file it leads to now (/usr/bin/gcc-12), which is what is captured.  An
 * image given where a program is expected stands for its original. */
#ifndef RESIDENT_PROGRAM_H
#define RESIDENT_PROGRAM_H

#include <stddef.h>
#include <sys/stat.h>

/* one entry the name passes through on its way to the file, its
 * directories resolved: /usr/bin/cc, /etc/alternatives/cc, /usr/bin/gcc-12 */
struct name_hop {
	char *path;
	char *target;		/* a symlink: what it reads; else NULL (the file itself, the last) */
};

struct program {
	char *name;		/* absolute, symlinks kept */
	char *real;		/* where name leads: the last hop */
	struct stat st;		/* of real */
	char *image;		/* PROGRAM named an image (absolute): the above are its original's */
	struct name_hop *hops;
	size_t nhops;
};

/* find PROGRAM (dies with one line: exit 2 if it is not there) */
void program_locate(const char *prog, struct program *p);
/* does name still lead to p's file the same way (the same hops)? */
int program_same_way(const struct program *p);
void program_free(struct program *p);
/* refuse, with the reason and exit 2, what an image cannot or need not
 * serve: not a regular file, set-ID, file capabilities, a script, not
 * x86_64 ELF, statically linked */
void program_vet(const struct program *p);
/* its PT_INTERP (absolute), in buf; 0, or -1 if it has none */
int program_interp(const char *path, char *buf, size_t size);
/* the mode of an image of it: no access wider than the original's (write
 * for the owner only; read and execute as the original gives them) */
mode_t program_image_mode(const struct program *p);

#endif
