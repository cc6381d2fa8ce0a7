/* columns.h: the table's columns, by name (--columns, --sort), and how a
 * figure is written (--kib, --mib, --bytes, human by default).
 *
 * Each program row is per instance (the mean over its N instances)
 * except N and the *_total columns, which are over all N: smem and
 * ps_mem users read totals, a capacity planner reads one instance. */
#ifndef RESIDENT_COLUMNS_H
#define RESIDENT_COLUMNS_H

#include <stddef.h>

#include "group.h"

enum col {
	COL_N, COL_RSS, COL_PSS, COL_USS, COL_OWN, COL_SWAP, COL_MAPS, COL_PGTBL, COL_KSTACK, COL_SLAB,
	COL_KERNEL, COL_MARGINAL, COL_RSS_TOTAL, COL_PSS_TOTAL, COL_USS_TOTAL, COL_OWN_TOTAL, COL_SWAP_TOTAL,
	COL_KERNEL_TOTAL, COL_MARGINAL_TOTAL, COL_PSS_PCT, COL_MARGINAL_PCT, COL_NCOLS
};

enum unit { UNIT_HUMAN, UNIT_KIB, UNIT_MIB, UNIT_BYTES };

struct col_info {
	const char *name;	/* as --columns and --sort take it */
	const char *head;	/* in the header */
	int kb;			/* a figure in KiB (else a count) */
	int total;		/* over all instances, not per instance */
	int pct;		/* a percentage of MemTotal (col_memtotal_kb) */
};

/* MemTotal, for the *_pct columns (0: unknown, they show "-") */
extern double col_memtotal_kb;
extern const struct col_info col_info[COL_NCOLS];

/* the default columns, COL_NCOLS-terminated */
extern const int col_default[];
extern const int col_default_per_process[];

/* a column's name: its index, or -1 */
int col_lookup(const char *name);
/* "rss,pss_total" into cols (at most max): how many, or -1 with the
 * name that is none in *bad, or -2 for more than max */
int col_parse(const char *list, int *cols, int max, const char **bad);
/* every column's name, for a usage error */
const char *col_names(void);
/* a group's figure in a column (KiB, or a count) */
double col_value(const struct group *g, int col);
/* a column's figure as the unit says (a percentage with two decimals) */
const char *col_format_col(char *b, double v, int col, enum unit u);
/* a figure as the unit says, into b (>= 32 bytes) */
const char *col_format(char *b, double v, int kb, enum unit u);

#endif
