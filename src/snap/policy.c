/* policy.c: the capture's allowlist (policy.h). */
#include "policy.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "probes.h"

static const int allowed[] = { SYS_brk, SYS_mprotect, SYS_munmap, SYS_exit, SYS_exit_group };
/* on a descriptor: allowed on those ld.so opened itself (the tracer
 * knows them), refused on any other (snap's stdin, say) */
static const int on_fd[] = { SYS_read, SYS_pread64, SYS_fstat, SYS_lseek, SYS_close, SYS_mmap };
/* the registrations the image redoes, and what starts a task or execs
 * (refused by the tracer, with its own reason) */
static const int traced[] = {
	SYS_arch_prctl, SYS_set_tid_address, SYS_set_robust_list, SYS_rseq, SYS_clone, SYS_clone3, SYS_fork,
	SYS_vfork, SYS_execve, SYS_execveat,
};
#define N(a) (sizeof a / sizeof a[0])
#define RLIMIT_STACK_ 3
#define MAP_ANONYMOUS_ 0x20

/* A small assembler for the filter: jumps name labels, resolved once
 * every instruction is placed (BPF jumps are forward offsets) */
enum label { NEXT = -1, TRACE, ALLOW, MMAP, WRITE, PRLIMIT, NLABELS };
struct bpf {
	struct sock_filter *f;
	int n, at[NLABELS];
	signed char jt[POLICY_FILTER_MAX], jf[POLICY_FILTER_MAX];
};

static void emit(struct bpf *b, struct sock_filter ins, int jt, int jf)
{
	b->f[b->n] = ins;
	b->jt[b->n] = (signed char)jt;
	b->jf[b->n] = (signed char)jf;
	b->n++;
}
static void here(struct bpf *b, enum label l) { b->at[l] = b->n; }
static void ld(struct bpf *b, unsigned off) { emit(b, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off), NEXT, NEXT); }
static void jeq(struct bpf *b, unsigned k, int t, int e) { emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0), t, e); }
static void ret(struct bpf *b, unsigned v) { emit(b, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, v), NEXT, NEXT); }
/* argument i's low and high words equal v (a 32-bit value) */
static void arg_is(struct bpf *b, int i, unsigned v, int yes)
{
	ld(b, (unsigned)offsetof(struct seccomp_data, args[0]) + 8u * (unsigned)i);
	jeq(b, v, NEXT, TRACE);
	ld(b, (unsigned)offsetof(struct seccomp_data, args[0]) + 8u * (unsigned)i + 4);
	jeq(b, 0, yes, TRACE);
}

int policy_filter(struct sock_filter *f)
{
	struct bpf b = { .f = f };
	ld(&b, offsetof(struct seccomp_data, arch));
	jeq(&b, AUDIT_ARCH_X86_64, NEXT, TRACE);
	ld(&b, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < N(allowed); i++)
		jeq(&b, (unsigned)allowed[i], ALLOW, NEXT);
	for (size_t i = 0; i < N(traced); i++)
		jeq(&b, (unsigned)traced[i], TRACE, NEXT);
	for (size_t i = 0; i < N(on_fd); i++)
		jeq(&b, (unsigned)on_fd[i], on_fd[i] == SYS_mmap ? MMAP : TRACE, NEXT);
	for (size_t i = 0; i < probe_nsyscalls; i++)
		jeq(&b, (unsigned)probe_syscalls[i], TRACE, NEXT);
	jeq(&b, SYS_write, WRITE, NEXT);
	jeq(&b, SYS_prlimit64, PRLIMIT, TRACE);
	/* an anonymous mapping needs no descriptor */
	here(&b, MMAP);
	ld(&b, offsetof(struct seccomp_data, args[3]));
	emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS_, 0, 0), ALLOW, TRACE);
	/* ld.so's own error messages */
	here(&b, WRITE);
	arg_is(&b, 0, 2, ALLOW);
	/* reading its own stack limit (getrlimit), nothing else */
	here(&b, PRLIMIT);
	arg_is(&b, 0, 0, NEXT);
	arg_is(&b, 1, RLIMIT_STACK_, NEXT);
	arg_is(&b, 2, 0, ALLOW);
	here(&b, TRACE);
	ret(&b, SECCOMP_RET_TRACE);
	here(&b, ALLOW);
	ret(&b, SECCOMP_RET_ALLOW);
	for (int i = 0; i < b.n; i++)
		if (BPF_CLASS(f[i].code) == BPF_JMP) {
			f[i].jt = (unsigned char)(b.jt[i] == NEXT ? 0 : b.at[b.jt[i]] - i - 1);
			f[i].jf = (unsigned char)(b.jf[i] == NEXT ? 0 : b.at[b.jf[i]] - i - 1);
		}
	return b.n;
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
	if (in(allowed, N(allowed), nr) || (nr == SYS_write && r->rdi == 2) ||
	    (nr == SYS_mmap && (r->r10 & MAP_ANONYMOUS_)) ||
	    (nr == SYS_prlimit64 && r->rdi == 0 && r->rsi == RLIMIT_STACK_ && r->rdx == 0))
		return POLICY_ALLOW;
	if (in(on_fd, N(on_fd), nr))
		return POLICY_FD;
	if (in(traced, N(traced), nr) || in(probe_syscalls, probe_nsyscalls, nr))
		return POLICY_TRACE;
	return POLICY_REFUSE;
}

int policy_fd(const struct user_regs_struct *r)
{
	return (long)r->orig_rax == SYS_mmap ? (int)r->r8 : (int)r->rdi;
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
