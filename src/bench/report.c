/* report.c: the figures as a table for people, JSON (schema
 * resident-bench/1, docs/bench.md) and CSV (one figure a line) for
 * programs; the linear fit over several N. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../lib/fmt.h"
#include "bench.h"

/* least squares of total kB (per instance x N) against N, from meminfo
 * (cg 0) or the cgroup (cg 1: every N must have its figures) */
static void fit(const struct command *cmd, int nns, int cg, double *slope, double *icept, double *r2)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
	int k = 0;
	*slope = *icept = *r2 = NAN;
	for (int i = 0; i < nns; i++) {
		const struct density *d = &cmd->d[i];
		if (d->alive <= 0)
			continue;
		if (cg && !d->cg_version)
			return;
		double x = (double)d->alive, y = (cg ? d->cg_total : d->total) * x;
		sx += x, sy += y, sxx += x * x, sxy += x * y, syy += y * y;
		k++;
	}
	double den = (double)k * sxx - sx * sx;
	if (k < 2 || den == 0)
		return;
	*slope = ((double)k * sxy - sx * sy) / den;
	*icept = (sy - *slope * sx) / (double)k;
	double vy = (double)k * syy - sy * sy;
	*r2 = vy > 0 ? pow((double)k * sxy - sx * sy, 2) / (den * vy) : 1;
}

void bench_fit(struct bench *b)
{
	for (int c = 0; c < b->ncmds; c++) {
		fit(&b->cmd[c], b->nns, 0, &b->slope[c], &b->intercept[c], &b->r2[c]);
		fit(&b->cmd[c], b->nns, 1, &b->cg_slope[c], &b->cg_intercept[c], &b->cg_r2[c]);
	}
}

static int have_density(const struct bench *b)
{
	return b->nns > 0;
}

/* a line for each result that meminfo's noise swamps */
static void noise_notes(const struct bench *b, FILE *f)
{
	for (int i = 0; i < b->nns; i++)
		for (int c = 0; c < b->ncmds; c++) {
			const struct density *d = &b->cmd[c].d[i];
			if (d->alive <= 0 || !d->noisy)
				continue;
			fprintf(f, "warning: %s, N=%ld: meminfo moved by %.0f KiB with nothing started, %.1f KiB per "
				"instance against a TOTAL of %.1f: too few instances for meminfo deltas%s\n",
				b->cmd[c].label, d->n, d->noise, d->noise / (double)d->alive, d->total,
				d->cg_version ? " (CGROUP is the run's own)" : "");
		}
}

void bench_table(const struct bench *b, FILE *f)
{
	if (have_density(b)) {
		fprintf(f, "density: KiB per running instance, from /proc/meminfo deltas%s\n",
			b->cg_note ? "" : " and the run's memory cgroup");
		fprintf(f, "%-32s %6s %6s %6s %6s %6s %6s %6s %7s %7s %7s %7s %6s %6s %6s %6s %6s\n", "COMMAND", "N",
			"ALIVE", "ANON", "PGTBL", "KSTACK", "SLAB", "PERCPU", "TOTAL", "AVAIL", "CGROUP", "CG-KERN", "RSS",
			"PSS", "USS", "MODEL", "x1ST");
		for (int i = 0; i < b->nns; i++)
			for (int c = 0; c < b->ncmds; c++) {
				const struct command *cmd = &b->cmd[c];
				const struct density *d = &cmd->d[i];
				if (d->alive <= 0) {
					fprintf(f, "%-32.32s %6ld %6ld  %s\n", cmd->label, d->n, d->alive,
						cmd->exits ? cmd->exits : "not measured");
					continue;
				}
				const struct density *first = &b->cmd[0].d[i];
				fprintf(f, "%-32.32s %6ld %6ld %6.1f %6.1f %6.1f %6.1f %6.1f %7.1f %7.1f ", cmd->label, d->n,
					d->alive, d->field[DF_ANON], d->field[DF_PAGETABLES], d->field[DF_KSTACK],
					d->field[DF_SUNRECLAIM], d->field[DF_PERCPU], d->total, d->avail);
				if (d->cg_version)
					fprintf(f, "%7.1f %7.1f ", d->cg_total, d->cg_kernel);
				else
					fprintf(f, "%7s %7s ", "-", "-");
				fprintf(f, "%6.0f %6.1f %6.1f %6.1f ", d->rss, d->pss, d->uss, d->model);
				if (first->alive > 0 && first->total > 0)
					fprintf(f, "%6.2f\n", d->total / first->total);
				else
					fprintf(f, "%6s\n", "-");
			}
		if (b->cg_note)
			fprintf(f, "(no cgroup figures: %s)\n", b->cg_note);
		noise_notes(b, f);
		if (b->nns > 1) {
			fprintf(f, "\nfit over N: total KiB = per-instance x N + fixed\n");
			for (int c = 0; c < b->ncmds; c++)
				if (!isnan(b->slope[c]))
					fprintf(f, "%s: %.1f KiB per instance, %.0f KiB fixed, R^2 %.4f\n", b->cmd[c].label,
						b->slope[c], b->intercept[c], b->r2[c]);
			for (int c = 0; c < b->ncmds; c++)
				if (!isnan(b->cg_slope[c]))
					fprintf(f, "%s: cgroup: %.1f KiB per instance, %.0f KiB fixed, R^2 %.4f\n",
						b->cmd[c].label, b->cg_slope[c], b->cg_intercept[c], b->cg_r2[c]);
		}
	}
	if (b->runs > 0) {
		if (have_density(b))
			fputc('\n', f);
		fprintf(f, "startup: microseconds per exec, start to exit, %ld runs each, interleaved\n", b->runs);
		fprintf(f, "%-32s %8s %8s %8s %7s   %8s %8s %8s %7s %6s\n", "COMMAND", "FORK+EX", "P90", "P99", "FAULTS",
			"SPAWN", "P90", "P99", "FAULTS", "x1ST");
		for (int c = 0; c < b->ncmds; c++) {
			const struct command *cmd = &b->cmd[c];
			if (cmd->fails) {
				fprintf(f, "%-32.32s  %s\n", cmd->label, cmd->fails);
				continue;
			}
			const struct timing *x = &cmd->fork_exec, *y = &cmd->spawn, *first = &b->cmd[0].fork_exec;
			fprintf(f, "%-32.32s %8.0f %8.0f %8.0f %7.0f   %8.0f %8.0f %8.0f %7.0f ", cmd->label, x->med, x->p90,
				x->p99, x->faults, y->med, y->p90, y->p99, y->faults);
			if (!b->cmd[0].fails && first->med > 0)
				fprintf(f, "%6.2f", x->med / first->med);
			else
				fprintf(f, "%6s", "-");
			if (cmd->nonzero)
				fprintf(f, "  (exit %d in %ld runs)", cmd->nonzero_status, cmd->nonzero);
			fputc('\n', f);
		}
	}
}

/* a command's name in a Markdown cell: '|' and line breaks would end it */
static void md_cell(FILE *f, const char *s)
{
	fputc('`', f);
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : *s == '\n' || *s == '`' ? " " : (char[]){ *s, 0 }, f);
	fputc('`', f);
}

void bench_markdown(const struct bench *b, FILE *f)
{
	if (have_density(b)) {
		fprintf(f, "| command | N | alive | KiB per instance (meminfo) | cgroup KiB per instance | RSS | PSS | USS |\n"
			   "|:---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (int c = 0; c < b->ncmds; c++)
			for (int i = 0; i < b->nns; i++) {
				const struct command *cmd = &b->cmd[c];
				const struct density *d = &cmd->d[i];
				fputs("| ", f);
				md_cell(f, cmd->label);
				if (cmd->exits) {
					fprintf(f, " | %ld | | %s | | | | |\n", d->n, cmd->exits);
					continue;
				}
				fprintf(f, " | %ld | %ld | %.1f | ", d->n, d->alive, d->total);
				if (d->cg_version)
					fprintf(f, "%.1f", d->cg_total);
				fprintf(f, " | %.0f | %.0f | %.0f |\n", d->rss, d->pss, d->uss);
			}
	}
	if (b->runs > 0) {
		if (have_density(b))
			fputc('\n', f);
		fprintf(f, "| command | fork+exec median [ms] | p90 [ms] | posix_spawn median [ms] | faults | relative |\n"
			   "|:---|---:|---:|---:|---:|---:|\n");
		const struct timing *first = &b->cmd[0].fork_exec;
		for (int c = 0; c < b->ncmds; c++) {
			const struct command *cmd = &b->cmd[c];
			fputs("| ", f);
			md_cell(f, cmd->label);
			if (cmd->fails) {
				fprintf(f, " | %s | | | | |\n", cmd->fails);
				continue;
			}
			const struct timing *x = &cmd->fork_exec;
			fprintf(f, " | %.3f | %.3f | %.3f | %.0f | ", x->med / 1000, x->p90 / 1000, cmd->spawn.med / 1000,
				x->faults);
			if (!b->cmd[0].fails && first->med > 0)
				fprintf(f, "%.2f |\n", x->med / first->med);
			else
				fputs("- |\n", f);
		}
	}
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.3f", v);
}

/* ,"key":value (or "key":value first) */
static void json_kv(FILE *f, const char *key, double v, int first)
{
	fprintf(f, "%s\"%s\":", first ? "" : ",", key);
	json_num(f, v);
}

static void json_timing(FILE *f, const struct timing *t)
{
	fputc('{', f);
	json_kv(f, "median_us", t->med, 1);
	json_kv(f, "p90_us", t->p90, 0);
	json_kv(f, "p99_us", t->p99, 0);
	json_kv(f, "min_us", t->min, 0);
	json_kv(f, "mean_us", t->mean, 0);
	json_kv(f, "faults", t->faults, 0);
	fputc('}', f);
}

void bench_json(const struct bench *b, FILE *f)
{
	struct utsname u;
	uname(&u);
	fprintf(f, "{\"schema\":\"resident-bench/1\",\"host\":{\"kernel\":");
	json_str(f, u.release);
	fprintf(f, ",\"cpus\":%ld},\"cgroup\":", sysconf(_SC_NPROCESSORS_ONLN));
	if (b->cg_note) {
		fputs("{\"used\":false,\"why\":", f);
		json_str(f, b->cg_note);
		fputc('}', f);
	} else {
		fputs("{\"used\":true}", f);
	}
	const char *nswhy = runner_ns_why(), *kind = cgs_kind();
	fprintf(f, ",\"containment\":{\"pid_namespace\":%s,\"pid_namespace_why\":", nswhy ? "false" : "true");
	if (nswhy)
		json_str(f, nswhy);
	else
		fputs("null", f);
	fputs(",\"kill_cgroup\":", f);
	if (kind)
		json_str(f, kind);
	else
		fputs("null", f);
	fputc('}', f);
	fprintf(f, ",\"instances\":[");
	for (int i = 0; i < b->nns; i++)
		fprintf(f, "%s%ld", i ? "," : "", b->ns[i]);
	fprintf(f, "],\"runs\":%ld,\"rounds\":%d,\"commands\":[", b->runs, b->rounds);
	for (int c = 0; c < b->ncmds; c++) {
		const struct command *cmd = &b->cmd[c];
		fprintf(f, "%s{\"command\":", c ? "," : "");
		json_str(f, cmd->label);
		fputs(",\"argv\":[", f);
		for (int k = 0; cmd->argv[k]; k++) {
			if (k)
				fputc(',', f);
			json_str(f, cmd->argv[k]);
		}
		fputs("],\"density\":[", f);
		for (int i = 0; i < b->nns; i++) {
			const struct density *d = &cmd->d[i];
			fprintf(f, "%s{\"n\":%ld,\"alive\":%ld,\"per_instance_kb\":{", i ? "," : "", d->n, d->alive);
			for (int k = 0; k < DF_N; k++) {
				fprintf(f, "\"%s\":", dfield_name[k]);
				json_num(f, d->field[k]);
				fputc(',', f);
			}
			json_kv(f, "total", d->total, 1);
			fputc('}', f);
			json_kv(f, "mem_available_drop_kb", d->avail, 0);
			json_kv(f, "meminfo_noise_kb", d->noise, 0);
			json_kv(f, "meminfo_noise_per_instance_kb", d->alive > 0 ? d->noise / (double)d->alive : NAN, 0);
			fprintf(f, ",\"meminfo_too_noisy\":%s", d->noisy ? "true" : "false");
			if (d->cg_version) {
				fprintf(f, ",\"cgroup\":{\"version\":%d", d->cg_version);
				json_kv(f, "total_kb", d->cg_total, 0);
				json_kv(f, "kernel_kb", d->cg_kernel, 0);
				json_kv(f, "anon_kb", d->cg_anon, 0);
				fputc('}', f);
			} else {
				fputs(",\"cgroup\":null", f);
			}
			json_kv(f, "rss_kb", d->rss, 0);
			json_kv(f, "pss_kb", d->pss, 0);
			json_kv(f, "uss_kb", d->uss, 0);
			json_kv(f, "model_kb", d->model, 0);
			json_kv(f, "start_seconds", d->seconds, 0);
			fputc('}', f);
		}
		fputs("],\"density_error\":", f);
		if (cmd->exits)
			json_str(f, cmd->exits);
		else
			fputs("null", f);
		fputs(",\"fit\":", f);
		if (b->nns > 1 && !isnan(b->slope[c])) {
			fputc('{', f);
			json_kv(f, "kb_per_instance", b->slope[c], 1);
			json_kv(f, "fixed_kb", b->intercept[c], 0);
			json_kv(f, "r2", b->r2[c], 0);
			fputc('}', f);
		} else {
			fputs("null", f);
		}
		fputs(",\"cgroup_fit\":", f);
		if (b->nns > 1 && !isnan(b->cg_slope[c])) {
			fputc('{', f);
			json_kv(f, "kb_per_instance", b->cg_slope[c], 1);
			json_kv(f, "fixed_kb", b->cg_intercept[c], 0);
			json_kv(f, "r2", b->cg_r2[c], 0);
			fputc('}', f);
		} else {
			fputs("null", f);
		}
		fputs(",\"escaped\":", f);
		if (cmd->escaped) {
			fprintf(f, "{\"processes\":%ld,\"n\":%ld,\"killed_by\":", cmd->escaped, cmd->escaped_n);
			json_str(f, cmd->escaped_how ? cmd->escaped_how : "");
			fputc('}', f);
		} else {
			fputs("null", f);
		}
		fputs(",\"startup\":", f);
		if (b->runs > 0 && !cmd->fails) {
			fputs("{\"fork_exec\":", f);
			json_timing(f, &cmd->fork_exec);
			fputs(",\"posix_spawn\":", f);
			json_timing(f, &cmd->spawn);
			fputs(",\"ratio_to_first\":", f);
			json_num(f, b->cmd[0].fails || b->cmd[0].fork_exec.med <= 0 ? NAN
				    : cmd->fork_exec.med / b->cmd[0].fork_exec.med);
			fprintf(f, ",\"exit_status\":%d,\"nonzero_runs\":%ld}", cmd->startup_status, cmd->nonzero);
		} else {
			fputs("null", f);
		}
		fputs(",\"startup_leftovers\":", f);
		if (b->runs > 0 && cmd->leftovers) {
			fprintf(f, "{\"processes\":%ld,\"killed_by\":", cmd->leftovers);
			json_str(f, cmd->leftovers_how ? cmd->leftovers_how : "");
			fputc('}', f);
		} else {
			fputs("null", f);
		}
		fputs(",\"startup_error\":", f);
		if (b->runs > 0 && cmd->fails)
			json_str(f, cmd->fails);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

static void csv_field(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_row(FILE *f, const char *kind, const char *cmd, long n, const char *metric, double v)
{
	fprintf(f, "%s,", kind);
	csv_field(f, cmd);
	fprintf(f, ",%ld,%s,", n, metric);
	if (!isnan(v))
		fprintf(f, "%.3f", v);
	fputc('\n', f);
}

void bench_csv(const struct bench *b, FILE *f)
{
	fputs("kind,command,n,metric,value\n", f);
	for (int c = 0; c < b->ncmds; c++) {
		const struct command *cmd = &b->cmd[c];
		for (int i = 0; i < b->nns; i++) {
			const struct density *d = &cmd->d[i];
			if (d->alive <= 0)
				continue;
			csv_row(f, "density", cmd->label, d->n, "alive", (double)d->alive);
			for (int k = 0; k < DF_N; k++) {
				char m[64];
				snprintf(m, sizeof m, "%s_kb", dfield_name[k]);
				csv_row(f, "density", cmd->label, d->n, m, d->field[k]);
			}
			csv_row(f, "density", cmd->label, d->n, "total_kb", d->total);
			csv_row(f, "density", cmd->label, d->n, "mem_available_drop_kb", d->avail);
			csv_row(f, "density", cmd->label, d->n, "meminfo_noise_kb", d->noise);
			csv_row(f, "density", cmd->label, d->n, "meminfo_too_noisy", d->noisy);
			if (d->cg_version) {
				csv_row(f, "density", cmd->label, d->n, "cgroup_total_kb", d->cg_total);
				csv_row(f, "density", cmd->label, d->n, "cgroup_kernel_kb", d->cg_kernel);
			}
			csv_row(f, "density", cmd->label, d->n, "rss_kb", d->rss);
			csv_row(f, "density", cmd->label, d->n, "pss_kb", d->pss);
			csv_row(f, "density", cmd->label, d->n, "uss_kb", d->uss);
			csv_row(f, "density", cmd->label, d->n, "model_kb", d->model);
		}
		if (b->runs > 0 && !cmd->fails) {
			const struct timing *t[2] = { &cmd->fork_exec, &cmd->spawn };
			const char *m[2] = { "fork_exec", "posix_spawn" };
			for (int k = 0; k < 2; k++) {
				char name[64];
				snprintf(name, sizeof name, "%s_median_us", m[k]);
				csv_row(f, "startup", cmd->label, b->runs, name, t[k]->med);
				snprintf(name, sizeof name, "%s_p90_us", m[k]);
				csv_row(f, "startup", cmd->label, b->runs, name, t[k]->p90);
				snprintf(name, sizeof name, "%s_p99_us", m[k]);
				csv_row(f, "startup", cmd->label, b->runs, name, t[k]->p99);
				snprintf(name, sizeof name, "%s_faults", m[k]);
				csv_row(f, "startup", cmd->label, b->runs, name, t[k]->faults);
			}
		}
	}
}
