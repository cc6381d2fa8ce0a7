/* rm_main.c: `resident rm NAME|IMAGE...`: an image taken away whole: the
 * image, its sidecar, its lock, and the bin/ links that lead to it. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "imgdir.h"
#include "install.h"

static const char usage_text[] =
	"usage: resident rm [--system] NAME|IMAGE...\n"
	"\n"
	"Remove images: NAME is one in the image directory (bin/NAME), IMAGE a\n"
	"path. Each goes whole: the image, a system image's sidecar, its lock, and\n"
	"the links of the image directory's bin/ that lead to it. A file that is\n"
	"not an image is left alone. (An enabled program: resident disable.)\n"
	"\n"
	"      --system  NAMEs are in the system image directory\n"
	"exit: 0 removed, 2 usage or not an image, 4 failure\n";

/* bin/ links of base that lead to img */
static void unlink_links(const char *base, const char *img)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/bin", base);
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		char p[PATH_MAX + NAME_MAX + 2], *real;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || !(real = realpath(p, NULL)))
			continue;
		if (!strcmp(real, img))
			unlink(p);
		free(real);
	}
	if (d)
		closedir(d);
}

static int rm_one(const char *arg, int system)
{
	char *base = imgdir_base(system), link[PATH_MAX + 16], why[256];
	char *img;
	if (!strchr(arg, '/')) {
		if (!base)
			die(EXIT_USAGE, "%s: neither XDG_DATA_HOME nor HOME is set", arg);
		snprintf(link, sizeof link, "%s/bin/%s", base, arg);
		img = realpath(link, NULL);
	} else {
		img = realpath(arg, NULL);
	}
	if (!img) {
		fprintf(stderr, "resident: %s: %s\n", arg, strerror(errno));
		free(base);
		return EXIT_USAGE;
	}
	struct image im;
	if (!image_is(img) || image_open(img, &im, why, sizeof why)) {
		fprintf(stderr, "resident: %s: not an image (or a damaged one): not removed\n", img);
		free(img);
		free(base);
		return EXIT_USAGE;
	}
	char side[PATH_MAX] = "";
	if (im.h->pages_file)
		snprintf(side, sizeof side, "%s", im.str + im.deps[im.h->pages_file - 1].path);
	image_close(&im);
	if (base)
		unlink_links(base, img);	/* while they still lead to it */
	if (unlink(img)) {
		fprintf(stderr, "resident: %s: %s\n", img, strerror(errno));
		free(img);
		free(base);
		return EXIT_FAIL;
	}
	if (side[0])
		unlink(side);
	target_remove_lock(img);
	printf("%s: removed\n", img);
	free(img);
	free(base);
	return EXIT_OK;
}

int cmd_rm(int argc, char **argv)
{
	static const struct option lo[] = { { "system", no_argument, 0, 'S' }, { "help", no_argument, 0, 'h' },
					    { 0, 0, 0, 0 } };
	int system = 0, c, rc = EXIT_OK;
	usage_init("rm");
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'S')
			system = 1;
		else if (c == 'h')
			return usage_help(usage_text);
		else
			usage_bad_option(c, argv);
	}
	if (optind == argc)
		usage_fail("missing NAME or IMAGE");
	for (int i = optind; i < argc; i++) {
		int r = rm_one(argv[i], system);
		if (r > rc)
			rc = r;
	}
	return rc;
}
