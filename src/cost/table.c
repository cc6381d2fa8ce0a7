/* table.c: the aligned, human-unit form of a report. */
#include <stdlib.h>
#include <string.h>

#include "../lib/fmt.h"
#include "report.h"

static const char *k(char *b, double kb)
{
	return fmt_kb(b, kb);
}

static void head(FILE *f, int per_process, long project)
{
	if (per_process)
		fprintf(f, "%7s %-28s", "PID", "PROGRAM");
	else
		fprintf(f, "%-34s %5s", "PROGRAM", "N");
	fprintf(f, " %6s %6s %6s %6s %5s %5s %6s %6s %6s %8s", "RSS", "PSS", "USS", "OWN", "SWAP",
		"MAPS", "PGTBL", "KSTACK", "SLAB", "MARGINAL");
	if (project)
		fprintf(f, " %8s", "xN");
	fputc('\n', f);
}

/* a name for a column: control characters as '?', a long path cut to
 * "...tail", the part that tells programs apart */
static const char *tail(const char *s, size_t w)
{
	static _Thread_local char b[4][256];
	static _Thread_local int k;
	char *o = b[k++ & 3];
	size_t n = strlen(s), skip = 0;
	if (w >= sizeof b[0])
		w = sizeof b[0] - 1;
	if (n > w && w >= 4) {
		memcpy(o, "...", 3);
		skip = n - (w - 3);
	}
	size_t j = skip ? 3 : 0;
	for (size_t i = skip; s[i] && j < sizeof b[0] - 1; i++)
		o[j++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	o[j] = 0;
	return o;
}

static void row(FILE *f, const struct memsum *m, const struct kside *ks, double n, double marginal,
		long project)
{
	char b[10][16];
	fprintf(f, " %6s %6s %6s %6s %5s %5.0f %6s %6s %6s %8s",
		k(b[0], m->kb[SM_RSS] / n), k(b[1], m->kb[SM_PSS] / n),
		k(b[2], (m->kb[SM_PRIVATE_CLEAN] + m->kb[SM_PRIVATE_DIRTY]) / n),
		k(b[3], m->own / n), k(b[4], m->kb[SM_SWAP] / n), m->maps / n,
		k(b[5], ks->page_tables / 1024 / n), k(b[6], ks->kernel_stack / 1024 / n),
		k(b[7], (ks->slab + ks->percpu) / 1024 / n), k(b[8], marginal));
	if (project)
		fprintf(f, " %8s", k(b[9], marginal * (double)project));
	fputc('\n', f);
}

static void roles(FILE *f, const struct report *r, size_t shown)
{
	char b[16];
	fprintf(f, "\nper instance by role (private / shared)\n%-34s %-4s", "PROGRAM", "");
	for (int i = 0; i < ROLE_N; i++)
		fprintf(f, " %6s", role_name[i]);
	fputc('\n', f);
	for (size_t g = 0; g < shown; g++) {
		const struct group *gr = &r->groups[g];
		double n = (double)gr->n;
		for (int kind = 0; kind < 2; kind++) {
			fprintf(f, "%-34s %-4s", kind ? "" : tail(gr->exe, 34), kind ? "shr" : "priv");
			for (int i = 0; i < ROLE_N; i++) {
				const uint64_t *v = gr->role[i].kb;
				double kb = kind ? v[SM_SHARED_CLEAN] + v[SM_SHARED_DIRTY]
						 : v[SM_PRIVATE_CLEAN] + v[SM_PRIVATE_DIRTY];
				fprintf(f, " %6s", fmt_kb(b, kb / n));
			}
			fputc('\n', f);
		}
		if (r->libs)
			for (size_t l = 0; l < gr->nlibs; l++) {
				const uint64_t *v = gr->libs[l].m.kb;
				char p[16], s[16];
				fprintf(f, "    %-44s priv %6s shr %6s\n", tail(gr->libs[l].path, 44),
					fmt_kb(p, (v[SM_PRIVATE_CLEAN] + v[SM_PRIVATE_DIRTY]) / n),
					fmt_kb(s, (v[SM_SHARED_CLEAN] + v[SM_SHARED_DIRTY]) / n));
			}
	}
}

/* a cgroup figure, or "unknown" where memory.stat has no such line (v1
 * has no kernel_stack): never a 0 that was not read */
static const char *cg_kb(char *b, const struct cgroup_mem *cg, int field)
{
	return cg->seen >> field & 1 ? fmt_kb(b, cg->stat[field] / 1024.0) : "unknown";
}

static void footer(FILE *f, const struct report *r)
{
	const struct tally *t = &r->t;
	char b[5][16];
	fprintf(f, "\n%zu processes: %zu read", t->seen, t->read);
	if (t->denied + t->malformed) {
		fprintf(f, ", %zu unreadable (", t->denied + t->malformed);
		size_t said = 0;
		for (size_t i = 0; i < r->nprocs && said < 5; i++) {
			const struct pcost *p = &r->procs[i];
			if (p->state != PS_DENIED && p->state != PS_MALFORMED)
				continue;
			fprintf(f, "%s%d %s", said ? ", " : "", (int)p->pid, p->name);
			said++;
		}
		fprintf(f, "%s: %s)", t->denied + t->malformed > said ? ", ..." : "",
			t->malformed ? "unreadable or malformed" : "no permission");
	}
	if (t->gone)
		fprintf(f, ", %zu exited while read", t->gone);
	if (t->missing)
		fprintf(f, ", %zu named but not found", t->missing);
	fprintf(f, "; %zu kernel threads and %zu zombies not counted\n", t->kthreads, t->zombies);
	fprintf(f, "kernel side: %u KiB stack a thread (%s), slab object sizes %s, %u KiB PGD\n",
		r->km->thread_size / 1024, r->km->thread_size_from, r->km->slab_from, r->km->pgd_bytes / 1024);
	if (r->meminfo_seen)
		fprintf(f, "machine (meminfo): PageTables %s, KernelStack %s, SUnreclaim %s, Percpu %s\n",
			fmt_kb(b[0], r->meminfo[MI_PAGETABLES]), fmt_kb(b[1], r->meminfo[MI_KERNELSTACK]),
			fmt_kb(b[2], r->meminfo[MI_SUNRECLAIM]), fmt_kb(b[3], r->meminfo[MI_PERCPU]));
	if (r->cg) {
		const struct cgroup_mem *cg = r->cg;
		if (cg->version)
			fprintf(f, "cgroup %s (v%d): memory %s, kernel %s, pagetables %s, kernel_stack %s, "
				   "slab_unreclaimable %s\n", cg->path, cg->version, fmt_kb(b[0], cg->current / 1024.0),
				cg->version == 2 ? cg_kb(b[1], cg, CG_KERNEL)
				: cg->kmem_seen ? fmt_kb(b[1], cg->kmem / 1024.0) : "unknown",
				cg_kb(b[2], cg, CG_PAGETABLES), cg_kb(b[3], cg, CG_KERNEL_STACK),
				cg_kb(b[4], cg, CG_SLAB_UNRECLAIMABLE));
		else
			fprintf(f, "cgroup %s: no memory controller in this hierarchy\n", r->cg->path);
	}
}

struct ranked {
	const struct pcost *p;
	double marginal;
};

static int by_marginal(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->marginal != y->marginal)
		return x->marginal < y->marginal ? 1 : -1;
	return x->p->pid < y->p->pid ? -1 : x->p->pid > y->p->pid;
}

void report_table(FILE *f, const struct report *r)
{
	size_t shown = r->top && (size_t)r->top < r->ngroups ? (size_t)r->top : r->ngroups;
	if (r->per_process) {
		/* the most costly first, --top of them (it was ignored here) */
		size_t n = 0, k = 0;
		for (size_t i = 0; i < r->nprocs; i++)
			n += r->procs[i].state == PS_OK;
		struct ranked *v = calloc(n ? n : 1, sizeof *v);
		for (size_t i = 0; v && i < r->nprocs; i++)
			if (r->procs[i].state == PS_OK) {
				const struct pcost *p = &r->procs[i];
				struct group one = { .n = 1, .total = p->total, .ks = p->ks };
				v[k++] = (struct ranked){ p, group_marginal_kb(&one) };
			}
		if (!v)
			n = 0;
		qsort(v, n, sizeof *v, by_marginal);
		size_t show = r->top && (size_t)r->top < n ? (size_t)r->top : n;
		head(f, 1, r->project);
		for (size_t i = 0; i < show; i++) {
			const struct pcost *p = v[i].p;
			fprintf(f, "%7d %-28s", (int)p->pid, tail(p->exe, 28));
			row(f, &p->total, &p->ks, 1, v[i].marginal, r->project);
		}
		if (show < n)
			fprintf(f, "(%zu more processes: --all shows them)\n", n - show);
		free(v);
	} else {
		head(f, 0, r->project);
		for (size_t g = 0; g < shown; g++) {
			const struct group *gr = &r->groups[g];
			fprintf(f, "%-34s %5zu", tail(gr->exe, 34), gr->n);
			row(f, &gr->total, &gr->ks, (double)gr->n, group_marginal_kb(gr), r->project);
		}
		if (shown < r->ngroups)
			fprintf(f, "(%zu more programs: --all shows them)\n", r->ngroups - shown);
	}
	if (!r->totals)
		roles(f, r, shown);
	int any = 0;
	for (size_t g = 0; g < shown; g++)
		for (int a = 0; a < r->groups[g].nadvice && (r->groups[g].n > 1 || r->named); a++) {
			if (!any++)
				fprintf(f, "\nadvice\n");
			fprintf(f, "  %s: %s\n", tail(r->groups[g].exe, 40), r->groups[g].advice[a].text);
		}
	footer(f, r);
}
