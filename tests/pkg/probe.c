/* the throwaway package's program: prints its library's version */
#include <stdio.h>
const char *probe_version(void);
int main(void)
{
	printf("resident-probe %s\n", probe_version());
	return 0;
}
