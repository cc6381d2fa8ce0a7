/* svg.c: the results as one SVG a browser shows as it is.
 *
 *   memory per instance (largest N)        startup, fork+exec, microseconds
 *   cmd A |#####|##|#|##|          172 kB   cmd A  |----[==|====]-----|
 *   cmd B |###|##|#|#|             117 kB   cmd B  |--[=|==]---|
 *          anon ptbl kstack slab percpu             min [median p90] p99
 *
 * Written atomically (temp file + rename). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/outfile.h"
#include "bench.h"

static const char *const colour[DF_N] = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f" };
static const char *const part[DF_N] = { "anonymous pages", "page tables", "kernel stack", "slab", "percpu" };

#define W 960
#define LABEL 300	/* left margin for the command names */
#define PLOT (W - LABEL - 110)
#define ROW 26

static void text(FILE *f, double x, double y, const char *anchor, const char *extra, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>", x, y, anchor, extra);
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	fputs("</text>\n", f);
}

/* a round step for about 6 ticks up to max */
static double step_for(double max)
{
	double raw = max / 6, p = pow(10, floor(log10(raw))), m = raw / p;
	return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

static void axis(FILE *f, double y0, double y1, double max, const char *unit)
{
	double st = step_for(max);
	for (double v = 0; v <= max * 1.0001; v += st) {
		double x = LABEL + v / max * PLOT;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x, y0, x, y1);
		char s[32];
		snprintf(s, sizeof s, "%g", v);
		text(f, x, y1 + 14, "middle", "font-size=\"11\"", s);
	}
	text(f, LABEL + PLOT / 2.0, y1 + 30, "middle", "font-size=\"12\"", unit);
}

static double label_of(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s);
	if (len > 44)
		snprintf(buf, n, "...%s", s + len - 41);
	else
		snprintf(buf, n, "%s", s);
	return 0;
}

static double density_panel(FILE *f, const struct bench *b, double y)
{
	int ni = 0;
	for (int i = 1; i < b->nns; i++)
		if (b->ns[i] > b->ns[ni])
			ni = i;
	double max = 1;
	for (int c = 0; c < b->ncmds; c++)
		if (b->cmd[c].d[ni].alive > 0 && b->cmd[c].d[ni].total > max)
			max = b->cmd[c].d[ni].total;
	max *= 1.1;
	char title[128];
	snprintf(title, sizeof title, "Memory per instance, kernel side included (%ld instances, /proc/meminfo deltas)",
		 b->ns[ni]);
	text(f, 10, y + 18, "start", "font-size=\"15\" font-weight=\"bold\"", title);
	y += 34;
	axis(f, y, y + b->ncmds * ROW, max, "KiB per instance");
	for (int c = 0; c < b->ncmds; c++, y += ROW) {
		const struct density *d = &b->cmd[c].d[ni];
		char l[64];
		label_of(l, sizeof l, b->cmd[c].label);
		text(f, LABEL - 8, y + 17, "end", "font-size=\"12\"", l);
		if (d->alive <= 0) {
			text(f, LABEL + 4, y + 17, "start", "font-size=\"12\" fill=\"#a00\"", "exits at once: not measured");
			continue;
		}
		double x = LABEL;
		for (int k = 0; k < DF_N; k++) {
			double w = d->field[k] > 0 ? d->field[k] / max * PLOT : 0;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %.1f KiB</title></rect>\n",
				x, y + 4, w, ROW - 8, colour[k], part[k], d->field[k]);
			x += w;
		}
		char v[32];
		snprintf(v, sizeof v, "%.0f KiB", d->total);
		text(f, x + 6, y + 17, "start", "font-size=\"12\"", v);
	}
	y += 44;
	double x = LABEL;
	for (int k = 0; k < DF_N; k++) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x, y, colour[k]);
		text(f, x + 16, y + 11, "start", "font-size=\"12\"", part[k]);
		x += 24 + 7.0 * (double)strlen(part[k]);
	}
	return y + 30;
}

static double startup_panel(FILE *f, const struct bench *b, double y)
{
	double max = 1;
	for (int c = 0; c < b->ncmds; c++)
		if (!b->cmd[c].fails && b->cmd[c].fork_exec.p99 > max)
			max = b->cmd[c].fork_exec.p99;
	max *= 1.1;
	char title[128];
	snprintf(title, sizeof title, "Startup: fork+exec to exit, %ld runs each (min, median to p90, p99)", b->runs);
	text(f, 10, y + 18, "start", "font-size=\"15\" font-weight=\"bold\"", title);
	y += 34;
	axis(f, y, y + b->ncmds * ROW, max, "microseconds per exec");
	for (int c = 0; c < b->ncmds; c++, y += ROW) {
		const struct command *cmd = &b->cmd[c];
		char l[64];
		label_of(l, sizeof l, cmd->label);
		text(f, LABEL - 8, y + 17, "end", "font-size=\"12\"", l);
		if (cmd->fails) {
			text(f, LABEL + 4, y + 17, "start", "font-size=\"12\" fill=\"#a00\"", cmd->fails);
			continue;
		}
		const struct timing *t = &cmd->fork_exec;
		double x0 = LABEL + t->min / max * PLOT, xm = LABEL + t->med / max * PLOT;
		double x9 = LABEL + t->p90 / max * PLOT, x99 = LABEL + t->p99 / max * PLOT;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n", x0, y + ROW / 2.0,
			x99, y + ROW / 2.0);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#9ecae9\" stroke=\"#4e79a7\"><title>median %.0f us, p90 %.0f us, p99 %.0f us</title></rect>\n",
			xm, y + 5, x9 - xm > 1 ? x9 - xm : 1, ROW - 10, t->med, t->p90, t->p99);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"2\"/>\n", xm,
			y + 3, xm, y + ROW - 3);
		char v[48];
		snprintf(v, sizeof v, "%.0f us", t->med);
		text(f, x99 + 6, y + 17, "start", "font-size=\"12\"", v);
	}
	return y + 50;
}

int svg_write(const struct bench *b, const char *path)
{
	struct outfile o;
	FILE *f = outfile_open(&o, path);
	int rows = (b->nns > 0 ? b->ncmds * ROW + 140 : 0) + (b->runs > 0 ? b->ncmds * ROW + 90 : 0);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		W, rows + 20, W, rows + 20);
	double y = 10;
	if (b->nns > 0)
		y = density_panel(f, b, y);
	if (b->runs > 0)
		startup_panel(f, b, y);
	fputs("</svg>\n", f);
	outfile_commit(&o);
	return 0;
}
