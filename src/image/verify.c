/* verify.c: one definition of a sound and current image (verify.h).
 *
 * Compiled twice: into the loader (freestanding, -fno-builtin, no libc:
 * only the raw syscalls of loader/sys.h) and into resident for the tools.
 * Hostile input is the rule here, since inspect and check exist to vet
 * images: every offset is checked against what holds it before it is
 * followed, in a form that cannot wrap (off <= size && n <= (size - off)
 * / each), and nothing is read past what the caller says it holds. */
#include "verify.h"

#include <stddef.h>

#include "../loader/sys.h"


uint64_t img_strlen(const char *s)
{
	uint64_t n = 0;
	while (s[n])
		n++;
	return n;
}
#define slen img_strlen

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int img_prefix(const char *s, const char *p)
{
	while (*p && *s == *p)
		s++, p++;
	return *p == 0;
}
#define prefix img_prefix

/* n items of each bytes at off fit in size bytes, 8-byte aligned */
static int fits(uint64_t off, uint64_t n, uint64_t each, uint64_t size)
{
	return off % 8 == 0 && off <= size && n <= (size - off) / each;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, 4);
	return v;
}

int64_t img_locator_offset(const unsigned char *f, uint64_t size)
{
	if (size < 64 || rd32(f) != 0x464c457f || f[4] != 2 /* ELFCLASS64 */)
		return -1;
	uint64_t phoff = rd64(f + 32);
	uint32_t phnum = (uint32_t)f[56] | (uint32_t)f[57] << 8, phent = (uint32_t)f[54] | (uint32_t)f[55] << 8;
	if (phent != 56 || phoff > size || phnum > (size - phoff) / 56)
		return -1;
	for (uint32_t i = 0; i < phnum; i++) {
		const unsigned char *ph = f + phoff + 56 * (uint64_t)i;
		if (rd32(ph) != 4)	/* PT_NOTE */
			continue;
		uint64_t off = rd64(ph + 8), len = rd64(ph + 32);
		if (off > size || len > size - off)
			return -1;
		/* notes: namesz, descsz, type, name and desc each padded to 4 */
		for (uint64_t at = 0; len - at >= 12;) {
			const unsigned char *n = f + off + at;
			uint64_t nsz = rd32(n), dsz = rd32(n + 4), type = rd32(n + 8);
			uint64_t name = 12, desc = name + ((nsz + 3) & ~3ull), next = desc + ((dsz + 3) & ~3ull);
			if (next > len - at)
				return -1;
			if (nsz == sizeof IMG_NOTE_NAME && type == IMG_NOTE_LOCATOR && dsz == sizeof(struct img_locator)) {
				int same = 1;
				for (uint64_t k = 0; k < nsz; k++)
					same &= n[name + k] == (unsigned char)IMG_NOTE_NAME[k];
				if (same)
					return (int64_t)(off + at + desc);
			}
			at += next;
		}
	}
	return -1;
}

uint64_t img_locator_sum(const struct img_locator *l)
{
	static const uint64_t zero;
	const char *p = (const char *)l;
	uint64_t h = img_sum(IMG_FNV_INIT, p, offsetof(struct img_locator, sum));
	h = img_sum(h, &zero, sizeof zero);
	h = img_sum(h, p + offsetof(struct img_locator, layout),
		    offsetof(struct img_locator, orig) - offsetof(struct img_locator, layout));
	uint64_t n = l->orig_len < IMG_PATH_MAX ? l->orig_len + 1 : IMG_PATH_MAX;
	return img_sum(h, l->orig, n);
}

const char *img_check_locator(const struct img_locator *l)
{
	for (int i = 0; i < 20; i++)
		if (l->magic[i] != IMG_LOCATOR_MAGIC[i])
			return "damaged image (locator magic)";
	if (l->orig_len == 0 || l->orig_len >= IMG_PATH_MAX || l->orig[l->orig_len] || l->orig[0] != '/' ||
	    slen(l->orig) != l->orig_len)
		return "damaged image (program path)";
	if (img_locator_sum(l) != l->sum)
		return "damaged image (locator checksum)";
	if (l->nlayouts < 1 || l->nlayouts > IMG_LAYOUTS_MAX)
		return "damaged image (layouts)";
	for (uint32_t k = 0; k < l->nlayouts; k++)
		if (!l->layout[k].hdr_off || l->layout[k].hdr_off % 4096 ||
		    l->layout[k].tables_size < sizeof(struct img_header) || l->layout[k].tables_size > (1u << 30))
			return "damaged image (layout table)";
	return 0;
}

static const struct img_dep *deps_of(const struct img_header *h)
{
	return (const struct img_dep *)((const char *)h + h->deps_off);
}

const char *img_check_tables(const struct img_header *h, uint64_t ts, uint64_t hdr_off, uint64_t file_size,
			     const char *orig)
{
	if (ts < sizeof *h || h->tables_size != ts)
		return "damaged image (tables size)";
	for (int i = 0; i < 8; i++)
		if (h->magic[i] != IMG_MAGIC[i])
			return "not an image (magic)";
	if (h->version != IMG_VERSION || h->machine != 62 || h->page_size != 4096)
		return "image of another version or machine";
	if (h->size != file_size)
		return "truncated or extended image";
	if (h->data_off % 4096 || h->data_off > h->size || ts > h->data_off || hdr_off > h->data_off - ts)
		return "damaged image (layout)";
	if (!fits(h->deps_off, h->ndeps, sizeof(struct img_dep), ts) ||
	    !fits(h->maps_off, h->nmaps, sizeof(struct img_map), ts) ||
	    !fits(h->fixups_off, h->nfixups, sizeof(struct img_fixup), ts) ||
	    !fits(h->env_off, h->nenv, sizeof(struct img_env), ts) || h->str_off > ts ||
	    h->str_size > ts - h->str_off || h->str_size == 0)
		return "damaged image (tables)";
	struct img_header copy = *h;
	copy.checksum = 0;
	uint64_t sum = img_sum(IMG_FNV_INIT, &copy, sizeof copy);
	if (img_sum(sum, (const char *)h + sizeof *h, ts - sizeof *h) != h->checksum)
		return "damaged image (checksum)";
	/* sealed by snap: from here on, damage is not the question, sense is */
	const char *str = (const char *)h + h->str_off;
	if (str[h->str_size - 1] || h->orig >= h->str_size || h->kernel >= h->str_size)
		return "damaged image (strings)";
	if (!streq(str + h->orig, orig))
		return "damaged image (the program differs from the locator's)";
	const struct img_dep *d = deps_of(h);
	if (h->nmapped > h->ndeps || h->nmapped > 256 || h->pages_file > h->nmapped || h->exe_file > h->nmapped)
		return "damaged image (dependencies)";
	for (uint32_t i = 0; i < h->ndeps; i++)
		if (d[i].path >= h->str_size || d[i].kind < IMD_MAPPED || d[i].kind > IMD_CONTENT ||
		    (d[i].kind == IMD_CONTENT && (!(h->flags & IMG_F_AFTER_INIT) || d[i].size > IMD_CONTENT_MAX ||
						  !img_kernel_file(str + d[i].path))) ||
		    (i < h->nmapped) != (d[i].kind == IMD_MAPPED) || (d[i].kind == IMD_LINK && d[i].target >= h->str_size) ||
		    d[i].flags & ~IMD_F_EXEC)
			return "damaged image (dependencies)";
	const struct img_env *e = (const struct img_env *)((const char *)h + h->env_off);
	for (uint32_t i = 0; i < h->nenv; i++)
		if (e[i].str >= h->str_size || e[i].flags > IMG_ENV_ARG0 ||
		    (e[i].flags && !(h->flags & IMG_F_AFTER_INIT)))
			return "damaged image (environment)";
	const struct img_fixup *f = (const struct img_fixup *)((const char *)h + h->fixups_off);
	/* an after-init image's blob: registers, then frames, whole words */
	int after = (h->flags & IMG_F_AFTER_INIT) != 0;
	if (after != (h->blob_len != 0) || h->blob_len % 8 ||
	    (after && (h->blob_len < 8 * IMG_BLOB_REGS || h->blob_len > IMG_BLOB_MAX || h->blob_off % 8 ||
		       !fits(h->blob_off, h->blob_len, 1, ts))))
		return "damaged image (hand-over)";
	if (h->nprefault > IMG_PREFAULT_MAX || !fits(h->prefault_off, h->nprefault, sizeof(struct img_prefault), ts))
		return "damaged image (prefault table)";
	const struct img_prefault *pf = (const struct img_prefault *)((const char *)h + h->prefault_off);
	for (uint32_t i = 0; i < h->nprefault; i++)
		if ((pf[i].start | pf[i].len) & 4095 || !pf[i].len || pf[i].write > 1 ||
		    pf[i].start > 0x7ffffffff000ull || pf[i].len > 0x7ffffffff000ull - pf[i].start ||
		    (i && pf[i].start < pf[i - 1].start + pf[i - 1].len))
			return "damaged image (prefault table)";
	if (h->nsysops > IMG_SYSOPS_MAX || (h->nsysops && !after) ||
	    !fits(h->sysops_off, h->nsysops, sizeof(struct img_sysop), ts))
		return "damaged image (kernel state)";
	const struct img_sysop *so = (const struct img_sysop *)((const char *)h + h->sysops_off);
	for (uint32_t i = 0; i < h->nsysops; i++)
		if (so[i].kind < ISO_ANSWER || so[i].kind > ISO_SIGMASK ||
		    (so[i].kind == ISO_ANSWER && !img_sysop_question(so[i].nr, so[i].arg[0], so[i].arg[1])) ||
		    (so[i].kind == ISO_SIGACTION && (so[i].arg[0] < 1 || so[i].arg[0] > 64 || so[i].arg[0] == 9 ||
						    so[i].arg[0] == 19 || so[i].arg[1] > (1 | ISO_F_ASKED))))
			return "damaged image (kernel state)";
	for (uint32_t i = 0; i < h->nfixups; i++) {
		uint32_t k = IFX_KIND(f[i].kind), fl = f[i].kind & ~0xffu;
		if (f[i].addr % (fl & IFX_F_INT32 ? 4 : 8) || k < IFX_STACK_TOP || k > IFX_KIND_MAX ||
		    fl & ~(IFX_F_BLOB | IFX_F_MANGLED | IFX_F_INT32) || (k >= IFX_CONST && !after) ||
		    ((fl & IFX_F_BLOB) && (!after || f[i].addr > h->blob_len - 8)) ||
		    (k == IFX_ENV_STRING && f[i].index >= h->str_size) ||
		    (k == IFX_RANDOM && f[i].index >= IFX_RANDOM_WORDS))
			return "damaged image (fixups)";
	}
	/* the kernel's mappings as it lays them out: [vvar], [vvar_vclock]
	 * then [vdso], each whole pages, in the user address space */
	const uint64_t sp[3][2] = { { h->vvar_start, h->vvar_end }, { h->vclock_start, h->vclock_end },
				    { h->vdso_start, h->vdso_end } };
	uint64_t below = 0;
	for (int i = 0; i < 3; i++) {
		if (!sp[i][0] && !sp[i][1])
			continue;
		if (sp[i][0] >= sp[i][1] || (sp[i][0] | sp[i][1]) & 4095 || sp[i][1] > 0x7ffffffff000ull ||
		    sp[i][0] < below)
			return "damaged image (vdso)";
		below = sp[i][1];
	}
	if ((h->vvar_start || h->vclock_start) && !h->vdso_start)
		return "damaged image (vdso)";
	return 0;
}

const char *img_check_maps(const struct img_header *h)
{
	const struct img_map *m = (const struct img_map *)((const char *)h + h->maps_off);
	/* saved pages: in the image after data_off, or in the sidecar */
	uint64_t lo = h->pages_file ? 0 : h->data_off;
	uint64_t hi = h->pages_file ? deps_of(h)[h->pages_file - 1].size : h->size;
	uint64_t last = 0, zs = 0, ze = 0;
	for (uint32_t i = 0; i < h->nmaps; i++) {
		uint64_t len = m[i].end - m[i].start;
		if (m[i].start >= m[i].end || (m[i].start | m[i].end | m[i].offset) & 4095 ||
		    m[i].end > 0x7ffffffff000ull)
			return "damaged image (map bounds)";
		int saved = m[i].kind == IMK_SAVED || m[i].kind == IMK_PAGES;
		if (saved && (m[i].offset < lo || m[i].offset > hi || len > hi - m[i].offset))
			return "damaged image (saved pages)";
		if (m[i].kind == IMK_SAVED) {
			if (m[i].start < zs || m[i].end > ze)
				return "damaged image (saved pages)";
			continue;
		}
		if (m[i].start < last)
			return "damaged image (maps overlap)";
		if (m[i].kind == IMK_FILE) {
			if (m[i].file >= h->nmapped)
				return "damaged image (file index)";
		} else if (m[i].kind == IMK_PAGES || m[i].kind == IMK_ZERO) {
			zs = m[i].start;	/* fixups may land here; runs fill a zero map */
			ze = m[i].end;
		} else {
			return "damaged image (map kind)";
		}
		last = m[i].end;
	}
	/* the fixups in memory come first, in address order (the blob's
	 * after them: img_check_tables): one walk with the maps, which are in
	 * address order too (an image may hold thousands of each: every
	 * handler a C++ program's constructors registered is one) */
	const struct img_fixup *f = (const struct img_fixup *)((const char *)h + h->fixups_off);
	uint32_t j = 0, nmem = img_memory_fixups(h);
	for (uint32_t i = 0; i < nmem; i++) {
		uint64_t a = f[i].addr, len = f[i].kind & IFX_F_INT32 ? 4u : 8u;
		if (i && a < f[i - 1].addr)
			return "damaged image (fixups order)";
		while (j < h->nmaps && (m[j].kind == IMK_SAVED || m[j].kind == IMK_FILE || m[j].end <= a))
			j++;
		if (j == h->nmaps || a < m[j].start || m[j].end - a < len)
			return "damaged image (fixups)";
	}
	for (uint32_t i = nmem; i < h->nfixups; i++)
		if (!(f[i].kind & IFX_F_BLOB))
			return "damaged image (fixups order)";
	return 0;
}

uint32_t img_memory_fixups(const struct img_header *h)
{
	const struct img_fixup *f = (const struct img_fixup *)((const char *)h + h->fixups_off);
	uint32_t lo = 0, hi = h->nfixups;
	/* [0, lo) in memory, [hi, n) in the blob: the boundary by halves */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (f[mid].kind & IFX_F_BLOB)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int same(const struct img_dep *d, const struct kstat *st)
{
	return st->st_dev == d->dev && st->st_ino == d->ino && st->st_size == (int64_t)d->size &&
	       (int64_t)st->st_mtime == d->mtime_sec && (int64_t)st->st_mtime_nsec == d->mtime_nsec &&
	       (int64_t)st->st_ctime == d->ctime_sec && (int64_t)st->st_ctime_nsec == d->ctime_nsec;
}

const char *img_check_dep(const struct img_header *h, uint32_t i, int *fd)
{
	const struct img_dep *d = &deps_of(h)[i];
	const char *path = (const char *)h + h->str_off + d->path;
	struct kstat st;
	long r;
	switch (d->kind) {
	case IMD_MAPPED:
		if (!fd) {
			/* the tools: asked only whether it is the same file, they
			 * open nothing an image names (root inspecting another
			 * user's image must not open their FIFO or device) */
			if (sys4(NR_newfstatat, AT_FDCWD, path, &st, 0) < 0)
				return "a file it depends on is gone";
			if (!same(d, &st))
				return "a file it depends on changed";
			if ((d->flags & IMD_F_EXEC) && sys2(NR_access, path, X_OK) < 0)
				return "the program may not be run by this user";
			return 0;
		}
		/* not blocked by a FIFO put in its place: fstat tells it is
		 * no longer the file */
		r = sys2(NR_open, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (r < 0)
			return r == -ENOENT || r == -ENOTDIR ? "a file it depends on is gone"
							     : "cannot open a file it depends on";
		long s = sys2(NR_fstat, r, &st);
		*fd = (int)r;
		if (s < 0 || !same(d, &st))
			return "a file it depends on changed";
		if ((d->flags & IMD_F_EXEC) && sys2(NR_access, path, X_OK) < 0)
			return "the program may not be run by this user";
		return 0;
	case IMD_FILE:
	case IMD_DIR:
		if (sys4(NR_newfstatat, AT_FDCWD, path, &st, 0) < 0)
			return d->kind == IMD_DIR ? "a directory ld.so searched is gone" : "a file it depends on is gone";
		if (!same(d, &st))
			return d->kind == IMD_DIR ? "a directory ld.so searched changed" : "a file it depends on changed";
		/* a file ld.so reads (ld.so.cache, ld.so.preload) that this user
		 * may not read: their ld.so goes without it (root's image of a
		 * 0600 preload must not preload it for them); asked only where
		 * the mode does not answer for everyone */
		if (d->kind == IMD_FILE && (st.st_mode & 0444) != 0444 &&
		    sys4(NR_faccessat2, AT_FDCWD, path, R_OK, AT_EACCESS) < 0)
			return "a file it depends on is not readable by this user";
		return 0;
	case IMD_ABSENT:
		return sys4(NR_newfstatat, AT_FDCWD, path, &st, 0) == 0 ? "a file ld.so did not find is there now" : 0;
	case IMD_DENIED:
		return sys2(NR_access, path, R_OK) == 0 ? "a file ld.so could not read is readable now" : 0;
	case IMD_CONTENT: {
		/* what the kernel says there now, all of it */
		char buf[IMD_CONTENT_MAX + 1];
		uint64_t got = 0;
		r = sys2(NR_open, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
		if (r < 0)
			return "a kernel file a constructor read is gone";
		/* the kernel's own file system there, as at snap (a constructor
		 * may have asked fstatfs, libcap does): not a file put over it */
		struct { long type, rest[15]; } fs;
		long want = prefix(path, "/proc/") ? 0x9fa0 /* PROC_SUPER_MAGIC */ : 0x62656572 /* SYSFS_MAGIC */;
		if (sys2(NR_fstatfs, r, &fs) < 0 || fs.type != want) {
			sys1(NR_close, r);
			return "a kernel file a constructor read is no longer the kernel's";
		}
		for (long k; got < sizeof buf && (k = sys3(NR_read, r, buf + got, sizeof buf - got)) > 0;)
			got += (uint64_t)k;
		sys1(NR_close, r);
		if (got != d->size || img_sum(IMG_FNV_INIT, buf, got) != d->ino)
			return "a kernel file a constructor read says otherwise now";
		return 0;
	}
	case IMD_LINK: {
		char buf[4096];
		const char *want = (const char *)h + h->str_off + d->target;
		r = sys3(NR_readlink, path, buf, sizeof buf);
		if (r < 0 || (uint64_t)r != slen(want))
			return "a symlink to the program changed";
		for (long k = 0; k < r; k++)
			if (buf[k] != want[k])
				return "a symlink to the program changed";
		return 0;
	}
	}
	return "damaged image (dependencies)";
}

const char *img_check_deps(const struct img_header *h, int *fds, uint32_t *which)
{
	for (uint32_t i = 0; i < h->ndeps; i++) {
		const char *why = img_check_dep(h, i, fds && i < h->nmapped ? &fds[i] : 0);
		if (why) {
			*which = i;
			return why;
		}
	}
	return 0;
}

int img_kernel_file(const char *p)
{
	if (!prefix(p, "/proc/sys/") && !streq(p, "/proc/filesystems") && !prefix(p, "/sys/devices/system/cpu/") &&
	    !prefix(p, "/sys/kernel/mm/transparent_hugepage/"))
		return 0;
	for (; *p; p++)
		if (p[0] == '/' && (p[1] == '/' || p[1] == '.'))
			return 0;
	return 1;
}

int img_sysop_question(uint32_t nr, uint64_t arg0, uint64_t arg1)
{
	switch (nr) {
	case NR_getuid: case NR_geteuid: case NR_getgid: case NR_getegid:
		return 1;
	case NR_prctl:
		/* PR_CAPBSET_READ (is there such a capability, is it in the
		 * bounding set), PR_GET_SECUREBITS, PR_GET_NO_NEW_PRIVS,
		 * PR_CAP_AMBIENT_IS_SET */
		return arg0 == 23 || arg0 == 27 || arg0 == 39 || (arg0 == 47 && arg1 == 1);
	}
	return 0;
}

int img_sysop_nargs(uint32_t nr, uint64_t arg0)
{
	if (nr != NR_prctl)
		return 0;
	return arg0 == 23 ? 2 : arg0 == 47 ? 3 : 1;
}

const char *img_check_sysops(const struct img_header *h)
{
	const struct img_sysop *so = (const struct img_sysop *)((const char *)h + h->sysops_off);
	for (uint32_t i = 0; i < h->nsysops; i++) {
		const struct img_sysop *o = &so[i];
		uint64_t cur[4] = { 0 };
		switch (o->kind) {
		case ISO_ANSWER:
			if (sys3(o->nr, o->arg[0], o->arg[1], o->arg[2]) != o->ret)
				return "the kernel answers a constructor's question otherwise";
			break;
		case ISO_SIGACTION:
			if (sys4(NR_rt_sigaction, o->arg[0], 0, cur, 8) < 0 || (cur[0] == 1) != (o->arg[1] & 1))
				return "a signal a constructor handles is ignored, or not, unlike at snap";
			break;
		case ISO_SIGMASK:
			if (sys4(NR_rt_sigprocmask, 0, 0, cur, 8) < 0 || cur[0] != o->arg[0])
				return "other signals are blocked than at snap";
			break;
		}
	}
	return 0;
}

const char *img_exec_failure(long e, int *status)
{
	*status = e == -ENOENT || e == -ENOTDIR ? 127 : 126;
	return e == -ENOENT || e == -ENOTDIR ? "program is gone" : e == -EACCES ? "permission denied" : "cannot run it";
}

void img_env_hash(const char *value, char out[17])
{
	uint64_t n = 0, h;
	while (value[n])
		n++;
	h = img_sum(IMG_FNV_INIT, value, n);
	for (int i = 15; i >= 0; i--, h >>= 4)
		out[i] = "0123456789abcdef"[h & 15];
	out[16] = 0;
}

/* value hashes to the 16 hex digits at hex */
static int hash_is(const char *value, const char *hex)
{
	char mine[17];
	img_env_hash(value, mine);
	return streq(mine, hex);
}

/* "NAME=..." and "NAME=...": the same name */
static int same_name(const char *a, const char *b)
{
	while (*a && *a == *b && *a != '=')
		a++, b++;
	return *a == '=' && *b == '=';
}

int img_steering(const char *e)
{
	if (prefix(e, "LD_BIND_NOW="))
		return 0;	/* how the capture ran; harmless either way at run time */
	return prefix(e, "LD_") || prefix(e, "GLIBC_TUNABLES=") || prefix(e, "MALLOC_");
}

const char *img_check_env(const struct img_header *h, char *const *envp, const char *argv0)
{
	/* the same set both ways: a variable given twice must not stand for
	 * one that is missing */
	const struct img_env *ev = (const struct img_env *)((const char *)h + h->env_off);
	const char *str = (const char *)h + h->str_off;
	for (char *const *e = envp; *e; e++) {
		if (!img_steering(*e))
			continue;
		uint32_t j;
		for (j = 0; j < h->nenv && (ev[j].flags || !streq(*e, str + ev[j].str)); j++)
			;
		if (j == h->nenv)
			return "an LD_*, GLIBC_TUNABLES or MALLOC_* variable differs";
	}
	for (uint32_t j = 0; j < h->nenv; j++) {
		const char *want = str + ev[j].str;
		if (ev[j].flags == IMG_ENV_ARG0) {
			if (!argv0)
				continue;
			const char *b = argv0;
			for (const char *p = argv0; *p; p++)
				if (*p == '/')
					b = p + 1;
			if (!streq(b, want))
				return "run by another name than at snap (after init)";
			continue;
		}
		if (ev[j].flags == IMG_ENV_UNSET) {
			/* getenv's answer was "not set": the first NAME= decides */
			for (char *const *e = envp; *e; e++)
				if (prefix(*e, want))
					return "a variable a constructor found unset is set";
			continue;
		}
		if (ev[j].flags == IMG_ENV_SET) {
			/* the first NAME= is what getenv answered */
			char *const *e = envp;
			while (*e && !same_name(*e, want))
				e++;
			if (!*e)
				return "a variable a constructor read is not set";
			const char *v = *e;
			while (*v++ != '=')
				;
			const char *h = want;
			while (*h++ != '=')
				;
			if (!hash_is(v, h))
				return "a variable a constructor read has another value";
			continue;
		}
		char *const *e;
		for (e = envp; *e && !streq(*e, want); e++)
			;
		if (!*e)
			return "an LD_*, GLIBC_TUNABLES or MALLOC_* variable is missing";
	}
	return 0;
}

uint64_t img_cpu_sig(void)
{
	uint64_t h = IMG_FNV_INIT;
	static const unsigned leaves[] = { 0, 1, 7 };
	for (int i = 0; i < 3; i++) {
		unsigned r[4];
		__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaves[i]), "c"(0));
		if (leaves[i] == 1)
			r[1] &= 0x00ffffff;	/* EBX[31:24]: the APIC id of the CPU we happen to run on */
		h = img_fnv(h, r, sizeof r);
	}
	return h;
}

const char *img_check_host(const struct img_header *h, uint64_t hwcap, uint64_t hwcap2, int secure)
{
	const char *str = (const char *)h + h->str_off;
	char uts[6 * 65];
	if (sys1(NR_uname, uts) < 0 || !streq(uts + 2 * 65, str + h->kernel))
		return "another kernel";
	if (img_cpu_sig() != h->cpu_sig || hwcap != h->hwcap || hwcap2 != h->hwcap2)
		return "another CPU";
	if (secure)
		return "secure mode (AT_SECURE)";
	uint64_t rl[2];
	if (sys4(NR_prlimit64, 0, RLIMIT_STACK, 0, rl) < 0 || rl[0] != h->rlimit_stack)
		return "another RLIMIT_STACK";
	return 0;
}
