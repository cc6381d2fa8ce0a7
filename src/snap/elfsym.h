/* elfsym.h: the symbols of a mapped ELF file, to find a function by its
 * name (a breakpoint) and to name an address (a refusal's message). */
#ifndef RESIDENT_ELFSYM_H
#define RESIDENT_ELFSYM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct elfsym {
	unsigned char *f;	/* the file, mapped (or, elfsym_view, seen in memory) */
	size_t size;
	int view;		/* f is not ours to unmap */
	uint64_t bias;		/* run-time address - link-time address */
};

/* path's file as the process maps it: lowest is where its first page
 * (file offset 0) was mapped; it must be the file (dev, ino) that is
 * mapped; 0, or -1 */
int elfsym_open(struct elfsym *e, const char *path, dev_t dev, ino_t ino, uint64_t lowest);
/* an ELF image already in memory (this process's vDSO, which is the
 * kernel's and so every process's on this kernel), lowest as above */
int elfsym_view(struct elfsym *e, const void *image, uint64_t lowest);
void elfsym_close(struct elfsym *e);
/* the run-time address of the function or object `name`; 0: none */
uint64_t elfsym_addr(const struct elfsym *e, const char *name);
/* the symbol at or before run-time address a, and a's offset from it;
 * NULL where none covers it (a pointer into e->f) */
const char *elfsym_near(const struct elfsym *e, uint64_t a, uint64_t *off);

#endif
