/* Popularity as a one-dimensional two-tower model, so the baseline goes
 * through exactly the same evaluation code as every trained model. */
#include <stdlib.h>

#include "eval_internal.h"

tl_status tl_popularity_embeddings(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                                   float **users, float **movies, tl_error *err)
{
    if (!ds || !users || !movies) return tl_fail(err, TL_E_ARG, "popularity: missing dataset or output pointers");
    *users = NULL;
    *movies = NULL;
    if (n_train > 0 && !train_rows)
        return tl_fail(err, TL_E_ARG, "popularity: %u train rows announced but none given", n_train);
    for (uint32_t i = 0; i < n_train; i++)
        if (train_rows[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "popularity: train row %u is out of range (the dataset has %u ratings)",
                           train_rows[i], ds->n_ratings);
    /* one extra row each: the out-of-vocabulary row */
    float *u = malloc(((size_t)ds->n_users + 1) * sizeof *u);
    float *m = malloc(((size_t)ds->n_movies + 1) * sizeof *m);
    uint32_t *count = calloc((size_t)ds->n_movies + 1, sizeof *count);
    if (!u || !m || !count) {
        free(u);
        free(m);
        free(count);
        return tl_fail(err, TL_E_NOMEM, "popularity: out of memory");
    }
    for (uint32_t i = 0; i <= ds->n_users; i++) u[i] = 1.0f;
    /* the train rows marked, then the movie column read in order (looking
     * up each row of a permutation misses the cache every time); rows given
     * twice count twice, so then the plain loop */
    uint32_t *bits = NULL;
    int repeats = 0;
    if (tl_eval_row_bits(ds, train_rows, n_train, &bits, &repeats, NULL) == TL_OK && !repeats) {
        for (uint32_t i = 0; i < ds->n_ratings; i++) count[ds->r_movie[i]] += bits[i >> 5] >> (i & 31) & 1u;
    } else {
        for (uint32_t i = 0; i < n_train; i++) count[ds->r_movie[train_rows[i]]]++;
    }
    free(bits);
    for (uint32_t i = 0; i <= ds->n_movies; i++) m[i] = (float)count[i];
    free(count);
    *users = u;
    *movies = m;
    return TL_OK;
}
