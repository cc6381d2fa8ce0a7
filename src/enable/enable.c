/* enable.c: a program's image at the program's own path (enable.h). */
#include "enable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../image/read.h"
#include "../image/verify.h"
#include "../lib/err.h"
#include "../snap/install.h"
#include "../snap/program.h"
#include "../snap/snap.h"
#include "dpkg.h"

extern char **environ;

int snap_child(const char *prog, const char *out, int layouts, int system, int after_init, char *why, size_t n)
{
	int pe[2];
	if (pipe2(pe, O_CLOEXEC))
		return because(why, n, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		return because(why, n, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pe[1], 2);
		/* captured as most execs run: no variable that steers ld.so */
		for (char **e = environ; *e;)
			if (img_steering(*e)) {
				char name[256];
				snprintf(name, sizeof name, "%.*s", (int)strcspn(*e, "="), *e);
				unsetenv(name);
			} else {
				e++;
			}
		struct image im;
		char w[256];
		/* again (refresh): as the image was made, its layouts and mode */
		if (!layouts || after_init < 0) {
			int was_after = 0, was_layouts = 1;
			if (image_open(out, &im, w, sizeof w) == 0) {
				was_layouts = (int)im.nlayouts;
				was_after = (im.h->flags & IMG_F_AFTER_INIT) != 0;
				image_close(&im);
			}
			if (!layouts)
				layouts = was_layouts;
			if (after_init < 0)
				after_init = was_after;
		}
		struct snap_opts so = { .system = system, .layouts = layouts > 0 ? layouts : 1,
					.after_init = after_init, .run_name = out };
		struct program p;
		program_locate(prog, &p);
		program_vet(&p);
		snap_to(&p, out, &so, NULL);
		_exit(0);
	}
	close(pe[1]);
	char buf[1024];
	size_t k = 0;
	ssize_t r;
	while ((r = read(pe[0], buf + k, sizeof buf - 1 - k)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && (k += (size_t)r) == sizeof buf - 1)
			break;
	buf[k] = 0;
	close(pe[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	buf[strcspn(buf, "\n")] = 0;
	const char *m = !strncmp(buf, "resident: ", 10) ? buf + 10 : buf;
	return because(why, n, "%s", *m ? m : "the capture failed");
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}


int enable_program(struct registry *r, const char *prog, int layouts, int after_init, char *why, size_t n)
{
	struct program p;
	program_locate(prog, &p);
	struct enabled e = { 0 };
	/* an image (enabled already?) reached through links: where it is */
	char *img = p.image ? realpath(p.image, NULL) : NULL;
	snprintf(e.path, sizeof e.path, "%s", img ? img : p.image ? p.image : p.real);
	free(img);
	if (registry_find(r, e.path) || registry_find(r, p.real)) {
		program_free(&p);
		return 1;
	}
	if (p.image) {
		program_free(&p);
		because(why, n, "%s: an image, not enabled by resident: enable its program", e.path);
		return -2;
	}
	program_vet(&p);
	program_free(&p);
	if ((size_t)snprintf(e.orig, sizeof e.orig, "%s%s", e.path, ENABLE_SUFFIX) >= sizeof e.orig)
		return because(why, n, "%s: name too long", e.path);
	struct stat st;
	if (lstat(e.orig, &st) == 0) {
		because(why, n, "%s: %s is there already", e.path, e.orig);
		return -2;
	}
	char dname[PATH_MAX], to[PATH_MAX + 32], by[256];
	if (dpkg_diversion_target(e.path, by, sizeof by)) {
		because(why, n, "%s: the name %s diverted a file to: not enabled (enable the file's own name)", e.path, by);
		return -2;
	}
	if (dpkg_owned(e.path, dname, sizeof dname)) {
		if (dpkg_diverted(dname, to, sizeof to, by, sizeof by)) {
			because(why, n, "%s: diverted already (to %s%s%s): not enabled", e.path, to, by[0] ? " by " : "", by);
			return -2;
		}
		snprintf(e.dpkg, sizeof e.dpkg, "%s", dname);
	}
	/* the entry first: a run killed from here on leaves what disable or
	 * refresh finishes */
	if (registry_add(r, &e) || registry_save(r, why, n))
		return -1;
	struct enabled *at = &r->v[r->n - 1];
	char w[512];
	if (link(e.path, e.orig)) {
		because(why, n, "%s: %s", e.orig, strerror(errno));
		goto undo;
	}
	snprintf(to, sizeof to, "%s%s", e.dpkg, ENABLE_SUFFIX);
	if (e.dpkg[0] && dpkg_divert_add(e.dpkg, to, why, n))
		goto undo;
	/* twice: the first rename over the path drops the original's link
	 * count, which changes its ctime, which the first image depends on
	 * (stale at once, correct: it falls back); the second sees it final */
	if (snap_child(e.orig, e.path, layouts, 0, after_init, w, sizeof w) ||
	    snap_child(e.orig, e.path, layouts, 0, after_init, w, sizeof w)) {
		because(why, n, "%s", w);
		goto undo;
	}
	target_remove_lock(e.path);	/* nothing of ours beside a system program but its original */
	return 0;
undo:
	if (disable_entry(r, at, w, sizeof w))
		warn("%s: not undone: %s (resident disable %s finishes it)", e.path, w, e.path);
	return -1;
}

int disable_entry(struct registry *r, struct enabled *e, char *why, size_t n)
{
	struct stat sp, so;
	int has_path = lstat(e->path, &sp) == 0, has_orig = lstat(e->orig, &so) == 0;
	int image = has_path && S_ISREG(sp.st_mode) && image_is(e->path);
	if (has_orig) {
		/* the original back at its path, in one rename: the image gone
		 * at the same instant; or only the second name, half-enabled */
		if (has_path && same_file(&sp, &so)) {
			if (unlink(e->orig))
				return because(why, n, "%s: %s", e->orig, strerror(errno));
		} else if (!has_path || image) {
			if (rename(e->orig, e->path))
				return because(why, n, "%s: %s", e->path, strerror(errno));
		} else if (e->dpkg[0]) {
			/* its package wrote over the image (an upgrade while the
			 * diversion was missing): dpkg's file stays, our copy of
			 * the old original goes */
			if (unlink(e->orig))
				return because(why, n, "%s: %s", e->orig, strerror(errno));
		} else {
			return because(why, n, "%s is no longer its image: left as it is, and %s too", e->path, e->orig);
		}
	} else if (image && unlink(e->path)) {
		return because(why, n, "%s: %s", e->path, strerror(errno));
	}
	if (e->dpkg[0] && dpkg_divert_remove(e->dpkg, why, n))
		return -1;
	target_remove_lock(e->path);
	registry_remove(r, e);
	return registry_save(r, why, n);
}

enum refreshed refresh_entry(struct registry *r, struct enabled *e, char *why, size_t n)
{
	struct stat sp, so;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", e->path);
	if (lstat(e->orig, &so) && errno == ENOENT) {
		/* its package removed it (dpkg removes the diverted name) */
		if (disable_entry(r, e, why, n))
			return REFRESH_FAILED;
		because(why, n, "its program is gone: image and diversion removed");
		return REFRESH_REMOVED;
	}
	/* a run killed between its link and its diversion: dpkg would write
	 * over the image at the next upgrade */
	char to[PATH_MAX + 32], by[256], want[PATH_MAX + 32];
	snprintf(want, sizeof want, "%s%s", e->dpkg, ENABLE_SUFFIX);
	if (e->dpkg[0] && (!dpkg_diverted(e->dpkg, to, sizeof to, by, sizeof by) || strcmp(to, want)) &&
	    dpkg_divert_add(e->dpkg, want, why, n))
		return REFRESH_FAILED;
	int half = lstat(path, &sp) == 0 && same_file(&sp, &so);
	/* the image's owner or set-ID bits changed (dpkg-statoverride, a
	 * postinst's chmod or chown): meant for the program, which takes them,
	 * and an image cannot be set-ID: the program is disabled */
	if (!half && lstat(path, &sp) == 0 && S_ISREG(sp.st_mode) &&
	    (sp.st_uid != so.st_uid || (sp.st_mode & (S_ISUID | S_ISGID)))) {
		if (lchown(e->orig, sp.st_uid, sp.st_gid) || chmod(e->orig, sp.st_mode & 07777))
			return because(why, n, "%s: %s", e->orig, strerror(errno)), REFRESH_FAILED;
		if (disable_entry(r, e, why, n))
			return REFRESH_FAILED;
		because(why, n, "its owner or mode was changed (dpkg-statoverride?): the program takes them, disabled");
		return REFRESH_REMOVED;
	}
	if (lstat(path, &sp) == 0 && !half) {
		struct image im;
		char w[256];
		if (image_open(path, &im, w, sizeof w)) {
			if (e->dpkg[0] && !image_is(path)) {
				/* its package wrote a new version there */
				if (disable_entry(r, e, why, n))
					return REFRESH_FAILED;
				because(why, n, "its package wrote over the image: disabled, the package's file kept");
				return REFRESH_REMOVED;
			}
			because(why, n, "%s is no longer its image (%s): left as it is", path, w);
			return REFRESH_FAILED;
		}
		char *none[] = { NULL };
		int mine = !strcmp(im.loc.orig, e->orig);
		int current = mine && image_judge(&im, none).state == IMAGE_CURRENT;
		image_close(&im);
		if (!mine) {
			because(why, n, "%s is an image of another program: left as it is", path);
			return REFRESH_FAILED;
		}
		if (current) {
			target_remove_lock(path);	/* a killed run's */
			return REFRESH_CURRENT;
		}
	}
	/* half enabled (a run killed after its link): twice, as enable does */
	if (snap_child(e->orig, path, 0, 0, -1, why, n) || (half && snap_child(e->orig, path, 0, 0, -1, why, n)))
		return REFRESH_FAILED;
	target_remove_lock(path);
	return REFRESH_SNAPPED;
}
