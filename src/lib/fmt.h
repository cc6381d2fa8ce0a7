/* fmt.h: numbers and strings for people and for machines. */
#ifndef RESIDENT_FMT_H
#define RESIDENT_FMT_H

#include <stdint.h>
#include <stdio.h>

/* kB as "0", "824K", "1.4M", "12G" into buf (>= 16 bytes) */
const char *fmt_kb(char *buf, double kb);
/* s as a JSON string, quotes included */
void json_str(FILE *f, const char *s);
/* s as a Prometheus label value (quotes included) */
void prom_str(FILE *f, const char *s);

#endif
