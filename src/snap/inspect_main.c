/* inspect_main.c: `resident inspect IMAGE`: what an image holds, and
 * whether each file it depends on is still the one it was made from. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/fmt.h"

extern char **environ;

/* the pages the fixups in memory land on (in address order) */
static unsigned fixup_pages(const struct img_header *h, const struct img_fixup *f)
{
	unsigned n = 0;
	uint64_t last = ~0ull;
	for (uint32_t i = 0; i < h->nfixups; i++)
		if (!(f[i].kind & IFX_F_BLOB) && f[i].addr / 4096 != last) {
			last = f[i].addr / 4096;
			n++;
		}
	return n;
}

static const char usage_text[] =
	"usage: resident inspect [--json] IMAGE\n"
	"\n"
	"What an image holds: the program it starts, its mappings in /proc/PID/maps\n"
	"form with where each comes from, the files it depends on and whether each\n"
	"is still current, its saved bytes, and whether it would restore here and\n"
	"now, with this environment (the loader's own checks).\n"
	"exit: 0 current, 1 stale or broken (it would run the program normally, or\n"
	"      fail to), 2 usage, 4 not an image or damaged\n";

static const char *kind_name(uint32_t k)
{
	return k == IMK_FILE ? "file" : k == IMK_ZERO ? "zero" : k == IMK_SAVED ? "saved" : k == IMK_PAGES ? "pages" : "?";
}

static void perms(char *p, uint32_t prot)
{
	p[0] = prot & PROT_READ ? 'r' : '-';
	p[1] = prot & PROT_WRITE ? 'w' : '-';
	p[2] = prot & PROT_EXEC ? 'x' : '-';
	p[3] = 'p';
	p[4] = 0;
}

static const char *dep_kind(uint32_t k)
{
	return k == IMD_MAPPED ? "mapped" : k == IMD_FILE ? "file" : k == IMD_DIR ? "dir" : k == IMD_ABSENT ? "absent"
	       : k == IMD_DENIED ? "denied" : k == IMD_LINK ? "link" : k == IMD_CONTENT ? "content" : "?";
}

/* an after-init image's img_sysop, in words */
static void sysop_text(const struct img_sysop *o, char *out, size_t n)
{
	unsigned long long sig = o->arg[0];
	const char *ign = o->arg[1] & 1 ? "ignored" : "not ignored";
	if (o->kind == ISO_ANSWER && o->nr == 157 && o->arg[0] == 23)
		snprintf(out, n, "prctl(PR_CAPBSET_READ, %llu) must be %lld", (unsigned long long)o->arg[1],
			 (long long)o->ret);
	else if (o->kind == ISO_ANSWER && o->nr == 157 && o->arg[0] == 47)
		snprintf(out, n, "prctl(PR_CAP_AMBIENT_IS_SET, %llu) must be %lld", (unsigned long long)o->arg[2],
			 (long long)o->ret);
	else if (o->kind == ISO_ANSWER && o->nr == 157)
		snprintf(out, n, "prctl(%s) must be %lld", o->arg[0] == 27 ? "PR_GET_SECUREBITS" : "PR_GET_NO_NEW_PRIVS",
			 (long long)o->ret);
	else if (o->kind == ISO_ANSWER)
		snprintf(out, n, "%s() must be %lld", o->nr == 102 ? "getuid" : o->nr == 107 ? "geteuid"
			 : o->nr == 104 ? "getgid" : "getegid", (long long)o->ret);
	else if (o->kind == ISO_SIGACTION && (o->arg[1] & ISO_F_ASKED))
		snprintf(out, n, "signal %llu must be %s, as at exec", sig, ign);
	else if (o->kind == ISO_SIGACTION)
		snprintf(out, n, "signal %llu must be %s, as at exec; then handled by %#llx", sig, ign,
			 (unsigned long long)o->set[0]);
	else
		snprintf(out, n, "blocked signals must be %#llx, as at exec; then %#llx", (unsigned long long)o->arg[0],
			 (unsigned long long)o->set[0]);
}

static const char *state_name(enum image_state s)
{
	return s == IMAGE_CURRENT ? "current" : s == IMAGE_STALE ? "stale" : "broken";
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, 0, 'J' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	int json = 0, c;
	usage_init("inspect");
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == 'J')
			json = 1;
		else if (c == 'h')
			return usage_help(usage_text);
		else
			usage_bad_option(c, argv);
	}
	if (argc - optind != 1)
		usage_fail(argc - optind ? "one IMAGE at a time" : "missing IMAGE");
	struct image im;
	char why[256];
	if (image_open(argv[optind], &im, why, sizeof why))
		die(EXIT_FAIL, "%s: %s", argv[optind], why);
	const struct img_header *h = im.h;
	const struct img_sysop *sops = (const struct img_sysop *)((const char *)h + h->sysops_off);
	struct image_verdict v = image_judge(&im, environ);
	/* a system image's saved pages are in its sidecar */
	uint64_t saved = h->pages_file ? im.deps[h->pages_file - 1].size : h->size - h->data_off;
	const char *pages = h->pages_file ? im.str + im.deps[h->pages_file - 1].path : NULL;
	if (json) {
		printf("{\"schema\":\"resident-image/2\",\"image\":");
		json_str(stdout, im.path);
		printf(",\"program\":");
		json_str(stdout, im.loc.orig);
		printf(",\"version\":%u,\"size\":%llu,\"loader_bytes\":%zu,\"table_bytes\":%llu,\"saved_bytes\":%llu,"
		       "\"state\":\"%s\",\"current\":%s,\"stale_reason\":",
		       h->version, (unsigned long long)h->size, im.loader_size, (unsigned long long)h->tables_size,
		       (unsigned long long)saved, state_name(v.state), v.why ? "false" : "true");
		if (v.why)
			json_str(stdout, v.why);
		else
			fputs("null", stdout);
		printf(",\"stale_file\":");
		if (v.what)
			json_str(stdout, v.what);
		else
			fputs("null", stdout);
		printf(",\"pages_file\":");
		if (pages)
			json_str(stdout, pages);
		else
			fputs("null", stdout);
		printf(",\"layouts\":%u,\"kernel\":", im.nlayouts);
		json_str(stdout, im.str + h->kernel);
		printf(",\"stack_under\":%s", h->flags & IMG_F_STACK_BELOW ? "true" : "false");
		printf(",\"after_init\":%s,\"prefault_ranges\":%u,\"entry\":%llu,\"resume\":%llu,\"fixups\":%u,\"fixup_pages\":%u,"
		       "\"stack_top\":%llu,\"stack_floor\":%llu,\"deps\":[",
		       h->flags & IMG_F_AFTER_INIT ? "true" : "false", h->nprefault, (unsigned long long)h->entry,
		       (unsigned long long)h->resume, h->nfixups, fixup_pages(h, im.fixups),
		       (unsigned long long)h->stack_top, (unsigned long long)h->stack_floor);
		for (uint32_t i = 0; i < h->ndeps; i++) {
			const char *s = image_dep_state(&im, i);
			printf("%s{\"path\":", i ? "," : "");
			json_str(stdout, im.str + im.deps[i].path);
			printf(",\"kind\":\"%s\",\"ino\":%llu,\"size\":%llu,\"current\":%s,\"reason\":", dep_kind(im.deps[i].kind),
			       (unsigned long long)im.deps[i].ino, (unsigned long long)im.deps[i].size, s ? "false" : "true");
			if (s)
				json_str(stdout, s);
			else
				fputs("null", stdout);
			printf("}");
		}
		printf("],\"maps\":[");
		for (uint32_t i = 0; i < h->nmaps; i++) {
			const struct img_map *m = &im.maps[i];
			printf("%s{\"start\":%llu,\"end\":%llu,\"prot\":%u,\"kind\":\"%s\",\"offset\":%llu", i ? "," : "",
			       (unsigned long long)m->start, (unsigned long long)m->end, m->prot, kind_name(m->kind),
			       (unsigned long long)m->offset);
			if (m->kind == IMK_FILE) {
				printf(",\"file\":");
				json_str(stdout, im.str + im.deps[m->file].path);
			}
			printf("}");
		}
		/* where each part is in the file (and the sidecar's) */
		printf("],\"regions\":{\"locator\":{\"offset\":%zu,\"size\":%zu},\"layouts\":[", im.loc_off,
		       sizeof(struct img_locator));
		for (unsigned k = 0; k < im.nlayouts; k++)
			printf("%s{\"tables_offset\":%llu,\"tables_size\":%llu,\"pages_offset\":%llu,\"pages_size\":%llu}",
			       k ? "," : "", (unsigned long long)im.tables_off[k], (unsigned long long)im.tables_size[k],
			       (unsigned long long)im.pages[k].off, (unsigned long long)im.pages[k].size);
		printf("]},\"env\":[");
		for (uint32_t i = 0, k = 0; i < h->nenv; i++)
			if (!im.env[i].flags) {
				printf("%s", k++ ? "," : "");
				json_str(stdout, im.str + im.env[i].str);
			}
		/* after init: what the constructors' getenv calls and argv[0] tie it to */
		printf("],\"checks\":[");
		static const char *const kind[] = { "", "set", "unset", "argv0" };
		for (uint32_t i = 0, k = 0; i < h->nenv; i++)
			if (im.env[i].flags) {
				const char *e = im.str + im.env[i].str;
				printf("%s{\"kind\":\"%s\",\"name\":", k++ ? "," : "", kind[im.env[i].flags]);
				if (im.env[i].flags == IMG_ENV_ARG0) {
					json_str(stdout, e);
				} else {
					printf("\"%.*s\"", (int)strcspn(e, "="), e);
					if (im.env[i].flags == IMG_ENV_SET)
						printf(",\"hash\":\"%s\"", e + strcspn(e, "=") + 1);
				}
				printf("}");
			}
		printf("],\"kernel_state\":[");
		for (uint32_t i = 0; i < h->nsysops; i++) {
			char t[160];
			sysop_text(&sops[i], t, sizeof t);
			printf("%s", i ? "," : "");
			json_str(stdout, t);
		}
		printf("]}\n");
	} else {
		char b[4][16];
		printf("image    %s\nprogram  %s\nstate    %s", im.path, im.loc.orig, state_name(v.state));
		if (v.why)
			printf(": %s%s%s%s", v.why, v.what ? " (" : "", v.what ? v.what : "", v.what ? ")" : "");
		if (v.state == IMAGE_STALE)
			printf("; it runs the program normally");
		printf("\nsize     %s: loader %s, tables %s, saved pages %s\n", fmt_kb(b[0], h->size / 1024.0),
		       fmt_kb(b[1], im.loader_size / 1024.0), fmt_kb(b[2], h->tables_size / 1024.0),
		       fmt_kb(b[3], saved / 1024.0));
		if (im.nlayouts > 1)
			printf("layouts  %u, one picked at random per exec (shown: layout 1's addresses)\n",
			       im.nlayouts);
		if (pages)
			printf("pages    %s (a system image: /proc/self/exe names the program where the\n"
			       "         user has CAP_CHECKPOINT_RESTORE)\n", pages);
		printf("kernel   %s\nresume   %#llx (ld.so's _dl_start_user), entry %#llx\n"
		       "fixups   %u saved words, on %u pages (each start writes them)\n",
		       im.str + h->kernel, (unsigned long long)h->resume, (unsigned long long)h->entry, h->nfixups,
		       fixup_pages(h, im.fixups));
		if (h->stack_top)
			printf("stack    moved to end at %#llx, %s the program (compact page tables)\n",
			       (unsigned long long)h->stack_top, h->flags & IMG_F_STACK_BELOW ? "under" : "above");
		else
			printf("stack    where the kernel puts it (RLIMIT_STACK too large to move it)\n");
		if (h->flags & IMG_F_AFTER_INIT)
			printf("start    at main, after the constructors (snap --after-init)\n");
		if (h->nprefault) {
			const struct img_prefault *pf = (const struct img_prefault *)((const char *)h + h->prefault_off);
			uint64_t pages = 0;
			for (uint32_t i = 0; i < h->nprefault; i++)
				pages += pf[i].len / 4096;
			printf("prefault %u ranges, %llu pages, populated at each start (snap --prefault)\n", h->nprefault,
			       (unsigned long long)pages);
		}
		for (uint32_t i = 0; i < h->nenv; i++) {
			const char *e = im.str + im.env[i].str;
			int nl = (int)strcspn(e, "=");
			if (im.env[i].flags == IMG_ENV_UNSET)
				printf("env      %.*s must not be set (a constructor asked for it)\n", nl, e);
			else if (im.env[i].flags == IMG_ENV_SET)
				printf("env      %.*s must have its value at snap (hash %s; a constructor read it)\n", nl, e,
				       e + nl + 1);
			else if (im.env[i].flags == IMG_ENV_ARG0)
				printf("name     argv[0] must end in %s (a constructor may test it)\n", e);
			else
				printf("env      %s (must match)\n", e);
		}
		for (uint32_t i = 0; i < h->nsysops; i++) {
			char t[160];
			sysop_text(&sops[i], t, sizeof t);
			printf("kernel   %s (a constructor's, at each start)\n", t);
		}
		printf("\ndepends on (what a normal exec looks at)\n");
		for (uint32_t i = 0; i < h->ndeps; i++) {
			const char *s = image_dep_state(&im, i);
			printf("  %-8s %-6s %s%s%s\n", s ? "changed" : "current", dep_kind(im.deps[i].kind),
			       im.str + im.deps[i].path, s ? ": " : "", s ? s : "");
		}
		printf("\nmaps\n");
		for (uint32_t i = 0; i < h->nmaps; i++) {
			const struct img_map *m = &im.maps[i];
			char p[5];
			perms(p, m->prot);
			printf("  %012llx-%012llx %s %08llx %-5s %s\n", (unsigned long long)m->start,
			       (unsigned long long)m->end, p, (unsigned long long)m->offset, kind_name(m->kind),
			       m->kind == IMK_FILE ? im.str + im.deps[m->file].path
			       : m->kind == IMK_SAVED || m->kind == IMK_PAGES ? (pages ? "(sidecar)" : "(image)") : "");
		}
		if (h->vdso_start)
			printf("  %012llx-%012llx r-xp          vdso  (moved back here)\n",
			       (unsigned long long)h->vdso_start, (unsigned long long)h->vdso_end);
	}
	image_close(&im);
	return v.why ? EXIT_PARTIAL : EXIT_OK;
}
