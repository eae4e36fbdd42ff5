/* Popularity as a model type with no embeddings: a user's state is empty,
 * every movie scores its train rating count (ties: the lower movie index
 * first, as every ranking here), there is no item-item similarity, and the
 * reason for a recommendation is only that many people rated it: explain
 * gives every profile movie 0, so there is never a "because you rated". */
#include <stdlib.h>

#include "models/models_internal.h"
#include "towerlens/scorer.h"
#include "towerlens/split.h"

typedef struct popularity_scorer {
    tl_scorer base;
    const float *counts; /* n_movies (+ the out-of-vocabulary slot), borrowed */
} popularity_scorer;

static tl_status user_state(const tl_scorer *s, uint32_t user, const tl_profile *train, float *state, tl_error *err)
{
    (void)s, (void)user, (void)train, (void)state, (void)err;
    return TL_OK;
}

static tl_status fold_in(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                         tl_error *err)
{
    (void)s, (void)p, (void)opt, (void)state, (void)err;
    return TL_OK;
}

static void score(const tl_scorer *s, const float *states, uint32_t n, uint32_t m0, uint32_t n_m, float *out,
                  size_t ldo)
{
    (void)states;
    const float *c = ((const popularity_scorer *)s)->counts + m0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n_m; j++) out[(size_t)i * ldo + j] = c[j];
}

static tl_status similar(tl_scorer *s, uint32_t movie, float *sims, tl_error *err)
{
    (void)sims;
    return tl_fail(err, TL_E_STATE, "the popularity model has no notion of similar movies (asked for movie %u)",
                   s->ds->movies[movie].id);
}

/* A movie's count is no one's evidence: no profile movie adds anything. */
static tl_status explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                         uint32_t n_targets, float *contrib, tl_error *err)
{
    (void)s, (void)state, (void)targets, (void)err;
    for (size_t i = 0; i < (size_t)n_targets * p->n; i++) contrib[i] = 0.0f;
    return TL_OK;
}

static size_t bytes(const tl_scorer *s)
{
    (void)s;
    return sizeof(popularity_scorer);
}

static void release(tl_scorer *s) { free(s); }

static const tl_scorer_ops popularity_ops = {
    .user_state = user_state,
    .fold_in = fold_in,
    .score = score,
    .similar = similar,
    .explain = explain,
    .bytes = bytes,
    .free = release,
};

tl_status tl_popularity_scorer_new(const tl_dataset *ds, const float *counts, tl_scorer **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "scorer: no output pointer given");
    *out = NULL;
    if (!ds || !counts) return tl_fail(err, TL_E_ARG, "popularity: no dataset or counts given");
    popularity_scorer *p = calloc(1, sizeof *p);
    if (!p) return tl_fail(err, TL_E_NOMEM, "popularity: out of memory");
    p->base = (tl_scorer){.ops = &popularity_ops, .type = "popularity", .similarity = "none", .ds = ds};
    p->counts = counts;
    *out = &p->base;
    return TL_OK;
}

tl_status tl_popularity_counts(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train, float **counts,
                               tl_error *err)
{
    if (!ds || !counts) return tl_fail(err, TL_E_ARG, "popularity: missing dataset or output pointer");
    *counts = NULL;
    if (n_train > 0 && !train_rows)
        return tl_fail(err, TL_E_ARG, "popularity: %u train rows announced but none given", n_train);
    for (uint32_t i = 0; i < n_train; i++)
        if (train_rows[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "popularity: train row %u is out of range (the dataset has %u ratings)",
                           train_rows[i], ds->n_ratings);
    /* one extra slot: the out-of-vocabulary movie (never counted) */
    float *m = malloc(((size_t)ds->n_movies + 1) * sizeof *m);
    uint32_t *count = calloc((size_t)ds->n_movies + 1, sizeof *count);
    if (!m || !count) {
        free(m);
        free(count);
        return tl_fail(err, TL_E_NOMEM, "popularity: out of memory");
    }
    /* the train rows marked, then the movie column read in order (looking
     * up each row of a permutation misses the cache every time); rows given
     * twice count twice, so then the plain loop */
    uint32_t *bits = NULL;
    int repeats = 0;
    if (tl_row_bits(ds, train_rows, n_train, &bits, &repeats, NULL) == TL_OK && !repeats) {
        for (uint32_t i = 0; i < ds->n_ratings; i++) count[ds->r_movie[i]] += bits[i >> 5] >> (i & 31) & 1u;
    } else {
        for (uint32_t i = 0; i < n_train; i++) count[ds->r_movie[train_rows[i]]]++;
    }
    free(bits);
    for (uint32_t i = 0; i <= ds->n_movies; i++) m[i] = (float)count[i];
    free(count);
    *counts = m;
    return TL_OK;
}

tl_status tl__popularity_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                              tl_scorer **out, tl_error *err)
{
    (void)config_json;
    const tl_tensor *c = tl_tensor_find(t, n_t, "popularity");
    if (!c) return tl_fail(err, TL_E_CORRUPT, "model: no \"popularity\" tensor");
    if (c->rows != ds->n_movies + 1 || c->cols != 1)
        return tl_fail(err, TL_E_CORRUPT, "model: the \"popularity\" tensor is %u x %u, expected %u x 1", c->rows,
                       c->cols, ds->n_movies + 1);
    return tl_popularity_scorer_new(ds, c->data, out, err);
}
