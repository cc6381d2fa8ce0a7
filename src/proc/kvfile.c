#include "kvfile.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "plainfile.h"

int kv_parse(struct linereader *lr, const struct key *keys, int n, char sep,
	     uint64_t *vals, uint64_t *seen, struct parse_error *pe)
{
	const char *s, *k, *v;
	size_t len, klen, vlen;
	int rc;
	while ((rc = lr_next(lr, &s, &len)) > 0) {
		if (len == 0)
			continue;
		if (!kv_split(s, len, sep, &k, &klen, &v, &vlen)) {
			pe->line = lr->lineno;
			pe->reason = "line is not \"key: value\"";
			return -EINVAL;
		}
		int i = key_find(keys, n, k, klen);
		if (i < 0)
			continue;
		int e = scan_kb(v, vlen, &vals[i]);
		if (e < 0) {
			pe->line = lr->lineno;
			pe->reason = e == -ERANGE ? "number too large" : "bad number";
			return -EINVAL;
		}
		*seen |= 1ull << i;
	}
	return rc;
}

const struct key meminfo_keys[MI_NFIELDS] = {
	[MI_MEMTOTAL] = KEY("MemTotal"),
	[MI_MEMFREE] = KEY("MemFree"),
	[MI_MEMAVAILABLE] = KEY("MemAvailable"),
	[MI_ANONPAGES] = KEY("AnonPages"),
	[MI_SHMEM] = KEY("Shmem"),
	[MI_SLAB] = KEY("Slab"),
	[MI_SRECLAIMABLE] = KEY("SReclaimable"),
	[MI_SUNRECLAIM] = KEY("SUnreclaim"),
	[MI_KERNELSTACK] = KEY("KernelStack"),
	[MI_PAGETABLES] = KEY("PageTables"),
	[MI_PERCPU] = KEY("Percpu"),
	[MI_SWAPTOTAL] = KEY("SwapTotal"),
	[MI_SWAPFREE] = KEY("SwapFree"),
};

static const struct key status_keys[ST_NFIELDS] = {
	[ST_TGID] = KEY("Tgid"),
	[ST_PPID] = KEY("PPid"),
	[ST_UID] = KEY("Uid"),
	[ST_THREADS] = KEY("Threads"),
	[ST_FDSIZE] = KEY("FDSize"),
	[ST_VMPTE] = KEY("VmPTE"),
	[ST_VMRSS] = KEY("VmRSS"),
	[ST_VMSWAP] = KEY("VmSwap"),
	[ST_RSSANON] = KEY("RssAnon"),
	[ST_RSSFILE] = KEY("RssFile"),
	[ST_RSSSHMEM] = KEY("RssShmem"),
	[ST_KTHREAD] = KEY("Kthread"),
};

int status_parse(struct linereader *lr, struct status *st, struct parse_error *pe)
{
	const char *s, *k, *v;
	size_t len, klen, vlen;
	int rc;
	memset(st, 0, sizeof *st);
	while ((rc = lr_next(lr, &s, &len)) > 0) {
		if (len == 0)
			continue;
		if (!kv_split(s, len, ':', &k, &klen, &v, &vlen)) {
			pe->line = lr->lineno;
			pe->reason = "line is not \"key: value\"";
			return -EINVAL;
		}
		if (klen == 4 && memcmp(k, "Name", 4) == 0) {
			size_t m = vlen < sizeof st->name - 1 ? vlen : sizeof st->name - 1;
			memcpy(st->name, v, m);
			st->name[m] = 0;
			continue;
		}
		if (klen == 5 && memcmp(k, "State", 5) == 0) {
			st->state = vlen ? v[0] : 0;
			continue;
		}
		int i = key_find(status_keys, ST_NFIELDS, k, klen);
		if (i < 0)
			continue;
		int e;
		if (i == ST_UID) {	/* "real effective saved fs": keep the real uid */
			e = scan_u64(v, vlen, 10, &st->v[i]);
			e = e < 0 ? e : e == 0 ? -EINVAL : 0;
		} else {
			e = scan_kb(v, vlen, &st->v[i]);
		}
		if (e < 0) {
			pe->line = lr->lineno;
			pe->reason = e == -ERANGE ? "number too large" : "bad number";
			return -EINVAL;
		}
		st->seen |= 1ull << i;
	}
	return rc;
}

int meminfo_read(int root, uint64_t *vals, uint64_t *seen)
{
	int fd = plainfile_open(root, "meminfo");
	if (fd < 0)
		return fd;
	struct linereader lr = LINEREADER_ZERO;
	struct parse_error pe;
	*seen = 0;
	lr_from_fd(&lr, fd);
	int rc = kv_parse(&lr, meminfo_keys, MI_NFIELDS, ':', vals, seen, &pe);
	lr_free(&lr);
	close(fd);
	return rc;
}
