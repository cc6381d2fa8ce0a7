#include "scan.h"

#include <errno.h>
#include <string.h>

int key_find(const struct key *tab, int n, const char *k, size_t klen)
{
	for (int i = 0; i < n; i++)
		if (tab[i].len == klen && memcmp(tab[i].name, k, klen) == 0)
			return i;
	return -1;
}

static int digit(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16) {
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		if (c >= 'A' && c <= 'F')
			return c - 'A' + 10;
	}
	return -1;
}

int scan_u64(const char *s, size_t len, int base, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; i < len; i++) {
		int d = digit(s[i], base);
		if (d < 0)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -ERANGE;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (i > 0)
		*out = v;
	return (int)(i > 0x7fffffff ? 0x7fffffff : i);
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

int kv_split(const char *line, size_t len, char sep,
	     const char **k, size_t *klen, const char **v, size_t *vlen)
{
	size_t i = 0;
	while (i < len && line[i] != sep && !(sep != ' ' && blank(line[i])))
		i++;
	if (i == 0 || i == len || line[i] != sep)
		return 0;
	*k = line;
	*klen = i;
	i++;
	while (i < len && blank(line[i]))
		i++;
	size_t e = len;
	while (e > i && (blank(line[e - 1]) || line[e - 1] == '\n'))
		e--;
	*v = line + i;
	*vlen = e - i;
	return 1;
}

int scan_kb(const char *v, size_t vlen, uint64_t *kb)
{
	int n = scan_u64(v, vlen, 10, kb);
	if (n < 0)
		return n;
	if (n == 0)
		return -EINVAL;
	size_t i = (size_t)n;
	while (i < vlen && blank(v[i]))
		i++;
	if (i == vlen)
		return 0;
	if (vlen - i >= 2 && v[i] == 'k' && v[i + 1] == 'B') {
		for (i += 2; i < vlen && blank(v[i]); i++)
			;
		if (i == vlen)
			return 0;
	}
	return -EINVAL;
}
