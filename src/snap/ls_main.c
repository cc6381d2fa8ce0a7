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
#include "../enable/list.h"
#include "../lib/fmt.h"
#include "imgdir.h"

extern char **environ;

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static const char usage_text[] =
	"usage: resident ls [--system|--enabled] [--json]\n"
	"\n"
	"The images in the image directory ($XDG_DATA_HOME/resident/bin, or\n"
	"~/.local/share/resident/bin; with --system, /usr/local/lib/resident/bin or\n"
	"$RESIDENT_SYSTEM_DIR/bin), each with its program and its state: current\n"
	"(it restores), stale (it runs the program normally: correct, not faster;\n"
	"the reason and the file that changed follow), broken (that program cannot\n"
	"run either) or damaged. With --enabled, the programs resident enable put\n"
	"an image in place of, the same way.\n"
	"\n"
	"      --system   the system image directory\n"
	"      --enabled  the enabled programs\n"
	"      --json     one JSON object (schema resident-ls/1, resident-enabled/1)\n"
	"exit: 0 all current, 1 some stale, broken or damaged\n";

static void json_or_null(const char *s)
{
	if (s)
		json_str(stdout, s);
	else
		fputs("null", stdout);
}

int cmd_ls(int argc, char **argv)
{
	static const struct option lo[] = { { "system", no_argument, 0, 'S' }, { "enabled", no_argument, 0, 'E' },
					    { "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' },
					    { 0, 0, 0, 0 } };
	static const char *const state[] = { "current", "stale", "broken" };
	int system = 0, enabled = 0, json = 0, c;
	usage_init("ls");
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'S')
			system = 1;
		else if (c == 'E')
			enabled = 1;
		else if (c == 'j')
			json = 1;
		else if (c == 'h')
			return usage_help(usage_text);
		else
			usage_bad_option(c, argv);
	}
	if (optind < argc)
		usage_fail("%s: no operands", argv[optind]);
	if (system && enabled)
		usage_fail("--system and --enabled: one or the other");
	if (enabled)
		return enabled_list(json);
	char *base = imgdir_base(system);
	if (!base)
		die(EXIT_FAIL, "neither XDG_DATA_HOME nor HOME is set");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/bin", base);
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name), bad = 0, first = 1;
	if (n < 0) {
		if (errno != ENOENT)
			die_errno(EXIT_FAIL, -errno, "%s", dir);
		n = 0;
		ents = NULL;
		if (!json)
			printf("no images in %s\n", dir);
	}
	if (json) {
		printf("{\"schema\":\"resident-ls/1\",\"dir\":");
		json_str(stdout, dir);
		printf(",\"images\":[");
	}
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		char p[8192], why[256];
		snprintf(p, sizeof p, "%s/%s", dir, ents[i]->d_name);
		struct image im;
		const char *st, *w = NULL, *what = NULL, *prog = NULL;
		size_t size = 0;
		int opened = image_open(p, &im, why, sizeof why) == 0;
		if (!opened) {
			st = "damaged";
			w = why;
		} else {
			struct image_verdict v = image_judge(&im, environ);
			st = state[v.state];
			w = v.why;
			what = v.what;
			prog = im.loc.orig;
			size = im.file_size;
			for (unsigned k = 0; im.h->pages_file && k < im.nlayouts; k++)
				size += im.pages[k].size;	/* and its sidecar's */
		}
		bad |= w != NULL;
		if (json) {
			printf("%s{\"name\":", first ? "" : ",");
			json_str(stdout, ents[i]->d_name);
			printf(",\"program\":");
			json_or_null(prog);
			printf(",\"state\":\"%s\",\"why\":", st);
			json_or_null(w);
			printf(",\"file\":");
			json_or_null(what);
			printf(",\"size_bytes\":%zu}", size);
			first = 0;
		} else if (!opened) {
			printf("%-20s damaged  %s\n", ents[i]->d_name, why);
		} else {
			printf("%-20s %-8s %s", ents[i]->d_name, st, prog);
			if (w)
				printf(": %s%s%s", w, what ? ": " : "", what ? what : "");
			printf("\n");
		}
		if (opened)
			image_close(&im);
		free(ents[i]);
	}
	if (json)
		printf("]}\n");
	free(ents);
	free(base);
	return bad ? EXIT_PARTIAL : EXIT_OK;
}
