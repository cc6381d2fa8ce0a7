/* pagecache.c: put files' page cache in one shape, or show its shape
 * (bench/folios.sh, issue 14's large-folio lever).
 *
 *   pagecache small FILE...   drop each file's cached pages (those no
 *                             process maps) and read it back a page at a
 *                             time with POSIX_FADV_RANDOM: order-0 folios
 *   pagecache huge FILE...    drop, then fault it in through a mapping
 *                             with MADV_HUGEPAGE: readahead in PMD-size
 *                             folios where the file system allows them
 *   pagecache show FILE...    folios of each cached page (kpageflags,
 *                             root): how many pages in folios of each size
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096ul
#define KPF_COMPOUND_HEAD (1ull << 15)
#define KPF_COMPOUND_TAIL (1ull << 16)

static int show(const char *path, int fd, size_t size)
{
	unsigned char *m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	int pm = open("/proc/self/pagemap", O_RDONLY), kf = open("/proc/kpageflags", O_RDONLY);
	if (m == MAP_FAILED || pm < 0 || kf < 0) {
		perror(path);
		return 1;
	}
	size_t n = size / PAGE, cached = 0, hist[11] = { 0 }, run = 0;
	unsigned char *inc = malloc(n + 1);
	mincore(m, size, inc);
	for (size_t i = 0; i <= n; i++) {
		uint64_t e = 0, f = 0;
		int head = 1;
		if (i < n && (inc[i] & 1)) {
			volatile unsigned char c = m[i * PAGE];	/* mapped from the cache, no read: it is there */
			(void)c;
			pread(pm, &e, 8, (off_t)(((uintptr_t)m / PAGE + i) * 8));
			if (e >> 63)
				pread(kf, &f, 8, (off_t)((e & ((1ull << 55) - 1)) * 8));
			cached++;
			head = !(f & KPF_COMPOUND_TAIL);
		}
		if (head && run) {
			int o = 0;
			while ((1ul << (o + 1)) <= run && o < 10)
				o++;
			hist[o] += run;
			run = 0;
		}
		if (i < n && (inc[i] & 1))
			run++;
	}
	printf("%s: %zu of %zu pages cached; in folios of", path, cached, n);
	for (int o = 0; o <= 10; o++)
		if (hist[o])
			printf(" %lu: %zu", 1ul << o, hist[o]);
	printf(" pages\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "small") && strcmp(argv[1], "huge") && strcmp(argv[1], "show"))) {
		fprintf(stderr, "usage: pagecache small|huge|show FILE...\n");
		return 2;
	}
	int rc = 0;
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st)) {
			perror(argv[i]);
			rc = 1;
			continue;
		}
		size_t size = (size_t)st.st_size;
		if (!strcmp(argv[1], "show")) {
			rc |= show(argv[i], fd, size);
		} else {
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			if (!strcmp(argv[1], "small")) {
				char c;
				posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
				for (size_t off = 0; off < size; off += PAGE)
					pread(fd, &c, 1, (off_t)off);
			} else {
				unsigned char *m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
				if (m == MAP_FAILED || madvise(m, size, MADV_HUGEPAGE)) {
					perror(argv[i]);
					rc = 1;
				} else {
					for (size_t off = 0; off < size; off += PAGE)
						(void)*(volatile unsigned char *)(m + off);
				}
				if (m != MAP_FAILED)
					munmap(m, size);
			}
		}
		close(fd);
	}
	return rc;
}
