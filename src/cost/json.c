/* json.c: the machine form of a report; schema "resident-cost/1" in docs/cost.md.
 * kB figures are numbers of kB; per-instance figures are means over instances. */
#include <sys/utsname.h>

#include "../lib/fmt.h"
#include "groupkey.h"
#include "report.h"

static void memsum_json(FILE *f, const struct memsum *m, double n)
{
	fprintf(f, "{\"rss_kb\":%.1f,\"pss_kb\":%.1f,\"uss_kb\":%.1f,\"private_clean_kb\":%.1f,"
		   "\"private_dirty_kb\":%.1f,\"shared_clean_kb\":%.1f,\"shared_dirty_kb\":%.1f,"
		   "\"anonymous_kb\":%.1f,\"own_kb\":%.1f,\"swap_kb\":%.1f,\"swap_pss_kb\":%.1f,\"maps\":%.1f}",
		m->kb[SM_RSS] / n, m->kb[SM_PSS] / n,
		(m->kb[SM_PRIVATE_CLEAN] + m->kb[SM_PRIVATE_DIRTY]) / n, m->kb[SM_PRIVATE_CLEAN] / n,
		m->kb[SM_PRIVATE_DIRTY] / n, m->kb[SM_SHARED_CLEAN] / n, m->kb[SM_SHARED_DIRTY] / n,
		m->kb[SM_ANONYMOUS] / n, m->own / n, m->kb[SM_SWAP] / n, m->kb[SM_SWAP_PSS] / n, m->maps / n);
}

static void kside_json(FILE *f, const struct kside *k, double n)
{
	fprintf(f, "{\"page_tables_kb\":%.1f,\"kernel_stack_kb\":%.1f,\"slab_kb\":%.1f,"
		   "\"percpu_kb\":%.2f,\"total_kb\":%.1f}",
		k->page_tables / 1024 / n, k->kernel_stack / 1024 / n, k->slab / 1024 / n,
		k->percpu / 1024 / n, kside_total(k) / 1024 / n);
}

static void roles_json(FILE *f, const struct memsum *role, double n)
{
	fputc('{', f);
	for (int i = 0; i < ROLE_N; i++) {
		fprintf(f, "%s\"%s\":", i ? "," : "", role_name[i]);
		memsum_json(f, &role[i], n);
	}
	fputc('}', f);
}

static void group_json(FILE *f, const struct report *r, const struct group *g)
{
	double n = (double)g->n;
	fputc('{', f);
	json_path_field(f, r->by ? group_by_label((enum group_by)r->by) : "exe", g->exe);
	fprintf(f, ",\"instances\":%zu,\"pids\":[", g->n);
	for (size_t i = 0; i < g->n; i++)
		fprintf(f, "%s%d", i ? "," : "", (int)g->members[i]->pid);
	fprintf(f, "],\"threads\":%llu,\"per_instance\":", (unsigned long long)g->threads);
	memsum_json(f, &g->total, n);
	fputs(",\"kernel\":", f);
	kside_json(f, &g->ks, n);
	fprintf(f, ",\"marginal_kb\":%.1f", group_marginal_kb(g));
	if (r->project)
		fprintf(f, ",\"projection\":{\"instances\":%ld,\"kb\":%.0f}", r->project,
			group_marginal_kb(g) * (double)r->project);
	if (r->fast)
		fprintf(f, ",\"roles_sampled\":%zu", g->sampled);
	if (!r->totals) {
		fputs(",\"roles\":", f);
		roles_json(f, g->role, n);
	}
	if (r->libs) {
		fputs(",\"libs\":[", f);
		for (size_t l = 0; l < g->nlibs; l++) {
			fputs(l ? ",{" : "{", f);
			json_path_field(f, "path", g->libs[l].path);
			fputs(",\"per_instance\":", f);
			memsum_json(f, &g->libs[l].m, n);
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputs(",\"advice\":[", f);
	for (int a = 0; a < g->nadvice; a++) {
		fprintf(f, "%s{\"id\":\"%s\",\"kb_per_instance\":%.1f,\"text\":", a ? "," : "",
			g->advice[a].id, g->advice[a].kb);
		json_str(f, g->advice[a].text);
		fputc('}', f);
	}
	fputs("]}", f);
}

static const char *state_name(enum pstate s)
{
	switch (s) {
	case PS_DENIED: return "unreadable";
	case PS_MALFORMED: return "malformed";
	default: return "ok";
	}
}

void report_json(FILE *f, const struct report *r)
{
	struct utsname u;
	uname(&u);
	const struct tally *t = &r->t;
	char when[64];
	struct tm tm;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&r->time, &tm));
	fprintf(f, "{\"schema\":\"resident-cost/1\",\"time\":\"%s\",\"by\":\"%s\",\"host\":{\"kernel\":", when,
		group_by_label((enum group_by)r->by));
	json_str(f, u.release);
	fprintf(f, ",\"cpus\":%u,\"thread_size\":%u,\"thread_size_from\":\"%s\",\"slab_from\":\"%s\","
		   "\"pgd_bytes\":%u},",
		r->km->ncpus, r->km->thread_size, r->km->thread_size_from, r->km->slab_from,
		r->km->pgd_bytes);
	fputs("\"meminfo_kb\":{", f);
	for (int i = 0, c = 0; i < MI_NFIELDS; i++)
		if (r->meminfo_seen >> i & 1)
			fprintf(f, "%s\"%s\":%llu", c++ ? "," : "", meminfo_keys[i].name,
				(unsigned long long)r->meminfo[i]);
	fprintf(f, "},\"processes\":{\"seen\":%zu,\"read\":%zu,\"unreadable\":%zu,\"malformed\":%zu,"
		   "\"gone\":%zu,\"missing\":%zu,\"kernel_threads\":%zu,\"zombies\":%zu,\"not_walked\":%zu},",
		t->seen, t->read, t->denied, t->malformed, t->gone, t->missing, t->kthreads, t->zombies, t->unwalked);
	fputs("\"unreadable\":[", f);
	int c = 0;
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pcost *p = &r->procs[i];
		if (p->state != PS_DENIED && p->state != PS_MALFORMED)
			continue;
		fprintf(f, "%s{\"pid\":%d,\"name\":", c++ ? "," : "", (int)p->pid);
		json_str(f, p->name);
		fprintf(f, ",\"uid\":%u,\"state\":\"%s\",\"reason\":", (unsigned)p->uid, state_name(p->state));
		json_str(f, p->why ? p->why : "");
		fprintf(f, ",\"rss_kb\":%llu,\"kernel\":", (unsigned long long)p->vmrss_kb);
		kside_json(f, &p->ks, 1);
		fputc('}', f);
	}
	fputs("],", f);
	if (r->cg) {
		fputs("\"cgroup\":{", f);
		json_path_field(f, "path", r->cg->path);
		fprintf(f, ",\"version\":%d,\"memory_bytes\":%llu,\"kmem_bytes\":", r->cg->version,
			(unsigned long long)r->cg->current);
		if (r->cg->kmem_seen)
			fprintf(f, "%llu", (unsigned long long)r->cg->kmem);
		else
			fputs("null", f);	/* v2 (see stat_bytes.kernel), or v1 without kmem */
		fputs(",\"stat_bytes\":{", f);
		for (int i = 0, k = 0; i < CG_NFIELDS; i++)
			if (r->cg->seen >> i & 1)
				fprintf(f, "%s\"%s\":%llu", k++ ? "," : "", cg_field_name[i],
					(unsigned long long)r->cg->stat[i]);
		fputs("}},", f);
	}
	fputs("\"programs\":[", f);
	for (size_t g = 0; g < r->ngroups; g++) {
		if (g)
			fputc(',', f);
		group_json(f, r, &r->groups[g]);
	}
	fputc(']', f);
	if (r->per_process) {
		fputs(",\"per_process\":[", f);
		c = 0;
		for (size_t i = 0; i < r->nprocs; i++) {
			const struct pcost *p = &r->procs[i];
			if (p->state != PS_OK)
				continue;
			fprintf(f, "%s{\"pid\":%d,\"uid\":%u,", c++ ? "," : "", (int)p->pid, (unsigned)p->uid);
			json_path_field(f, "exe", p->exe);
			fprintf(f, ",\"threads\":%llu,\"memory\":", (unsigned long long)p->kc.threads);
			memsum_json(f, &p->total, 1);
			fputs(",\"kernel\":", f);
			kside_json(f, &p->ks, 1);
			if (!r->totals) {
				fputs(",\"roles\":", f);
				roles_json(f, p->role, 1);
			}
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputs("}\n", f);
}
