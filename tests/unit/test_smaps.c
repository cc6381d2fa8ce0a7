/* test_smaps: the smaps parser on this process's own /proc files, on a
 * mapping with a path longer than any fixed buffer, and on malformed text. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/proc/smaps.h"
#include "tap.h"

struct sums {
	uint64_t kb[SM_NFIELDS];
	int maps;
	size_t longest;
	char tail[32];
};

static int add(void *ctx, const struct vma *v)
{
	struct sums *s = ctx;
	for (int i = 0; i < SM_NFIELDS; i++)
		s->kb[i] += v->kb[i];
	s->maps++;
	assert_int_equal(strlen(v->path), v->pathlen);
	if (v->pathlen > s->longest) {
		s->longest = v->pathlen;
		snprintf(s->tail, sizeof s->tail, "%s", v->path + v->pathlen - 8);
	}
	return 0;
}

static int parse_file(struct smaps_reader *r, const char *path, struct sums *s, struct parse_error *pe)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	memset(s, 0, sizeof *s);
	lr_from_fd(&r->lr, fd);
	int rc = smaps_parse(r, add, s, pe);
	close(fd);
	return rc;
}

/* the mappings smaps lists are those of maps; its sums match smaps_rollup */
static void self(void **state)
{
	(void)state;
	struct smaps_reader r = SMAPS_READER_ZERO;
	struct parse_error pe;
	struct sums sm, mp, ru;
	int n = parse_file(&r, "/proc/self/smaps", &sm, &pe);
	int m = parse_file(&r, "/proc/self/maps", &mp, &pe);
	int u = parse_file(&r, "/proc/self/smaps_rollup", &ru, &pe);
	assert_true(n > 5);
	assert_int_equal(n, sm.maps);
	assert_int_equal(n, m);
	assert_int_equal(u, 1);
	assert_int_equal(mp.kb[SM_RSS], 0);	/* maps has no fields */
	for (int f = SM_RSS; f <= SM_PRIVATE_DIRTY; f++) {
		/* the process may fault a few pages between the two reads */
		long d = (long)sm.kb[f] - (long)ru.kb[f];
		assert_true(d >= -64 && d <= 64);
	}
	assert_true(sm.kb[SM_SIZE] >= sm.kb[SM_RSS]);
	assert_true(sm.kb[SM_RSS] >= sm.kb[SM_PSS]);
	smaps_reader_free(&r);
}

/* a mapped file whose path is ~3000 bytes: no line or path limit */
static void long_path(void **state)
{
	(void)state;
	char dir[] = "/tmp/resident-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	char comp[250];
	memset(comp, 'd', sizeof comp - 1);
	comp[sizeof comp - 1] = 0;
	for (int i = 0; i < 12; i++) {	/* 12 x 250 bytes of directories */
		assert_int_equal(mkdirat(d, comp, 0700), 0);
		int nd = openat(d, comp, O_RDONLY | O_DIRECTORY);
		close(d);
		d = nd;
	}
	int f = openat(d, "mapped-file", O_RDWR | O_CREAT, 0600);
	assert_int_equal(ftruncate(f, 4096), 0);
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, f, 0);
	assert_true(p != MAP_FAILED);
	struct smaps_reader r = SMAPS_READER_ZERO;
	struct parse_error pe;
	struct sums sm;
	assert_true(parse_file(&r, "/proc/self/smaps", &sm, &pe) > 0);
	assert_true(sm.longest > 3000);
	assert_string_equal(sm.tail, "ped-file");
	munmap(p, 4096);
	close(f);
	unlinkat(d, "mapped-file", 0);
	close(d);
	smaps_reader_free(&r);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static int never(void *ctx, const struct vma *v)
{
	(void)ctx;
	(void)v;
	return 0;
}

/* every malformed fixture is refused with a reason and the line it is on */
static void malformed(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		unsigned long line;
		const char *reason;
	} cases[] = {
		{ "smaps/truncated-header.txt", 1, "bad mapping header" },
		{ "smaps/field-before-header.txt", 1, "field before any mapping" },
		{ "smaps/bad-number.txt", 3, "bad number" },
		{ "smaps/huge-value.txt", 2, "number too large" },
		{ "smaps/garbage.txt", 1, "line is neither a mapping nor a field" },
		{ "smaps/bad-perms.txt", 1, "bad mapping header" },
		{ "smaps/end-before-start.txt", 1, "bad mapping header" },
		{ "smaps/unit-garbage.txt", 2, "bad number" },
		{ "smaps/binary.txt", 1, NULL },
		{ "smaps/nul-in-path.txt", 1, "bad mapping header" },
	};
	struct smaps_reader r = SMAPS_READER_ZERO;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, FIXTURE("%s"), cases[i].file);
		int fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		struct parse_error pe = { 0, NULL };
		lr_from_fd(&r.lr, fd);
		int rc = smaps_parse(&r, never, NULL, &pe);
		close(fd);
		print_message("# %s: line %lu: %s\n", cases[i].file, pe.line, pe.reason ? pe.reason : "-");
		assert_int_equal(rc, -EINVAL);
		assert_int_equal(pe.line, cases[i].line);
		assert_non_null(pe.reason);
		if (cases[i].reason)
			assert_string_equal(pe.reason, cases[i].reason);
	}
	smaps_reader_free(&r);
}

static int stop_at_two(void *ctx, const struct vma *v)
{
	(void)v;
	return ++*(int *)ctx == 2 ? -ECANCELED : 0;
}

/* a callback's error stops the parse and comes back unchanged */
static void callback_stops(void **state)
{
	(void)state;
	struct smaps_reader r = SMAPS_READER_ZERO;
	struct parse_error pe;
	int calls = 0;
	int fd = open("/proc/self/smaps", O_RDONLY);
	lr_from_fd(&r.lr, fd);
	assert_int_equal(smaps_parse(&r, stop_at_two, &calls, &pe), -ECANCELED);
	assert_int_equal(calls, 2);
	close(fd);
	smaps_reader_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(self), cmocka_unit_test(long_path),
		cmocka_unit_test(malformed), cmocka_unit_test(callback_stops),
	};
	return RUN_TAP(tests);
}
