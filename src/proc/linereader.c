#include "linereader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { LR_FIRST_CAP = 16384 };

void lr_from_fd(struct linereader *lr, int fd)
{
	lr->fd = fd;
	lr->data = lr->buf;
	lr->pos = lr->end = 0;
	lr->eof = 0;
	lr->lineno = 0;
}

void lr_from_mem(struct linereader *lr, const char *data, size_t len)
{
	lr->fd = -1;
	lr->data = data;
	lr->pos = 0;
	lr->end = len;
	lr->eof = 1;
	lr->lineno = 0;
}

/* make room after the unread bytes: slide them to the front, grow if full */
static int lr_fill(struct linereader *lr)
{
	size_t unread = lr->end - lr->pos;
	if (lr->pos > 0) {
		memmove(lr->buf, lr->buf + lr->pos, unread);
		lr->pos = 0;
		lr->end = unread;
	}
	if (lr->end == lr->cap) {
		size_t cap = lr->cap ? lr->cap * 2 : LR_FIRST_CAP;
		char *nb = realloc(lr->buf, cap);
		if (!nb)
			return -ENOMEM;
		lr->buf = nb;
		lr->cap = cap;
	}
	lr->data = lr->buf;
	for (;;) {
		ssize_t n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
		if (n > 0) {
			lr->end += (size_t)n;
			return 0;
		}
		if (n == 0) {
			lr->eof = 1;
			return 0;
		}
		if (errno != EINTR)
			return -errno;
	}
}

int lr_next(struct linereader *lr, const char **line, size_t *len)
{
	size_t scanned = 0;	/* bytes already known to hold no newline */
	for (;;) {
		const char *start = lr->data ? lr->data + lr->pos : "";
		size_t avail = lr->end - lr->pos;
		const char *nl = avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;
		if (nl) {
			*line = start;
			*len = (size_t)(nl - start);
			lr->pos += *len + 1;
			lr->lineno++;
			return 1;
		}
		if (lr->eof) {
			if (avail == 0)
				return 0;
			*line = start;	/* last line without a newline */
			*len = avail;
			lr->pos = lr->end;
			lr->lineno++;
			return 1;
		}
		scanned = avail;
		int r = lr_fill(lr);
		if (r < 0)
			return r;
	}
}

void lr_free(struct linereader *lr)
{
	free(lr->buf);
	lr->buf = NULL;
	lr->cap = 0;
	lr->data = NULL;
	lr->pos = lr->end = 0;
}
