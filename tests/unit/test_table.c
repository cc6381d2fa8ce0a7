/* test_table: the table's footer says each cgroup figure once, its own,
 * and "unknown" for what memory.stat did not have (v1 has no
 * kernel_stack): the kernel stack was once printed as the slab figure
 * (one buffer for both).  The figures are constructed: a v2 memory
 * controller cannot be had on every test machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cost/report.h"
#include "tap.h"

static char *footer_of(const struct cgroup_mem *cg)
{
	struct kmodel km = { .thread_size = 16384, .thread_size_from = "default", .slab_from = "built-in",
			     .pgd_bytes = 4096 };
	struct report r = { .km = &km, .cg = cg };
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	assert_non_null(f);
	report_table(f, &r);
	fclose(f);
	char *line = strstr(out, "\ncgroup ");
	assert_non_null(line);
	char *copy = strndup(line + 1, strcspn(line + 1, "\n"));
	free(out);
	return copy;
}

static void v2_each_figure_its_own(void **state)
{
	(void)state;
	struct cgroup_mem cg = { .path = "/sys/fs/cgroup/t", .version = 2, .current = 64 << 20 };
	cg.stat[CG_KERNEL] = 6 << 20;
	cg.stat[CG_PAGETABLES] = 1 << 20;
	cg.stat[CG_KERNEL_STACK] = 800 << 10;
	cg.stat[CG_SLAB_UNRECLAIMABLE] = 3 << 20;
	cg.seen = 1u << CG_KERNEL | 1u << CG_PAGETABLES | 1u << CG_KERNEL_STACK | 1u << CG_SLAB_UNRECLAIMABLE;
	char *l = footer_of(&cg);
	assert_non_null(strstr(l, "kernel_stack 800K"));
	assert_non_null(strstr(l, "slab_unreclaimable 3.0M"));
	assert_non_null(strstr(l, "pagetables 1.0M"));
	free(l);
}

static void v1_unknown_is_said(void **state)
{
	(void)state;
	struct cgroup_mem cg = { .path = "/sys/fs/cgroup/memory/t", .version = 1, .current = 64 << 20 };
	cg.stat[CG_RSS] = 10 << 20;
	cg.seen = 1u << CG_RSS;
	char *l = footer_of(&cg);
	assert_non_null(strstr(l, "kernel unknown"));
	assert_non_null(strstr(l, "kernel_stack unknown"));
	assert_non_null(strstr(l, "slab_unreclaimable unknown"));
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v2_each_figure_its_own), cmocka_unit_test(v1_unknown_is_said),
	};
	return RUN_TAP(tests);
}
