/* afterinit.h: snap --after-init, the stage after the capture: the
 * before-constructor image run to main twice, and what differs explained. */
#ifndef RESIDENT_AFTERINIT_H
#define RESIDENT_AFTERINIT_H

#include <stddef.h>
#include <stdint.h>

#include "../image/format.h"
#include "capture.h"
#include "image_write.h"

/* a word the loader writes: an img_fixup, its variable's name inline */
struct ai_fix {
	uint64_t addr;		/* an address, or with IFX_F_BLOB an offset in the blob */
	uint32_t kind;		/* IFX_* | IFX_F_* */
	uint32_t index;
	int64_t arg;
	char name[256];		/* IFX_ENV_STRING: "NAME=" */
};

/* a variable a constructor asked getenv for: the image depends on it */
struct ai_env {
	char *str;		/* "NAME=value" as the capture had it, or "NAME=" */
	uint32_t flags;		/* IMG_ENV_SET or IMG_ENV_UNSET */
};

struct after_init {
	struct capture c;	/* the first run at main: its maps and saved pages */
	unsigned char blob[IMG_BLOB_MAX];	/* format.h: registers, then frames */
	size_t blob_len;
	struct ai_fix *fix;	/* every word to rewrite, in memory and in the blob */
	size_t nfix;
	size_t syscalls;	/* the constructors' syscalls */
	struct ai_env *env;
	size_t nenv;
	/* the first capture's dependencies and those of the constructors
	 * (ctorsys.h): files they looked up, kernel files they read */
	struct cap_dep *deps;
	size_t ndeps;
	struct img_sysop ops[64];	/* what they asked the kernel and set */
	size_t nops;
};

/* pre: the before-constructor image of `before` (one layout, its pages
 * in it); name: the program as named; env: the capture's environment.
 * 0 and *ai, or -1 with a one-line reason (what a constructor did that
 * an image cannot freeze, and where) */
int after_init_capture(const struct image_out *pre, const struct capture *before, const char *name,
		       char *const env[], struct after_init *ai, char *why, size_t n);
void after_init_free(struct after_init *ai);

#endif
