/* savediff.c: `resident cost --diff OLD.json NEW.json`: two saved reports
 * (resident-cost/1, from --json or -w --json -o), program by program:
 * what each costs now against then.  A row for every program in either;
 * sorted by the change in MARGINAL_TOTAL, largest growth first. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* a finite number at o.k; dies naming path otherwise (a missing key is 0) */
static double num(const char *path, json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	double d = json_object_get_double(v);
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		die(EXIT_FAIL, "%s: %s is not a number", path, k);
	if (!isfinite(d) || d < 0 || d > 1e15)
		die(EXIT_FAIL, "%s: %s is out of range", path, k);
	return d;
}

/* a string at o.k, or NULL */
static const char *str(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
												: NULL;
}

#define SAVED_MAX (64 << 20)	/* a report of a million processes is ~1 GiB less */

/* a saved report's programs; dies naming the file on anything else: a
 * regular file (not a FIFO, /dev/zero), at most SAVED_MAX bytes */
static struct saved *load(const char *path, json_object **root, size_t *n)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		die_errno(EXIT_FAIL, -errno, "%s", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > SAVED_MAX) {
		close(fd);
		die(EXIT_FAIL, "%s: %s", path, S_ISREG(st.st_mode) ? "larger than a saved report can be" : "not a regular file");
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t k;
	while (buf && got < (size_t)st.st_size && (k = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)k;
	close(fd);
	if (!buf)
		die(EXIT_FAIL, "out of memory");
	buf[got] = 0;
	*root = json_tokener_parse(buf);
	free(buf);
	json_object *progs;
	const char *schema = *root ? str(*root, "schema") : NULL;
	if (!*root)
		die(EXIT_FAIL, "%s: not JSON", path);
	if (!schema || strcmp(schema, "resident-cost/1") || !json_object_object_get_ex(*root, "programs", &progs) ||
	    !json_object_is_type(progs, json_type_array))
		die(EXIT_FAIL, "%s: not a report of resident cost --json (schema resident-cost/1, by program)", path);
	size_t m = json_object_array_length(progs);
	struct saved *v = calloc(m ? m : 1, sizeof *v);
	if (!v)
		die(EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < m; i++) {
		json_object *p = json_object_array_get_idx(progs, i), *pi;
		if (!p || !json_object_is_type(p, json_type_object) || !(v[i].exe = str(p, "exe")))
			die(EXIT_FAIL, "%s: program %zu has no exe (a report --by another kind?)", path, i);
		v[i].n = num(path, p, "instances");
		v[i].marginal = num(path, p, "marginal_kb");
		v[i].marginal_total = v[i].marginal * v[i].n;
		if (json_object_object_get_ex(p, "per_instance", &pi) && json_object_is_type(pi, json_type_object))
			v[i].pss_total = num(path, pi, "pss_kb") * v[i].n;
	}
	*n = m;
	return v;
}

static int by_exe(const void *x, const void *y)
{
	return strcmp(((const struct saved *)x)->exe, ((const struct saved *)y)->exe);
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
	/* both sorted by exe, then merged: every program of either, once */
	qsort(a, na, sizeof *a, by_exe);
	qsort(b, nb, sizeof *b, by_exe);
	size_t n = 0, i = 0, j = 0;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i].exe, b[j].exe);
		if (c < 0)
			p[n++] = (struct pair){ a[i].exe, &a[i], NULL, 0 }, i++;
		else if (c > 0)
			p[n++] = (struct pair){ b[j].exe, NULL, &b[j], 0 }, j++;
		else
			p[n++] = (struct pair){ a[i].exe, &a[i], &b[j], 0 }, i++, j++;
	}
	for (size_t i = 0; i < n; i++)
		p[i].delta = (p[i].b ? p[i].b->marginal_total : 0) - (p[i].a ? p[i].a->marginal_total : 0);
	qsort(p, n, sizeof *p, by_delta);
	const char *when_a = str(ra, "time"), *when_b = str(rb, "time");
	when_a = when_a ? when_a : "?";
	when_b = when_b ? when_b : "?";
	if (json) {
		fputs("{\"schema\":\"resident-cost-saved-diff/1\",\"a\":{\"time\":", f);
		json_str(f, when_a);
		fputs("},\"b\":{\"time\":", f);
		json_str(f, when_b);
		fputs("},\"programs\":[", f);
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
		fprintf(f, "A: %s (%.40s)\nB: %s (%.40s)\n", old, when_a, new, when_b);
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
