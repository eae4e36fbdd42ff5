/* Hand-built inputs for the trainer tests: a dataset of just the rating
 * columns (what the trainers read), a split with every row in train, and
 * seeded random floats. */
#ifndef TL_TRAIN_FIXTURE_H
#define TL_TRAIN_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "towerlens/dataset.h"
#include "towerlens/rng.h"
#include "towerlens/split.h"

/* Copies of the given columns (one spare row each); half NULL = 4 stars for every rating. */
static inline tl_dataset *fixture_columns(uint32_t n_users, uint32_t n_movies, uint32_t n, const uint32_t *users,
                                          const uint32_t *movies, const uint8_t *half)
{
    tl_dataset *ds = calloc(1, sizeof *ds);
    ds->n_users = n_users;
    ds->n_movies = n_movies;
    ds->n_ratings = n;
    ds->r_user = malloc((n + 1) * sizeof(uint32_t));
    ds->r_movie = malloc((n + 1) * sizeof(uint32_t));
    ds->r_half = malloc(n + 1);
    memcpy(ds->r_user, users, n * sizeof(uint32_t));
    memcpy(ds->r_movie, movies, n * sizeof(uint32_t));
    if (half) memcpy(ds->r_half, half, n);
    else memset(ds->r_half, 8, n);
    return ds;
}

/* Every row as a train row, in file order; no test rows. */
static inline tl_split *fixture_all_train(uint32_t n)
{
    tl_split *sp = calloc(1, sizeof *sp);
    sp->n_train = n;
    sp->train = malloc(n * sizeof(uint32_t));
    sp->test = malloc(sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) sp->train[i] = i;
    return sp;
}

static inline void fixture_random_floats(float *x, size_t n, uint64_t seed, float range)
{
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) x[i] = tl_rng_uniform(&r, -range, range);
}

#endif
