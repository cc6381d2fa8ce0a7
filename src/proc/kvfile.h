/* kvfile.h: files made of "Key: value" lines: /proc/meminfo, /proc/PID/status,
 * a cgroup's memory.stat ("key value"). */
#ifndef RESIDENT_KVFILE_H
#define RESIDENT_KVFILE_H

#include <stdint.h>
#include <sys/types.h>

#include "linereader.h"
#include "scan.h"

/* Parse every line; for keys found in keys[0..n) store the value (a number,
 * with an optional "kB") in vals[i] and set bit i of *seen.  Unknown keys
 * are skipped; a known key with a bad value or a line without sep is an
 * error (-EINVAL, *pe filled).  n <= 64. */
int kv_parse(struct linereader *lr, const struct key *keys, int n, char sep,
	     uint64_t *vals, uint64_t *seen, struct parse_error *pe);

/* /proc/meminfo, the fields resident uses */
enum meminfo_field {
	MI_MEMTOTAL, MI_MEMFREE, MI_MEMAVAILABLE, MI_ANONPAGES, MI_SHMEM,
	MI_SLAB, MI_SRECLAIMABLE, MI_SUNRECLAIM, MI_KERNELSTACK, MI_PAGETABLES,
	MI_PERCPU, MI_SWAPTOTAL, MI_SWAPFREE, MI_NFIELDS
};
extern const struct key meminfo_keys[MI_NFIELDS];
/* "meminfo" under the proc root; 0 or -errno (-EINVAL: malformed) */
int meminfo_read(int root, uint64_t *vals, uint64_t *seen);

/* /proc/PID/status */
enum status_field {
	ST_TGID, ST_PPID, ST_UID, ST_THREADS, ST_FDSIZE, ST_VMPTE, ST_VMRSS,
	ST_VMSWAP, ST_RSSANON, ST_RSSFILE, ST_RSSSHMEM, ST_KTHREAD, ST_NFIELDS
};
struct status {
	char name[64];		/* Name:, escaped by the kernel, cut to fit */
	char state;		/* State: R, S, D, Z... */
	uint64_t v[ST_NFIELDS];	/* kB for Vm and Rss fields */
	uint64_t seen;		/* bit per field present */
};
int status_parse(struct linereader *lr, struct status *st, struct parse_error *pe);

#endif
