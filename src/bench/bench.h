/* bench.h: `resident bench`: N instances of several commands, side by side,
 * measured with the kernel's own figures.
 *
 *   bench_main.c  options, the order of the runs, output
 *   limits.c      what the machine allows, checked before anything starts
 *   fleet.c       starting N instances, and never leaving one behind
 *   runner.c      the thread every fork happens on; PID namespaces
 *   cgroups.c     the run's cgroups: accounting, killing, earlier runs'
 *   census.c      what still runs below resident, from /proc
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
	double noise;		/* meminfo's total moved by this much (kB), nothing started */
	int noisy;		/* noise / alive is large against total */
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
	long nonzero;		/* startup runs that exited with another status than 0 */
	int nonzero_status;	/* the first such status */
	double probe_kb;	/* marginal kB of one instance, the safety probe */
	long escaped;		/* density: most processes seen out of the process group at once */
	long escaped_n;		/* at which N (1: the probe) */
	const char *escaped_how;	/* what killed them */
	long leftovers;		/* startup: processes its 3 warm-up runs left running */
	const char *leftovers_how;
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
	int use_pidns;
	int quiet;
	int warmup;		/* startup runs per command before the timed ones (>= 1) */
	int fail;		/* --fail: a command that exits non-zero fails the run */
	int proc_root;
	struct kmodel km;	/* resident cost's kernel-side model of this machine */
	const char *cg_note;	/* why there are no cgroup figures */
	/* fits over the Ns: kB per instance and kB fixed; meminfo's, the cgroup's */
	double slope[BENCH_MAX_CMDS], intercept[BENCH_MAX_CMDS], r2[BENCH_MAX_CMDS];
	double cg_slope[BENCH_MAX_CMDS], cg_intercept[BENCH_MAX_CMDS], cg_r2[BENCH_MAX_CMDS];
};

/* argv with %d replaced by i and %m by mode, malloc'd (free with argv_free) */
char **argv_expand(char **argv, long i, const char *mode);
void argv_free(char **argv);

/* stats.c: CLOCK_MONOTONIC in seconds; the median of v (sorted in place);
 * the p-th percentile of sorted values, nearest rank */
double bench_now(void);
double bench_median(double *v, size_t n);
double bench_pct(const double *sorted, size_t n, double p);

/* limits.c: 0, or dies (exit 2) naming the limit and the numbers; tasks
 * first, before resident enters a user namespace (where other users'
 * uids read as the overflow uid), then memory, which starts one instance
 * of each command */
void limits_tasks(struct bench *b);
void limits_memory(struct bench *b);

/* /proc/PID/stat read into buf: the fields after the name ("S ppid ..."),
 * or NULL (gone) */
const char *bench_stat_fields(pid_t pid, char *buf, size_t size);

/* cgroups.c */
#define CGS_PATH 256
enum { CGS_KILL_PROCS, CGS_KILL_V2, CGS_KILL_FREEZER };
struct cgs {
	char mem[CGS_PATH];	/* the memory cgroup, "" if none */
	char kill[CGS_PATH];	/* the one that kills all at once, "" if none */
	int mem_version;	/* 1 or 2, 0 if none */
	int kill_kind;
	int same;		/* v2: one cgroup does both */
	int mem_fd, kill_fd;	/* their cgroup.procs, which instances join; -1 */
	int home_fd;		/* where the runner goes back to, -1 */
	pid_t tid;		/* the runner, when it joined (v1 moves threads) */
};
/* find where this machine lets us make cgroups, kill and remove what runs
 * killed with SIGKILL left (*swept processes killed); the memory
 * hierarchy's version (1 or 2), 0 with *why */
int cgs_setup(int want_memory, const char **why, long *swept);
/* a run's cgroups: a memory one if asked and possible, a kill one */
void cgs_make(struct cgs *c, int memory);
/* how runs' cgroups kill: "cgroup.kill" (v2), "freezer" (v1), "memory"
 * (the members one by one), NULL (no writable cgroup) */
const char *cgs_kind(void);
/* "cgroup.kill", "freezer cgroup", "memory cgroup" or NULL */
const char *cgs_how(const struct cgs *c);
/* thread tid (the caller) joins the kill cgroup, so that what it forks
 * is there; 0 or -errno */
int cgs_enter(struct cgs *c, pid_t tid);
/* async-signal-safe: back out; kill every member; remove the cgroups */
void cgs_leave(struct cgs *c);
void cgs_kill(const struct cgs *c);
void cgs_remove(struct cgs *c);

/* census.c, async-signal-safe: the live processes below resident, but skip,
 * those in process group pgrp (0: none) and those given up on (lost); their
 * count, the first max pids into out; -errno */
long census(pid_t skip, pid_t pgrp, pid_t *out, long max);
/* reap, and SIGKILL what census finds (but skip), until nothing is left,
 * none can be signalled, or ~10 s; how many survived, added to lost */
long census_kill(pid_t skip);
#define CENSUS_LOST 64
extern pid_t census_lost[CENSUS_LOST];	/* the first of them */
extern long census_nlost;		/* all of them */

/* runner.c: start the thread every process of the run is forked from; with
 * want_ns, PID namespaces (entering a user namespace first unless root):
 * 1 if they can be made, 0 with *why; -errno.  Call it while resident
 * has one thread. */
int runner_start(int want_ns, const char **why);
/* run fn(arg) on that thread, and wait */
void runner_call(void (*fn)(void *), void *arg);
/* on that thread: the run's PID namespace (made the first time), which
 * what it forks goes into; its init's pid; 0 if none (no namespaces
 * here); -1 on failure */
pid_t runner_pidns(void);
/* async-signal-safe: kill everything in the namespace but its init */
void runner_ns_kill(void);
/* at the end: the init too */
void runner_end(void);
/* why there are no PID namespaces, NULL if there are */
const char *runner_ns_why(void);
extern pid_t runner_tid;

/* fleet.c */
struct fleet {
	pid_t *pids;
	long n;
	pid_t pgid;		/* the instances' process group, 0 if none yet */
	pid_t child_pgid;	/* the same, as the instances see it */
	pid_t init;		/* the PID namespace's init, 0 if none */
	struct cgs cg;
	const char *how;	/* what killed them (fleet_stop) */
};
enum { FLEET_MEMORY = 1, FLEET_ENTER = 2 };
/* once: the cgroups this machine allows (b->cg_note), the runner thread */
void fleet_setup(struct bench *b);
/* a fleet's cgroups (a memory one with FLEET_MEMORY), its PID namespace
 * and init; with FLEET_ENTER the runner joins the kill cgroup, for
 * startup runs (posix_spawn cannot join one itself) */
void fleet_open(struct fleet *f, int flags);
/* start n instances; progress on stderr unless quiet; when fork fails,
 * stops those started and dies with one line */
void fleet_start(struct fleet *f, char **argv, long n, int quiet, const char *label);
/* the pids still running (not exited); the exited are reaped; count */
long fleet_alive(struct fleet *f);
/* kill every instance and everything they started, reap, remove the
 * cgroups; how many processes had left the process group */
long fleet_stop(struct fleet *f);
/* which layer kills what left the process group, for messages */
const char *fleet_how(const struct fleet *f);
/* at the end: processes that could not be killed, one line, exit 4 */
void fleet_report(void);
/* on SIGINT/SIGTERM/SIGHUP/SIGPIPE: stop the current fleet (and
 * fleet_single, a startup run's child), then die of the signal */
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
void bench_markdown(const struct bench *b, FILE *f);
void bench_json(const struct bench *b, FILE *f);
void bench_csv(const struct bench *b, FILE *f);
void bench_fit(struct bench *b);

/* svg.c: 0 or -errno */
int svg_write(const struct bench *b, const char *path);

#endif
