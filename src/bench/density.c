/* density.c: what one more instance costs, by the kernel's own accounting.
 *
 *   open    the fleet's cgroups, PID namespace and its init (fleet.c):
 *           their own memory is in "before", not in the deltas
 *   settle  meminfo "before" (once it holds still: page tables and slab of
 *           processes that exited earlier are freed after an RCU grace
 *           period, and would otherwise be counted); how far the total
 *           moved over its last readings, nothing started, is the noise
 *   start   N instances, in a memory cgroup where possible
 *   settle  until meminfo holds still again: every instance has started
 *   read    meminfo and the cgroup first, then each instance's smaps_rollup
 *           (reading /proc allocates slab, so it comes after the snapshot)
 *   stop    kill and reap them all
 *
 * kB per instance = delta of AnonPages + PageTables + KernelStack +
 * SUnreclaim + Percpu, over the instances still alive; MemAvailable's drop
 * is the cross-check.  Shared file pages are in the page cache already and
 * cost one more instance nothing.
 *
 * meminfo is the whole machine's: whatever else starts or frees memory
 * meanwhile lands in the deltas.  Divided by N, the noise says how much:
 * when it is more than NOISE_SHARE of the result, the result is flagged
 * (too few instances for meminfo; the cgroup's figures are the run's own). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cost/cgroup.h"
#include "../cost/kernel.h"
#include "../cost/pcost.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../proc/kvfile.h"
#include "bench.h"

const char *const dfield_name[DF_N] = { "anon", "page_tables", "kernel_stack", "slab_unreclaimable", "percpu" };
static const int dfield_mi[DF_N] = { MI_ANONPAGES, MI_PAGETABLES, MI_KERNELSTACK, MI_SUNRECLAIM, MI_PERCPU };

#define NOISE_READINGS 5
#define NOISE_SHARE 0.1

static void meminfo(struct bench *b, uint64_t *v)
{
	uint64_t seen;
	int e = meminfo_read(b->proc_root, v, &seen);
	if (e < 0)
		die_errno(EXIT_FAIL, e, "/proc/meminfo");
}

static double total_kb(const uint64_t *v)
{
	double t = 0;
	for (int i = 0; i < DF_N; i++)
		t += (double)v[dfield_mi[i]];
	return t;
}

/* meminfo once PageTables, SUnreclaim and KernelStack move by less than
 * 32 kB in 100 ms, after NOISE_READINGS readings and at least min_s, at
 * most b->settle seconds; *noise (if asked): the range of the total over
 * the last NOISE_READINGS readings */
static void settle(struct bench *b, uint64_t *v, double min_s, double *noise)
{
	uint64_t prev[MI_NFIELDS];
	double ring[NOISE_READINGS];
	int k = 0;
	double t0 = bench_now();
	meminfo(b, prev);
	ring[k++] = total_kb(prev);
	for (;;) {
		usleep(100000);
		meminfo(b, v);
		ring[k++ % NOISE_READINGS] = total_kb(v);
		uint64_t d = (uint64_t)llabs((long long)v[MI_PAGETABLES] - (long long)prev[MI_PAGETABLES]) +
			     (uint64_t)llabs((long long)v[MI_SUNRECLAIM] - (long long)prev[MI_SUNRECLAIM]) +
			     (uint64_t)llabs((long long)v[MI_KERNELSTACK] - (long long)prev[MI_KERNELSTACK]);
		if ((d < 32 && bench_now() - t0 >= min_s && k >= NOISE_READINGS) || bench_now() - t0 > b->settle)
			break;
		memcpy(prev, v, sizeof prev);
	}
	if (!noise)
		return;
	int m = k < NOISE_READINGS ? k : NOISE_READINGS;
	double lo = ring[0], hi = ring[0];
	for (int i = 1; i < m; i++) {
		lo = fmin(lo, ring[i]);
		hi = fmax(hi, ring[i]);
	}
	*noise = hi - lo;
}

/* Rss, Pss, USS and resident cost's marginal estimate, medians over pids */
static void read_instances(struct bench *b, const pid_t *pids, size_t n, struct density *d)
{
	struct pcost *pc = calloc(n + 1, sizeof *pc);
	double *v[4];
	for (int i = 0; i < 4; i++)
		v[i] = calloc(n + 1, sizeof(double));
	if (!pc || !v[0] || !v[1] || !v[2] || !v[3])
		die(EXIT_FAIL, "out of memory");
	struct collect_opts co = { .proc_root = b->proc_root, .totals = 1, .threads = 2, .km = &b->km };
	collect(&co, pids, n, pc);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (pc[i].state != PS_OK)
			continue;
		const struct memsum *m = &pc[i].total;
		v[0][k] = (double)m->kb[SM_RSS];
		v[1][k] = (double)m->kb[SM_PSS];
		v[2][k] = (double)(m->kb[SM_PRIVATE_CLEAN] + m->kb[SM_PRIVATE_DIRTY]);
		v[3][k] = (double)(m->own + m->kb[SM_SWAP_PSS]) + kside_total(&pc[i].ks) / 1024.0;
		k++;
	}
	d->rss = bench_median(v[0], k);
	d->pss = bench_median(v[1], k);
	d->uss = bench_median(v[2], k);
	d->model = bench_median(v[3], k);
	pcost_free(pc, n);
	free(pc);
	for (int i = 0; i < 4; i++)
		free(v[i]);
}

static void read_cgroup(const struct fleet *f, long alive, struct density *d)
{
	struct cgroup_mem cm;
	const char *why;
	d->cg_version = 0;
	if (!f->cg.mem[0] || cgroup_memory(f->cg.mem, &cm, &why) || !cm.version || alive <= 0)
		return;
	double per = 1024.0 * (double)alive;
	d->cg_version = cm.version;
	d->cg_total = (double)cm.current / per;
	if (cm.version == 1) {
		d->cg_kernel = (double)cm.kmem / per;
		d->cg_anon = (double)cm.stat[CG_RSS] / per;
	} else {
		d->cg_kernel = (double)(cm.stat[CG_KERNEL_STACK] + cm.stat[CG_PAGETABLES] + cm.stat[CG_PERCPU] +
					cm.stat[CG_SLAB_UNRECLAIMABLE] + cm.stat[CG_SLAB_RECLAIMABLE]) / per;
		d->cg_anon = (double)cm.stat[CG_ANON] / per;
	}
}

/* processes that left the process group: the most seen in one fleet */
static void escaped(struct command *c, long strays, long n, const char *how)
{
	if (strays > c->escaped) {
		c->escaped = strays;
		c->escaped_n = n;
		c->escaped_how = how;
	}
}

void density_round(struct bench *b, struct command *c, long n, struct density *d)
{
	uint64_t before[MI_NFIELDS], after[MI_NFIELDS];
	struct fleet f;
	memset(d, 0, sizeof *d);
	d->n = n;
	fleet_open(&f, FLEET_MEMORY);
	settle(b, before, 0, &d->noise);
	double t0 = bench_now();
	fleet_start(&f, c->argv, n, b->quiet, c->label);
	d->seconds = bench_now() - t0;
	settle(b, after, 0.3, NULL);
	d->alive = fleet_alive(&f);
	if (d->alive > 0) {
		double per = (double)d->alive;
		d->total = 0;
		for (int i = 0; i < DF_N; i++) {
			int k = dfield_mi[i];
			d->field[i] = ((double)after[k] - (double)before[k]) / per;
			d->total += d->field[i];
		}
		d->avail = ((double)before[MI_MEMAVAILABLE] - (double)after[MI_MEMAVAILABLE]) / per;
		d->noisy = d->noise / per > NOISE_SHARE * fabs(d->total);
		read_cgroup(&f, d->alive, d);
		pid_t *pids = malloc((size_t)d->alive * sizeof *pids);
		size_t k = 0;
		for (long i = 0; pids && i < f.n; i++)
			if (f.pids[i])
				pids[k++] = f.pids[i];
		if (pids)
			read_instances(b, pids, k, d);
		free(pids);
	}
	long strays = fleet_stop(&f);
	escaped(c, strays, n, f.how);
}

static int by_total(const void *a, const void *b)
{
	const struct density *x = a, *y = b;
	return (x->total > y->total) - (x->total < y->total);
}

void density_pick(struct command *c, int ni, struct density *r, int rounds)
{
	/* the round with the median total, whole, so its figures agree */
	qsort(r, (size_t)rounds, sizeof r[0], by_total);
	c->d[ni] = r[rounds / 2];
	if (c->d[ni].alive == 0)
		c->exits = "every instance exited at once: nothing to measure (density needs a command that stays)";
	else if (c->d[ni].alive < c->d[ni].n)
		warn("%s: %ld of %ld instances exited at once; figures are per running instance", c->label,
		     c->d[ni].n - c->d[ni].alive, c->d[ni].n);
}

double density_probe(struct bench *b, struct command *c)
{
	struct fleet f;
	fleet_open(&f, 0);
	fleet_start(&f, c->argv, 1, 1, c->label);
	/* until it holds still (or 2 s): a program that allocates at start
	 * must be measured once it has */
	double kb = 0, prev = -1;
	for (int i = 0; i < 40; i++) {
		usleep(50000);
		if (!fleet_alive(&f))
			break;
		struct density d;
		memset(&d, 0, sizeof d);
		read_instances(b, f.pids, 1, &d);
		kb = d.model;
		if (i >= 2 && fabs(kb - prev) <= kb * 0.01)
			break;
		prev = kb;
	}
	if (!fleet_alive(&f))
		kb = 0;
	long strays = fleet_stop(&f);
	escaped(c, strays, 1, f.how);
	return kb;
}
