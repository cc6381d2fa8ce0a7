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

/* what processes are grouped by: keys[i] for base[i], or (keys NULL)
 * each one's exe */
struct keying {
	char *const *keys;
	const struct pcost *base;
};

static const char *key_of(const struct keying *k, const struct pcost *p)
{
	return k->keys ? k->keys[p - k->base] : p->exe;
}

static int by_key(const void *a, const void *b, void *arg)
{
	const struct pcost *x = *(struct pcost *const *)a, *y = *(struct pcost *const *)b;
	int c = strcmp(key_of(arg, x), key_of(arg, y));
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

void kside_add(struct kside *to, const struct kside *from)
{
	to->page_tables += from->page_tables;
	to->kernel_stack += from->kernel_stack;
	to->slab += from->slab;
	to->percpu += from->percpu;
}

void memsum_add(struct memsum *to, const struct memsum *from)
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
		memsum_add(&g->libs[j].m, &p->libs[i].m);
	}
}

size_t group_by_exe(struct pcost *p, size_t n, struct group **out)
{
	return group_by_keys(p, NULL, n, out);
}

size_t group_by_keys(struct pcost *p, char *const *keys, size_t n, struct group **out)
{
	struct keying k = { keys, p };
	struct pcost **v = malloc((n ? n : 1) * sizeof *v);
	struct group *g = calloc(n + 1, sizeof *g);
	if (!v || !g)
		die(4, "out of memory");
	size_t m = 0, ng = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i].state == PS_OK)
			v[m++] = &p[i];
	qsort_r(v, m, sizeof *v, by_key, &k);
	for (size_t i = 0; i < m; ng++) {
		struct group *cur = &g[ng];
		size_t j = i;
		while (j < m && !strcmp(key_of(&k, v[j]), key_of(&k, v[i])))
			j++;
		cur->exe = key_of(&k, v[i]);
		cur->members = v + i;	/* slices of one array: freed with the first group */
		cur->n = j - i;
		for (size_t k = i; k < j; k++) {
			const struct pcost *q = v[k];
			memsum_add(&cur->total, &q->total);
			for (int r = 0; r < ROLE_N; r++)
				memsum_add(&cur->role[r], &q->role[r]);
			kside_add(&cur->ks, &q->ks);
			cur->threads += q->kc.threads;
			add_libs(cur, q);
		}
		i = j;
	}
	qsort(g, ng, sizeof *g, by_cost);
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
