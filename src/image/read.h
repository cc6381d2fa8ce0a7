/* read.h: an image file read and checked by the tools (inspect, ls, check):
 * the same bounds and checksum the loader checks, plus whether each file it
 * depends on is still the one captured. */
#ifndef RESIDENT_IMAGE_READ_H
#define RESIDENT_IMAGE_READ_H

#include <stddef.h>

#include "format.h"

struct image {
	const char *path;
	unsigned char *tables;		/* header + tables + strings, malloc'd */
	const struct img_header *h;
	const struct img_file *files;
	const struct img_map *maps;
	const struct img_fixup *fixups;
	const struct img_env *env;
	const char *str;
	struct img_locator loc;
	unsigned nlayouts;		/* snap --layouts; the tables above are layout 0's */
	size_t file_size, loader_size;
};

/* 0, or -1 with a one-line reason ("truncated image (4096 of 81920 bytes)") */
int image_open(const char *path, struct image *im, char *why, size_t n);
void image_close(struct image *im);
/* 1 if the file at path is a resident image (its ELF mark), else 0 */
int image_is(const char *path);
/* the same for the file open on fd (read at offset 0, fd left open): for a
 * file that must not be opened by name */
int image_is_fd(int fd);
/* the reason dependency i no longer matches, or NULL if it does */
const char *image_file_stale(const struct image *im, unsigned i);
/* the first reason the image would not restore here, or NULL */
const char *image_stale(const struct image *im);

#endif
