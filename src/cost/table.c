/* table.c: the aligned, human-unit form of a report. */
#include <stdlib.h>
#include <string.h>

#include "../lib/fmt.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "columns.h"
#include "groupkey.h"
#include "report.h"

/* a name for a column: control characters and bytes that are not UTF-8
 * as '?', a long path cut to "...tail" (the part that tells programs
 * apart) at a character's start; w counts characters, not bytes */
static const char *tail(const char *s, size_t w)
{
	static _Thread_local char b[4][1024];
	static _Thread_local int k;
	char *o = b[k++ & 3], clean[sizeof b[0] - 4];
	size_t width = text_clean(s, clean, sizeof clean);
	if (width <= w || w < 4) {
		memcpy(o, clean, strlen(clean) + 1);
		return o;
	}
	const char *c = clean;
	for (size_t drop = width - (w - 3); drop; c++)
		if (((unsigned char)c[1] & 0xc0) != 0x80)
			drop--;
	memcpy(o, "...", 3);
	memcpy(o + 3, c, strlen(c) + 1);	/* clean's tail: shorter than clean */
	return o;
}

static void roles(FILE *f, const struct report *r, const struct group *const *order, size_t shown)
{
	char b[16];
	fprintf(f, "\nper instance by role (private / shared)%s\n%-34s %-4s",
		r->fast ? ", from full smaps of 2 instances of each program, scaled (--fast)" : "",
		group_by_head((enum group_by)r->by), "");
	for (int i = 0; i < ROLE_N; i++)
		fprintf(f, " %6s", role_name[i]);
	fputc('\n', f);
	for (size_t g = 0; g < shown; g++) {
		const struct group *gr = order[g];
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
	fprintf(f, "\n%zu process%s: %zu read", t->seen, t->seen == 1 ? "" : "es", t->read);
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
	fprintf(f, "; %zu kernel thread%s and %zu zombie%s not counted\n", t->kthreads,
		t->kthreads == 1 ? "" : "s", t->zombies, t->zombies == 1 ? "" : "s");
	if (t->unwalked)
		fprintf(f, "%zu process%s over --walk-limit: RSS, anonymous pages (as OWN) and swap from status, "
			   "not walked (PSS shown as RSS, no roles)\n", t->unwalked, t->unwalked == 1 ? "" : "es");
	static const char *const units[] = { "K, M, G: KiB, MiB, GiB", "in KiB", "in MiB", "in bytes" };
	if (r->fast) {
		size_t blind = 0;
		for (size_t g = 0; g < r->ngroups; g++)
			blind += !r->groups[g].sampled;
		fprintf(f, "--fast: RSS, PSS, USS, SWAP from smaps_rollup (every process); roles, OWN and MARGINAL from "
			   "full smaps of 2 instances a program\n");
		if (blind)
			fprintf(f, "--fast: %zu program%s with no sampled instance read in full: their roles, mappings and "
				   "kernel side unknown (0); without --fast they are read\n", blind, blind == 1 ? "" : "s");
	}
	fprintf(f, "figures %s; %s\n",
		r->per_process ? "per process"
		: r->by ? "per process (the mean over its N), but N and *_TOTAL: all its processes"
			: "per instance (the mean over N), but N and *_TOTAL: all instances",
		units[r->tab.unit]);
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

/* one row: a program's group, or (-P) one process as a group of one */
struct item {
	const struct group *g;
	pid_t pid;
	double key;
};

static int by_key(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	int c = strcmp(x->g->exe, y->g->exe);
	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

/* a column's cells, for widths: the header, the rows, the totals */
struct grid {
	char (*cell)[48];	/* rows x cols */
	size_t rows, cols;
};

static char *at(struct grid *gr, size_t row, size_t col)
{
	return gr->cell[row * gr->cols + col];
}

/* the name of a row: the whole path with --wide, else its tail; control
 * characters and bytes that are not UTF-8 as '?'; malloc'd */
static char *name_cell(const char *exe, int wide)
{
	if (!wide)
		return strdup(tail(exe, 34));
	size_t size = 4 * strlen(exe) + 8;
	char *o = malloc(size);
	if (o)
		text_clean(exe, o, size);
	return o;
}

static void main_table(FILE *f, const struct report *r, const struct group **order, size_t *shown_out)
{
	const struct table_opts *o = &r->tab;
	int cols[COL_NCOLS + 1], nc = 0;
	if (o->ncols) {
		memcpy(cols, o->cols, (size_t)o->ncols * sizeof *cols);
		nc = o->ncols;
	} else {
		for (const int *c = r->per_process ? col_default_per_process : col_default; *c != COL_NCOLS; c++)
			cols[nc++] = *c;
	}
	col_memtotal_kb = r->meminfo_seen >> MI_MEMTOTAL & 1 ? (double)r->meminfo[MI_MEMTOTAL] : 0;
	/* the rows */
	size_t n = 0;
	struct group *ones = NULL;
	struct item *it;
	if (r->per_process) {
		for (size_t i = 0; i < r->nprocs; i++)
			n += r->procs[i].state == PS_OK;
		ones = calloc(n ? n : 1, sizeof *ones);
		it = calloc(n ? n : 1, sizeof *it);
		if (!ones || !it)
			die(EXIT_FAIL, "out of memory");
		for (size_t i = 0, k = 0; i < r->nprocs; i++) {
			const struct pcost *p = &r->procs[i];
			if (p->state != PS_OK)
				continue;
			ones[k] = (struct group){ .exe = p->exe, .n = 1, .total = p->total, .ks = p->ks,
						  .threads = p->kc.threads };
			it[k] = (struct item){ &ones[k], p->pid, 0 };
			k++;
		}
	} else {
		n = r->ngroups;
		it = calloc(n ? n : 1, sizeof *it);
		if (!it)
			die(EXIT_FAIL, "out of memory");
		for (size_t g = 0; g < n; g++)
			it[g] = (struct item){ &r->groups[g], 0, 0 };
	}
	int key = o->sort >= 0 ? o->sort : r->per_process ? COL_MARGINAL : COL_MARGINAL_TOTAL;
	for (size_t i = 0; i < n; i++)
		it[i].key = col_value(it[i].g, key) * (o->reverse ? -1 : 1);
	qsort(it, n, sizeof *it, by_key);
	size_t shown = r->top && (size_t)r->top < n ? (size_t)r->top : n;

	/* the cells: header, rows, totals; then each column as wide as its widest */
	size_t lead = r->per_process ? 2 : 1, ncols = lead + (size_t)nc + (r->project ? 1 : 0);
	struct grid gr = { calloc((shown + 2) * ncols, sizeof *gr.cell), shown + 2, ncols };
	char **names = calloc(shown + 2, sizeof *names);
	if (!gr.cell || !names)
		die(EXIT_FAIL, "out of memory");
	if (r->per_process)
		snprintf(at(&gr, 0, 0), 48, "PID");
	names[0] = strdup(group_by_head((enum group_by)r->by));
	for (int c = 0; c < nc; c++)
		snprintf(at(&gr, 0, lead + (size_t)c), 48, "%s", col_info[cols[c]].head);
	if (r->project)
		snprintf(at(&gr, 0, ncols - 1), 48, "x%ld", r->project);
	double sum[COL_NCOLS + 1] = { 0 }, proj = 0;
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < nc; c++)
			sum[c] += r->per_process || col_info[cols[c]].total ? col_value(it[i].g, cols[c]) : 0;
		proj += group_marginal_kb(it[i].g) * (double)r->project;
	}
	for (size_t i = 0; i < shown; i++) {
		const struct group *g = it[i].g;
		if (r->per_process)
			snprintf(at(&gr, i + 1, 0), 48, "%d", (int)it[i].pid);
		names[i + 1] = name_cell(g->exe, o->wide);
		for (int c = 0; c < nc; c++)
			col_format_col(at(&gr, i + 1, lead + (size_t)c), col_value(g, cols[c]), cols[c], o->unit);
		if (r->project)
			col_format(at(&gr, i + 1, ncols - 1), group_marginal_kb(g) * (double)r->project, 1, o->unit);
	}
	names[shown + 1] = strdup("TOTAL");
	for (int c = 0; c < nc; c++) {
		if (r->per_process || col_info[cols[c]].total)
			col_format_col(at(&gr, shown + 1, lead + (size_t)c), sum[c], cols[c], o->unit);
		else
			snprintf(at(&gr, shown + 1, lead + (size_t)c), 48, "-");
	}
	if (r->project)
		col_format(at(&gr, shown + 1, ncols - 1), proj, 1, o->unit);
	size_t w[COL_NCOLS + 3] = { 0 };
	for (size_t row = 0; row < gr.rows; row++)
		for (size_t c = 0; c < ncols; c++) {
			const char *v = c == lead - 1 ? names[row] : at(&gr, row, c);
			if (v && text_width(v) > w[c])
				w[c] = text_width(v);
		}
	for (size_t row = o->no_header ? 1 : 0; row < gr.rows; row++) {
		if (row == gr.rows - 1 && (o->no_header || n < 2))
			break;	/* a TOTAL of one row says nothing; scripts want the rows */
		for (size_t c = 0; c < ncols; c++) {
			if (c)
				fputc(' ', f);
			if (c == lead - 1) {
				/* padded by characters: a UTF-8 name is fewer than its bytes */
				const char *v = names[row] ? names[row] : "?";
				fputs(v, f);
				if (c + 1 < ncols)
					fprintf(f, "%*s", (int)(w[c] - text_width(v)), "");
			}
			else
				fprintf(f, "%*s", (int)w[c], at(&gr, row, c));
		}
		fputc('\n', f);
	}
	if (shown < n && !o->no_header)
		fprintf(f, "(%zu more %s%s: --all shows them)\n", n - shown, r->per_process ? "process" : "program",
			n - shown == 1 ? "" : r->per_process ? "es" : "s");
	/* the programs the roles and the advice are about, in this order:
	 * with -P, those of the processes shown (each once) */
	size_t ng = 0;
	for (size_t i = 0; i < shown; i++) {
		const struct group *g = it[i].g;
		if (r->per_process) {
			g = NULL;
			for (size_t k = 0; k < r->ngroups && !g; k++)
				for (size_t m = 0; m < r->groups[k].n && !g; m++)
					if (r->groups[k].members[m]->pid == it[i].pid)
						g = &r->groups[k];
			for (size_t k = 0; g && k < ng; k++)
				if (order[k] == g)
					g = NULL;
		}
		if (g)
			order[ng++] = g;
	}
	*shown_out = ng;
	for (size_t i = 0; i < gr.rows; i++)
		free(names[i]);
	free(names);
	free(gr.cell);
	free(it);
	free(ones);
}

void report_table(FILE *f, const struct report *r)
{
	const struct group **order = calloc(r->ngroups + 1, sizeof *order);
	size_t shown = 0;
	if (!order)
		die(EXIT_FAIL, "out of memory");
	main_table(f, r, order, &shown);
	if (r->tab.no_header) {
		free(order);
		return;
	}
	if (!r->totals)
		roles(f, r, order, shown);
	int any = 0;
	for (size_t g = 0; g < shown; g++)
		for (int a = 0; a < order[g]->nadvice && (order[g]->n > 1 || r->named); a++) {
			if (!any++)
				fprintf(f, "\nadvice\n");
			fprintf(f, "  %s: %s\n", tail(order[g]->exe, 40), order[g]->advice[a].text);
		}
	footer(f, r);
	free(order);
}
