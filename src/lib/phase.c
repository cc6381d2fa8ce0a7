/* phase.c: phase timings for RESIDENT_DEBUG. */
#include "phase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"

static double now_ms(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int debug_on(void)
{
	static int on = -1;
	if (on < 0) {
		const char *d = getenv("RESIDENT_DEBUG");
		on = d && *d && strcmp(d, "0");
	}
	return on;
}

void phase(const char *name)
{
	static double last = -1;
	if (!debug_on())
		return;
	double t = now_ms(CLOCK_MONOTONIC);
	if (last < 0)	/* the first phase counts from exec: the process's CPU time so far */
		last = t - now_ms(CLOCK_PROCESS_CPUTIME_ID);
	fprintf(stderr, "%s: %s: %.2f ms\n", err_prog, name, t - last);
	last = t;
}
