/* argv.c: a command's arguments for one instance or run: %d is its number,
 * %m the mode (density or startup), %% a percent sign. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

char **argv_expand(char **argv, long i, const char *mode)
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **out = calloc(n + 1, sizeof *out);
	if (!out)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(argv[k]) + 1;
		for (const char *p = argv[k]; *p; p++)
			if (*p == '%')
				len += 24;
		char *s = malloc(len), *w = s;
		if (!s) {
			argv_free(out);
			return NULL;
		}
		for (const char *p = argv[k]; *p; p++) {
			if (p[0] == '%' && p[1] == 'd') {
				w += sprintf(w, "%ld", i);
				p++;
			} else if (p[0] == '%' && p[1] == 'm') {
				w += sprintf(w, "%s", mode);
				p++;
			} else if (p[0] == '%' && p[1] == '%') {
				*w++ = '%';
				p++;
			} else {
				*w++ = *p;
			}
		}
		*w = 0;
		out[k] = s;
	}
	return out;
}

void argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}
