/* stats.c: the clock and the order statistics density.c and startup.c share. */
#include <stdlib.h>
#include <time.h>

#include "bench.h"

double bench_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, by_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_pct(const double *sorted, size_t n, double p)
{
	long k = (long)(p / 100.0 * (double)n + 0.999999) - 1;
	return sorted[k < 0 ? 0 : k >= (long)n ? (long)n - 1 : k];
}
