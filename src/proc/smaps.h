/* smaps.h: one parser for /proc/PID/smaps, smaps_rollup and maps.
 *
 * All three are a sequence of mapping headers
 *     start-end perms offset major:minor inode   [path]
 * each followed (smaps, smaps_rollup) by "Field:  N kB" lines.  The parser
 * calls back once per mapping when its fields are complete. */
#ifndef RESIDENT_SMAPS_H
#define RESIDENT_SMAPS_H

#include <stdint.h>

#include "linereader.h"
#include "scan.h"

/* the smaps fields resident uses, one-to-one with the kernel's names */
enum smaps_field {
	SM_SIZE,		/* Size: virtual size */
	SM_RSS,			/* Rss */
	SM_PSS,			/* Pss */
	SM_SHARED_CLEAN,	/* Shared_Clean */
	SM_SHARED_DIRTY,	/* Shared_Dirty */
	SM_PRIVATE_CLEAN,	/* Private_Clean */
	SM_PRIVATE_DIRTY,	/* Private_Dirty */
	SM_ANONYMOUS,		/* Anonymous: pages not backed by a file (incl. COW copies) */
	SM_SWAP,		/* Swap */
	SM_SWAP_PSS,		/* SwapPss */
	SM_NFIELDS
};

extern const char *const smaps_field_name[SM_NFIELDS];

struct vma {
	uint64_t start, end, offset, inode;
	unsigned int dev_major, dev_minor;
	char perms[5];		/* "r-xp" */
	const char *path;	/* NUL-terminated, "" for anonymous; valid in the callback */
	size_t pathlen;
	uint64_t kb[SM_NFIELDS];	/* in kB; 0 where the input has no such field */
};

/* return 0 to go on, a negative errno to stop the parse with it */
typedef int (*vma_fn)(void *ctx, const struct vma *v);

/* buffers reused from file to file: one per thread */
struct smaps_reader {
	struct linereader lr;
	char *path;
	size_t pathcap;
};
#define SMAPS_READER_ZERO { .lr = LINEREADER_ZERO }

/* parse all of lr's input (start it with lr_from_fd / lr_from_mem first);
 * returns the number of mappings, or -EINVAL with *pe filled for text the
 * kernel does not write, or another -errno (read error, callback's value) */
int smaps_parse(struct smaps_reader *r, vma_fn fn, void *ctx, struct parse_error *pe);
void smaps_reader_free(struct smaps_reader *r);

#endif
