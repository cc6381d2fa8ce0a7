/* depcheck.c IMAGE [ROUNDS]: what the dependency checks of an image cost
 * on one exec, timed here in a loop with the very code the loader runs
 * (src/image/verify.c), next to the checks of image format 3 (open and
 * fstat of each file the program maps, by name) on the same image: the
 * added cost per exec of checking everything a normal exec looks at. */
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../src/image/read.h"
#include "../src/image/verify.h"

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* format 4: every dependency, the mapped ones kept open, as the loader */
static void now_checks(const struct image *im, int *fds)
{
	uint32_t which;
	if (img_check_deps(im->h, fds, &which))
		exit(1);
	close_range((unsigned)fds[0], (unsigned)fds[im->h->nmapped - 1], 0);
}

/* format 3: open and fstat each mapped file, compare its identity */
static void v3_checks(const struct image *im, int *fds)
{
	for (uint32_t i = 0; i < im->h->nmapped; i++) {
		struct stat st;
		const struct img_dep *d = &im->deps[i];
		fds[i] = open(im->str + d->path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 || fstat(fds[i], &st) || st.st_ino != d->ino || (uint64_t)st.st_size != d->size)
			exit(1);
	}
	close_range((unsigned)fds[0], (unsigned)fds[im->h->nmapped - 1], 0);
}

int main(int argc, char **argv)
{
	struct image im;
	char why[256];
	if (argc < 2 || image_open(argv[1], &im, why, sizeof why)) {
		fprintf(stderr, "depcheck: %s: %s\n", argc < 2 ? "usage: depcheck IMAGE [ROUNDS]" : argv[1], why);
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 200, per = 100, fds[256];
	double *a = malloc(rounds * sizeof *a), *b = malloc(rounds * sizeof *b);
	/* alternating blocks of 100 checks, the median block of each */
	for (int r = 0; r < rounds; r++) {
		double t0 = now_us();
		for (int i = 0; i < per; i++)
			v3_checks(&im, fds);
		double t1 = now_us();
		for (int i = 0; i < per; i++)
			now_checks(&im, fds);
		double t2 = now_us();
		a[r] = (t1 - t0) / per;
		b[r] = (t2 - t1) / per;
	}
	qsort(a, rounds, sizeof *a, cmp);
	qsort(b, rounds, sizeof *b, cmp);
	unsigned kinds[6] = { 0 };
	for (uint32_t i = 0; i < im.h->ndeps; i++)
		kinds[im.deps[i].kind < 6 ? im.deps[i].kind : 0]++;
	printf("dependencies: %u mapped (open, fstat), %u files and %u directories (stat), %u absent (stat), %u denied\n",
	       kinds[IMD_MAPPED], kinds[IMD_FILE], kinds[IMD_DIR], kinds[IMD_ABSENT], kinds[IMD_DENIED]);
	printf("checks per exec, median of %d blocks of %d: format 3 %.2f us, now %.2f us, added %.2f us\n", rounds,
	       per, a[rounds / 2], b[rounds / 2], b[rounds / 2] - a[rounds / 2]);
	image_close(&im);
	return 0;
}
