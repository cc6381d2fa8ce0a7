/* test_scan: numbers and "key: value" splitting, at their edges. */
#include <errno.h>
#include <string.h>

#include "../../src/proc/scan.h"
#include "tap.h"

static void numbers(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(scan_u64("12345 kB", 8, 10, &v), 5);
	assert_int_equal(v, 12345);
	assert_int_equal(scan_u64("7ffd0000-", 9, 16, &v), 8);
	assert_int_equal(v, 0x7ffd0000);
	assert_int_equal(scan_u64("18446744073709551615", 20, 10, &v), 20);
	assert_true(v == UINT64_MAX);
	assert_int_equal(scan_u64("18446744073709551616", 20, 10, &v), -ERANGE);
	assert_int_equal(scan_u64("x1", 2, 10, &v), 0);
	assert_int_equal(scan_u64("", 0, 10, &v), 0);
}

static void kb_values(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(scan_kb("132 kB", 6, &v), 0);
	assert_int_equal(v, 132);
	assert_int_equal(scan_kb("7", 1, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(scan_kb("7 MB", 4, &v), -EINVAL);
	assert_int_equal(scan_kb("abc", 3, &v), -EINVAL);
	assert_int_equal(scan_kb("-5 kB", 5, &v), -EINVAL);
	assert_int_equal(scan_kb("99999999999999999999999 kB", 26, &v), -ERANGE);
}

static void splitting(void **state)
{
	(void)state;
	const char *k, *v;
	size_t kl, vl;
	const char *line = "VmPTE:\t      36 kB  ";
	assert_int_equal(kv_split(line, strlen(line), ':', &k, &kl, &v, &vl), 1);
	assert_int_equal(kl, 5);
	assert_memory_equal(k, "VmPTE", 5);
	assert_int_equal(vl, 5);
	assert_memory_equal(v, "36 kB", 5);
	line = "anon 1234";
	assert_int_equal(kv_split(line, strlen(line), ' ', &k, &kl, &v, &vl), 1);
	assert_int_equal(kl, 4);
	assert_memory_equal(v, "1234", 4);
	line = "no colon here";
	assert_int_equal(kv_split(line, strlen(line), ':', &k, &kl, &v, &vl), 0);
	assert_int_equal(kv_split(":x", 2, ':', &k, &kl, &v, &vl), 0);
	assert_int_equal(kv_split("Key:", 4, ':', &k, &kl, &v, &vl), 1);
	assert_int_equal(vl, 0);
}

static void keys(void **state)
{
	(void)state;
	static const struct key tab[] = { KEY("Rss"), KEY("Pss"), KEY("Pss_Dirty") };
	assert_int_equal(key_find(tab, 3, "Pss", 3), 1);
	assert_int_equal(key_find(tab, 3, "Pss_Dirty", 9), 2);
	assert_int_equal(key_find(tab, 3, "Ps", 2), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers), cmocka_unit_test(kb_values),
		cmocka_unit_test(splitting), cmocka_unit_test(keys),
	};
	return RUN_TAP(tests);
}
