/* main.c: `resident SUBCOMMAND ...`, git style. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "cli.h"
#include "usage.h"

#ifndef RESIDENT_VERSION
#define RESIDENT_VERSION "0.1"
#endif

static const struct {
	const char *name;
	int (*run)(int, char **);
	const char *what;
} cmds[] = {
	{ "cost", cmd_cost, "what processes really cost, kernel side included" },
	{ "snap", cmd_snap, "capture a program after ld.so relocated it, as an image" },
	{ "check", cmd_check, "run a program normally and from its image, and compare" },
	{ "inspect", cmd_inspect, "what an image holds, and whether it is current" },
	{ "ls", cmd_ls, "the images in the image directory" },
	{ "verify", cmd_verify, "read an image's saved pages back and check them" },
	{ "rm", cmd_rm, "remove images, whole (sidecar, lock and bin/ links too)" },
	{ "enable", cmd_enable, "an image at a program's own path: every exec of it benefits" },
	{ "disable", cmd_disable, "put an enabled program's original back" },
	{ "refresh", cmd_refresh, "capture stale images again (after upgrades)" },
	{ "doctor", cmd_doctor, "check the enabled programs as dpkg and the loader would" },
	{ "bench", cmd_bench, "N instances of several commands side by side: memory and startup" },
};

static void usage(FILE *f)
{
	fputs("usage: resident COMMAND [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].what);
	fputs("  help     this text, or `resident help COMMAND`\n"
	      "  version  print the version\n\n"
	      "`resident COMMAND --help` tells more; man resident-COMMAND tells all.\n", f);
}

int main(int argc, char **argv)
{
	atexit(usage_close_stdout);
	if (argc < 2)
		die(EXIT_USAGE, "no command (see %s help)", err_prog);
	const char *c = argv[1];
	if (!strcmp(c, "help") || !strcmp(c, "--help") || !strcmp(c, "-h")) {
		if (argc > 2 && strcmp(c, "help") == 0) {
			for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
				if (!strcmp(argv[2], cmds[i].name)) {
					char *av[] = { argv[2], "--help", NULL };
					return cmds[i].run(2, av);
				}
			die(EXIT_USAGE, "%s: no such command (see %s help)", argv[2], err_prog);
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(c, "version") || !strcmp(c, "--version")) {
		printf("resident %s\n", RESIDENT_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(c, cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	die(EXIT_USAGE, "%s: no such command (see %s help)", c, err_prog);
}
