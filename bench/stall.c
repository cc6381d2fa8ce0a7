/* stall.c: how long a reader of /proc/PID/smaps stalls this process
 * (bench/stall.sh, issue 15).  It maps and touches SIZE MiB of anonymous
 * memory in 4 KiB pages (one VMA, its page tables to walk), then for SECS
 * seconds times two things a busy process does, back to back:
 *
 *   mmap + munmap of a page   (takes the mmap lock for writing: waits for
 *                              any reader holding it, smaps's walk)
 *   a page fault on a fresh page (per-VMA locks since 6.4: should not wait)
 *
 * and prints, for each, the count, the median, the p99 and the maximum
 * in microseconds.  stall SIZE SECS */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp);
	printf("%s %zu %.1f %.1f %.1f\n", what, n, v[n / 2], v[n * 99 / 100], v[n - 1]);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	size_t size = (size_t)atol(argv[1]) << 20;
	double secs = atof(argv[2]);
	char *big = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED)
		return 1;
	madvise(big, size, MADV_NOHUGEPAGE);	/* 4 KiB pages: the walk smaps does */
	for (size_t o = 0; o < size; o += 4096)
		big[o] = 1;
	size_t cap = 4 << 20, nm = 0, nf = 0;
	double *vm = malloc(cap * sizeof *vm), *vf = malloc(cap * sizeof *vf);
	size_t fsz = 256 << 20, fo = 0;
	char *fresh = mmap(NULL, fsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!vm || !vf || fresh == MAP_FAILED)
		return 1;
	printf("ready\n");
	fflush(stdout);
	double end = now_us() + secs * 1e6;
	while (now_us() < end && nm < cap && nf < cap) {
		double t0 = now_us();
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(p, 4096);
		double t1 = now_us();
		fresh[fo] = 1;
		double t2 = now_us();
		vm[nm++] = t1 - t0;
		vf[nf++] = t2 - t1;
		fo += 4096;
		if (fo == fsz) {
			madvise(fresh, fsz, MADV_DONTNEED);
			fo = 0;
		}
	}
	report("mmap+munmap", vm, nm);
	report("fault", vf, nf);
	return 0;
}
