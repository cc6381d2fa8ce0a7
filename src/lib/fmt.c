#include "fmt.h"

#include <math.h>

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

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);	/* paths are bytes; non-UTF-8 passes through as Linux has it */
	}
	fputc('"', f);
}

void prom_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}
