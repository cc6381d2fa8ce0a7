/* fuzz_image: libFuzzer target for the image reader that inspect, ls,
 * check, verify and cost use (src/image/read.c, and through it the
 * loader's own checks, src/image/verify.c).  The input is an image file.
 * With the first byte odd, the harness seals it first (the locator's and
 * every layout's checksum made valid, the size made the input's), so
 * that the fuzzer reaches what
 * lies past the checksums: hostile tables that an attacker sealed, which
 * the tools must survive since they exist to vet images. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/image/read.h"
#include "../../src/image/verify.h"

static void seal(uint8_t *b, size_t n)
{
	int64_t at = img_locator_offset(b, n);
	if (at < 0 || (uint64_t)at + sizeof(struct img_locator) > n)
		return;
	struct img_locator *l = (struct img_locator *)(b + at);
	for (uint32_t k = 0; k < l->nlayouts && k < IMG_LAYOUTS_MAX; k++) {
		uint64_t off = l->layout[k].hdr_off, ts = l->layout[k].tables_size;
		if (off > n || ts > n - off || ts < sizeof(struct img_header))
			continue;
		struct img_header *h = (struct img_header *)(b + off);
		h->size = n;	/* a seed is cut to the fuzzer's length */
		h->checksum = 0;
		h->checksum = img_sum(IMG_FNV_INIT, h, ts);
	}
	if (l->orig_len < IMG_PATH_MAX)
		l->sum = img_locator_sum(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t *b = malloc(size);
	memcpy(b, data + 1, size - 1);
	if (data[0] & 1)
		seal(b, size - 1);
	int fd = memfd_create("image", 0);
	if (fd < 0 || write(fd, b, size - 1) != (ssize_t)(size - 1))
		abort();
	free(b);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct image im;
	char why[256];
	if (image_open(path, &im, why, sizeof why) == 0) {
		/* everything a tool prints: every string, every table entry */
		const struct img_header *h = im.h;
		size_t n = strlen(im.loc.orig) + strlen(im.str + h->kernel) + strlen(im.str + h->orig);
		for (uint32_t i = 0; i < h->ndeps; i++)
			n += strlen(im.str + im.deps[i].path) + im.deps[i].kind;
		for (uint32_t i = 0; i < h->nmaps; i++)
			if (im.maps[i].kind == IMK_FILE)
				n += strlen(im.str + im.deps[im.maps[i].file].path);
		for (uint32_t i = 0; i < h->nenv; i++)
			n += strlen(im.str + im.env[i].str);
		for (uint32_t i = 0; i < h->nfixups; i++)
			if (im.fixups[i].kind == IFX_ENV_STRING)
				n += strlen(im.str + im.fixups[i].index);
		if (h->pages_file && h->pages_file > h->nmapped)
			__builtin_trap();
		image_close(&im);
		(void)n;
	} else if (!why[0]) {
		__builtin_trap();	/* a refusal always says why */
	}
	close(fd);
	return 0;
}
