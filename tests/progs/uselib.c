/* uselib: a program linked against a shared library the test builds
 * (tests/progs/lib/resident_test_lib.c), so that the test can rebuild the
 * library and see the image notice. */
#include <stdio.h>

int resident_test_value(void);
extern const char resident_test_name[];

int main(void)
{
	printf("%s says %d\n", resident_test_name, resident_test_value());
	return 0;
}
