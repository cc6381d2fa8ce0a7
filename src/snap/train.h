/* train.h: snap --prefault, the stage after the image is laid out: one
 * training run of the image, and what it had mapped at its exit. */
#ifndef RESIDENT_TRAIN_H
#define RESIDENT_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "../image/format.h"
#include "capture.h"
#include "image_write.h"

/* img: an image of one layout, its capture c; run with argv (argv[0] the
 * program as named), stdin /dev/null, output discarded, at most 30 s.
 * 0 and *out (malloc'd, *n entries, in address order), or -1 with why */
int train_run(const struct image_out *img, const struct capture *c, char *const argv[], char *const env[],
	      struct img_prefault **out, uint32_t *n, char *why, size_t wn);

#endif
