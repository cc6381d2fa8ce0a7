/* cgroups.c: a run's cgroups.  One in a memory hierarchy, whose own
 * accounting density.c reads; one that kills all its members at once:
 * cgroup v2's cgroup.kill, else a v1 freezer (freeze, SIGKILL each member,
 * thaw: a frozen process cannot fork meanwhile), else the members listed
 * in the memory cgroup, killed until none is left.
 *
 * Names: resident-bench-NS-PID-START-SEQ, NS the inode of resident's PID
 * namespace, PID and START (/proc/PID/stat, clock ticks after boot) its
 * own: a later run in the same namespace tells the cgroups of a resident
 * that was SIGKILLed, kills what still runs there and removes them.
 *
 * Killing, leaving and removing use system calls only: the signal handler
 * calls them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/err.h"
#include "bench.h"

/* the roots of the hierarchies we may make cgroups in, "" if none */
static char mem_base[CGS_PATH], kill_base[CGS_PATH];
static int mem_version, kill_kind;
static unsigned long long self_ns, self_start;
static int seq;

/* dst = a "/" b, without stdio (async-signal-safe); "" if too long */
static void path_join(char *dst, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la + 1 + lb + 1 > n) {
		dst[0] = 0;
		return;
	}
	memcpy(dst, a, la);
	dst[la] = '/';
	memcpy(dst + la + 1, b, lb + 1);
}

static void nap(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&t, NULL);
}

static int write_file(const char *dir, const char *name, const char *s)
{
	char p[CGS_PATH + 32];
	path_join(p, sizeof p, dir, name);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int e = write(fd, s, strlen(s)) < 0 ? -errno : 0;
	close(fd);
	return e;
}

/* the processes in dir/cgroup.procs but resident, SIGKILLed if kill;
 * how many */
static long listed(const char *dir, int kill_them)
{
	char p[CGS_PATH + 32], buf[4096];
	path_join(p, sizeof p, dir, "cgroup.procs");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	long n = 0, pid = 0, self = getpid();
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				pid = pid * 10 + (buf[i] - '0');
			} else if (pid) {
				if (pid != self) {
					if (kill_them)
						kill((pid_t)pid, SIGKILL);
					n++;
				}
				pid = 0;
			}
		}
	close(fd);
	return n;
}

/* until nothing is listed, or ~1 s: what forked between reading and killing */
static void kill_until_empty(const char *dir)
{
	for (int i = 0; i < 200 && listed(dir, 1); i++)
		nap(5);
}

static void freeze_kill_thaw(const char *dir)
{
	char p[CGS_PATH + 32], st[16];
	if (write_file(dir, "freezer.state", "FROZEN") == 0) {
		/* FREEZING until every member stopped; a task in an
		 * uninterruptible wait may hold it there: then kill anyway */
		path_join(p, sizeof p, dir, "freezer.state");
		for (int i = 0; i < 200; i++) {
			int fd = open(p, O_RDONLY | O_CLOEXEC);
			ssize_t r = fd < 0 ? -1 : read(fd, st, sizeof st - 1);
			if (fd >= 0)
				close(fd);
			if (r <= 0 || !strncmp(st, "FROZEN", 6))
				break;
			nap(5);
		}
	}
	listed(dir, 1);	/* frozen: the signal waits for the thaw */
	write_file(dir, "freezer.state", "THAWED");
	kill_until_empty(dir);
}

static void kill_dir(const char *dir, int kind)
{
	if (!dir[0])
		return;
	if (kind == CGS_KILL_V2 && write_file(dir, "cgroup.kill", "1") == 0)
		return;		/* kills the subtree at once, forks in flight too */
	if (kind == CGS_KILL_FREEZER)
		freeze_kill_thaw(dir);
	else
		kill_until_empty(dir);	/* v2 before 5.14, or a memory cgroup */
}

/* rmdir, while its last members are still being reaped */
static void remove_dir(char *dir)
{
	if (!dir[0])
		return;
	for (int i = 0; i < 400 && rmdir(dir) && errno == EBUSY; i++)
		nap(5);
	dir[0] = 0;
}

const char *bench_stat_fields(pid_t pid, char *buf, size_t size)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t r = read(fd, buf, size - 1);
	close(fd);
	if (r <= 0)
		return NULL;
	buf[r] = 0;
	const char *s = strrchr(buf, ')');	/* the name may hold anything but its last ')' */
	return s && s[1] == ' ' ? s + 2 : NULL;
}

/* field 22 of /proc/PID/stat, the start time in clock ticks; 0 if gone */
static unsigned long long start_time(pid_t pid)
{
	char buf[1024];
	const char *s = bench_stat_fields(pid, buf, sizeof buf);
	unsigned long long t = 0;
	/* "S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 *  utime stime cutime cstime priority nice threads itrealvalue START" */
	if (!s || sscanf(s, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &t) != 1)
		return 0;
	return t;
}

static unsigned long long pidns_inode(void)
{
	struct stat st;
	return stat("/proc/self/ns/pid", &st) ? 0 : (unsigned long long)st.st_ino;
}

/* whether the resident that made cgroup `name` has died: the same PID
 * namespace, and its pid gone or started at another time; names of older
 * versions (resident-bench-PID-SEQ): its pid gone */
static int orphaned(const char *name)
{
	unsigned long long ns, start;
	int pid, s, end = 0;
	if (sscanf(name, "resident-bench-%llu-%d-%llu-%d%n", &ns, &pid, &start, &s, &end) == 4 && !name[end])
		return ns == self_ns && pid > 0 && start_time(pid) != start;
	end = 0;
	if (sscanf(name, "resident-bench-%d-%d%n", &pid, &s, &end) == 2 && !name[end])
		return pid > 0 && kill(pid, 0) && errno == ESRCH;
	return 0;
}

/* the cgroups of runs that were killed (SIGKILL leaves no time to clean
 * up): what still runs there is killed, the cgroups removed; processes
 * killed */
static long sweep(const char *base, int kind)
{
	DIR *d = opendir(base);
	struct dirent *e;
	long killed = 0;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "resident-bench-", 15) || !orphaned(e->d_name))
			continue;
		char p[CGS_PATH];
		path_join(p, sizeof p, base, e->d_name);
		if (!p[0])
			continue;
		killed += listed(p, 0);
		kill_dir(p, kind);
		remove_dir(p);
	}
	if (d)
		closedir(d);
	return killed;
}

/* mountinfo: the first cgroup2 mount, v1 mounts with memory and freezer */
static void find_mounts(char *v2, char *v1mem, char *v1frz, size_t n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	v2[0] = v1mem[0] = v1frz[0] = 0;
	while (f && fgets(line, sizeof line, f)) {
		char mnt[CGS_PATH], fstype[64], opts[512];
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %199s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (!strcmp(fstype, "cgroup2") && !v2[0])
			snprintf(v2, n, "%s", mnt);
		else if (!strcmp(fstype, "cgroup"))
			for (char *o = strtok(opts, ","); o; o = strtok(NULL, ",")) {
				if (!strcmp(o, "memory") && !v1mem[0])
					snprintf(v1mem, n, "%s", mnt);
				else if (!strcmp(o, "freezer") && !v1frz[0])
					snprintf(v1frz, n, "%s", mnt);
			}
	}
	if (f)
		fclose(f);
}

static int has_word(const char *dir, const char *file, const char *word)
{
	char p[CGS_PATH + 32], buf[512] = "";
	snprintf(p, sizeof p, "%s/%s", dir, file);
	FILE *f = fopen(p, "re");
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = 0;
		fclose(f);
	}
	for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
		if (!strcmp(w, word))
			return 1;
	return 0;
}

int cgs_setup(int want_memory, const char **why, long *swept)
{
	char v2[CGS_PATH], v1mem[CGS_PATH], v1frz[CGS_PATH];
	find_mounts(v2, v1mem, v1frz, CGS_PATH);
	self_ns = pidns_inode();
	self_start = start_time(getpid());
	int v2w = v2[0] && access(v2, W_OK) == 0;
	/* memory: v2 with the memory controller enabled for children, else v1 */
	if (v2w && has_word(v2, "cgroup.subtree_control", "memory")) {
		snprintf(mem_base, sizeof mem_base, "%s", v2);
		mem_version = 2;
	} else if (v1mem[0] && access(v1mem, W_OK) == 0) {
		snprintf(mem_base, sizeof mem_base, "%s", v1mem);
		mem_version = 1;
	}
	/* killing: the memory cgroup itself on v2; beside v1 memory, the v1
	 * freezer; else a v2 hierarchy without controllers (cgroup.kill
	 * needs none) */
	if (mem_version == 2) {
		snprintf(kill_base, sizeof kill_base, "%s", v2);
		kill_kind = CGS_KILL_V2;
	} else if (v1frz[0] && access(v1frz, W_OK) == 0) {
		snprintf(kill_base, sizeof kill_base, "%s", v1frz);
		kill_kind = CGS_KILL_FREEZER;
	} else if (v2w) {
		snprintf(kill_base, sizeof kill_base, "%s", v2);
		kill_kind = CGS_KILL_V2;
	}
	/* every hierarchy an earlier run may have used, killing first */
	*swept = 0;
	if (v2w)
		*swept += sweep(v2, CGS_KILL_V2);
	if (v1frz[0] && access(v1frz, W_OK) == 0)
		*swept += sweep(v1frz, CGS_KILL_FREEZER);
	if (mem_version == 1)
		*swept += sweep(v1mem, CGS_KILL_PROCS);
	if (!want_memory)
		mem_version = 0;
	if (mem_version)
		return mem_version;
	*why = !want_memory ? "--no-cgroup"
	       : v1mem[0] || v2[0] ? "the memory cgroup hierarchy is not writable by this user"
				   : "no memory cgroup controller on this machine";
	return 0;
}

static int make_one(char *dst, const char *base)
{
	dst[0] = 0;
	if (!base[0])
		return 0;
	snprintf(dst, CGS_PATH, "%s/resident-bench-%llu-%d-%llu-%d", base, self_ns, (int)getpid(), self_start, seq);
	if (mkdir(dst, 0755) == 0)
		return 1;
	warn("%s: %s", dst, strerror(errno));
	dst[0] = 0;
	return 0;
}

static int open_in(const char *dir, const char *name)
{
	char p[CGS_PATH + 32];
	if (!dir[0])
		return -1;
	path_join(p, sizeof p, dir, name);
	return open(p, O_WRONLY | O_CLOEXEC);
}

void cgs_make(struct cgs *c, int memory)
{
	memset(c, 0, sizeof *c);
	c->mem_fd = c->kill_fd = c->home_fd = -1;
	seq++;
	if (memory && mem_version && make_one(c->mem, mem_base)) {
		c->mem_version = mem_version;
		c->mem_fd = open_in(c->mem, "cgroup.procs");
	}
	if (mem_version == 2 && c->mem[0]) {
		snprintf(c->kill, sizeof c->kill, "%s", c->mem);	/* the same cgroup */
		c->kill_kind = CGS_KILL_V2;
		c->same = 1;
	} else if (make_one(c->kill, kill_base)) {
		c->kill_kind = kill_kind;
		c->kill_fd = open_in(c->kill, "cgroup.procs");
	}
}

const char *cgs_kind(void)
{
	return kill_base[0] ? (kill_kind == CGS_KILL_V2 ? "cgroup.kill" : "freezer")
	       : mem_version ? "memory" : NULL;
}

const char *cgs_how(const struct cgs *c)
{
	return !c->kill[0] ? (c->mem[0] ? "memory cgroup" : NULL)
	       : c->kill_kind == CGS_KILL_V2 ? "cgroup.kill" : "freezer cgroup";
}

/* the runner thread's cgroup in the kill hierarchy, from /proc/self/task/TID/cgroup */
static int home_path(pid_t tid, char *dst, size_t n)
{
	char p[64], line[1024];
	snprintf(p, sizeof p, "/proc/self/task/%d/cgroup", (int)tid);
	FILE *f = fopen(p, "re");
	int found = 0;
	while (f && !found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		int v2 = c1[1] == 0 && !strncmp(line, "0", 1);
		int frz = 0;
		for (char *o = strtok(c1 + 1, ","); o; o = strtok(NULL, ","))
			frz |= !strcmp(o, "freezer");
		if ((kill_kind == CGS_KILL_FREEZER && frz) || (kill_kind == CGS_KILL_V2 && v2)) {
			snprintf(dst, n, "%s%s", kill_base, c2 + 1);
			found = 1;
		}
	}
	if (f)
		fclose(f);
	return found;
}

int cgs_enter(struct cgs *c, pid_t tid)
{
	char home[CGS_PATH];
	if (!c->kill[0] || !home_path(tid, home, sizeof home))
		return -ENOENT;
	/* v1 moves one thread (tasks), v2 the whole process */
	const char *file = c->kill_kind == CGS_KILL_FREEZER ? "tasks" : "cgroup.procs";
	c->home_fd = open_in(home, file);
	if (c->home_fd < 0)
		return -errno;
	c->tid = tid;
	int e = write_file(c->kill, file, "0");
	if (e) {
		close(c->home_fd);
		c->home_fd = -1;
	}
	return e;
}

/* async-signal-safe */
void cgs_leave(struct cgs *c)
{
	if (c->home_fd < 0)
		return;
	char num[16];
	int i = sizeof num;
	num[--i] = 0;
	unsigned v = c->kill_kind == CGS_KILL_FREEZER ? (unsigned)c->tid : 0;
	do
		num[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	/* still inside: then no freezing nor cgroup.kill, which would take
	 * resident too; its members are killed one by one */
	if (write(c->home_fd, num + i, strlen(num + i)) < 0)
		c->kill_kind = CGS_KILL_PROCS;
	close(c->home_fd);
	c->home_fd = -1;
}

/* async-signal-safe */
void cgs_kill(const struct cgs *c)
{
	kill_dir(c->kill, c->kill_kind);
	if (!c->same)
		kill_until_empty(c->mem);
}

/* async-signal-safe */
void cgs_remove(struct cgs *c)
{
	if (c->mem_fd >= 0)
		close(c->mem_fd);
	if (c->kill_fd >= 0)
		close(c->kill_fd);
	c->mem_fd = c->kill_fd = -1;
	if (c->same)
		c->kill[0] = 0;
	remove_dir(c->kill);
	remove_dir(c->mem);
}
