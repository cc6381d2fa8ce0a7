/* test_groupkey: the systemd unit a cgroup path is in (resident cost --by
 * unit): the deepest unit, a slice only where there is nothing else, the
 * path itself for a container's cgroup outside systemd. */
#include <string.h>

#include "../../src/cost/groupkey.h"
#include "tap.h"

static void units(void **state)
{
	(void)state;
	char b[256];
	assert_string_equal(unit_of_cgroup("/system.slice/ssh.service", b, sizeof b), "ssh.service");
	assert_string_equal(unit_of_cgroup("/user.slice/user-1000.slice/session-3.scope", b, sizeof b), "session-3.scope");
	assert_string_equal(unit_of_cgroup("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", b,
					   sizeof b), "foo.service");
	assert_string_equal(unit_of_cgroup("/user.slice/user-1000.slice", b, sizeof b), "user-1000.slice");
	assert_string_equal(unit_of_cgroup("/system.slice/docker-4f2a.scope", b, sizeof b), "docker-4f2a.scope");
	assert_string_equal(unit_of_cgroup("/docker/4f2a", b, sizeof b), "/docker/4f2a");
	assert_string_equal(unit_of_cgroup("/", b, sizeof b), "/");
	assert_string_equal(unit_of_cgroup("/a.service.d/x", b, sizeof b), "/a.service.d/x");
}

static void kinds(void **state)
{
	(void)state;
	assert_int_equal(group_by_parse("unit"), BY_UNIT);
	assert_int_equal(group_by_parse("user"), BY_USER);
	assert_int_equal(group_by_parse("units"), -1);
	assert_string_equal(group_by_head(BY_CGROUP), "CGROUP");
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(units), cmocka_unit_test(kinds) };
	return RUN_TAP(tests);
}
