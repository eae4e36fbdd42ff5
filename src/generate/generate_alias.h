/* Walker/Vose alias tables: O(1) sampling from a fixed discrete
 * distribution, used for movie popularity (globally, per taste topic and
 * per genre) so 25 million draws stay fast. */
#ifndef TL_GENERATE_GENERATE_ALIAS_H
#define TL_GENERATE_GENERATE_ALIAS_H

#include <stdint.h>

#include "generate_random.h"

/* One column, in one cache line fetch: keep `item` when the low 32 bits of
 * the draw are below `threshold`, else take `alias_item`. */
typedef struct gen_alias_column {
    uint32_t threshold;
    uint32_t item;
    uint32_t alias_item;
} gen_alias_column;

typedef struct gen_alias {
    uint32_t n;
    gen_alias_column *col;
} gen_alias;

/* Builds the table over n >= 1 weights (>= 0). Column i stands for
 * items[i] (or i when items is NULL). Returns 0, or -1 when out of memory. */
int gen_alias_build(gen_alias *t, const double *weights, const uint32_t *items, uint32_t n);
void gen_alias_free(gen_alias *t);

static inline uint32_t gen_alias_draw(const gen_alias *t, gen_rng *r)
{
    uint64_t x = gen_next(r);
    const gen_alias_column *c = &t->col[((x >> 32) * (uint64_t)t->n) >> 32];
    return (uint32_t)x < c->threshold ? c->item : c->alias_item;
}

#endif
