/* afterinit.c: capture at main, after every constructor, and only where
 * the evidence says freezing their work is exact.
 *
 *   before-constructor image (one layout, in a memfd)
 *        |                                  |
 *     run A: argv[0] as named,           run B: another argv[0], one more
 *     the capture's environment          argument, every value changed, a
 *        |                               variable removed, one added; its
 *        |                               own PID, AT_RANDOM, guards, and a
 *        |                               later second of the clock
 *        v                                  v
 *   ld.so's _dl_start_user   --(int3)-->  the constructors run, each
 *   syscall stopped at its entry: memory ones go on, any other refuses
 *   before it runs; getenv, secure_getenv and the clock's functions are
 *   breakpoints (what the runs cannot show by differing); at the
 *   program's _start, single steps find __libc_start_main's first
 *   argument, main, where both runs stop
 *        |                                  |
 *        +-------------> diff <-------------+
 *   the same maps; every saved word, register and word of the frames
 *   from main's %rsp up to the initial stack pointer equal in A and B, or
 *   explained: the same place in each run's stack (argv, an argument's
 *   string, a variable by name, the frames), each run's canary or
 *   pointer guard, a value each run mangled with its own guard
 *   (atexit's handlers, the setjmp buffer of __libc_start_call_main), each
 *   run's argc.  Anything else is a value that depends on the run: refused,
 *   naming its address and nearest symbol.
 *
 * Both runs start from the same image, so their layouts are the same and
 * the snap's own layout randomisation (--layouts) carries over. */
#include "afterinit.h"
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


static const char *getenv_in(char *const env[], const char *name_eq)
{
	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], name_eq, strlen(name_eq)))
			return env[i];
	return NULL;
}

static int asked_for(const struct run *r, const char *e)
{
	for (size_t i = 0; i < r->nnames; i++)
		if (!strncmp(e, r->names[i], strlen(r->names[i])))
			return 1;
	return 0;
}

/* B's arguments and environment: all changed but the steering variables
 * (with others the image would not restore) and what A's constructors
 * asked getenv for (the image depends on those: they are checked) */
/* what a run's strings and pointers take on the initial stack */
static size_t stack_size(char *const argv[], char *const env[])
{
	size_t z = 0;
	for (size_t i = 0; argv[i]; i++)
		z += strlen(argv[i]) + 1 + 8;
	for (size_t i = 0; env[i]; i++)
		z += strlen(env[i]) + 1 + 8;
	return z;
}

/* B's stack: one argument and a variable more than A's, and a padding
 * variable that makes it a whole number of pages bigger, so that its
 * stack pointer has A's offset in a page: what a constructor aligns on
 * the stack lies at the same place from it in both runs */
static char **vary_env(char *const env[], char **owned, const struct run *a, char *const argva[],
		       char *const argvb[], size_t more)
{
	size_t ne = 0, k = 0;
	while (env[ne])
		ne++;
	char **e = calloc(ne + 3, sizeof *e);
	if (!e)
		return NULL;
	int removed = 0;
	for (size_t i = 0; i < ne; i++) {
		if (!strchr(env[i], '=') || !strncmp(env[i], "LD_", 3) || !strncmp(env[i], "GLIBC_TUNABLES=", 15) ||
		    !strncmp(env[i], "MALLOC_", 7) || asked_for(a, env[i])) {
			e[k++] = env[i];
			continue;
		}
		if (!removed++)
			continue;
		if (asprintf(&owned[i], "%s-resident-differs", env[i]) < 0)
			return NULL;
		e[k++] = owned[i];
	}
	e[k++] = "RESIDENT_DIFFERS=1";
	e[k++] = "RESIDENT_PAD=";
	size_t za = stack_size(argva, env), zb = stack_size(argvb, e);
	size_t pad = (4096 - (zb - za) % 4096) % 4096 + more;
	char *p = malloc(sizeof "RESIDENT_PAD=" + pad);
	if (!p)
		return NULL;
	memcpy(p, "RESIDENT_PAD=", 13);
	memset(p + 13, 'x', pad);
	p[13 + pad] = 0;
	owned[ne] = p;
	e[k - 1] = p;
	return e;
}

/* ---- the diff ---- */

struct judge {
	const struct run *a, *b;
	struct after_init *ai;
	const struct capture *first;	/* the before-constructor capture, for names */
	char *why;
	size_t n;
	size_t bad;	/* words no explanation fits (RESIDENT_DEBUG=1 lists them) */
	unsigned rnd_used;	/* random words found as they were drawn */
};

static int add(struct judge *j, uint64_t addr, uint32_t kind, int64_t arg, uint32_t index, const char *name)
{
	struct after_init *ai = j->ai;
	if (ai->nfix % 256 == 0) {
		struct ai_fix *f = realloc(ai->fix, (ai->nfix + 256) * sizeof *f);
		if (!f)
			return because(j->why, j->n, "out of memory");
		ai->fix = f;
	}
	struct ai_fix *f = &ai->fix[ai->nfix++];
	memset(f, 0, sizeof *f);
	f->addr = addr;
	f->kind = kind;
	f->arg = arg;
	f->index = index;
	if (name && strlen(name) >= sizeof f->name)
		return because(j->why, j->n, "a variable's name longer than %zu bytes", sizeof f->name - 1);
	if (name)
		strcpy(f->name, name);
	return 0;
}

static int in_stack(const struct capture *c, uint64_t v)
{
	return v >= c->stack_lo && v < c->stack_hi;
}

static uint64_t demangle(uint64_t w, uint64_t guard)
{
	return (w >> 17 | w << 47) ^ guard;
}

/* both words are the same thing in their runs: 1 and *f's fields */
static int same_ref(const struct capture *ca, uint64_t va, const struct capture *cb, uint64_t vb, struct stackref *r)
{
	struct stackref rb;
	if (!in_stack(ca, va) || !in_stack(cb, vb) || stackref_of(ca, va, r) || stackref_of(cb, vb, &rb))
		return 0;
	return stackref_same(r, &rb);
}

/* va in A and vb in B are the same thing of each run: the same place in
 * its stack, its canary, guard, argc, random word; 1 and *f, or 0 */
static int explain(struct judge *j, uint64_t va, uint64_t vb, struct ai_fix *f)
{
	const struct capture *ca = &j->a->c, *cb = &j->b->c;
	struct stackref r;
	memset(f, 0, sizeof *f);
	if (same_ref(ca, va, cb, vb, &r)) {
		f->kind = r.kind;
		f->arg = r.arg;
		f->index = r.index;
		memcpy(f->name, r.name, sizeof f->name);
		return 1;
	}
	if (va == vb)
		return 0;
	if (va == ca->canary && vb == cb->canary)
		f->kind = IFX_CANARY;
	else if (va == ca->pointer_guard && vb == cb->pointer_guard)
		f->kind = IFX_POINTER_GUARD;
	else if (va == ca->argc && vb == cb->argc)
		f->kind = IFX_ARGC;
	for (size_t k = 0; !f->kind && k < j->a->nrnd && k < j->b->nrnd; k++)
		if (va == j->a->rnd[k] && vb == j->b->rnd[k]) {
			f->kind = IFX_RANDOM;
			f->index = (uint32_t)k;
			j->rnd_used |= 1u << k;
		}
	return f->kind != 0;
}

static int add_fix(struct judge *j, uint64_t addr, uint32_t flags, const struct ai_fix *f)
{
	return add(j, addr, f->kind | flags, f->arg, f->index, f->kind == IFX_ENV_STRING ? f->name : NULL);
}

/* the word at addr (flags: IFX_F_BLOB for the blob) is wa in A and wb in B */
static int judge_word(struct judge *j, uint64_t addr, uint32_t flags, uint64_t wa, uint64_t wb, const char *what)
{
	const struct capture *ca = &j->a->c, *cb = &j->b->c;
	struct stackref r;
	struct ai_fix f;
	if (explain(j, wa, wb, &f))
		return add_fix(j, addr, flags, &f);
	if (wa == wb && !in_stack(ca, wa))
		return 0;
	/* mangled with each run's own guard (PTR_MANGLE): a handler's
	 * address, a stack pointer or argc in a jmp_buf */
	uint64_t da = demangle(wa, ca->pointer_guard), db = demangle(wb, cb->pointer_guard);
	if (wa != wb && da == db)
		return add(j, addr, IFX_CONST | IFX_F_MANGLED | flags, (int64_t)da, 0, NULL);
	if (wa != wb && explain(j, da, db, &f))
		return add_fix(j, addr, flags | IFX_F_MANGLED, &f);
	/* half by half: each equal, argc as an int, or the low half of a
	 * pointer into the same place of each run's stack (a spill slot of
	 * an int, left holding half of a dead pointer) */
	int ok = 1;
	struct ai_fix half[2];
	size_t nh = 0;
	for (int h = 0; h < 2 && ok; h++) {
		uint32_t ha = (uint32_t)(wa >> 32 * h), hb = (uint32_t)(wb >> 32 * h);
		uint64_t pa = (ca->stack_lo & ~0xffffffffull) | ha, pb = (cb->stack_lo & ~0xffffffffull) | hb;
		if (pa < ca->stack_lo)
			pa += 1ull << 32;
		if (pb < cb->stack_lo)
			pb += 1ull << 32;
		if (ha == hb)
			continue;
		if (ha == ca->argc && hb == cb->argc)
			half[nh++] = (struct ai_fix){ .addr = addr + 4 * h, .kind = IFX_ARGC | IFX_F_INT32 | flags };
		else if (same_ref(ca, pa, cb, pb, &r) && r.kind != IFX_ENV_STRING)
			half[nh++] = (struct ai_fix){ .addr = addr + 4 * h, .kind = r.kind | IFX_F_INT32 | flags,
						      .arg = r.arg, .index = r.index };
		else
			ok = 0;
	}
	for (size_t h = 0; ok && h < nh; h++)
		if (add(j, half[h].addr, half[h].kind, half[h].arg, half[h].index, NULL))
			return -1;
	if (ok)
		return 0;
	char at[512];
	if (flags)
		snprintf(at, sizeof at, "%s", what);
	else
		where(j->first, addr, at, sizeof at);
	if (debug_on() && j->bad < 50)
		fprintf(stderr, "%s: differs: %s: %#llx %#llx (sp %#llx %#llx)\n", err_prog, at, (unsigned long long)wa,
			(unsigned long long)wb, (unsigned long long)ca->sp, (unsigned long long)cb->sp);
	char rel[96] = "";
	if (in_stack(ca, wa) && in_stack(cb, wb))
		snprintf(rel, sizeof rel, " (into the stack, sp%+lld and sp%+lld)", (long long)(wa - ca->sp),
			 (long long)(wb - cb->sp));
	if (!j->bad++)
		because(j->why, j->n, "the word at %s is %#llx in one run and %#llx in another%s: the constructors "
				      "computed something that depends on the run; not captured after init",
			at, (unsigned long long)wa, (unsigned long long)wb, rel);
	return debug_on() ? 0 : -1;
}

/* bytes the kernel or the loader writes at every start: not compared */
static int ignored(const struct capture *c, uint64_t a)
{
	return (c->tid_addr && a + 8 > c->tid_addr && a < c->tid_addr + 4) ||
	       (c->rseq_addr && a + 8 > c->rseq_addr && a < c->rseq_addr + c->rseq_len);
}

static int diff(struct judge *j)
{
	const struct capture *ca = &j->a->c, *cb = &j->b->c;
	if (ca->nmaps != cb->nmaps)
		return because(j->why, j->n, "the two runs' address spaces differ (%zu and %zu maps): not captured "
					     "after init", ca->nmaps, cb->nmaps);
	for (size_t i = 0; i < ca->nmaps; i++) {
		const struct cap_map *ma = &ca->maps[i], *mb = &cb->maps[i];
		if (!strcmp(ma->path, "[stack]") && !strcmp(mb->path, "[stack]"))
			continue;	/* each run's own, sized by its arguments */
		if (ma->start != mb->start || ma->end != mb->end || strcmp(ma->perms, mb->perms) ||
		    strcmp(ma->path, mb->path) || ma->written != mb->written)
			return because(j->why, j->n, "the two runs' address spaces differ at %#llx (%s): not captured "
						     "after init", (unsigned long long)ma->start,
				       ma->path[0] ? ma->path : "anonymous");
		if (!ma->bytes)
			continue;
		const uint64_t *wa = (const uint64_t *)ma->bytes, *wb = (const uint64_t *)mb->bytes;
		for (size_t w = 0; w < (ma->end - ma->start) / 8; w++) {
			uint64_t a = ma->start + 8 * w;
			/* most words: equal and not into the stack */
			if (wa[w] == wb[w] && !in_stack(ca, wa[w]) && !(wa[w] && (wa[w] == ca->canary ||
										 wa[w] == ca->pointer_guard)))
				continue;
			if (ignored(ca, a))
				continue;
			size_t bad0 = j->bad;
			if (judge_word(j, a, 0, wa[w], wb[w], NULL))
				return -1;
			if (getenv("AI_DUMP") && j->bad != bad0)
				fprintf(stderr, " sp-relative %lld %lld, main's frames at sp-%lld, stack %llx-%llx\n", (long long)(wa[w] - ca->sp), (long long)(wb[w] - cb->sp), (long long)(ca->sp - ca->frames), (unsigned long long)ca->stack_lo, (unsigned long long)ca->stack_hi);
			if (getenv("AI_DUMP") && j->bad != bad0) {
				for (size_t q = 0; q < ca->nmaps; q++) {
					const struct cap_map *m = &ca->maps[q];
					for (int t = 0; t < 2; t++) {
						uint64_t v = t ? wb[w] : wa[w];
						if (m->bytes && v >= m->start && v + 64 <= m->end) {
							fprintf(stderr, " A at %#llx:", (unsigned long long)v);
							for (int d = -4; d < 12; d++) fprintf(stderr, " %llx", (unsigned long long)((const uint64_t *)(m->bytes + (v - m->start)))[d]);
							fprintf(stderr, "\n");
							const struct cap_map *mb2 = &cb->maps[q];
							fprintf(stderr, " B at %#llx:", (unsigned long long)v);
							for (int d = -4; d < 12; d++) fprintf(stderr, " %llx", (unsigned long long)((const uint64_t *)(mb2->bytes + (v - m->start)))[d]);
							fprintf(stderr, "\n");
						}
					}
				}
			}
		}
	}
	/* registers, then frames */
	if (ca->sp - ca->frames != cb->sp - cb->frames)
		return because(j->why, j->n, "main's frames differ in size between the runs: not captured after init");
	static const char *const reg[IMG_BLOB_REGS] = { "main's address", "%rax", "%rbx", "%rcx", "%rdx", "%rsi",
							"%rdi", "%rbp", "%r8", "%r9", "%r10", "%r11", "%r12",
							"%r13", "%r14", "%r15" };
	unsigned zero = 0;
	for (int k = 0; k < IMG_BLOB_REGS; k++) {
		char what[64];
		/* the ABI: at main's entry the caller-saved registers but its
		 * arguments hold nothing (rax rcx r8 r9 r10 r11); what they
		 * hold anyway (%rcx the auxv, which main's fourth argument
		 * reads) is kept where the runs explain it, else zeroed */
		if (k == 1 || k == 3 || (k >= 8 && k <= 11)) {
			struct ai_fix f;
			if (explain(j, j->a->regs[k], j->b->regs[k], &f)) {
				if (add_fix(j, 8 * (uint64_t)k, IFX_F_BLOB, &f))
					return -1;
			} else if (j->a->regs[k] != j->b->regs[k] || in_stack(ca, j->a->regs[k])) {
				zero |= 1u << k;
			}
			continue;
		}
		snprintf(what, sizeof what, "%s at main", reg[k]);
		if (j->a->regs[k] != j->b->regs[k] || in_stack(ca, j->a->regs[k]))
			if (judge_word(j, 8 * (uint64_t)k, IFX_F_BLOB, j->a->regs[k], j->b->regs[k], what))
				return -1;
	}
	size_t flen = ca->sp - ca->frames;
	const unsigned char *fa = ca->stack + (ca->frames - ca->stack_lo), *fb = cb->stack + (cb->frames - cb->stack_lo);
	for (size_t o = 0; o < flen; o += 8) {
		uint64_t wa, wb;
		memcpy(&wa, fa + o, 8);
		memcpy(&wb, fb + o, 8);
		char what[96];
		snprintf(what, sizeof what, "main's %%rsp%+lld", (long long)o);
		if (wa == wb && !in_stack(ca, wa) && !(wa && (wa == ca->canary || wa == ca->pointer_guard)))
			continue;
		if (judge_word(j, 8 * IMG_BLOB_REGS + o, IFX_F_BLOB, wa, wb, what))
			return -1;
	}
	if (j->bad)
		return -1;
	/* random bytes must be kept as drawn (the image draws them again);
	 * anything computed from them (a coin, a seed) would be frozen */
	if (j->a->nrnd != j->b->nrnd)
		return because(j->why, j->n, "the constructors drew random bytes differently in two runs; not captured "
					     "after init");
	for (size_t k = 0; k < j->a->nrnd; k++)
		if (!(j->rnd_used >> k & 1))
			return because(j->why, j->n, "a constructor drew random bytes and kept something computed from "
						     "them, not the bytes; not captured after init");
	if (j->a->brk != j->b->brk)
		return because(j->why, j->n, "the program break differs between the runs: not captured after init");
	/* the blob, as A had it */
	struct after_init *ai = j->ai;
	memcpy(ai->blob, j->a->regs, sizeof j->a->regs);
	for (int k = 0; k < IMG_BLOB_REGS; k++)
		if (zero >> k & 1)
			memset(ai->blob + 8 * k, 0, 8);
	memcpy(ai->blob + sizeof j->a->regs, fa, flen);
	ai->blob_len = sizeof j->a->regs + flen;
	return 0;
}


/* a second of the clock later than t0's: a constructor keeping time()
 * differs */
static void next_second(time_t t0)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec > t0)
		return;
	struct timespec d = { 0, 1000000000L - now.tv_nsec + 1000000L };
	if (d.tv_nsec >= 1000000000L) {
		d.tv_sec = 1;
		d.tv_nsec -= 1000000000L;
	}
	nanosleep(&d, NULL);
}

/* the first capture's dependencies, then the constructors' (the same
 * in both runs), as ai->deps */
static int merge_deps(const struct capture *before, const struct run *ra, const struct run *rb,
		      struct after_init *ai, char *why, size_t n)
{
	struct cap_dep *da = NULL, *db = NULL;
	size_t na = 0, nb = 0;
	int rc = -1;
	if (ctorsys_deps(&ra->cs, &da, &na, why, n) || ctorsys_deps(&rb->cs, &db, &nb, why, n))
		goto out;
	int same = na == nb;
	for (size_t i = 0; same && i < na; i++)
		same = da[i].kind == db[i].kind && !strcmp(da[i].path, db[i].path);
	if (!same) {
		because(why, n, "the constructors looked at other files in another run; not captured after init");
		goto out;
	}
	if (!(ai->deps = calloc(before->ndeps + na + 1, sizeof *ai->deps)))
		goto oom;
	for (size_t i = 0; i < before->ndeps + na; i++) {
		const struct cap_dep *d = i < before->ndeps ? &before->deps[i] : &da[i - before->ndeps];
		size_t k;
		for (k = 0; k < ai->ndeps; k++)
			if (ai->deps[k].kind == d->kind && !strcmp(ai->deps[k].path, d->path))
				break;
		if (k < ai->ndeps)
			continue;
		ai->deps[ai->ndeps] = *d;
		if (!(ai->deps[ai->ndeps].path = strdup(d->path)))
			goto oom;
		ai->ndeps++;
	}
	rc = 0;
	goto out;
oom:
	because(why, n, "out of memory");
out:
	cap_deps_free(da, na);
	cap_deps_free(db, nb);
	return rc;
}

int after_init_capture(const struct image_out *pre, const struct capture *before, const char *name,
		       char *const env[], struct after_init *ai, char *why, size_t n)
{
	memset(ai, 0, sizeof *ai);
	int img = (int)syscall(SYS_memfd_create, "resident-after-init", MFD_CLOEXEC);
	if (img < 0)
		return because(why, n, "memfd_create: %s", strerror(errno));
	int we = image_write_fd(img, pre);
	struct stat st;
	if (we || fstat(img, &st)) {
		close(img);
		return because(why, n, "cannot write the before-constructor image: %s", strerror(we ? -we : errno));
	}
	size_t ne = 0;
	while (env[ne])
		ne++;
	char **owned = calloc(ne + 2, sizeof *owned), **envb = NULL;
	const char *slash = strrchr(name, '/');
	char arg0[4096];
	snprintf(arg0, sizeof arg0, "/resident-differs/x/%s", slash ? slash + 1 : name);
	/* arguments the constructors must not read (their strings are out of
	 * reach, run_to_main): their number differs */
	char *argva[] = { (char *)name, "-resident-a", NULL },
	     *argvb[] = { arg0, "--resident-differs", "-b", "c", "d", NULL };
	struct run *ra = calloc(1, sizeof *ra), *rb = calloc(1, sizeof *rb);
	int rc = -1;
	if (!owned || !ra || !rb) {
		because(why, n, "out of memory");
		goto out;
	}
	time_t t0 = time(NULL);
	if (run_to_main(img, st.st_ino, before, argva, env, ra, why, n))
		goto out;
	uint64_t e = frame_start(ra, before);
	if (e) {
		/* again, with the caller of main's frame cleared at its entry */
		run_free(ra);
		ra->call_main = e;
		if (run_to_main(img, st.st_ino, before, argva, env, ra, why, n))
			goto out;
	}
	rb->call_main = e;
	rb->second = 1;
	next_second(t0);
	/* B's stack pointer a whole number of pages under A's: what the
	 * kernel rounds may put it 16 bytes off; then once more, padded */
	for (size_t more = 0, tries = 0;; tries++) {
		if (!(envb = vary_env(env, owned, ra, argva, argvb, more))) {
			because(why, n, "out of memory");
			goto out;
		}
		if (run_to_main(img, st.st_ino, before, argvb, envb, rb, why, n))
			goto out;
		size_t off = (ra->c.sp - rb->c.sp) % 4096;
		if (!off || tries == 2)
			break;
		more += 4096 - off;
		run_free(rb);
		rb->call_main = e;
		rb->second = 1;
		free(envb);
		envb = NULL;
		free(owned[ne]);
		owned[ne] = NULL;
	}
	/* the same questions to getenv, whatever the answers */
	int same = ra->nnames == rb->nnames;
	for (size_t i = 0; same && i < ra->nnames; i++)
		same = asked_for(rb, ra->names[i]);
	if (!same) {
		because(why, n, "the constructors asked getenv for other variables in another run; not captured "
				"after init");
		goto out;
	}
	if (!ctorsys_same(&ra->cs, &rb->cs)) {
		because(why, n, "the constructors asked the kernel other questions in another run; not captured "
				"after init");
		goto out;
	}
	if (merge_deps(before, ra, rb, ai, why, n))
		goto out;
	struct judge j = { ra, rb, ai, before, why, n, 0, 0 };
	if (diff(&j))
		goto out;
	/* a value a constructor read and kept would be in the image for
	 * anyone who can read it (the check keeps only its hash) */
	for (size_t i = 0; i < ra->nnames; i++) {
		const char *e = getenv_in(env, ra->names[i]);
		const char *v = e ? e + strlen(ra->names[i]) : NULL;
		size_t vl = v ? strlen(v) : 0;
		for (size_t k = 0; vl >= 4 && k < ra->c.nmaps; k++) {
			const struct cap_map *m = &ra->c.maps[k];
			if (m->bytes && memmem(m->bytes, m->end - m->start, v, vl)) {
				because(why, n, "a constructor kept the value of %.*s in memory: the image would show it "
						"to anyone who can read it; not captured after init",
					(int)strlen(ra->names[i]) - 1, ra->names[i]);
				goto out;
			}
		}
	}
	ai->env = calloc(ra->nnames + 2, sizeof *ai->env);
	for (size_t i = 0; ai->env && i < ra->nnames; i++) {
		const char *e = getenv_in(env, ra->names[i]);
		char hex[17] = "";
		if (e)
			img_env_hash(e + strlen(ra->names[i]), hex);
		ai->env[i].flags = e ? IMG_ENV_SET : IMG_ENV_UNSET;
		if (asprintf(&ai->env[i].str, "%s%s", ra->names[i], hex) < 0) {
			ai->env[i].str = NULL;
			because(why, n, "out of memory");
			goto out;
		}
		ai->nenv++;
	}
	if (!ai->env || !(ai->env[ai->nenv].str = strdup(slash ? slash + 1 : name))) {
		because(why, n, "out of memory");
		goto out;
	}
	/* the name it runs by: a constructor may test it (run B had another
	 * directory, not another name) */
	ai->env[ai->nenv++].flags = IMG_ENV_ARG0;
	/* A's state is the image's; the dependencies are the first capture's */
	ai->c = ra->c;
	ai->c.deps = ai->deps;
	ai->c.ndeps = ai->ndeps;
	memcpy(ai->ops, ra->cs.ops, ra->cs.nops * sizeof *ai->ops);
	ai->nops = ra->cs.nops;
	ai->c.via_ldso = before->via_ldso;
	ai->syscalls = ra->syscalls;
	memset(&ra->c, 0, sizeof ra->c);
	rc = 0;
out:
	if (ra)
		run_free(ra);
	if (rb)
		run_free(rb);
	free(ra);
	free(rb);
	if (owned)
		for (size_t i = 0; i <= ne; i++)
			free(owned[i]);
	free(owned);
	free(envb);
	close(img);
	if (rc)
		after_init_free(ai);
	return rc;
}

void after_init_free(struct after_init *ai)
{
	ai->c.deps = NULL;	/* ai->deps */
	ai->c.ndeps = 0;
	cap_deps_free(ai->deps, ai->ndeps);
	capture_free(&ai->c);
	free(ai->fix);
	for (size_t i = 0; i < ai->nenv; i++)
		free(ai->env[i].str);
	free(ai->env);
	memset(ai, 0, sizeof *ai);
}
