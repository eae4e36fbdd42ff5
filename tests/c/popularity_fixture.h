/* Popularity as a one-dimensional dot-product model (user vectors 1, movie
 * vectors the train rating counts), for tests and benches that evaluate it
 * with the embedding-table entry points; the popularity model type
 * (tl_popularity_scorer_new) ranks exactly alike. Caller frees both. */
#ifndef TL_TESTS_POPULARITY_FIXTURE_H
#define TL_TESTS_POPULARITY_FIXTURE_H

#include <stdlib.h>

#include "towerlens.h"

static inline tl_status popularity_tables(const tl_dataset *ds, const uint32_t *train, uint32_t n_train, float **users,
                                          float **movies, tl_error *err)
{
    *users = NULL;
    tl_status st = tl_popularity_counts(ds, train, n_train, movies, err);
    if (st != TL_OK) return st;
    *users = malloc(((size_t)ds->n_users + 1) * sizeof **users);
    if (!*users) {
        free(*movies);
        *movies = NULL;
        return tl_fail(err, TL_E_NOMEM, "popularity: out of memory");
    }
    for (uint32_t i = 0; i <= ds->n_users; i++) (*users)[i] = 1.0f;
    return TL_OK;
}

#endif
