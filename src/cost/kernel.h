/* kernel.h: the kernel's own memory for one process, which no user tool shows.
 *
 *   page tables   VmPTE (/proc/PID/status) + the PGD page(s), which VmPTE
 *                 leaves out (4 KiB; 8 KiB with page-table isolation)
 *   kernel stack  THREAD_SIZE per thread, read from /proc/meminfo KernelStack
 *                 divided by the number of tasks, else 16 KiB (x86_64)
 *   slab          sum over the objects a process owns of the effective size
 *                 of one object of its cache (slab pages / objects per slab),
 *                 read from /proc/slabinfo where readable, else built-in
 *                 sizes measured on Debian 12 / Linux 6.18 (docs/cost.md)
 *   percpu        the mm's per-CPU counters
 */
#ifndef RESIDENT_KERNEL_H
#define RESIDENT_KERNEL_H

#include <stdint.h>

enum kcache {
	KC_TASK, KC_PID, KC_SIGNAL, KC_SIGHAND, KC_MM, KC_FILES, KC_FS, KC_CRED,
	KC_VMA, KC_MAPLE, KC_ANON_VMA, KC_AVC, KC_FILP, KC_VMAP_AREA, KC_N
};

struct kmodel {
	unsigned thread_size;		/* bytes */
	const char *thread_size_from;	/* "meminfo" or "default" */
	unsigned pgd_bytes;
	unsigned ncpus;
	double obj[KC_N];		/* effective bytes per object */
	const char *slab_from;		/* "slabinfo" or "built-in" */
};

/* what one process owns, from its status and smaps */
struct kcounts {
	uint64_t threads, fdsize, vmpte_kb;
	uint64_t maps, anon_maps, files;
	int has_mm;			/* 0 for zombies and kernel threads */
};

struct kside {
	double page_tables, kernel_stack, slab, percpu;	/* bytes */
};

/* probe the running kernel through the proc root (dirfd) */
void kmodel_init(struct kmodel *m, int proc_root);
void kmodel_estimate(const struct kmodel *m, const struct kcounts *c, struct kside *k);
double kside_total(const struct kside *k);

#endif
