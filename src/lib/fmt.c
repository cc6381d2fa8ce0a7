#include "fmt.h"

#include <math.h>
#include <string.h>

const char *fmt_kb(char *buf, double kb)
{
	static const char unit[] = "KMGTP";
	int u = 0;
	if (kb < 0.5) {
		snprintf(buf, 16, "0");
		return buf;
	}
	while (kb >= 1024 * 0.9995 && u < 4) {
		kb /= 1024;
		u++;
	}
	if (u > 0 && kb < 9.95)
		snprintf(buf, 16, "%.1f%c", kb, unit[u]);
	else
		snprintf(buf, 16, "%.0f%c", kb, unit[u]);
	return buf;
}

/* length of the valid UTF-8 sequence at p (1-4), 0 if p starts none */
static int utf8_len(const unsigned char *p)
{
	int n = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 :
		(p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 2 && p[0] < 0xc2)
		return 0;	/* overlong */
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
		return 0;	/* overlong, surrogate */
	if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || p[0] > 0xf4 || (p[0] == 0xf4 && p[1] >= 0x90)))
		return 0;
	return n;
}

/* Linux paths are bytes: a byte that is not UTF-8 is written as U+FFFD,
 * so the output stays valid UTF-8 (JSON, Prometheus) and says it is not
 * the byte (it was U+00XX: 0xff read as the name "ÿ", another path);
 * json_path_field gives the bytes too */
static const unsigned char *put_utf8(FILE *f, const unsigned char *p)
{
	int n = utf8_len(p);
	if (n == 0) {
		fputs("\xef\xbf\xbd", f);
		return p + 1;
	}
	fwrite(p, 1, (size_t)n, f);
	return p + n;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p++);
		else if (*p == '\n')
			fputs("\\n", f), p++;
		else if (*p == '\t')
			fputs("\\t", f), p++;
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p++);
		else
			p = put_utf8(f, p);
	}
	fputc('"', f);
}

void prom_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p++);
		else if (*p == '\n')
			fputs("\\n", f), p++;
		else
			p = put_utf8(f, p);
	}
	fputc('"', f);
}

int utf8_valid(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = utf8_len(p);
		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

void json_path_field(FILE *f, const char *key, const char *s)
{
	fprintf(f, "\"%s\":", key);
	json_str(f, s);
	if (utf8_valid(s))
		return;
	fprintf(f, ",\"%s_hex\":\"", key);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fprintf(f, "%02x", *p);
	fputc('"', f);
}

size_t text_clean(const char *s, char *out, size_t size)
{
	size_t j = 0, width = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && j + 5 < size;) {
		int n = utf8_len(p);
		if (n <= 1 || *p < 0x20 || *p == 0x7f) {
			out[j++] = n == 1 && *p >= 0x20 && *p != 0x7f ? (char)*p : '?';
			p++;
		} else {
			memcpy(out + j, p, (size_t)n);
			j += (size_t)n;
			p += n;
		}
		width++;
	}
	out[j] = 0;
	return width;
}

size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}
