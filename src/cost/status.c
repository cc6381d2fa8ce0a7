/* status.c: what a pass of `resident cost` exits with, as resident(1) has it:
 * 0 what was asked for was read, 1 a process the user named (by PID,
 * program, user or cgroup) could not be read for want of permission, a
 * process's files were malformed, or a named PID or program is not
 * there, 3 none could be read.  Other users' processes in a whole-machine
 * report are counted in it, not an error: an ordinary user's `cost` would
 * fail every `set -e` script. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/exit.h"

int report_status(const struct report *r)
{
	const struct tally *t = &r->t;
	if (t->read == 0)
		return EXIT_NOTHING;
	return ((r->named && t->denied) || t->malformed || t->missing) ? EXIT_PARTIAL : EXIT_OK;
}

void report_die_nothing(const struct report *r)
{
	const struct tally *t = &r->t;
	size_t bad = t->denied + t->malformed;
	if (bad == 0)
		die(EXIT_NOTHING, "no process matched the selection");
	/* the first one's reason, as an example of all */
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pcost *p = &r->procs[i];
		if (p->state != PS_DENIED && p->state != PS_MALFORMED)
			continue;
		char more[64] = "";
		if (bad > 1)
			snprintf(more, sizeof more, ", and %zu more", bad - 1);
		die(EXIT_NOTHING, "no selected process could be read: pid %d: %s%s", (int)p->pid,
		    p->why ? p->why : "unreadable", more);
	}
	die(EXIT_NOTHING, "no selected process could be read");
}
