/* columns.c: the table's columns (columns.h). */
#include "columns.h"

#include <stdio.h>
#include <string.h>

#include "../lib/fmt.h"

const struct col_info col_info[COL_NCOLS] = {
	[COL_N] = { "n", "N", 0, 1 },
	[COL_RSS] = { "rss", "RSS", 1, 0 },
	[COL_PSS] = { "pss", "PSS", 1, 0 },
	[COL_USS] = { "uss", "USS", 1, 0 },
	[COL_OWN] = { "own", "OWN", 1, 0 },
	[COL_SWAP] = { "swap", "SWAP", 1, 0 },
	[COL_MAPS] = { "maps", "MAPS", 0, 0 },
	[COL_PGTBL] = { "pgtbl", "PGTBL", 1, 0 },
	[COL_KSTACK] = { "kstack", "KSTACK", 1, 0 },
	[COL_SLAB] = { "slab", "SLAB", 1, 0 },
	[COL_KERNEL] = { "kernel", "KERNEL", 1, 0 },
	[COL_MARGINAL] = { "marginal", "MARGINAL", 1, 0 },
	[COL_RSS_TOTAL] = { "rss_total", "RSS_TOTAL", 1, 1 },
	[COL_PSS_TOTAL] = { "pss_total", "PSS_TOTAL", 1, 1 },
	[COL_USS_TOTAL] = { "uss_total", "USS_TOTAL", 1, 1 },
	[COL_OWN_TOTAL] = { "own_total", "OWN_TOTAL", 1, 1 },
	[COL_SWAP_TOTAL] = { "swap_total", "SWAP_TOTAL", 1, 1 },
	[COL_KERNEL_TOTAL] = { "kernel_total", "KERNEL_TOTAL", 1, 1 },
	[COL_MARGINAL_TOTAL] = { "marginal_total", "MARGINAL_TOTAL", 1, 1 },
	[COL_PSS_PCT] = { "pss_pct", "%PSS", 0, 1, 1 },
	[COL_MARGINAL_PCT] = { "marginal_pct", "%MARGINAL", 0, 1, 1 },
};

double col_memtotal_kb;

const int col_default[] = { COL_N,	COL_RSS,    COL_PSS,	  COL_USS,	 COL_OWN,   COL_SWAP,
			    COL_MAPS,	COL_PGTBL,  COL_KSTACK,	  COL_SLAB,	 COL_MARGINAL, COL_PSS_TOTAL,
			    COL_MARGINAL_TOTAL, COL_NCOLS };
const int col_default_per_process[] = { COL_RSS,    COL_PSS,  COL_USS,	COL_OWN,    COL_SWAP, COL_MAPS,
					COL_PGTBL,  COL_KSTACK, COL_SLAB, COL_MARGINAL, COL_NCOLS };

int col_lookup(const char *name)
{
	for (int i = 0; i < COL_NCOLS; i++)
		if (!strcmp(col_info[i].name, name))
			return i;
	return -1;
}

int col_parse(const char *list, int *cols, int max, const char **bad)
{
	static char name[64];
	int n = 0;
	for (const char *p = list;;) {
		size_t len = strcspn(p, ",");
		snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), p);
		int c = col_lookup(name);
		if (c < 0 || n == max) {
			*bad = name;
			return c < 0 ? -1 : -2;
		}
		cols[n++] = c;
		if (!p[len])
			return n;
		p += len + 1;
	}
}

double col_value(const struct group *g, int col)
{
	double n = g->n ? (double)g->n : 1;
	const struct memsum *m = &g->total;
	double kernel = kside_total(&g->ks) / 1024.0;
	double user[] = {
		[COL_RSS] = (double)m->kb[SM_RSS], [COL_PSS] = (double)m->kb[SM_PSS],
		[COL_USS] = (double)(m->kb[SM_PRIVATE_CLEAN] + m->kb[SM_PRIVATE_DIRTY]), [COL_OWN] = (double)m->own,
		[COL_SWAP] = (double)m->kb[SM_SWAP],
	};
	switch (col) {
	case COL_N: return (double)g->n;
	case COL_RSS: case COL_PSS: case COL_USS: case COL_OWN: case COL_SWAP: return user[col] / n;
	case COL_MAPS: return (double)m->maps / n;
	case COL_PGTBL: return g->ks.page_tables / 1024.0 / n;
	case COL_KSTACK: return g->ks.kernel_stack / 1024.0 / n;
	case COL_SLAB: return (g->ks.slab + g->ks.percpu) / 1024.0 / n;
	case COL_KERNEL: return kernel / n;
	case COL_MARGINAL: return group_marginal_kb(g);
	case COL_RSS_TOTAL: return user[COL_RSS];
	case COL_PSS_TOTAL: return user[COL_PSS];
	case COL_USS_TOTAL: return user[COL_USS];
	case COL_OWN_TOTAL: return user[COL_OWN];
	case COL_SWAP_TOTAL: return user[COL_SWAP];
	case COL_KERNEL_TOTAL: return kernel;
	case COL_MARGINAL_TOTAL: return group_marginal_kb(g) * n;
	case COL_PSS_PCT: return col_memtotal_kb > 0 ? 100 * user[COL_PSS] / col_memtotal_kb : 0;
	case COL_MARGINAL_PCT: return col_memtotal_kb > 0 ? 100 * group_marginal_kb(g) * n / col_memtotal_kb : 0;
	}
	return 0;
}

const char *col_format_col(char *b, double v, int col, enum unit u)
{
	if (col_info[col].pct) {
		if (col_memtotal_kb > 0)
			snprintf(b, 32, "%.2f", v);
		else
			snprintf(b, 32, "-");
		return b;
	}
	return col_format(b, v, col_info[col].kb, u);
}

const char *col_format(char *b, double v, int kb, enum unit u)
{
	if (!kb)
		snprintf(b, 32, "%.0f", v);
	else if (u == UNIT_HUMAN)
		fmt_kb(b, v);
	else if (u == UNIT_KIB)
		snprintf(b, 32, "%.0f", v);
	else if (u == UNIT_MIB)
		snprintf(b, 32, "%.1f", v / 1024);
	else
		snprintf(b, 32, "%.0f", v * 1024);
	return b;
}

const char *col_names(void)
{
	static char b[512];
	size_t k = 0;
	for (int i = 0; i < COL_NCOLS && k < sizeof b; i++)
		k += (size_t)snprintf(b + k, sizeof b - k, "%s%s", i ? " " : "", col_info[i].name);
	return b;
}
