/* stackref.h: what a saved word that points into a capture's stack points
 * to, in terms the loader can rebuild in another run (an img_fixup). */
#ifndef RESIDENT_STACKREF_H
#define RESIDENT_STACKREF_H

#include <stdint.h>

#include "capture.h"

struct stackref {
	uint32_t kind;		/* IFX_* */
	int64_t arg;
	uint32_t index;		/* IFX_ARG_STRING: argv index */
	char name[256];		/* IFX_ENV_STRING: "NAME=" */
};

/* v, a word in [c->stack_lo, c->stack_hi): 0 and *r, or -1 (nothing known) */
int stackref_of(const struct capture *c, uint64_t v, struct stackref *r);
int stackref_same(const struct stackref *a, const struct stackref *b);

#endif
