/* refresh_main.c: `resident refresh`: stale images captured again.
 *
 * An image that falls back is correct but slower; after an upgrade every
 * image of the upgraded program does.  refresh re-snaps those (enabled
 * programs, and the images of the user's image directory), never touches
 * a current one, keeps the old image where the new capture fails, and
 * takes away an enabled image whose program its package removed.  dpkg
 * runs it after every package operation (the hook in /etc/dpkg/dpkg.cfg.d
 * and /etc/apt/apt.conf.d). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../enable/enable.h"
#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../snap/imgdir.h"

static const char usage_text[] =
	"usage: resident refresh [--enabled|--user] [-q] [IMAGE...]\n"
	"\n"
	"Capture again every stale image: the enabled programs (as root) and the\n"
	"images of the image directory ($XDG_DATA_HOME/resident/bin or\n"
	"~/.local/share/resident/bin), or only the IMAGEs named. A current image is\n"
	"left alone; where a capture fails the old image stays (it falls back, so\n"
	"it stays correct). An enabled program whose package removed it loses its\n"
	"image and diversion. dpkg runs `resident refresh --enabled -q` after every\n"
	"package operation.\n"
	"\n"
	"      --enabled  only the enabled programs\n"
	"      --user     only the image directory\n"
	"  -q, --quiet    say only what changed and what failed\n"
	"  -h, --help     this text\n"
	"exit: 0 done (nothing stale, or all captured again), 2 usage, 4 a capture\n"
	"or a removal failed\n";

static int quiet;

static void said(const char *path, const char *what)
{
	printf("%s: %s\n", path, what);
}

static int refresh_enabled(const char *only)
{
	struct registry r;
	char why[PATH_MAX + 256];
	int rc = 0, found = 0;
	/* nothing enabled (the hook on a machine that never used enable):
	 * nothing made, nothing locked */
	if (registry_read(&r, why, sizeof why) == 0 && r.n == 0) {
		registry_close(&r);
		return 0;
	}
	registry_close(&r);
	if (registry_open(&r, why, sizeof why)) {
		fprintf(stderr, "resident: %s\n", why);
		return -1;
	}
	for (size_t i = 0; i < r.n;) {
		struct enabled *e = &r.v[i];
		if (only && strcmp(only, e->path) && strcmp(only, e->orig)) {
			i++;
			continue;
		}
		found = 1;
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s", e->path);
		switch (refresh_entry(&r, e, why, sizeof why)) {
		case REFRESH_CURRENT: if (!quiet) said(path, "current"); i++; break;
		case REFRESH_SNAPPED: said(path, "captured again"); i++; break;
		case REFRESH_REMOVED: said(path, why); break;
		case REFRESH_FAILED: fprintf(stderr, "resident: %s: %s\n", path, why); rc = -1; i++; break;
		}
	}
	registry_close(&r);
	return rc ? rc : found;
}

/* one image of the user's: 1 done (or current), -1 failed */
static int refresh_image(const char *image)
{
	struct image im;
	char why[PATH_MAX + 256], orig[PATH_MAX];
	if (image_open(image, &im, why, sizeof why)) {
		fprintf(stderr, "resident: %s: %s\n", image, why);
		return -1;
	}
	char *none[] = { NULL };
	struct image_verdict v = image_judge(&im, none);
	int system = im.h->pages_file != 0;
	snprintf(orig, sizeof orig, "%s", im.loc.orig);
	image_close(&im);
	if (v.state == IMAGE_CURRENT) {
		if (!quiet)
			said(image, "current");
		return 1;
	}
	if (v.state == IMAGE_BROKEN) {
		fprintf(stderr, "resident: %s: %s%s%s: not captured again\n", image, v.why, v.what ? ": " : "",
			v.what ? v.what : "");
		return -1;
	}
	if (snap_child(orig, image, 0, system, -1, why, sizeof why)) {
		fprintf(stderr, "resident: %s: %s\n", image, why);
		return -1;
	}
	said(image, "captured again");
	return 1;
}

static int refresh_user(void)
{
	char *base = imgdir_base(0), dir[PATH_MAX];
	if (!base)
		return 0;
	snprintf(dir, sizeof dir, "%s/bin", base);
	free(base);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int rc = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char p[PATH_MAX + NAME_MAX + 2], *real;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		if (!(real = realpath(p, NULL)))
			continue;
		if (refresh_image(real) < 0)
			rc = -1;
		free(real);
	}
	closedir(d);
	return rc;
}

int cmd_refresh(int argc, char **argv)
{
	static const struct option lo[] = { { "enabled", no_argument, 0, 'E' }, { "user", no_argument, 0, 'U' },
					    { "quiet", no_argument, 0, 'q' }, { "help", no_argument, 0, 'h' },
					    { 0, 0, 0, 0 } };
	int enabled = 0, user = 0, c, bad = 0;
	usage_init("refresh");
	while ((c = getopt_long(argc, argv, ":qh", lo, NULL)) != -1) {
		switch (c) {
		case 'E': enabled = 1; break;
		case 'U': user = 1; break;
		case 'q': quiet = 1; break;
		case 'h': return usage_help(usage_text);
		default: usage_bad_option(c, argv);
		}
	}
	if (enabled && user)
		usage_fail("--enabled and --user: one or the other (neither means both)");
	if (optind < argc && (enabled || user))
		usage_fail("%s: IMAGEs or --%s, not both", argv[optind], enabled ? "enabled" : "user");
	for (int i = optind; i < argc; i++) {
		char *real = realpath(argv[i], NULL);
		if (!real) {
			fprintf(stderr, "resident: %s: %s\n", argv[i], strerror(errno));
			bad = 1;
			continue;
		}
		int r = geteuid() == 0 ? refresh_enabled(real) : 0;
		if (r == 0)
			r = refresh_image(real);
		bad |= r < 0;
		free(real);
	}
	if (optind == argc) {
		if (!user && geteuid() == 0)
			bad |= refresh_enabled(NULL) < 0;
		if (!enabled)
			bad |= refresh_user() < 0;
	}
	return bad ? EXIT_FAIL : EXIT_OK;
}
