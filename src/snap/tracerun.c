/* tracerun.c: one run of a before-constructor image to main, traced (one
 * of the two columns of afterinit.c's diagram).
 *
 *   exec (memfd) --PTRACE_SYSCALL--> loader's syscalls, until ld.so's
 *   text is mapped: int3 at _dl_start_user
 *     |
 *   hand-over: the stack below sp cleared, argv[1...] hidden (unmapped),
 *   in run B the auxv's IDs changed; breakpoints on what a constructor
 *   must not call (libc, the vDSO, any object defining them) and on the
 *   program's entry
 *     |  every syscall stopped at its entry: memory ones go on, the rest
 *     |  refuse before they run; getenv names recorded and stepped over
 *   _start: single steps to __libc_start_main, whose first argument is
 *   main (the stack below cleared again; and at the entry of the function
 *   that calls main, when a first run found it)
 *     |
 *   main: breakpoints out (a constructor that wrote over one or copied
 *   one is refused), the arguments and auxv put back, the state read as
 *   a capture: maps, saved pages, registers, glibc's start frames
 */
#include "tracerun.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../image/verify.h"
#include "../lib/phase.h"
#include "elfsym.h"
#include "stackref.h"

/* functions whose call is itself the evidence: the runs could agree by
 * chance (a variable set in neither, the same second) */
static const char *const watched[] = { "getenv", "secure_getenv", "__libc_secure_getenv", "time",
				       "gettimeofday", "clock_gettime", "clock_getres", "getauxval",
				       /* they scan environ themselves, not through getenv */
				       "unsetenv", "setenv", "putenv", "clearenv",
				       /* the CPU it runs on */
				       "sched_getcpu", "getcpu" };
#define GETENV_LIKE(w) (strstr((w), "getenv") != NULL)
#define NWATCHED (sizeof watched / sizeof watched[0])

/* "ADDR (symbol+off in PATH)", from the first capture's maps */
void where(const struct capture *b, uint64_t a, char *out, size_t n)
{
	for (size_t i = 0; i < b->nmaps; i++) {
		const struct cap_map *m = &b->maps[i];
		if (a < m->start || a >= m->end)
			continue;
		/* a library's bss: the anonymous map right after its file's */
		if (!m->path[0] && i > 0 && b->maps[i - 1].end == m->start && b->maps[i - 1].path[0] == '/')
			m = &b->maps[i - 1];
		if (m->path[0] != '/') {
			snprintf(out, n, "%#llx (%s)", (unsigned long long)a, m->path[0] ? m->path : "anonymous");
			return;
		}
		uint64_t lowest = m->start - m->offset;
		for (size_t j = 0; j < b->nmaps; j++)
			if (b->maps[j].ino == m->ino && b->maps[j].offset == 0 && !strcmp(b->maps[j].path, m->path))
				lowest = b->maps[j].start;
		struct elfsym e;
		const char *s = NULL;
		uint64_t off = 0;
		if (elfsym_open(&e, m->path, makedev(m->dev_major, m->dev_minor), m->ino, lowest) == 0)
			s = elfsym_near(&e, a, &off);
		if (s)
			snprintf(out, n, "%#llx (%s+%#llx in %s)", (unsigned long long)a, s, (unsigned long long)off,
				 m->path);
		else
			snprintf(out, n, "%#llx (%s+%#llx)", (unsigned long long)a, m->path,
				 (unsigned long long)(a - lowest));
		elfsym_close(&e);
		return;
	}
	snprintf(out, n, "%#llx", (unsigned long long)a);
}

/* a code page as it was before a breakpoint went into it */
static int keep_page(struct run *r, uint64_t at)
{
	for (size_t k = 0; k < r->npages; k++)
		if (r->pages[k].at == at)
			return 0;
	struct page_copy *np = realloc(r->pages, (r->npages + 1) * sizeof *np);
	if (!np)
		return -1;
	r->pages = np;
	unsigned char *b = malloc(4096);
	if (!b || capture_read_mem(r->mem, at, b, 4096)) {
		free(b);
		return -1;
	}
	r->pages[r->npages++] = (struct page_copy){ at, b };
	return 0;
}

static int bp_set(struct run *r, uint64_t addr, const char *what)
{
	if (keep_page(r, addr & ~4095ull) || keep_page(r, (addr + 7) & ~4095ull))
		return -1;
	errno = 0;
	long w = ptrace(PTRACE_PEEKTEXT, r->pid, (void *)addr, NULL);
	if (errno || r->nbps == sizeof r->bps / sizeof r->bps[0])
		return -1;
	struct bp *b = &r->bps[r->nbps++];
	*b = (struct bp){ addr, (unsigned char)w, 1, what };
	return (int)ptrace(PTRACE_POKETEXT, r->pid, (void *)addr, (void *)((w & ~0xffL) | 0xcc));
}

static int bp_arm(struct run *r, struct bp *b)
{
	errno = 0;
	long w = ptrace(PTRACE_PEEKTEXT, r->pid, (void *)b->addr, NULL);
	if (errno || ptrace(PTRACE_POKETEXT, r->pid, (void *)b->addr, (void *)((w & ~0xffL) | 0xcc)))
		return -1;
	b->on = 1;
	return 0;
}

static void bp_clear(struct run *r, struct bp *b)
{
	errno = 0;
	long w = ptrace(PTRACE_PEEKTEXT, r->pid, (void *)b->addr, NULL);
	if (!errno && b->on && (w & 0xff) != 0xcc)
		r->bp_hit_by_write = b->addr;	/* a constructor wrote code there */
	else if (!errno && b->on)
		ptrace(PTRACE_POKETEXT, r->pid, (void *)b->addr, (void *)((w & ~0xffL) | b->orig));
	b->on = 0;
}

static struct bp *bp_at(struct run *r, uint64_t addr)
{
	for (size_t i = 0; i < r->nbps; i++)
		if (r->bps[i].on && r->bps[i].addr == addr)
			return &r->bps[i];
	return NULL;
}

/* the program's text, where _start runs: the map holding its entry */
const struct cap_map *map_of(const struct capture *b, uint64_t a)
{
	for (size_t i = 0; i < b->nmaps; i++)
		if (a >= b->maps[i].start && a < b->maps[i].end)
			return &b->maps[i];
	return NULL;
}

/* the functions whose call refuses, in the libraries that export them */
static int watch(struct run *r, const struct capture *b)
{
	/* in every object that defines them: a program may define its own
	 * getenv (bash does), which the libraries' calls then reach */
	for (size_t i = 0; i < b->nmaps; i++) {
		const struct cap_map *m = &b->maps[i];
		if (m->offset || m->path[0] != '/')
			continue;
		struct elfsym e;
		if (elfsym_open(&e, m->path, makedev(m->dev_major, m->dev_minor), m->ino, m->start))
			continue;
		for (size_t k = 0; k < NWATCHED; k++) {
			uint64_t a = elfsym_addr(&e, watched[k]);
			const struct cap_map *x = a ? map_of(b, a) : NULL;
			if (x && x->perms[2] == 'x' && !bp_at(r, a) && bp_set(r, a, watched[k])) {
				elfsym_close(&e);
				return -1;
			}
		}
		elfsym_close(&e);
	}
	/* time() and gettimeofday() are IFUNCs that resolve to the vDSO,
	 * which reads the clock without a syscall: its functions too, found
	 * in this process's own vDSO (the same kernel's) */
	static const char *const clocks[] = { "time", "gettimeofday", "clock_gettime", "clock_getres", "getcpu" };
	for (size_t i = 0; i < b->nmaps; i++) {
		struct elfsym e;
		if (strcmp(b->maps[i].path, "[vdso]") ||
		    elfsym_view(&e, (const void *)getauxval(AT_SYSINFO_EHDR), b->maps[i].start))
			continue;
		for (size_t k = 0; k < sizeof clocks / sizeof clocks[0]; k++) {
			char name[64];
			snprintf(name, sizeof name, "__vdso_%s", clocks[k]);
			uint64_t a = elfsym_addr(&e, name);
			if (a >= b->maps[i].start && a < b->maps[i].end && !bp_at(r, a) && bp_set(r, a, clocks[k])) {
				elfsym_close(&e);
				return -1;
			}
		}
		elfsym_close(&e);
	}
	return 0;
}

static const char *sysname(long nr)
{
	switch (nr) {
	case SYS_read: return "read";
	case SYS_madvise: return "madvise";
	case SYS_mmap: return "mmap";
	case SYS_mprotect: return "mprotect";
	case SYS_mremap: return "mremap";
	case SYS_write: return "write";
	case SYS_open: return "open";
	case SYS_openat: return "openat";
	case SYS_close: return "close";
	case SYS_stat: return "stat";
	case SYS_fstat: return "fstat";
	case SYS_newfstatat: return "newfstatat";
	case SYS_statx: return "statx";
	case SYS_access: return "access";
	case SYS_readlink: return "readlink";
	case SYS_getpid: return "getpid";
	case SYS_gettid: return "gettid";
	case SYS_getuid: return "getuid";
	case SYS_geteuid: return "geteuid";
	case SYS_getrandom: return "getrandom";
	case SYS_uname: return "uname";
	case SYS_ioctl: return "ioctl";
	case SYS_rt_sigaction: return "rt_sigaction";
	case SYS_rt_sigprocmask: return "rt_sigprocmask";
	case SYS_sigaltstack: return "sigaltstack";
	case SYS_prctl: return "prctl";
	case SYS_clone: return "clone";
	case SYS_clone3: return "clone3";
	case SYS_futex: return "futex";
	case SYS_clock_gettime: return "clock_gettime";
	case SYS_sched_getaffinity: return "sched_getaffinity";
	case SYS_prlimit64: return "prlimit64";
	case SYS_getrlimit: return "getrlimit";
	case SYS_socket: return "socket";
	case SYS_getcwd: return "getcwd";
	case SYS_sysinfo: return "sysinfo";
	}
	return NULL;
}

/* a syscall a constructor makes, at its entry: memory ones are in the
 * capture; anything else has an effect or an answer an image cannot hold */
static int allowed(const struct user_regs_struct *g)
{
	switch (g->orig_rax) {
	case SYS_brk: case SYS_munmap: case SYS_mprotect: case SYS_mremap:
		return 1;
	case SYS_madvise:	/* advice about this process's own pages only */
		switch (g->rdx) {
		case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED: case MADV_DONTNEED:
		case MADV_FREE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
		case MADV_DONTFORK: case MADV_DOFORK:
			return 1;
		}
		return 0;
	case SYS_futex:	/* a wake with no other thread to wake (a once or guard released) */
		return (g->rsi & 0x7f) == 1 /* FUTEX_WAKE */;
	case SYS_getrandom:	/* its bytes are drawn again at every start (IFX_RANDOM) */
		return g->rsi <= 8 * IFX_RANDOM_WORDS;
	case SYS_mmap:	/* anonymous and private only, nothing locked or huge */
		return (g->r10 & MAP_ANONYMOUS) && (g->r10 & 3) == MAP_PRIVATE && (int)g->r8 == -1 &&
		       !(g->r10 & ~(uint64_t)(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_FIXED_NOREPLACE |
					      MAP_NORESERVE | MAP_POPULATE | MAP_STACK | MAP_GROWSDOWN));
	}
	return 0;
}

static int refuse_syscall(struct run *r, const struct capture *b, const struct user_regs_struct *g, char *why,
			  size_t n)
{
	char at[512];
	const char *s = sysname((long)g->orig_rax);
	char num[32];
	snprintf(num, sizeof num, "syscall %lld", (long long)g->orig_rax);
	where(b, g->rip - 2, at, sizeof at);
	(void)r;
	return because(why, n, "a constructor made %s at %s: its effect or answer is not in memory; not captured "
			       "after init", s ? s : num, at);
}

/* getauxval(type) whose answer every start that restores shares: the
 * host checks pin the CPU, the kernel and AT_SECURE, the vDSO moves back,
 * pointers into the stack are fixed up like any other */
static int aux_pinned(uint64_t type)
{
	switch (type) {
	case AT_PAGESZ: case AT_HWCAP: case AT_HWCAP2: case AT_CLKTCK: case AT_SECURE: case AT_PLATFORM:
	case AT_RANDOM: case AT_SYSINFO_EHDR: case AT_BASE: case AT_PHDR: case AT_PHENT:
	case AT_PHNUM: case AT_ENTRY: case 51 /* AT_MINSIGSTKSZ */:
		return 1;
	}
	return 0;
}

/* a watched function called: the caller, and what it asked for */
static int refuse_call(struct run *r, const struct capture *b, const struct bp *bp,
		       const struct user_regs_struct *g, char *why, size_t n)
{
	uint64_t ret = 0;
	char at[512], arg[80] = "";
	capture_read_mem(r->mem, g->rsp, &ret, 8);
	where(b, ret, at, sizeof at);
	if (strstr(bp->what, "getenv")) {
		char v[64] = { 0 };
		if (capture_read_mem(r->mem, g->rdi, v, sizeof v - 1) && capture_read_mem(r->mem, g->rdi, v, 1))
			v[0] = 0;
		v[sizeof v - 1] = 0;
		snprintf(arg, sizeof arg, "\"%.60s\"", v);
	} else if (!strcmp(bp->what, "getauxval")) {
		snprintf(arg, sizeof arg, "%llu", (unsigned long long)g->rdi);
	}
	return because(why, n, "a constructor called %s(%s) from %s: what it reads differs from run to run; not "
			       "captured after init", bp->what, arg, at);
}

static int refuse_signal(struct run *r, const struct capture *b, int sig, char *why, size_t n)
{
	struct user_regs_struct g;
	char at[512];
	ptrace(PTRACE_GETREGS, r->pid, NULL, &g);
	where(b, g.rip, at, sizeof at);
	return because(why, n, "a constructor got signal %d (%s) at %s; not captured after init", sig, strsignal(sig),
		       at);
}

/* go on past a breakpoint that stays: its instruction run alone */
static int step_over(struct run *r, struct bp *b, struct user_regs_struct *g)
{
	int st;
	bp_clear(r, b);
	g->rip = b->addr;
	if (ptrace(PTRACE_SETREGS, r->pid, NULL, g) || ptrace(PTRACE_SINGLESTEP, r->pid, NULL, NULL) ||
	    waitpid(r->pid, &st, 0) < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
		return -1;
	return bp_arm(r, b);
}

/* getenv("NAME") answered by snap as glibc would (the first NAME=, its
 * value), from the environment as the kernel laid it out (r->top), whose
 * pointers the constructors cannot follow; then back to the caller */
static int answer(struct run *r, uint64_t sp, struct user_regs_struct *g, char *why, size_t n)
{
	const uint64_t *w = (const uint64_t *)r->top;
	size_t nw = r->top_len / 8, i = 1 + (nw ? w[0] : 0) + 1;
	const char *name = r->names[r->cur];	/* "NAME=", from asked() */
	size_t nl = strlen(name);
	uint64_t value = 0, ret;
	for (; i < nw && w[i] && !value; i++) {
		uint64_t a = w[i];
		if (a < sp || a - sp >= r->top_len || r->top_len - (a - sp) <= nl)
			continue;
		if (!memcmp(r->top + (a - sp), name, nl))
			value = a + nl;
	}
	if (capture_read_mem(r->mem, g->rsp, &ret, 8))
		return because(why, n, "cannot return from getenv");
	g->rax = value;
	g->rip = ret;
	g->rsp += 8;
	return ptrace(PTRACE_SETREGS, r->pid, NULL, g) ? because(why, n, "ptrace: %s", strerror(errno)) : 0;
}

/* getenv("NAME") from a constructor: the image will depend on NAME */
static int asked(struct run *r, const struct user_regs_struct *g, char *why, size_t n)
{
	char v[256];
	size_t k = 0;
	for (; k < sizeof v - 2; k++)
		if (capture_read_mem(r->mem, g->rdi + k, &v[k], 1) || !v[k])
			break;
	if (k == sizeof v - 2 || k == 0 || memchr(v, '=', k))
		return because(why, n, "a constructor called getenv with a name that is not one");
	v[k] = '=';
	v[k + 1] = 0;
	for (size_t i = 0; i < r->nnames; i++)
		if (!strcmp(r->names[i], v)) {
			r->cur = i;
			return 0;
		}
	r->cur = r->nnames;
	if (r->nnames == sizeof r->names / sizeof r->names[0])
		return because(why, n, "the constructors asked getenv for more than 64 variables");
	return (r->names[r->nnames++] = strdup(v)) ? 0 : because(why, n, "out of memory");
}


static int clear_below(struct run *r, uint64_t sp, char *why, size_t n);

/* at _start: step to where it leaves the program for __libc_start_main,
 * whose first argument is main */
static int find_main(struct run *r, const struct capture *b, uint64_t entry, uint64_t *main_pc, char *why,
		     size_t n)
{
	const struct cap_map *text = map_of(b, entry);
	struct user_regs_struct g;
	for (int i = 0; i < 64; i++) {
		int st;
		if (ptrace(PTRACE_SINGLESTEP, r->pid, NULL, NULL) || waitpid(r->pid, &st, 0) < 0 || !WIFSTOPPED(st))
			return because(why, n, "the program ended in its _start");
		ptrace(PTRACE_GETREGS, r->pid, NULL, &g);
		if (!text || g.rip < text->start || g.rip >= text->end) {
			const struct cap_map *m = map_of(b, g.rdi);
			if (!m || m->perms[2] != 'x')
				return because(why, n, "the program's _start is not glibc's: no main in its first "
						       "argument to %#llx", (unsigned long long)g.rip);
			*main_pc = g.rdi;
			/* __libc_start_main's frame is built on what this leaves */
			return clear_below(r, g.rsp, why, n);
		}
	}
	return because(why, n, "the program's _start is not glibc's (no call out of it in 64 instructions)");
}

/* the [stack] around sp at the hand-over, found once (smaps is long to
 * read); then [sp, its top): the arguments, environment, auxv, strings */
static int read_top(struct run *r, uint64_t sp, unsigned char **out, size_t *len, char *why, size_t n)
{
	struct capture t = { .pid = r->pid };
	if (capture_read_maps(&t, why, n))
		return -1;
	for (size_t i = 0; i < t.nmaps; i++)
		if (!strcmp(t.maps[i].path, "[stack]") && sp >= t.maps[i].start && sp < t.maps[i].end) {
			r->stack_lo = t.maps[i].start;
			r->stack_hi = t.maps[i].end;
		}
	capture_free(&t);
	if (!r->stack_hi)
		return because(why, n, "no [stack] around the stack pointer");
	*len = r->stack_hi - sp;
	*out = malloc(*len);
	if (!*out || capture_read_mem(r->mem, sp, *out, *len))
		return because(why, n, "cannot read the stack");
	return 0;
}

/* Below the stack pointer at the hand-over nothing is live (the ABI's
 * process entry), but the loader's dead frames are there, different in
 * every run: zeroed, so that what main's frames leave unwritten is the
 * same in both runs, not the loader's leftovers */
static int clear_below(struct run *r, uint64_t sp, char *why, size_t n)
{
	/* the [stack] as read_top found it: it only grows down since */
	uint64_t lo = r->stack_lo;
	if (!lo || sp <= lo)
		return because(why, n, "no [stack] around the stack pointer");
	if (sp - lo > (64u << 10))
		lo = sp - (64u << 10);
	unsigned char *z = calloc(1, sp - lo);
	int ok = z && pwrite(r->mem, z, sp - lo, (off_t)lo) == (ssize_t)(sp - lo);
	free(z);
	return ok ? 0 : because(why, n, "cannot clear the stack below the hand-over");
}

/* While the constructors run, argv[1...] point into unmapped memory (a
 * page under mmap_min_addr): a constructor that reads an argument's
 * string faults there, and is refused by name; glibc's start code reads
 * only argv[0].  In run B the auxv's AT_UID, AT_EUID, AT_GID, AT_EGID
 * hold other values: a constructor that read them from the auxv itself
 * (not through getauxval, which is watched) keeps a value that differs.
 * All is put back at main (the top of the stack is not saved: each run
 * has its own). */
static int hide_inputs(struct run *r, uint64_t sp, char *why, size_t n)
{
	const uint64_t *w = (const uint64_t *)r->top;
	size_t nw = r->top_len / 8, i = 1;
	uint64_t argc = nw ? w[0] : 0;
	r->fake = r->second ? 0x3000 : 0x2000;
	for (uint64_t k = 1; k < argc && k < 255 && 1 + k < nw; k++) {
		uint64_t v = r->fake + 16 * k;
		if (pwrite(r->mem, &v, 8, (off_t)(sp + 8 * (1 + k))) != 8)
			return because(why, n, "cannot hide the arguments");
	}
	/* the environment's strings too: getenv is answered by snap (answer),
	 * any other reading of them faults */
	i = 1 + argc + 1;
	r->fake_env = r->second ? 0x8000 : 0x4000;
	for (size_t k = 0; i < nw && w[i]; i++, k++) {
		uint64_t v = r->fake_env + 8 * k;
		if (k >= 0x800)
			return because(why, n, "more than 2048 variables: not captured after init");
		if (pwrite(r->mem, &v, 8, (off_t)(sp + 8 * i)) != 8)
			return because(why, n, "cannot hide the environment");
	}
	for (i++; r->second && i + 1 < nw && w[i]; i += 2)
		if (w[i] >= AT_UID && w[i] <= AT_EGID) {
			uint64_t v = w[i + 1] ^ 0x5a5a5a;
			if (pwrite(r->mem, &v, 8, (off_t)(sp + 8 * (i + 1))) != 8)
				return because(why, n, "cannot change the auxv");
		}
	return 0;
}

/* every private page of code map m holds what it held before snap set a
 * breakpoint there (they are taken out by now): no constructor wrote it */
static int code_unchanged(struct run *r, const struct cap_map *m)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/pagemap", (int)r->pid);
	int pm = open(p, O_RDONLY | O_CLOEXEC), same = pm >= 0;
	unsigned char now[4096];
	for (uint64_t at = m->start; same && at < m->end; at += 4096) {
		uint64_t e;
		if (pread(pm, &e, 8, (off_t)(at / 4096 * 8)) != 8) {
			same = 0;
			break;
		}
		if (!(e >> 63) || e >> 61 & 1)
			continue;	/* not there, or the file's page */
		size_t k = 0;
		while (k < r->npages && r->pages[k].at != at)
			k++;
		same = k < r->npages && capture_read_mem(r->mem, at, now, sizeof now) == 0 &&
		       !memcmp(now, r->pages[k].bytes, sizeof now);
	}
	if (pm >= 0)
		close(pm);
	return same;
}

/* A constructor that copied code from where a breakpoint was (a hook's
 * trampoline, a checksum of its own code) saw 0xcc, which a normal run
 * does not: refused where such a copy is found in the saved memory, 8
 * bytes of it anywhere, 4 in executable memory (a trampoline) */
static int code_copied(struct run *r, const struct capture *b, char *why, size_t n)
{
	const struct capture *c = &r->c;
	for (size_t i = 0; i < r->nbps; i++) {
		unsigned char pat[8];
		if (capture_read_mem(r->mem, r->bps[i].addr, pat, sizeof pat))
			continue;
		pat[0] = 0xcc;
		for (size_t k = 0; k < c->nmaps; k++) {
			const struct cap_map *m = &c->maps[k];
			size_t len = m->perms[2] == 'x' ? 4 : 8;
			if (m->bytes && memmem(m->bytes, m->end - m->start, pat, len)) {
				char w[512];
				where(b, r->bps[i].addr, w, sizeof w);
				return because(why, n, "a constructor copied code from %s, where snap had a breakpoint; "
						       "not captured after init", w);
			}
		}
	}
	return 0;
}

/* the process at main, as a capture the image writer takes */
static int at_main(struct run *r, const struct capture *b, const struct user_regs_struct *g, uint64_t sp,
		   ino_t self, char *why, size_t n)
{
	struct capture *c = &r->c;
	c->pid = r->pid;
	c->sp = sp;
	c->fs_base = g->fs_base;
	c->frames = g->rsp;
	const uint64_t v[IMG_BLOB_REGS] = { g->rip, g->rax, g->rbx, g->rcx, g->rdx, g->rsi, g->rdi, g->rbp,
					    g->r8, g->r9, g->r10, g->r11, g->r12, g->r13, g->r14, g->r15 };
	memcpy(r->regs, v, sizeof v);
	if (g->rsp >= sp || sp - g->rsp > IMG_BLOB_MAX - 8 * IMG_BLOB_REGS)
		return because(why, n, "main's stack pointer is %lld bytes under the initial one: not glibc's "
				       "start", (long long)(sp - g->rsp));
	if (capture_read_maps(c, why, n) || capture_read_stat(c, why, n) || capture_read_auxv(c, why, n) ||
	    capture_read_stack(c, r->mem, why, n))
		return -1;
	/* what the before-constructor image mapped from its saved pages is
	 * saved again, as anonymous memory; its trampoline page is dead */
	size_t k = 0;
	for (size_t i = 0; i < c->nmaps; i++) {
		struct cap_map *m = &c->maps[i];
		if (m->ino == self && m->path[0] == '/') {
			if (m->perms[2] == 'x') {
				free(m->path);
				continue;
			}
			m->path[0] = 0;
			m->ino = m->offset = 0;
			m->dev_major = m->dev_minor = 0;
			m->written = 1;
		}
		/* a page a breakpoint copied is the file's again, unless a
		 * constructor patched code there too: then it is saved */
		for (size_t j = 0; j < r->nbps && m->written; j++)
			if (m->ino && m->perms[2] == 'x' && r->bps[j].addr >= m->start && r->bps[j].addr < m->end &&
			    code_unchanged(r, m))
				m->written = 0;
		c->maps[k++] = *m;
	}
	c->nmaps = k;
	/* ld.so's state the constructors cannot change (their syscalls are
	 * memory ones): as the first capture recorded it */
	c->resume = b->resume;
	c->entry = b->entry;
	c->tid_addr = b->tid_addr;
	c->robust_head = b->robust_head;
	c->robust_len = b->robust_len;
	c->rseq_addr = b->rseq_addr;
	c->rseq_len = b->rseq_len;
	c->rseq_sig = b->rseq_sig;
	c->brk = r->brk_seen ? r->brk : c->start_brk;
	if (capture_read_mem(r->mem, c->fs_base + 0x28, &c->canary, 8) ||
	    capture_read_mem(r->mem, c->fs_base + 0x30, &c->pointer_guard, 8))
		return because(why, n, "cannot read the thread control block");
	if (r->top_len != c->stack_hi - sp || memcmp(r->top, c->stack + (sp - c->stack_lo), r->top_len))
		return because(why, n, "a constructor wrote into the arguments, environment or auxv; not captured "
				       "after init");
	if (capture_read_written(c, why, n))
		return -1;
	return code_copied(r, b, why, n);
}

/* one run of the image to main */
int run_to_main(int img, ino_t self, const struct capture *b, char *const argv[], char *const envp[],
		       struct run *r, char *why, size_t n)
{
	pid_t parent = getpid();
	r->pid = fork();
	if (r->pid < 0)
		return because(why, n, "fork: %s", strerror(errno));
	if (r->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0) {
			raise(SIGSTOP);
			/* the stack where the sizes of the arguments put it, not a
			 * random page offset: both runs see the same alignments */
			personality(ADDR_NO_RANDOMIZE);
			syscall(SYS_execveat, img, "", argv, envp, AT_EMPTY_PATH);
		}
		_exit(127);
	}
	int st;
	if (waitpid(r->pid, &st, 0) < 0 || !WIFSTOPPED(st))
		return because(why, n, "the image did not start");
	ptrace(PTRACE_SETOPTIONS, r->pid, NULL,
	       (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC));
	if (ptrace(PTRACE_CONT, r->pid, NULL, NULL) || waitpid(r->pid, &st, 0) < 0 ||
	    st >> 8 != (SIGTRAP | PTRACE_EVENT_EXEC << 8))
		return because(why, n, "the image did not start");
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/mem", (int)r->pid);
	r->mem = open(p, O_RDWR | O_CLOEXEC);
	if (r->mem < 0)
		return because(why, n, "%s: %s", p, strerror(errno));

	/* the loader: from syscall to syscall until ld.so's text is mapped
	 * and its hand-over can hold a breakpoint */
	struct user_regs_struct g;
	int armed = 0, in_brk = 0;
	uint64_t sp = 0, main_pc = 0;
	enum { LOADER, CONSTRUCTORS } stage = LOADER;
	for (;;) {
		int sysstops = stage == CONSTRUCTORS || !armed;
		if (ptrace(sysstops ? PTRACE_SYSCALL : PTRACE_CONT, r->pid, NULL, NULL) || waitpid(r->pid, &st, 0) < 0)
			return because(why, n, "ptrace: %s", strerror(errno));
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return because(why, n, "the program ended before main (%s %d)", WIFEXITED(st) ? "exit" : "signal",
				       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8))
			return because(why, n, stage == LOADER ? "the before-constructor image fell back to the program"
							 : "a constructor exec'd");
		if (!WIFSTOPPED(st))
			continue;
		ptrace(PTRACE_GETREGS, r->pid, NULL, &g);
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (stage == LOADER) {
				if (!armed && bp_set(r, b->resume, NULL) == 0)
					armed = 1;
				else if (!armed)
					r->nbps = 0;
				continue;
			}
			struct __ptrace_syscall_info info;
			if (ptrace(PTRACE_GET_SYSCALL_INFO, r->pid, (void *)sizeof info, &info) <= 0)
				return because(why, n, "ptrace: cannot tell a syscall's entry from its exit");
			if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
				if (in_brk) {
					r->brk = g.rax;
					r->brk_seen = 1;
				}
				if (r->rnd_buf && (int64_t)g.rax > 0) {
					/* whole words only: a word with fewer random bytes
					 * holds other fields too, and stays unexplained */
					size_t w = (size_t)g.rax / 8;
					if (g.rax % 8)
						return because(why, n, "a constructor drew %llu random bytes, not whole "
								       "words an image can draw again; not captured "
								       "after init", (unsigned long long)g.rax);
					if (r->nrnd + w > IFX_RANDOM_WORDS)
						return because(why, n, "the constructors drew more than %d bytes from "
								       "getrandom; not captured after init",
							       8 * IFX_RANDOM_WORDS);
					if (w && capture_read_mem(r->mem, r->rnd_buf, &r->rnd[r->nrnd], 8 * w))
						return because(why, n, "cannot read what getrandom returned");
					r->nrnd += w;
				}
				r->rnd_buf = 0;
				if (r->cs.pending && ctorsys_exit(&r->cs, (int64_t)g.rax, why, n))
					return -1;
				continue;
			}
			if (info.arch != AUDIT_ARCH_X86_64)
				return refuse_syscall(r, b, &g, why, n);
			if (!allowed(&g)) {
				int k = ctorsys_enter(&r->cs, r->pid, &g, why, n);
				if (k < 0) {
					char at[512];
					size_t l = strlen(why);
					where(b, g.rip - 2, at, sizeof at);
					snprintf(why + l, n - l, " (at %s)", at);
					return -1;
				}
				if (!k)
					return refuse_syscall(r, b, &g, why, n);
			}
			if (debug_on() && g.orig_rax != SYS_brk && g.orig_rax != SYS_mmap && g.orig_rax != SYS_munmap) {
				char at[512];
				where(b, g.rip - 2, at, sizeof at);
				fprintf(stderr, "%s: a constructor makes syscall %lld at %s\n", err_prog,
					(long long)g.orig_rax, at);
			}
			in_brk = g.orig_rax == SYS_brk;
			r->rnd_buf = g.orig_rax == SYS_getrandom ? g.rdi : 0;
			r->syscalls++;
			continue;
		}
		if (WSTOPSIG(st) == SIGSEGV && r->fake) {
			siginfo_t si;
			uint64_t at = ptrace(PTRACE_GETSIGINFO, r->pid, NULL, &si) ? 0 : (uint64_t)si.si_addr;
			if (at >= r->fake_env && at < r->fake_env + 0x4000) {
				char w[512];
				where(b, g.rip, w, sizeof w);
				return because(why, n, "a constructor reads the environment itself, not through getenv "
						       "(environ[%llu]) at %s: what it looks for cannot be known; not "
						       "captured after init", (unsigned long long)((at - r->fake_env) / 8), w);
			}
			if (at >= r->fake && at < r->fake + 0x1000) {
				char w[512];
				where(b, g.rip, w, sizeof w);
				return because(why, n, "a constructor reads its arguments (argv[%llu]) at %s: what it "
						       "finds differs from run to run; not captured after init",
					       (unsigned long long)((at - r->fake) / 16), w);
			}
		}
		if (WSTOPSIG(st) != SIGTRAP)
			return refuse_signal(r, b, WSTOPSIG(st), why, n);
		struct bp *hit = bp_at(r, g.rip - 1);
		if (!hit)
			return refuse_signal(r, b, SIGTRAP, why, n);
		if (hit->what && GETENV_LIKE(hit->what)) {
			if (asked(r, &g, why, n) || answer(r, sp, &g, why, n))
				return -1;
			continue;
		}
		if (hit->what && debug_on()) {
			char at[512];
			uint64_t ret = 0;
			capture_read_mem(r->mem, g.rsp, &ret, 8);
			where(b, ret, at, sizeof at);
			fprintf(stderr, "%s: a constructor calls %s(%#llx) from %s\n", err_prog, hit->what,
				(unsigned long long)g.rdi, at);
		}
		if (hit->what && !strcmp(hit->what, "getauxval") && aux_pinned(g.rdi)) {
			if (step_over(r, hit, &g))
				return -1;
			continue;
		}
		if (hit->what)
			return refuse_call(r, b, hit, &g, why, n);
		uint64_t a = hit->addr;
		bp_clear(r, hit);
		g.rip = a;
		ptrace(PTRACE_SETREGS, r->pid, NULL, &g);
		if (stage == LOADER) {
			/* at ld.so's hand-over: argc at %rsp, the program's entry in
			 * %rax; the library constructors run next */
			stage = CONSTRUCTORS;
			sp = g.rsp;
			if (read_top(r, sp, &r->top, &r->top_len, why, n) || clear_below(r, sp, why, n) ||
			    hide_inputs(r, sp, why, n) || ctorsys_start(&r->cs, r->pid, geteuid() == 0, why, n))
				return -1;
			if (watch(r, b))
				return because(why, n, "cannot set a breakpoint on every function a constructor "
						       "must not call");
			if (bp_set(r, g.rax, NULL) || (r->call_main && bp_set(r, r->call_main, NULL)))
				return because(why, n, "cannot stop at the program's entry");
			continue;
		}
		if (a == r->call_main) {
			/* its frame is built on what the program's constructors left */
			if (clear_below(r, g.rsp, why, n))
				return -1;
			continue;
		}
		if (!main_pc) {
			if (find_main(r, b, a, &main_pc, why, n) || bp_set(r, main_pc, NULL))
				return main_pc ? because(why, n, "cannot stop at main") : -1;
			continue;
		}
		break;	/* at main */
	}
	for (size_t i = 0; i < r->nbps; i++)
		bp_clear(r, &r->bps[i]);
	if (r->bp_hit_by_write) {
		char w[512];
		where(b, r->bp_hit_by_write, w, sizeof w);
		return because(why, n, "a constructor rewrote code at %s, where snap had a breakpoint; not captured "
				       "after init", w);
	}
	if (ctorsys_at_main(&r->cs, r->pid, why, n))
		return -1;
	/* the arguments and auxv back as the kernel made them */
	if (pwrite(r->mem, r->top, r->top_len, (off_t)sp) != (ssize_t)r->top_len)
		return because(why, n, "cannot put the arguments back");
	return at_main(r, b, &g, sp, self, why, n);
}

void run_free(struct run *r)
{
	if (r->pid > 0) {
		int st;
		kill(r->pid, SIGKILL);
		waitpid(r->pid, &st, 0);
	}
	if (r->mem > 0)
		close(r->mem);
	free(r->top);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	for (size_t i = 0; i < r->npages; i++)
		free(r->pages[i].bytes);
	free(r->pages);
	r->c.deps = NULL;
	r->c.ndeps = 0;
	capture_free(&r->c);
	ctorsys_free(&r->cs);
	memset(r, 0, sizeof *r);
}

/* The function that called main (glibc's __libc_start_call_main), from
 * the frames at main: the return address above main's own is preceded by
 * `call rel32` to a function that holds main's return address.  Its
 * frame is built after the program's constructors ran, on their dead
 * frames: cleared at its entry in the runs compared, its padding is the
 * same in both.  0 where it is not found (older glibc calls main from
 * __libc_start_main, whose entry is cleared anyway). */
uint64_t frame_start(const struct run *r, const struct capture *b)
{
	const struct capture *c = &r->c;
	uint64_t ret, mainret;
	memcpy(&mainret, c->stack + (c->frames - c->stack_lo), 8);
	for (uint64_t a = c->frames + 8; a + 8 <= c->sp; a += 8) {
		memcpy(&ret, c->stack + (a - c->stack_lo), 8);
		const struct cap_map *m = map_of(b, ret);
		unsigned char code[5];
		if (!m || m->perms[2] != 'x' || ret - 5 < m->start ||
		    capture_read_mem(r->mem, ret - 5, code, 5) || code[0] != 0xe8)
			continue;
		int32_t rel;
		memcpy(&rel, code + 1, 4);
		uint64_t e = ret + (uint64_t)(int64_t)rel;
		if (e <= mainret && mainret - e < 4096)
			return e;
	}
	return 0;
}
