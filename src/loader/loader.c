/* loader.c: the start of every image.  No libc, no heap, raw syscalls: it
 * runs on every exec, so every syscall and page fault here counts.
 *
 * What it does, in order (any failure: exec the original program instead,
 * an image is never worse than no image):
 *
 *   1. know the image file before reading it: its size (the kernel maps
 *      the loader's segment over the tables whether or not the file holds
 *      them, and a page past its end is SIGBUS), then the locator: its
 *      checksum makes the program it names the one to fall back to (a
 *      damaged locator runs nothing);
 *   2. of K layouts (snap --layouts), pick one at random; check the size,
 *      every bound and the checksum of its header and tables;
 *   3. check that nothing a normal exec looks at changed (verify.c): each
 *      file it maps, named as it was looked up (symlinks and all), each file
 *      ld.so read, each directory it searched and each path it did not
 *      find; the LD_* / GLIBC_TUNABLES / MALLOC_* variables, the kernel
 *      release, the CPU, RLIMIT_STACK, not AT_SECURE;
 *   4. move the kernel's [vvar], [vvar_vclock], [vdso] to where they were
 *      (ld.so kept pointers into the vDSO);
 *   5. map the program: unwritten file mappings from their files (shared
 *      with every normal run), written ones from the image's saved pages
 *      (shared between instances until written), all at their addresses,
 *      MAP_FIXED_NOREPLACE so that a collision is seen, not suffered;
 *   6. choose where the stack will be: just under the program (or above
 *      it), in the same page-table pages (header stack_top), when the room
 *      is free;
 *   7. rewrite the saved words that pointed into the capture's stack so
 *      they point into this one, with fresh stack and pointer guards;
 *   8. tell the kernel: auxv as the program's, PR_SET_MM_MAP (brk, code,
 *      data, the stack where it will be), fs_base, set_tid_address,
 *      set_robust_list, rseq;
 *   9. the trampoline unmaps the loader, moves the stack (mremap) and
 *      jumps to ld.so's _dl_start_user with %rax = the program's entry:
 *      ld.so runs the constructors with this run's argv and envp, then main.
 *
 * The stack is the one the kernel built for this exec, kept as it is but
 * for its address (every pointer into it moves by the same delta):
 *
 *        high  +---------------------------+
 *              | strings: argv, envp,      |  this run's, untouched
 *              | AT_EXECFN, AT_PLATFORM,   |
 *              | AT_RANDOM bytes           |  fresh: new guards come from here
 *              +---------------------------+
 *              | auxv                      |  AT_PHDR, AT_PHNUM, AT_PHENT,
 *              |                           |  AT_ENTRY, AT_BASE, AT_SYSINFO_EHDR
 *              |                           |  rewritten to the program's
 *              | envp[], NULL              |
 *              | argv[], NULL              |
 *        sp -> | argc                      |  where ld.so resumes
 *              +---------------------------+
 *              | the loader's frames       |  dead once it jumps
 *        low
 */
#include "../image/format.h"
#include "../image/verify.h"
#include "sys.h"

/* read-only (the loader has no writable segment), in an ELF note that
 * PT_NOTE points at (format.h); snap fills it in */
struct locator_note {
	unsigned namesz, descsz, type;
	char name[12];
	struct img_locator loc;
};
__attribute__((used, section(".note.resident"), aligned(8))) const struct locator_note resident_note = {
	sizeof IMG_NOTE_NAME, sizeof(struct img_locator), IMG_NOTE_LOCATOR, IMG_NOTE_NAME,
	{ .magic = IMG_LOCATOR_MAGIC },
};

/* the locator as stored, not as the compiler saw it initialised */
static const struct img_locator *locator(void)
{
	const struct img_locator *l = &resident_note.loc;
	__asm__("" : "+r"(l));
	return l;
}

/* hidden: addressed rip-relative, not through a GOT the loader has not */
#define HIDDEN __attribute__((visibility("hidden")))
extern const char tramp_start[] HIDDEN, tramp_end[] HIDDEN, __executable_start[] HIDDEN, _end[] HIDDEN;

/* what the trampoline needs; it reads it all before the stack moves */
struct hand {
	u64 sp, entry, pc;		/* the stack at argc (after the move), %rax, where to go */
	u64 unmap_start, unmap_len;	/* the loader; 0: keep it */
	u64 stk_old, stk_len, stk_new;	/* mremap of the stack; stk_len 0: leave it */
	struct prctl_mm_map *exe;	/* PR_SET_MM_MAP again with exe_fd (after the move), or 0 */
	u64 blob_src, blob_dst;		/* after init: the blob, where it is and where it goes (up to
					 * sp); 0: resume in ld.so */
};
typedef void tramp_fn(const struct hand *);
void loader_main(u64 *sp) __attribute__((noreturn, used));

/* the compiler may call these for struct copies */
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
void *memset(void *d, int c, unsigned long n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}
void *memcpy(void *d, const void *s, unsigned long n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

#define slen img_strlen
#define prefix img_prefix

struct run {
	u64 *sp;
	long argc;
	char **argv, **envp;
	u64 *auxv;
	int debug;		/* RESIDENT_DEBUG: 1 says why it falls back, 2 also that it restored */
	const char *orig;	/* the program to fall back to, once the locator is known sound */
	const char *what;	/* the dependency that changed, for RESIDENT_DEBUG */
	u64 self_dev, self_ino;	/* the image file */
	const struct img_header *h;
	const char *str;	/* string table */
	const char *self;	/* the image, for messages */
	int fds[256];		/* each file it maps, opened once: checked, then mapped */
	u64 delta;		/* how far the stack moves */
	u64 stk_old, stk_len;	/* the kernel's stack vma */
	u64 lo, hi;		/* the loader's own pages */
	struct prctl_mm_map mm;	/* told to the kernel; again by the trampoline, with exe_fd */
	u64 random, platform, execfn;	/* auxv's, where they are before the stack moves */
	u64 rnd[IFX_RANDOM_WORDS];	/* after init: fresh random words, drawn at the first use */
	int have_rnd;
};

static void say(const char *const *parts)
{
	char line[1024];
	u64 n = 0;
	for (; *parts; parts++)
		for (const char *p = *parts; *p && n < sizeof line - 1; p++)
			line[n++] = *p;
	line[n++] = '\n';
	sys3(NR_write, 2, line, n);
}

/* Would exec'ing path run an image: this one (put in its own program's
 * place), another (whose program is this one), or either as the
 * interpreter of a script put there?  Then the fallback would run images
 * for ever; snap never makes an image of an image, so this is damage.
 * Followed through "#!" lines as the kernel does, up to its 5 levels. */
static int runs_an_image(const struct run *r, const char *path)
{
	char buf[256], next[256];
	for (int depth = 0; depth < 5; depth++) {
		long fd = sys3(NR_open, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
		if (fd < 0)
			return 0;	/* not readable: the kernel's exec decides */
		struct kstat st;
		int self = sys2(NR_fstat, fd, &st) == 0 && st.st_dev == r->self_dev && st.st_ino == r->self_ino;
		long n = sys4(NR_pread64, fd, buf, sizeof buf - 1, 0);
		sys1(NR_close, fd);
		if (self)
			return 1;
		if (n >= 16 && buf[0] == 0x7f && buf[1] == 'E' && buf[2] == 'L' && buf[3] == 'F') {
			int mark = 1;
			for (int i = 0; mark && i < 7; i++)
				mark = buf[IMG_ELF_MARK_AT + i] == IMG_ELF_MARK[i];
			return mark;
		}
		if (n < 3 || buf[0] != '#' || buf[1] != '!')
			return 0;
		buf[n] = 0;
		long i = 2, k = 0;
		while (buf[i] == ' ' || buf[i] == '\t')
			i++;
		while (buf[i] && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && k < (long)sizeof next - 1)
			next[k++] = buf[i++];
		next[k] = 0;
		if (!k)
			return 0;
		for (long j = 0; j <= k; j++)
			buf[j] = next[j];
		path = buf;
	}
	return 0;
}

/* the image cannot be used as it is: run the program the normal way, as
 * a shell would say it when that fails (127: not there, 126: not runnable) */
__attribute__((noreturn)) static void fallback(struct run *r, const char *why)
{
	const char *orig = r->orig;
	if (r->debug && orig) {
		const char *w = r->what;
		const char *m[] = { "resident: ", r->self, ": ", why, w ? " (" : "", w ? w : "", w ? ")" : "",
				    ": running ", orig, 0 };
		say(m);
	}
	if (!orig) {
		const char *m[] = { "resident: ", r->self, ": ", why, ": no program to run", 0 };
		say(m);
		sys1(NR_exit_group, 127);
	}
	if (runs_an_image(r, orig)) {
		const char *m[] = { "resident: ", r->self, ": ", why, ": its program ", orig,
				    " is an image: running nothing", 0 };
		say(m);
		sys1(NR_exit_group, 127);
	}
	int status;
	long e = sys3(NR_execve, orig, r->argv, r->envp);
	/* the original gone, and the name this image was run by now names
	 * another file: an enabled program disabled between its exec and
	 * now (the original renamed back over the image).  What a fresh exec
	 * of that name would run */
	struct kstat st;
	if (e == -ENOENT && r->self_ino && sys4(NR_newfstatat, AT_FDCWD, r->self, &st, 0) == 0 &&
	    (st.st_dev != r->self_dev || st.st_ino != r->self_ino) && !runs_an_image(r, r->self))
		e = sys3(NR_execve, r->self, r->argv, r->envp);
	const char *what = img_exec_failure(e, &status);
	const char *m[] = { "resident: ", orig, ": ", what, 0 };
	say(m);
	sys1(NR_exit_group, status);
	__builtin_unreachable();
}

static const char *env_get(char **envp, const char *name_eq)
{
	for (; *envp; envp++)
		if (prefix(*envp, name_eq))
			return *envp;
	return 0;
}

static u64 aux(const u64 *av, u64 type)
{
	for (; av[0]; av += 2)
		if (av[0] == type)
			return av[1];
	return 0;
}

static const struct img_map *maps_of(const struct img_header *h)
{
	return (const struct img_map *)((const char *)h + h->maps_off);
}

static int overlap(u64 a, u64 b, u64 c, u64 d)
{
	return a < d && c < b;
}

/* The kernel's stack vma for this exec is exactly [page of argv[0]'s
 * string - 128 KiB, end of AT_EXECFN's string + 8): the strings sit at its
 * top, and exec grows it by 128 KiB below them.  0 when AT_EXECFN is
 * missing or the end is not a page boundary (then it is not that vma). */
static u64 stack_vma(const struct run *r, u64 *start)
{
	const char *execfn = (const char *)aux(r->auxv, 31);
	u64 end = execfn ? (u64)execfn + slen(execfn) + 1 + 8 : 0;
	*start = ((u64)r->argv[0] & ~4095ull) - 131072;
	return end & 4095 ? 0 : end;
}

/* move one kernel mapping of `len` bytes from `now` to `then`.  MREMAP_FIXED
 * replaces what is there, so the caller has made sure nothing is: at this
 * point only the loader, the stack and these mappings exist */
static int move_special(u64 now, u64 then, u64 len)
{
	if (!len || now == then)
		return 0;
	return sys5(NR_mremap, now, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, then) == (i64)then ? 0 : -1;
}

static const char *place_specials(struct run *r)
{
	const struct img_header *h = r->h;
	u64 vdso = aux(r->auxv, 33);
	if (!h->vdso_start)
		return 0;
	if (!vdso || h->vdso_end - h->vdso_start == 0)
		return "no vDSO here";
	/* same kernel, same layout: vvar and vvar_vclock sit below the vDSO,
	 * and the three move as one block */
	u64 lo = h->vvar_start ? h->vvar_start : h->vclock_start ? h->vclock_start : h->vdso_start;
	u64 now_lo = vdso - (h->vdso_start - lo), now_hi = vdso + (h->vdso_end - h->vdso_start);
	if (now_lo == lo)
		return 0;
	/* the old place must be free: not the loader, the stack and the gap
	 * the kernel keeps below it, nor where the block is now (the program's
	 * own maps come later, NOREPLACE) */
	u64 stk, stk_end = stack_vma(r, &stk);
	if (!stk_end)
		stk_end = 0x7ffffffff000ull;	/* not found: assume it may be anywhere above sp */
	if (stk > (u64)r->sp)
		stk = (u64)r->sp & ~4095ull;
	if (overlap(lo, h->vdso_end, r->lo, r->hi) || overlap(lo, h->vdso_end, now_lo, now_hi) ||
	    overlap(lo, h->vdso_end, stk - (1ull << 20), stk_end))
		return "the vDSO's old address is taken";
	/* Linux 6.17 and later move several mappings with one mremap; older
	 * kernels refuse before moving any (EFAULT), and then each moves alone */
	u64 top = lo;
	if (h->vvar_start)
		top = top == h->vvar_start ? h->vvar_end : 0;
	if (h->vclock_start)
		top = top == h->vclock_start ? h->vclock_end : 0;
	if (top == h->vdso_start && !move_special(now_lo, lo, h->vdso_end - lo))
		return 0;
	u64 vvar = vdso - (h->vdso_start - h->vvar_start);
	u64 vclock = vdso - (h->vdso_start - h->vclock_start);
	if ((h->vvar_start && move_special(vvar, h->vvar_start, h->vvar_end - h->vvar_start)) ||
	    (h->vclock_start && move_special(vclock, h->vclock_start, h->vclock_end - h->vclock_start)) ||
	    move_special(vdso, h->vdso_start, h->vdso_end - h->vdso_start))
		return "cannot move the vDSO back";
	return 0;
}

/* does a fixup land in [start, end)? */
static int has_fixup(const struct img_header *h, u64 start, u64 end)
{
	/* in memory, in address order (img_check_maps): the first at or
	 * above start, by halves */
	const struct img_fixup *f = (const struct img_fixup *)((const char *)h + h->fixups_off);
	u32 n = img_memory_fixups(h), lo = 0, hi = n;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		if (f[mid].addr < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && f[lo].addr < end;
}

/* the protection to map a written map with now: its own, or writable
 * until the fixups in it are written (mprotect'ed back after) */
static u32 map_prot(const struct img_header *h, u64 zstart, u64 zend, u32 prot)
{
	return (prot & PROT_WRITE) || !has_fixup(h, zstart, zend) ? prot : prot | PROT_WRITE;
}

static const char *place_maps(struct run *r, int self)
{
	const struct img_header *h = r->h;
	int pages = h->pages_file ? r->fds[h->pages_file - 1] : self;
	const struct img_map *m = maps_of(h);
	u64 zs = 0, ze = 0;
	for (u32 i = 0; i < h->nmaps; i++) {
		u64 len = m[i].end - m[i].start;
		i64 p;
		if (m[i].kind == IMK_FILE) {
			p = sys6(NR_mmap, m[i].start, len, m[i].prot, MAP_PRIVATE | MAP_FIXED_NOREPLACE,
				 r->fds[m[i].file], m[i].offset);
			/* text a PMD can map (2 MiB aligned, as ld.so put libLLVM's):
			 * what it reads from disk comes in 2 MiB folios
			 * (snap/textfolios.h) */
			if (p == (i64)m[i].start && (m[i].prot & PROT_EXEC) && len >= (2ull << 20) &&
			    !((m[i].start - m[i].offset) & ((2ull << 20) - 1)))
				sys3(NR_madvise, m[i].start, len, 14 /* MADV_HUGEPAGE */);
		} else if (m[i].kind == IMK_PAGES) {
			zs = m[i].start;
			ze = m[i].end;
			p = sys6(NR_mmap, m[i].start, len, map_prot(h, zs, ze, m[i].prot),
				 MAP_PRIVATE | MAP_FIXED_NOREPLACE, pages, m[i].offset);
		} else if (m[i].kind == IMK_ZERO) {
			zs = m[i].start;
			ze = m[i].end;
			/* saved pages covering it whole need no zero map under them */
			if (i + 1 < h->nmaps && m[i + 1].kind == IMK_SAVED && m[i + 1].start == zs && m[i + 1].end == ze)
				continue;
			p = sys6(NR_mmap, m[i].start, len, map_prot(h, zs, ze, m[i].prot),
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		} else {
			int whole = m[i].start == zs && m[i].end == ze;
			p = sys6(NR_mmap, m[i].start, len, map_prot(h, zs, ze, m[i].prot),
				 MAP_PRIVATE | (whole ? MAP_FIXED_NOREPLACE : MAP_FIXED), pages, m[i].offset);
		}
		if (p != (i64)m[i].start)
			return p == -EEXIST ? "an address it needs is taken" : "cannot map the program";
	}
	return 0;
}

/* the argv[0] string after its last '/', as glibc's short name */
static u64 arg0_base(const char *a)
{
	const char *b = a;
	for (; *a; a++)
		if (*a == '/')
			b = a + 1;
	return (u64)b;
}

static u32 pick(u32 k);

/* what fixup f writes, as it will be once the stack has moved */
static const char *fixup_value(struct run *r, const struct img_fixup *f, u64 *out)
{
	u64 random = r->random, platform = r->platform, execfn = r->execfn;
	u64 d = r->delta;	/* every address into the stack is where it will be */
	u64 v;
	switch (IFX_KIND(f->kind)) {
	case IFX_STACK_TOP: v = (u64)r->sp + d; break;
	case IFX_ARGV: v = (u64)r->argv + d; break;
	case IFX_ENVP: v = (u64)r->envp + d; break;
	case IFX_AUXV: v = (u64)r->auxv + d; break;
	case IFX_AT_RANDOM: v = random + d; break;
	case IFX_AT_PLATFORM:
		if (!platform)
			return "no AT_PLATFORM";
		v = platform + d;
		break;
	case IFX_AT_EXECFN: v = execfn + d; break;
	case IFX_ARG_STRING:
		if ((long)f->index >= r->argc)
			return "fewer arguments than ld.so kept a pointer to";
		v = (u64)r->argv[f->index] + d;
		break;
	case IFX_ENV_STRING: {
		const char *e = env_get(r->envp, r->str + f->index);
		if (!e || (u64)f->arg > slen(e))
			return "a variable ld.so kept a pointer to is not set";
		v = (u64)e + d;
		break;
	}
	case IFX_CANARY:	/* as glibc: AT_RANDOM's first 8 bytes, low byte 0 */
		*out = *(const u64 *)random & ~0xffull;
		return 0;
	case IFX_POINTER_GUARD:
		*out = *(const u64 *)(random + 8);
		return 0;
	case IFX_CONST: v = 0; break;
	case IFX_ARGC: v = (u64)r->argc; break;
	case IFX_ARG0_BASE: v = arg0_base(r->argv[0]) + d; break;
	case IFX_RANDOM:
		if (!r->have_rnd) {
			r->have_rnd = 1;
			if (sys3(NR_getrandom, r->rnd, sizeof r->rnd, 1 /* GRND_NONBLOCK */) != sizeof r->rnd)
				for (u32 i = 0; i < IFX_RANDOM_WORDS; i++)	/* as glibc, from the clock */
					r->rnd[i] = (u64)pick(~0u) << 32 | pick(~0u);
		}
		v = r->rnd[f->index];
		break;
	default:
		return "damaged image (fixup kind)";
	}
	v += (u64)f->arg;
	if (f->kind & IFX_F_MANGLED) {
		v ^= *(const u64 *)(random + 8);
		v = v << 17 | v >> 47;
	}
	*out = v;
	return 0;
}

/* snap --prefault: what the training run had mapped, populated range by
 * range (the kernel maps them without an exception each); a range that
 * is not there now (a mapping the run made later) fails, harmlessly */
static void prefault(const struct img_header *h)
{
	const struct img_prefault *p = (const struct img_prefault *)((const char *)h + h->prefault_off);
	for (u32 i = 0; i < h->nprefault; i++)
		sys3(NR_madvise, p[i].start, p[i].len, p[i].write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
}

/* The pages the fixups land on are copied at every start: one
 * MADV_POPULATE_WRITE per run of adjacent ones copies them without a
 * page fault each (an after-init C++ program's atexit handlers fill tens
 * of pages).  Where the kernel has no such advice (before 5.14) the
 * writes fault as before. */
static void populate_fixup_pages(const struct img_header *h)
{
	const struct img_fixup *f = (const struct img_fixup *)((const char *)h + h->fixups_off);
	u32 n = img_memory_fixups(h);
	u64 run = 0, end = 0;
	for (u32 i = 0; i <= n; i++) {
		u64 pg = i < n ? f[i].addr & ~4095ull : 0;
		if (i < n && run && pg <= end) {
			end = pg + 4096 > end ? pg + 4096 : end;
			continue;
		}
		if (run && end - run > 4096)
			sys3(NR_madvise, run, end - run, MADV_POPULATE_WRITE);
		run = pg;
		end = pg + 4096;
	}
}

/* the fixups in memory (blob 0), or those in an after-init image's blob */
static const char *apply_fixups(struct run *r, unsigned char *blob)
{
	const struct img_header *h = r->h;
	const struct img_fixup *f = (const struct img_fixup *)((const char *)h + h->fixups_off);
	const char *why;
	if (!r->random)
		return "no AT_RANDOM";
	if (!blob) {
		prefault(h);
		populate_fixup_pages(h);
	}
	for (u32 i = 0; i < h->nfixups; i++) {
		u64 v;
		if (!(f[i].kind & IFX_F_BLOB) != !blob)
			continue;
		if ((why = fixup_value(r, &f[i], &v)))
			return why;
		unsigned char *at = blob ? blob + f[i].addr : (unsigned char *)f[i].addr;
		if (f[i].kind & IFX_F_INT32)
			*(unsigned *)at = (unsigned)v;
		else
			*(u64 *)at = v;
	}
	if (blob)
		return 0;
	/* back to the program's protections */
	const struct img_map *m = maps_of(h);
	for (u32 i = 0; i < h->nmaps; i++)
		if ((m[i].kind == IMK_ZERO || m[i].kind == IMK_PAGES) &&
		    map_prot(h, m[i].start, m[i].end, m[i].prot) != m[i].prot)
			sys3(NR_mprotect, m[i].start, m[i].end - m[i].start, m[i].prot);
	return 0;
}

/* The compact layout.  The kernel put this exec's stack at random, most
 * likely 1 GiB or more away from the program: its own page-table pages
 * (PUD, PMD, PTE) for every instance.  Moved to just above the program,
 * with RLIMIT_STACK and the guard gap free below it, it shares all but
 * one PTE page with the program.  stack_vma's bounds are checked with
 * madvise, which fails on any unmapped page.  The move itself (mremap) is
 * the trampoline's: the loader runs on this stack. */
/* below the stack pointer at entry, what the move keeps: the loader's
 * and the trampoline's frames, with room to spare */
#define STACK_KEEP (32u << 10)

static void plan_stack(struct run *r)
{
	const struct img_header *h = r->h;
	u64 start, end = stack_vma(r, &start);
	if (!h->stack_top || !end || h->stack_top & 4095)
		return;
	u64 len = end - start;
	if (start > (u64)r->sp || h->stack_floor > h->stack_top ||
	    sys3(NR_madvise, start, len, MADV_NORMAL) != 0 || sys3(NR_madvise, start - 4096, 4096, MADV_NORMAL) == 0)
		return;
	/* only the top moves: the 128 KiB exec added below the strings are
	 * untouched but for the loader's frames, and mremap makes a PTE page
	 * for every 2 MiB the new place spans, pages or not; what goes stays
	 * growable (the program's stack grows down from the moved part) */
	u64 cut = (((u64)r->sp & ~4095ull) - STACK_KEEP);
	if (cut < start || cut >= end)
		cut = start;
	if (end - cut > h->stack_top - h->stack_floor)
		return;
	u64 to = h->stack_top - (end - cut);
	/* hold the place (and the trampoline's page above it) until the move */
	if (sys6(NR_mmap, to, end - cut + 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		 0) != (i64)to)
		return;
	if (cut > start && sys2(NR_munmap, start, cut - start) != 0) {
		sys2(NR_munmap, to, end - cut + 4096);
		return;
	}
	start = cut;
	len = end - cut;
	r->stk_old = start;
	r->stk_len = len;
	r->delta = to - start;
}

/* last, once nothing reads the strings through them: argv[] and envp[]
 * point where the stack will be (tell_kernel did the auxv) */
static void move_pointers(struct run *r)
{
	u64 d = r->delta;
	if (!d)
		return;
	for (char **a = r->argv; *a; a++)
		*a += d;
	for (char **e = r->envp; *e; e++)
		*e += d;
}

/* may this process point /proc/self/exe elsewhere (PR_SET_MM_MAP exe_fd)? */
static int may_set_exe(void)
{
	struct cap_header ch = { CAP_VERSION_3, 0 };
	struct cap_data cd[2];
	if (sys2(NR_capget, &ch, cd) < 0)
		return 0;
	return (cd[0].effective >> CAP_SYS_ADMIN & 1) || (cd[1].effective >> (CAP_CHECKPOINT_RESTORE - 32) & 1);
}

static const char *tell_kernel(struct run *r)
{
	const struct img_header *h = r->h;
	u64 *av = r->auxv, *end = av;
	while (end[0])
		end += 2;
	for (; av[0]; av += 2)
		switch (av[0]) {
		case 3: av[1] = h->at_phdr; break;	/* AT_PHDR */
		case 4: av[1] = h->at_phent; break;
		case 5: av[1] = h->at_phnum; break;
		case 7: av[1] = h->at_base; break;
		case 9: av[1] = h->at_entry; break;
		case 33: av[1] = h->at_sysinfo_ehdr; break;
		}
	char *last = r->envp[0] ? r->envp[0] : r->argv[0];
	for (char **e = r->envp; *e; e++)
		last = *e;
	u64 d = r->delta;
	/* the auxv's pointers into the stack (AT_RANDOM, AT_EXECFN...), as
	 * the kernel will keep a copy of them */
	for (av = r->auxv; d && av[0]; av += 2)
		if (av[1] >= r->stk_old && av[1] < r->stk_old + r->stk_len)
			av[1] += d;
	/* no heap was captured: with the stack moved above the program, the
	 * heap starts above the trampoline's page, in the stack's page tables
	 * too (the kernel randomises brk within 1 GiB of the program's end:
	 * most often a PMD and a PTE page of its own); with the stack under
	 * it, snap put start_brk just above the program */
	u64 start_brk = h->start_brk, brk = h->brk;
	if (d && !(h->flags & (IMG_F_HEAP | IMG_F_STACK_BELOW)))
		start_brk = brk = h->stack_top + 4096;
	r->mm = (struct prctl_mm_map){
		.start_code = h->start_code, .end_code = h->end_code,
		.start_data = h->start_data, .end_data = h->end_data,
		.start_brk = start_brk, .brk = brk, .start_stack = (u64)r->sp + d,
		.arg_start = (u64)r->argv[0] + d,
		.arg_end = (u64)r->argv[r->argc - 1] + slen(r->argv[r->argc - 1]) + 1 + d,
		.env_start = (r->envp[0] ? (u64)r->envp[0] : (u64)last) + d, .env_end = (u64)last + slen(last) + 1 + d,
		.auxv = r->auxv, .auxv_size = (unsigned)((end - r->auxv + 2) * 8), .exe_fd = ~0u,
	};
	if (sys5(NR_prctl, PR_SET_MM, PR_SET_MM_MAP, &r->mm, sizeof r->mm, 0) < 0 && (h->flags & IMG_F_HEAP))
		return "the kernel refused the program's brk (PR_SET_MM_MAP)";
	r->mm.auxv = (u64 *)((u64)r->auxv + d);	/* for the trampoline's call, after the move */
	if (sys2(NR_arch_prctl, ARCH_SET_FS, h->fs_base) < 0)
		return "cannot set fs_base";
	if (h->tid_addr)
		*(int *)h->tid_addr = (int)sys1(NR_set_tid_address, h->tid_addr);
	if (h->robust_head)
		sys2(NR_set_robust_list, h->robust_head, h->robust_len);
	if (h->rseq_addr && sys4(NR_rseq, h->rseq_addr, h->rseq_len, 0, h->rseq_sig) < 0)
		return "rseq registration refused";
	return 0;
}

/* a layout, 0 to k-1, at random: from getrandom, not from AT_RANDOM,
 * whose bytes become the stack and pointer guards (a layout seen must not
 * tell anything about them); the time-stamp counter if the kernel's pool
 * is not ready yet */
static u32 pick(u32 k)
{
	u64 v;
	if (sys3(NR_getrandom, &v, sizeof v, 1 /* GRND_NONBLOCK */) != sizeof v) {
		u32 lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		v = ((u64)hi << 32 | lo) * 0x9e3779b97f4a7c15ull;
		v ^= v >> 32;
	}
	return (u32)(v % k);
}

/* 9: the trampoline, on a page of its own, unmaps the loader and jumps */
__attribute__((noreturn)) static void handover(struct run *r, int self, struct hand *hd)
{
	/* the trampoline's page: above the moved stack (its PTE page is the
	 * stack's), else anywhere */
	u64 at = r->delta ? r->h->stack_top : 0, tramp = 0;
	int exe = -1, fixed = at ? MAP_FIXED : 0;
	if (r->h->exe_file && may_set_exe()) {
		/* a system image, run with the privilege to name the program as
		 * /proc/self/exe: nothing may map the image by then, so the
		 * trampoline runs from an anonymous copy */
		exe = r->fds[r->h->exe_file - 1];
		r->mm.exe_fd = (unsigned)exe;
		hd->exe = (struct prctl_mm_map *)((u64)&r->mm + r->delta);
		tramp = (u64)sys6(NR_mmap, at, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
		if ((i64)tramp > 0) {
			memcpy((void *)tramp, tramp_start, (u64)(tramp_end - tramp_start));
			sys3(NR_mprotect, tramp, 4096, PROT_READ | PROT_EXEC);
		}
	} else {
		/* the trampoline's page, mapped again from the image (shared, no
		 * private page), finishes after unmapping the loader */
		tramp = (u64)sys6(NR_mmap, at, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | fixed, self,
				  (u64)tramp_start - r->lo);
	}
	/* every descriptor the loader opened but the exe's: one close_range
	 * for each block of consecutive numbers */
	int first = self, next = self + 1;
	for (u32 i = 0; i <= r->h->nmapped; i++) {
		int fd = i < r->h->nmapped ? r->fds[i] : -1;
		if (fd == next && fd != exe) {
			next++;
			continue;
		}
		sys3(NR_close_range, first, next - 1, 0);
		first = fd, next = fd + 1;
		if (fd == exe)
			first = next;
	}
	move_pointers(r);
	if ((i64)tramp > 0)
		((tramp_fn *)tramp)(hd);
	/* could not map it again: hand over from here, the loader stays */
	if (exe >= 0)
		sys1(NR_close, exe);
	hd->unmap_len = 0;
	hd->exe = 0;
	((tramp_fn *)tramp_start)(hd);
	__builtin_unreachable();
}

/* 9, after init: what the constructors set (img_sysop), once nothing
 * can fall back (an exec keeps an ignored signal and the mask: the
 * program run normally must not inherit them); checked in 3 */
static void set_kernel_state(const struct img_header *h)
{
	const struct img_sysop *so = (const struct img_sysop *)((const char *)h + h->sysops_off);
	for (u32 i = 0; i < h->nsysops; i++)
		if (so[i].kind == ISO_SIGACTION && !(so[i].arg[1] & ISO_F_ASKED))
			sys4(NR_rt_sigaction, so[i].arg[0], so[i].set, 0, 8);
		else if (so[i].kind == ISO_SIGMASK)
			sys4(NR_rt_sigprocmask, 2 /* SIG_SETMASK */, so[i].set, 0, 8);
}

/* 9, after init: the blob (registers, frames) with this run's values,
 * for the trampoline to put under the initial stack pointer; it lives
 * in this frame, below everything it is copied over */
__attribute__((noinline, noreturn)) static void handover_main(struct run *r, int self, struct hand *hd)
{
	const struct img_header *h = r->h;
	u64 blob[h->blob_len / 8];
	memcpy(blob, (const char *)h + h->blob_off, h->blob_len);
	const char *why = apply_fixups(r, (unsigned char *)blob);
	if (why)
		fallback(r, why);
	set_kernel_state(h);
	hd->blob_src = (u64)blob + r->delta;
	hd->blob_dst = hd->sp - h->blob_len;
	handover(r, self, hd);
}

void loader_main(u64 *sp)
{
	struct run r;
	const char *why;
	r.sp = sp;
	r.argc = (long)sp[0];
	r.argv = (char **)(sp + 1);
	r.envp = r.argv + r.argc + 1;
	char **e = r.envp;
	while (*e)
		e++;
	r.auxv = (u64 *)(e + 1);
	const char *dbg = env_get(r.envp, "RESIDENT_DEBUG=");
	r.debug = !dbg || !dbg[15] || (dbg[15] == '0' && !dbg[16]) ? 0 : dbg[15] == '2' && !dbg[16] ? 2 : 1;
	r.self = (const char *)aux(r.auxv, 31);
	if (!r.self)
		r.self = r.argc ? r.argv[0] : "image";
	r.orig = r.what = 0;
	r.self_dev = r.self_ino = 0;
	r.h = 0;
	r.str = "";
	r.delta = r.stk_len = 0;
	r.have_rnd = 0;
	r.lo = (u64)__executable_start;
	/* how much the kernel mapped: our one PT_LOAD, as snap stretched it
	 * (the ELF header and its program headers are in the first page,
	 * which the kernel read to exec us) */
	const unsigned char *eh = (const unsigned char *)__executable_start;
	const u64 *ph = (const u64 *)(eh + *(const u64 *)(eh + 32));	/* e_phoff */
	u64 phnum = *(const unsigned short *)(eh + 56), memsz = 0;
	for (u64 i = 0; i < phnum && i < 16; i++, ph += 7)	/* Elf64_Phdr: 56 bytes */
		if (*(const unsigned *)ph == 1 && ph[1] == 0)	/* PT_LOAD at offset 0 */
			memsz = ph[5];
	r.hi = (r.lo + memsz + 4095) & ~4095ull;

	/* 1. the file's size first: what lies past its last page is SIGBUS
	 * (what lies past its end in that page reads as zeros, which no
	 * checksum passes); stat'ed by name if it cannot be opened (an image
	 * one may run but not read), so that the fallback is still known */
	int self = (int)sys2(NR_open, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct kstat st;
	if ((self >= 0 ? sys2(NR_fstat, self, &st) : sys4(NR_newfstatat, AT_FDCWD, "/proc/self/exe", &st, 0)) < 0)
		fallback(&r, "cannot stat the image itself");
	r.self_dev = st.st_dev;
	r.self_ino = st.st_ino;
	u64 avail = ((u64)st.st_size + 4095) & ~4095ull;
	const struct img_locator *loc = locator();
	if ((u64)loc < r.lo || (u64)(loc + 1) - r.lo > avail)
		fallback(&r, "truncated image (the locator)");
	if ((why = img_check_locator(loc)))
		fallback(&r, why);
	r.orig = loc->orig;
	if (r.argc < 1)
		fallback(&r, "no argv[0]");
	if (r.hi < (u64)_end || memsz > avail)
		fallback(&r, "truncated image");
	if (self < 0)
		fallback(&r, "cannot open the image itself");

	/* 2. a layout, its header and tables: mapped by the kernel with the
	 * loader, as snap stretched its segment */
	u32 k = loc->nlayouts > 1 ? pick(loc->nlayouts) : 0;
	u64 hdr_off = loc->layout[k].hdr_off, ts = loc->layout[k].tables_size;
	if (hdr_off > memsz || ts > memsz - hdr_off)
		fallback(&r, "damaged image (layout table)");
	r.h = (const struct img_header *)(r.lo + hdr_off);
	if ((why = img_check_tables(r.h, ts, hdr_off, (u64)st.st_size, r.orig)) || (why = img_check_maps(r.h)))
		fallback(&r, why);
	r.str = (const char *)r.h + r.h->str_off;

	/* 3. the world as the capture saw it */
	u32 which;
	if ((why = img_check_deps(r.h, r.fds, &which)))
		r.what = r.str + ((const struct img_dep *)((const char *)r.h + r.h->deps_off))[which].path;
	if (why || (why = img_check_env(r.h, r.envp, r.argv[0])) ||
	    (why = img_check_host(r.h, aux(r.auxv, 16), aux(r.auxv, 26), aux(r.auxv, 23) != 0)) ||
	    (why = img_check_sysops(r.h)))
		fallback(&r, why);

	/* 4-8 */
	if ((why = place_specials(&r)) || (why = place_maps(&r, self)))
		fallback(&r, why);
	plan_stack(&r);
	r.random = aux(r.auxv, 25), r.platform = aux(r.auxv, 15), r.execfn = aux(r.auxv, 31);
	if ((why = apply_fixups(&r, 0)) || (why = tell_kernel(&r)))
		fallback(&r, why);
	if (r.debug == 2) {
		char n[3] = { (char)('0' + (k + 1) / 10), (char)('0' + (k + 1) % 10), 0 };
		const char *m[] = { "resident: ", r.self, ": restored (layout ", n[0] == '0' ? n + 1 : n, ")", 0 };
		say(m);
	}

	/* 9 */
	struct hand hd = { .sp = (u64)sp + r.delta, .entry = r.h->entry, .pc = r.h->resume,
			   .unmap_start = r.lo, .unmap_len = r.hi - r.lo,
			   .stk_old = r.stk_old, .stk_len = r.stk_len, .stk_new = r.stk_old + r.delta };
	if (r.h->flags & IMG_F_AFTER_INIT)
		handover_main(&r, self, &hd);
	handover(&r, self, &hd);
}
