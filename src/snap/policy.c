/* policy.c: the capture's allowlist (policy.h). */
#include "policy.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "probes.h"

static const int allowed[] = {
	SYS_mmap, SYS_mprotect, SYS_munmap, SYS_mremap, SYS_madvise, SYS_brk, SYS_read, SYS_pread64, SYS_fstat,
	SYS_lseek, SYS_close, SYS_prlimit64, SYS_uname, SYS_getcwd, SYS_exit, SYS_exit_group,
};
/* the registrations the image redoes, and what starts a task or execs
 * (refused by the tracer, with its own reason) */
static const int traced[] = {
	SYS_arch_prctl, SYS_set_tid_address, SYS_set_robust_list, SYS_rseq, SYS_clone, SYS_clone3, SYS_fork,
	SYS_vfork, SYS_execve, SYS_execveat,
};
#define N(a) (sizeof a / sizeof a[0])

int policy_filter(struct sock_filter *f)
{
	/* the syscall number against each list, a hit jumping to its return;
	 * then write, allowed to fd 2 only (its first argument's low word):
	 *
	 *   0 ld arch  1 jeq x86_64  2 ret TRACE  3 ld nr
	 *   4 ... 4+C-1  jeq each allowed, traced and probe syscall
	 *   w=4+C jeq write  w+1 ld args[0]  w+2 jeq 2
	 *   w+3 ret TRACE  w+4 ret ALLOW */
	int c = (int)(N(allowed) + N(traced) + probe_nsyscalls), n = 0;
	int trace = 4 + c + 3, allow = trace + 1;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < N(allowed); i++, n++)
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allowed[i],
						     (unsigned char)(allow - n - 1), 0);
	for (size_t i = 0; i < N(traced); i++, n++)
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)traced[i],
						     (unsigned char)(trace - n - 1), 0);
	for (size_t i = 0; i < probe_nsyscalls; i++, n++)
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)probe_syscalls[i],
						     (unsigned char)(trace - n - 1), 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 0, 2);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

static int in(const int *list, size_t n, long nr)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == nr)
			return 1;
	return 0;
}

enum policy policy_of(const struct user_regs_struct *r)
{
	long nr = (long)r->orig_rax;
	if (r->cs != 0x33 || nr & 0x40000000)	/* not the 64-bit ABI (32-bit code, x32) */
		return POLICY_REFUSE;
	if (in(allowed, N(allowed), nr) || (nr == SYS_write && r->rdi == 2))
		return POLICY_ALLOW;
	if (in(traced, N(traced), nr) || in(probe_syscalls, probe_nsyscalls, nr))
		return POLICY_TRACE;
	return POLICY_REFUSE;
}

const char *policy_env_refused(char *const *envp)
{
	static const char *const refused[] = {
		"LD_AUDIT=", "LD_DEBUG=", "LD_DEBUG_OUTPUT=", "LD_TRACE_LOADED_OBJECTS=", "LD_TRACE_PRELINKING=",
		"LD_VERBOSE=", "LD_WARN=", "LD_PROFILE=", "LD_PROFILE_OUTPUT=", "LD_SHOW_AUXV=",
	};
	for (char *const *e = envp; *e; e++)
		for (size_t i = 0; i < N(refused); i++)
			if (!strncmp(*e, refused[i], strlen(refused[i])))
				return *e;
	return NULL;
}
