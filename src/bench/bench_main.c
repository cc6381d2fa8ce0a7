/* bench_main.c: `resident bench [OPTIONS] -- CMD [ARGS] [--vs CMD [ARGS]]...` */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/outfile.h"
#include "../proc/procfs.h"
#include "bench.h"

static const char usage_text[] =
	"usage: resident bench [OPTIONS] -- CMD [ARGS...] [--vs CMD [ARGS...]]...\n"
	"\n"
	"Run the commands side by side and measure, with the kernel's own figures,\n"
	"what one more instance of each costs (density) and how long one exec of\n"
	"each takes (startup). In arguments, %d is the instance (or run) number,\n"
	"%m the mode (density or startup), %% a percent sign.\n"
	"\n"
	"  -n, --instances LIST  density at each N in LIST (comma-separated): N\n"
	"                        instances run at once, one command at a time;\n"
	"                        memory from /proc/meminfo deltas and a memory\n"
	"                        cgroup made for the run; several N: a linear fit\n"
	"                        (a warning when N is too small for meminfo)\n"
	"  -r, --startup R       R timed execs of each command, fork+exec and\n"
	"                        posix_spawn, interleaved; median, p90, p99, faults\n"
	"                        (default, with neither option: -n 100 -r 200)\n"
	"      --rounds K        density rounds per command and N, interleaved\n"
	"                        A B A B; the median round is kept (default 1)\n"
	"      --settle SECS     wait at most SECS for meminfo to hold still (10)\n"
	"      --timeout SECS    a startup run may take SECS at most (10)\n"
	"      --no-cgroup       no memory cgroup, meminfo deltas only\n"
	"      --no-pidns        no PID namespace for the commands' processes\n"
	"      --json, --csv     output as JSON (resident-bench/1) or CSV\n"
	"      --svg FILE        also write the plot to FILE\n"
	"      --export-markdown FILE  also write the results as a Markdown table\n"
	"  -N, --name NAME       the next command's name in the results (once per\n"
	"                        command, in order; default: its arguments)\n"
	"      --warmup K        untimed startup runs of each command first (3); the\n"
	"                        first one also tells a command that stays up (a\n"
	"                        server: waiting with no CPU time for 1 s) at once\n"
	"      --fail            a command that exits with another status than 0\n"
	"                        fails the run (exit 1); without it, it is said\n"
	"  -o, --output FILE     write the output to FILE (atomically)\n"
	"  -q, --quiet           no progress on stderr\n"
	"  -h, --help            this text\n"
	"\n"
	"Options go before --; the commands after it.\n"
	"Before starting anything it refuses N beyond pid_max, threads-max, `ulimit -u`\n"
	"or MemAvailable (one instance of each is measured first). Everything the\n"
	"commands start is killed with the run: in a PID namespace (as root, or in a\n"
	"user namespace), a cgroup that kills its members at once (v2 cgroup.kill,\n"
	"v1 freezer) where writable, and as resident's orphans otherwise; also on\n"
	"SIGINT, SIGTERM, SIGHUP, and if resident itself dies.\n"
	"exit: 0 all measured, 1 some command could not be, 2 usage or refused,\n"
	"4 failure, or processes the run started could not be killed\n";

static int parse_list(struct bench *b, const char *s)
{
	char *end;
	b->nns = 0;
	for (;;) {
		errno = 0;
		long v = strtol(s, &end, 10);
		if (end == s || errno || v < 1 || b->nns == BENCH_MAX_NS)
			return -1;
		b->ns[b->nns++] = v;
		if (!*end)
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static double parse_secs(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v > 0) || v > 86400)
		usage_fail("%s: '%s' is not a number of seconds", opt, s);
	return v;
}

static char *join(char **argv)
{
	size_t n = 1;
	for (char **a = argv; *a; a++)
		n += strlen(*a) + 1;
	char *s = malloc(n), *w = s;
	if (!s)
		die(EXIT_FAIL, "out of memory");
	for (char **a = argv; *a; a++)
		w += sprintf(w, "%s%s", a == argv ? "" : " ", *a);
	*w = 0;
	return s;
}

/* split "CMD ARGS --vs CMD ARGS ..." in place */
static void commands(struct bench *b, int argc, char **argv)
{
	int start = 0;
	for (int i = 0; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "--vs"))
			continue;
		if (i == start)
			usage_fail("an empty command (before or after --vs)");
		if (b->ncmds == BENCH_MAX_CMDS)
			usage_fail("more than %d commands", BENCH_MAX_CMDS);
		struct command *c = &b->cmd[b->ncmds++];
		argv[i] = NULL;	/* argv[argc] is NULL already */
		c->argv = argv + start;
		c->label = join(c->argv);
		start = i + 1;
	}
}

/* commands whose processes left the process group: one line each */
static void escapes(const struct bench *b)
{
	for (int j = 0; j < b->ncmds; j++) {
		const struct command *c = &b->cmd[j];
		if (c->escaped)
			warn("%s: %ld processes left the process group at N=%ld (setsid, daemons); "
			     "killed with the run (%s)", c->label, c->escaped, c->escaped_n, c->escaped_how);
		if (c->leftovers)
			warn("%s: leaves processes running after it exits (%ld after %d runs: setsid, daemons), so "
			     "startup times leave out their work; killed with the run (%s)", c->label, c->leftovers,
			     b->warmup, c->leftovers_how);
	}
}

int cmd_bench(int argc, char **argv)
{
	enum { O_ROUNDS = 256, O_SETTLE, O_TIMEOUT, O_NOCG, O_NOPIDNS, O_JSON, O_CSV, O_SVG, O_WARMUP, O_MD, O_FAIL };
	static const struct option lo[] = {
		{ "instances", required_argument, 0, 'n' }, { "startup", required_argument, 0, 'r' },
		{ "rounds", required_argument, 0, O_ROUNDS }, { "settle", required_argument, 0, O_SETTLE },
		{ "timeout", required_argument, 0, O_TIMEOUT }, { "no-cgroup", no_argument, 0, O_NOCG },
		{ "no-pidns", no_argument, 0, O_NOPIDNS },
		{ "json", no_argument, 0, O_JSON }, { "csv", no_argument, 0, O_CSV },
		{ "svg", required_argument, 0, O_SVG }, { "output", required_argument, 0, 'o' },
		{ "quiet", no_argument, 0, 'q' }, { "help", no_argument, 0, 'h' },
		{ "warmup", required_argument, 0, O_WARMUP }, { "name", required_argument, 0, 'N' },
		{ "export-markdown", required_argument, 0, O_MD }, { "fail", no_argument, 0, O_FAIL }, { 0, 0, 0, 0 },
	};
	static struct bench b;
	memset(&b, 0, sizeof b);
	b.rounds = 1;
	b.settle = 10;
	b.timeout = 10;
	b.use_cgroup = 1;
	b.use_pidns = 1;
	b.runs = -1;
	int json = 0, csv = 0, have_n = 0, c, nnames = 0;
	const char *svg = NULL, *out = NULL, *md = NULL, *names[BENCH_MAX_CMDS];
	b.warmup = 3;
	usage_init("bench");
	/* getopt sees what comes before the first --, in any order; the
	 * commands after it are theirs (their options, --vs) */
	int dd = 1;
	while (dd < argc && strcmp(argv[dd], "--"))
		dd++;
	while ((c = getopt_long(dd, argv, ":n:r:o:qhN:", lo, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'n':
			if (parse_list(&b, optarg))
				usage_fail("--instances: '%s' is not a list of counts (at most %d, each >= 1)", optarg,
					   BENCH_MAX_NS);
			have_n = 1;
			break;
		case 'r':
			errno = 0;
			b.runs = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || b.runs < 0 || b.runs > 10000000)
				usage_fail("--startup: '%s' is not a number of runs", optarg);
			break;
		case O_ROUNDS:
			b.rounds = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || b.rounds < 1 || b.rounds > BENCH_MAX_ROUNDS)
				usage_fail("--rounds: '%s' is not a number from 1 to %d", optarg, BENCH_MAX_ROUNDS);
			break;
		case O_SETTLE: b.settle = parse_secs("--settle", optarg); break;
		case O_TIMEOUT: b.timeout = parse_secs("--timeout", optarg); break;
		case O_NOCG: b.use_cgroup = 0; break;
		case O_NOPIDNS: b.use_pidns = 0; break;
		case O_JSON: json = 1; break;
		case O_CSV: csv = 1; break;
		case O_SVG: svg = optarg; break;
		case 'o': out = optarg; break;
		case 'q': b.quiet = 1; break;
		case O_WARMUP: {
			long w = strtol(optarg, &end, 10);
			if (end == optarg || *end || w < 1 || w > 1000)
				usage_fail("--warmup: '%s' is not a number from 1 to 1000", optarg);
			b.warmup = (int)w;
			break;
		}
		case 'N':
			if (nnames == BENCH_MAX_CMDS)
				usage_fail("--name: more than %d names", BENCH_MAX_CMDS);
			if (!*optarg)
				usage_fail("--name: an empty name");
			names[nnames++] = optarg;
			break;
		case O_MD:
			if (!*optarg)
				usage_fail("--export-markdown: an empty file name");
			md = optarg;
			break;
		case O_FAIL: b.fail = 1; break;
		case 'h': return usage_help(usage_text);
		default: usage_bad_option(c, argv);
		}
	}
	if (optind < dd)
		usage_fail("%s: the commands go after --", argv[optind]);
	if (dd + 1 >= argc)
		usage_fail("no command (resident bench [OPTIONS] -- CMD [ARGS...])");
	if (json && csv)
		usage_fail("--json and --csv: choose one");
	commands(&b, argc - dd - 1, argv + dd + 1);
	if (nnames > b.ncmds)
		usage_fail("--name: %d names for %d commands", nnames, b.ncmds);
	for (int i = 0; i < nnames; i++) {
		free(b.cmd[i].label);
		b.cmd[i].label = strdup(names[i]);
		if (!b.cmd[i].label)
			die(EXIT_FAIL, "out of memory");
	}
	/* names and arguments as a table and a terminal show them: a control
	 * character (a newline, ESC) as '?' */
	for (int i = 0; i < b.ncmds; i++)
		for (char *p = b.cmd[i].label; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	/* the Markdown file first: a path that cannot be written fails before
	 * the runs, not after them */
	struct outfile mo, o;
	FILE *mf = md ? outfile_open(&mo, md) : NULL;
	FILE *f = outfile_open(&o, out);
	if (!have_n && b.runs < 0) {
		b.ns[0] = 100;
		b.nns = 1;
		b.runs = 200;
	}
	if (b.runs < 0)
		b.runs = 0;
	b.proc_root = procfs_open("/proc");
	if (b.proc_root < 0)
		die_errno(EXIT_FAIL, b.proc_root, "/proc");
	kmodel_init(&b.km, b.proc_root);

	fleet_guard();
	limits_tasks(&b);
	fleet_setup(&b);
	if (b.nns > 0) {
		limits_memory(&b);
		/* A B A B: every command once per round, each N in turn */
		static struct density r[BENCH_MAX_CMDS][BENCH_MAX_ROUNDS];
		for (int i = 0; i < b.nns; i++) {
			for (int k = 0; k < b.rounds; k++)
				for (int j = 0; j < b.ncmds; j++)
					density_round(&b, &b.cmd[j], b.ns[i], &r[j][k]);
			for (int j = 0; j < b.ncmds; j++)
				density_pick(&b.cmd[j], i, r[j], b.rounds);
		}
		bench_fit(&b);
	}
	startup_run(&b);

	if (json)
		bench_json(&b, f);
	else if (csv)
		bench_csv(&b, f);
	else
		bench_table(&b, f);
	outfile_commit(&o);
	if (svg)
		svg_write(&b, svg);
	if (mf) {
		bench_markdown(&b, mf);
		outfile_commit(&mo);
	}
	escapes(&b);
	fleet_report();
	int partial = 0;
	for (int j = 0; j < b.ncmds; j++) {
		const struct command *cmd = &b.cmd[j];
		partial |= (b.nns > 0 && cmd->exits) || (b.runs > 0 && cmd->fails);
		if (b.runs > 0 && cmd->nonzero) {
			warn("%s: exited with status %d in %ld of %ld startup runs%s", cmd->label, cmd->nonzero_status,
			     cmd->nonzero, b.warmup + 2 * b.runs, b.fail ? "" : " (timed all the same; --fail fails the run)");
			partial |= b.fail;
		}
	}
	return partial ? EXIT_PARTIAL : EXIT_OK;
}
