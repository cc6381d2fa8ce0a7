/* dirty: a process whose private pages are known exactly.
 *
 *   dirty [--heap K] [--data] [--stack S] [--threads T] [--spread N]
 *
 * Grows the brk heap by exactly K pages and writes each (no malloc, no
 * stdio: nothing else touches the heap), optionally writes one more page of
 * .data and S more pages of stack, one page in each of N 2 MiB regions
 * (page tables), optionally starts T-1 extra threads,
 * then tells it is ready (one byte on the fd named by $READY_FD, else on
 * stdout) and waits for a signal.
 *
 * With $DIRTY_REPORT set, it first writes there its own count of resident
 * stack pages, from mincore(2): the kernel's truth, independent of smaps,
 * since ld.so's start-up frames fault in a varying number of stack pages. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096

/* two pages of initialised data; only the second is written with --data */
static volatile char data_pages[2][PAGE] __attribute__((aligned(PAGE))) = { { 1 }, { 1 } };

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* n pages below the caller's frame, written so the stack grows n pages */
static __attribute__((noinline)) void touch_stack(long n)
{
	char pages[n * PAGE];
	for (long i = 0; i < n * PAGE; i += 256)
		*(volatile char *)&pages[i] = (char)i;
	__asm__ volatile("" : : "r"(pages) : "memory");	/* keep the frame */
}

/* resident pages of the [stack] mapping, counted by mincore; no stdio,
 * which would malloc and so touch the heap this program keeps exact */
static long stack_pages(void)
{
	static char maps[65536];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n, len = 0;
	while (fd >= 0 && (n = read(fd, maps + len, sizeof maps - 1 - len)) > 0)
		len += n;
	if (fd < 0)
		return -1;
	close(fd);
	maps[len] = 0;
	char *line = strstr(maps, "[stack]");
	if (!line)
		return -1;
	while (line > maps && line[-1] != '\n')
		line--;
	char *end;
	unsigned long lo = strtoul(line, &end, 16), hi = strtoul(end + 1, NULL, 16);
	size_t pages = (hi - lo) / PAGE;
	unsigned char vec[pages];
	if (mincore((void *)lo, hi - lo, vec))
		return -1;
	long r = 0;
	for (size_t i = 0; i < pages; i++)
		r += vec[i] & 1;
	return r;
}

int main(int argc, char **argv)
{
	long heap = 0, threads = 1, stack = 0, spread = 0;
	int data = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--heap") && i + 1 < argc)
			heap = atol(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atol(argv[++i]);
		else if (!strcmp(argv[i], "--data"))
			data = 1;
		else if (!strcmp(argv[i], "--stack") && i + 1 < argc)
			stack = atol(argv[++i]);
		else if (!strcmp(argv[i], "--spread") && i + 1 < argc)
			spread = atol(argv[++i]);
		else
			return 2;
	}
	if (heap > 0) {
		char *h = sbrk(heap * PAGE);
		if (h == (void *)-1)
			return 1;
		for (long p = 0; p < heap; p++)
			h[p * PAGE] = 1;
	}
	if (data)
		data_pages[1][0] = 2;
	/* --spread N: one dirty page in each of N 2 MiB regions, a page-table
	 * page each (the page-tables advice) */
	if (spread > 0) {
		char *r = mmap(NULL, (size_t)spread << 21, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (r == MAP_FAILED)
			return 1;
		for (long k = 0; k < spread; k++) {
			char *p = r + ((size_t)k << 21);
			if (mprotect(p, PAGE, PROT_READ | PROT_WRITE))
				return 1;
			*p = 1;
		}
	}
	if (stack > 0)
		touch_stack(stack);
	for (long t = 1; t < threads; t++) {
		pthread_t th;
		if (pthread_create(&th, NULL, idle_thread, NULL))
			return 1;
	}
	const char *rep = getenv("DIRTY_REPORT");
	if (rep) {
		char buf[128];
		int len = snprintf(buf, sizeof buf, "stack_pages %ld\nheap_pages %ld\n", stack_pages(), heap);
		int fd = open(rep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, buf, (size_t)len) != len || close(fd))
			return 1;
	}
	const char *rf = getenv("READY_FD");
	int fd = rf ? atoi(rf) : 1;
	if (write(fd, "r", 1) != 1)
		return 1;
	if (rf)
		close(fd);
	for (;;)
		pause();
}
