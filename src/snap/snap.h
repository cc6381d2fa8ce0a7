/* snap.h: capture a program into an image put in place (snap, check). */
#ifndef RESIDENT_SNAP_H
#define RESIDENT_SNAP_H

#include <stddef.h>

#include "program.h"

struct snap_opts {
	int system;	/* saved pages in a sidecar (snap --system) */
	int as_exec;	/* not through ld.so (snap --as-exec) */
	int layouts;	/* captures, one picked at random per exec (snap --layouts); 0 means 1 */
	int after_init;	/* captured at main, where the evidence allows (snap --after-init) */
	int prefault;	/* a training run with train_args says what each start populates */
	char *const *train_args;	/* NULL-terminated, after argv[0] */
	const char *run_name;	/* the name it will be run by (argv[0]), if not the program's:
				 * an enabled program's image is run by the program's own path */
};

/* capture p into an image at out, or (out NULL) in the image directory,
 * made only once the capture succeeded (a system image: saved pages in a
 * sidecar beside it); its size in bytes and, if placed, where it went
 * (malloc'd); or dies with one line, leaving nothing half-written */
size_t snap_to(const struct program *p, const char *out, const struct snap_opts *o, char **placed);

#endif
