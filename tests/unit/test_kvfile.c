/* test_kvfile: status and meminfo of this very process and machine, and the
 * malformed fixtures. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "../../src/proc/kvfile.h"
#include "tap.h"

static int status_of_self(struct status *st)
{
	struct linereader lr = LINEREADER_ZERO;
	struct parse_error pe;
	int fd = open("/proc/self/status", O_RDONLY);
	assert_true(fd >= 0);
	lr_from_fd(&lr, fd);
	int rc = status_parse(&lr, st, &pe);
	close(fd);
	lr_free(&lr);
	return rc;
}

static void *sleeper(void *arg)
{
	pthread_barrier_wait(arg);
	pthread_barrier_wait(arg);
	return NULL;
}

static void self_status(void **state)
{
	(void)state;
	struct status st;
	assert_int_equal(status_of_self(&st), 0);
	assert_int_equal(st.v[ST_TGID], (uint64_t)getpid());
	assert_int_equal(st.v[ST_PPID], (uint64_t)getppid());
	assert_int_equal(st.v[ST_UID], (uint64_t)getuid());
	assert_int_equal(st.v[ST_THREADS], 1);
	assert_true(st.seen >> ST_VMPTE & 1);
	assert_true(st.v[ST_VMPTE] > 0);
	assert_true(st.v[ST_FDSIZE] >= 64);
	assert_true(st.state == 'R');
	assert_string_equal(st.name, "test_kvfile");
	/* two more threads show as Threads: 3 */
	pthread_barrier_t b;
	pthread_t t[2];
	pthread_barrier_init(&b, NULL, 3);
	pthread_create(&t[0], NULL, sleeper, &b);
	pthread_create(&t[1], NULL, sleeper, &b);
	pthread_barrier_wait(&b);
	assert_int_equal(status_of_self(&st), 0);
	assert_int_equal(st.v[ST_THREADS], 3);
	pthread_barrier_wait(&b);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
}

static void machine_meminfo(void **state)
{
	(void)state;
	uint64_t v[MI_NFIELDS], seen;
	int root = open("/proc", O_RDONLY | O_DIRECTORY);
	assert_int_equal(meminfo_read(root, v, &seen), 0);
	close(root);
	struct sysinfo si;
	sysinfo(&si);
	assert_int_equal(v[MI_MEMTOTAL], (uint64_t)si.totalram * si.mem_unit / 1024);
	assert_true(seen >> MI_KERNELSTACK & 1);
	assert_true(seen >> MI_PAGETABLES & 1);
	assert_true(v[MI_KERNELSTACK] > 0 && v[MI_PAGETABLES] > 0);
}

static void malformed(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		int meminfo;
		unsigned long line;
		const char *reason;
	} cases[] = {
		{ "status/bad-threads.txt", 0, 2, "bad number" },
		{ "status/huge-vmpte.txt", 0, 2, "number too large" },
		{ "status/no-colon.txt", 0, 2, "line is not \"key: value\"" },
		{ "meminfo/negative.txt", 1, 2, "bad number" },
		{ "meminfo/no-colon.txt", 1, 1, "line is not \"key: value\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, FIXTURE("%s"), cases[i].file);
		int fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		struct linereader lr = LINEREADER_ZERO;
		struct parse_error pe = { 0, NULL };
		struct status st;
		uint64_t v[MI_NFIELDS], seen = 0;
		lr_from_fd(&lr, fd);
		int rc = cases[i].meminfo ? kv_parse(&lr, meminfo_keys, MI_NFIELDS, ':', v, &seen, &pe)
					  : status_parse(&lr, &st, &pe);
		close(fd);
		lr_free(&lr);
		assert_int_equal(rc, -EINVAL);
		assert_int_equal(pe.line, cases[i].line);
		assert_string_equal(pe.reason, cases[i].reason);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(self_status), cmocka_unit_test(machine_meminfo),
		cmocka_unit_test(malformed),
	};
	return RUN_TAP(tests);
}
