#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../proc/kvfile.h"
#include "../proc/plainfile.h"

const char *const cg_field_name[CG_NFIELDS] = {
	"anon", "file", "kernel", "kernel_stack", "pagetables", "percpu",
	"slab_unreclaimable", "slab_reclaimable", "shmem", "rss", "cache",
};

static int open_in(const char *dir, const char *name)
{
	char p[4096];
	if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p)
		return -ENAMETOOLONG;
	return plainfile_open(AT_FDCWD, p);
}

long cgroup_pids(const char *path, pid_t **pids)
{
	int fd = open_in(path, "cgroup.procs");
	if (fd < 0)
		return fd;
	struct linereader lr = LINEREADER_ZERO;
	lr_from_fd(&lr, fd);
	size_t n = 0, cap = 64;
	pid_t *v = malloc(cap * sizeof *v);
	const char *s;
	size_t len;
	int rc = 0;
	while (v && (rc = lr_next(&lr, &s, &len)) > 0) {
		uint64_t p;
		if (scan_u64(s, len, 10, &p) != (int)len || p == 0 || p > 0x7fffffff) {
			rc = -EINVAL;
			break;
		}
		if (n == cap) {
			pid_t *nv = realloc(v, (cap *= 2) * sizeof *v);
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[n++] = (pid_t)p;
	}
	lr_free(&lr);
	close(fd);
	if (!v)
		return -ENOMEM;
	if (rc < 0) {
		free(v);
		return rc;
	}
	*pids = v;
	return (long)n;
}

static int read_u64(const char *dir, const char *name, uint64_t *out)
{
	char buf[64];
	int fd = open_in(dir, name);
	if (fd < 0)
		return fd;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	if (!strncmp(buf, "max", 3))
		return -EINVAL;
	return scan_u64(buf, (size_t)n, 10, out) > 0 ? 0 : -EINVAL;
}

int cgroup_memory(const char *path, struct cgroup_mem *m, const char **why)
{
	static struct key keys[CG_NFIELDS];
	for (int i = 0; i < CG_NFIELDS; i++)
		keys[i] = (struct key){ cg_field_name[i], strlen(cg_field_name[i]) };
	memset(m, 0, sizeof *m);
	m->path = path;
	*why = NULL;
	if (read_u64(path, "memory.current", &m->current) == 0)
		m->version = 2;
	else if (read_u64(path, "memory.usage_in_bytes", &m->current) == 0)
		m->version = 1;
	else
		return 0;	/* no memory controller in this hierarchy */
	if (m->version == 1)
		m->kmem_seen = read_u64(path, "memory.kmem.usage_in_bytes", &m->kmem) == 0;
	int fd = open_in(path, "memory.stat");
	if (fd < 0)
		return 0;
	struct linereader lr = LINEREADER_ZERO;
	struct parse_error pe;
	lr_from_fd(&lr, fd);
	int rc = kv_parse(&lr, keys, CG_NFIELDS, ' ', m->stat, &m->seen, &pe);
	lr_free(&lr);
	close(fd);
	if (rc == -EINVAL)
		*why = pe.reason;
	return rc;
}
