/* savediff.c: `resident cost --diff OLD.json NEW.json`: two saved reports
 * (resident-cost/1, from --json or -w --json -o), program by program:
 * what each costs now against then.  A row for every program in either;
 * sorted by the change in MARGINAL_TOTAL, largest growth first. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/fmt.h"
#include "columns.h"
#include "report.h"

struct saved {
	const char *exe;
	double n, pss_total, marginal, marginal_total;
};

struct pair {
	const char *exe;
	const struct saved *a, *b;
	double delta;
};

static double num(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0;
}

/* a saved report's programs; dies naming the file on anything else */
static struct saved *load(const char *path, json_object **root, size_t *n)
{
	*root = json_object_from_file(path);
	json_object *schema, *progs;
	if (!*root)
		die(EXIT_FAIL, "%s: %s", path, errno ? strerror(errno) : "not JSON");
	if (!json_object_object_get_ex(*root, "schema", &schema) ||
	    strcmp(json_object_get_string(schema), "resident-cost/1") ||
	    !json_object_object_get_ex(*root, "programs", &progs) || !json_object_is_type(progs, json_type_array))
		die(EXIT_FAIL, "%s: not a report of resident cost --json (schema resident-cost/1, by program)", path);
	size_t m = json_object_array_length(progs);
	struct saved *v = calloc(m ? m : 1, sizeof *v);
	if (!v)
		die(EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < m; i++) {
		json_object *p = json_object_array_get_idx(progs, i), *exe, *pi;
		if (!json_object_object_get_ex(p, "exe", &exe))
			die(EXIT_FAIL, "%s: program %zu has no exe (a report --by another kind?)", path, i);
		v[i].exe = json_object_get_string(exe);
		v[i].n = num(p, "instances");
		v[i].marginal = num(p, "marginal_kb");
		v[i].marginal_total = v[i].marginal * v[i].n;
		if (json_object_object_get_ex(p, "per_instance", &pi))
			v[i].pss_total = num(pi, "pss_kb") * v[i].n;
	}
	*n = m;
	return v;
}

static int by_delta(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;
	if (a->delta != b->delta)
		return a->delta < b->delta ? 1 : -1;
	return strcmp(a->exe, b->exe);
}

int report_saved_diff(FILE *f, const char *old, const char *new, int json, enum unit unit)
{
	json_object *ra, *rb;
	size_t na, nb;
	struct saved *a = load(old, &ra, &na), *b = load(new, &rb, &nb);
	struct pair *p = calloc(na + nb + 1, sizeof *p);
	if (!p)
		die(EXIT_FAIL, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < na; i++)
		p[n++] = (struct pair){ a[i].exe, &a[i], NULL, 0 };
	for (size_t j = 0; j < nb; j++) {
		size_t i;
		for (i = 0; i < n && strcmp(p[i].exe, b[j].exe); i++)
			;
		if (i == n)
			p[n++] = (struct pair){ b[j].exe, NULL, &b[j], 0 };
		else
			p[i].b = &b[j];
	}
	for (size_t i = 0; i < n; i++)
		p[i].delta = (p[i].b ? p[i].b->marginal_total : 0) - (p[i].a ? p[i].a->marginal_total : 0);
	qsort(p, n, sizeof *p, by_delta);
	json_object *ta, *tb;
	const char *when_a = json_object_object_get_ex(ra, "time", &ta) ? json_object_get_string(ta) : "?";
	const char *when_b = json_object_object_get_ex(rb, "time", &tb) ? json_object_get_string(tb) : "?";
	if (json) {
		fprintf(f, "{\"schema\":\"resident-cost-saved-diff/1\",\"a\":{\"time\":\"%s\"},\"b\":{\"time\":\"%s\"},"
			   "\"programs\":[", when_a, when_b);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ",{" : "{", f);
			json_path_field(f, "exe", p[i].exe);
			fprintf(f, ",\"instances\":[%.0f,%.0f],\"marginal_kb\":[%.1f,%.1f],\"marginal_total_kb\":[%.1f,%.1f],"
				   "\"pss_total_kb\":[%.1f,%.1f]}",
				p[i].a ? p[i].a->n : 0, p[i].b ? p[i].b->n : 0, p[i].a ? p[i].a->marginal : 0,
				p[i].b ? p[i].b->marginal : 0, p[i].a ? p[i].a->marginal_total : 0,
				p[i].b ? p[i].b->marginal_total : 0, p[i].a ? p[i].a->pss_total : 0,
				p[i].b ? p[i].b->pss_total : 0);
		}
		fputs("]}\n", f);
	} else {
		fprintf(f, "A: %s (%s)\nB: %s (%s)\n", old, when_a, new, when_b);
		fprintf(f, "%-34s %5s %5s %9s %9s %16s %16s %9s\n", "PROGRAM", "N_A", "N_B", "MARGINAL_A", "MARGINAL_B",
			"MARGINAL_TOTAL_A", "MARGINAL_TOTAL_B", "CHANGE");
		for (size_t i = 0; i < n; i++) {
			char c[6][32];
			const char *e = p[i].exe;
			size_t len = strlen(e);
			if (len > 34)
				fprintf(f, "...%s", e + len - 31);
			else
				fprintf(f, "%-34s", e);
			double d = p[i].delta;
			fprintf(f, " %5.0f %5.0f %10s %10s %16s %16s %s%s\n", p[i].a ? p[i].a->n : 0, p[i].b ? p[i].b->n : 0,
				p[i].a ? col_format(c[0], p[i].a->marginal, 1, unit) : "-",
				p[i].b ? col_format(c[1], p[i].b->marginal, 1, unit) : "-",
				p[i].a ? col_format(c[2], p[i].a->marginal_total, 1, unit) : "-",
				p[i].b ? col_format(c[3], p[i].b->marginal_total, 1, unit) : "-", d < 0 ? "-" : "+",
				col_format(c[4], fabs(d), 1, unit));
		}
	}
	free(p);
	free(a);
	free(b);
	json_object_put(ra);
	json_object_put(rb);
	return 0;
}
