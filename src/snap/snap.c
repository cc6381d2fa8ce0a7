/* snap.c: a program captured (capture.c), laid out (image_write.c) and
 * put in place (install.c).
 *
 *   capture K times ---> same program? --> lay out ---> write unnamed ---> lock the name:
 *   (the slow part;      settled times?    (tables,     (O_TMPFILE)        name the sidecar,
 *    refused: anything   output not the    saved                           rename the image,
 *    ld.so may not do)   program's place?  pages)                          clean, unlock
 *
 * The image directory (no -o) is made only once a capture succeeded, and
 * bin/NAME linked once the image is in place.
 */
#include "snap.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../image/format.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/pathwalk.h"
#include "../lib/phase.h"
#include "capture.h"
#include "afterinit.h"
#include "image_write.h"
#include "textfolios.h"
#include "train.h"
#include "imgdir.h"
#include "install.h"
#include "policy.h"

extern const unsigned char _binary_loader_elf_start[], _binary_loader_elf_end[];
extern char **environ;

/* K captures must be K different layouts: the same addresses twice means
 * the kernel did not randomise them (randomize_va_space 0, setarch -R) */
static void vet_layout(const char *path, const struct capture *caps, int k)
{
	for (int j = 0; j < k; j++)
		if (caps[j].at_base == caps[k].at_base && caps[j].at_phdr == caps[k].at_phdr &&
		    caps[j].sp == caps[k].sp)
			die(EXIT_USAGE, "%s: captures %d and %d have the same addresses: address space "
				       "randomisation is off (kernel.randomize_va_space, setarch -R)", path, j + 1, k + 1);
}

static const struct cap_dep *dep_named(const struct capture *c, const char *path)
{
	for (size_t i = 0; i < c->ndeps; i++)
		if (c->deps[i].kind == IMD_FILE && !strcmp(c->deps[i].path, path))
			return &c->deps[i];
	return NULL;
}

/* The name and the file located before the capture still led to the same
 * file when it started and when it ended (a switch in between would give
 * an image of one program depending on the identity of another) */
static int same_program(const struct program *p, const struct capture *caps, int n, char *why, size_t size)
{
	if (!program_same_way(p))
		return because(why, size, "%s changed while it was captured: try again", p->name);
	for (int i = 0; i < n; i++) {
		const struct cap_dep *a = dep_named(&caps[i], p->name), *b = dep_named(&caps[i], p->real);
		if (!a || !b || a->st.st_dev != p->st.st_dev || a->st.st_ino != p->st.st_ino ||
		    b->st.st_dev != p->st.st_dev || b->st.st_ino != p->st.st_ino)
			return because(why, size, "%s changed while it was captured: try again", p->name);
	}
	return 0;
}

/* an entry by the identity of its directory and its name, so that a
 * second name for the directory (a bind mount, a hard-linked path) is
 * the same place */
struct place {
	dev_t dev;
	ino_t ino;
	const char *name;
	char hit[PATH_MAX];	/* the entry that is it */
};

static int is_place(const struct path_step *s, void *arg)
{
	struct place *pl = arg;
	const char *base = strrchr(s->entry, '/') + 1;
	if (s->dir->st_dev != pl->dev || s->dir->st_ino != pl->ino || strcmp(base, pl->name))
		return 0;
	snprintf(pl->hit, sizeof pl->hit, "%s", s->entry);
	return 1;
}

/* does resolving path pass through the place, whether or not it exists? */
static int passes(const char *path, struct place *pl)
{
	return path_walk(path, is_place, pl) == 1;
}

/* Where the image goes must not be a name the program's exec looked up
 * (the program, a symlink on its way, a library, ld.so.cache, a path ld.so
 * did not find: ld.so would find the image there), nor a directory ld.so
 * searched (the image would be stale the moment it is written): it would
 * replace what it depends on, or what it falls back to, and run itself for
 * ever */
static void vet_target(const struct program *p, const struct capture *c, const char *out)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(out, '/');
	struct place pl = { .name = slash ? slash + 1 : out };
	struct stat st;
	snprintf(dir, sizeof dir, "%.*s", slash ? (slash == out ? 1 : (int)(slash - out)) : 1, slash ? out : ".");
	if (stat(dir, &st))
		return;	/* target_open says why */
	pl.dev = st.st_dev;
	pl.ino = st.st_ino;
	if (passes(p->name, &pl)) {
		int link = 0;
		for (size_t i = 0; i < p->nhops; i++)
			link |= !strcmp(p->hops[i].path, pl.hit) && p->hops[i].target;
		die(EXIT_USAGE, "%s: that is %s%s: an image cannot take its program's place", out, pl.hit,
		    link ? ", a link to the program" : "");
	}
	for (size_t i = 0; i < c->ndeps; i++)
		if (passes(c->deps[i].path, &pl))
			die(EXIT_USAGE, "%s: that is %s, which the program's exec looks up", out, pl.hit);
	for (size_t i = 0; i < c->ndeps; i++)
		if (c->deps[i].kind == IMD_DIR && stat(c->deps[i].path, &st) == 0 && st.st_dev == pl.dev &&
		    st.st_ino == pl.ino)
			die(EXIT_USAGE, "%s: in %s, which the program's ld.so searches: the image would be stale at once",
			    out, c->deps[i].path);
}

/* A file rewritten in place within the clock tick of its last change
 * keeps its mtime and ctime: an image snapped in that tick would not see
 * the rewrite.  File systems with multigrain times (Linux 6.13: ext4, xfs,
 * btrfs, tmpfs) avoid it for a file whose times were looked at, as the
 * capture does; others tick by the jiffy, and some by the second (ext4
 * with 128-byte inodes, vfat, many network file systems: their times have
 * no nanoseconds; vfat by two).  So when a dependency changed within its
 * tick of the capture (2 s where its times have no nanoseconds, 10 ms
 * elsewhere), snap waits for the tick to pass and looks at every
 * dependency again: whatever changes later gets a later time. */
static int settle_times(const struct capture *c, char *why, size_t n)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	double t0 = (double)now.tv_sec + now.tv_nsec / 1e9, until = t0;
	for (size_t i = 0; i < c->ndeps; i++) {
		const struct timespec *ts[] = { &c->deps[i].st.st_mtim, &c->deps[i].st.st_ctim };
		for (int k = 0; k < 2; k++) {
			/* each time its own tick: 2 s where it has no nanoseconds
			 * (vfat counts in 2 s), 10 ms elsewhere; a time more than a
			 * tick ahead of the clock (a skewed tarball) cannot be met
			 * by a rewrite now: it is not waited for */
			double t = (double)ts[k]->tv_sec + ts[k]->tv_nsec / 1e9;
			double end = ts[k]->tv_nsec ? t + 0.01 : (double)ts[k]->tv_sec + 2.0;
			if (end > until && end - t0 <= 2.0)
				until = end;
		}
	}
	if (until <= t0)
		return 0;
	double wait = until - t0 + 0.001;
	struct timespec d = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
	if (d.tv_nsec >= 1000000000L)
		d.tv_nsec = 999999999L;
	nanosleep(&d, NULL);
	const char *changed = probes_recheck(c->deps, c->ndeps);
	return changed ? because(why, n, "%s changed while it was captured: try again", changed) : 0;
}

/* the caller's environment, with LD_BIND_NOW=1: ld.so relocates all */
static char **capture_env(void)
{
	size_t ne = 0, k = 0;
	while (environ[ne])
		ne++;
	const char *bad = policy_env_refused(environ);
	if (bad)
		die(EXIT_USAGE, "%.*s: with it ld.so prints, traces or audits at every start, which an image "
				"would not: not captured", (int)strcspn(bad, "="), bad);
	char **env = calloc(ne + 2, sizeof *env);
	if (!env)
		die(EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "LD_BIND_NOW=", 12))
			env[k++] = environ[i];
	env[k++] = "LD_BIND_NOW=1";
	return env;
}

/* K captures, through ld.so first (the program lands beside its
 * libraries), as exec'd where that cannot be exact; laid out as img */
/* the training runs' ranges, owned until the image is written */
static struct img_prefault **trained_pf;
static uint32_t *trained_npf;

/* after init: each layout's before-constructor image run to main
 * (afterinit.c), its state the layout's capture */
static int run_to_main(const struct program *p, const struct snap_opts *o, struct image_in *in,
		       const struct capture **cp, struct after_init *ai, const struct after_init **aip, char *why,
		       size_t n)
{
	for (int k = 0; k < in->ncaps; k++) {
		struct image_in one = *in;
		struct image_out pre = { 0 };
		one.caps = &cp[k];
		one.ncaps = 1;
		one.ai = NULL;
		one.pages_path = NULL;
		int rc = image_build(&one, &pre, why, n);
		if (rc == 0)
			rc = after_init_capture(&pre, cp[k], o->run_name ? o->run_name : p->name, in->env, &ai[k], why,
						n);
		image_out_free(&pre);
		if (rc) {
			for (int i = 0; i < k; i++)
				after_init_free(&ai[i]);
			return -1;
		}
		phase("constructors, twice");
	}
	for (int k = 0; k < in->ncaps; k++) {
		cp[k] = &ai[k].c;
		aip[k] = &ai[k];
	}
	in->ai = aip;
	return 0;
}

/* snap --prefault: each layout's image run once with the training
 * arguments (train.c); the image laid out again with what they mapped */
static int train_all(const struct program *p, const struct snap_opts *o, struct image_in *in,
		     struct img_prefault **pf, uint32_t *npf, struct image_out *img, char *why, size_t n)
{
	size_t na = 0;
	while (o->train_args && o->train_args[na])
		na++;
	char **argv = calloc(na + 2, sizeof *argv);
	if (!argv)
		return because(why, n, "out of memory");
	argv[0] = (char *)(o->run_name ? o->run_name : p->name);
	for (size_t i = 0; i < na; i++)
		argv[i + 1] = o->train_args[i];
	int rc = 0;
	/* the page cache first: the training run then sees, and records,
	 * the text mapped a PMD at a time */
	unsigned long long big = text_folios(in->caps[0]);
	if (big)
		phase("text in 2 MiB folios");
	for (int k = 0; k < in->ncaps && !rc; k++) {
		struct image_in one = *in;
		struct image_out pre = { 0 };
		one.caps = &in->caps[k];
		one.ai = in->ai ? &in->ai[k] : NULL;
		one.ncaps = 1;
		one.pages_path = NULL;
		one.prefault = NULL;
		rc = image_build(&one, &pre, why, n);
		if (rc == 0)
			rc = train_run(&pre, in->caps[k], argv, in->env, &pf[k], &npf[k], why, n);
		image_out_free(&pre);
	}
	free(argv);
	if (rc)
		return -1;
	in->prefault = pf;
	in->nprefault = npf;
	phase("training run");
	struct image_out with = { 0 };
	if (image_build(in, &with, why, n)) {
		in->prefault = NULL;	/* img stays the image without the table */
		in->nprefault = NULL;
		return -1;
	}
	image_out_free(img);
	*img = with;
	return 0;
}

static int capture_all(const struct program *p, const struct snap_opts *o, struct image_in *in,
		       struct capture *caps, const struct capture **cp, struct after_init *ai,
		       const struct after_init **aip, struct image_out *img, char *why, size_t n)
{
	char interp[PATH_MAX];
	int have_interp = program_interp(p->real, interp, sizeof interp) == 0;
	int via_ldso = !o->as_exec && have_interp;
	/* what an exec of the name looks up: the name, the file it leads to
	 * (the program's $ORIGIN and /proc/self/exe follow it: the symlinks on
	 * the way are read again at each exec, image_write's IMD_LINK), and
	 * PT_INTERP */
	const char *names[] = { p->name, strcmp(p->real, p->name) ? p->real : NULL, NULL, NULL };
	names[names[1] ? 2 : 1] = have_interp ? interp : NULL;
	for (;; via_ldso = 0) {
		char *lv[] = { interp, p->real, NULL }, *pv[] = { p->real, NULL };
		int ncap, ok = 1;
		for (ncap = 0; ok && ncap < in->ncaps; ncap++) {
			ok = capture_run(via_ldso ? interp : p->real, via_ldso ? lv : pv, in->env, via_ldso, names,
					 &caps[ncap], why, n) == 0;
			if (ok)
				vet_layout(p->name, caps, ncap);
		}
		if (ok && same_program(p, caps, ncap, why, n) == 0 && settle_times(&caps[ncap - 1], why, n) == 0 &&
		    (!o->after_init || run_to_main(p, o, in, cp, ai, aip, why, n) == 0)) {
			if (image_build(in, img, why, n) == 0) {
				if (!o->prefault)
					return 0;
				/* a training run that fails (a server, a fallback): said,
				 * and the image made without it */
				struct img_prefault **pf = calloc(IMG_LAYOUTS_MAX, sizeof *pf);
				uint32_t *npf = calloc(IMG_LAYOUTS_MAX, sizeof *npf);
				if (pf && npf && train_all(p, o, in, pf, npf, img, why, n) == 0) {
					trained_pf = pf, trained_npf = npf;
					return 0;
				}
				warn("%s: no prefault: %s", p->name, why);
				for (int k = 0; pf && k < IMG_LAYOUTS_MAX; k++)
					free(pf[k]);
				free(pf);
				free(npf);
				/* img is still the image without the table */
				in->prefault = NULL;
				in->nprefault = NULL;
				return 0;
			}
			if (o->after_init) {
				for (int i = 0; i < ncap; i++) {
					after_init_free(&ai[i]);
					cp[i] = &caps[i];
				}
				in->ai = NULL;
			}
		}
		for (int i = 0; i < ncap; i++)
			capture_free(&caps[i]);
		/* after init, a refusal is the constructors': as exec'd they run the same */
		if (!via_ldso || o->after_init)
			return -1;
		if (debug_on())
			fprintf(stderr, "%s: through %s: %s; captured as exec'd\n", err_prog, interp, why);
	}
}

size_t snap_to(const struct program *p, const char *out, const struct snap_opts *o, char **placed)
{
	char *dflt = NULL;
	int nlay = o->layouts > 0 ? o->layouts : 1;
	struct capture caps[IMG_LAYOUTS_MAX];
	const struct capture *cp[IMG_LAYOUTS_MAX];
	const struct after_init *aip[IMG_LAYOUTS_MAX];
	struct after_init *ai = o->after_init ? calloc((size_t)nlay, sizeof *ai) : NULL;
	if (o->after_init && !ai)
		die(EXIT_FAIL, "out of memory");
	for (int i = 0; i < nlay; i++)
		cp[i] = &caps[i];
	char why[512], side[PATH_MAX];
	struct image_in in = { .caps = cp, .ncaps = nlay, .orig = p->name, .env = capture_env(),
			       .hops = p->hops, .nhops = p->nhops,
			       .loader = _binary_loader_elf_start,
			       .loader_size = (size_t)(_binary_loader_elf_end - _binary_loader_elf_start) };
	struct image_out img = { 0 }, pages = { 0 };
	struct staged si, sp = { .fd = -1 };
	struct target t;
	mode_t mode = program_image_mode(p);
	/* once files are named, the install finishes before SIGINT, SIGTERM
	 * or SIGHUP act: no sidecar without its image */
	sigset_t quiet, old;
	sigemptyset(&quiet);
	sigaddset(&quiet, SIGINT);
	sigaddset(&quiet, SIGTERM);
	sigaddset(&quiet, SIGHUP);
	if (!out)
		imgdir_vet(p, o->system);
	phase("start");
	int e = 0;
	if (o->system) {
		/* the sidecar's name and identity go into the tables: it is named
		 * first, under the lock, then the image is laid out */
		if (capture_all(p, o, &in, caps, cp, ai, aip, &img, why, sizeof why))
			die(EXIT_FAIL, "%s: %s", p->name, why);
		if (!out)
			out = dflt = imgdir_place(p, o->system);
		vet_target(p, &caps[0], out);
		image_out_free(&img);
		if (image_pages(cp, nlay, &pages))
			die(EXIT_FAIL, "out of memory");
		if ((e = target_open(out, &t)))
			die_errno(EXIT_FAIL, e, "%s", out);
		sigprocmask(SIG_BLOCK, &quiet, &old);
		if ((e = stage_write(&t, &pages, mode & 0444, p->st.st_gid, &sp)) ||
		    (e = stage_name(&sp, &t, IMG_PAGES_SUFFIX, side, sizeof side))) {
			stage_drop(&sp);
			die_errno(EXIT_FAIL, e, "%s", out);
		}
		in.pages_path = side;
		in.pages_st = sp.st;
		if (image_build(&in, &img, why, sizeof why)) {
			stage_drop(&sp);
			die(EXIT_FAIL, "%s: %s", p->name, why);
		}
	} else {
		if (capture_all(p, o, &in, caps, cp, ai, aip, &img, why, sizeof why))
			die(EXIT_FAIL, "%s: %s", p->name, why);
		if (!out)
			out = dflt = imgdir_place(p, o->system);
		vet_target(p, &caps[0], out);
		if ((e = target_open(out, &t)))
			die_errno(EXIT_FAIL, e, "%s", out);
		sigprocmask(SIG_BLOCK, &quiet, &old);
	}
	phase("lay out");
	if ((e = stage_write(&t, &img, mode, p->st.st_gid, &si)) || (e = stage_replace(&si, &t))) {
		stage_drop(&si);
		stage_drop(&sp);
		die_errno(EXIT_FAIL, e, "%s", out);
	}
	/* in place: the sidecar it names stays; what older snaps left goes */
	sp.tmp[0] = 0;
	stage_drop(&sp);
	stage_drop(&si);
	target_clean(&t, IMG_PAGES_SUFFIX, o->system ? side : NULL);
	target_close(&t);
	if (dflt)
		imgdir_link(p, o->system);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (placed)
		*placed = dflt;
	else
		free(dflt);
	phase("rename");
	size_t size = img.size + pages.size;
	image_out_free(&img);
	image_out_free(&pages);
	for (int k = 0; trained_pf && k < IMG_LAYOUTS_MAX; k++)
		free(trained_pf[k]);
	free(trained_pf);
	free(trained_npf);
	trained_pf = NULL;
	trained_npf = NULL;
	for (int i = 0; ai && i < nlay; i++)
		after_init_free(&ai[i]);
	free(ai);
	for (int i = 0; i < nlay; i++)
		capture_free(&caps[i]);
	free((void *)in.env);
	return size;
}
