/* slow_prctl.c: preloaded into resident by races.t, this makes the
 * window between a fork and the child's prctl(PR_SET_PDEATHSIG) 300 ms
 * wide, so that "snap killed in its first millisecond" happens on demand
 * instead of in a few runs out of hundreds. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <unistd.h>

int prctl(int option, ...)
{
	va_list ap;
	va_start(ap, option);
	unsigned long a = va_arg(ap, unsigned long), b = va_arg(ap, unsigned long), c = va_arg(ap, unsigned long),
		      d = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_PDEATHSIG)
		usleep(300000);
	int (*real)(int, ...) = (int (*)(int, ...))dlsym(RTLD_NEXT, "prctl");
	return real(option, a, b, c, d);
}
