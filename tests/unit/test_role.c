/* test_role: the roles of this very process's mappings, as the kernel lists
 * them: its own text and data, heap, stack, ld.so, libc, cmocka (a shared
 * library), vdso. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cost/role.h"
#include "tap.h"

struct seen {
	struct role_ctx rc;
	int n[ROLE_N];
	int cmocka_is_lib, libc_bss;
	uint64_t data_anon_kb;
};

static int on_vma(void *ctx, const struct vma *v)
{
	struct seen *s = ctx;
	int cont;
	enum role r = role_classify(&s->rc, v, &cont);
	s->n[r]++;
	if (strstr(v->path, "libcmocka"))
		s->cmocka_is_lib += r == ROLE_LIBS;
	if (!v->path[0] && r == ROLE_LIBC && cont)
		s->libc_bss++;
	if (r == ROLE_DATA)
		s->data_anon_kb += v->kb[SM_ANONYMOUS];
	if (!strcmp(v->path, "[vdso]"))
		assert_int_equal(r, ROLE_SPECIAL);
	return 0;
}

static void own_mappings(void **state)
{
	(void)state;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = 0;
	/* a brk heap, whatever the allocator (ASan's does not use brk) */
	volatile char *p = sbrk(4096);
	assert_true(p != (void *)-1);
	p[0] = 1;
	struct seen s;
	memset(&s, 0, sizeof s);
	role_start(&s.rc, exe, 0);
	struct smaps_reader r = SMAPS_READER_ZERO;
	struct parse_error pe;
	int fd = open("/proc/self/smaps", O_RDONLY);
	lr_from_fd(&r.lr, fd);
	assert_true(smaps_parse(&r, on_vma, &s, &pe) > 0);
	close(fd);
	smaps_reader_free(&r);
	role_end(&s.rc);
	sbrk(-4096);
	assert_true(s.n[ROLE_TEXT] >= 1);
	assert_true(s.n[ROLE_DATA] >= 1);
	assert_true(s.data_anon_kb >= 4);	/* relocated data was written */
	assert_int_equal(s.n[ROLE_HEAP], 1);
	assert_int_equal(s.n[ROLE_STACK], 1);
	assert_true(s.n[ROLE_LDSO] >= 2);
	assert_true(s.n[ROLE_LIBC] >= 3);
	assert_true(s.cmocka_is_lib >= 2);
	assert_true(s.n[ROLE_SPECIAL] >= 2);
	assert_int_equal(s.n[ROLE_IMAGE], 0);
}

static void names(void **state)
{
	(void)state;
	assert_int_equal(file_kind_of("/usr/lib/x86_64-linux-gnu/libc.so.6"), FK_LIBC);
	assert_int_equal(file_kind_of("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), FK_LDSO);
	assert_int_equal(file_kind_of("/lib/ld-musl-x86_64.so.1"), FK_LIBC);
	assert_int_equal(file_kind_of("/usr/lib/x86_64-linux-gnu/libcmocka.so.0.7.0"), FK_LIB);
	assert_int_equal(file_kind_of("/usr/lib/x86_64-linux-gnu/libcap.so.2"), FK_LIB);
	assert_int_equal(file_kind_of("/usr/lib/locale/locale-archive"), FK_OTHER);
	assert_int_equal(file_kind_of("/usr/bin/libc-tool"), FK_OTHER);
	assert_int_equal(file_kind_of("/opt/x/libfoo.so (deleted)"), FK_LIB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_mappings), cmocka_unit_test(names),
	};
	return RUN_TAP(tests);
}
