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
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../proc/kvfile.h"
#include "../proc/smaps.h"

#define ARCH_SET_FS 0x1002

static int read_mem(int mem, uint64_t addr, void *buf, size_t n)
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

static int read_maps(struct capture *c, char *why, size_t n)
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
static int read_stat(struct capture *c, char *why, size_t n)
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

static int read_auxv(struct capture *c, char *why, size_t n)
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
	if (!c->at_base)
		return because(why, n, "no dynamic linker ran (AT_BASE is 0)");
	return 0;
}

/* ld.so's entry must be `mov %rsp,%rdi; call rel32`: the hand-over follows */
static int find_resume(struct capture *c, int mem, char *why, size_t n)
{
	Elf64_Ehdr eh;
	unsigned char code[8];
	if (read_mem(mem, c->at_base, &eh, sizeof eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return because(why, n, "cannot read the dynamic linker's ELF header");
	uint64_t e = c->at_base + eh.e_entry;
	if (read_mem(mem, e, code, sizeof code))
		return because(why, n, "cannot read the dynamic linker's entry");
	static const unsigned char want[4] = { 0x48, 0x89, 0xe7, 0xe8 };
	if (memcmp(code, want, 4))
		return because(why, n, "the dynamic linker's entry is not glibc's x86_64 _start");
	c->resume = e + 8;
	return 0;
}

static int run_to_handover(struct capture *c, char *why, size_t n)
{
	long orig = ptrace(PTRACE_PEEKTEXT, c->pid, (void *)c->resume, NULL);
	if (errno && orig == -1)
		return because(why, n, "ptrace peek: %s", strerror(errno));
	if (ptrace(PTRACE_POKETEXT, c->pid, (void *)c->resume, (void *)((orig & ~0xffL) | 0xcc)))
		return because(why, n, "ptrace poke: %s", strerror(errno));
	struct user_regs_struct r;
	for (;;) {
		int st;
		if (ptrace(PTRACE_SYSCALL, c->pid, NULL, NULL) || waitpid(c->pid, &st, 0) < 0)
			return because(why, n, "ptrace: %s", strerror(errno));
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return because(why, n, "the program ended before ld.so handed over (%s %d)",
				    WIFEXITED(st) ? "exit" : "signal",
				    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		if (!WIFSTOPPED(st))
			continue;
		ptrace(PTRACE_GETREGS, c->pid, NULL, &r);
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if ((int64_t)r.rax != -ENOSYS)
				continue;	/* syscall exit */
			switch (r.orig_rax) {
			case SYS_arch_prctl:
				if (r.rdi == ARCH_SET_FS)
					c->fs_base = r.rsi;
				break;
			case SYS_set_tid_address: c->tid_addr = r.rdi; break;
			case SYS_set_robust_list: c->robust_head = r.rdi; c->robust_len = r.rsi; break;
			case SYS_rseq:
				c->rseq_addr = r.rdi;
				c->rseq_len = r.rsi;
				c->rseq_sig = r.r10;
				break;
			case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork:
			case SYS_execve: case SYS_execveat:
				return because(why, n, "ld.so started a task or exec'd before handing over");
			}
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
static int read_stack(struct capture *c, int mem, char *why, size_t n)
{
	for (size_t i = 0; i < c->nmaps; i++)
		if (!strcmp(c->maps[i].path, "[stack]")) {
			c->stack_lo = c->maps[i].start;
			c->stack_hi = c->maps[i].end;
		}
	if (!c->stack_hi || c->sp < c->stack_lo || c->sp >= c->stack_hi)
		return because(why, n, "no [stack] around the stack pointer");
	c->stack = malloc(c->stack_hi - c->stack_lo);
	if (!c->stack || read_mem(mem, c->stack_lo, c->stack, c->stack_hi - c->stack_lo))
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

int capture_run(const char *prog, char *const argv[], char *const envp[], struct capture *c,
		char *why, size_t n)
{
	memset(c, 0, sizeof *c);
	pid_t pid = fork();
	if (pid < 0)
		return because(why, n, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
			execve(prog, argv, envp);
		_exit(127);
	}
	c->pid = pid;
	int st, rc = -1;
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) {
		because(why, n, "%s did not start", prog);
		goto out;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/mem", (int)pid);
	int mem = open(p, O_RDONLY | O_CLOEXEC);
	if (mem < 0) {
		because(why, n, "%s: %s", p, strerror(errno));
		goto out;
	}
	if (read_auxv(c, why, n) == 0 && find_resume(c, mem, why, n) == 0 &&
	    run_to_handover(c, why, n) == 0 && read_maps(c, why, n) == 0 &&
	    read_stat(c, why, n) == 0 && read_stack(c, mem, why, n) == 0) {
		rc = 0;
		/* the breakpoint copied ld.so's text page on write; with the byte
		 * put back it is the file's again: map it from the file */
		for (size_t i = 0; i < c->nmaps; i++)
			if (c->resume >= c->maps[i].start && c->resume < c->maps[i].end && c->maps[i].ino)
				c->maps[i].written = 0;
		if (read_mem(mem, c->fs_base + 0x28, &c->canary, 8) ||
		    read_mem(mem, c->fs_base + 0x30, &c->pointer_guard, 8))
			rc = because(why, n, "cannot read the thread control block");
		for (size_t i = 0; rc == 0 && i < c->nmaps; i++) {
			struct cap_map *m = &c->maps[i];
			if (!m->written || m->perms[3] != 'p' || capture_special(m->path))
				continue;
			m->bytes = malloc(m->end - m->start);
			if (!m->bytes || read_mem(mem, m->start, m->bytes, m->end - m->start))
				rc = because(why, n, "cannot read %llx-%llx", (unsigned long long)m->start,
					  (unsigned long long)m->end);
		}
	}
	close(mem);
out:
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
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
		free(c->maps[i].bytes);
	}
	free(c->maps);
	free(c->stack);
	memset(c, 0, sizeof *c);
}
