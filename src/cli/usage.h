/* usage.h: the command line's shared rules.
 *
 *   - options go anywhere before `--` (getopt_long permutes; optstrings
 *     start with ':' so that a missing value is told apart);
 *   - a usage error is one line:
 *       resident: snap: -x: unknown option (see resident snap --help)
 *     and exit status 2;
 *   - what goes to standard output is checked when the program ends: a
 *     write error (a full disk, /dev/full, a closed pipe) is one line and
 *     exit status 4, never a silent success. */
#ifndef RESIDENT_USAGE_H
#define RESIDENT_USAGE_H

/* the command being parsed, for the messages; also sets opterr = 0 */
void usage_init(const char *cmd);

/* "resident: CMD: MSG (see resident CMD --help)", exit 2 */
__attribute__((noreturn, format(printf, 1, 2)))
void usage_fail(const char *fmt, ...);

/* getopt_long returned c ('?' or ':'): say which option and why, exit 2 */
__attribute__((noreturn))
void usage_bad_option(int c, char *const argv[]);

/* --layouts K: K from 1 to IMG_LAYOUTS_MAX, or a usage error */
int usage_layouts(const char *arg);

/* print a help text on standard output; EXIT_OK (checked at exit) */
int usage_help(const char *text);

/* registered by main with atexit: flush and close standard output, and
 * turn a write error into one line and exit status 4 */
void usage_close_stdout(void);

#endif
