/* textfolios.c: a large text's page cache read again in 2 MiB folios
 * (textfolios.h says when and why). */
#include "textfolios.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PMD (2ull << 20)

static unsigned long long reread(const struct cap_map *m)
{
	/* the file the map names, as the capture saw it: no link followed,
	 * no FIFO waited on, the same inode */
	int fd = open(m->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_ino != m->ino || major(st.st_dev) != m->dev_major ||
	    minor(st.st_dev) != m->dev_minor) {
		close(fd);
		return 0;
	}
	uint64_t off = m->offset & ~(PMD - 1), end = m->offset + (m->end - m->start);
	if (end > (uint64_t)st.st_size)
		end = (uint64_t)st.st_size;
	unsigned long long done = 0;
	if (end > off) {
		size_t len = (size_t)(end - off);
		posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_DONTNEED);
		void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
		if (p != MAP_FAILED) {
			/* readahead of a VM_HUGEPAGE map asks for PMD-size folios */
			if (madvise(p, len, MADV_HUGEPAGE) == 0 && madvise(p, len, MADV_POPULATE_READ) == 0)
				done = len;
			munmap(p, len);
		}
	}
	close(fd);
	return done;
}

unsigned long long text_folios(const struct capture *c)
{
	unsigned long long n = 0;
	for (size_t i = 0; i < c->nmaps; i++) {
		const struct cap_map *m = &c->maps[i];
		if (m->perms[2] == 'x' && m->path[0] == '/' && m->ino && m->end - m->start >= PMD &&
		    (m->start - m->offset) % PMD == 0)
			n += reread(m);
	}
	return n;
}
