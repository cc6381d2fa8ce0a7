/* bench.h: `resident bench`: N instances of several commands, side by side,
 * measured with the kernel's own figures.
 *
 *   bench_main.c  options, the order of the runs, output
 *   limits.c      what the machine allows, checked before anything starts
 *   fleet.c       starting N instances, and never leaving one behind
 *   argv.c        %d, %m and %% in a command's arguments
 *   density.c     memory per instance: /proc/meminfo and cgroup deltas
 *   startup.c     time per exec: fork+exec+wait and posix_spawn+wait
 *   report.c      table, JSON, CSV
 *   stats.c       the clock, medians and percentiles
 *   svg.c         the plot
 */
#ifndef RESIDENT_BENCH_H
#define RESIDENT_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../cost/kernel.h"

#define BENCH_MAX_CMDS 16
#define BENCH_MAX_NS 16
#define BENCH_MAX_ROUNDS 15

/* the meminfo fields a density run takes deltas of */
enum dfield { DF_ANON, DF_PAGETABLES, DF_KSTACK, DF_SUNRECLAIM, DF_PERCPU, DF_N };
extern const char *const dfield_name[DF_N];

/* one command's density at one N (kB per instance; medians over rounds) */
struct density {
	long n;			/* instances asked for */
	long alive;		/* still running when measured */
	double field[DF_N];	/* meminfo deltas / alive */
	double total;		/* sum of field[] */
	double avail;		/* -delta MemAvailable / alive: the cross-check */
	int cg_version;		/* 0: no cgroup figures */
	double cg_total;	/* memory.current (v2) or usage_in_bytes (v1), kB/instance */
	double cg_kernel;	/* kernel_stack + pagetables + slab (v2), kmem (v1) */
	double cg_anon;
	double rss, pss, uss;	/* medians from resident cost's reader */
	double model;		/* resident cost's marginal estimate, median */
	double seconds;		/* to start them all */
};

struct timing {
	double med, p90, p99, min, mean;	/* microseconds */
	double faults;				/* median minor+major faults per exec */
};

struct command {
	char **argv;		/* NULL-terminated, %d and %m not yet replaced */
	char *label;		/* argv joined, for people */
	const char *exits;	/* density: why it could not be measured, or NULL */
	const char *fails;	/* startup: why it could not be measured, or NULL */
	struct density d[BENCH_MAX_NS];
	struct timing fork_exec, spawn;
	int startup_status;	/* exit status of the last run */
	double probe_kb;	/* marginal kB of one instance, the safety probe */
};

struct bench {
	struct command cmd[BENCH_MAX_CMDS];
	int ncmds;
	long ns[BENCH_MAX_NS];	/* instance counts */
	int nns;
	long runs;		/* startup runs per command and method */
	int rounds;		/* density rounds per command and N */
	double settle;		/* seconds to wait for meminfo to hold still, at most */
	double timeout;		/* seconds a startup run may take */
	int use_cgroup;
	int quiet;
	int proc_root;
	struct kmodel km;	/* resident cost's kernel-side model of this machine */
	const char *cg_note;	/* why there are no cgroup figures */
	double cg_created_ms;
	/* fits over the Ns: kB per instance and kB fixed */
	double slope[BENCH_MAX_CMDS], intercept[BENCH_MAX_CMDS], r2[BENCH_MAX_CMDS];
};

/* argv with %d replaced by i and %m by mode, malloc'd (free with argv_free) */
char **argv_expand(char **argv, long i, const char *mode);
void argv_free(char **argv);

/* stats.c: CLOCK_MONOTONIC in seconds; the median of v (sorted in place);
 * the p-th percentile of sorted values, nearest rank */
double bench_now(void);
double bench_median(double *v, size_t n);
double bench_pct(const double *sorted, size_t n, double p);

/* limits.c: 0, or dies (exit 2) naming the limit and the numbers */
void limits_check(struct bench *b);

/* fleet.c */
struct fleet {
	pid_t *pids;
	long n;
	pid_t pgid;
	char cg[256];		/* the run's cgroup, "" if none */
	int cg_version;
};
/* where this machine lets us make a memory cgroup: 1 or 2, 0 with *why */
int fleet_cgroup_setup(const char **why);
/* start n instances; progress on stderr unless quiet; when fork fails,
 * stops those started and dies with one line */
void fleet_start(struct fleet *f, char **argv, long n, int use_cgroup, int quiet, const char *label);
/* the pids still running (not exited); the exited are reaped; count */
long fleet_alive(struct fleet *f);
/* kill every instance (and anything they started), reap, remove the cgroup */
void fleet_stop(struct fleet *f);
/* on SIGINT/SIGTERM/SIGHUP: stop the current fleet (and fleet_single, a
 * startup run's child), then die of the signal */
void fleet_guard(void);
extern volatile pid_t fleet_single;

/* density.c: one round of n instances into *d; then, of the rounds, the
 * one with the median total becomes c->d[ni] */
void density_round(struct bench *b, struct command *c, long n, struct density *d);
void density_pick(struct command *c, int ni, struct density *r, int rounds);
/* one instance, for the safety check: its marginal kB (0 if it exited) */
double density_probe(struct bench *b, struct command *c);

/* startup.c */
void startup_run(struct bench *b);

/* report.c */
void bench_table(const struct bench *b, FILE *f);
void bench_json(const struct bench *b, FILE *f);
void bench_csv(const struct bench *b, FILE *f);
void bench_fit(struct bench *b);

/* svg.c: 0 or -errno */
int svg_write(const struct bench *b, const char *path);

#endif
