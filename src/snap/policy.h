/* policy.h: what the capture lets the program do before the hand-over.
 *
 * Capturing runs the program's dynamic linker and, while it relocates,
 * every IFUNC resolver of the program and its libraries: the program's
 * own code, with the privileges of whoever runs snap (root, for system
 * images).  Its results are frozen into the image, so any syscall whose
 * answer could differ from one run to the next would make the image
 * inexact; and any syscall with a side effect would be a side effect of
 * `resident snap`.  So the capture's seccomp filter is an allowlist:
 *
 *   allowed      what ld.so needs and whose answers the image checks or
 *                cannot change: memory (brk, mprotect, munmap, anonymous
 *                mmap), reading its own stack limit (prlimit64 with pid 0,
 *                RLIMIT_STACK, no new limit: the image checks it), write
 *                to fd 2 (ld.so's own error messages), exit
 *   on its own   read, pread64, fstat, lseek, close, mmap of a file: only
 *   descriptors  on a descriptor ld.so opened during the capture (the
 *                tracer keeps the set), never on one it inherited
 *   traced       what the capture records: the thread registrations
 *                (arch_prctl, set_tid_address, set_robust_list, rseq) and
 *                every path lookup (probes.c)
 *   refused      everything else, other ABIs (int 0x80, x32) included:
 *                the tracer sees it before it runs and snap refuses the
 *                program ("made syscall N before handing over")
 *
 * Where seccomp is missing the tracer stops at every syscall and applies
 * the same lists. */
#ifndef RESIDENT_POLICY_H
#define RESIDENT_POLICY_H

#include <linux/filter.h>
#include <sys/user.h>

enum policy { POLICY_ALLOW, POLICY_TRACE, POLICY_FD, POLICY_REFUSE };

/* the filter: fills f (room for POLICY_FILTER_MAX) and returns its length */
#define POLICY_FILTER_MAX 96
int policy_filter(struct sock_filter *f);
/* the same decision for a syscall stopped at by the tracer: POLICY_FD,
 * allowed on a descriptor ld.so opened (policy_fd: which) */
enum policy policy_of(const struct user_regs_struct *r);
int policy_fd(const struct user_regs_struct *r);

/* variables with which ld.so does at every start what an image would
 * not (print, trace, audit): the first one set in envp, or NULL */
const char *policy_env_refused(char *const *envp);

#endif
