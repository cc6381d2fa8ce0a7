#include "read.h"

#include "cpu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../lib/err.h"


/* the header, tables and strings of one layout at off, checked as the
 * loader checks them; malloc'd, or NULL with a one-line reason */
static unsigned char *read_layout(int fd, size_t file_size, uint64_t off, char *why, size_t n)
{
	struct img_header h;
	if (off == 0 || off % 4096 || off + sizeof h > file_size || pread(fd, &h, sizeof h, (off_t)off) != sizeof h) {
		because(why, n, "truncated image (%zu bytes, header at %llu)", file_size, (unsigned long long)off);
		return NULL;
	}
	if (memcmp(h.magic, IMG_MAGIC, 8)) {
		because(why, n, "not a resident image (bad magic)");
		return NULL;
	}
	if (h.version != IMG_VERSION) {
		because(why, n, "image version %u, this resident reads %u", h.version, IMG_VERSION);
		return NULL;
	}
	if (h.size != file_size) {
		because(why, n, "truncated image (%zu of %llu bytes)", file_size, (unsigned long long)h.size);
		return NULL;
	}
	uint64_t ts = h.tables_size;
	if (ts < sizeof h || off + ts > h.data_off || h.data_off > h.size ||
	    h.files_off + (uint64_t)h.nfiles * sizeof(struct img_file) > ts ||
	    h.maps_off + (uint64_t)h.nmaps * sizeof(struct img_map) > ts ||
	    h.fixups_off + (uint64_t)h.nfixups * sizeof(struct img_fixup) > ts ||
	    h.env_off + (uint64_t)h.nenv * sizeof(struct img_env) > ts || h.str_off + h.str_size > ts ||
	    h.str_size == 0) {
		because(why, n, "damaged image (tables out of bounds)");
		return NULL;
	}
	unsigned char *t = malloc(ts);
	if (!t || pread(fd, t, ts, (off_t)off) != (ssize_t)ts) {
		free(t);
		because(why, n, "cannot read the tables");
		return NULL;
	}
	struct img_header *hh = (struct img_header *)t;
	uint64_t sum = hh->checksum;
	hh->checksum = 0;
	uint64_t want = img_sum(IMG_FNV_INIT, t, ts);
	hh->checksum = sum;
	const char *why1 = NULL;
	const struct img_file *files = (const struct img_file *)(t + hh->files_off);
	const struct img_env *env = (const struct img_env *)(t + hh->env_off);
	const char *str = (const char *)t + hh->str_off;
	if (sum != want)
		why1 = "damaged image (checksum)";
	else if (str[hh->str_size - 1] || hh->orig >= hh->str_size || hh->kernel >= hh->str_size)
		why1 = "damaged image (strings)";
	else if (hh->pages_file > hh->nfiles || hh->exe_file > hh->nfiles)
		why1 = "damaged image (sidecar index)";
	for (uint32_t i = 0; !why1 && i < hh->nfiles; i++)
		if (files[i].path >= hh->str_size)
			why1 = "damaged image (file path)";
	for (uint32_t i = 0; !why1 && i < hh->nenv; i++)
		if (env[i].str >= hh->str_size)
			why1 = "damaged image (environment)";
	if (why1) {
		free(t);
		because(why, n, "%s", why1);
		return NULL;
	}
	return t;
}

int image_open(const char *path, struct image *im, char *why, size_t n)
{
	memset(im, 0, sizeof *im);
	im->path = path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return because(why, n, "%s", strerror(errno));
	struct stat st;
	fstat(fd, &st);
	im->file_size = (size_t)st.st_size;
	/* the locator lies in the loader's first pages */
	size_t scan = im->file_size < 65536 ? im->file_size : 65536;
	unsigned char *head = malloc(scan ? scan : 1);
	ssize_t r = head ? pread(fd, head, scan, 0) : -1;
	unsigned char *loc = r > 0 ? memmem(head, (size_t)r, IMG_LOCATOR_MAGIC, sizeof IMG_LOCATOR_MAGIC) : NULL;
	if (!loc || (size_t)(loc - head) + sizeof im->loc > (size_t)r) {
		free(head);
		close(fd);
		return because(why, n, "not a resident image (no locator)");
	}
	memcpy(&im->loc, loc, sizeof im->loc);
	free(head);
	im->nlayouts = im->loc.nlayouts > 1 ? im->loc.nlayouts : 1;
	im->loader_size = im->loc.hdr_off;
	if (im->nlayouts > IMG_LAYOUTS_MAX || (im->nlayouts > 1 && im->loc.layout[0].hdr_off != im->loc.hdr_off)) {
		close(fd);
		return because(why, n, "damaged image (locator: %u layouts)", im->loc.nlayouts);
	}
	/* layout 0 is the one shown; every other must be sound too, since
	 * any exec may pick it */
	for (unsigned k = 0; k < im->nlayouts; k++) {
		uint64_t off = im->nlayouts > 1 ? im->loc.layout[k].hdr_off : im->loc.hdr_off;
		unsigned char *t = read_layout(fd, im->file_size, off, why, n);
		if (!t) {
			close(fd);
			image_close(im);
			if (im->nlayouts > 1) {
				char inner[256];
				snprintf(inner, sizeof inner, "%s", why);
				return because(why, n, "layout %u of %u: %s", k + 1, im->nlayouts, inner);
			}
			return -1;
		}
		if (k)
			free(t);
		else
			im->tables = t;
	}
	close(fd);
	const struct img_header *hh = (const struct img_header *)im->tables;
	im->h = hh;
	im->files = (const struct img_file *)(im->tables + hh->files_off);
	im->maps = (const struct img_map *)(im->tables + hh->maps_off);
	im->fixups = (const struct img_fixup *)(im->tables + hh->fixups_off);
	im->env = (const struct img_env *)(im->tables + hh->env_off);
	im->str = (const char *)im->tables + hh->str_off;
	return 0;
}

int image_is(const char *path)
{
	unsigned char id[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = pread(fd, id, sizeof id, 0);
	close(fd);
	return n == (ssize_t)sizeof id && !memcmp(id, "\177ELF", 4) && !memcmp(id + IMG_ELF_MARK_AT, IMG_ELF_MARK, 7);
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

const char *image_file_stale(const struct image *im, unsigned i)
{
	const struct img_file *f = &im->files[i];
	struct stat st;
	if (stat(im->str + f->path, &st))
		return "gone";
	if (st.st_dev != f->dev || st.st_ino != f->ino)
		return "replaced";
	if ((uint64_t)st.st_size != f->size || st.st_mtim.tv_sec != f->mtime_sec ||
	    st.st_mtim.tv_nsec != f->mtime_nsec)
		return "changed";
	return NULL;
}

const char *image_stale(const struct image *im)
{
	for (unsigned i = 0; i < im->h->nfiles; i++)
		if (image_file_stale(im, i))
			return "a file it depends on changed";
	struct utsname u;
	uname(&u);
	if (strcmp(u.release, im->str + im->h->kernel))
		return "captured on another kernel";
	if (cpu_signature() != im->h->cpu_sig)
		return "captured on another CPU";
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	if (rl.rlim_cur != im->h->rlimit_stack)
		return "another RLIMIT_STACK";
	return NULL;
}
