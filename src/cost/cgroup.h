/* cgroup.h: a cgroup's processes and its own memory accounting
 * (v2 memory.current/memory.stat; v1 memory.usage_in_bytes/memory.stat). */
#ifndef RESIDENT_CGROUP_H
#define RESIDENT_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

enum cg_field {
	CG_ANON, CG_FILE, CG_KERNEL, CG_KERNEL_STACK, CG_PAGETABLES, CG_PERCPU,
	CG_SLAB_UNRECLAIMABLE, CG_SLAB_RECLAIMABLE, CG_SHMEM, CG_RSS, CG_CACHE, CG_NFIELDS
};
extern const char *const cg_field_name[CG_NFIELDS];

struct cgroup_mem {
	const char *path;
	int version;			/* 1 or 2; 0: no memory controller here */
	uint64_t current;		/* bytes charged to the cgroup */
	uint64_t kmem;			/* v1 memory.kmem.usage_in_bytes, bytes */
	int kmem_seen;			/* read (v1 without kmem accounting has none) */
	uint64_t stat[CG_NFIELDS];	/* bytes */
	uint64_t seen;			/* which stat[] memory.stat had (bit CG_*) */
};

/* the cgroup's processes (cgroup.procs); count or -errno, *pids malloc'd */
long cgroup_pids(const char *path, pid_t **pids);
/* its memory files; 0 ok (version 0 if it has none), -errno, or -EINVAL with *why */
int cgroup_memory(const char *path, struct cgroup_mem *m, const char **why);

#endif
