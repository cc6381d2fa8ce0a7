/* role.h: what each mapping of a process is for.
 *
 * A mapping's role decides who could remove its cost: the program's own
 * text and data, the allocator's heap, ld.so and libc's relocated pages
 * (what a resident image shares), other libraries, libc-internal anonymous
 * mappings (what a static musl build avoids), the kernel's special pages. */
#ifndef RESIDENT_ROLE_H
#define RESIDENT_ROLE_H

#include <stdint.h>

#include "../proc/smaps.h"

enum role {
	ROLE_TEXT,	/* the executable's read-only pages (code, rodata) */
	ROLE_DATA,	/* its written pages: .data, RELRO, .bss */
	ROLE_HEAP,	/* [heap] (brk) */
	ROLE_STACK,	/* [stack] */
	ROLE_LDSO,	/* the dynamic linker, text and data */
	ROLE_LIBC,	/* the C library, text, data and bss */
	ROLE_LIBS,	/* every other shared library */
	ROLE_ANON,	/* anonymous mappings: malloc arenas, libc internals, thread stacks */
	ROLE_FILES,	/* other mapped files: locale-archive, caches, shared memory */
	ROLE_SPECIAL,	/* [vdso], [vvar], [vsyscall] */
	ROLE_IMAGE,	/* pages of a resident image (set once images exist) */
	ROLE_N
};

extern const char *const role_name[ROLE_N];

/* kinds of file, by name */
enum file_kind { FK_OTHER, FK_LDSO, FK_LIBC, FK_LIB };
enum file_kind file_kind_of(const char *path);

/* state carried from one mapping to the next: an anonymous mapping right
 * after a file's last mapping is that file's .bss */
struct role_ctx {
	const char *exe;	/* the process's executable path ("" if unknown) */
	int image;		/* exe is a resident image: its mappings are ROLE_IMAGE */
	char *program;		/* then: the program it restored (first other file mapped) */
	uint64_t prev_end;
	int prev_role;		/* -1: previous mapping is not a file */
	int prev_lib;		/* index of the previous mapping's library, or -1 */
};

/* exe_is_image: the executable is a resident image (image_is) */
void role_start(struct role_ctx *c, const char *exe, int exe_is_image);
void role_end(struct role_ctx *c);
/* role of v; *lib_continues is 1 when v belongs to the library of the
 * previous mapping (its bss) */
enum role role_classify(struct role_ctx *c, const struct vma *v, int *lib_continues);

#endif
