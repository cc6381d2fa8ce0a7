/* fmt.h: numbers and strings for people and for machines. */
#ifndef RESIDENT_FMT_H
#define RESIDENT_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* kB as "0", "824K", "1.4M", "12G" into buf (>= 16 bytes) */
const char *fmt_kb(char *buf, double kb);
/* s as a JSON string, quotes included */
void json_str(FILE *f, const char *s);
/* "key":"s" and, where s is not UTF-8 (a path is bytes), "key_hex":
 * its bytes in hex, the one exact form: s itself shows U+FFFD there */
void json_path_field(FILE *f, const char *key, const char *s);
int utf8_valid(const char *s);
/* s for a terminal, into out (size bytes): UTF-8 kept, control
 * characters and bytes that are not UTF-8 as '?'; its width in
 * characters */
size_t text_clean(const char *s, char *out, size_t size);
/* the width of clean text in characters (not bytes) */
size_t text_width(const char *s);
/* s as a Prometheus label value (quotes included) */
void prom_str(FILE *f, const char *s);

#endif
