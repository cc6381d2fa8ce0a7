/* census.c: the processes below resident, found in /proc by their parents.
 *
 * resident is a child subreaper: whatever a run starts and orphans comes
 * back to it (or to the run's PID namespace init, its child), so while it
 * lives, everything a run started and that still runs is a descendant,
 * whatever process group, session or cgroup it moved to.
 *
 * System calls only (no malloc, no stdio): the signal handler uses it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

pid_t census_lost[CENSUS_LOST];
long census_nlost;

static int lost(pid_t pid)
{
	for (long i = 0; i < census_nlost && i < CENSUS_LOST; i++)
		if (census_lost[i] == pid)
			return 1;
	return 0;
}

struct kin {
	pid_t pid, ppid, pgrp;
	char state;
	char below;	/* a descendant of resident */
};

static long parse_num(const char **s)
{
	long v = 0;
	while (**s == ' ')
		(*s)++;
	while (**s >= '0' && **s <= '9')
		v = v * 10 + (*(*s)++ - '0');
	return v;
}

/* state, ppid and pgrp from /proc/PID/stat; 0, or -1 if gone */
static int read_stat(pid_t pid, struct kin *k)
{
	char p[32] = "/proc/", buf[1024];
	char digits[16];
	int i = sizeof digits;
	unsigned v = (unsigned)pid;
	digits[--i] = 0;
	do
		digits[--i] = (char)('0' + v % 10);
	while (v /= 10);
	strcat(p, digits + i);
	strcat(p, "/stat");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = 0;
	/* "PID (COMM) S PPID PGRP ...": COMM may hold spaces and ')' */
	const char *s = NULL;
	for (ssize_t j = r - 1; j >= 0 && !s; j--)
		if (buf[j] == ')')
			s = buf + j + 1;
	if (!s || s[0] != ' ')
		return -1;
	k->pid = pid;
	k->state = s[1];
	s += 2;
	k->ppid = (pid_t)parse_num(&s);
	k->pgrp = (pid_t)parse_num(&s);
	k->below = 0;
	return 0;
}

/* every process in /proc, ascending by pid, into an mmap'd array */
static long snapshot(struct kin **out, size_t *cap_bytes)
{
	size_t cap = 1 << 14, n = 0;
	struct kin *v = mmap(NULL, cap * sizeof *v, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v == MAP_FAILED)
		return -ENOMEM;
	int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		munmap(v, cap * sizeof *v);
		return -errno;
	}
	char buf[8192];
	long r;
	while ((r = getdents64(dfd, buf, sizeof buf)) > 0)
		for (long off = 0; off < r;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			const char *s = d->d_name;
			long pid = parse_num(&s);
			if (*s || pid <= 0)
				continue;
			if (n == cap) {
				void *w = mremap(v, cap * sizeof *v, 2 * cap * sizeof *v, MREMAP_MAYMOVE);
				if (w == MAP_FAILED)
					break;
				v = w;
				cap *= 2;
			}
			if (read_stat((pid_t)pid, &v[n]) == 0)
				n++;
		}
	close(dfd);
	*out = v;
	*cap_bytes = cap * sizeof *v;
	return (long)n;
}

static struct kin *find(struct kin *v, long n, pid_t pid)
{
	long lo = 0, hi = n - 1;
	while (lo <= hi) {
		long m = (lo + hi) / 2;
		if (v[m].pid == pid)
			return &v[m];
		if (v[m].pid < pid)
			lo = m + 1;
		else
			hi = m - 1;
	}
	return NULL;
}

long census(pid_t skip, pid_t pgrp, pid_t *out, long max)
{
	struct kin *v;
	size_t bytes;
	long n = snapshot(&v, &bytes);
	if (n < 0)
		return n;
	/* /proc lists pids in ascending order; insertion sort is for safety,
	 * and costs one comparison each when they are */
	for (long i = 1; i < n; i++)
		for (long j = i; j > 0 && v[j - 1].pid > v[j].pid; j--) {
			struct kin t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	pid_t self = getpid();
	/* mark the descendants, one generation more each pass */
	for (int changed = 1; changed;) {
		changed = 0;
		for (long i = 0; i < n; i++) {
			if (v[i].below)
				continue;
			struct kin *p = v[i].ppid == self ? NULL : find(v, n, v[i].ppid);
			if (v[i].ppid == self || (p && p->below))
				v[i].below = changed = 1;
		}
	}
	long count = 0;
	for (long i = 0; i < n; i++) {
		const struct kin *k = &v[i];
		if (!k->below || k->state == 'Z' || k->state == 'X' || k->pid == skip || (pgrp && k->pgrp == pgrp) ||
		    lost(k->pid))
			continue;
		if (count < max)
			out[count] = k->pid;
		count++;
	}
	munmap(v, bytes);
	return count;
}

static void nap(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&t, NULL);
}

long census_kill(pid_t skip)
{
	pid_t buf[512];
	long n = 0;
	/* ~10 s in all: a task in an uninterruptible wait dies when it wakes */
	for (int round = 0; round < 220; round++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		n = census(skip, 0, buf, (long)(sizeof buf / sizeof buf[0]));
		if (n == 0) {
			/* the last ones died as zombies: ours are reaped here
			 * (the init's exit waits for them) */
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			return 0;
		}
		if (n < 0)
			break;	/* no /proc: nothing more to find */
		int can = 0;
		for (long i = 0; i < n && i < (long)(sizeof buf / sizeof buf[0]); i++)
			can |= kill(buf[i], SIGKILL) == 0 || errno != EPERM;
		if (!can)
			break;	/* not ours to kill (set-user-ID): no use waiting */
		nap(round < 20 ? 1 : 50);
	}
	for (long i = 0; i < n; i++)
		if (census_nlost < CENSUS_LOST && i < (long)(sizeof buf / sizeof buf[0]))
			census_lost[census_nlost++] = buf[i];
		else
			census_nlost++;	/* counted, no longer left out */
	return n < 0 ? 0 : n;
}
