/* check_guard.h: what resident check leaves behind, whatever ends it:
 * nothing.  A scratch directory, removed with all it holds, and the run in
 * progress, killed with its process group and whatever left that group. */
#ifndef RESIDENT_CHECK_GUARD_H
#define RESIDENT_CHECK_GUARD_H

#include <sys/types.h>

/* make the scratch directory in $TMPDIR (or /tmp) and take the ending
 * signals (those not ignored at start); dies on failure */
void guard_open(void);

/* the scratch directory's path */
const char *guard_dir(void);

/* nonzero when the scratch directory's file system may not execute */
int guard_noexec(void);

/* a new file NAME in the scratch directory, already unlinked: an fd */
int guard_file(const char *name);

/* fork the run: in the child, a process group of its own and the signal
 * dispositions check started with; in check, the run is known before any
 * ending signal can act.  As fork(). */
pid_t guard_fork(void);

/* the run P is over: kill what it left, in its group or out of it */
void guard_done(pid_t p);

#endif
