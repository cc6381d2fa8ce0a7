/* cost_main.c: `resident cost`: options, selection, one pass or a watch loop. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/outfile.h"
#include "../proc/procfs.h"
#include "groupkey.h"
#include "report.h"

static const char usage_text[] =
	"usage: resident cost [options] [PID...]\n"
	"       resident cost --diff A B      (A, B: a PID or a program)\n"
	"       resident cost --diff OLD.json NEW.json   (saved --json reports)\n"
	"\n"
	"What processes really cost: per program and per instance, private and\n"
	"shared pages by role of each mapping, the kernel's own memory for each,\n"
	"and what N more instances would cost.\n"
	"\n"
	"selection (default: every process):\n"
	"  PID...              these processes\n"
	"  -p, --program NAME  processes of a program: exe path, its basename, or comm\n"
	"  -u, --user USER     processes of a user (name or uid)\n"
	"  -e, --match REGEX   processes whose exe path or name matches (extended)\n"
	"      --exclude REGEX leave out processes whose exe path or name matches\n"
	"      --tree PID      PID and its descendants\n"
	"      --cgroup DIR    processes of a cgroup (v2, or v1 memory), with its own totals\n"
	"output:\n"
	"      --by KIND       a row per program (default), user, cgroup (the memory\n"
	"                      cgroup), unit (systemd unit, or the cgroup), process,\n"
	"                      or library (each across the processes that map it)\n"
	"  -P, --per-process   one row per process instead of per program (--by process)\n"
	"      --maps PID      each mapping of one process with its role (pmap -X)\n"
	"  -l, --libs          each shared library's pages under its program\n"
	"  -t, --totals        totals only, from smaps_rollup: no roles, ~2x faster\n"
	"      --walk-limit SIZE  a process with more RSS (K, M, G) is not walked:\n"
	"                      status figures, no PSS or roles, no stall (~20 ms a GiB)\n"
	"      --fast          totals from smaps_rollup, roles from full smaps of 2\n"
	"                      instances of each program, scaled (for scrapes)\n"
	"  -n, --instances N   project the cost of N more instances\n"
	"  -a, --all           every program (default: the 20 first)\n"
	"      --top N         the N first programs (processes with -P)\n"
	"table (rows per instance: the mean over N; N and *_total: all instances):\n"
	"      --sort COLUMN   order by COLUMN, largest first (default marginal_total;\n"
	"                      -P: marginal)\n"
	"  -r, --reverse       smallest first\n"
	"      --columns LIST  these columns, in this order (comma-separated): n rss\n"
	"                      pss uss own swap maps pgtbl kstack slab kernel marginal\n"
	"                      and rss_total ... marginal_total; pss_pct and\n"
	"                      marginal_pct: of MemTotal\n"
	"      --no-header     the rows alone: no header, totals, roles or footer\n"
	"  -W, --wide          whole paths (default: cut to their last 34 characters)\n"
	"  -k, --kib           figures in KiB; -m, --mib in MiB; --bytes in bytes\n"
	"                      (default: K, M, G suffixes, powers of 1024)\n"
	"      --json          JSON (schema in resident-cost(1))\n"
	"      --prometheus    Prometheus text format\n"
	"  -o, --output FILE   write to FILE atomically (temp file + rename)\n"
	"  -w, --watch SECS    repeat every SECS seconds until interrupted, each\n"
	"                      report with its time\n"
	"  -c, --count N       with -w: N reports, then exit\n"
	"      --diff A B      compare two programs or PIDs role by role\n"
	"      --proc DIR      read DIR instead of /proc (tests, saved copies)\n"
	"  -j, --jobs N        readers in parallel (default: online CPUs)\n"
	"  -h, --help          this text\n"
	"\n"
	"exit: 0 read (other users' processes in a whole-machine report are\n"
	"      counted, not an error), 1 named processes unreadable or missing,\n"
	"      or malformed files, 2 usage, 3 none matched or none readable,\n"
	"      4 failure\n";

struct opts {
	struct selector sel;
	const char *programs[64];
	uid_t uids[64];
	regex_t match[16], exclude[16];
	pid_t tree;		/* --tree PID: it and its descendants, 0: none */
	uint64_t walk_limit_kb;
	pid_t *pids;
	size_t npids;
	const char *cgroup, *output, *proc, *diff[2];
	int json, prom, per_process, libs, jobs, totals, fast, maps;
	struct table_opts tab;
	long top;
	long project;
	double watch;
	long count;		/* -c: reports of a watch, 0: until interrupted */
	enum group_by by;
};

static volatile sig_atomic_t stop;
static void on_signal(int s)
{
	(void)s;
	stop = 1;
}

static long parse_num(const char *s, const char *what, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > max)
		usage_fail("%s: %s: not a number from 0 to %ld", what, s, max);
	return v;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static uid_t parse_user(const char *s)
{
	struct passwd *pw = getpwnam(s);
	if (pw)
		return pw->pw_uid;
	if (!all_digits(s))
		usage_fail("-u: %s: no such user", s);
	return (uid_t)parse_num(s, "-u", 0x7fffffff);
}

/* a --diff operand that names a saved report (resident cost --json), not
 * a PID or a program: with a / or ending in .json (a program given as a
 * path is then a report to read: a path to a program's exe is not JSON,
 * and says so) */
static int saved_report(const char *s)
{
	size_t n = strlen(s);
	return !all_digits(s) && (strchr(s, '/') || (n > 5 && !strcmp(s + n - 5, ".json")));
}

/* the parent of pid, from its stat (the field after the state), or 0 */
static pid_t parent_of(int root, pid_t pid)
{
	char name[32], buf[1024];
	snprintf(name, sizeof name, "%d/stat", (int)pid);
	if (procfs_read(root, name, buf, sizeof buf) <= 0)
		return 0;
	const char *c = strrchr(buf, ')');
	int ppid = 0;
	return c && sscanf(c + 2, "%*c %d", &ppid) == 1 ? (pid_t)ppid : 0;
}

/* --tree PID: keep PID and its descendants among pids[0, n), in place;
 * how many.  Parents are read once each; a process whose parent chain
 * does not reach PID (or loops) is dropped */
static size_t tree_of(int root, pid_t top, pid_t *pids, size_t n)
{
	pid_t *par = malloc((n ? n : 1) * sizeof *par);
	signed char *in = calloc(n ? n : 1, 1);	/* 0 unknown, 1 in, -1 out */
	if (!par || !in)
		die(EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < n; i++)
		par[i] = parent_of(root, pids[i]);
	for (size_t i = 0; i < n; i++) {
		pid_t p = pids[i];
		int steps = 0, verdict = -1;
		while (p && steps++ < 4096) {
			if (p == top) {
				verdict = 1;
				break;
			}
			size_t j;
			for (j = 0; j < n && pids[j] != p; j++)
				;
			if (j == n)
				break;
			if (in[j]) {
				verdict = in[j];
				break;
			}
			p = par[j];
		}
		in[i] = (signed char)verdict;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (in[i] == 1)
			pids[k++] = pids[i];
	free(par);
	free(in);
	return k;
}

/* --fast: every process was read from smaps_rollup (exact totals, the
 * kernel formats one line per field instead of ~25 per mapping); the
 * roles of a program come from full smaps of FAST_SAMPLE of its
 * instances, scaled to all of them: instances of a program map the same
 * way, their pages differ by what each wrote */
enum { FAST_SAMPLE = 2 };

static void sample_roles(struct report *r, const struct collect_opts *co)
{
	size_t want = 0;
	for (size_t g = 0; g < r->ngroups; g++)
		want += r->groups[g].n < FAST_SAMPLE ? r->groups[g].n : FAST_SAMPLE;
	pid_t *pids = calloc(want + 1, sizeof *pids);
	struct pcost *pc = calloc(want + 1, sizeof *pc);
	if (!pids || !pc)
		die(EXIT_FAIL, "out of memory");
	size_t k = 0;
	for (size_t g = 0; g < r->ngroups; g++)
		for (size_t i = 0; i < r->groups[g].n && i < FAST_SAMPLE; i++)
			pids[k++] = r->groups[g].members[i]->pid;
	struct collect_opts full = *co;
	full.totals = full.rollup_only = 0;
	collect(&full, pids, k, pc);
	k = 0;
	for (size_t g = 0; g < r->ngroups; g++) {
		struct group *gr = &r->groups[g];
		size_t took = gr->n < FAST_SAMPLE ? gr->n : FAST_SAMPLE, got = 0;
		struct memsum role[ROLE_N];
		memset(role, 0, sizeof role);
		for (size_t i = 0; i < took; i++, k++) {
			if (pc[k].state != PS_OK)
				continue;	/* gone since: the others stand for it */
			got++;
			for (int x = 0; x < ROLE_N; x++)
				memsum_add(&role[x], &pc[k].role[x]);
		}
		gr->sampled = got;
		uint64_t own = 0;
		for (int x = 0; x < ROLE_N && got; x++) {
			for (int f = 0; f < SM_NFIELDS; f++)
				gr->role[x].kb[f] = role[x].kb[f] * gr->n / got;
			gr->role[x].own = role[x].own * gr->n / got;
			gr->role[x].maps = role[x].maps * gr->n / got;
			own += gr->role[x].own;
		}
		/* own pages need each mapping's kind (a rollup approximates them):
		 * the sampled instances', scaled, as the roles */
		if (got)
			gr->total.own = own;
		/* the mappings the kernel model counts (vm_area_structs, files):
		 * the sample's mean for every instance, the kernel side again */
		if (got) {
			struct kcounts mean = { 0 };
			for (size_t i = k - took; i < k; i++)
				if (pc[i].state == PS_OK) {
					mean.maps += pc[i].kc.maps;
					mean.anon_maps += pc[i].kc.anon_maps;
					mean.files += pc[i].kc.files;
				}
			memset(&gr->ks, 0, sizeof gr->ks);
			gr->total.maps = 0;
			for (size_t m = 0; m < gr->n; m++) {
				struct pcost *q = gr->members[m];
				q->kc.maps = mean.maps / got;
				q->kc.anon_maps = mean.anon_maps / got;
				q->kc.files = mean.files / got;
				q->total.maps = q->kc.maps;
				kmodel_estimate(r->km, &q->kc, &q->ks);
				kside_add(&gr->ks, &q->ks);
				gr->total.maps += q->total.maps;
			}
		}
	}
	r->fast_procs = pc;
	r->fast_nprocs = want;
	free(pids);
}

/* the whole pass: select, read, group, advise */
static int run_once(const struct opts *o, int root, const struct kmodel *km, struct report *r,
		    pid_t **pids_out, struct cgroup_mem *cg)
{
	pid_t *pids;
	long n;
	memset(r, 0, sizeof *r);
	r->km = km;
	r->project = o->project;
	r->per_process = o->per_process;
	r->libs = o->libs;
	r->totals = o->totals;
	r->fast = o->fast;
	r->root = root;
	r->named = o->npids || o->sel.nprograms || o->sel.nuids || o->sel.nmatch || o->cgroup || o->tree;
	r->top = o->diff[0] ? 0 : (int)o->top;
	r->tab = o->tab;
	r->by = o->by;
	r->time = time(NULL);

	/* meminfo first: reading per-process files allocates kernel memory */
	if (meminfo_read(root, r->meminfo, &r->meminfo_seen) < 0)
		r->meminfo_seen = 0;
	if (o->cgroup) {
		n = cgroup_pids(o->cgroup, &pids);
		if (n < 0)
			die_errno(EXIT_FAIL, (int)n, "%s/cgroup.procs", o->cgroup);
		const char *why;
		int rc = cgroup_memory(o->cgroup, cg, &why);
		if (rc == -EINVAL)
			warn("%s/memory.stat: %s", o->cgroup, why);
		r->cg = cg;
	} else if (o->npids) {
		pids = malloc(o->npids * sizeof *pids);
		if (!pids)
			die(EXIT_FAIL, "out of memory");
		memcpy(pids, o->pids, o->npids * sizeof *pids);
		n = (long)o->npids;
	} else {
		n = procfs_pids(root, &pids);
		if (n < 0)
			die_errno(EXIT_FAIL, (int)n, "%s", o->proc ? o->proc : "/proc");
	}
	if (o->tree)
		n = (long)tree_of(root, o->tree, pids, (size_t)n);
	struct pcost *pc = calloc((size_t)n + 1, sizeof *pc);
	if (!pc)
		die(EXIT_FAIL, "out of memory");
	struct collect_opts co = { .proc_root = root, .want_libs = o->libs || o->by == BY_LIBRARY,
				   .totals = o->totals || o->fast, .rollup_only = o->fast, .threads = o->jobs, .sel = &o->sel,
				   .km = km, .walk_limit_kb = o->walk_limit_kb };
	collect(&co, pids, (size_t)n, pc);

	struct tally *t = &r->t;
	for (long i = 0; i < n; i++)
		t->unwalked += pc[i].state == PS_OK && pc[i].unwalked;
	int named = o->npids > 0;
	for (long i = 0; i < n; i++) {
		switch (pc[i].state) {
		case PS_OK: t->read++; t->seen++; break;
		case PS_DENIED: t->denied++; t->seen++; break;
		case PS_MALFORMED: t->malformed++; t->seen++; break;
		case PS_GONE:
			if (named) {
				t->missing++;
				warn("pid %d: no such process", (int)pc[i].pid);
			} else {
				t->gone++;
			}
			break;
		case PS_KTHREAD: t->kthreads++; break;
		case PS_ZOMBIE: t->zombies++; break;
		case PS_FILTERED: break;
		}
	}
	/* a program named with -p that no process runs is said, as a PID
	 * that is not there is (--diff says it of its own operands) */
	for (size_t k = 0; k < o->sel.nprograms && !o->diff[0]; k++) {
		struct selector one = { .programs = &o->sel.programs[k], .nprograms = 1 };
		int hit = 0;
		for (long i = 0; i < n && !hit; i++)
			hit = (pc[i].state == PS_OK || pc[i].state == PS_DENIED || pc[i].state == PS_MALFORMED) &&
			      selector_match(&one, pc[i].exe && pc[i].exe[0] != '[' ? pc[i].exe : "", pc[i].name, 0);
		if (!hit) {
			t->missing++;
			warn("-p %s: no process runs this program", o->sel.programs[k]);
		}
	}
	r->procs = pc;
	r->nprocs = (size_t)n;
	if (o->by != BY_PROGRAM && o->by != BY_LIBRARY) {
		r->keys = calloc((size_t)n + 1, sizeof *r->keys);
		if (!r->keys)
			die(EXIT_FAIL, "out of memory");
		group_keys(root, o->by, pc, (size_t)n, r->keys);
		r->ngroups = group_by_keys(pc, r->keys, (size_t)n, &r->groups);
	} else {
		r->ngroups = group_by_exe(pc, (size_t)n, &r->groups);
	}
	if (o->fast)
		sample_roles(r, &co);
	/* the advice is about programs (link, image, heap) */
	for (size_t g = 0; g < r->ngroups && o->by == BY_PROGRAM; g++)
		advise(&r->groups[g], km);
	*pids_out = pids;
	return report_status(r);
}

static void report_free(struct report *r, pid_t *pids)
{
	if (r->fast_procs) {
		pcost_free(r->fast_procs, r->fast_nprocs);
		free(r->fast_procs);
	}
	groups_free(r->groups, r->ngroups);
	for (size_t i = 0; r->keys && i < r->nprocs; i++)
		free(r->keys[i]);
	free(r->keys);
	pcost_free(r->procs, r->nprocs);
	free(r->procs);
	free(pids);
}

/* the group a diff operand names: a PID's process alone, or a program's instances */
static const struct group *diff_operand(const struct report *r, const char *what, struct group *one)
{
	if (all_digits(what)) {
		pid_t pid = (pid_t)atol(what);
		for (size_t i = 0; i < r->nprocs; i++) {
			struct pcost *p = &r->procs[i];
			if (p->pid != pid)
				continue;
			if (p->state != PS_OK)
				die(EXIT_NOTHING, "pid %s: %s", what,
				    p->state == PS_DENIED ? "smaps not readable (no permission)" : "not readable");
			memset(one, 0, sizeof *one);
			one->exe = p->exe;
			one->n = 1;
			one->total = p->total;
			memcpy(one->role, p->role, sizeof one->role);
			one->ks = p->ks;
			one->threads = p->kc.threads;
			return one;
		}
		die(EXIT_NOTHING, "pid %s: no such process", what);
	}
	struct selector s = { .programs = &what, .nprograms = 1 };
	for (size_t g = 0; g < r->ngroups; g++)
		if (selector_match(&s, r->groups[g].exe, r->groups[g].members[0]->name, 0))
			return &r->groups[g];
	die(EXIT_NOTHING, "%s: no readable process runs this program", what);
}

/* --diff reads more than its operands when one is a PID and the other a
 * program: its status is the operands' own.  1 if a process an operand
 * names could not be read, else 0 (an operand with none readable died) */
static int diff_status(const struct opts *o, const struct report *r)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pcost *p = &r->procs[i];
		if (p->state != PS_DENIED && p->state != PS_MALFORMED)
			continue;
		for (int k = 0; k < 2; k++) {
			const char *what = o->diff[k];
			struct selector s = { .programs = &what, .nprograms = 1 };
			if (all_digits(what) ? atol(what) == (long)p->pid
					     : selector_match(&s, p->exe ? p->exe : "", p->name, 0))
				return EXIT_PARTIAL;
		}
	}
	return EXIT_OK;
}

/* "2026-11-29T04:43:15Z" */
static const char *iso_time(time_t t, char *b)
{
	struct tm tm;
	strftime(b, 64, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	return b;
}

/* the report, to stdout or -o FILE; for --diff, the operands are found
 * first, so that a run that cannot do them writes nothing */
static void emit(const struct opts *o, const struct report *r)
{
	struct group ga, gb;
	const struct group *a = NULL, *b = NULL;
	if (o->diff[0]) {
		a = diff_operand(r, o->diff[0], &ga);
		b = diff_operand(r, o->diff[1], &gb);
	}
	struct outfile of;
	FILE *f = outfile_open(&of, o->output);
	if (o->diff[0]) {
		report_diff(f, r, a, o->diff[0], b, o->diff[1], o->json);
	} else if (o->maps) {
		for (size_t i = 0; i < r->nprocs; i++)
			if (r->procs[i].state == PS_OK)
				report_maps(f, r->root, r->procs[i].pid, &r->procs[i], o->json, o->tab.unit);
	} else if (o->by == BY_LIBRARY) {
		report_libraries(f, r, o->json);
	} else if (o->json) {
		report_json(f, r);
	} else if (o->prom) {
		report_prom(f, r);
	} else {
		if (o->watch > 0 && !o->output && isatty(1))
			fputs("\033[H\033[2J", f);
		if (o->watch > 0) {
			/* each report of a watch says when it was taken */
			char when[64];
			fprintf(f, "%s%s\n", r->round > 1 && !o->output && !isatty(1) ? "\n" : "", iso_time(r->time, when));
		}
		report_table(f, r);
	}
	outfile_commit(&of);
}

/* long options without a short form */
enum { O_CGROUP = 256, O_JSON, O_PROM, O_DIFF, O_PROC, O_TOP, O_SORT, O_COLUMNS, O_NO_HEADER, O_BYTES, O_BY, O_FAST, O_MAPS,
       O_EXCLUDE, O_TREE, O_WALK_LIMIT };

int cmd_cost(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "program", required_argument, 0, 'p' }, { "user", required_argument, 0, 'u' },
		{ "cgroup", required_argument, 0, O_CGROUP }, { "per-process", no_argument, 0, 'P' },
		{ "libs", no_argument, 0, 'l' }, { "instances", required_argument, 0, 'n' },
		{ "all", no_argument, 0, 'a' }, { "json", no_argument, 0, O_JSON },
		{ "prometheus", no_argument, 0, O_PROM }, { "output", required_argument, 0, 'o' },
		{ "watch", required_argument, 0, 'w' }, { "count", required_argument, 0, 'c' }, { "diff", no_argument, 0, O_DIFF },
		{ "proc", required_argument, 0, O_PROC }, { "jobs", required_argument, 0, 'j' },
		{ "totals", no_argument, 0, 't' }, { "top", required_argument, 0, O_TOP },
		{ "sort", required_argument, 0, O_SORT }, { "reverse", no_argument, 0, 'r' },
		{ "columns", required_argument, 0, O_COLUMNS }, { "no-header", no_argument, 0, O_NO_HEADER },
		{ "wide", no_argument, 0, 'W' }, { "kib", no_argument, 0, 'k' }, { "mib", no_argument, 0, 'm' },
		{ "bytes", no_argument, 0, O_BYTES }, { "by", required_argument, 0, O_BY },
		{ "fast", no_argument, 0, O_FAST }, { "maps", no_argument, 0, O_MAPS },
		{ "match", required_argument, 0, 'e' }, { "exclude", required_argument, 0, O_EXCLUDE },
		{ "tree", required_argument, 0, O_TREE }, { "walk-limit", required_argument, 0, O_WALK_LIMIT },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	struct opts o;
	memset(&o, 0, sizeof o);
	o.sel.programs = o.programs;
	o.sel.uids = o.uids;
	o.sel.match = o.match;
	o.sel.exclude = o.exclude;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = ncpu > 0 ? (int)ncpu : 1;
	o.top = 20;
	o.tab.sort = -1;
	int diff = 0, c;
	usage_init("cost");
	/* options anywhere before `--`: getopt_long permutes (usage.h) */
	while ((c = getopt_long(argc, argv, ":p:u:Pltn:ao:w:c:j:hrWkme:", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (o.sel.nprograms == 64)
				usage_fail("-p: at most 64 programs");
			o.programs[o.sel.nprograms++] = optarg;
			break;
		case 'u':
			if (o.sel.nuids == 64)
				usage_fail("-u: at most 64 users");
			o.uids[o.sel.nuids++] = parse_user(optarg);
			break;
		case O_CGROUP: o.cgroup = optarg; break;
		case 'P': o.per_process = 1; break;
		case 'l': o.libs = 1; break;
		case 't': o.totals = 1; break;
		case 'n': o.project = parse_num(optarg, "-n", 100000000); break;
		case 'a': o.top = 0; break;
		case O_TOP: o.top = parse_num(optarg, "--top", 1000000); break;
		case O_SORT:
			if ((o.tab.sort = col_lookup(optarg)) < 0)
				usage_fail("--sort: %s: no such column (%s)", optarg, col_names());
			break;
		case 'r': o.tab.reverse = 1; break;
		case O_COLUMNS: {
			const char *bad;
			if ((o.tab.ncols = col_parse(optarg, o.tab.cols, COL_NCOLS, &bad)) == -2)
				usage_fail("--columns: more than %d columns", COL_NCOLS);
			if (o.tab.ncols < 0)
				usage_fail("--columns: %s: no such column (%s)", bad, col_names());
			break;
		}
		case O_NO_HEADER: o.tab.no_header = 1; break;
		case O_FAST: o.fast = 1; break;
		case O_MAPS: o.maps = 1; break;
		case 'e':
		case O_EXCLUDE: {
			regex_t *rx = c == 'e' ? &o.match[o.sel.nmatch] : &o.exclude[o.sel.nexclude];
			if ((c == 'e' ? o.sel.nmatch : o.sel.nexclude) == 16)
				usage_fail("%s: at most 16", c == 'e' ? "-e" : "--exclude");
			int e = regcomp(rx, optarg, REG_EXTENDED | REG_NOSUB);
			if (e) {
				char msg[128];
				regerror(e, rx, msg, sizeof msg);
				usage_fail("%s: %s: %s", c == 'e' ? "-e" : "--exclude", optarg, msg);
			}
			if (c == 'e')
				o.sel.nmatch++;
			else
				o.sel.nexclude++;
			break;
		}
		case O_WALK_LIMIT: {
			char *end;
			double v = strtod(optarg, &end);
			double mul = !*end ? 1.0 / 1024 : !strcmp(end, "K") ? 1 : !strcmp(end, "M") ? 1024
				   : !strcmp(end, "G") ? 1024 * 1024 : -1;
			if (end == optarg || mul < 0 || !(v > 0) || v * mul < 1 || !(v * mul < 1e15))
				usage_fail("--walk-limit: %s: not a size (bytes, or with K, M, G; below 1 EiB)", optarg);
			o.walk_limit_kb = (uint64_t)(v * mul);
			break;
		}
		case O_TREE:
			if (o.tree)
				usage_fail("--tree: once (the descendants of one process)");
			if (!all_digits(optarg) || strlen(optarg) > 9 || atol(optarg) == 0)
				usage_fail("--tree: %s: not a process ID", optarg);
			o.tree = (pid_t)atol(optarg);
			break;
		case O_BY:
			if (!strcmp(optarg, "process"))
				o.per_process = 1;
			else if ((int)(o.by = (enum group_by)group_by_parse(optarg)) < 0)
				usage_fail("--by: %s: not program, user, cgroup, unit, library or process", optarg);
			break;
		case 'W': o.tab.wide = 1; break;
		case 'k': o.tab.unit = UNIT_KIB; break;
		case 'm': o.tab.unit = UNIT_MIB; break;
		case O_BYTES: o.tab.unit = UNIT_BYTES; break;
		case O_JSON: o.json = 1; break;
		case O_PROM: o.prom = 1; break;
		case 'o': o.output = optarg; break;
		case 'w': {
			char *end;
			o.watch = strtod(optarg, &end);
			if (end == optarg || *end || !(o.watch >= 0.1 && o.watch <= 86400))
				usage_fail("-w: %s: not a number of seconds from 0.1 to 86400", optarg);
			break;
		}
		case 'c':
			if ((o.count = parse_num(optarg, "-c", 100000000)) == 0)
				usage_fail("-c: 0: a watch of no report (from 1)");
			break;
		case O_DIFF: diff = 1; break;
		case O_PROC: o.proc = optarg; break;
		case 'j': o.jobs = (int)parse_num(optarg, "-j", 64); break;
		case 'h': return usage_help(usage_text);
		default: usage_bad_option(c, argv);
		}
	}
	if (o.maps && (argc - optind != 1 || diff || o.prom || o.cgroup || o.sel.nprograms || o.sel.nuids))
		usage_fail("--maps lists one process: --maps PID, and no other selection");
	if (o.fast && (o.totals || o.libs || diff || o.per_process || o.by == BY_LIBRARY))
		usage_fail("--fast samples a program's roles: not with --totals, --libs, --diff, -P or --by library");
	if (o.totals && (o.libs || diff))
		usage_fail("--totals has no roles: it does not go with --libs or --diff");
	if (o.by == BY_LIBRARY && (o.prom || o.totals || o.tab.ncols || o.tab.sort >= 0))
		usage_fail("--by library: a table or JSON of its own, read from full smaps (no --prometheus, --totals, "
			   "--columns or --sort)");
	if (o.by != BY_PROGRAM && (diff || o.per_process))
		usage_fail("--by %s: rows are not programs, so not with --diff or -P", group_by_label(o.by));
	if (o.prom && o.watch > 0 && !o.output)
		usage_fail("--prometheus with -w: give -o FILE (each report replaces the last; one exposition a file)");
	if (o.count && o.watch <= 0)
		usage_fail("-c counts the reports of a watch: give -w SECS too");
	if (o.json + o.prom > 1)
		usage_fail("--json and --prometheus: choose one");
	if (diff && argc - optind == 2 && saved_report(argv[optind]) != saved_report(argv[optind + 1]) &&
	    (access(argv[optind], F_OK) == 0 || access(argv[optind + 1], F_OK) == 0))
		usage_fail("--diff: two saved reports, or two PIDs or programs: not one of each");
	if (diff && argc - optind == 2 && saved_report(argv[optind]) && saved_report(argv[optind + 1]) &&
	    (access(argv[optind], F_OK) == 0 || access(argv[optind + 1], F_OK) == 0 ||
	     strstr(argv[optind], ".json") || strstr(argv[optind + 1], ".json"))) {
		/* two saved reports: nothing to read from /proc */
		if (o.prom)
			usage_fail("--diff has no Prometheus form");
		struct outfile of;
		FILE *f = outfile_open(&of, o.output);
		report_saved_diff(f, argv[optind], argv[optind + 1], o.json, o.tab.unit);
		outfile_commit(&of);
		return EXIT_OK;
	}
	if (diff) {
		if (argc - optind != 2)
			usage_fail("--diff takes two operands: a PID or a program each");
		o.diff[0] = argv[optind];
		o.diff[1] = argv[optind + 1];
		if (o.prom)
			usage_fail("--diff has no Prometheus form");
		/* read only what the two operands need */
		if (o.sel.nprograms > 62)
			usage_fail("--diff: at most 62 programs with -p");
		for (int i = 0; i < 2; i++)
			if (!all_digits(o.diff[i]))
				o.programs[o.sel.nprograms++] = o.diff[i];
		if (all_digits(o.diff[0]) && all_digits(o.diff[1])) {
			o.pids = malloc(2 * sizeof *o.pids);
			if (!o.pids)
				die(EXIT_FAIL, "out of memory");
			o.pids[0] = (pid_t)atol(o.diff[0]);
			o.pids[1] = (pid_t)atol(o.diff[1]);
			o.npids = 2;
		} else if (all_digits(o.diff[0]) || all_digits(o.diff[1])) {
			o.sel.nprograms = 0;	/* a PID and a program: read all */
		}
	} else if (optind < argc) {
		if (o.cgroup)
			usage_fail("PIDs and --cgroup: choose one");
		o.npids = (size_t)(argc - optind);
		o.pids = malloc(o.npids * sizeof *o.pids);
		if (!o.pids)
			die(EXIT_FAIL, "out of memory");
		for (size_t i = 0; i < o.npids; i++) {
			const char *a = argv[optind + (int)i];
			if (!all_digits(a) || strlen(a) > 9 || atol(a) == 0)
				usage_fail("%s: not a process ID", a);
			o.pids[i] = (pid_t)atol(a);
		}
	}
	int root = procfs_open(o.proc ? o.proc : "/proc");
	if (root < 0)
		die_errno(EXIT_FAIL, root, "%s", o.proc ? o.proc : "/proc");
	struct kmodel km;
	kmodel_init(&km, root);

	struct sigaction sa = { .sa_handler = on_signal };
	if (o.watch > 0) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	int status;
	long round = 0;
	do {
		struct report r;
		struct cgroup_mem cg;
		pid_t *pids;
		status = run_once(&o, root, &km, &r, &pids, &cg);
		r.round = ++round;
		if (status == EXIT_NOTHING && !o.diff[0] && o.watch <= 0)
			report_die_nothing(&r);
		emit(&o, &r);
		if (o.diff[0])
			status = diff_status(&o, &r);
		fflush(stdout);
		report_free(&r, pids);
		if (o.watch > 0 && !stop && (!o.count || round < o.count)) {
			struct timespec ts = { (time_t)o.watch, (long)((o.watch - (time_t)o.watch) * 1e9) };
			nanosleep(&ts, NULL);
		}
	} while (o.watch > 0 && !stop && (!o.count || round < o.count));
	free(o.pids);
	for (size_t i = 0; i < o.sel.nmatch; i++)
		regfree(&o.match[i]);
	for (size_t i = 0; i < o.sel.nexclude; i++)
		regfree(&o.exclude[i]);
	close(root);
	return o.watch > 0 ? EXIT_OK : status;
}
