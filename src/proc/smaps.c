#include "smaps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const smaps_field_name[SM_NFIELDS] = {
	[SM_SIZE] = "Size",
	[SM_RSS] = "Rss",
	[SM_PSS] = "Pss",
	[SM_SHARED_CLEAN] = "Shared_Clean",
	[SM_SHARED_DIRTY] = "Shared_Dirty",
	[SM_PRIVATE_CLEAN] = "Private_Clean",
	[SM_PRIVATE_DIRTY] = "Private_Dirty",
	[SM_ANONYMOUS] = "Anonymous",
	[SM_SWAP] = "Swap",
	[SM_SWAP_PSS] = "SwapPss",
};

static const struct key field_keys[SM_NFIELDS] = {
	[SM_SIZE] = KEY("Size"),
	[SM_RSS] = KEY("Rss"),
	[SM_PSS] = KEY("Pss"),
	[SM_SHARED_CLEAN] = KEY("Shared_Clean"),
	[SM_SHARED_DIRTY] = KEY("Shared_Dirty"),
	[SM_PRIVATE_CLEAN] = KEY("Private_Clean"),
	[SM_PRIVATE_DIRTY] = KEY("Private_Dirty"),
	[SM_ANONYMOUS] = KEY("Anonymous"),
	[SM_SWAP] = KEY("Swap"),
	[SM_SWAP_PSS] = KEY("SwapPss"),
};

/* the field a key names, or -1: decided by length and one character, then
 * checked; smaps has ~25 lines a mapping and most keys are not wanted, so
 * unwanted lines are dropped before their value is looked at */
static int field_of(const char *k, size_t n)
{
	int f;
	switch (n) {
	case 3: f = k[0] == 'R' ? SM_RSS : SM_PSS; break;
	case 4: f = k[1] == 'i' ? SM_SIZE : SM_SWAP; break;
	case 7: f = SM_SWAP_PSS; break;
	case 9: f = SM_ANONYMOUS; break;
	case 12: f = k[7] == 'C' ? SM_SHARED_CLEAN : SM_SHARED_DIRTY; break;
	case 13: f = k[8] == 'C' ? SM_PRIVATE_CLEAN : SM_PRIVATE_DIRTY; break;
	default: return -1;
	}
	return memcmp(k, field_keys[f].name, n) == 0 ? f : -1;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* a header starts with hex digits and a dash; a field with a name and a colon */
static int is_header(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_hex(s[i]))
		i++;
	return i > 0 && i < n && s[i] == '-';
}

/* one field of the header: number in base, then exactly one separator */
static int take_num(const char *s, size_t n, size_t *i, int base, char sep, uint64_t *out)
{
	int used = scan_u64(s + *i, n - *i, base, out);
	if (used <= 0)
		return -1;
	*i += (size_t)used;
	if (sep) {
		if (*i >= n || s[*i] != sep)
			return -1;
		(*i)++;
	}
	return 0;
}

static int parse_header(struct smaps_reader *r, const char *s, size_t n, struct vma *v)
{
	size_t i = 0;
	uint64_t maj, min;
	if (take_num(s, n, &i, 16, '-', &v->start) || take_num(s, n, &i, 16, ' ', &v->end))
		return -1;
	if (n - i < 5 || s[i + 4] != ' ')
		return -1;
	memcpy(v->perms, s + i, 4);
	v->perms[4] = 0;
	i += 5;
	if (take_num(s, n, &i, 16, ' ', &v->offset) || take_num(s, n, &i, 16, ':', &maj) ||
	    take_num(s, n, &i, 16, ' ', &min) || take_num(s, n, &i, 10, 0, &v->inode))
		return -1;
	if (maj > 0xfff || min > 0xfffff || v->end < v->start)
		return -1;
	v->dev_major = (unsigned)maj;
	v->dev_minor = (unsigned)min;
	if (i < n && s[i] != ' ')
		return -1;
	while (i < n && s[i] == ' ')
		i++;
	size_t plen = n - i;
	if (memchr(s + i, 0, plen))
		return -1;	/* the kernel never writes a NUL in a path */
	if (plen + 1 > r->pathcap) {
		size_t cap = r->pathcap ? r->pathcap : 256;
		while (cap < plen + 1)
			cap *= 2;
		char *p = realloc(r->path, cap);
		if (!p)
			return -2;
		r->path = p;
		r->pathcap = cap;
	}
	memcpy(r->path, s + i, plen);
	r->path[plen] = 0;
	v->path = r->path;
	v->pathlen = plen;
	memset(v->kb, 0, sizeof v->kb);
	return 0;
}

int smaps_parse(struct smaps_reader *r, vma_fn fn, void *ctx, struct parse_error *pe)
{
	struct vma v;
	int have = 0, count = 0, rc;
	const char *s;
	size_t n;

	while ((rc = lr_next(&r->lr, &s, &n)) > 0) {
		if (n == 0)
			continue;
		if (is_header(s, n)) {
			if (have) {
				if ((rc = fn(ctx, &v)) < 0)
					return rc;
				count++;
			}
			int h = parse_header(r, s, n, &v);
			if (h == -2)
				return -ENOMEM;
			if (h < 0) {
				pe->line = r->lr.lineno;
				pe->reason = "bad mapping header";
				return -EINVAL;
			}
			have = 1;
			continue;
		}
		const char *colon = memchr(s, ':', n);
		if (!colon || colon == s) {
			pe->line = r->lr.lineno;
			pe->reason = "line is neither a mapping nor a field";
			return -EINVAL;
		}
		if (!have) {
			pe->line = r->lr.lineno;
			pe->reason = "field before any mapping";
			return -EINVAL;
		}
		int f = field_of(s, (size_t)(colon - s));
		if (f < 0)
			continue;	/* a field resident does not use (or a newer one) */
		const char *val = colon + 1, *end = s + n;
		while (val < end && (*val == ' ' || *val == '\t'))
			val++;
		int e = scan_kb(val, (size_t)(end - val), &v.kb[f]);
		if (e < 0) {
			pe->line = r->lr.lineno;
			pe->reason = e == -ERANGE ? "number too large" : "bad number";
			return -EINVAL;
		}
	}
	if (rc < 0)
		return rc;
	if (have) {
		if ((rc = fn(ctx, &v)) < 0)
			return rc;
		count++;
	}
	return count;
}

void smaps_reader_free(struct smaps_reader *r)
{
	lr_free(&r->lr);
	free(r->path);
	r->path = NULL;
	r->pathcap = 0;
}
