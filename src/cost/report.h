/* report.h: everything one run of `resident cost` found, and its three forms:
 * an aligned table for people, JSON (schema in docs/cost.md), Prometheus
 * text exposition for node_exporter's textfile collector. */
#ifndef RESIDENT_REPORT_H
#define RESIDENT_REPORT_H

#include <stdio.h>
#include <time.h>

#include "../proc/kvfile.h"
#include "cgroup.h"
#include "columns.h"
#include "group.h"

struct tally {
	size_t seen, read, denied, malformed, gone, kthreads, zombies, missing;
	size_t unwalked;		/* read from status alone (--walk-limit) */
};

/* the table's form (--columns, --sort, --reverse, --no-header, --wide, units) */
struct table_opts {
	int cols[COL_NCOLS];	/* in order; ncols 0: the default set */
	int ncols;
	int sort;		/* a COL_*, or -1: marginal_total (-P: marginal) */
	int reverse, no_header, wide;
	enum unit unit;
};

struct report {
	const struct kmodel *km;
	struct pcost *procs;
	size_t nprocs;
	struct group *groups;
	size_t ngroups;
	struct tally t;
	uint64_t meminfo[MI_NFIELDS];	/* kB */
	uint64_t meminfo_seen;
	const struct cgroup_mem *cg;	/* NULL without --cgroup */
	long project;			/* -n N, 0: none */
	int per_process, libs, totals, top, fast;
	int root;			/* the proc root it was read from */
	struct pcost *fast_procs;	/* --fast: the instances read in full */
	size_t fast_nprocs;
	struct table_opts tab;
	int by;				/* enum group_by: what a group is */
	char **keys;			/* --by other than program: each process's key */
	time_t time;			/* when it was taken */
	long round;			/* the how-manieth report of a watch (1...) */
	int named;			/* PIDs, programs, users or a cgroup were named: advise on
					 * every one; an unreadable one is exit 1 */
};

/* the exit status of a pass (status.c): EXIT_OK, EXIT_PARTIAL, or
 * EXIT_NOTHING when no selected process could be read */
int report_status(const struct report *r);
/* for EXIT_NOTHING: one line saying why, and exit */
__attribute__((noreturn))
void report_die_nothing(const struct report *r);

void report_table(FILE *f, const struct report *r);
/* --maps PID: each mapping of one process (p: its figures, read), pmap -X
 * with roles; 0, or dies */
int report_maps(FILE *f, int root, pid_t pid, const struct pcost *p, int json, enum unit unit);
/* --diff OLD.json NEW.json: two saved reports, program by program */
int report_saved_diff(FILE *f, const char *old, const char *new, int json, enum unit unit);
/* --by library: every library across the processes that map it */
void report_libraries(FILE *f, const struct report *r, int json);
void report_json(FILE *f, const struct report *r);
void report_prom(FILE *f, const struct report *r);
/* two groups side by side, role by role */
void report_diff(FILE *f, const struct report *r, const struct group *a, const char *na,
		 const struct group *b, const char *nb, int json);

#endif
