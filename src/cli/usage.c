#include "usage.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../image/format.h"
#include "../lib/err.h"
#include "../lib/exit.h"

static const char *cmd = "";

void usage_init(const char *c)
{
	cmd = c;
	opterr = 0;
	optind = 1;
}

void usage_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	die(EXIT_USAGE, "%s: %s (see %s %s --help)", cmd, msg, err_prog, cmd);
}

void usage_bad_option(int c, char *const argv[])
{
	/* the word getopt stopped at: "--long", "--long=value" or "-abc" */
	const char *word = optind > 0 ? argv[optind - 1] : "";
	char name[128];
	if (!strncmp(word, "--", 2)) {
		snprintf(name, sizeof name, "%.*s", (int)strcspn(word, "="), word);
	} else if (optopt > ' ' && optopt < 127) {
		snprintf(name, sizeof name, "-%c", optopt);
	} else {
		snprintf(name, sizeof name, "%s", word);
	}
	usage_fail("%s: %s", name, c == ':' ? "needs a value" : "unknown option");
}

int usage_help(const char *text)
{
	fputs(text, stdout);
	return EXIT_OK;
}

void usage_close_stdout(void)
{
	/* ferror also catches what was written and failed before this flush */
	int bad = ferror(stdout);
	errno = 0;
	if (fflush(stdout) || bad || (fclose(stdout) && errno != EBADF)) {
		int e = errno ? errno : EIO;
		fprintf(stderr, "%s: standard output: %s\n", err_prog, strerror(e));
		_exit(EXIT_FAIL);
	}
}

int usage_layouts(const char *arg)
{
	char *end;
	errno = 0;
	long k = strtol(arg, &end, 10);
	if (errno || end == arg || *end || k < 1 || k > IMG_LAYOUTS_MAX)
		usage_fail("--layouts %s: not a number from 1 to %d", arg, IMG_LAYOUTS_MAX);
	return (int)k;
}
