/* image_write.c: lay a capture out as an image (format in image/format.h). */
#include "image_write.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../image/format.h"
#include "../image/verify.h"
#include "../lib/err.h"
#include "../lib/phase.h"
#include "afterinit.h"
#include "stackref.h"

#define PAGE 4096u

/* growable byte buffer */
struct buf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static size_t put(struct buf *b, const void *data, size_t n)
{
	size_t at = b->len;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return at;
		}
		b->p = np;
		b->cap = cap;
	}
	if (data)
		memcpy(b->p + b->len, data, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
	return at;
}

static void align(struct buf *b, size_t a)
{
	if (b->len % a)
		put(b, NULL, a - b->len % a);
}

static uint32_t prot_of(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

static int zero_page(const unsigned char *p)
{
	static const unsigned char z[PAGE];
	return memcmp(p, z, PAGE) == 0;
}

/* tables under construction */
struct tables {
	struct img_dep *deps;	/* the IMD_MAPPED ones first */
	uint32_t ndeps, nmapped;
	struct img_map *maps;
	uint32_t nmaps;
	struct img_fixup *fix;
	uint32_t nfix;
	struct img_env env[64];
	uint32_t nenv;
	struct buf str;
};

static uint32_t str_add(struct tables *t, const char *s)
{
	return (uint32_t)put(&t->str, s, strlen(s) + 1);
}

/* one entry for what one mmap can make: the same file (or the saved
 * pages), contiguous in memory and in the file, the same protection */
static int add_map(struct tables *t, struct img_map m)
{
	struct img_map *l = t->nmaps ? &t->maps[t->nmaps - 1] : NULL;
	if (l && l->end == m.start && l->kind == m.kind && l->prot == m.prot &&
	    (m.kind == IMK_FILE || m.kind == IMK_PAGES) && l->file == m.file &&
	    l->offset + (l->end - l->start) == m.offset) {
		l->end = m.end;
		return 0;
	}
	struct img_map *nm = realloc(t->maps, (t->nmaps + 1) * sizeof *nm);
	if (!nm)
		return -1;
	t->maps = nm;
	t->maps[t->nmaps++] = m;
	return 0;
}

static int add_fix(struct tables *t, uint64_t addr, uint32_t kind, int64_t arg, uint32_t index)
{
	struct img_fixup *nf = realloc(t->fix, (t->nfix + 1) * sizeof *nf);
	if (!nf)
		return -1;
	t->fix = nf;
	t->fix[t->nfix++] = (struct img_fixup){ .addr = addr, .arg = arg, .kind = kind, .index = index };
	return 0;
}

static struct img_dep dep_of(struct tables *t, const char *path, uint32_t kind, const struct stat *st)
{
	return (struct img_dep){
		.path = str_add(t, path), .kind = kind, .dev = st->st_dev, .ino = st->st_ino,
		.size = (uint64_t)st->st_size, .mtime_sec = st->st_mtim.tv_sec, .mtime_nsec = st->st_mtim.tv_nsec,
		.ctime_sec = st->st_ctim.tv_sec, .ctime_nsec = st->st_ctim.tv_nsec,
	};
}

static int dep_add(struct tables *t, struct img_dep d)
{
	struct img_dep *v = realloc(t->deps, (t->ndeps + 1) * sizeof *v);
	if (!v)
		return -1;
	t->deps = v;
	t->deps[t->ndeps++] = d;
	return 0;
}

static int same_file(const struct cap_map *m, const struct stat *st)
{
	return st->st_ino == m->ino && major(st->st_dev) == m->dev_major && minor(st->st_dev) == m->dev_minor;
}

/* Anyone may exec it: x for all and no ACL to say otherwise.  Its
 * identity pins both (a chmod or setfacl changes its ctime), so the loader
 * need not ask the kernel at each exec (IMD_F_EXEC) */
static int runnable_by_all(const struct cap_dep *d)
{
	return (d->st.st_mode & 0111) == 0111 && getxattr(d->path, "system.posix_acl_access", NULL, 0) < 0 &&
	       errno == ENODATA;
}

/* The file a mapping comes from: the first name a normal exec looked it
 * up by (the program as named, PT_INTERP, a library as ld.so opened it),
 * now an IMD_MAPPED dependency that the loader opens by that name and maps
 * from; its index, or -1 with a reason */
static int mapped_index(struct tables *t, const struct capture *c, const struct cap_map *m, const char *orig,
			char *why, size_t n)
{
	for (uint32_t i = 0; i < t->nmapped; i++)
		if (t->deps[i].ino == m->ino && major(t->deps[i].dev) == m->dev_major &&
		    minor(t->deps[i].dev) == m->dev_minor)
			return (int)i;
	for (size_t i = 0; i < c->ndeps; i++)
		if (c->deps[i].kind == IMD_FILE && same_file(m, &c->deps[i].st)) {
			if (t->nmapped == 256)
				return because(why, n, "more than 256 files mapped");
			struct img_dep d = dep_of(t, c->deps[i].path, IMD_MAPPED, &c->deps[i].st);
			if (!strcmp(c->deps[i].path, orig) && !runnable_by_all(&c->deps[i]))
				d.flags = IMD_F_EXEC;	/* the program, by its name: exec's own check */
			if (dep_add(t, d))
				return because(why, n, "out of memory");
			return (int)t->nmapped++;
		}
	return because(why, n, "%s: mapped, but not by a name ld.so or the exec looked up", m->path);
}

/* every dependency the program does not map from, after those it does */
static int add_unmapped(struct tables *t, const struct capture *c)
{
	for (size_t i = 0; i < c->ndeps; i++) {
		const struct cap_dep *d = &c->deps[i];
		uint32_t j;
		for (j = 0; j < t->nmapped; j++)
			if (!strcmp((char *)t->str.p + t->deps[j].path, d->path))
				break;
		if (j < t->nmapped)
			continue;
		struct img_dep e = dep_of(t, d->path, (uint32_t)d->kind, &d->st);
		if (d->kind == IMD_CONTENT)	/* what it held, not what it is */
			e.dev = e.mtime_sec = e.mtime_nsec = e.ctime_sec = e.ctime_nsec = 0, e.ino = d->sum, e.size = d->size;
		if (dep_add(t, e))
			return -1;
	}
	return 0;
}

static int fix_order(const void *a, const void *b)
{
	const struct img_fixup *x = a, *y = b;
	int bx = (x->kind & IFX_F_BLOB) != 0, by = (y->kind & IFX_F_BLOB) != 0;
	if (bx != by)
		return bx - by;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* what a word pointing into the capture's stack points to */
static int classify(struct tables *t, const struct capture *c, uint64_t at, uint64_t v, char *why, size_t n)
{
	struct stackref r;
	if (stackref_of(c, v, &r))
		return because(why, n, "a saved word at %#llx points into the stack at sp%+lld, to nothing known",
			       (unsigned long long)at, (long long)(v - c->sp));
	return add_fix(t, at, r.kind, r.arg, r.kind == IFX_ENV_STRING ? str_add(t, r.name) : r.index);
}

/* the heap stays anonymous (brk grows it): only its non-zero runs are
 * saved, laid over a zero map; every other written map is saved whole,
 * its zero pages becoming holes in the file (image_stage) */
static int anon_only(const struct cap_map *m)
{
	return !strcmp(m->path, "[heap]");
}

/* a gather list that grows */
static int iov_add(struct image_out *o, const void *p, size_t len)
{
	if (o->niov % 64 == 0) {
		struct iovec *n = realloc(o->iov, (o->niov + 64) * sizeof *n);
		if (!n)
			return -1;
		o->iov = n;
	}
	o->iov[o->niov++] = (struct iovec){ .iov_base = (void *)p, .iov_len = len };
	o->size += len;
	return 0;
}

/* the saved pages, in map order, in place in the capture (no copy) */
static int add_saved(struct image_out *o, const struct capture *c)
{
	for (size_t i = 0; i < c->nmaps; i++) {
		const struct cap_map *m = &c->maps[i];
		if (!m->bytes || capture_special(m->path))
			continue;
		if (!anon_only(m)) {
			if (iov_add(o, m->bytes, m->end - m->start))
				return -1;
			continue;
		}
		for (uint64_t a = m->start; a < m->end;) {
			uint64_t b = a;
			while (b < m->end && !zero_page(m->bytes + (b - m->start)))
				b += PAGE;
			if (b > a && iov_add(o, m->bytes + (a - m->start), b - a))
				return -1;
			a = b == a ? a + PAGE : b;
		}
	}
	return 0;
}

int image_pages(const struct capture *const *caps, int ncaps, struct image_out *out)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < ncaps; i++)
		if (add_saved(out, caps[i])) {
			image_out_free(out);
			return -1;
		}
	return 0;
}

void image_out_free(struct image_out *o)
{
	free(o->head);
	free(o->iov);
	memset(o, 0, sizeof *o);
}

/* The compact layout (loader.c, plan_stack): where the stack will end.
 *
 * Under the program, by preference: the stack ends one page (the
 * trampoline's) under the program's lowest map, so that it shares that
 * map's PTE page (when it fits there: mremap makes a PTE page for every
 * 2 MiB the moved part spans, pages or not); RLIMIT_STACK,
 * the kernel's guard gap (256 pages) and 1 MiB for the arguments are free
 * below it.  The heap, when none was captured, starts on the page above
 * the highest map, in the top map's PTE page:
 *
 *      stack_floor   stack_top  lo                    hi
 *   ...free...|  [stack] |tramp| the program, its    |[heap] ->
 *                   <- grows   | libraries, the vDSO |
 *
 * Above it where there is no room below (a program mapped low): the end
 * above the highest map by the same room, rounded to 2 MiB and 1 MiB more
 * so that the trampoline's page above it, and the heap above that, share
 * the stack's PTE page.  No move with an unlimited or huge RLIMIT_STACK:
 * the room would not be there, or not in the same page tables. */
static void compact_stack(struct img_header *h, const struct tables *t)
{
	uint64_t lo = ~0ull, hi = 0;
	const uint64_t sp[][2] = { { h->vvar_start, h->vvar_end }, { h->vclock_start, h->vclock_end },
				   { h->vdso_start, h->vdso_end } };
	for (unsigned i = 0; i < 3; i++)
		if (sp[i][1]) {
			lo = sp[i][0] < lo ? sp[i][0] : lo;
			hi = sp[i][1] > hi ? sp[i][1] : hi;
		}
	for (uint32_t i = 0; i < t->nmaps; i++) {
		lo = t->maps[i].start < lo ? t->maps[i].start : lo;
		hi = t->maps[i].end > hi ? t->maps[i].end : hi;
	}
	uint64_t rl = h->rlimit_stack, guard = 256 * PAGE, args = 1u << 20, mb2 = 2u << 20;
	if (rl > (256u << 20) || rl < (128u << 10) || !hi)
		return;
	/* the loader moves the top of the kernel's stack vma, the strings
	 * and 32 kB below them (STACK_KEEP), and mremap makes a PTE page for
	 * every 2 MiB the new place spans: under the program if lo lies
	 * 64 kB or more into its 2 MiB (bigger arguments cost a PTE page) */
	uint64_t room = rl + guard + args + PAGE;
	if (lo >= room + (8ull << 30) && (lo & (mb2 - 1)) >= (64u << 10)) {	/* 8 GiB: clear of the loader */
		h->flags |= IMG_F_STACK_BELOW;
		h->stack_top = lo - PAGE;
		h->stack_floor = h->stack_top - args;
		if (!(h->flags & IMG_F_HEAP))
			h->start_brk = h->brk = hi;
		return;
	}
	uint64_t floor = hi + rl + guard;
	uint64_t top = ((floor + args + mb2 - 1) & ~(mb2 - 1)) + (1u << 20);
	if (top + PAGE > 0x7ffffffff000ull)
		return;
	h->stack_top = top;
	h->stack_floor = floor;
}

/* the loader's one PT_LOAD also maps the tables, so that the loader
 * reads them in place */
static int stretch_loader(unsigned char *elf, uint64_t len)
{
	Elf64_Ehdr eh;
	memcpy(&eh, elf, sizeof eh);
	int found = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, elf + eh.e_phoff + i * sizeof ph, sizeof ph);
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_offset != 0 || found++ || ph.p_filesz != ph.p_memsz || ph.p_filesz > len)
			return -1;
		ph.p_filesz = ph.p_memsz = len;
		memcpy(elf + eh.e_phoff + i * sizeof ph, &ph, sizeof ph);
	}
	return found ? 0 : -1;
}

/* a written map's file was looked up by some name (its identity is
 * checked like any dependency's: its saved pages came from it) */
static int looked_up(const struct capture *c, const struct cap_map *m)
{
	for (size_t i = 0; i < c->ndeps; i++)
		if (c->deps[i].kind == IMD_FILE && same_file(m, &c->deps[i].st))
			return 1;
	return 0;
}

/* one layout: header, tables and strings for capture c, appended to img
 * page aligned at *hdr_off; its saved pages' offsets in the maps are
 * relative to the start of its own pages (image_build adds where those
 * go), their size in *data_size; 0, or -1 with a reason */
static int layout_tables(const struct image_in *in, const struct capture *c, const struct after_init *ai,
			 const struct img_prefault *pf, uint32_t npf, struct buf *img, size_t *hdr_off,
			 uint64_t *data_size, char *why, size_t n)
{
	struct tables t;
	memset(&t, 0, sizeof t);
	put(&t.str, "", 1);	/* offset 0: the empty string */
	struct img_header h;
	memset(&h, 0, sizeof h);
	int rc = -1;

	/* 1. the address space */
	uint64_t data = 0;	/* bytes of saved pages so far */
	for (size_t i = 0; i < c->nmaps; i++) {
		const struct cap_map *m = &c->maps[i];
		const char *p = m->path;
		if (!strcmp(p, "[vvar]")) {
			h.vvar_start = m->start, h.vvar_end = m->end;
			continue;
		}
		if (!strcmp(p, "[vvar_vclock]")) {
			h.vclock_start = m->start, h.vclock_end = m->end;
			continue;
		}
		if (!strcmp(p, "[vdso]")) {
			h.vdso_start = m->start, h.vdso_end = m->end;
			continue;
		}
		if (capture_special(p))
			continue;
		if (m->perms[3] != 'p') {
			because(why, n, "%s: a shared mapping at start-up cannot be saved", p[0] ? p : "anonymous");
			goto out;
		}
		if (!strcmp(p, "[heap]"))
			h.flags |= IMG_F_HEAP;
		uint32_t prot = prot_of(m->perms);
		if (!m->written) {
			int f = mapped_index(&t, c, m, in->orig, why, n);
			if (f < 0)
				goto out;
			if (add_map(&t, (struct img_map){ .start = m->start, .end = m->end, .offset = m->offset,
							  .prot = prot, .kind = IMK_FILE, .file = (uint32_t)f }))
				goto oom;
			continue;
		}
		if (m->empty) {	/* a reservation: made again, empty */
			if (add_map(&t, (struct img_map){ .start = m->start, .end = m->end, .prot = prot,
							  .kind = IMK_ZERO }))
				goto oom;
			continue;
		}
		if (p[0] == '/' && !looked_up(c, m)) {
			because(why, n, "%s: mapped, but not by a name ld.so or the exec looked up", p);
			goto out;
		}
		if (!anon_only(m)) {
			if (add_map(&t, (struct img_map){ .start = m->start, .end = m->end, .offset = data,
							  .prot = prot, .kind = IMK_PAGES }))
				goto oom;
			data += m->end - m->start;
			continue;
		}
		if (add_map(&t, (struct img_map){ .start = m->start, .end = m->end, .prot = prot, .kind = IMK_ZERO }))
			goto oom;
		for (uint64_t a = m->start; a < m->end;) {
			if (zero_page(m->bytes + (a - m->start))) {
				a += PAGE;
				continue;
			}
			uint64_t b = a;
			while (b < m->end && !zero_page(m->bytes + (b - m->start)))
				b += PAGE;
			if (add_map(&t, (struct img_map){ .start = a, .end = b, .offset = data, .prot = prot,
							  .kind = IMK_SAVED }))
				goto oom;
			data += b - a;
			a = b;
		}
	}

	/* 2. saved words to rewrite: pointers into the old stack, the guards
	 * (the capture kept every word that may be one); after init, the
	 * words the two runs' diff explained (afterinit.c) */
	for (size_t i = 0; ai && i < ai->nfix; i++) {
		const struct ai_fix *f = &ai->fix[i];
		if (add_fix(&t, f->addr, f->kind, f->arg, IFX_KIND(f->kind) == IFX_ENV_STRING ? str_add(&t, f->name)
											    : f->index))
			goto oom;
	}
	for (size_t i = 0; !ai && i < c->ncands; i++) {
		uint64_t v, at = c->cands[i].addr;
		memcpy(&v, c->cands[i].at, 8);
		if (v >= c->stack_lo && v < c->stack_hi) {
			if (classify(&t, c, at, v, why, n))
				goto out;
		} else if (v && v == c->canary) {
			if (add_fix(&t, at, IFX_CANARY, 0, 0))
				goto oom;
		} else if (v && v == c->pointer_guard) {
			if (add_fix(&t, at, IFX_POINTER_GUARD, 0, 0))
				goto oom;
		}
	}

	/* in memory first, in address order, the blob's after (verify.c's
	 * img_check_maps and the loader rely on it) */
	qsort(t.fix, t.nfix, sizeof *t.fix, fix_order);

	/* 3. the checks the loader makes: what else a normal exec looked at,
	 * the sidecar (a system image's saved pages), the variables */
	if (in->pages_path) {
		if (t.nmapped == 256) {
			because(why, n, "more than 256 files mapped");
			goto out;
		}
		if (dep_add(&t, dep_of(&t, in->pages_path, IMD_MAPPED, &in->pages_st)))
			goto oom;
		h.pages_file = ++t.nmapped;
		/* the program's own file is what /proc/self/exe should name */
		for (size_t i = 0; i < c->ndeps && !h.exe_file; i++)
			if (!strcmp(c->deps[i].path, in->orig))
				for (uint32_t j = 0; j < t.nmapped; j++)
					if (t.deps[j].dev == c->deps[i].st.st_dev && t.deps[j].ino == c->deps[i].st.st_ino)
						h.exe_file = j + 1;
	}
	if (add_unmapped(&t, c))
		goto oom;
	for (size_t i = 0; i < in->nhops; i++)
		if (in->hops[i].target) {
			struct stat none = { 0 };
			struct img_dep d = dep_of(&t, in->hops[i].path, IMD_LINK, &none);
			d.target = str_add(&t, in->hops[i].target);
			if (dep_add(&t, d))
				goto oom;
		}
	for (char *const *e = in->env; *e; e++)
		if (img_steering(*e)) {
			if (t.nenv == sizeof t.env / sizeof t.env[0]) {
				because(why, n, "more than 64 LD_*/MALLOC_* variables");
				goto out;
			}
			t.env[t.nenv++].str = str_add(&t, *e);
		}
	for (size_t i = 0; ai && i < ai->nenv; i++) {
		if (t.nenv == sizeof t.env / sizeof t.env[0]) {
			because(why, n, "more than 64 variables to check");
			goto out;
		}
		t.env[t.nenv].flags = ai->env[i].flags;
		t.env[t.nenv++].str = str_add(&t, ai->env[i].str);
	}
	struct utsname u;
	uname(&u);
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	h.kernel = str_add(&t, u.release);
	h.orig = str_add(&t, in->orig);
	h.cpu_sig = img_cpu_sig();
	h.hwcap = c->at_hwcap;
	h.hwcap2 = c->at_hwcap2;
	h.rlimit_stack = rl.rlim_cur;
	if (t.str.oom)
		goto oom;

	/* the saved pages' checksum, over the bytes as they will be written
	 * (resident verify reads them back) */
	struct image_out pages = { 0 };
	if (add_saved(&pages, c)) {
		image_out_free(&pages);
		goto oom;
	}
	h.pages_sum = IMG_FNV_INIT;
	for (int i = 0; i < pages.niov; i++)
		h.pages_sum = img_sum(h.pages_sum, pages.iov[i].iov_base, pages.iov[i].iov_len);
	h.pages_size = pages.size;
	image_out_free(&pages);
	if (h.pages_size != data) {
		because(why, n, "%llu bytes of saved pages, %llu laid out", (unsigned long long)h.pages_size,
			(unsigned long long)data);
		goto out;
	}

	/* 4. lay it out */
	memcpy(h.magic, IMG_MAGIC, 8);
	h.version = IMG_VERSION;
	h.machine = EM_X86_64;
	h.page_size = PAGE;
	h.ndeps = t.ndeps;
	h.nmapped = t.nmapped;
	h.nmaps = t.nmaps;
	h.nfixups = t.nfix;
	h.nenv = t.nenv;
	h.resume = c->resume;
	h.entry = c->entry;
	h.fs_base = c->fs_base;
	h.tid_addr = c->tid_addr;
	h.robust_head = c->robust_head;
	h.robust_len = c->robust_len;
	h.rseq_addr = c->rseq_addr;
	h.rseq_len = (uint32_t)c->rseq_len;
	h.rseq_sig = (uint32_t)c->rseq_sig;
	h.at_phdr = c->at_phdr, h.at_phent = c->at_phent, h.at_phnum = c->at_phnum;
	h.at_entry = c->at_entry, h.at_base = c->at_base, h.at_sysinfo_ehdr = c->at_sysinfo_ehdr;
	h.start_code = c->start_code, h.end_code = c->end_code;
	h.start_data = c->start_data, h.end_data = c->end_data;
	h.start_brk = c->start_brk, h.brk = c->brk;
	compact_stack(&h, &t);	/* may move start_brk */

	align(img, PAGE);
	size_t at = *hdr_off = img->len;
	put(img, &h, sizeof h);
	h.deps_off = img->len - at;
	put(img, t.deps, t.ndeps * sizeof t.deps[0]);
	h.maps_off = img->len - at;
	put(img, t.maps, t.nmaps * sizeof t.maps[0]);
	h.fixups_off = img->len - at;
	put(img, t.fix, t.nfix * sizeof t.fix[0]);
	h.env_off = img->len - at;
	put(img, t.env, t.nenv * sizeof t.env[0]);
	h.str_off = img->len - at;
	h.str_size = t.str.len;
	put(img, t.str.p, t.str.len);
	if (npf) {
		align(img, 8);
		h.prefault_off = img->len - at;
		h.nprefault = npf;
		put(img, pf, npf * sizeof *pf);
	}
	if (ai) {
		align(img, 8);
		h.flags |= IMG_F_AFTER_INIT;
		h.blob_off = img->len - at;
		h.blob_len = ai->blob_len;
		put(img, ai->blob, ai->blob_len);
		if (ai->nops) {
			align(img, 8);
			h.sysops_off = img->len - at;
			h.nsysops = (uint32_t)ai->nops;
			put(img, ai->ops, ai->nops * sizeof *ai->ops);
		}
	}
	h.tables_size = img->len - at;
	if (img->oom)
		goto oom;
	memcpy(img->p + at, &h, sizeof h);
	*data_size = data;
	rc = 0;
	goto out;
oom:
	because(why, n, "out of memory");
out:
	free(t.deps);
	free(t.maps);
	free(t.fix);
	free(t.str.p);
	return rc;
}

/* the header of the layout at hdr_off, told where its saved pages went
 * (data_off, and at base in the file that holds them) and the image's
 * size, then sealed with its checksum */
static void seal_layout(unsigned char *img, size_t hdr_off, uint64_t data_off, uint64_t base, uint64_t size)
{
	struct img_header h;
	memcpy(&h, img + hdr_off, sizeof h);
	h.data_off = data_off;
	h.size = size;
	h.pages_off = base;
	struct img_map *maps = (struct img_map *)(img + hdr_off + h.maps_off);
	for (uint32_t i = 0; i < h.nmaps; i++)
		if (maps[i].kind == IMK_SAVED || maps[i].kind == IMK_PAGES)
			maps[i].offset += base;
	h.checksum = 0;
	memcpy(img + hdr_off, &h, sizeof h);
	h.checksum = img_sum(IMG_FNV_INIT, img + hdr_off, h.tables_size);
	memcpy(img + hdr_off, &h, sizeof h);
}

int image_build(const struct image_in *in, struct image_out *out, char *why, size_t n)
{
	memset(out, 0, sizeof *out);
	if (in->ncaps < 1 || in->ncaps > IMG_LAYOUTS_MAX)
		return because(why, n, "%d layouts (1 to %d)", in->ncaps, IMG_LAYOUTS_MAX);
	struct buf img = { 0 };
	put(&img, in->loader, in->loader_size);
	if (!img.oom && img.len >= 16)
		memcpy(img.p + IMG_ELF_MARK_AT, IMG_ELF_MARK, 7);
	size_t hdr_off[IMG_LAYOUTS_MAX];
	uint64_t data[IMG_LAYOUTS_MAX], total = 0;
	for (int i = 0; i < in->ncaps; i++) {
		if (layout_tables(in, in->caps[i], in->ai ? in->ai[i] : NULL, in->prefault ? in->prefault[i] : NULL,
				  in->prefault ? in->nprefault[i] : 0, &img, &hdr_off[i], &data[i], why, n)) {
			free(img.p);
			return -1;
		}
		total += data[i];
	}
	size_t tables_end = img.len;
	align(&img, PAGE);
	if (img.oom) {
		free(img.p);
		return because(why, n, "out of memory");
	}
	if (in->pages_path && (uint64_t)in->pages_st.st_size != total) {
		free(img.p);
		return because(why, n, "%s: %llu bytes of saved pages, expected %llu", in->pages_path,
			       (unsigned long long)in->pages_st.st_size, (unsigned long long)total);
	}
	/* the saved pages follow the tables, layout after layout; a system
	 * image's are in the sidecar, from its offset 0, and the image ends
	 * where they would start */
	uint64_t base = in->pages_path ? 0 : img.len, size = img.len + (in->pages_path ? 0 : total);
	for (int i = 0; i < in->ncaps; i++) {
		seal_layout(img.p, hdr_off[i], in->pages_path ? img.len : base, base, size);
		base += data[i];
	}
	if (stretch_loader(img.p, tables_end)) {
		free(img.p);
		return because(why, n, "the loader is not one PT_LOAD at offset 0");
	}

	/* tell the loader where its layouts are and what to run otherwise,
	 * sealed: a damaged name runs nothing rather than another program */
	int64_t at = img_locator_offset(img.p, in->loader_size);
	unsigned char *loc = at < 0 || (uint64_t)at + sizeof(struct img_locator) > in->loader_size ? NULL : img.p + at;
	size_t olen = strlen(in->orig);
	if (!loc || olen >= IMG_PATH_MAX || in->orig[0] != '/') {
		free(img.p);
		return because(why, n, !loc ? "the loader has no locator" : olen >= IMG_PATH_MAX ? "program path too long"
										     : "program path not absolute");
	}
	struct img_locator L;
	memcpy(&L, loc, sizeof L);
	L.nlayouts = (uint32_t)in->ncaps;
	for (int i = 0; i < in->ncaps; i++) {
		struct img_header h;
		memcpy(&h, img.p + hdr_off[i], sizeof h);
		L.layout[i] = (struct img_layout_ref){ .hdr_off = hdr_off[i], .tables_size = h.tables_size };
	}
	memset(L.orig, 0, sizeof L.orig);
	memcpy(L.orig, in->orig, olen);
	L.orig_len = (uint32_t)olen;
	L.sum = img_locator_sum(&L);
	memcpy(loc, &L, sizeof L);
	out->head = img.p;
	int oom = iov_add(out, img.p, img.len);
	for (int i = 0; i < in->ncaps && !oom && !in->pages_path; i++)
		oom = add_saved(out, in->caps[i]);
	if (oom) {
		image_out_free(out);
		return because(why, n, "out of memory");
	}
	if (out->size != size) {
		image_out_free(out);
		return because(why, n, "%zu bytes laid out, %llu expected", out->size, (unsigned long long)size);
	}
	return 0;
}

/* write [p, p+len) at off, whole zero pages left as holes: an image's
 * untouched bss and the like take neither disk nor a read */
static int write_sparse(int fd, const unsigned char *p, size_t len, off_t off)
{
	for (size_t at = 0; at < len;) {
		size_t end = at;
		while (end < len && (len - end < PAGE || !zero_page(p + end)))
			end += len - end < PAGE ? len - end : PAGE;
		for (size_t done = at; done < end;) {
			ssize_t w = pwrite(fd, p + done, end - done, off + (off_t)done);
			if (w <= 0)
				return w < 0 ? -errno : -EIO;
			done += (size_t)w;
		}
		at = end;
		while (at < len && len - at >= PAGE && zero_page(p + at))
			at += PAGE;
	}
	return 0;
}

int image_write_fd(int fd, const struct image_out *o)
{
	off_t off = 0;
	for (int i = 0; i < o->niov; i++) {
		int e = write_sparse(fd, o->iov[i].iov_base, o->iov[i].iov_len, off);
		if (e)
			return e;
		off += (off_t)o->iov[i].iov_len;
	}
	phase("write");
	return ftruncate(fd, off) ? -errno : 0;
}
