/* check_main.c: `resident check PROGRAM [-- ARGS...]`: run PROGRAM normally
 * and from its image with the same argv, environment and stdin; compare
 * stdout, stderr and exit status, and say whether the image restored.
 *
 * "restored" is the loader's own word: both runs get RESIDENT_DEBUG=2, with
 * which an image says on its first stderr line either that it restored
 * (after it mapped the saved pages, just before it jumps) or why it ran
 * the program normally; that line is taken off before stderr is compared.
 * Whatever ends check (an error, a signal), the run in progress is killed
 * and the scratch directory removed: check_guard.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../image/read.h"
#include "../image/verify.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "check_guard.h"
#include "program.h"
#include "snap.h"

extern char **environ;

#define STDIN_MAX (64ull << 20)

static const char usage_text[] =
	"usage: resident check [--image IMAGE | --system] PROGRAM [-- ARGS...]\n"
	"\n"
	"Run PROGRAM normally and from an image with the same arguments, environment\n"
	"and standard input (up to 64 MiB, saved first); compare standard output,\n"
	"standard error and exit status, and say whether the image restored (the\n"
	"loader's own word) or ran the program normally, and why. The image is\n"
	"IMAGE; or PROGRAM itself when PROGRAM (as found in PATH) is an image, which\n"
	"then stands for its original; or one made now in a temporary directory.\n"
	"--system makes that one a system image (see resident snap --system).\n"
	"exit: 0 same, 1 different, 2 usage, 4 could not run\n";

struct outcome {
	int status;
	int out, err;		/* the run's stdout and stderr, in unnamed scratch files */
	off_t nout, nerr, skip;	/* skip: the loader's line at the head of stderr */
	double ms;
	char said[1024];	/* that line, without "resident: IMAGE: " */
};

static void run(const char *file, char **argv, char **env, int in, struct outcome *o)
{
	o->out = guard_file("out");
	o->err = guard_file("err");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t p = guard_fork();
	if (p < 0)
		die_errno(EXIT_FAIL, -errno, "fork");
	if (p == 0) {
		lseek(in, 0, SEEK_SET);
		dup2(in, 0);
		dup2(o->out, 1);
		dup2(o->err, 2);
		execve(file, argv, env);
		/* said as an image's loader says it, so that the two compare */
		int status;
		const char *what = img_exec_failure(-errno, &status);
		dprintf(2, "resident: %s: %s\n", file, what);
		_exit(status);
	}
	int st;
	while (waitpid(p, &st, WUNTRACED) < 0)
		if (errno != EINTR)
			die_errno(EXIT_FAIL, -errno, "waitpid");
	/* the run is not the terminal's foreground: one that reads or sets
	 * the terminal is stopped, and would wait for ever */
	if (WIFSTOPPED(st))
		die(EXIT_FAIL, "%s: stopped by SIG%s: check cannot run a program that uses the terminal", file,
		    sigabbrev_np(WSTOPSIG(st)));
	guard_done(p);
	clock_gettime(CLOCK_MONOTONIC, &b);
	o->ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	o->nout = lseek(o->out, 0, SEEK_END);
	o->nerr = lseek(o->err, 0, SEEK_END);
}

/* the image's first stderr line, if the loader wrote it: "resident:
 * IMAGE: restored (layout K)" or "resident: IMAGE: WHY: running PROGRAM" */
static void loader_line(struct outcome *o, const char *image)
{
	char head[2048], want[PATH_MAX + 64];
	ssize_t n = pread(o->err, head, sizeof head - 1, 0);
	head[n > 0 ? n : 0] = 0;
	char *nl = strchr(head, '\n');
	snprintf(want, sizeof want, "resident: %s: ", image);
	if (!nl || strncmp(head, want, strlen(want)))
		return;
	*nl = 0;
	snprintf(o->said, sizeof o->said, "%s", head + strlen(want));
	o->skip = nl + 1 - head;
}

/* the same bytes in [a_off, end of a) and [b_off, end of b)? */
static int same_bytes(int a, off_t a_off, off_t a_len, int b, off_t b_off, off_t b_len)
{
	if (a_len - a_off != b_len - b_off)
		return 0;
	static char x[65536], y[65536];
	for (off_t at = 0; at < a_len - a_off;) {
		size_t want = a_len - a_off - at < (off_t)sizeof x ? (size_t)(a_len - a_off - at) : sizeof x;
		if (pread(a, x, want, a_off + at) != (ssize_t)want || pread(b, y, want, b_off + at) != (ssize_t)want)
			die_errno(EXIT_FAIL, -errno, "reading back the output");
		if (memcmp(x, y, want))
			return 0;
		at += (off_t)want;
	}
	return 1;
}

/* the same stdin for both runs: all of it, saved first, within a limit */
static int save_stdin(void)
{
	int in = guard_file("in");
	if (isatty(0))
		return in;
	static char buf[65536];
	unsigned long long total = 0;
	ssize_t r;
	while ((r = read(0, buf, sizeof buf)) != 0) {
		/* unreadable (a directory, write-only): never replayed as empty */
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno(EXIT_USAGE, -errno, "standard input");
		if ((total += (unsigned long long)r) > STDIN_MAX)
			die(EXIT_USAGE, "standard input: more than %llu MiB: too much to replay", STDIN_MAX >> 20);
		if (write(in, buf, (size_t)r) != r)
			die_errno(EXIT_FAIL, -errno, "saving standard input");
	}
	return in;
}

/* IMAGE must be an image, and one of PROGRAM */
static void vet_image(const char *image, const struct program *p)
{
	struct image im;
	char why[256];
	if (image_open(image, &im, why, sizeof why))
		die(EXIT_USAGE, "--image %s: %s", image, why);
	char *real = realpath(im.loc.orig, NULL);
	int same = !strcmp(im.loc.orig, p->name) || (real && !strcmp(real, p->real));
	if (!same)
		die(EXIT_USAGE, "--image %s: an image of %s, not of %s", image, im.loc.orig, p->name);
	free(real);
	image_close(&im);
}

int cmd_check(int argc, char **argv)
{
	static const struct option lo[] = { { "image", required_argument, 0, 'i' }, { "system", no_argument, 0, 'S' },
					    { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	const char *image = NULL;
	int c, system = 0;
	usage_init("check");
	while ((c = getopt_long(argc, argv, ":i:h", lo, NULL)) != -1) {
		if (c == 'i')
			image = optarg;
		else if (c == 'S')
			system = 1;
		else if (c == 'h')
			return usage_help(usage_text);
		else
			usage_bad_option(c, argv);
	}
	if (optind >= argc)
		usage_fail("missing PROGRAM");
	if (image && system)
		usage_fail("--image and --system: choose one");
	/* getopt left the operands last, a `--` taken off before them */
	const char *prog = argv[optind++];
	struct program p;
	program_locate(prog, &p);
	if (image)
		vet_image(image, &p);
	else if (p.image)
		image = p.image;	/* PROGRAM is an image: the one the user runs */
	else
		program_vet(&p);

	/* scratch space in $TMPDIR, removed however check ends */
	guard_open();
	if (!image && guard_noexec())
		die(EXIT_FAIL, "%s: on a file system mounted noexec: an image made there cannot run (set TMPDIR, or give --image)",
		    guard_dir());

	char made[PATH_MAX + 16];
	if (!image) {
		snprintf(made, sizeof made, "%s/image", guard_dir());
		snap_to(&p, made, &(struct snap_opts){ .system = system }, NULL);
		image = made;
	}
	int in = save_stdin();
	/* RESIDENT_DEBUG=2 in both runs: the image says what it did */
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **env = calloc(ne + 2, sizeof *env), **av = calloc((size_t)(argc - optind) + 2, sizeof *av);
	if (!env || !av)
		die(EXIT_FAIL, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "RESIDENT_DEBUG=", 15))
			env[k++] = environ[i];
	env[k++] = "RESIDENT_DEBUG=2";
	av[0] = (char *)prog;
	for (int i = optind; i < argc; i++)
		av[i - optind + 1] = argv[i];

	struct outcome n = { 0 }, m = { 0 };
	run(p.name, av, env, in, &n);
	run(image, av, env, in, &m);
	loader_line(&m, image);
	int restored = !strncmp(m.said, "restored", 8);
	int same_out = same_bytes(n.out, 0, n.nout, m.out, 0, m.nout);
	int same_err = same_bytes(n.err, 0, n.nerr, m.err, m.skip, m.nerr);
	int same = same_out && same_err && n.status == m.status;
	printf("program  %s\nimage    %s\n", p.name, image);
	printf("normal   exit %d, stdout %lld bytes, stderr %lld bytes, %.2f ms\n", n.status, (long long)n.nout,
	       (long long)n.nerr, n.ms);
	printf("image    exit %d, stdout %lld bytes, stderr %lld bytes, %.2f ms, %s\n", m.status, (long long)m.nout,
	       (long long)(m.nerr - m.skip), m.ms,
	       restored ? "restored" : m.said[0] ? "ran the program normally" : "did not restore (no word from the loader)");
	if (!restored && m.said[0]) {
		char *run = strstr(m.said, ": running ");
		if (run)
			*run = 0;
		printf("because  %s\n", m.said);
	}
	if (same)
		printf("same     stdout, stderr and exit status\n");
	else
		printf("DIFFERENT%s%s%s\n", same_out ? "" : " stdout", same_err ? "" : " stderr",
		       n.status == m.status ? "" : " exit-status");
	free(env);
	free(av);
	close(in);
	program_free(&p);
	return same ? EXIT_OK : EXIT_PARTIAL;
}
