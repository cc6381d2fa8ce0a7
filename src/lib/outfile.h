/* outfile.h: output that appears whole or not at all: stdout, or FILE
 * written beside FILE and renamed over it once complete.
 *
 * The directory may be another user's (a sticky /tmp): nothing is opened
 * by a name that user could have planted.  The file is created unnamed
 * (O_TMPFILE) and given a fresh random name only to be renamed, so that a
 * run killed half-way leaves nothing behind; where the filesystem has no
 * O_TMPFILE, it is created under a fresh random name with O_EXCL and
 * removed on any error exit.  Its mode is what a plain creation gives:
 * 0666 less the umask. */
#ifndef RESIDENT_OUTFILE_H
#define RESIDENT_OUTFILE_H

#include <stdio.h>

struct outfile {
	FILE *f;
	const char *path;	/* NULL: stdout */
	int dir;		/* FILE's directory */
	const char *base;	/* FILE's last component */
	char tmp[256];		/* the temporary's name in dir, once it has one */
	struct outfile *next;	/* open outfiles, removed at exit */
};

/* stdout when path is NULL; dies with a one-line error if it cannot open */
FILE *outfile_open(struct outfile *o, const char *path);
/* flush, fsync-free rename into place; dies on a write error, removing the temp */
void outfile_commit(struct outfile *o);

#endif
