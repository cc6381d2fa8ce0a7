/* exit.h: exit statuses shared by every subcommand (documented in resident(1)). */
#ifndef RESIDENT_EXIT_H
#define RESIDENT_EXIT_H

enum {
	EXIT_OK = 0,		/* did the job */
	EXIT_PARTIAL = 1,	/* did the job, but some processes could not be read */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOTHING = 3,	/* the selection matched no readable process */
	EXIT_FAIL = 4,		/* could not do the job at all (no /proc, out of memory...) */
};

#endif
