#include "kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "../proc/kvfile.h"
#include "../proc/linereader.h"
#include "../proc/plainfile.h"
#include "../proc/procfs.h"

static const char *const kcache_name[KC_N] = {
	[KC_TASK] = "task_struct", [KC_PID] = "pid", [KC_SIGNAL] = "signal_cache",
	[KC_SIGHAND] = "sighand_cache", [KC_MM] = "mm_struct", [KC_FILES] = "files_cache",
	[KC_FS] = "fs_cache", [KC_CRED] = "cred_jar", [KC_VMA] = "vm_area_struct",
	[KC_MAPLE] = "maple_node", [KC_ANON_VMA] = "anon_vma", [KC_AVC] = "anon_vma_chain",
	[KC_FILP] = "filp", [KC_VMAP_AREA] = "vmap_area",
};

/* effective bytes per object measured from /proc/slabinfo on Debian 12 with
 * Linux 6.18 x86_64 (objsize rounded up to the slab's share per object) */
static const double kcache_default[KC_N] = {
	[KC_TASK] = 4681, [KC_PID] = 195, [KC_SIGNAL] = 1170, [KC_SIGHAND] = 2184,
	[KC_MM] = 1638, [KC_FILES] = 712, [KC_FS] = 64, [KC_CRED] = 195,
	[KC_VMA] = 195, [KC_MAPLE] = 256, [KC_ANON_VMA] = 105, [KC_AVC] = 64,
	[KC_FILP] = 195, [KC_VMAP_AREA] = 73,
};

/* "name active num objsize objperslab pagesperslab : ..." */
static void read_slabinfo(struct kmodel *m, int root)
{
	int fd = plainfile_open(root, "slabinfo");
	if (fd < 0)
		return;
	struct linereader lr = LINEREADER_ZERO;
	lr_from_fd(&lr, fd);
	const char *s;
	size_t n;
	int found = 0;
	long page = sysconf(_SC_PAGESIZE);
	while (lr_next(&lr, &s, &n) > 0) {
		size_t w = 0;
		while (w < n && s[w] != ' ')
			w++;
		for (int i = 0; i < KC_N; i++) {
			if (strlen(kcache_name[i]) != w || memcmp(s, kcache_name[i], w))
				continue;
			uint64_t f[5];
			size_t p = w;
			int k;
			for (k = 0; k < 5; k++) {
				while (p < n && s[p] == ' ')
					p++;
				int u = scan_u64(s + p, n - p, 10, &f[k]);
				if (u <= 0)
					break;
				p += (size_t)u;
			}
			/* f: active num objsize objperslab pagesperslab */
			if (k == 5 && f[3] > 0 && f[4] > 0) {
				m->obj[i] = (double)(f[4] * (uint64_t)page) / (double)f[3];
				found++;
			}
		}
	}
	lr_free(&lr);
	close(fd);
	if (found)
		m->slab_from = "slabinfo";
}

void kmodel_init(struct kmodel *m, int root)
{
	char buf[256];
	memcpy(m->obj, kcache_default, sizeof m->obj);
	m->slab_from = "built-in";
	m->thread_size = 16384;
	m->thread_size_from = "default";
	m->pgd_bytes = 4096;
	long nc = sysconf(_SC_NPROCESSORS_CONF);
	m->ncpus = nc > 0 ? (unsigned)nc : 1;

	/* page-table isolation gives every process an 8 KiB PGD */
	if (procfs_read(AT_FDCWD, "/sys/devices/system/cpu/vulnerabilities/meltdown", buf, sizeof buf) > 0 &&
	    strstr(buf, "PTI"))
		m->pgd_bytes = 8192;

	/* THREAD_SIZE = KernelStack / tasks, when that is a clean power of two */
	uint64_t v[MI_NFIELDS] = { 0 }, seen = 0;
	if (meminfo_read(root, v, &seen) == 0 && (seen >> MI_KERNELSTACK & 1)) {
		long tasks = procfs_tasks(root);
		if (tasks > 0) {
			double per = (double)v[MI_KERNELSTACK] * 1024.0 / (double)(tasks + m->ncpus);
			for (unsigned ts = 4096; ts <= 65536; ts *= 2)
				if (per > ts * 0.9 && per < ts * 1.1) {
					m->thread_size = ts;
					m->thread_size_from = "meminfo";
				}
		}
	}
	read_slabinfo(m, root);
}

/* size of a kmalloc() of n bytes: the next kmalloc cache */
static double kmalloc_size(double n)
{
	static const double sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (n <= sizes[i])
			return sizes[i];
	return ((uint64_t)n + 4095) / 4096 * 4096;
}

void kmodel_estimate(const struct kmodel *m, const struct kcounts *c, struct kside *k)
{
	const double *o = m->obj;
	double threads = (double)(c->threads ? c->threads : 1);
	memset(k, 0, sizeof *k);
	k->kernel_stack = threads * m->thread_size;
	/* per thread: task_struct, pid, the vmap_area pair of its vmalloc'd stack */
	k->slab = threads * (o[KC_TASK] + o[KC_PID] + 2 * o[KC_VMAP_AREA]);
	/* per process */
	k->slab += o[KC_SIGNAL] + o[KC_SIGHAND] + o[KC_FILES] + o[KC_FS] + o[KC_CRED];
	/* an fd table beyond the 64 slots inside files_struct is kmalloc'd:
	 * the fd array, the open/close-on-exec/full bitmaps, struct fdtable */
	if (c->fdsize > 64) {
		double fds = (double)c->fdsize;
		k->slab += kmalloc_size(fds * 8) + kmalloc_size(fds / 4 + fds / 512) + 64;
	}
	if (!c->has_mm)
		return;
	k->page_tables = (double)c->vmpte_kb * 1024 + m->pgd_bytes;
	/* per address space: mm_struct; per mapping a vm_area_struct and its
	 * share of maple-tree nodes (~7.5 mappings per node, measured); per
	 * written private mapping an anon_vma_chain (+1 for the root) and, as
	 * neighbours share them, ~0.7 anon_vma (measured); a struct file per
	 * mapped file */
	double maps = (double)c->maps, anon = (double)c->anon_maps;
	k->slab += o[KC_MM] + maps * o[KC_VMA] + maps / 7.5 * o[KC_MAPLE] +
		   (anon + 1) * o[KC_AVC] + anon * 0.7 * o[KC_ANON_VMA] +
		   (double)c->files * o[KC_FILP];
	/* mm rss_stat: 4 percpu_counters of s32; mm_cid: 8 bytes a CPU */
	k->percpu = (4 * 4 + 8) * (double)m->ncpus;
}

double kside_total(const struct kside *k)
{
	return k->page_tables + k->kernel_stack + k->slab + k->percpu;
}
