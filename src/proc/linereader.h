/* linereader.h: streaming line reader with no fixed line limit.
 *
 * Reads from a file descriptor in chunks into one growable buffer that is
 * reused from file to file, so reading a thousand /proc files costs no
 * allocation after the first few.  Lines are returned as (pointer, length)
 * without the newline and are valid until the next call. A memory source
 * (for tests and fuzzing) reads the same way. */
#ifndef RESIDENT_LINEREADER_H
#define RESIDENT_LINEREADER_H

#include <stddef.h>

struct linereader {
	int fd;			/* -1: memory source */
	char *buf;		/* owned, grows; NULL for a memory source */
	size_t cap;
	const char *data;	/* current window: data[pos..end) unread */
	size_t pos, end;
	int eof;
	unsigned long lineno;	/* number of the line last returned, from 1 */
};

#define LINEREADER_ZERO { .fd = -1 }

/* start reading fd (not closed by the reader); keeps the buffer */
void lr_from_fd(struct linereader *lr, int fd);
/* read from memory; the reader does not copy it */
void lr_from_mem(struct linereader *lr, const char *data, size_t len);
/* 1: a line; 0: end of input; -errno: read failed or out of memory */
int lr_next(struct linereader *lr, const char **line, size_t *len);
void lr_free(struct linereader *lr);

#endif
