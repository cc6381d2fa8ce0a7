/* deep: stack growth and a large untouched bss, for the compact layout
 * (an image moves the stack next to the program: it must still grow to
 * RLIMIT_STACK, and fault exactly where the normal program faults).
 *
 *   deep MB      recurse through MB mebibytes of stack, print "deep MB ok"
 *   deep wait    tell it is ready (one byte on stdout) and wait for a signal */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char untouched[1 << 20];	/* zero, never written: holes in an image */

static int down(long kb)
{
	volatile char frame[1024];
	frame[0] = (char)kb;
	if (kb <= 1)
		return frame[0];
	return down(kb - 1) + frame[0];
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: deep MB | deep wait\n");
		return 2;
	}
	if (!strcmp(argv[1], "wait")) {
		if (write(1, "r", 1) != 1)
			return 1;
		for (;;)
			pause();
	}
	long mb = atol(argv[1]);
	down(mb * 1024);
	volatile char *u = untouched;
	printf("deep %ld ok%s\n", mb, u[(mb << 12) % sizeof untouched] ? "?" : "");
	return 0;
}
