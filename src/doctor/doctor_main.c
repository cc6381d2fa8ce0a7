/* doctor_main.c: `resident doctor`: the enabled programs checked the way
 * the tools around them check them (dpkg -V, dpkg-divert, the loader), and
 * what to do about each finding. */
#include <errno.h>
#include <unistd.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../enable/dpkg.h"
#include "../enable/enable.h"
#include "../enable/registry.h"
#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../proc/procfs.h"

static const char usage_text[] =
	"usage: resident doctor\n"
	"\n"
	"Check every enabled program as the tools around it would: its original is\n"
	"there, its path holds its image and the image is current (else: resident\n"
	"refresh), its diversion is in place and dpkg --verify of its package is\n"
	"clean, no running instance of it runs the original (a fallback, which tools\n"
	"matching the path miss), and no diversion of resident's is left without its\n"
	"program. One line\n"
	"per finding, with what to do.\n"
	"exit: 0 all well, 1 findings, 4 the list cannot be read\n";

static int findings;

static void finding(const char *path, const char *what, const char *todo)
{
	printf("%s: %s%s%s\n", path, what, todo ? ": " : "", todo ? todo : "");
	findings++;
}

struct orphans {
	struct registry *r;
};

static void orphan(const char *from, const char *to, const char *by, void *arg)
{
	struct orphans *o = arg;
	if (strcmp(by, "resident"))
		return;
	for (size_t i = 0; i < o->r->n; i++)
		if (!strcmp(o->r->v[i].dpkg, from))
			return;
	char todo[2 * PATH_MAX + 80];
	snprintf(todo, sizeof todo, "dpkg-divert --package resident --no-rename --remove %s (after moving %s back)",
		 from, to);
	finding(from, "a diversion of resident's with no enabled program", todo);
}

/* running instances that fell back: their /proc/PID/exe names the
 * original, so start-stop-daemon --exec PATH and pidof miss them */
static void fallen_back(const struct enabled *e)
{
	struct stat orig, st;
	pid_t *pids = NULL;
	int root = procfs_open("/proc");
	long np = root >= 0 && lstat(e->orig, &orig) == 0 ? procfs_pids(root, &pids) : 0;
	unsigned n = 0;
	/* by the identity of each process's exe, never by the name it reads as */
	for (long i = 0; i < np; i++)
		n += procfs_exe_stat(root, pids[i], &st) == 0 && st.st_dev == orig.st_dev && st.st_ino == orig.st_ino;
	free(pids);
	if (root >= 0)
		close(root);
	if (n) {
		char what[PATH_MAX + 160];
		snprintf(what, sizeof what, "%u running instance%s %s its original (a fallback): tools that match %s miss %s",
			 n, n == 1 ? "" : "s", n == 1 ? "runs" : "run", e->path, n == 1 ? "it" : "them");
		finding(e->path, what, "restart them once the image is current (resident refresh)");
	}
}

static void check(const struct enabled *e)
{
	fallen_back(e);
	char why[PATH_MAX + 128], to[PATH_MAX], by[256], pkg[256];
	struct stat st;
	struct image im;
	if (lstat(e->orig, &st)) {
		finding(e->path, "its original is gone", "resident refresh (removes the image and the diversion)");
		return;
	}
	if (image_open(e->path, &im, why, sizeof why)) {
		finding(e->path, "not its image any more", "resident disable (puts the original back)");
	} else {
		char *none[] = { NULL };
		struct image_verdict v = image_judge(&im, none);
		if (strcmp(im.loc.orig, e->orig))
			finding(e->path, "an image of another program", "resident disable, then resident enable");
		else if (v.state != IMAGE_CURRENT) {
			snprintf(why, sizeof why, "%s (%s%s%s)", v.state == IMAGE_STALE ? "stale" : "broken", v.why,
				 v.what ? ": " : "", v.what ? v.what : "");
			finding(e->path, why, "resident refresh");
		}
		image_close(&im);
	}
	if (!e->dpkg[0])
		return;
	char want[PATH_MAX + 32];
	snprintf(want, sizeof want, "%s%s", e->dpkg, ENABLE_SUFFIX);
	if (!dpkg_diverted(e->dpkg, to, sizeof to, by, sizeof by) || strcmp(to, want) || strcmp(by, "resident"))
		finding(e->path, "its diversion is gone or changed: dpkg would write over the image",
			"resident disable, then resident enable");
	if (!dpkg_package(e->dpkg, pkg, sizeof pkg))
		return;
	/* the original against the package's md5sums, as debsums would:
	 * dpkg --verify passes a diverted file by */
	if (dpkg_md5_matches(pkg, e->dpkg, e->orig) == 0) {
		char what[PATH_MAX + 300];
		snprintf(what, sizeof what, "%s is not what %s installed", e->orig, pkg);
		finding(e->path, what, "apt-get install --reinstall of the package");
	}
	if (dpkg_verify(pkg, why, sizeof why)) {
		char what[PATH_MAX + 400];
		snprintf(what, sizeof what, "dpkg --verify %s: %s", pkg, why);
		finding(e->path, what, "apt-get install --reinstall of the package");
	}
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option lo[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	int c;
	usage_init("doctor");
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'h')
			return usage_help(usage_text);
		usage_bad_option(c, argv);
	}
	if (optind < argc)
		usage_fail("%s: no operands", argv[optind]);
	struct registry r;
	char why[PATH_MAX + 64];
	if (registry_read(&r, why, sizeof why))
		die(EXIT_FAIL, "%s", why);
	for (size_t i = 0; i < r.n; i++)
		check(&r.v[i]);
	struct orphans o = { &r };
	dpkg_each_diversion(orphan, &o);
	printf("%zu enabled, %s\n", r.n, findings ? "see above" : "all well");
	registry_close(&r);
	return findings ? EXIT_PARTIAL : EXIT_OK;
}
