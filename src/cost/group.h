/* group.h: processes grouped by executable, with per-instance figures. */
#ifndef RESIDENT_GROUP_H
#define RESIDENT_GROUP_H

#include "pcost.h"

#define ADVICE_MAX 6

struct advice {
	const char *id;		/* stable key for --json */
	double kb;		/* per instance */
	char text[256];
};

struct group {
	const char *exe;	/* borrowed from the first member */
	size_t n;		/* instances read in full */
	size_t sampled;		/* --fast: its roles are from this many of them, scaled */
	struct pcost **members;
	struct memsum total, role[ROLE_N];
	struct kside ks;	/* sums, bytes */
	uint64_t threads;
	struct libuse *libs;	/* sums, with --libs */
	size_t nlibs;
	struct advice advice[ADVICE_MAX];
	int nadvice;
};

/* one more instance: the pages it owns (memsum.own), its swap (SwapPss) and
 * its kernel side */
double group_marginal_kb(const struct group *g);
double group_kernel_kb(const struct group *g);

/* group the PS_OK processes of p[0..n) by exe, most costly first */
/* to += from, every figure */
void memsum_add(struct memsum *to, const struct memsum *from);
void kside_add(struct kside *to, const struct kside *from);
size_t group_by_exe(struct pcost *p, size_t n, struct group **out);
/* by keys[i] for p[i] instead (groupkey.h), which must outlive the
 * groups: each group's exe is its key */
size_t group_by_keys(struct pcost *p, char *const *keys, size_t n, struct group **out);
void groups_free(struct group *g, size_t n);

/* findings where a change would save memory (advice.c) */
void advise(struct group *g, const struct kmodel *km);

#endif
