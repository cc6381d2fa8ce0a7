/* image_write.h: a capture, the loader and the checks, written as an image. */
#ifndef RESIDENT_IMAGE_WRITE_H
#define RESIDENT_IMAGE_WRITE_H

#include <stddef.h>

#include "capture.h"

struct image_in {
	const struct capture *cap;
	const char *orig;		/* absolute path of the program */
	char *const *env;		/* the environment of the capture run */
	const unsigned char *loader;	/* the bare loader ELF */
	size_t loader_size;
};

/* build the image in memory; 0, or -1 with a one-line reason */
int image_build(const struct image_in *in, unsigned char **out, size_t *out_size, char *why, size_t n);
/* write bytes to path atomically (temp file + rename), mode 0755; 0 or -errno */
int image_write_file(const char *path, const unsigned char *bytes, size_t size);

#endif
