/* the shared library of uselib; VALUE is set by the test's build */
#ifndef VALUE
#define VALUE 1
#endif
const char resident_test_name[] = "resident_test_lib";
int resident_test_value(void)
{
	return VALUE;
}
