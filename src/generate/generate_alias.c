/* Vose's alias method; plain double arithmetic (+ - * /) only, so the tables
 * are bit-identical across IEEE-754 platforms. */
#include "generate_alias.h"

#include <stdlib.h>
#include <string.h>

void gen_alias_free(gen_alias *t)
{
    free(t->col);
    memset(t, 0, sizeof *t);
}

int gen_alias_build(gen_alias *t, const double *weights, const uint32_t *items, uint32_t n)
{
    memset(t, 0, sizeof *t);
    double *p = malloc((size_t)n * sizeof *p);
    uint32_t *small = malloc((size_t)n * sizeof *small), *large = malloc((size_t)n * sizeof *large);
    uint32_t *alias = malloc((size_t)n * sizeof *alias);
    t->col = malloc((size_t)n * sizeof *t->col);
    if (!p || !small || !large || !alias || !t->col) {
        free(p);
        free(small);
        free(large);
        free(alias);
        gen_alias_free(t);
        return -1;
    }
    t->n = n;

    double total = 0.0;
    for (uint32_t i = 0; i < n; i++) total += weights[i];
    uint32_t ns = 0, nl = 0;
    for (uint32_t i = 0; i < n; i++) {
        p[i] = total > 0.0 ? weights[i] * (double)n / total : 1.0;
        if (p[i] < 1.0) small[ns++] = i;
        else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
        uint32_t s = small[--ns], l = large[nl - 1];
        t->col[s].threshold = (uint32_t)(p[s] * 4294967296.0);
        alias[s] = l;
        p[l] = (p[l] + p[s]) - 1.0;
        if (p[l] < 1.0) {
            nl--;
            small[ns++] = l;
        }
    }
    /* leftovers are 1 up to rounding: always keep their own column */
    while (nl > 0) {
        uint32_t l = large[--nl];
        t->col[l].threshold = UINT32_MAX;
        alias[l] = l;
    }
    while (ns > 0) {
        uint32_t s = small[--ns];
        t->col[s].threshold = UINT32_MAX;
        alias[s] = s;
    }
    for (uint32_t i = 0; i < n; i++) {
        t->col[i].item = items ? items[i] : i;
        t->col[i].alias_item = items ? items[alias[i]] : alias[i];
    }
    free(p);
    free(small);
    free(large);
    free(alias);
    return 0;
}
