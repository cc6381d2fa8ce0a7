/* test_procfs: procfs_children on this very process, with no children, a
 * few, and more than one read of the children file holds. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/proc/procfs.h"
#include "tap.h"

#define MANY 1000	/* 5 to 8 characters each: past the 4096 bytes one read takes */

static pid_t kids[MANY];

static int start(int n)
{
	for (int i = 0; i < n; i++)
		if ((kids[i] = fork()) == 0) {
			pause();
			_exit(0);
		} else if (kids[i] < 0)
			return i;
	return n;
}

static void stop(int n)
{
	for (int i = 0; i < n; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
}

static int ours(pid_t p, int n)
{
	for (int i = 0; i < n; i++)
		if (kids[i] == p)
			return 1;
	return 0;
}

static void none(void **state)
{
	(void)state;
	pid_t out[4];
	assert_int_equal(procfs_children(getpid(), out, 4), 0);
}

static void few(void **state)
{
	(void)state;
	assert_int_equal(start(3), 3);
	pid_t out[8];
	long n = procfs_children(getpid(), out, 8);
	assert_int_equal(n, 3);
	for (long i = 0; i < n; i++)
		assert_true(ours(out[i], 3));
	assert_int_equal(procfs_children(getpid(), out, 1), 1);
	stop(3);
}

/* more than one read holds: the first part comes back, whole numbers, ours */
static void many(void **state)
{
	(void)state;
	int n = start(MANY);
	assert_int_equal(n, MANY);
	static pid_t out[MANY];
	long got = procfs_children(getpid(), out, MANY);
	assert_true(got > 0 && got < MANY);
	for (long i = 0; i < got; i++)
		assert_true(ours(out[i], n));
	stop(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(none), cmocka_unit_test(few), cmocka_unit_test(many),
	};
	return RUN_TAP(tests);
}
