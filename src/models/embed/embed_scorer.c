/* The dot-product scorer: a user's state is its row of the user table (or a
 * folded-in vector), a score is u . m, similar movies are the cosine of the
 * movie vectors, and a profile movie's share of a score is its term in the
 * least-squares fold-in's solution (embed_explain.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed_internal.h"
#include "models/models_internal.h"
#include "towerlens/kernels.h"
#include "towerlens/rating.h"

static const float *movie_vec(const tl__embed_scorer *e, uint32_t m)
{
    return e->emb.movies + (size_t)m * e->emb.ld_movies;
}

static tl_status user_state(const tl_scorer *s, uint32_t user, const tl_profile *train, float *state, tl_error *err)
{
    (void)train;
    (void)err;
    const tl__embed_scorer *e = (const tl__embed_scorer *)s;
    memcpy(state, e->emb.users + (size_t)user * e->emb.ld_users, e->emb.dim * sizeof *state);
    if (e->prior) state[e->emb.dim] = 0.0f; /* known users: no visitor prior */
    return TL_OK;
}

/* One state: tl_gemv. Several: tl_gemm_abt_dots, the same bits (kernels.h).
 * A visitor's state with the prior's c != 0 (embed_prior.c) adds c * prior_j. */
static void score(const tl_scorer *s, const float *states, uint32_t n, uint32_t m0, uint32_t n_m, float *out,
                  size_t ldo)
{
    const tl__embed_scorer *e = (const tl__embed_scorer *)s;
    const float *M = movie_vec(e, m0);
    if (n == 1) tl_gemv(M, n_m, e->emb.ld_movies, states, e->emb.dim, out);
    else tl_gemm_abt_dots(states, n, s->state_floats, M, n_m, e->emb.ld_movies, e->emb.dim, out, ldo);
    if (!e->prior) return;
    for (uint32_t i = 0; i < n; i++) {
        float c = states[(size_t)i * s->state_floats + e->emb.dim];
        if (c == 0.0f) continue;
        float *o = out + (size_t)i * ldo;
        for (uint32_t j = 0; j < n_m; j++) o[j] += c * e->prior[m0 + j];
    }
}

static void compute_norms(tl__embed_scorer *e)
{
    for (uint32_t m = 0; m < e->base.ds->n_movies; m++) {
        const float *v = movie_vec(e, m);
        e->norms[m] = sqrtf(tl_dot(v, v, e->emb.dim));
    }
    e->norms_valid = 1;
}

static tl_status similar(tl_scorer *s, uint32_t movie, float *sims, tl_error *err)
{
    tl__embed_scorer *e = (tl__embed_scorer *)s;
    const tl_dataset *ds = s->ds;
    if (!e->norms_valid) compute_norms(e);
    float qn = e->norms[movie];
    if (!(qn > 0))
        return tl_fail(err, TL_E_STATE, "index: movie %u has a zero (or invalid) embedding; similarity is undefined",
                       ds->movies[movie].id);
    tl_gemv(e->emb.movies, ds->n_movies, e->emb.ld_movies, movie_vec(e, movie), e->emb.dim, sims);
    for (uint32_t i = 0; i < e->n_cat; i++) {
        uint32_t m = e->cat[i];
        float n = e->norms[m];
        sims[m] = n > 0 ? sims[m] / (n * qn) : 0.0f;
    }
    return TL_OK;
}

static void refresh(tl_scorer *s)
{
    tl__embed_scorer *e = (tl__embed_scorer *)s;
    e->norms_valid = 0;
    e->gram_valid = 0;
    e->h0_valid = 0;
}

static size_t bytes(const tl_scorer *s)
{
    const tl__embed_scorer *e = (const tl__embed_scorer *)s;
    return sizeof *e + (size_t)e->n_cat * sizeof *e->cat + (size_t)s->ds->n_movies * sizeof *e->norms +
           (size_t)e->emb.dim * e->emb.dim * sizeof *e->gram + (size_t)e->emb.dim * e->emb.dim * sizeof *e->h0 +
           (size_t)e->emb.dim * sizeof *e->mu0 + (e->prior ? ((size_t)s->ds->n_movies + 1) * sizeof *e->prior : 0);
}

static tl_status predict(const tl_scorer *s, const uint32_t *users, const uint32_t *movies, uint32_t n, float *raw,
                         tl_error *err)
{
    const tl__embed_scorer *e = (const tl__embed_scorer *)s;
    return tl_rating_predict_pairs(e->head, &e->emb, users, movies, n, raw, err);
}

void tl__embed_scorer_release(tl__embed_scorer *e)
{
    tl_rating_head_free(e->head);
    free(e->prior);
    free(e->cat);
    free(e->norms);
    free(e->gram);
    free(e->h0);
    free(e->mu0);
}

static void release(tl_scorer *s)
{
    tl__embed_scorer_release((tl__embed_scorer *)s);
    free(s);
}

const tl_scorer_ops tl__embed_ops = {
    .user_state = user_state,
    .fold_in = tl__embed_fold_in,
    .score = score,
    .similar = similar,
    .explain = tl__embed_explain,
    .refresh = refresh,
    .bytes = bytes,
    .free = release,
};

tl_status tl__embed_scorer_init(tl__embed_scorer *e, const tl_dataset *ds, const tl_embeddings *emb, tl_error *err)
{
    if (!ds) return tl_fail(err, TL_E_ARG, "scorer: no dataset given");
    if (!emb || !emb->users || !emb->movies)
        return tl_fail(err, TL_E_ARG, "index: no user and movie embedding tables given");
    if (emb->dim == 0) return tl_fail(err, TL_E_ARG, "index: embedding dimension is 0");
    if (emb->ld_users < emb->dim || emb->ld_movies < emb->dim)
        return tl_fail(err, TL_E_ARG, "index: embedding row strides (%zu, %zu) are smaller than the dimension %u",
                       emb->ld_users, emb->ld_movies, emb->dim);
    e->ops = tl__embed_ops;
    e->base = (tl_scorer){.ops = &e->ops,
                          .type = "embeddings",
                          .similarity = "cosine of the movie vectors",
                          .ds = ds,
                          .state_floats = emb->dim,
                          .needs_profile = 0,
                          .emb = &e->emb};
    e->emb = *emb;
    for (uint32_t m = 0; m < ds->n_movies; m++) e->n_cat += ds->movies[m].in_catalogue ? 1 : 0;
    e->cat = malloc((e->n_cat ? e->n_cat : 1) * sizeof *e->cat);
    e->norms = malloc((ds->n_movies ? ds->n_movies : 1) * sizeof *e->norms);
    e->gram = malloc((size_t)emb->dim * emb->dim * sizeof *e->gram);
    e->h0 = malloc((size_t)emb->dim * emb->dim * sizeof *e->h0);
    e->mu0 = malloc((size_t)emb->dim * sizeof *e->mu0);
    if (!e->cat || !e->norms || !e->gram || !e->h0 || !e->mu0) {
        tl__embed_scorer_release(e);
        return tl_fail(err, TL_E_NOMEM, "scorer: out of memory for %u movies", ds->n_movies);
    }
    uint32_t n = 0;
    for (uint32_t m = 0; m < ds->n_movies; m++)
        if (ds->movies[m].in_catalogue) e->cat[n++] = m;
    return TL_OK;
}

tl_status tl_embed_scorer_new(const tl_dataset *ds, const tl_embeddings *emb, tl_scorer **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "scorer: no output pointer given");
    *out = NULL;
    tl__embed_scorer *e = calloc(1, sizeof *e);
    if (!e) return tl_fail(err, TL_E_NOMEM, "scorer: out of memory");
    tl_status st = tl__embed_scorer_init(e, ds, emb, err);
    if (st != TL_OK) {
        free(e);
        return st;
    }
    *out = &e->base;
    return TL_OK;
}

/* A table named `name` of rows x (any) columns, or TL_E_CORRUPT. */
static tl_status table(const tl_tensor *t, uint32_t n_t, const char *name, uint32_t rows, const tl_tensor **out,
                       tl_error *err)
{
    *out = tl_tensor_find(t, n_t, name);
    if (!*out) return tl_fail(err, TL_E_CORRUPT, "model: no \"%s\" embedding table", name);
    if ((*out)->rows != rows || (*out)->cols == 0)
        return tl_fail(err, TL_E_CORRUPT, "model: the \"%s\" table is %u x %u, expected %u rows", name, (*out)->rows,
                       (*out)->cols, rows);
    return TL_OK;
}

tl_status tl__embed_tables(const tl_dataset *ds, const tl_tensor *t, uint32_t n_t, tl_embeddings *out, tl_error *err)
{
    const tl_tensor *u = NULL, *m = NULL;
    tl_status st = table(t, n_t, "users", ds->n_users + 1, &u, err);
    if (st == TL_OK) st = table(t, n_t, "movies", ds->n_movies + 1, &m, err);
    if (st == TL_OK && u->cols != m->cols)
        st =
            tl_fail(err, TL_E_CORRUPT, "model: user vectors have %u dimensions but movie vectors %u", u->cols, m->cols);
    if (st == TL_OK) *out = (tl_embeddings){u->data, m->data, u->cols, u->cols, m->cols};
    return st;
}

tl_status tl__embed_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                         tl_scorer **out, tl_error *err)
{
    (void)config_json;
    tl_embeddings emb;
    tl_status st = tl__embed_tables(ds, t, n_t, &emb, err);
    if (st == TL_OK) st = tl_embed_scorer_new(ds, &emb, out, err);
    if (st != TL_OK) return st;
    /* a two-tower model may carry a rating head (the original's multitask model) */
    tl__embed_scorer *e = (tl__embed_scorer *)*out;
    st = tl_rating_head_from_tensors(ds, t, n_t, emb.dim, &e->head, err);
    if (st == TL_OK) st = tl__embed_prior_open(e, t, n_t, err);
    if (st != TL_OK) {
        tl_scorer_free(*out);
        *out = NULL;
        return st;
    }
    if (e->head) e->ops.predict = predict;
    return TL_OK;
}
