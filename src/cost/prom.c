/* prom.c: Prometheus text exposition format (version 0.0.4), in bytes, for
 * node_exporter's textfile collector (write with -o FILE: atomic rename). */
#include <string.h>

#include "../lib/fmt.h"
#include "groupkey.h"
#include "report.h"

static void family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* by program: exe (the path) and program (its last component, the name
 * people query by); --by user, cgroup or unit: that label alone */
static int by;

static void exe_label(FILE *f, const char *metric, const char *exe)
{
	if (by) {
		fprintf(f, "%s{%s=", metric, group_by_label((enum group_by)by));
		prom_str(f, exe);
		return;
	}
	const char *slash = strrchr(exe, '/');
	fprintf(f, "%s{exe=", metric);
	prom_str(f, exe);
	fputs(",program=", f);
	prom_str(f, slash && slash[1] ? slash + 1 : exe);
}

void report_prom(FILE *f, const struct report *r)
{
	static const struct { const char *name, *help; int field; } mem[] = {
		{ "resident_program_rss_bytes", "Resident set of all instances.", SM_RSS },
		{ "resident_program_pss_bytes", "Proportional set of all instances.", SM_PSS },
		{ "resident_program_private_dirty_bytes", "Private dirty pages of all instances.", SM_PRIVATE_DIRTY },
		{ "resident_program_swap_bytes", "Swapped-out pages of all instances.", SM_SWAP },
	};
	by = r->by;
	family(f, "resident_program_instances", "Processes running the program.");
	for (size_t g = 0; g < r->ngroups; g++) {
		exe_label(f, "resident_program_instances", r->groups[g].exe);
		fprintf(f, "} %zu\n", r->groups[g].n);
	}
	for (size_t m = 0; m < sizeof mem / sizeof mem[0]; m++) {
		family(f, mem[m].name, mem[m].help);
		for (size_t g = 0; g < r->ngroups; g++) {
			exe_label(f, mem[m].name, r->groups[g].exe);
			fprintf(f, "} %llu\n", (unsigned long long)r->groups[g].total.kb[mem[m].field] * 1024);
		}
	}
	family(f, "resident_program_own_bytes", "Pages each instance needs a copy of: private anonymous and copy-on-write pages.");
	for (size_t g = 0; g < r->ngroups; g++) {
		exe_label(f, "resident_program_own_bytes", r->groups[g].exe);
		fprintf(f, "} %llu\n", (unsigned long long)r->groups[g].total.own * 1024);
	}
	if (!r->totals)
		family(f, "resident_program_role_bytes", "Pages of all instances by role of mapping and sharing.");
	for (size_t g = 0; g < r->ngroups && !r->totals; g++)
		for (int i = 0; i < ROLE_N; i++) {
			const uint64_t *v = r->groups[g].role[i].kb;
			for (int shared = 0; shared < 2; shared++) {
				exe_label(f, "resident_program_role_bytes", r->groups[g].exe);
				uint64_t kb = shared ? v[SM_SHARED_CLEAN] + v[SM_SHARED_DIRTY]
						     : v[SM_PRIVATE_CLEAN] + v[SM_PRIVATE_DIRTY];
				fprintf(f, ",role=\"%s\",sharing=\"%s\"} %llu\n", role_name[i],
					shared ? "shared" : "private", (unsigned long long)kb * 1024);
			}
		}
	family(f, "resident_program_kernel_bytes", "Kernel memory of all instances by part (estimate, see resident-cost(1)).");
	for (size_t g = 0; g < r->ngroups; g++) {
		const struct kside *k = &r->groups[g].ks;
		const double part[4] = { k->page_tables, k->kernel_stack, k->slab, k->percpu };
		static const char *const pname[4] = { "page_tables", "kernel_stack", "slab", "percpu" };
		for (int i = 0; i < 4; i++) {
			exe_label(f, "resident_program_kernel_bytes", r->groups[g].exe);
			fprintf(f, ",part=\"%s\"} %.0f\n", pname[i], part[i]);
		}
	}
	family(f, "resident_program_marginal_bytes", "What one more instance costs: the pages it owns (private anonymous pages and copy-on-write copies of file pages, not the page cache), its swap, and its kernel side.");
	for (size_t g = 0; g < r->ngroups; g++) {
		exe_label(f, "resident_program_marginal_bytes", r->groups[g].exe);
		fprintf(f, "} %.0f\n", group_marginal_kb(&r->groups[g]) * 1024);
	}
	family(f, "resident_processes", "Processes seen, by how they were read.");
	const struct tally *t = &r->t;
	fprintf(f, "resident_processes{state=\"read\"} %zu\nresident_processes{state=\"unreadable\"} %zu\n"
		   "resident_processes{state=\"malformed\"} %zu\nresident_processes{state=\"gone\"} %zu\n",
		t->read, t->denied, t->malformed, t->gone);
}
