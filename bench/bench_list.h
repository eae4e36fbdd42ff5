/* Comma-separated number lists for the tuning benchmarks' grid flags
 * (e.g. --lambda 100,200,400). */
#ifndef TL_BENCH_LIST_H
#define TL_BENCH_LIST_H

#include <stdlib.h>

#define BENCH_MAX_VALUES 16

/* Parses "a,b,c" into v[0..*n); 0 on an empty list, a non-number or more
 * than BENCH_MAX_VALUES values. */
static inline int bench_parse_list(const char *s, double v[BENCH_MAX_VALUES], int *n)
{
    *n = 0;
    while (*s) {
        if (*n == BENCH_MAX_VALUES) return 0;
        char *end;
        v[(*n)++] = strtod(s, &end);
        if (end == s || (*end && *end != ',')) return 0;
        s = *end == ',' ? end + 1 : end;
    }
    return *n > 0;
}

#endif
