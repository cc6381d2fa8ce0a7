/* diff.c: two programs or processes side by side, role by role, per instance. */
#include <string.h>
#include "../lib/fmt.h"
#include "report.h"

struct line {
	const char *name;
	double a, b;
};

static double priv(const uint64_t *v)
{
	return (double)(v[SM_PRIVATE_CLEAN] + v[SM_PRIVATE_DIRTY]);
}

static double shr(const uint64_t *v)
{
	return (double)(v[SM_SHARED_CLEAN] + v[SM_SHARED_DIRTY]);
}

void report_diff(FILE *f, const struct report *r, const struct group *a, const char *na,
		 const struct group *b, const char *nb, int json)
{
	(void)r;
	double x = (double)a->n, y = (double)b->n;
	struct line l[80];
	int n = 0;
	l[n++] = (struct line){ "rss", a->total.kb[SM_RSS] / x, b->total.kb[SM_RSS] / y };
	l[n++] = (struct line){ "pss", a->total.kb[SM_PSS] / x, b->total.kb[SM_PSS] / y };
	l[n++] = (struct line){ "uss", priv(a->total.kb) / x, priv(b->total.kb) / y };
	l[n++] = (struct line){ "private_dirty", a->total.kb[SM_PRIVATE_DIRTY] / x, b->total.kb[SM_PRIVATE_DIRTY] / y };
	l[n++] = (struct line){ "own", (double)a->total.own / x, (double)b->total.own / y };
	l[n++] = (struct line){ "swap", a->total.kb[SM_SWAP] / x, b->total.kb[SM_SWAP] / y };
	l[n++] = (struct line){ "maps", a->total.maps / x, b->total.maps / y };
	static char names[ROLE_N][3][24];
	for (int i = 0; i < ROLE_N; i++) {
		snprintf(names[i][0], sizeof names[i][0], "%s.private", role_name[i]);
		snprintf(names[i][1], sizeof names[i][1], "%s.shared", role_name[i]);
		snprintf(names[i][2], sizeof names[i][2], "%s.own", role_name[i]);
		l[n++] = (struct line){ names[i][0], priv(a->role[i].kb) / x, priv(b->role[i].kb) / y };
		l[n++] = (struct line){ names[i][1], shr(a->role[i].kb) / x, shr(b->role[i].kb) / y };
		l[n++] = (struct line){ names[i][2], (double)a->role[i].own / x, (double)b->role[i].own / y };
	}
	l[n++] = (struct line){ "kernel.page_tables", a->ks.page_tables / 1024 / x, b->ks.page_tables / 1024 / y };
	l[n++] = (struct line){ "kernel.kernel_stack", a->ks.kernel_stack / 1024 / x, b->ks.kernel_stack / 1024 / y };
	l[n++] = (struct line){ "kernel.slab", (a->ks.slab + a->ks.percpu) / 1024 / x, (b->ks.slab + b->ks.percpu) / 1024 / y };
	l[n++] = (struct line){ "marginal", group_marginal_kb(a), group_marginal_kb(b) };

	if (json) {
		fputs("{\"schema\":\"resident-cost-diff/1\",\"a\":{\"name\":", f);
		json_str(f, na);
		fputc(',', f);
		json_path_field(f, "exe", a->exe);
		fprintf(f, ",\"instances\":%zu},\"b\":{\"name\":", a->n);
		json_str(f, nb);
		fputc(',', f);
		json_path_field(f, "exe", b->exe);
		fprintf(f, ",\"instances\":%zu},\"kb_per_instance\":{", b->n);
		for (int i = 0; i < n; i++)
			fprintf(f, "%s\"%s\":[%.1f,%.1f]", i ? "," : "", l[i].name, l[i].a, l[i].b);
		fputs("}}\n", f);
		return;
	}
	fprintf(f, "%-22s %12s %12s %10s\n", "per instance", "A", "B", "B-A");
	fprintf(f, "%-22s %12.12s %12.12s\n", "", na, nb);
	for (int i = 0; i < n; i++) {
		char p[16], q[16], d[16];
		if (l[i].a == 0 && l[i].b == 0)
			continue;
		double delta = l[i].b - l[i].a;
		if (!strcmp(l[i].name, "maps"))
			fprintf(f, "%-22s %12.0f %12.0f %+10.0f\n", l[i].name, l[i].a, l[i].b, delta);
		else {
			char sd[20];
			snprintf(sd, sizeof sd, "%s%s", delta < 0 ? "-" : "+", fmt_kb(d, delta < 0 ? -delta : delta));
			fprintf(f, "%-22s %12s %12s %10s\n", l[i].name, fmt_kb(p, l[i].a), fmt_kb(q, l[i].b), sd);
		}
	}
	fprintf(f, "A: %s (%zu instances)\nB: %s (%zu instances)\n", a->exe, a->n, b->exe, b->n);
}
