/* Seeded sampling and grouping of rows by user for the evaluation. */
#include "eval_internal.h"

#include <stdlib.h>

/* splitmix64, the same generator as the split (see split.h). */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void tl__eval_sample(uint32_t *v, uint32_t n, uint32_t k, uint64_t seed)
{
    if (k > n) k = n;
    uint64_t state = seed;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t j = i + (uint32_t)(splitmix64(&state) % (n - i));
        uint32_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
    qsort(v, k, sizeof *v, cmp_u32);
}

tl_status tl__rows_by_user_build(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, tl__rows_by_user *out,
                                 tl_error *err)
{
    out->offsets = calloc((size_t)ds->n_users + 1, sizeof *out->offsets);
    out->rows = malloc((n_rows ? (size_t)n_rows : 1) * sizeof *out->rows);
    uint32_t *fill = malloc(((size_t)ds->n_users + 1) * sizeof *fill);
    if (!out->offsets || !out->rows || !fill) {
        free(fill);
        tl__rows_by_user_free(out);
        return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory grouping %u rows by user", n_rows);
    }
    for (uint32_t i = 0; i < n_rows; i++) out->offsets[ds->r_user[rows[i]] + 1]++;
    for (uint32_t u = 0; u < ds->n_users; u++) out->offsets[u + 1] += out->offsets[u];
    for (uint32_t u = 0; u <= ds->n_users; u++) fill[u] = out->offsets[u];
    for (uint32_t i = 0; i < n_rows; i++) out->rows[fill[ds->r_user[rows[i]]]++] = rows[i];
    free(fill);
    return TL_OK;
}

void tl__rows_by_user_free(tl__rows_by_user *g)
{
    free(g->offsets);
    free(g->rows);
    g->offsets = NULL;
    g->rows = NULL;
}
