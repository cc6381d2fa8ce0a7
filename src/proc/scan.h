/* scan.h: the small pieces every /proc parser shares: numbers, "Key: value"
 * lines, key tables, and the error a parser reports. */
#ifndef RESIDENT_SCAN_H
#define RESIDENT_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* what a parser says when the text is not what the kernel writes */
struct parse_error {
	unsigned long line;	/* 1-based line of the input */
	const char *reason;	/* static text, e.g. "bad number" */
};

struct key {
	const char *name;
	size_t len;
};
#define KEY(s) { s, sizeof(s) - 1 }

/* index of key k in tab, or -1 */
int key_find(const struct key *tab, int n, const char *k, size_t klen);

/* decimal (base 10) or hex (base 16) digits at s; returns the number of
 * characters used, 0 if none, -ERANGE on overflow */
int scan_u64(const char *s, size_t len, int base, uint64_t *out);

/* "Key:<blanks>value" -> key and value (value trimmed of leading blanks and
 * trailing blanks/newline); 0 if the line has no sep before any blank */
int kv_split(const char *line, size_t len, char sep,
	     const char **k, size_t *klen, const char **v, size_t *vlen);

/* "1234 kB" or "1234" as a value; 0 ok, -EINVAL garbage, -ERANGE overflow */
int scan_kb(const char *v, size_t vlen, uint64_t *kb);

#endif
