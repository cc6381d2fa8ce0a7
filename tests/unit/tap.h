/* tap.h: cmocka tests print TAP for prove; shared helpers for the unit tests. */
#ifndef RESIDENT_TEST_TAP_H
#define RESIDENT_TEST_TAP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define RUN_TAP(tests) \
	(cmocka_set_message_output(CM_OUTPUT_TAP), cmocka_run_group_tests(tests, NULL, NULL))

/* fixtures live in tests/fixtures; make runs tests from the top directory */
#define FIXTURE(p) ("tests/fixtures/" p)

#endif
