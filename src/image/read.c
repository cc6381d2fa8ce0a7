/* read.c: an image read the way the loader reads it, for the tools. */
#include "read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../proc/plainfile.h"
#include "verify.h"

/* the loader's one PT_LOAD at offset 0, as snap stretched it over the
 * tables; 0 if there is none */
static uint64_t segment_size(const unsigned char *f, size_t size)
{
	uint64_t phoff, memsz = 0;
	uint16_t phnum;
	if (size < 64)
		return 0;
	memcpy(&phoff, f + 32, 8);
	memcpy(&phnum, f + 56, 2);
	for (uint64_t i = 0; i < phnum && i < 16 && phoff <= size && (size - phoff) / 56 > i; i++) {
		const unsigned char *ph = f + phoff + 56 * i;
		uint32_t type;
		uint64_t off;
		memcpy(&type, ph, 4);
		memcpy(&off, ph + 8, 8);
		if (type == 1 && off == 0)
			memcpy(&memsz, ph + 40, 8);
	}
	return memsz;
}

/* the header, tables and strings of one layout, checked as the loader
 * checks them; malloc'd, or NULL with the reason */
static unsigned char *read_layout(int fd, const struct image *im, uint64_t memsz, unsigned k, char *why, size_t n)
{
	uint64_t off = im->loc.layout[k].hdr_off, ts = im->loc.layout[k].tables_size;
	const char *r;
	if (off > memsz || ts > memsz - off) {
		because(why, n, "damaged image (layout table)");
		return NULL;
	}
	if (off > im->file_size || ts > im->file_size - off) {
		because(why, n, "truncated image (%zu bytes, tables end at %llu)", im->file_size,
			(unsigned long long)(off + ts));
		return NULL;
	}
	unsigned char *t = malloc(ts);
	if (!t || pread(fd, t, ts, (off_t)off) != (ssize_t)ts) {
		free(t);
		because(why, n, "cannot read the tables");
		return NULL;
	}
	const struct img_header *h = (const struct img_header *)t;
	if ((r = img_check_tables(h, ts, off, im->file_size, im->loc.orig)) || (r = img_check_maps(h))) {
		if (!strcmp(r, "truncated or extended image"))
			because(why, n, "truncated image (%zu of %llu bytes)", im->file_size, (unsigned long long)h->size);
		else
			because(why, n, "%s", r);
		free(t);
		return NULL;
	}
	return t;
}

int image_open(const char *path, struct image *im, char *why, size_t n)
{
	memset(im, 0, sizeof *im);
	im->path = path;
	int fd = plainfile_open_follow(path);
	if (fd < 0)
		return because(why, n, "%s", fd == -EINVAL ? "not a regular file" : strerror(-fd));
	struct stat st;
	if (fstat(fd, &st)) {
		close(fd);
		return because(why, n, "%s", strerror(errno));
	}
	im->file_size = (size_t)st.st_size;
	/* the loader and its locator: the first 64 kB (the loader is ~30) */
	size_t want = im->file_size < 65536 ? im->file_size : 65536;
	unsigned char *head = malloc(want ? want : 1);
	ssize_t got = head ? pread(fd, head, want, 0) : -1;
	uint64_t memsz = got > 0 ? segment_size(head, (size_t)got) : 0;
	int64_t at = got > 0 ? img_locator_offset(head, (uint64_t)got) : -1;
	if (at < 0 || (uint64_t)at + sizeof im->loc > (uint64_t)got) {
		/* an image (its mark) cut short before its locator ends */
		int marked = got >= 16 && !memcmp(head + IMG_ELF_MARK_AT, IMG_ELF_MARK, 7);
		free(head);
		close(fd);
		if (marked && memsz > im->file_size)
			return because(why, n, "truncated image (%zu bytes, its loader maps %llu)", im->file_size,
				       (unsigned long long)memsz);
		return because(why, n, "not a resident image (no locator)");
	}
	memcpy(&im->loc, head + at, sizeof im->loc);
	im->loc_off = (size_t)at;
	free(head);
	const char *r = img_check_locator(&im->loc);
	if (r) {
		close(fd);
		return because(why, n, "%s", r);
	}
	im->nlayouts = im->loc.nlayouts;
	im->loader_size = im->loc.layout[0].hdr_off;
	if (memsz > ((uint64_t)im->file_size + 4095) / 4096 * 4096) {
		close(fd);
		return because(why, n, "truncated image (%zu bytes, its loader maps %llu)", im->file_size,
			       (unsigned long long)memsz);
	}
	/* layout 0 is the one shown; every other must be sound too, since any
	 * exec may pick it */
	for (unsigned k = 0; k < im->nlayouts; k++) {
		char inner[256];
		unsigned char *t = read_layout(fd, im, memsz, k, inner, sizeof inner);
		if (!t) {
			close(fd);
			image_close(im);
			if (im->nlayouts > 1)
				return because(why, n, "layout %u of %u: %s", k + 1, im->nlayouts, inner);
			return because(why, n, "%s", inner);
		}
		const struct img_header *h = (const struct img_header *)t;
		im->pages[k] = (struct img_pages){ h->pages_off, h->pages_size, h->pages_sum };
		im->tables_off[k] = im->loc.layout[k].hdr_off;
		im->tables_size[k] = im->loc.layout[k].tables_size;
		if (k)
			free(t);
		else
			im->tables = t;
	}
	close(fd);
	const struct img_header *h = (const struct img_header *)im->tables;
	im->h = h;
	im->deps = (const struct img_dep *)(im->tables + h->deps_off);
	im->maps = (const struct img_map *)(im->tables + h->maps_off);
	im->fixups = (const struct img_fixup *)(im->tables + h->fixups_off);
	im->env = (const struct img_env *)(im->tables + h->env_off);
	im->str = (const char *)im->tables + h->str_off;
	return 0;
}

int image_is(const char *path)
{
	int fd = plainfile_open_follow(path);
	if (fd < 0)
		return 0;
	int is = image_is_fd(fd);
	close(fd);
	return is;
}

int image_is_fd(int fd)
{
	unsigned char id[16];
	ssize_t n = pread(fd, id, sizeof id, 0);
	return n == (ssize_t)sizeof id && !memcmp(id, "\177ELF", 4) && !memcmp(id + IMG_ELF_MARK_AT, IMG_ELF_MARK, 7);
}

void image_close(struct image *im)
{
	free(im->tables);
	im->tables = NULL;
	im->h = NULL;
}

const char *image_dep_state(const struct image *im, unsigned i)
{
	return img_check_dep(im->h, i, NULL);
}

/* the kernel's AT_HWCAP, AT_HWCAP2 and AT_SECURE for this process, as the
 * loader sees them (glibc's getauxval(AT_HWCAP) on x86_64 answers with
 * its own platform bits instead) */
static void own_auxv(uint64_t *hwcap, uint64_t *hwcap2, int *secure)
{
	uint64_t av[2 * 64];
	int fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, av, sizeof av);
	if (fd >= 0)
		close(fd);
	*hwcap = *hwcap2 = 0;
	*secure = 0;
	for (ssize_t i = 0; i + 1 < n / 8 && av[i]; i += 2)
		switch (av[i]) {
		case AT_HWCAP: *hwcap = av[i + 1]; break;
		case AT_HWCAP2: *hwcap2 = av[i + 1]; break;
		case AT_SECURE: *secure = av[i + 1] != 0; break;
		}
}

struct image_verdict image_judge(const struct image *im, char *const *envp)
{
	struct image_verdict v = { IMAGE_CURRENT, NULL, NULL };
	uint32_t which = 0;
	if ((v.why = img_check_deps(im->h, NULL, &which)))
		v.what = im->str + im->deps[which].path;
	else if (!(v.why = img_check_env(im->h, envp, NULL))) {
		uint64_t hwcap, hwcap2;
		int secure;
		own_auxv(&hwcap, &hwcap2, &secure);
		v.why = img_check_host(im->h, hwcap, hwcap2, secure);
	}
	if (!v.why)
		return v;
	/* it falls back: to a program that runs, or not */
	v.state = IMAGE_STALE;
	if (access(im->loc.orig, X_OK)) {
		v.state = IMAGE_BROKEN;
		v.what = im->loc.orig;
		v.why = errno == ENOENT || errno == ENOTDIR ? "the program is gone" : "the program cannot be run";
	}
	return v;
}
