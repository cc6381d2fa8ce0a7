/* ctorsys.h: what the constructors ask the kernel, and tell it, beyond
 * their memory (issue 14's classification of syscalls).  Each syscall a
 * constructor makes that is not a memory one (tracerun.c lets those run)
 * is one of:
 *
 *   a lookup of a file            open, stat, access, readlink, statfs:
 *                                 a dependency by the rules of probes.h
 *                                 (found: its identity; not found: its
 *                                 absence; statfs: only not found)
 *   a read of a kernel file       /proc/filesystems, /proc/sys/...: its
 *                                 contents are the dependency (IMD_CONTENT),
 *                                 and that it is the kernel's (fstatfs)
 *   a use of a descriptor it      read, pread64, lseek, fstat, close,
 *   opened so                     fcntl F_GETFD/F_SETFD/F_GETFL; none may
 *                                 be open at main
 *   a question                    getuid..., prctl(PR_CAPBSET_READ):
 *                                 asked again at each start (ISO_ANSWER)
 *   signal state                  rt_sigaction, rt_sigprocmask: the state
 *                                 exec left checked, what they set set
 *                                 again (ISO_SIGACTION, ISO_SIGMASK)
 *
 * Anything else is refused by the caller, named. */
#ifndef RESIDENT_CTORSYS_H
#define RESIDENT_CTORSYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "../image/format.h"
#include "probes.h"

struct ctorsys {
	struct probes pr;	/* the files looked up, and the descriptors opened so */
	struct cap_dep content[16];	/* kernel files read (IMD_CONTENT) */
	size_t ncontent;
	int content_fd[16];	/* each one's descriptor while open, else -1 */
	struct img_sysop ops[64];	/* the questions (ISO_ANSWER), in order */
	size_t nops;
	uint64_t ign0, blk0;	/* ignored and blocked signals at the hand-over (exec's) */
	uint64_t acts[64][4];	/* the last action set for each signal */
	uint64_t acted;		/* which signals (bit sig - 1) */
	uint64_t asked;		/* which a constructor asked about or set */
	int masked;		/* it asked for the mask, or set it */
	enum { CS_NONE, CS_PROBE, CS_ANSWER, CS_CONTENT } pending;
	int opening;		/* CS_PROBE: an open */
	char cpath[4096];	/* CS_CONTENT: the file being opened */
	uint64_t csum, csize;	/* and what it held before the open */
};

/* at the hand-over to the constructors: the signal state exec left */
int ctorsys_start(struct ctorsys *s, pid_t pid, int root_only, char *why, size_t n);
/* at a syscall's entry: 1 let it run, 0 not one of these (refuse it),
 * -1 refused with a reason */
int ctorsys_enter(struct ctorsys *s, pid_t pid, const struct user_regs_struct *g, char *why, size_t n);
/* at a syscall's exit, its result */
int ctorsys_exit(struct ctorsys *s, int64_t ret, char *why, size_t n);
/* at main: nothing left open; the signal state then, as ISO_* entries
 * appended to ops */
int ctorsys_at_main(struct ctorsys *s, pid_t pid, char *why, size_t n);
/* the dependencies (probes_deps, then the kernel files), malloc'd */
int ctorsys_deps(const struct ctorsys *s, struct cap_dep **deps, size_t *ndeps, char *why, size_t n);
/* did two runs ask and set the same (their answers may differ: the
 * second run's IDs do not; they are compared as given) */
int ctorsys_same(const struct ctorsys *a, const struct ctorsys *b);
void ctorsys_free(struct ctorsys *s);

#endif
