/* collect.c: read processes from /proc, in parallel.
 *
 * Per process: status (uid, threads, fd table, page tables; readable by
 * anyone), the exe link, then smaps (needs ptrace-read access).  The
 * selection is applied after status so that unselected processes cost no
 * smaps read, the expensive part: the kernel formats ~25 lines a mapping. */
#include "pcost.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../image/read.h"
#include "../lib/err.h"
#include "../proc/kvfile.h"
#include "../proc/procfs.h"

struct worker {
	const struct collect_opts *o;
	const pid_t *pids;
	struct pcost *out;
	size_t n;
	atomic_size_t *next;
	struct smaps_reader sr;
	/* which executables are resident images: the last few, by identity */
	struct { dev_t dev; ino_t ino; int is; } img[8];
	int nimg, img_next;
};

/* whether PID runs a resident image.  Read through PID/exe, never by the
 * path it reads as, which the process's owner controls (procfs.h) */
static int exe_is_image(struct worker *wk, pid_t pid)
{
	struct stat st;
	if (procfs_exe_stat(wk->o->proc_root, pid, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	for (int i = 0; i < wk->nimg; i++)
		if (wk->img[i].dev == st.st_dev && wk->img[i].ino == st.st_ino)
			return wk->img[i].is;
	int fd = procfs_exe_open(wk->o->proc_root, pid, &st);
	if (fd < 0)
		return 0;
	int is = image_is_fd(fd);
	close(fd);
	int k = wk->img_next++ & 7;
	wk->img[k].dev = st.st_dev;
	wk->img[k].ino = st.st_ino;
	wk->img[k].is = is;
	if (wk->nimg < 8)
		wk->nimg++;
	return is;
}

/* state for the per-mapping callback */
struct walk {
	struct pcost *p;
	struct role_ctx rc;
	int want_libs;
	int cur_lib;
	uint64_t last_dev, last_ino;
};

uint64_t vma_own_kb(const struct vma *v)
{
	uint64_t priv = v->kb[SM_PRIVATE_CLEAN] + v->kb[SM_PRIVATE_DIRTY];
	/* file-backed (shared memory included) or a rollup of everything */
	if (v->inode != 0 || !strcmp(v->path, "[rollup]"))
		return priv < v->kb[SM_ANONYMOUS] ? priv : v->kb[SM_ANONYMOUS];
	return priv;
}

static void add(struct memsum *m, const struct vma *v)
{
	for (int i = 0; i < SM_NFIELDS; i++)
		m->kb[i] += v->kb[i];
	m->own += vma_own_kb(v);
	m->maps++;
}

static int lib_index(struct pcost *p, const char *path)
{
	for (size_t i = 0; i < p->nlibs; i++)
		if (!strcmp(p->libs[i].path, path))
			return (int)i;
	struct libuse *nl = realloc(p->libs, (p->nlibs + 1) * sizeof *nl);
	if (!nl)
		return -1;
	p->libs = nl;
	char *dup = strdup(path);
	if (!dup)
		return -1;
	memset(&nl[p->nlibs], 0, sizeof nl[0]);
	nl[p->nlibs].path = dup;
	return (int)p->nlibs++;
}

/* what the kernel model counts: written private mappings own anon_vma
 * objects; each mapped file (consecutive mappings of one file share it) a
 * struct file.  `written` is known from smaps (Anonymous:), guessed from
 * the permissions with maps alone. */
static void count_objects(struct walk *w, const struct vma *v, int written)
{
	struct kcounts *kc = &w->p->kc;
	uint64_t dev = (uint64_t)v->dev_major << 32 | v->dev_minor;
	if (v->perms[3] == 'p' && (v->perms[1] == 'w' || written))
		kc->anon_maps++;
	if (v->inode && (v->inode != w->last_ino || dev != w->last_dev)) {
		kc->files++;
		w->last_ino = v->inode;
		w->last_dev = dev;
	}
}

static int on_vma(void *ctx, const struct vma *v)
{
	struct walk *w = ctx;
	struct pcost *p = w->p;
	int cont;
	enum role r = role_classify(&w->rc, v, &cont);
	add(&p->total, v);
	add(&p->role[r], v);
	count_objects(w, v, v->kb[SM_ANONYMOUS] > 0);
	if (w->want_libs) {
		if (r == ROLE_LIBS || r == ROLE_LIBC || r == ROLE_LDSO) {
			if (!cont)
				w->cur_lib = lib_index(p, v->path);
			if (w->cur_lib < 0)
				return -ENOMEM;
			add(&p->libs[w->cur_lib].m, v);
		} else {
			w->cur_lib = -1;
		}
	}
	return 0;
}

/* --totals: smaps_rollup has the sums, maps the mappings the kernel model counts */
static int on_rollup(void *ctx, const struct vma *v)
{
	struct walk *w = ctx;
	for (int i = 0; i < SM_NFIELDS; i++)
		w->p->total.kb[i] += v->kb[i];
	w->p->total.own += vma_own_kb(v);
	return 0;
}

static int on_map(void *ctx, const struct vma *v)
{
	struct walk *w = ctx;
	w->p->total.maps++;
	count_objects(w, v, 0);
	return 0;
}

/* parse PID/name with fn; 1 parsed, 0 the process is gone, -1 state set */
static int read_maps_file(struct worker *wk, pid_t pid, struct pcost *p, const char *name, vma_fn fn,
			  struct walk *w)
{
	struct parse_error pe = { 0, NULL };
	int fd = procfs_open_file(wk->o->proc_root, pid, name);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ESRCH)
			return 0;
		/* no permission is other users'; anything else (a FIFO or a
		 * link in a --proc copy) is damage */
		p->state = fd == -EACCES || fd == -EPERM ? PS_DENIED : PS_MALFORMED;
		p->why = strerror(-fd);
		return -1;
	}
	lr_from_fd(&wk->sr.lr, fd);
	int rc = smaps_parse(&wk->sr, fn, w, &pe);
	close(fd);
	if (rc == -ENOMEM)
		die(4, "out of memory");
	if (rc == -EINVAL) {
		p->state = PS_MALFORMED;
		p->why = pe.reason;
		warn("/proc/%d/%s: line %lu: %s: process skipped", (int)pid, name, pe.line, pe.reason);
		return -1;
	}
	if (rc < 0) {
		/* an exiting process reads as ESRCH or as empty */
		if (rc == -ESRCH || rc == -ENOENT)
			return 0;
		p->state = PS_DENIED;
		p->why = strerror(-rc);
		return -1;
	}
	return rc > 0;	/* empty: its address space went away after status */
}

static void read_one(struct worker *wk, pid_t pid, struct pcost *p)
{
	const struct collect_opts *o = wk->o;
	struct parse_error pe = { 0, NULL };
	char path[4096];
	struct status st;

	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->state = PS_GONE;

	int fd = procfs_open_file(o->proc_root, pid, "status");
	if (fd < 0 && fd != -ENOENT && fd != -ESRCH) {
		/* /proc mounted with hidepid=1 (no permission); in a copy
		 * (--proc), not a plain file (damage) */
		p->state = fd == -EACCES || fd == -EPERM ? PS_DENIED : PS_MALFORMED;
		p->why = strerror(-fd);
		snprintf(p->name, sizeof p->name, "?");
		p->exe = strdup("");
		return;
	}
	if (fd < 0)
		return;		/* gone: ENOENT/ESRCH */
	lr_from_fd(&wk->sr.lr, fd);
	int rc = status_parse(&wk->sr.lr, &st, &pe);
	close(fd);
	if (rc == -ESRCH || rc == -ENOENT)
		return;
	if (rc < 0) {
		p->state = PS_MALFORMED;
		p->why = rc == -EINVAL ? pe.reason : strerror(-rc);
		warn("/proc/%d/status: line %lu: %s: process skipped", (int)pid, pe.line, p->why);
		p->exe = strdup("");
		return;
	}
	memcpy(p->name, st.name, sizeof p->name);
	p->have_status = 1;
	p->uid = (uid_t)st.v[ST_UID];
	p->kc.threads = st.v[ST_THREADS];
	p->kc.fdsize = st.v[ST_FDSIZE];
	p->kc.vmpte_kb = st.v[ST_VMPTE];
	p->kc.has_mm = (st.seen >> ST_VMPTE) & 1;
	p->vmrss_kb = st.v[ST_VMRSS];
	p->vmswap_kb = st.v[ST_VMSWAP];

	if (st.v[ST_KTHREAD] || !((st.seen >> ST_TGID) & 1))
		p->state = PS_KTHREAD;
	else if (!p->kc.has_mm)
		p->state = st.state == 'Z' || st.state == 'X' ? PS_ZOMBIE : PS_KTHREAD;
	long ln = procfs_readlink(o->proc_root, pid, "exe", path, sizeof path);
	if (ln < 0)
		snprintf(path, sizeof path, "[%s]", p->name);
	p->exe = strdup(path);
	if (!p->exe)
		die(4, "out of memory");
	if (p->state == PS_KTHREAD || p->state == PS_ZOMBIE)
		return;
	if (!selector_match(o->sel, ln >= 0 ? path : "", p->name, p->uid)) {
		p->state = PS_FILTERED;
		return;
	}

	/* --walk-limit: a process this large is not walked (smaps holds its
	 * mmap lock for the walk of each mapping: ~20 ms a GiB, docs/cost.md);
	 * what status says of it stands: RSS, anonymous pages (own, an upper
	 * bound: some may be shared with forks), swap; no PSS, no roles */
	if (o->walk_limit_kb && st.v[ST_VMRSS] > o->walk_limit_kb) {
		p->total.kb[SM_RSS] = st.v[ST_VMRSS];
		p->total.kb[SM_PSS] = st.v[ST_VMRSS];
		p->total.kb[SM_ANONYMOUS] = st.v[ST_RSSANON];
		p->total.kb[SM_PRIVATE_DIRTY] = st.v[ST_RSSANON];
		p->total.kb[SM_SHARED_CLEAN] = st.v[ST_RSSFILE] + st.v[ST_RSSSHMEM];
		p->total.kb[SM_SWAP] = st.v[ST_VMSWAP];
		p->total.kb[SM_SWAP_PSS] = st.v[ST_VMSWAP];
		p->total.own = st.v[ST_RSSANON];
		p->unwalked = 1;
		p->state = PS_OK;
		return;
	}

	struct walk w = { .p = p, .want_libs = o->want_libs, .cur_lib = -1 };
	role_start(&w.rc, ln >= 0 ? p->exe : "", ln >= 0 && !o->totals && exe_is_image(wk, pid));
	if (o->totals) {
		rc = read_maps_file(wk, pid, p, "smaps_rollup", on_rollup, &w);
		if (rc > 0 && !o->rollup_only)
			rc = read_maps_file(wk, pid, p, "maps", on_map, &w);
	} else {
		rc = read_maps_file(wk, pid, p, "smaps", on_vma, &w);
	}
	role_end(&w.rc);
	if (rc <= 0) {
		if (rc == 0)
			p->state = PS_GONE;
		return;
	}
	p->kc.maps = p->total.maps;
	p->state = PS_OK;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	size_t i;
	while ((i = atomic_fetch_add(wk->next, 1)) < wk->n) {
		struct pcost *p = &wk->out[i];
		read_one(wk, wk->pids[i], p);
		if ((p->state == PS_OK || p->state == PS_DENIED) && p->have_status)
			kmodel_estimate(wk->o->km, &p->kc, &p->ks);
	}
	smaps_reader_free(&wk->sr);
	return NULL;
}

void collect(const struct collect_opts *o, const pid_t *pids, size_t n, struct pcost *out)
{
	enum { MAXT = 8 };
	atomic_size_t next = 0;
	struct worker wk[MAXT];
	pthread_t th[MAXT];
	int nt = o->threads < 1 ? 1 : o->threads > MAXT ? MAXT : o->threads;
	if ((size_t)nt > n)
		nt = n ? (int)n : 1;
	for (int i = 0; i < nt; i++)
		wk[i] = (struct worker){ .o = o, .pids = pids, .out = out, .n = n, .next = &next,
					 .sr = SMAPS_READER_ZERO };
	int started = 1;
	for (int i = 1; i < nt; i++, started++)
		if (pthread_create(&th[i], NULL, worker_main, &wk[i]) != 0)
			break;
	worker_main(&wk[0]);
	for (int i = 1; i < started; i++)
		pthread_join(th[i], NULL);
}

void pcost_free(struct pcost *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].exe);
		for (size_t j = 0; j < p[i].nlibs; j++)
			free(p[i].libs[j].path);
		free(p[i].libs);
	}
}

static const char *base(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? b + 1 : s;
}

int selector_match(const struct selector *s, const char *exe, const char *comm, uid_t uid)
{
	if (!s)
		return 1;
	if (s->nuids) {
		size_t i;
		for (i = 0; i < s->nuids && s->uids[i] != uid; i++)
			;
		if (i == s->nuids)
			return 0;
	}
	for (size_t i = 0; i < s->nexclude; i++)
		if (!regexec(&s->exclude[i], exe, 0, NULL, 0) || !regexec(&s->exclude[i], comm, 0, NULL, 0))
			return 0;
	if (s->nprograms || s->nmatch) {
		for (size_t i = 0; i < s->nprograms; i++) {
			const char *want = s->programs[i];
			if (strchr(want, '/') ? !strcmp(want, exe)
					      : (!strcmp(want, base(exe)) || !strcmp(want, comm)))
				return 1;
		}
		for (size_t i = 0; i < s->nmatch; i++)
			if (!regexec(&s->match[i], exe, 0, NULL, 0) || !regexec(&s->match[i], comm, 0, NULL, 0))
				return 1;
		return 0;
	}
	return 1;
}
