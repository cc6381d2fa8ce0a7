/* hello: the smallest program that does something visible */
#include <stdio.h>

int main(void)
{
	puts("hello");
	return 0;
}
