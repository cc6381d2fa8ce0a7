/* procmap.c: what PROCMAP_QUERY (Linux 6.11) would save `resident cost
 * --totals` (bench/procmap.sh, issue 15).  --totals reads PID/maps only to
 * count each process's mappings (the kernel model's VMAs, anon_vmas and
 * files); the ioctl gives the same mappings as binary records, no text.
 * For every process: open PID/maps, count its mappings by one of the two
 * ways, close; repeated PASSES times; prints the mappings and the time of
 * one pass.
 *
 *   procmap text|query PASSES
 *
 * The two counts differ by the [vsyscall] gate page: maps shows it, the
 * ioctl does not (it is no VMA of the process). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* linux/fs.h of 6.11; Debian 12's headers are older */
struct procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long count_text(int fd)
{
	static char b[65536];
	long n = 0;
	ssize_t k;
	while ((k = read(fd, b, sizeof b)) > 0)
		for (ssize_t i = 0; i < k; i++)
			n += b[i] == '\n';
	return n;
}

static long count_query(int fd)
{
	long n = 0;
	for (uint64_t addr = 0;; n++) {
		struct procmap_query q = { .size = sizeof q,
			.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA, .query_addr = addr };
		if (ioctl(fd, PROCMAP_QUERY, &q) != 0)
			return n;	/* ENOENT: no mapping at or after addr */
		addr = q.vma_end;
	}
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "text") && strcmp(argv[1], "query"))) {
		fprintf(stderr, "usage: procmap text|query PASSES\n");
		return 2;
	}
	long (*count)(int) = argv[1][0] == 't' ? count_text : count_query;
	int passes = atoi(argv[2]);
	static int pids[1 << 16];
	int n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d)) && n < (int)(sizeof pids / sizeof pids[0]))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			pids[n++] = atoi(e->d_name);
	long maps = 0;
	double t0 = now_ms();
	for (int r = 0; r < passes; r++)
		for (int i = 0; i < n; i++) {
			char p[64];
			snprintf(p, sizeof p, "/proc/%d/maps", pids[i]);
			int fd = open(p, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			maps += count(fd);
			close(fd);
		}
	printf("%-6s %d processes, %ld mappings, %.1f ms a pass\n", argv[1], n,
	       maps / (passes ? passes : 1), (now_ms() - t0) / (passes ? passes : 1));
	return 0;
}
