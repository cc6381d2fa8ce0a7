#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *err_prog = "resident";

static void vsay(const char *prefix, const char *fmt, va_list ap, int neg_errno)
{
	/* one fprintf call per piece; stderr is unbuffered, so build the line first */
	char line[1024];
	int n = snprintf(line, sizeof line, "%s: %s", err_prog, prefix);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	int m = vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (m > 0)
		n += m;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	if (neg_errno)
		snprintf(line + n, sizeof line - n, ": %s", strerror(-neg_errno));
	fprintf(stderr, "%s\n", line);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("", fmt, ap, 0);
	va_end(ap);
	exit(status);
}

void die_errno(int status, int neg_errno, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("", fmt, ap, neg_errno);
	va_end(ap);
	exit(status);
}

int because(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("warning: ", fmt, ap, 0);
	va_end(ap);
}
