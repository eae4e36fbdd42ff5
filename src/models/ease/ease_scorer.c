/* EASE as a model type (the tensors: train_ease.c). A user's state is the
 * profile x over the items (n_items floats: the value of each rated item's
 * rating, 0 elsewhere); movie j in the item set scores sum_i x_i B[i][j]
 * over the items i in ascending order (the same bits as tl_ease_score, for
 * any blocking), clamped to >= TL_EASE_FLOOR; a movie outside the set scores
 * TL_EASE_OUTSIDE + min(train count, 2^18). similar = B's column (as
 * tl_ease_similar); a reason's weight = x_j B[j][target]. */
#include <math.h>
#include <stdlib.h>

#include "models/ease/ease_internal.h"
#include "models/models_internal.h"
#include "towerlens/foldin.h"
#include "towerlens/scorer.h"

typedef struct ease_scorer {
    tl_scorer base;
    uint32_t n_items;
    const float *B;          /* n_items x n_items, borrowed */
    const float *counts;     /* n_movies (+ the OOV row), borrowed */
    uint32_t *item_of_movie; /* n_movies: item or TL_EASE_NONE */
    float value[11];         /* x by half stars (1..10) */
} ease_scorer;

static float outside_score(const ease_scorer *e, uint32_t movie)
{
    float c = e->counts[movie];
    if (!(c >= 0.0f)) c = 0.0f;
    if (c > (float)(1u << 18)) c = (float)(1u << 18);
    return TL_EASE_OUTSIDE + c;
}

/* x of a profile; every_like: each rated movie counts as a 5-star rating. */
static void profile_state(const ease_scorer *e, const tl_profile *p, int every_like, float *x)
{
    for (uint32_t i = 0; i < e->n_items; i++) x[i] = 0.0f;
    for (uint32_t k = 0; p && k < p->n; k++) {
        uint32_t mv = p->movies[k];
        if (mv >= e->base.ds->n_movies) continue;
        uint32_t it = e->item_of_movie[mv];
        if (it == TL_EASE_NONE) continue;
        int h = 10;
        if (p->stars && !every_like) {
            float s = p->stars[k] * 2.0f + 0.5f;
            h = s < 1.0f ? 1 : s >= 10.0f ? 10 : (int)s;
        }
        x[it] = e->value[h];
    }
}

static tl_status user_state(const tl_scorer *s, uint32_t user, const tl_profile *train, float *state, tl_error *err)
{
    (void)user, (void)err;
    profile_state((const ease_scorer *)s, train, 0, state);
    return TL_OK;
}

static tl_status fold_in(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                         tl_error *err)
{
    (void)err;
    profile_state((const ease_scorer *)s, p, opt && !opt->weight_by_rating, state);
    return TL_OK;
}

static void score(const tl_scorer *s, const float *states, uint32_t n, uint32_t m0, uint32_t n_m, float *out,
                  size_t ldo)
{
    const ease_scorer *e = (const ease_scorer *)s;
    const uint32_t *item = e->item_of_movie + m0;
    size_t ni = e->n_items;
    for (uint32_t u = 0; u < n; u++) {
        const float *x = states + (size_t)u * ni;
        float *o = out + (size_t)u * ldo;
        for (uint32_t j = 0; j < n_m; j++) o[j] = 0.0f;
        /* items ascending, each (user, movie) sum in that one order */
        for (size_t i = 0; i < ni; i++) {
            float xi = x[i];
            if (xi == 0.0f) continue;
            const float *b = e->B + i * ni;
            for (uint32_t j = 0; j < n_m; j++)
                if (item[j] != TL_EASE_NONE) o[j] += xi * b[item[j]];
        }
        for (uint32_t j = 0; j < n_m; j++)
            o[j] = item[j] == TL_EASE_NONE ? outside_score(e, m0 + j) : o[j] < TL_EASE_FLOOR ? TL_EASE_FLOOR : o[j];
    }
}

static tl_status similar(tl_scorer *s, uint32_t movie, float *sims, tl_error *err)
{
    const ease_scorer *e = (const ease_scorer *)s;
    uint32_t it = e->item_of_movie[movie];
    if (it == TL_EASE_NONE)
        return tl_fail(err, TL_E_STATE,
                       "movie %u is outside the EASE item set (too few train ratings): no similar "
                       "movies",
                       s->ds->movies[movie].id);
    size_t ni = e->n_items;
    for (uint32_t j = 0; j < s->ds->n_movies; j++) {
        uint32_t jt = e->item_of_movie[j];
        sims[j] = jt == TL_EASE_NONE || j == movie ? outside_score(e, j) : e->B[jt * ni + it];
    }
    return TL_OK;
}

/* The score of an in-set target j is sum_i x_i B[i][j] (before the floor),
 * so profile movie i's share is exactly its term x_i B[i][j], with x the
 * state the score used; 0 for a movie or target outside the item set. */
static tl_status explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                         uint32_t n_targets, float *contrib, tl_error *err)
{
    (void)err;
    const ease_scorer *e = (const ease_scorer *)s;
    for (uint32_t q = 0; q < n_targets; q++) {
        uint32_t t = targets[q] < s->ds->n_movies ? e->item_of_movie[targets[q]] : TL_EASE_NONE;
        float *c = contrib + (size_t)q * p->n;
        for (uint32_t k = 0; k < p->n; k++) {
            uint32_t mv = p->movies[k];
            uint32_t it = mv < s->ds->n_movies ? e->item_of_movie[mv] : TL_EASE_NONE;
            c[k] = t == TL_EASE_NONE || it == TL_EASE_NONE ? 0.0f : state[it] * e->B[(size_t)it * e->n_items + t];
        }
    }
    return TL_OK;
}

static size_t bytes(const tl_scorer *s) { return sizeof(ease_scorer) + (size_t)s->ds->n_movies * sizeof(uint32_t); }

static void release(tl_scorer *s)
{
    if (!s) return;
    free(((ease_scorer *)s)->item_of_movie);
    free(s);
}

static const tl_scorer_ops ease_ops = {
    .user_state = user_state,
    .fold_in = fold_in,
    .score = score,
    .similar = similar,
    .explain = explain,
    .bytes = bytes,
    .free = release,
};

static const tl_tensor *shaped(const tl_tensor *t, uint32_t n_t, const char *name, uint32_t rows, uint32_t cols,
                               tl_error *err)
{
    const tl_tensor *x = tl_tensor_find(t, n_t, name);
    if (!x) {
        tl_fail(err, TL_E_CORRUPT, "model: no \"%s\" tensor", name);
        return NULL;
    }
    if ((rows && x->rows != rows) || x->cols != cols) {
        tl_fail(err, TL_E_CORRUPT, "model: the \"%s\" tensor is %u x %u, expected %u x %u", name, x->rows, x->cols,
                rows ? rows : x->rows, cols);
        return NULL;
    }
    return x;
}

tl_status tl__ease_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                        tl_scorer **out, tl_error *err)
{
    (void)config_json;
    if (!out) return tl_fail(err, TL_E_ARG, "scorer: no output pointer given");
    *out = NULL;
    const tl_tensor *items = shaped(t, n_t, "ease.items", 0, 1, err);
    if (!items) return TL_E_CORRUPT;
    uint32_t ni = items->rows;
    const tl_tensor *B = shaped(t, n_t, "ease.B", ni, ni, err);
    const tl_tensor *counts = B ? shaped(t, n_t, "ease.counts", ds->n_movies + 1, 1, err) : NULL;
    const tl_tensor *values = counts ? shaped(t, n_t, "ease.values", 10, 1, err) : NULL;
    if (!values) return TL_E_CORRUPT;
    ease_scorer *e = calloc(1, sizeof *e);
    uint32_t *map = malloc((size_t)(ds->n_movies ? ds->n_movies : 1) * sizeof *map);
    if (!e || !map) {
        free(e), free(map);
        return tl_fail(err, TL_E_NOMEM, "EASE: out of memory opening the model");
    }
    for (uint32_t m = 0; m < ds->n_movies; m++) map[m] = TL_EASE_NONE;
    for (uint32_t i = 0; i < ni; i++) {
        float id = items->data[i];
        uint32_t dense;
        if (!(id >= 0.0f && id < 16777216.0f) || id != floorf(id)) {
            free(e), free(map);
            return tl_fail(err, TL_E_CORRUPT, "model: \"ease.items\" row %u is not a movie id (%g)", i, (double)id);
        }
        /* items the data does not have are never in a profile nor scored */
        if (tl_dataset_movie_index(ds, (uint32_t)id, &dense, NULL) == TL_OK) map[dense] = i;
    }
    e->base = (tl_scorer){.ops = &ease_ops,
                          .type = "ease",
                          .similarity = "EASE weight of each movie in its score",
                          .ds = ds,
                          .state_floats = ni,
                          .needs_profile = 1};
    e->n_items = ni;
    e->B = B->data;
    e->counts = counts->data;
    e->item_of_movie = map;
    for (int h = 1; h <= 10; h++) e->value[h] = values->data[h - 1];
    *out = &e->base;
    return TL_OK;
}
