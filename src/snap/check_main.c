/* check_main.c: `resident check PROGRAM [-- ARGS...]`: run PROGRAM normally
 * and from its image with the same argv, environment and stdin; compare
 * stdout, stderr and exit status, and say whether the image restored. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../image/format.h"
#include "../lib/err.h"
#include "../lib/exit.h"

extern char **environ;

static const char usage_text[] =
	"usage: resident check [--image IMAGE | --system] PROGRAM [-- ARGS...]\n"
	"\n"
	"Run PROGRAM normally and from an image (IMAGE, or one made now in a\n"
	"temporary directory) with the same arguments, environment and standard\n"
	"input; compare standard output, standard error and exit status.\n"
	"--system makes the image a system image (see resident snap --system).\n"
	"exit: 0 same, 1 different, 2 usage, 4 could not run\n";

struct outcome {
	int status;
	char *out, *err;
	size_t nout, nerr;
	double ms;
};

static char *slurp(int fd, size_t *n)
{
	size_t cap = 4096, len = 0;
	char *b = malloc(cap);
	ssize_t r;
	lseek(fd, 0, SEEK_SET);
	while (b && (r = read(fd, b + len, cap - len)) > 0)
		if ((len += (size_t)r) == cap && !(b = realloc(b, cap *= 2)))
			break;
	if (!b)
		die(EXIT_FAIL, "out of memory");
	*n = len;
	return b;
}

static int scratch(const char *dir, const char *name)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die_errno(EXIT_FAIL, -errno, "%s", p);
	unlink(p);
	return fd;
}

static void run(const char *file, char **argv, char **env, int in, const char *dir, struct outcome *o)
{
	int out = scratch(dir, "out"), err = scratch(dir, "err");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t p = fork();
	if (p < 0)
		die_errno(EXIT_FAIL, -errno, "fork");
	if (p == 0) {
		lseek(in, 0, SEEK_SET);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		execve(file, argv, env);
		_exit(127);
	}
	int st;
	waitpid(p, &st, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	o->ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	o->out = slurp(out, &o->nout);
	o->err = slurp(err, &o->nerr);
	close(out);
	close(err);
}

int cmd_check(int argc, char **argv)
{
	static const struct option lo[] = { { "image", required_argument, 0, 'i' }, { "system", no_argument, 0, 'S' },
					    { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	const char *image = NULL;
	int c, system = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:h", lo, NULL)) != -1) {
		if (c == 'i')
			image = optarg;
		else if (c == 'S')
			system = 1;
		else if (c == 'h') {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else {
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const char *prog = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	char *path = snap_locate(prog);
	if (!path)
		die_errno(EXIT_USAGE, -errno, "%s", prog);
	/* scratch space in $TMPDIR, removed before returning */
	const char *tmpdir = getenv("TMPDIR");
	char dir[4096];
	if ((size_t)snprintf(dir, sizeof dir - 64, "%s/resident-check-XXXXXX", tmpdir && tmpdir[0] ? tmpdir : "/tmp") >=
	    sizeof dir - 64)
		die(EXIT_USAGE, "TMPDIR: too long");
	if (!mkdtemp(dir))
		die_errno(EXIT_FAIL, -errno, "%s", dir);
	char img[sizeof dir + 16], side[sizeof dir + 32];
	snprintf(img, sizeof img, "%s/image", dir);
	snprintf(side, sizeof side, "%s/.image%s", dir, IMG_PAGES_SUFFIX);
	int made = !image;
	if (made) {
		snap_vet(path);
		snap_to(path, img, &(struct snap_opts){ .system = system });
		image = img;
	}
	/* the same stdin for both: all of it, saved first */
	int in = scratch(dir, "in");
	if (!isatty(0)) {
		char buf[65536];
		ssize_t r;
		while ((r = read(0, buf, sizeof buf)) > 0)
			if (write(in, buf, (size_t)r) != r)
				die_errno(EXIT_FAIL, -errno, "saving standard input");
	}
	/* RESIDENT_DEBUG=1 in both runs, so that a fallback shows as a line */
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **env = calloc(ne + 2, sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "RESIDENT_DEBUG=", 15))
			env[k++] = environ[i];
	env[k++] = "RESIDENT_DEBUG=1";
	char **av = calloc((size_t)(argc - optind) + 2, sizeof *av);
	av[0] = (char *)prog;
	for (int i = optind; i < argc; i++)
		av[i - optind + 1] = argv[i];

	struct outcome n, m;
	run(path, av, env, in, dir, &n);
	run(image, av, env, in, dir, &m);
	char *m_err0 = m.err;	/* m.err may move past a fallback line */
	const char *fell = NULL;
	if (m.nerr > 10 && !strncmp(m.err, "resident: ", 10)) {
		char *nl = memchr(m.err, '\n', m.nerr);
		if (nl && memmem(m.err, (size_t)(nl - m.err), ": running ", 10)) {
			*nl = 0;
			fell = m.err;
			m.nerr -= (size_t)(nl + 1 - m.err);
			m.err = nl + 1;
		}
	}
	int same_out = n.nout == m.nout && !memcmp(n.out, m.out, n.nout);
	int same_err = n.nerr == m.nerr && !memcmp(n.err, m.err, n.nerr);
	int same = same_out && same_err && n.status == m.status;
	printf("program  %s\nimage    %s\n", path, image);
	printf("normal   exit %d, stdout %zu bytes, stderr %zu bytes, %.2f ms\n", n.status, n.nout, n.nerr, n.ms);
	printf("image    exit %d, stdout %zu bytes, stderr %zu bytes, %.2f ms, %s\n", m.status, m.nout, m.nerr,
	       m.ms, fell ? "ran the program normally" : "restored");
	if (fell)
		printf("because  %s\n", fell);
	if (same)
		printf("same     stdout, stderr and exit status\n");
	else
		printf("DIFFERENT%s%s%s\n", same_out ? "" : " stdout", same_err ? "" : " stderr",
		       n.status == m.status ? "" : " exit-status");
	if (made) {
		unlink(img);
		unlink(side);
	}
	rmdir(dir);
	free(n.out);
	free(n.err);
	free(m.out);
	free(m_err0);
	free(env);
	free(av);
	close(in);
	free(path);
	return same ? EXIT_OK : EXIT_PARTIAL;
}
