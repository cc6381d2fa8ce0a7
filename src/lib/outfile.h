/* outfile.h: output that appears whole or not at all: stdout, or FILE written
 * as FILE.tmp.PID and renamed over FILE once complete. */
#ifndef RESIDENT_OUTFILE_H
#define RESIDENT_OUTFILE_H

#include <stdio.h>

struct outfile {
	FILE *f;
	const char *path;	/* NULL: stdout */
	char tmp[4096];
};

/* stdout when path is NULL; dies with a one-line error if it cannot open */
FILE *outfile_open(struct outfile *o, const char *path);
/* flush, fsync-free rename into place; dies on a write error, removing the temp */
void outfile_commit(struct outfile *o);

#endif
