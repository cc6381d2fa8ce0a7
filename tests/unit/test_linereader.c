/* test_linereader: lines of any length through a pipe, where reads come in
 * arbitrary chunks, and from memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/proc/linereader.h"
#include "tap.h"

/* a child writes text into a pipe in small pieces; we read it back */
static int pipe_of(const char *text, size_t len)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		close(p[0]);
		for (size_t off = 0; off < len;) {
			size_t n = len - off < 4093 ? len - off : 4093;	/* odd chunks */
			ssize_t w = write(p[1], text + off, n);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static void long_lines(void **state)
{
	(void)state;
	/* 3 lines: 1 MiB of 'a', an empty one, "end" without a newline */
	size_t big = 1 << 20;
	char *text = malloc(big + 8);
	memset(text, 'a', big);
	memcpy(text + big, "\n\nend", 5);
	int fd = pipe_of(text, big + 5);
	struct linereader lr = LINEREADER_ZERO;
	lr_from_fd(&lr, fd);
	const char *s;
	size_t n;
	assert_int_equal(lr_next(&lr, &s, &n), 1);
	assert_int_equal(n, big);
	assert_true(s[0] == 'a' && s[big - 1] == 'a');
	assert_int_equal(lr_next(&lr, &s, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(lr_next(&lr, &s, &n), 1);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "end", 3);
	assert_int_equal(lr.lineno, 3);
	assert_int_equal(lr_next(&lr, &s, &n), 0);
	close(fd);
	wait(NULL);
	/* the buffer is kept for the next file */
	assert_non_null(lr.buf);
	lr_free(&lr);
	free(text);
}

static void memory_source(void **state)
{
	(void)state;
	struct linereader lr = LINEREADER_ZERO;
	const char *s;
	size_t n;
	lr_from_mem(&lr, "a\nbb\n", 5);
	assert_int_equal(lr_next(&lr, &s, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(lr_next(&lr, &s, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(lr_next(&lr, &s, &n), 0);
	lr_from_mem(&lr, "", 0);
	assert_int_equal(lr_next(&lr, &s, &n), 0);
}

static void read_error(void **state)
{
	(void)state;
	struct linereader lr = LINEREADER_ZERO;
	const char *s;
	size_t n;
	lr_from_fd(&lr, -1);	/* a closed descriptor: the error comes back */
	lr.fd = 1000000;
	assert_int_equal(lr_next(&lr, &s, &n), -EBADF);
	lr_free(&lr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_lines), cmocka_unit_test(memory_source),
		cmocka_unit_test(read_error),
	};
	return RUN_TAP(tests);
}
