#include "procfs.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plainfile.h"
#include "scan.h"

/* the most tasks a kernel can have: PID_MAX_LIMIT on 64-bit (4M) */
#define TASKS_MAX 4194304

/* the root procfs_open found to be the kernel's procfs (not a --proc
 * copy): what is under it is the kernel's, a plain file or a directory,
 * so its files need no type check (one fstat less a file: 2000 syscalls
 * less a report of 1000 processes) */
static int kernel_root = -1;

int procfs_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct statfs fs;
	if (fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC)
		kernel_root = fd;
	return fd;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

long procfs_pids(int root, pid_t **pids)
{
	int fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return -e;
	}
	size_t n = 0, cap = 1024;
	pid_t *v = malloc(cap * sizeof *v);
	struct dirent *e;
	while (v && (e = readdir(d))) {
		const char *s = e->d_name;
		long p = 0;
		if (*s < '1' || *s > '9')
			continue;
		for (; *s >= '0' && *s <= '9' && p < 0x40000000; s++)
			p = p * 10 + (*s - '0');
		if (*s)
			continue;
		if (n == cap) {
			pid_t *nv = realloc(v, (cap *= 2) * sizeof *v);
			if (!nv) {
				free(v);
				v = NULL;
				break;
			}
			v = nv;
		}
		v[n++] = (pid_t)p;
	}
	closedir(d);
	if (!v)
		return -ENOMEM;
	qsort(v, n, sizeof *v, cmp_pid);
	*pids = v;
	return (long)n;
}

int procfs_open_file(int root, pid_t pid, const char *name)
{
	char p[64];
	snprintf(p, sizeof p, "%d/%s", (int)pid, name);
	if (root == kernel_root && root >= 0) {
		int fd = openat(root, p, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return plainfile_open(root, p);
}

int procfs_exe_stat(int root, pid_t pid, struct stat *st)
{
	char p[32];
	snprintf(p, sizeof p, "%d/exe", (int)pid);
	return fstatat(root, p, st, 0) == 0 ? 0 : -errno;
}

int procfs_exe_open(int root, pid_t pid, struct stat *st)
{
	char p[32];
	snprintf(p, sizeof p, "%d/exe", (int)pid);
	/* follows the link: /proc's leads to the very file the process runs,
	 * a copy's (--proc) anywhere, hence no waiting and the type check */
	int fd = openat(root, p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int e = fstat(fd, st) != 0 ? errno : S_ISREG(st->st_mode) ? 0 : EINVAL;
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}

long procfs_readlink(int root, pid_t pid, const char *name, char *buf, size_t size)
{
	char p[64];
	snprintf(p, sizeof p, "%d/%s", (int)pid, name);
	ssize_t n = readlinkat(root, p, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;	/* a target longer than buf is cut; paths here fit PATH_MAX */
	return (long)n;
}

int procfs_read(int root, const char *name, char *buf, size_t size)
{
	int fd = plainfile_open(root, name);
	if (fd < 0)
		return fd;
	ssize_t n = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return (int)n;
}

long procfs_tasks(int root)
{
	char buf[128];
	int n = procfs_read(root, "loadavg", buf, sizeof buf);
	if (n < 0)
		return n;
	const char *slash = strchr(buf, '/');
	uint64_t tasks;
	if (!slash || scan_u64(slash + 1, strcspn(slash + 1, " \n"), 10, &tasks) <= 0)
		return -EINVAL;
	/* every task has a PID: more than the kernel can number is not a count */
	if (tasks > TASKS_MAX)
		return -ERANGE;
	return (long)tasks;
}

/* decimal v at p, no stdio (async-signal-safe); the end */
static char *put_pid(char *p, pid_t v)
{
	char d[16];
	int k = 0;
	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (k)
		*p++ = d[--k];
	return p;
}

long procfs_children(pid_t pid, pid_t *out, size_t max)
{
	char path[64] = "/proc/", *at = put_pid(path + 6, pid);
	memcpy(at, "/task/", 6);
	at = put_pid(at + 6, pid);
	memcpy(at, "/children", 10);
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t len = read(fd, buf, sizeof buf);
	int e = errno;
	close(fd);
	if (len < 0)
		return -e;
	size_t n = 0;
	for (ssize_t i = 0; i < len && n < max;) {
		pid_t c = 0;
		ssize_t from = i;
		while (i < len && buf[i] >= '0' && buf[i] <= '9')
			c = c * 10 + (buf[i++] - '0');
		if (i == len && len == (ssize_t)sizeof buf)
			break;	/* the buffer's end cut this one: the next read has it */
		if (i > from)
			out[n++] = c;
		while (i < len && (buf[i] < '0' || buf[i] > '9'))
			i++;
	}
	return (long)n;
}
