/* slow.c: preloaded into resident by tests, this makes one moment of a
 * snap 300 ms wide, so that a race happens on demand instead of in a few
 * runs out of hundreds.  SLOW=prctl: the capture's child between its fork
 * and its death signal; SLOW=fork: between finding the program and the
 * capture (touching file time stamps here would be a file system change).
 * SLOW=forked: the parent, just after each fork.
 * SLOW=unlink-image is a signal rather than a wait: SIGTERM sent to itself
 * as check removes the image it made, i.e. while it cleans up on exit. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int slow(const char *what)
{
	const char *s = getenv("SLOW");
	return s && !strcmp(s, what);
}

int prctl(int option, ...)
{
	va_list ap;
	va_start(ap, option);
	unsigned long a = va_arg(ap, unsigned long), b = va_arg(ap, unsigned long), c = va_arg(ap, unsigned long),
		      d = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_PDEATHSIG && slow("prctl"))
		usleep(300000);
	int (*real)(int, ...) = (int (*)(int, ...))dlsym(RTLD_NEXT, "prctl");
	return real(option, a, b, c, d);
}

pid_t fork(void)
{
	if (slow("fork"))
		usleep(300000);
	pid_t (*real)(void) = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
	pid_t p = real();
	if (p > 0 && slow("forked"))
		usleep(300000);
	return p;
}

int unlinkat(int dirfd, const char *name, int flags)
{
	if (slow("unlink-image") && !strcmp(name, "image"))
		raise(SIGTERM);
	int (*real)(int, const char *, int) = (int (*)(int, const char *, int))dlsym(RTLD_NEXT, "unlinkat");
	return real(dirfd, name, flags);
}
