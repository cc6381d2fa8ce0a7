/* five.c: a program with five libraries of its own (five-lib.c, built as
 * libfive1.so ... libfive5.so, found through RUNPATH $ORIGIN/lib) and
 * libc: what bench/deps.sh measures the image's dependency checks on. */
#include <stdio.h>

int five1(void), five2(void), five3(void), five4(void), five5(void);

int main(int argc, char **argv)
{
	(void)argv;
	int s = five1() + five2() + five3() + five4() + five5();
	if (argc > 1)
		printf("%d\n", s);
	return 0;
}
