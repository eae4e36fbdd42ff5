/* Tiny hand-built datasets and embedding tables for the evaluation and
 * index tests (tl_dataset is a plain struct of malloc'd arrays). */
#ifndef TL_EVAL_FIXTURE_H
#define TL_EVAL_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>

#include "towerlens/dataset.h"
#include "towerlens/eval.h"

/* n_users users, n_movies movies (raw ids = dense + 1), the first n_cat in
 * the catalogue; ratings given as triples (user, movie, half stars). */
static inline tl_dataset *fixture_dataset(uint32_t n_users, uint32_t n_movies, uint32_t n_cat, const uint32_t *triples,
                                          uint32_t n_ratings)
{
    tl_dataset *ds = calloc(1, sizeof *ds);
    ds->n_users = n_users;
    ds->n_movies = n_movies;
    ds->n_ratings = n_ratings;
    ds->user_ids = calloc(n_users + 1, sizeof *ds->user_ids);
    ds->user_counts = calloc(n_users + 1, sizeof *ds->user_counts);
    ds->movies = calloc(n_movies + 1, sizeof *ds->movies);
    ds->r_user = calloc(n_ratings + 1, sizeof *ds->r_user);
    ds->r_movie = calloc(n_ratings + 1, sizeof *ds->r_movie);
    ds->r_half = calloc(n_ratings + 1, sizeof *ds->r_half);
    ds->strings = calloc(1, 1);
    ds->strings_len = 1;
    for (uint32_t u = 0; u < n_users; u++) ds->user_ids[u] = u + 1;
    for (uint32_t m = 0; m < n_movies; m++) {
        ds->movies[m].id = m + 1;
        ds->movies[m].in_catalogue = m < n_cat;
    }
    ds->n_catalogue = n_cat;
    for (uint32_t i = 0; i < n_ratings; i++) {
        ds->r_user[i] = triples[3 * i];
        ds->r_movie[i] = triples[3 * i + 1];
        ds->r_half[i] = (uint8_t)triples[3 * i + 2];
        ds->user_counts[ds->r_user[i]]++;
        ds->movies[ds->r_movie[i]].n_ratings++;
    }
    return ds;
}

/* A (score, movie) pair in a reference ranking: higher score first, equal
 * scores by lower index (the evaluation's order), for qsort. */
typedef struct fixture_ranked {
    float s;
    uint32_t i;
} fixture_ranked;

static inline int fixture_ranked_cmp(const void *a, const void *b)
{
    const fixture_ranked *x = a, *y = b;
    if (x->s != y->s) return x->s > y->s ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* A seeded stream for random fixtures. */
static inline uint64_t fixture_lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static inline uint32_t *fixture_range(uint32_t a, uint32_t b)
{
    uint32_t *v = malloc((b - a + 1) * sizeof *v);
    for (uint32_t i = a; i < b; i++) v[i - a] = i;
    return v;
}

#endif
