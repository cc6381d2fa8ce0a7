/* read.h: an image file read and judged by the tools (inspect, ls, check,
 * verify, cost): the bytes checked and the verdict given by the same code
 * the loader runs (verify.h), so that a tool never says "current" of an
 * image the loader would refuse, and never crashes on one it would
 * survive. */
#ifndef RESIDENT_IMAGE_READ_H
#define RESIDENT_IMAGE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

struct image {
	const char *path;
	unsigned char *tables;		/* layout 0's header + tables + strings, malloc'd */
	const struct img_header *h;
	const struct img_dep *deps;
	const struct img_map *maps;
	const struct img_fixup *fixups;
	const struct img_env *env;
	const char *str;
	struct img_locator loc;		/* checked: loc.orig is the program it falls back to */
	unsigned nlayouts;		/* snap --layouts; the tables above are layout 0's */
	struct img_pages {		/* each layout's saved pages (resident verify) */
		uint64_t off, size, sum;
	} pages[IMG_LAYOUTS_MAX];
	size_t file_size, loader_size;
	size_t loc_off;			/* where the locator is in the file */
	uint64_t tables_off[IMG_LAYOUTS_MAX], tables_size[IMG_LAYOUTS_MAX];
};

/* 0, or -1 with a one-line reason ("truncated image (4096 of 81920 bytes)");
 * never follows a FIFO or a device (opened O_NONBLOCK, then checked to be
 * a regular file) */
int image_open(const char *path, struct image *im, char *why, size_t n);
void image_close(struct image *im);
/* 1 if the file at path is a resident image (its ELF mark), else 0 */
int image_is(const char *path);

enum image_state { IMAGE_CURRENT, IMAGE_STALE, IMAGE_BROKEN };
struct image_verdict {
	enum image_state state;	/* current: restores; stale: runs the program
				 * normally (correct, slower); broken: that
				 * program cannot run either */
	const char *why;	/* the loader's reason, or NULL */
	const char *what;	/* the file concerned, or NULL */
};
/* what an exec of the image would do here, now, with envp */
struct image_verdict image_judge(const struct image *im, char *const *envp);
/* dependency i: NULL if it is as captured, else the loader's reason */
const char *image_dep_state(const struct image *im, unsigned i);
/* image_is for the file open on fd (read at offset 0, fd left open): for
 * a file that must not be opened by name */
int image_is_fd(int fd);

#endif
