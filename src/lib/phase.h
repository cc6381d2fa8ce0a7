/* phase.h: where a command's time goes, told when RESIDENT_DEBUG is set. */
#ifndef RESIDENT_PHASE_H
#define RESIDENT_PHASE_H

/* RESIDENT_DEBUG is set, not empty and not 0 */
int debug_on(void);
/* with RESIDENT_DEBUG set, print "resident: NAME: X.XX ms" on stderr: the
 * time since the previous phase (or since the process started) */
void phase(const char *name);

#endif
