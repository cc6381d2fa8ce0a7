/* libview.c: `resident cost --by library`, smem -m's view with resident's
 * figures: each shared library (and ld.so, libc) across every process
 * that maps it.  What matters most is its private pages: the ones each
 * process wrote (relocations, .data, .bss) and so holds a copy of, which
 * sharing the file does not share; the table is sorted by them. */
#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/fmt.h"
#include "columns.h"
#include "report.h"

struct librow {
	const char *path;
	size_t procs;
	struct memsum m;
};

static int by_private(const void *a, const void *b)
{
	const struct librow *x = a, *y = b;
	uint64_t px = x->m.kb[SM_PRIVATE_CLEAN] + x->m.kb[SM_PRIVATE_DIRTY];
	uint64_t py = y->m.kb[SM_PRIVATE_CLEAN] + y->m.kb[SM_PRIVATE_DIRTY];
	if (px != py)
		return px < py ? 1 : -1;
	return strcmp(x->path, y->path);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct librow *)a)->path, ((const struct librow *)b)->path);
}

/* one row per library path, sorted by private pages; count in *n */
static struct librow *rows(const struct report *r, size_t *n)
{
	size_t cap = 0;
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].state == PS_OK)
			cap += r->procs[i].nlibs;
	struct librow *v = calloc(cap ? cap : 1, sizeof *v);
	if (!v)
		die(EXIT_FAIL, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pcost *p = &r->procs[i];
		for (size_t l = 0; p->state == PS_OK && l < p->nlibs; l++)
			v[k++] = (struct librow){ p->libs[l].path, 1, p->libs[l].m };
	}
	qsort(v, k, sizeof *v, by_path);
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m && !strcmp(v[m - 1].path, v[i].path)) {
			v[m - 1].procs++;
			memsum_add(&v[m - 1].m, &v[i].m);
			continue;
		}
		v[m++] = v[i];
	}
	qsort(v, m, sizeof *v, by_private);
	*n = m;
	return v;
}

void report_libraries(FILE *f, const struct report *r, int json)
{
	size_t n;
	struct librow *v = rows(r, &n);
	size_t shown = r->top && (size_t)r->top < n ? (size_t)r->top : n;
	if (json) {
		fputs("{\"schema\":\"resident-cost-libraries/1\",\"libraries\":[", f);
		for (size_t i = 0; i < n; i++) {
			const uint64_t *kb = v[i].m.kb;
			fputs(i ? ",{" : "{", f);
			json_path_field(f, "path", v[i].path);
			fprintf(f, ",\"processes\":%zu,\"rss_kb\":%llu,\"pss_kb\":%llu,\"private_kb\":%llu,\"shared_kb\":%llu}",
				v[i].procs, (unsigned long long)kb[SM_RSS], (unsigned long long)kb[SM_PSS],
				(unsigned long long)(kb[SM_PRIVATE_CLEAN] + kb[SM_PRIVATE_DIRTY]),
				(unsigned long long)(kb[SM_SHARED_CLEAN] + kb[SM_SHARED_DIRTY]));
		}
		fputs("]}\n", f);
		free(v);
		return;
	}
	size_t w = 7;
	for (size_t i = 0; i < shown; i++)
		if (strlen(v[i].path) > w)
			w = strlen(v[i].path);
	if (!r->tab.wide && w > 50)
		w = 50;
	if (!r->tab.no_header)
		fprintf(f, "%-*s %6s %9s %9s %13s %9s %9s\n", (int)w, "LIBRARY", "PROCS", "RSS_TOTAL", "PSS_TOTAL",
			"PRIVATE_TOTAL", "PRIVATE", "SHARED");
	for (size_t i = 0; i < shown; i++) {
		const uint64_t *kb = v[i].m.kb;
		char b[5][32];
		double priv = (double)(kb[SM_PRIVATE_CLEAN] + kb[SM_PRIVATE_DIRTY]);
		char path[4 * 4096 + 8];
		size_t len = text_clean(v[i].path, path, sizeof path);	/* in characters */
		if (len > w) {
			const char *c = path;
			for (size_t drop = len - (w - 3); drop; c++)
				if (((unsigned char)c[1] & 0xc0) != 0x80)
					drop--;
			fprintf(f, "...%s", c);
		} else {
			fprintf(f, "%s%*s", path, (int)(w - len), "");
		}
		fprintf(f, " %6zu %9s %9s %13s %9s %9s\n", v[i].procs, col_format(b[0], (double)kb[SM_RSS], 1, r->tab.unit),
			col_format(b[1], (double)kb[SM_PSS], 1, r->tab.unit), col_format(b[2], priv, 1, r->tab.unit),
			col_format(b[3], priv / (double)v[i].procs, 1, r->tab.unit),
			col_format(b[4], (double)(kb[SM_SHARED_CLEAN] + kb[SM_SHARED_DIRTY]) / (double)v[i].procs, 1,
				   r->tab.unit));
	}
	if (!r->tab.no_header) {
		if (shown < n)
			fprintf(f, "(%zu more libraries: --all shows them)\n", n - shown);
		fprintf(f, "\nPRIVATE: what each process holds a copy of (pages it wrote: relocations, .data, .bss),\n"
			   "the mean over PROCS; SHARED: the file's pages it shares, the mean; *_TOTAL: all PROCS\n");
	}
	free(v);
}
