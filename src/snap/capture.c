/* capture.c: stop a dynamically linked program at ld.so's hand-over.
 *
 * ld.so's entry on x86_64 is `mov %rsp,%rdi; call _dl_start`; the next
 * instruction, _dl_start_user, receives the program's entry in %rax after
 * every object is mapped and relocated, and only then calls _dl_init (the
 * constructors).  A breakpoint there is the capture point: nothing any
 * constructor does is baked into the image.  On the way the syscalls that
 * register per-thread state with the kernel are recorded, since the image
 * must redo them: arch_prctl(ARCH_SET_FS), set_tid_address,
 * set_robust_list, rseq.  A clone, fork or exec before the hand-over is
 * refused: an image cannot bring a second task back. */
#include "capture.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/phase.h"
#include "../proc/kvfile.h"
#include "../proc/linereader.h"
#include "../proc/scan.h"
#include "../proc/smaps.h"
#include "policy.h"
#include "probes.h"

#define ARCH_SET_FS 0x1002

/* The capture's allowlist (policy.h): ld.so stops only at what the
 * capture records, and at what it refuses, before that runs.  Installed by
 * the child after its stop and before its exec (with no_new_privs, which
 * changes nothing for the programs snap accepts).  Where seccomp is not
 * available, every syscall is stopped at and judged by the same lists. */
static int install_filter(void)
{
	struct sock_filter f[POLICY_FILTER_MAX];
	struct sock_fprog prog = { .len = (unsigned short)policy_filter(f), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* the ABI of the syscall the child is stopped at: AUDIT_ARCH_X86_64, or
 * another (int 0x80, x32), or 0 where the kernel cannot say */
static unsigned stop_arch(pid_t pid)
{
	struct __ptrace_syscall_info info;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info) <= 0)
		return 0;
	return info.arch;
}

/* "Seccomp: 2" in /proc/PID/status: the child's filter is in place */
static int filtered(pid_t pid)
{
	static const struct key k[] = { KEY("Seccomp") };
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct linereader lr = LINEREADER_ZERO;
	struct parse_error pe;
	uint64_t v = 0, seen = 0;
	lr_from_fd(&lr, fd);
	int rc = kv_parse(&lr, k, 1, ':', &v, &seen, &pe);
	lr_free(&lr);
	close(fd);
	return rc >= 0 && seen && v == 2;
}

int capture_read_mem(int mem, uint64_t addr, void *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = pread(mem, (char *)buf + done, n - done, (off_t)(addr + done));
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

struct map_list {
	struct capture *c;
	int oom;
};

static int on_map(void *ctx, const struct vma *v)
{
	struct map_list *l = ctx;
	struct capture *c = l->c;
	struct cap_map *nm = realloc(c->maps, (c->nmaps + 1) * sizeof *nm);
	if (!nm)
		return -ENOMEM;
	c->maps = nm;
	struct cap_map *m = &nm[c->nmaps];
	memset(m, 0, sizeof *m);
	m->start = v->start;
	m->end = v->end;
	m->offset = v->offset;
	memcpy(m->perms, v->perms, 5);
	m->dev_major = v->dev_major;
	m->dev_minor = v->dev_minor;
	m->ino = v->inode;
	m->written = v->inode == 0 || v->kb[SM_ANONYMOUS] > 0;
	m->path = strdup(v->path);
	if (!m->path)
		return -ENOMEM;
	c->nmaps++;
	return 0;
}

int capture_read_maps(struct capture *c, char *why, size_t n)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/smaps", (int)c->pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return because(why, n, "%s: %s", p, strerror(errno));
	struct smaps_reader r = SMAPS_READER_ZERO;
	struct parse_error pe;
	struct map_list l = { c, 0 };
	lr_from_fd(&r.lr, fd);
	int rc = smaps_parse(&r, on_map, &l, &pe);
	close(fd);
	smaps_reader_free(&r);
	if (rc <= 0)
		return because(why, n, "%s: %s", p, rc == -EINVAL ? pe.reason : strerror(-rc));
	return 0;
}

/* /proc/PID/stat fields 26-28 and 45-47: what PR_SET_MM_MAP will be told */
int capture_read_stat(struct capture *c, char *why, size_t n)
{
	char p[64], buf[4096];
	snprintf(p, sizeof p, "/proc/%d/stat", (int)c->pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return because(why, n, "%s: cannot read", p);
	buf[len] = 0;
	char *s = strrchr(buf, ')');	/* comm may hold spaces */
	if (!s)
		return because(why, n, "%s: malformed", p);
	uint64_t f[52] = { 0 };
	int i = 2;		/* s[1..] starts at field 3 */
	for (char *t = strtok(s + 1, " "); t && i < 51; t = strtok(NULL, " "))
		f[++i] = strtoull(t, NULL, 10);
	c->start_code = f[26];
	c->end_code = f[27];
	c->start_data = f[45];
	c->end_data = f[46];
	c->start_brk = f[47];
	c->brk = c->start_brk;	/* ld.so has not moved it: checked against [heap] */
	return 0;
}

int capture_read_auxv(struct capture *c, char *why, size_t n)
{
	Elf64_auxv_t av[128];
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/auxv", (int)c->pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, av, sizeof av);
	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return because(why, n, "%s: cannot read", p);
	for (size_t i = 0; i < (size_t)len / sizeof av[0] && av[i].a_type != AT_NULL; i++) {
		uint64_t v = av[i].a_un.a_val;
		switch (av[i].a_type) {
		case AT_PHDR: c->at_phdr = v; break;
		case AT_PHENT: c->at_phent = v; break;
		case AT_PHNUM: c->at_phnum = v; break;
		case AT_ENTRY: c->at_entry = v; break;
		case AT_BASE: c->at_base = v; break;
		case AT_SYSINFO_EHDR: c->at_sysinfo_ehdr = v; break;
		case AT_RANDOM: c->at_random = v; break;
		case AT_PLATFORM: c->at_platform = v; break;
		case AT_EXECFN: c->at_execfn = v; break;
		case AT_HWCAP: c->at_hwcap = v; break;
		case AT_HWCAP2: c->at_hwcap2 = v; break;
		case AT_SECURE:
			if (v)
				return because(why, n, "runs in secure mode (AT_SECURE): not captured");
			break;
		}
	}
	if (!c->at_base && !c->via_ldso)
		return because(why, n, "no dynamic linker ran (AT_BASE is 0)");
	return 0;
}

/* ld.so run as the program: the kernel's AT_PHDR and AT_ENTRY are its
 * own, so its base is the page of its ELF header, checked against both */
static int ldso_base(struct capture *c, int mem, char *why, size_t n)
{
	Elf64_Ehdr eh;
	uint64_t base = c->at_phdr & ~0xfffull;
	if (capture_read_mem(mem, base, &eh, sizeof eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    base + eh.e_phoff != c->at_phdr || base + eh.e_entry != c->at_entry)
		return because(why, n, "cannot find the dynamic linker run as the program");
	c->at_base = base;
	return 0;
}

/* After the hand-over, as the program sees it: ld.so removed its own
 * argument and set AT_PHDR, AT_PHNUM, AT_ENTRY and AT_EXECFN in the auxv
 * on the stack as if the program had been exec'd (glibc >= 2.36).  The
 * mm fields are the kernel's rule for the program's PT_LOADs. */
static int as_if_exec(struct capture *c, int mem, const char *ldso, const char *prog, char *why, size_t n)
{
	const uint64_t *w = (const uint64_t *)(c->stack + (c->sp - c->stack_lo));
	const char *a0 = (const char *)c->stack + (w[1] - c->stack_lo);
	if (c->argc < 1 || w[1] < c->stack_lo || w[1] >= c->stack_hi ||
	    !memchr(a0, 0, c->stack_hi - w[1]) || strcmp(a0, prog))
		return because(why, n, "ld.so did not hand over as if the program had been exec'd");
	/* ld.so's own argv[0] string, just below the program's: its link
	 * map's name points there; an exec'd program's ld.so is named by the
	 * program's PT_INTERP, the same string (checked below) */
	size_t ll = strlen(ldso) + 1;
	if (w[1] - c->stack_lo < ll || strcmp(a0 - ll, ldso))
		return because(why, n, "ld.so's argument string is not where expected");
	c->ldso_str = w[1] - ll;
	c->ldso_len = ll;
	for (uint64_t a = c->auxv; a + 16 <= c->auxv_end; a += 16) {
		const uint64_t *e = (const uint64_t *)(c->stack + (a - c->stack_lo));
		switch (e[0]) {
		case AT_PHDR: c->at_phdr = e[1]; break;
		case AT_PHNUM: c->at_phnum = e[1]; break;
		case AT_ENTRY: c->at_entry = e[1]; break;
		}
	}
	Elf64_Phdr ph[64];
	if (c->at_phnum == 0 || c->at_phnum > 64 || c->at_phent != sizeof ph[0] ||
	    capture_read_mem(mem, c->at_phdr, ph, c->at_phnum * sizeof ph[0]))
		return because(why, n, "cannot read the program's headers");
	uint64_t bias = 0, lo = ~0ull, end_code = 0, start_data = 0, end_data = 0;
	int have_phdr = 0;
	for (uint64_t i = 0; i < c->at_phnum; i++)
		if (ph[i].p_type == PT_PHDR) {
			bias = c->at_phdr - ph[i].p_vaddr;
			have_phdr = 1;
		}
	if (!have_phdr)
		return because(why, n, "the program has no PT_PHDR");
	for (uint64_t i = 0; i < c->at_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uint64_t k = ph[i].p_vaddr, e = k + ph[i].p_filesz;
		if (k < lo)
			lo = k;
		if (k > start_data)
			start_data = k;
		if ((ph[i].p_flags & PF_X) && e > end_code)
			end_code = e;
		if (e > end_data)
			end_data = e;
	}
	if (lo == ~0ull)
		return because(why, n, "the program has no PT_LOAD");
	char interp[4096];
	for (uint64_t i = 0; i < c->at_phnum; i++)
		if (ph[i].p_type == PT_INTERP && ph[i].p_filesz == ll && ll <= sizeof interp &&
		    capture_read_mem(mem, ph[i].p_vaddr + bias, interp, ll) == 0 && !memcmp(interp, ldso, ll))
			c->interp_str = ph[i].p_vaddr + bias;
	if (!c->interp_str)
		return because(why, n, "the program's PT_INTERP is not %s", ldso);
	c->start_code = lo + bias;
	c->end_code = end_code + bias;
	c->start_data = start_data + bias;
	c->end_data = end_data + bias;
	return 0;
}

/* ld.so's entry must be `mov %rsp,%rdi; call rel32`: the hand-over follows */
static int find_resume(struct capture *c, int mem, char *why, size_t n)
{
	Elf64_Ehdr eh;
	unsigned char code[8];
	if (capture_read_mem(mem, c->at_base, &eh, sizeof eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return because(why, n, "cannot read the dynamic linker's ELF header");
	uint64_t e = c->at_base + eh.e_entry;
	if (capture_read_mem(mem, e, code, sizeof code))
		return because(why, n, "cannot read the dynamic linker's entry");
	static const unsigned char want[4] = { 0x48, 0x89, 0xe7, 0xe8 };
	if (memcmp(code, want, 4))
		return because(why, n, "the dynamic linker's entry is not glibc's x86_64 _start");
	c->resume = e + 8;
	return 0;
}

/* record what a syscall at its entry registers; -1: it starts a task */
static int note_syscall(struct capture *c, const struct user_regs_struct *r)
{
	switch (r->orig_rax) {
	case SYS_arch_prctl:
		if (r->rdi == ARCH_SET_FS)
			c->fs_base = r->rsi;
		break;
	case SYS_set_tid_address: c->tid_addr = r->rdi; break;
	case SYS_set_robust_list: c->robust_head = r->rdi; c->robust_len = r->rsi; break;
	case SYS_rseq:
		c->rseq_addr = r->rdi;
		c->rseq_len = r->rsi;
		c->rseq_sig = r->r10;
		break;
	case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork:
	case SYS_execve: case SYS_execveat:
		return -1;
	}
	return 0;
}

static int run_to_handover(struct capture *c, struct probes *pr, char *why, size_t n)
{
	long orig = ptrace(PTRACE_PEEKTEXT, c->pid, (void *)c->resume, NULL);
	if (errno && orig == -1)
		return because(why, n, "ptrace peek: %s", strerror(errno));
	if (ptrace(PTRACE_POKETEXT, c->pid, (void *)c->resume, (void *)((orig & ~0xffL) | 0xcc)))
		return because(why, n, "ptrace poke: %s", strerror(errno));
	struct user_regs_struct r;
	for (;;) {
		int st;
		/* filtered: only to the next watched syscall, unless a lookup's
		 * result is wanted (its exit stop) */
		if (ptrace(c->filtered && !pr->pending ? PTRACE_CONT : PTRACE_SYSCALL, c->pid, NULL, NULL) ||
		    waitpid(c->pid, &st, 0) < 0)
			return because(why, n, "ptrace: %s", strerror(errno));
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return because(why, n, "the program ended before ld.so handed over (%s %d)",
				    WIFEXITED(st) ? "exit" : "signal",
				    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		if (!WIFSTOPPED(st))
			continue;
		ptrace(PTRACE_GETREGS, c->pid, NULL, &r);
		/* a watched syscall, at its entry: from the filter, or any
		 * syscall's entry (rax is -ENOSYS there, not at its exit) */
		if ((c->filtered && st >> 8 == (SIGTRAP | PTRACE_EVENT_SECCOMP << 8)) ||
		    (!c->filtered && !pr->pending && WSTOPSIG(st) == (SIGTRAP | 0x80) && (int64_t)r.rax == -ENOSYS)) {
			unsigned arch = stop_arch(c->pid);
			enum policy pol = arch && arch != AUDIT_ARCH_X86_64 ? POLICY_REFUSE : policy_of(&r);
			if (pol == POLICY_ALLOW)
				continue;	/* unfiltered: judged here */
			if (pol == POLICY_FD) {
				long fd = policy_fd(&r);
				if (!probe_fd_ours(pr, fd))
					return because(why, n, "ld.so, or code it ran, used descriptor %ld, which it did not "
							       "open, before handing over: not captured", fd);
				if ((long)r.orig_rax == SYS_close)
					probe_fd_closed(pr, fd);
				continue;
			}
			if (pol == POLICY_REFUSE)
				return because(why, n, "ld.so, or code it ran, made syscall %lld before handing over: an "
						       "image cannot contain its effect or answer; not captured",
					       (long long)r.orig_rax);
			if (note_syscall(c, &r))
				return because(why, n, "ld.so started a task or exec'd before handing over");
			if (probe_enter(pr, c->pid, &r, why, n) < 0)
				return -1;
			continue;
		}
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {	/* a syscall's exit */
			if (probe_exit(pr, (int64_t)r.rax, why, n))
				return -1;
			continue;
		}
		if (WSTOPSIG(st) == SIGTRAP && r.rip == c->resume + 1)
			break;
		/* another signal before the hand-over: the program is not ordinary */
		return because(why, n, "signal %d before ld.so handed over", WSTOPSIG(st));
	}
	if (ptrace(PTRACE_POKETEXT, c->pid, (void *)c->resume, (void *)orig))
		return because(why, n, "ptrace poke: %s", strerror(errno));
	c->entry = r.rax;
	c->sp = r.rsp;
	if (r.fs_base)
		c->fs_base = r.fs_base;
	return 0;
}

/* argc, argv, envp, auxv as the kernel laid them out on the stack */
int capture_read_stack(struct capture *c, int mem, char *why, size_t n)
{
	for (size_t i = 0; i < c->nmaps; i++)
		if (!strcmp(c->maps[i].path, "[stack]")) {
			c->stack_lo = c->maps[i].start;
			c->stack_hi = c->maps[i].end;
		}
	if (!c->stack_hi || c->sp < c->stack_lo || c->sp >= c->stack_hi)
		return because(why, n, "no [stack] around the stack pointer");
	c->stack = malloc(c->stack_hi - c->stack_lo);
	if (!c->stack || capture_read_mem(mem, c->stack_lo, c->stack, c->stack_hi - c->stack_lo))
		return because(why, n, "cannot read the stack");
	const uint64_t *w = (const uint64_t *)(c->stack + (c->sp - c->stack_lo));
	const uint64_t *end = (const uint64_t *)(c->stack + (c->stack_hi - c->stack_lo));
	c->argc = w[0];
	c->argv = c->sp + 8;
	size_t i = 1 + c->argc + 1;
	c->envp = c->sp + 8 * i;
	while (&w[i] < end && w[i])
		i++;
	c->auxv = c->sp + 8 * (i + 1);
	i++;
	while (&w[i + 1] < end && w[i] != AT_NULL)
		i += 2;
	c->auxv_end = c->sp + 8 * (i + 2);
	if (&w[i] >= end)
		return because(why, n, "the initial stack is not argc, argv, envp, auxv");
	return 0;
}

static int saved(const struct cap_map *m)
{
	return m->written && !m->empty && m->perms[3] == 'p' && !capture_special(m->path);
}

/* anonymous PROT_NONE maps with no page present (pagemap): reservations,
 * zero when made accessible; not read, not saved */
static void find_reservations(struct capture *c)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/pagemap", (int)c->pid);
	int pm = open(p, O_RDONLY | O_CLOEXEC);
	if (pm < 0)
		return;
	for (size_t i = 0; i < c->nmaps; i++) {
		struct cap_map *m = &c->maps[i];
		if (!m->written || m->path[0] || strncmp(m->perms, "---p", 4))
			continue;
		int any = 0;
		uint64_t e[512];
		for (uint64_t a = m->start; a < m->end && !any; a += 512 * 4096ull) {
			size_t k = (m->end - a) / 4096 < 512 ? (m->end - a) / 4096 : 512;
			if (pread(pm, e, 8 * k, (off_t)(a / 4096 * 8)) != (ssize_t)(8 * k)) {
				any = 1;
				break;
			}
			for (size_t j = 0; j < k && !any; j++)
				any = (e[j] >> 63 & 1) || (e[j] >> 62 & 1);	/* present or swapped */
		}
		m->empty = !any;
	}
	close(pm);
}

/* words worth a second look: into the stack, or a guard's value */
static int look_again(struct capture *c, uint64_t addr, unsigned char *at)
{
	if (c->ncands % 256 == 0) {
		struct cap_word *n = realloc(c->cands, (c->ncands + 256) * sizeof *n);
		if (!n)
			return -1;
		c->cands = n;
	}
	c->cands[c->ncands++] = (struct cap_word){ addr, at };
	return 0;
}

/* a block of 64 words at a time without a branch (the compiler
 * vectorises it), each word again only in a block that has a hit */
static int scan(struct capture *c, uint64_t addr, unsigned char *p, size_t len)
{
	uint64_t lo = c->stack_lo, size = c->stack_hi - c->stack_lo, can = c->canary, pg = c->pointer_guard;
	for (size_t blk = 0; blk < len; blk += 512) {
		size_t end = len - blk < 512 ? len - blk : 512;
		const uint64_t *w = (const uint64_t *)(p + blk);
		uint64_t hit = 0;
		for (size_t i = 0; i < end / 8; i++)
			hit |= (uint64_t)(w[i] - lo < size) | (uint64_t)(w[i] == can) | (uint64_t)(w[i] == pg);
		if (!hit)
			continue;
		for (size_t i = 0; i < end / 8; i++)
			if ((w[i] - lo < size || (w[i] && (w[i] == can || w[i] == pg))) &&
			    look_again(c, addr + blk + 8 * i, p + blk + 8 * i))
				return -1;
	}
	return 0;
}

/* The written maps' contents, in one buffer populated up front (one
 * allocation instead of a page fault per page), read with
 * process_vm_readv a slice at a time and scanned while the slice is in
 * the cache: the words the image writer must look at again are kept. */
int capture_read_written(struct capture *c, char *why, size_t n)
{
	size_t total = 0;
	find_reservations(c);
	for (size_t i = 0; i < c->nmaps; i++)
		if (saved(&c->maps[i]))
			total += c->maps[i].end - c->maps[i].start;
	if (!total)
		return 0;
	void *buf = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return because(why, n, "cannot hold %zu kB of saved pages: %s", total >> 10, strerror(errno));
	c->saved = buf;
	c->saved_size = total;
	enum { SLICE = 256 << 10 };
	size_t at = 0;
	for (size_t i = 0; i < c->nmaps; i++) {
		struct cap_map *m = &c->maps[i];
		if (!saved(m))
			continue;
		m->bytes = c->saved + at;
		for (uint64_t a = m->start; a < m->end; a += SLICE) {
			size_t len = m->end - a < SLICE ? m->end - a : SLICE;
			unsigned char *p = m->bytes + (a - m->start);
			struct iovec local = { p, len }, remote = { (void *)a, len };
			ssize_t got = process_vm_readv(c->pid, &local, 1, &remote, 1, 0);
			if (got != (ssize_t)len)
				return because(why, n, "cannot read %llx-%llx: %s", (unsigned long long)a,
					    (unsigned long long)(a + len), got < 0 ? strerror(errno) : "short read");
			if (scan(c, a, p, len))
				return because(why, n, "out of memory");
		}
		at += m->end - m->start;
	}
	return 0;
}

/* Via ld.so, its link map names it by its argv[0] string on the stack;
 * an exec'd program's ld.so is named by the program's PT_INTERP, the same
 * string: point there. */
static void redirect_ldso_name(struct capture *c)
{
	for (size_t i = 0; i < c->ncands; i++) {
		uint64_t v;
		memcpy(&v, c->cands[i].at, 8);
		if (v >= c->ldso_str && v < c->ldso_str + c->ldso_len) {
			v = c->interp_str + (v - c->ldso_str);
			memcpy(c->cands[i].at, &v, 8);
		}
	}
}

int capture_run(const char *prog, char *const argv[], char *const envp[], int via_ldso,
		const char *const exec_names[], struct capture *c, char *why, size_t n)
{
	memset(c, 0, sizeof *c);
	c->via_ldso = via_ldso;
	struct probes pr = { 0 };
	for (int i = 0; exec_names[i]; i++)
		if (probe_exec_name(&pr, exec_names[i], why, n)) {
			probes_free(&pr);
			return -1;
		}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		probes_free(&pr);
		return because(why, n, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* stopped before the exec, so that the tracer sets its options
		 * (the filter's stops need PTRACE_O_TRACESECCOMP); dead with
		 * snap, even if snap died before the death signal was set */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0) {
			raise(SIGSTOP);
			install_filter();
			execve(prog, argv, envp);
		}
		_exit(127);
	}
	c->pid = pid;
	int st, rc = -1;
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP) {
		because(why, n, "%s did not start", prog);
		goto out;
	}
	pr.root_only = geteuid() == 0;
	pr.pid = pid;
	pr.via_ldso = via_ldso;
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP));
	/* to the exec's SIGTRAP, past the filter's stop at the execve itself */
	do {
		if (ptrace(PTRACE_CONT, pid, NULL, NULL) || waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) {
			because(why, n, "%s did not start", prog);
			goto out;
		}
	} while (st >> 8 == (SIGTRAP | PTRACE_EVENT_SECCOMP << 8));
	if (WSTOPSIG(st) != SIGTRAP) {
		because(why, n, "%s did not start (signal %d)", prog, WSTOPSIG(st));
		goto out;
	}
	c->filtered = filtered(pid);
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/mem", (int)pid);
	int mem = open(p, O_RDONLY | O_CLOEXEC);
	if (mem < 0) {
		because(why, n, "%s: %s", p, strerror(errno));
		goto out;
	}
	if (capture_read_auxv(c, why, n) == 0 && (!via_ldso || ldso_base(c, mem, why, n) == 0) &&
	    find_resume(c, mem, why, n) == 0 &&
	    run_to_handover(c, &pr, why, n) == 0 && (phase("ld.so under ptrace"), 1) &&
	    probe_settle(&pr, why, n) == 0 && probes_deps(&pr, &c->deps, &c->ndeps, why, n) == 0 &&
	    capture_read_maps(c, why, n) == 0 &&
	    (phase("smaps"), 1) && capture_read_stat(c, why, n) == 0 && capture_read_stack(c, mem, why, n) == 0 &&
	    (!via_ldso || as_if_exec(c, mem, argv[0], argv[1], why, n) == 0)) {
		rc = 0;
		/* the breakpoint copied ld.so's text page on write; with the byte
		 * put back it is the file's again: map it from the file */
		for (size_t i = 0; i < c->nmaps; i++)
			if (c->resume >= c->maps[i].start && c->resume < c->maps[i].end && c->maps[i].ino)
				c->maps[i].written = 0;
		if (capture_read_mem(mem, c->fs_base + 0x28, &c->canary, 8) ||
		    capture_read_mem(mem, c->fs_base + 0x30, &c->pointer_guard, 8))
			rc = because(why, n, "cannot read the thread control block");
		if (rc == 0)
			rc = capture_read_written(c, why, n);
		if (rc == 0 && via_ldso)
			redirect_ldso_name(c);
	}
	close(mem);
	phase("read pages");
out:
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	probes_free(&pr);
	return rc;
}

int capture_special(const char *path)
{
	static const char *const kernel_maps[] = { "[stack]", "[vvar]", "[vvar_vclock]", "[vdso]",
						   "[vsyscall]", "[uprobes]" };
	for (size_t i = 0; i < sizeof kernel_maps / sizeof kernel_maps[0]; i++)
		if (!strcmp(path, kernel_maps[i]))
			return 1;
	return 0;
}

void capture_free(struct capture *c)
{
	for (size_t i = 0; i < c->nmaps; i++) {
		free(c->maps[i].path);
	}
	free(c->maps);
	cap_deps_free(c->deps, c->ndeps);
	free(c->stack);
	free(c->cands);
	if (c->saved)
		munmap(c->saved, c->saved_size);
	memset(c, 0, sizeof *c);
}
