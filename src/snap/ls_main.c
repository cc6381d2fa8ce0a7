/* ls_main.c: `resident ls`: the images in the image directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "imgdir.h"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static const char usage_text[] =
	"usage: resident ls [--system]\n"
	"\n"
	"The images in the image directory ($XDG_DATA_HOME/resident/bin, or\n"
	"~/.local/share/resident/bin; with --system, /usr/local/lib/resident/bin or\n"
	"$RESIDENT_SYSTEM_DIR/bin), each with its program and whether it is current.\n"
	"exit: 0 all current, 1 some stale or damaged\n";

int cmd_ls(int argc, char **argv)
{
	int system = argc == 2 && !strcmp(argv[1], "--system");
	if (argc > 1 && !system) {
		int help = !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help");
		fputs(usage_text, help ? stdout : stderr);
		return help ? EXIT_OK : EXIT_USAGE;
	}
	char *base = imgdir_base(system);
	if (!base)
		die(EXIT_FAIL, "neither XDG_DATA_HOME nor HOME is set");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/bin", base);
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name), bad = 0;
	if (n < 0) {
		if (errno == ENOENT) {
			printf("no images in %s\n", dir);
			free(base);
			return EXIT_OK;
		}
		die_errno(EXIT_FAIL, -errno, "%s", dir);
	}
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		char p[8192], why[256];
		snprintf(p, sizeof p, "%s/%s", dir, ents[i]->d_name);
		struct image im;
		if (image_open(p, &im, why, sizeof why)) {
			printf("%-20s damaged: %s\n", ents[i]->d_name, why);
			bad = 1;
		} else {
			const char *s = image_stale(&im);
			printf("%-20s %-8s %s%s%s\n", ents[i]->d_name, s ? "stale" : "current", im.str + im.h->orig,
			       s ? ": " : "", s ? s : "");
			bad |= s != NULL;
			image_close(&im);
		}
		free(ents[i]);
	}
	free(ents);
	free(base);
	return bad ? EXIT_PARTIAL : EXIT_OK;
}
