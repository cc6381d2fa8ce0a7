/* reseal: set one field of an image's header and seal it again with a
 * valid checksum, the way an attacker (or a bug in snap) would hand the
 * tools hostile tables that pass the checksum.
 *   reseal IMAGE TABLES_OFFSET FIELD VALUE
 * FIELD: deps_off maps_off fixups_off env_off str_off str_size ndeps nmaps
 * nfixups nenv nmapped vvar_start vvar_end vdso_start vdso_end; VALUE in any
 * base strtoull takes. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/image/format.h"

static const struct {
	const char *name;
	size_t off, size;
} fields[] = {
#define F(f) { #f, offsetof(struct img_header, f), sizeof(((struct img_header *)0)->f) }
	F(deps_off), F(maps_off), F(fixups_off), F(env_off), F(str_off), F(str_size),
	F(ndeps), F(nmaps), F(nfixups), F(nenv), F(nmapped), F(vvar_start), F(vvar_end), F(vdso_start), F(vdso_end),
};

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: reseal IMAGE TABLES_OFFSET FIELD VALUE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDWR);
	off_t at = (off_t)strtoull(argv[2], NULL, 0);
	struct img_header h;
	if (fd < 0 || pread(fd, &h, sizeof h, at) != sizeof h) {
		perror(argv[1]);
		return 1;
	}
	unsigned char *t = malloc(h.tables_size);
	if (!t || pread(fd, t, h.tables_size, at) != (ssize_t)h.tables_size) {
		perror(argv[1]);
		return 1;
	}
	size_t i;
	for (i = 0; i < sizeof fields / sizeof fields[0] && strcmp(fields[i].name, argv[3]); i++)
		;
	if (i == sizeof fields / sizeof fields[0]) {
		fprintf(stderr, "reseal: %s: no such field\n", argv[3]);
		return 2;
	}
	unsigned long long v = strtoull(argv[4], NULL, 0);
	memcpy(t + fields[i].off, &v, fields[i].size);	/* little-endian: the low bytes */
	struct img_header *hh = (struct img_header *)t;
	hh->checksum = 0;
	hh->checksum = img_sum(IMG_FNV_INIT, t, h.tables_size);
	if (pwrite(fd, t, h.tables_size, at) != (ssize_t)h.tables_size) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
