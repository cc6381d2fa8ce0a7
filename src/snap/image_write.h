/* image_write.h: a capture, the loader and the checks, written as an image. */
#ifndef RESIDENT_IMAGE_WRITE_H
#define RESIDENT_IMAGE_WRITE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "../image/format.h"
#include "capture.h"
#include "program.h"

struct after_init;

struct image_in {
	const struct capture *const *caps;	/* one per layout, picked at random per exec */
	int ncaps;
	/* snap --after-init: each layout's run to main (caps[i] is its
	 * capture), or NULL: the image resumes in ld.so before the constructors */
	const struct after_init *const *ai;
	/* snap --prefault: each layout's ranges from its training run, or NULL */
	struct img_prefault *const *prefault;
	const uint32_t *nprefault;
	const char *orig;		/* the program as named: absolute, symlinks kept (what falls back) */
	char *const *env;		/* the environment of the capture run */
	const unsigned char *loader;	/* the bare loader ELF */
	size_t loader_size;
	const struct name_hop *hops;	/* the way from orig to its file: its symlinks are checked */
	size_t nhops;
	const char *pages_path;		/* a system image: the saved pages are in this sidecar, */
	struct stat pages_st;		/* written already (image_pages), with this identity */
};

/* an image (or a sidecar) as a gather list: iov[0] is the loader, header
 * and tables (head, owned); the saved pages follow, in place in the
 * capture, which must outlive it */
struct image_out {
	unsigned char *head;
	struct iovec *iov;
	int niov;
	size_t size;
};

/* lay the image out; 0, or -1 with a one-line reason */
int image_build(const struct image_in *in, struct image_out *out, char *why, size_t n);
/* the saved pages alone, layout after layout, for a system image's
 * sidecar; 0, or -1 out of memory */
int image_pages(const struct capture *const *caps, int ncaps, struct image_out *out);
void image_out_free(struct image_out *o);
/* write it to fd from offset 0, zero pages as holes; 0 or -errno */
int image_write_fd(int fd, const struct image_out *o);

#endif
