/* advice.c: one line per finding where a change would save memory, with
 * its figure per instance.  Thresholds keep noise out: a finding under
 * 8 KiB an instance is not worth a line. */
#include <stdio.h>

#include "group.h"

enum { MIN_KB = 8 };

static void say(struct group *g, const char *id, double kb, const char *fmt, double a, double b)
{
	if (g->nadvice >= ADVICE_MAX)
		return;
	struct advice *ad = &g->advice[g->nadvice++];
	ad->id = id;
	ad->kb = kb;
	snprintf(ad->text, sizeof ad->text, fmt, a, b);
}

static double per(const struct group *g, uint64_t kb)
{
	return (double)kb / (double)g->n;
}

void advise(struct group *g, const struct kmodel *km)
{
	if (!g->n)
		return;
	double relocs = per(g, g->role[ROLE_LDSO].own +
				  g->role[ROLE_LIBC].own +
				  g->role[ROLE_LIBS].own);
	if (relocs >= MIN_KB)
		say(g, "relocated-libraries", relocs,
		    "%.0f KiB/instance of written library and ld.so pages (relocations, .data, .bss): "
		    "a resident image shares what start-up wrote%.0s", relocs, 0);

	double anon = per(g, g->role[ROLE_ANON].own);
	int glibc = g->role[ROLE_LIBC].maps > 0 && g->role[ROLE_LDSO].maps > 0;
	if (anon >= MIN_KB && glibc)
		say(g, "libc-anonymous", anon,
		    "%.0f KiB/instance of anonymous mappings (allocator and libc internals): "
		    "a static musl build avoids most of them%.0s", anon, 0);

	double heap = per(g, g->role[ROLE_HEAP].own);
	if (heap >= 4 * MIN_KB)
		say(g, "heap", heap,
		    "%.0f KiB/instance of dirty heap: the program's own allocations%.0s", heap, 0);

	double pt = g->ks.page_tables / 1024.0 / (double)g->n;
	double maps = per(g, g->total.maps);
	/* fewer libraries is advice for a dynamic program only: a static one
	 * has none, its tables are its own mappings' */
	int dynamic = g->role[ROLE_LDSO].maps + g->role[ROLE_LIBC].maps + g->role[ROLE_LIBS].maps > 0;
	if (pt >= 4 * MIN_KB && dynamic)
		say(g, "page-tables", pt,
		    "%.0f KiB/instance of page tables for %.0f mappings spread over the address space: "
		    "fewer libraries (static linking) need fewer table pages", pt, maps);
	else if (pt >= 4 * MIN_KB)
		say(g, "page-tables", pt,
		    "%.0f KiB/instance of page tables for %.0f mappings spread over the address space: "
		    "mappings placed closer together need fewer table pages", pt, maps);

	double threads = (double)g->threads / (double)g->n;
	if (threads > 1.5) {
		double kb = (threads - 1) * km->thread_size / 1024.0;
		say(g, "threads", kb,
		    "%.0f KiB/instance of kernel stacks for %.0f extra threads per instance", kb, threads - 1);
	}

	uint64_t fdsize = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->members[i]->kc.fdsize > fdsize)
			fdsize = g->members[i]->kc.fdsize;
	double fdkb = (double)fdsize * 8 / 1024.0;
	if (fdsize > 64 && fdkb >= MIN_KB) {
		double kb = fdkb;
		say(g, "fd-table", kb,
		    "%.1f KiB/instance of fd table (%.0f slots): a high file descriptor made the kernel "
		    "grow it; close inherited descriptors above 63", kb, (double)fdsize);
	}
}
