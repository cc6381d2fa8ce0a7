/* enable_main.c: `resident enable PROGRAM...` and `resident disable
 * PROGRAM...|--all` (enable.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../image/format.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../snap/program.h"
#include "dpkg.h"
#include "enable.h"

static const char enable_text[] =
	"usage: resident enable [--after-init] [--layouts K] PROGRAM...\n"
	"\n"
	"Put an image of each PROGRAM at the program's own path, so that every exec\n"
	"of it starts from the image, whoever runs it and by whatever name (a\n"
	"symlink to it, an absolute path in a build system or a service, a #! line).\n"
	"A command reached through symlinks is enabled at the file they lead to.\n"
	"The original is kept beside it as PROGRAM" ENABLE_SUFFIX ", where the image\n"
	"falls back whenever anything a normal exec would look at changed; a file a\n"
	"Debian package owns is moved there with dpkg-divert, so that dpkg installs\n"
	"later versions there (resident doctor checks it). The image replaces the\n"
	"program in one rename: no exec finds the path missing. Needs root.\n"
	"\n"
	"      --layouts K  K captures per image (see resident snap)\n"
	"      --after-init captured at main where the evidence allows (see resident\n"
	"                   snap); refresh keeps the mode\n"
	"  -h, --help       this text\n"
	"exit: 0 all enabled (or already), 2 usage or a program that cannot be\n"
	"captured, 4 failure (that program left as it was)\n";

static const char disable_text[] =
	"usage: resident disable PROGRAM...|--all\n"
	"\n"
	"Put back exactly the original of each enabled PROGRAM (the same file:\n"
	"content, mode, owner, capabilities, extended attributes), in one rename,\n"
	"and remove its diversion. With --all, every enabled program. Needs root.\n"
	"exit: 0 done, 2 usage or not enabled, 4 failure\n";

static int needs_root(const char *cmd)
{
	if (geteuid() != 0)
		die(EXIT_USAGE, "%s: needs root (it replaces files of the system)", cmd);
	return 0;
}

int cmd_enable(int argc, char **argv)
{
	static const struct option lo[] = { { "layouts", required_argument, 0, 'K' }, { "help", no_argument, 0, 'h' },
					    { "after-init", no_argument, 0, 'A' }, { 0, 0, 0, 0 } };
	int layouts = 1, after_init = 0, c;
	usage_init("enable");
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'h')
			return usage_help(enable_text);
		if (c == 'A') {
			after_init = 1;
			continue;
		}
		if (c != 'K')
			usage_bad_option(c, argv);
		layouts = usage_layouts(optarg);
	}
	if (optind == argc)
		usage_fail("missing PROGRAM");
	needs_root("enable");
	struct registry r;
	char why[PATH_MAX + 256];
	if (dpkg_lock(why, sizeof why) || registry_open(&r, why, sizeof why))
		die(EXIT_FAIL, "%s", why);
	int rc = EXIT_OK;
	for (int i = optind; i < argc; i++) {
		int e = enable_program(&r, argv[i], layouts, after_init, why, sizeof why);
		if (e < 0) {
			fprintf(stderr, "resident: %s\n", why);
			if (rc != EXIT_FAIL)
				rc = e == -2 ? EXIT_USAGE : EXIT_FAIL;
		} else {
			printf("%s: %s\n", argv[i], e ? "enabled already" : "enabled");
		}
	}
	registry_close(&r);
	return rc;
}

int cmd_disable(int argc, char **argv)
{
	static const struct option lo[] = { { "all", no_argument, 0, 'a' }, { "help", no_argument, 0, 'h' },
					    { 0, 0, 0, 0 } };
	int all = 0, c;
	usage_init("disable");
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'h')
			return usage_help(disable_text);
		if (c != 'a')
			usage_bad_option(c, argv);
		all = 1;
	}
	if (all == (optind < argc))
		usage_fail(all ? "--all and PROGRAM: one or the other" : "missing PROGRAM (or --all)");
	needs_root("disable");
	struct registry r;
	char why[PATH_MAX + 256];
	if (dpkg_lock(why, sizeof why) || registry_open(&r, why, sizeof why))
		die(EXIT_FAIL, "%s", why);
	int rc = EXIT_OK;
	/* every one, past those that cannot be undone (said, exit 4) */
	for (size_t i = 0; all && i < r.n;) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s", r.v[i].path);
		if (disable_entry(&r, &r.v[i], why, sizeof why)) {
			fprintf(stderr, "resident: %s\n", why);
			rc = EXIT_FAIL;
			i++;
		} else {
			printf("%s: disabled\n", path);
		}
	}
	for (int i = optind; i < argc; i++) {
		/* by its path, its original's, or any name leading to it (as
		 * exec finds it: a command name through PATH) */
		struct enabled *e = registry_find(&r, argv[i]);
		if (!e) {
			struct program p;
			program_locate(argv[i], &p);
			char *img = p.image ? realpath(p.image, NULL) : NULL;
			e = registry_find(&r, img ? img : p.real);
			free(img);
			program_free(&p);
		}
		if (!e) {
			fprintf(stderr, "resident: %s: not enabled\n", argv[i]);
			rc = rc ? rc : EXIT_USAGE;
			continue;
		}
		if (disable_entry(&r, e, why, sizeof why)) {
			fprintf(stderr, "resident: %s\n", why);
			rc = EXIT_FAIL;
		} else {
			printf("%s: disabled\n", argv[i]);
		}
	}
	registry_close(&r);
	return rc;
}
