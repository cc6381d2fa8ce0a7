/* ls_main.c: `resident ls`: the images in the image directory. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "imgdir.h"

extern char **environ;

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static const char usage_text[] =
	"usage: resident ls [--system]\n"
	"\n"
	"The images in the image directory ($XDG_DATA_HOME/resident/bin, or\n"
	"~/.local/share/resident/bin; with --system, /usr/local/lib/resident/bin or\n"
	"$RESIDENT_SYSTEM_DIR/bin), each with its program and its state: current\n"
	"(it restores), stale (it runs the program normally: correct, not faster;\n"
	"the reason and the file that changed follow), broken (that program cannot\n"
	"run either) or damaged.\n"
	"exit: 0 all current, 1 some stale, broken or damaged\n";

int cmd_ls(int argc, char **argv)
{
	static const struct option lo[] = { { "system", no_argument, 0, 'S' }, { "help", no_argument, 0, 'h' },
					    { 0, 0, 0, 0 } };
	static const char *const state[] = { "current", "stale", "broken" };
	int system = 0, c;
	usage_init("ls");
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'S')
			system = 1;
		else if (c == 'h')
			return usage_help(usage_text);
		else
			usage_bad_option(c, argv);
	}
	if (optind < argc)
		usage_fail("%s: no operands", argv[optind]);
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
			printf("%-20s damaged  %s\n", ents[i]->d_name, why);
			bad = 1;
		} else {
			struct image_verdict v = image_judge(&im, environ);
			printf("%-20s %-8s %s", ents[i]->d_name, state[v.state], im.loc.orig);
			if (v.why)
				printf(": %s%s%s", v.why, v.what ? ": " : "", v.what ? v.what : "");
			printf("\n");
			bad |= v.why != NULL;
			image_close(&im);
		}
		free(ents[i]);
	}
	free(ents);
	free(base);
	return bad ? EXIT_PARTIAL : EXIT_OK;
}
