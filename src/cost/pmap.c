/* pmap.c: `resident cost --maps PID`, pmap -X with resident's figures:
 * each mapping of one process with its role, its pages (RSS, PSS,
 * private, shared, swap, own), then the process's kernel side. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/fmt.h"
#include "../proc/procfs.h"
#include "columns.h"
#include "report.h"

struct listing {
	FILE *f;
	int json, n;
	enum unit unit;
	struct role_ctx rc;
	struct memsum sum;
};

static int row(void *ctx, const struct vma *v)
{
	struct listing *l = ctx;
	int cont;
	enum role r = role_classify(&l->rc, v, &cont);
	uint64_t priv = v->kb[SM_PRIVATE_CLEAN] + v->kb[SM_PRIVATE_DIRTY];
	uint64_t shr = v->kb[SM_SHARED_CLEAN] + v->kb[SM_SHARED_DIRTY], own = vma_own_kb(v);
	for (int i = 0; i < SM_NFIELDS; i++)
		l->sum.kb[i] += v->kb[i];
	l->sum.own += own;
	l->sum.maps++;
	if (l->json) {
		fprintf(l->f, "%s{\"start\":%llu,\"end\":%llu,\"perms\":\"%s\",\"offset\":%llu,\"role\":\"%s\",",
			l->n++ ? "," : "", (unsigned long long)v->start, (unsigned long long)v->end, v->perms,
			(unsigned long long)v->offset, role_name[r]);
		json_path_field(l->f, "path", v->path);
		fprintf(l->f, ",\"rss_kb\":%llu,\"pss_kb\":%llu,\"private_kb\":%llu,\"shared_kb\":%llu,\"swap_kb\":%llu,"
			      "\"own_kb\":%llu}", (unsigned long long)v->kb[SM_RSS], (unsigned long long)v->kb[SM_PSS],
			(unsigned long long)priv, (unsigned long long)shr, (unsigned long long)v->kb[SM_SWAP],
			(unsigned long long)own);
		return 0;
	}
	char b[6][32];
	fprintf(l->f, "%012llx-%012llx %s %-7s %6s %6s %6s %6s %6s %6s ", (unsigned long long)v->start,
		(unsigned long long)v->end, v->perms, role_name[r], col_format(b[0], (double)v->kb[SM_RSS], 1, l->unit),
		col_format(b[1], (double)v->kb[SM_PSS], 1, l->unit), col_format(b[2], (double)priv, 1, l->unit),
		col_format(b[3], (double)shr, 1, l->unit), col_format(b[4], (double)v->kb[SM_SWAP], 1, l->unit),
		col_format(b[5], (double)own, 1, l->unit));
	char clean[4 * 4096 + 8];
	text_clean(v->path, clean, sizeof clean);
	fprintf(l->f, "%s\n", clean);
	return 0;
}

int report_maps(FILE *out, int root, pid_t pid, const struct pcost *p, int json, enum unit unit)
{
	/* written whole or not at all: a process that exits while its smaps
	 * is read ends the file early, and a listing cut there would look
	 * complete (the adversarial pass) */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		die(EXIT_FAIL, "out of memory");
	struct listing l = { .f = f, .json = json, .unit = unit };
	char exe[4096];
	long n = procfs_readlink(root, pid, "exe", exe, sizeof exe);
	if (n < 0)
		exe[0] = 0;
	role_start(&l.rc, exe, 0);
	int fd = procfs_open_file(root, pid, "smaps");
	if (fd < 0)
		die_errno(fd == -ENOENT || fd == -ESRCH ? EXIT_NOTHING : EXIT_NOTHING, fd, "pid %d: smaps", (int)pid);
	struct smaps_reader sr = SMAPS_READER_ZERO;
	struct parse_error pe = { 0, NULL };
	lr_from_fd(&sr.lr, fd);
	if (json) {
		fprintf(f, "{\"schema\":\"resident-cost-maps/1\",\"pid\":%d,", (int)pid);
		json_path_field(f, "exe", exe);
		fputs(",\"maps\":[", f);
	} else {
		fprintf(f, "%-25s %-4s %-7s %6s %6s %6s %6s %6s %6s %s\n", "ADDRESS", "PERM", "ROLE", "RSS", "PSS", "PRIV",
			"SHARED", "SWAP", "OWN", "MAPPING");
	}
	int rc = smaps_parse(&sr, row, &l, &pe);
	close(fd);
	smaps_reader_free(&sr);
	if (rc < 0)
		die(EXIT_NOTHING, "pid %d: smaps: %s", (int)pid, rc == -EINVAL ? pe.reason : strerror(-rc));
	/* its address space still there after the read: an exiting process
	 * loses it (status has no VmRSS then) before it is a zombie */
	char name[32], st[4096];
	snprintf(name, sizeof name, "%d/status", (int)pid);
	if (procfs_read(root, name, st, sizeof st) <= 0 || !strstr(st, "\nVmRSS:") || strstr(st, "\nState:\tZ") ||
	    strstr(st, "\nState:\tX") || !l.sum.maps)
		die(EXIT_NOTHING, "pid %d: exited while its mappings were read", (int)pid);
	const struct kside *k = &p->ks;
	if (json) {
		fprintf(f, "],\"kernel\":{\"page_tables_kb\":%.1f,\"kernel_stack_kb\":%.1f,\"slab_kb\":%.1f,\"percpu_kb\":%.1f}}\n",
			k->page_tables / 1024, k->kernel_stack / 1024, k->slab / 1024, k->percpu / 1024);
		goto emit;
	}
	char b[8][32];
	uint64_t priv = l.sum.kb[SM_PRIVATE_CLEAN] + l.sum.kb[SM_PRIVATE_DIRTY];
	uint64_t shr = l.sum.kb[SM_SHARED_CLEAN] + l.sum.kb[SM_SHARED_DIRTY];
	fprintf(f, "%-25s %-4s %-7s %6s %6s %6s %6s %6s %6s %llu mappings\n", "TOTAL", "", "",
		col_format(b[0], (double)l.sum.kb[SM_RSS], 1, unit), col_format(b[1], (double)l.sum.kb[SM_PSS], 1, unit),
		col_format(b[2], (double)priv, 1, unit), col_format(b[3], (double)shr, 1, unit),
		col_format(b[4], (double)l.sum.kb[SM_SWAP], 1, unit), col_format(b[5], (double)l.sum.own, 1, unit),
		(unsigned long long)l.sum.maps);
	fprintf(f, "kernel side: page tables %s, kernel stack %s, slab %s, percpu %s (resident-cost(1) has the model)\n",
		col_format(b[0], k->page_tables / 1024, 1, unit), col_format(b[1], k->kernel_stack / 1024, 1, unit),
		col_format(b[2], k->slab / 1024, 1, unit), col_format(b[3], k->percpu / 1024, 1, unit));
emit:
	fclose(f);
	fwrite(text, 1, len, out);
	free(text);
	return 0;
}
