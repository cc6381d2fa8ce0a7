#include "group.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"

double group_kernel_kb(const struct group *g)
{
	return g->n ? kside_total(&g->ks) / 1024.0 / (double)g->n : 0;
}

double group_marginal_kb(const struct group *g)
{
	if (!g->n)
		return 0;
	double user = (double)(g->total.own + g->total.kb[SM_SWAP_PSS]);
	return user / (double)g->n + group_kernel_kb(g);
}

/* the keys of the processes being grouped, for by_key (qsort has no
 * context; one pass at a time) */
static const char *const *sort_keys;
static const struct pcost *sort_base;

static const char *key_of(const struct pcost *p)
{
	return sort_keys ? sort_keys[p - sort_base] : p->exe;
}

static int by_key(const void *a, const void *b)
{
	const struct pcost *x = *(struct pcost *const *)a, *y = *(struct pcost *const *)b;
	int c = strcmp(key_of(x), key_of(y));
	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

static int by_cost(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	double cx = group_marginal_kb(x) * (double)x->n, cy = group_marginal_kb(y) * (double)y->n;
	if (cx != cy)
		return cx < cy ? 1 : -1;
	return strcmp(x->exe, y->exe);
}

static void sum(struct memsum *to, const struct memsum *from)
{
	for (int i = 0; i < SM_NFIELDS; i++)
		to->kb[i] += from->kb[i];
	to->own += from->own;
	to->maps += from->maps;
}

static void add_libs(struct group *g, const struct pcost *p)
{
	for (size_t i = 0; i < p->nlibs; i++) {
		size_t j;
		for (j = 0; j < g->nlibs && strcmp(g->libs[j].path, p->libs[i].path); j++)
			;
		if (j == g->nlibs) {
			struct libuse *nl = realloc(g->libs, (g->nlibs + 1) * sizeof *nl);
			if (!nl)
				die(4, "out of memory");
			g->libs = nl;
			memset(&nl[j], 0, sizeof nl[j]);
			nl[j].path = p->libs[i].path;	/* borrowed */
			g->nlibs++;
		}
		sum(&g->libs[j].m, &p->libs[i].m);
	}
}

size_t group_by_exe(struct pcost *p, size_t n, struct group **out)
{
	return group_by_keys(p, NULL, n, out);
}

size_t group_by_keys(struct pcost *p, char *const *keys, size_t n, struct group **out)
{
	sort_keys = (const char *const *)keys;
	sort_base = p;
	struct pcost **v = malloc((n ? n : 1) * sizeof *v);
	struct group *g = calloc(n + 1, sizeof *g);
	if (!v || !g)
		die(4, "out of memory");
	size_t m = 0, ng = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i].state == PS_OK)
			v[m++] = &p[i];
	qsort(v, m, sizeof *v, by_key);
	for (size_t i = 0; i < m; ng++) {
		struct group *cur = &g[ng];
		size_t j = i;
		while (j < m && !strcmp(key_of(v[j]), key_of(v[i])))
			j++;
		cur->exe = key_of(v[i]);
		cur->members = v + i;	/* slices of one array: freed with the first group */
		cur->n = j - i;
		for (size_t k = i; k < j; k++) {
			const struct pcost *q = v[k];
			sum(&cur->total, &q->total);
			for (int r = 0; r < ROLE_N; r++)
				sum(&cur->role[r], &q->role[r]);
			cur->ks.page_tables += q->ks.page_tables;
			cur->ks.kernel_stack += q->ks.kernel_stack;
			cur->ks.slab += q->ks.slab;
			cur->ks.percpu += q->ks.percpu;
			cur->threads += q->kc.threads;
			add_libs(cur, q);
		}
		i = j;
	}
	qsort(g, ng, sizeof *g, by_cost);
	sort_keys = NULL;
	g[ng].members = v;	/* a zeroed sentinel after the last group owns the member array */
	*out = g;
	return ng;
}

void groups_free(struct group *g, size_t n)
{
	if (!g)
		return;
	for (size_t i = 0; i < n; i++)
		free(g[i].libs);
	free(g[n].members);
	free(g);
}
