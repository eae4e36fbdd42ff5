/* The blend model type's training (preset "blend"): the iALS trainer and
 * the EASE fit (the types' own ops) on the train rows, and, to choose the
 * weight w on validation, the same two on the train rows minus a seeded
 * 10 % (seed S + 1, as the project's validation splits). An epoch is the
 * iALS epoch's batches (each steps the validation part, then the served
 * one) and one more batch: in the first epoch it fits both EASE parts, in
 * the last it chooses w (blend_choose.c). A fixed blend_weight in 0-1
 * skips the validation parts. With weights chosen on validation and rating
 * times, the time-neighbour part (seq_fit.c) is fit too, on both sides, when
 * the trainer is made, and the choice is over (w, wc) (blend_choose.c).
 * Tensors: the iALS ones, the EASE ones, "blend.weight" (1 x 1), and when
 * the choice gave the time part weight, its four "seq." tensors and
 * "blend.seq_weight" (1 x 1): without it the model (and its hash) is the
 * 2-part blend's. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "models/blend/blend_internal.h"
#include "models/models_internal.h"
#include "towerlens/buf.h"
#include "towerlens/rng.h"
#include "towerlens/train.h"

#define VALID_SHARE 10 /* percent of the train rows */

typedef struct blend_train {
    tl_train_config cfg;
    void *ials, *ease;     /* the served parts */
    void *v_ials, *v_ease; /* the validation parts (NULL with a fixed weight) */
    tl__seq seq, v_seq;    /* the time part, served and validation (n_rows 0: none) */
    tl_dataset cat;        /* the vocabulary sizes and a copy of the movies: what the parts' scorers read */
    tl__blend_rows rows;   /* fit and validation rows by user */
    uint32_t ials_batches; /* per epoch */
    uint32_t epochs_done;
    int v_batch_done; /* this batch's validation part has run */
    float *weight;    /* the tensors' values (their own allocation: tensors borrow them): w, then wc */
    double recall[TL_BLEND_GRID3], ndcg[TL_BLEND_GRID3];
    uint32_t valid_users;
} blend_train;

static const tl_train_ops *ials(void) { return &tl__ials_train_ops; }
static const tl_train_ops *ease(void) { return &tl__ease_train_ops; }

static tl_status blend_check(const tl_train_config *c, tl_error *err)
{
    tl_status st = ials()->check(c, err);
    if (st == TL_OK) st = ease()->check(c, err);
    if (st == TL_OK && !(c->blend_weight < 0.0f || c->blend_weight <= 1.0f))
        return tl_fail(err, TL_E_ARG, "blend weight %g is outside 0-1 (negative: chosen on validation)",
                       (double)c->blend_weight);
    return st;
}

static void blend_config_json(const tl_train_config *c, const tl_split *split, tl_buf *b)
{
    ials()->config_json(c, split, b);
    tl__config_json_float(b, "lambda", c->ease_lambda);
    tl_buf_printf(b, ",\"min_count\":%u", c->ease_min_count);
    if (c->blend_weight >= 0.0f) tl__config_json_float(b, "blend_weight", c->blend_weight);
    else tl_buf_printf(b, ",\"blend_weight\":\"validation\"");
}

static void blend_describe(const tl_train_config *c, tl_buf *b)
{
    tl_buf_printf(b, "blend of ");
    ials()->describe(c, b);
    tl_buf_printf(b, " and ");
    ease()->describe(c, b);
    if (c->blend_weight >= 0.0f) tl_buf_printf(b, "; iALS weight %g", (double)c->blend_weight);
    else
        tl_buf_printf(b, "; weights (and the time neighbours', with rating times) chosen on %d %% of the train rows",
                      VALID_SHARE);
}

static void blend_free(void *vs)
{
    blend_train *s = vs;
    if (!s) return;
    if (s->ials) ials()->free(s->ials);
    if (s->ease) ease()->free(s->ease);
    if (s->v_ials) ials()->free(s->v_ials);
    if (s->v_ease) ease()->free(s->v_ease);
    tl__seq_free(&s->seq), tl__seq_free(&s->v_seq);
    free(s->cat.movies);
    free(s->weight);
    free(s->rows.fit_start), free(s->rows.fit_movie), free(s->rows.fit_stars);
    free(s->rows.val_start), free(s->rows.val_movie);
    free(s);
}

/* CSR by user of rows (movies, and stars when stars is not NULL) */
static tl_status by_user(const tl_dataset *ds, const uint32_t *r, uint32_t n, uint32_t **start, uint32_t **movie,
                         float **stars, tl_error *err)
{
    uint32_t nu = ds->n_users;
    *start = calloc((size_t)nu + 1, sizeof **start);
    *movie = malloc((size_t)(n ? n : 1) * sizeof **movie);
    if (stars) *stars = malloc((size_t)(n ? n : 1) * sizeof **stars);
    uint32_t *fill = malloc((size_t)(nu ? nu : 1) * sizeof *fill);
    if (!*start || !*movie || (stars && !*stars) || !fill) {
        free(fill);
        return tl_fail(err, TL_E_NOMEM, "blend: out of memory for %u validation rows", n);
    }
    for (uint32_t i = 0; i < n; i++) (*start)[ds->r_user[r[i]] + 1]++;
    for (uint32_t u = 0; u < nu; u++) (*start)[u + 1] += (*start)[u];
    memcpy(fill, *start, (size_t)nu * sizeof *fill);
    for (uint32_t i = 0; i < n; i++) { /* rows ascending within a user (file order) */
        uint32_t k = fill[ds->r_user[r[i]]]++;
        (*movie)[k] = ds->r_movie[r[i]];
        if (stars) (*stars)[k] = tl_rating_value(ds->r_half[r[i]]);
    }
    free(fill);
    return TL_OK;
}

/* the validation parts: the train rows minus a seeded VALID_SHARE %, in file order */
static tl_status create_validation(blend_train *s, const tl_dataset *ds, const tl_split *split, tl_pool *pool,
                                   tl_error *err)
{
    uint32_t n = split->n_train, n_val = (uint32_t)((uint64_t)n * VALID_SHARE / 100);
    uint32_t *perm = malloc((size_t)(n ? n : 1) * sizeof *perm);
    if (!perm) return tl_fail(err, TL_E_NOMEM, "blend: out of memory for the validation split");
    memcpy(perm, split->train, (size_t)n * sizeof *perm);
    tl_shuffle_u32(perm, n, s->cfg.seed + 1);
    uint32_t *asc = malloc((size_t)(n ? n : 1) * sizeof *asc); /* each part in ascending row order */
    uint8_t *is_val = calloc((size_t)ds->n_ratings + 1, 1);
    tl_status st = asc && is_val ? TL_OK : tl_fail(err, TL_E_NOMEM, "blend: out of memory for the validation split");
    if (st == TL_OK) {
        for (uint32_t i = 0; i < n_val; i++) is_val[perm[i]] = 1;
        uint8_t *in_train = calloc((size_t)ds->n_ratings + 1, 1);
        if (!in_train) st = tl_fail(err, TL_E_NOMEM, "blend: out of memory for the validation split");
        for (uint32_t i = 0; st == TL_OK && i < n; i++) in_train[split->train[i]] = 1;
        uint32_t nf = 0, nv = 0;
        for (uint32_t r = 0; st == TL_OK && r < ds->n_ratings; r++)
            if (in_train[r] && !is_val[r]) asc[nf++] = r;
        for (uint32_t r = 0; st == TL_OK && r < ds->n_ratings; r++)
            if (is_val[r]) asc[nf + nv++] = r;
        free(in_train);
        tl_split fit = {.n_train = nf, .n_test = 0, .train = asc, .test = NULL};
        if (st == TL_OK) st = ials()->create(ds, &fit, &s->cfg, pool, &s->v_ials, err);
        if (st == TL_OK) st = ease()->create(ds, &fit, &s->cfg, pool, &s->v_ease, err);
        if (st == TL_OK) st = by_user(ds, asc, nf, &s->rows.fit_start, &s->rows.fit_movie, &s->rows.fit_stars, err);
        if (st == TL_OK) st = by_user(ds, asc + nf, nv, &s->rows.val_start, &s->rows.val_movie, NULL, err);
        if (st == TL_OK) st = tl__seq_fit(ds, asc, nf, &s->v_seq, err);
        s->rows.n_users = ds->n_users;
    }
    free(perm), free(asc), free(is_val);
    return st;
}

static tl_status blend_create(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_pool *pool,
                              void **out, tl_error *err)
{
    *out = NULL;
    if (!ds->movies) return tl_fail(err, TL_E_ARG, "the blend needs the dataset's movies");
    blend_train *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "out of memory creating the trainer");
    s->cfg = *cfg;
    s->cat.n_users = ds->n_users;
    s->cat.n_movies = ds->n_movies;
    s->cat.n_catalogue = ds->n_catalogue;
    s->cat.movies = malloc((size_t)(ds->n_movies ? ds->n_movies : 1) * sizeof *s->cat.movies);
    s->weight = malloc(2 * sizeof *s->weight);
    if (s->weight) s->weight[0] = cfg->blend_weight >= 0.0f ? cfg->blend_weight : 1.0f, s->weight[1] = 0.0f;
    tl_status st = s->cat.movies && s->weight ? TL_OK : tl_fail(err, TL_E_NOMEM, "out of memory creating the trainer");
    if (st == TL_OK) memcpy(s->cat.movies, ds->movies, (size_t)ds->n_movies * sizeof *ds->movies);
    if (st == TL_OK) st = ials()->create(ds, split, cfg, pool, &s->ials, err);
    if (st == TL_OK) st = ease()->create(ds, split, cfg, pool, &s->ease, err);
    if (st == TL_OK && cfg->blend_weight < 0.0f) st = create_validation(s, ds, split, pool, err);
    if (st == TL_OK && s->v_seq.n_rows > 0) st = tl__seq_fit(ds, split->train, split->n_train, &s->seq, err);
    if (st != TL_OK) {
        blend_free(s);
        return st;
    }
    s->ials_batches = ials()->batches_per_epoch(s->ials);
    *out = s;
    return TL_OK;
}

static uint32_t blend_batches_per_epoch(const void *vs) { return ((const blend_train *)vs)->ials_batches + 1; }

/* w and wc on validation: the validation parts' scorers over the catalogue copy */
static void choose_weight(blend_train *s)
{
    tl_tensor t[2 * TL_TRAINER_MAX_TENSORS];
    uint32_t n = ials()->tensors(s->v_ials, t);
    n += ease()->tensors(s->v_ease, t + n);
    n += tl__seq_tensors(&s->v_seq, t + n);
    tl_scorer *a = NULL, *b = NULL, *c = NULL;
    tl_error err;
    float w = 1.0f, wc = 0.0f;
    if (tl__embed_open(&s->cat, NULL, t, n, &a, &err) == TL_OK &&
        tl__ease_open(&s->cat, NULL, t, n, &b, &err) == TL_OK &&
        (!tl__seq_present(t, n) || tl__seq_open(&s->cat, t, n, &c, &err) == TL_OK) &&
        tl__blend_choose(&s->cat, a, b, c, &s->rows, s->cfg.seed + 1, &w, &wc, s->recall, s->ndcg, &s->valid_users,
                         &err) == TL_OK)
        s->weight[0] = w, s->weight[1] = wc;
    if (a) tl_scorer_free(a);
    if (b) tl_scorer_free(b);
    if (c) tl_scorer_free(c);
}

static int blend_step(void *vs, tl_pool *pool, uint32_t batch, tl_clock_fn clock, void *clock_ctx, double deadline_ms,
                      tl_train_batch *out)
{
    blend_train *s = vs;
    if (batch < s->ials_batches) {
        tl_train_batch v;
        if (s->v_ials && !s->v_batch_done) {
            if (!ials()->step(s->v_ials, pool, batch, clock, clock_ctx, deadline_ms, &v)) return 0;
            s->v_batch_done = 1;
        }
        if (!ials()->step(s->ials, pool, batch, clock, clock_ctx, deadline_ms, out)) return 0;
        s->v_batch_done = 0;
        return 1;
    }
    memset(out, 0, sizeof *out);
    if (s->epochs_done == 0) { /* the EASE fits (one batch each, never partial) */
        tl_train_batch v;
        if (s->v_ease) ease()->step(s->v_ease, pool, 0, clock, clock_ctx, deadline_ms, &v);
        ease()->step(s->ease, pool, 0, clock, clock_ctx, deadline_ms, &v);
    }
    if (s->epochs_done + 1 == s->cfg.epochs && s->v_ials) choose_weight(s);
    return 1;
}

static void blend_end_epoch(void *vs, uint32_t epochs_done, tl_epoch_record *e)
{
    blend_train *s = vs;
    if (s->v_ials) {
        tl_epoch_record v = *e;
        ials()->end_epoch(s->v_ials, epochs_done, &v);
    }
    ials()->end_epoch(s->ials, epochs_done, e);
    s->epochs_done = epochs_done;
}

static uint32_t blend_tensors(const void *vs, tl_tensor *out)
{
    const blend_train *s = vs;
    uint32_t n = ials()->tensors(s->ials, out);
    n += ease()->tensors(s->ease, out + n);
    tl__tensor_set(&out[n++], "blend.weight", 1, 1, s->weight);
    if (s->weight[1] > 0.0f) { /* the time part only once validation gave it weight */
        n += tl__seq_tensors(&s->seq, out + n);
        tl__tensor_set(&out[n++], "blend.seq_weight", 1, 1, s->weight + 1);
    }
    return n;
}

static size_t blend_bytes(const void *vs)
{
    const blend_train *s = vs;
    size_t b = sizeof *s + ials()->bytes(s->ials) + ease()->bytes(s->ease);
    if (s->v_ials) b += ials()->bytes(s->v_ials) + ease()->bytes(s->v_ease);
    b += ((size_t)s->seq.n_rows + s->seq.nnz + (size_t)s->v_seq.n_rows + s->v_seq.nnz) * 2 * sizeof(float);
    return b;
}

static uint64_t blend_hash(const void *vs)
{
    const blend_train *s = vs;
    uint64_t h = tl_fnv1a64(TL_FNV_OFFSET, &(uint64_t){ials()->hash(s->ials)}, 8);
    h = tl_fnv1a64(h, &(uint64_t){ease()->hash(s->ease)}, 8);
    h = tl_fnv1a64_floats(h, s->weight, 1);
    if (s->weight[1] == 0.0f) return h; /* no time part: the hash of the 2-part blend */
    h = tl_fnv1a64_floats(h, s->seq.block, ((size_t)s->seq.n_rows + s->seq.nnz) * 2);
    return tl_fnv1a64_floats(h, s->weight + 1, 1);
}

/* visitors are the iALS part's (its fold-in serves them) */
static void blend_set_visitor_prior(void *vs, float w3, float w10)
{
    ials()->set_visitor_prior(((blend_train *)vs)->ials, w3, w10);
}

static const tl_model *blend_model(const void *vs) { return ials()->model(((const blend_train *)vs)->ials); }

const tl_train_ops tl__blend_train_ops = {
    .loss = TL_LOSS_BLEND,
    .loss_name = "objective",
    .describe = blend_describe,
    .check = blend_check,
    .config_json = blend_config_json,
    .create = blend_create,
    .batches_per_epoch = blend_batches_per_epoch,
    .step = blend_step,
    .end_epoch = blend_end_epoch,
    .tensors = blend_tensors,
    .bytes = blend_bytes,
    .hash = blend_hash,
    .model = blend_model,
    .head = NULL,
    .free = blend_free,
    .set_visitor_prior = blend_set_visitor_prior,
    .visitors = &tl__ials_train_ops,
};
