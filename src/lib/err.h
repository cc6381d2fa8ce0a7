/* err.h: the one error convention of resident.
 *
 * Library functions return 0 (or a count) on success and -errno on failure;
 * they never print.  Programs report through the helpers below, which print
 * one line "resident: reason" on stderr.  Exit statuses are in exit.h. */
#ifndef RESIDENT_ERR_H
#define RESIDENT_ERR_H

#include <stdarg.h>
#include <stddef.h>

extern const char *err_prog;	/* "resident" unless a test renames it */

/* print "resident: MSG" and exit(status) */
__attribute__((noreturn, format(printf, 2, 3)))
void die(int status, const char *fmt, ...);

/* print "resident: MSG: strerror(-neg_errno)" and exit(status) */
__attribute__((noreturn, format(printf, 3, 4)))
void die_errno(int status, int neg_errno, const char *fmt, ...);

/* write a one-line reason into why[0..n) for a caller to report; returns -1,
 * so that `return because(why, n, "...")` reads as the failure it is */
__attribute__((format(printf, 3, 4)))
int because(char *why, size_t n, const char *fmt, ...);

/* print "resident: warning: MSG" and go on */
__attribute__((format(printf, 1, 2)))
void warn(const char *fmt, ...);

#endif
