/* verify_main.c: `resident verify IMAGE...`: the saved pages read back and
 * checked against the checksum snap recorded.  The loader checks the
 * header, tables and locator on every exec but never reads the saved
 * pages (that would cost a read of every page on every start); this is
 * the check on demand, for an image copied, restored from a backup or
 * suspected. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../proc/plainfile.h"

static const char usage_text[] =
	"usage: resident verify IMAGE...\n"
	"\n"
	"Read each image's saved pages (from the image, or a system image's\n"
	"sidecar) and check them against the checksum snap recorded; the header,\n"
	"tables and locator are checked as the loader checks them.\n"
	"exit: 0 all intact, 1 some saved pages differ, 2 usage, 4 not an image,\n"
	"      damaged tables, or unreadable\n";

/* img_sum of [off, off + size) of fd; 0, or -errno */
static int sum_range(int fd, uint64_t off, uint64_t size, uint64_t *sum)
{
	enum { CHUNK = 1 << 20 };
	unsigned char *buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	uint64_t h = IMG_FNV_INIT;
	for (uint64_t at = 0; at < size;) {
		size_t want = size - at < CHUNK ? (size_t)(size - at) : CHUNK;
		for (size_t got = 0; got < want;) {
			ssize_t r = pread(fd, buf + got, want - got, (off_t)(off + at + got));
			if (r <= 0) {
				free(buf);
				return r < 0 ? -errno : -EIO;
			}
			got += (size_t)r;
		}
		h = img_sum(h, buf, want);	/* whole chunks of whole words: the sum of the whole */
		at += want;
	}
	free(buf);
	*sum = h;
	return 0;
}

/* 0 intact, 1 differs, -1 cannot tell (reason in why) */
static int verify(const char *path, char *why, size_t n)
{
	struct image im;
	if (image_open(path, &im, why, n))
		return -1;
	const struct img_header *h = im.h;
	const char *file = h->pages_file ? im.str + im.deps[h->pages_file - 1].path : path;
	int fd = plainfile_open_follow(file), rc = 0;
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		because(why, n, "%s: %s", file, fd == -EINVAL ? "not a regular file" : strerror(fd < 0 ? -fd : errno));
		rc = -1;
	}
	for (unsigned k = 0; k < im.nlayouts && rc == 0; k++) {
		const struct img_pages *p = &im.pages[k];
		uint64_t sum = 0;
		int e;
		if (p->off > (uint64_t)st.st_size || p->size > (uint64_t)st.st_size - p->off) {
			because(why, n, "%s: layout %u's saved pages lie past its end", file, k + 1);
			rc = 1;
		} else if ((e = sum_range(fd, p->off, p->size, &sum))) {
			because(why, n, "%s: %s", file, strerror(-e));
			rc = -1;
		} else if (sum != p->sum) {
			if (im.nlayouts > 1)
				because(why, n, "layout %u of %u: saved pages differ from what snap wrote", k + 1,
					im.nlayouts);
			else
				because(why, n, "saved pages differ from what snap wrote");
			rc = 1;
		}
	}
	/* a sidecar that is not the one the image records makes every exec
	 * fall back, whatever its bytes */
	const char *dep = h->pages_file && rc == 0 ? image_dep_state(&im, h->pages_file - 1) : NULL;
	if (dep) {
		because(why, n, "%s: %s (every exec runs the program normally)", file, dep);
		rc = 1;
	}
	if (rc == 0) {
		uint64_t total = 0;
		for (unsigned k = 0; k < im.nlayouts; k++)
			total += im.pages[k].size;
		printf("%s: saved pages intact (%llu kB%s%s)\n", path, (unsigned long long)(total >> 10),
		       h->pages_file ? " in " : "", h->pages_file ? file : "");
	}
	if (fd >= 0)
		close(fd);
	image_close(&im);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option lo[] = { { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	int c, worst = EXIT_OK;
	usage_init("verify");
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'h')
			return usage_help(usage_text);
		usage_bad_option(c, argv);
	}
	if (optind == argc)
		usage_fail("missing IMAGE");
	for (int i = optind; i < argc; i++) {
		char why[512];
		int r = verify(argv[i], why, sizeof why);
		if (r < 0) {
			fprintf(stderr, "%s: %s: %s\n", err_prog, argv[i], why);
			worst = EXIT_FAIL;
		} else if (r > 0) {
			fprintf(stderr, "%s: %s: %s\n", err_prog, argv[i], why);
			if (worst == EXIT_OK)
				worst = EXIT_PARTIAL;
		}
	}
	return worst;
}
