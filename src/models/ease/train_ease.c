/* The EASE model type's training (preset "ease"): one batch per epoch,
 * tl_ease_fit on the train rows (ease.h) with the config's lambda and
 * min_count. Its tensors, independent of the dense vocabularies except the
 * one movie table:
 *   "ease.items"  n_items x 1: the items' RAW movie ids as float values
 *                 (exact: training refuses ids of 2^24 or more)
 *   "ease.B"      n_items x n_items: B[i][j], row i = item i's weights
 *   "ease.counts" (n_movies + 1) x 1: train ratings per dense movie (the OOV
 *                 row last, 0): the order of the movies outside the item set
 *   "ease.values" 10 x 1: x of a rating of h half stars at row h - 1
 * The fit is serial in its order of sums (ease.h): the same bits for any
 * thread count, natively and in WASM. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "models/ease/ease_internal.h"
#include "models/models_internal.h"
#include "towerlens/buf.h"
#include "towerlens/rng.h"
#include "towerlens/train.h"

#define EASE_MAX_RAW_ID (1u << 24) /* raw ids below this are exact as floats */

typedef struct ease_train {
    tl_dataset rows;    /* the train rows only (ascending file order), with the vocabulary sizes */
    uint32_t *movie_id; /* n_movies raw ids */
    tl_ease_options opt;
    tl_ease_model *model; /* NULL before the first batch */
    float *items;         /* n_items raw ids */
    float *counts;        /* n_movies + 1, then the 10 values (one allocation) */
    float *values;        /* counts + n_movies + 1 */
} ease_train;

static tl_status ease_check(const tl_train_config *c, tl_error *err)
{
    if (c->rating_weight != 0.0f)
        return tl_fail(err, TL_E_ARG, "the EASE model has no rating head (rating weight %g)", (double)c->rating_weight);
    if (!(c->ease_lambda > 0.0f) || c->ease_lambda > 1e30f)
        return tl_fail(err, TL_E_ARG, "EASE lambda %g is not a positive finite number", (double)c->ease_lambda);
    if (c->ease_min_count < 1) return tl_fail(err, TL_E_ARG, "EASE min_count must be at least 1");
    return TL_OK;
}

static void ease_config_json(const tl_train_config *c, const tl_split *split, tl_buf *b)
{
    tl_buf_printf(b, ",\"epochs\":%u,\"loss\":\"ease\"", c->epochs);
    tl__config_json_float(b, "lambda", c->ease_lambda);
    tl_buf_printf(b, ",\"min_count\":%u,\"seed\":%" PRIu64, c->ease_min_count, c->seed);
    if (split) tl_buf_printf(b, ",\"split\":{\"train\":%u,\"test\":%u}", split->n_train, split->n_test);
}

static void ease_free(void *vs)
{
    ease_train *s = vs;
    if (!s) return;
    free(s->rows.r_user);
    free(s->rows.r_movie);
    free(s->rows.r_half);
    free(s->movie_id);
    tl_ease_free(s->model);
    free(s->items);
    free(s->counts);
    free(s);
}

static tl_status ease_create(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_pool *pool,
                             void **out, tl_error *err)
{
    *out = NULL;
    for (uint32_t m = 0; m < ds->n_movies; m++)
        if (ds->movies[m].id >= EASE_MAX_RAW_ID)
            return tl_fail(err, TL_E_LIMIT, "EASE stores raw movie ids as floats: id %u is 2^24 or more",
                           ds->movies[m].id);
    ease_train *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "out of memory creating the trainer");
    uint32_t n = split->n_train;
    s->rows.n_users = ds->n_users;
    s->rows.n_movies = ds->n_movies;
    s->rows.r_user = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    s->rows.r_movie = malloc((size_t)(n ? n : 1) * sizeof(uint32_t));
    s->rows.r_half = malloc(n ? n : 1);
    s->movie_id = malloc((size_t)(ds->n_movies ? ds->n_movies : 1) * sizeof(uint32_t));
    uint8_t *mark = calloc((size_t)ds->n_ratings + 1, 1);
    if (!s->rows.r_user || !s->rows.r_movie || !s->rows.r_half || !s->movie_id || !mark) {
        free(mark);
        ease_free(s);
        return tl_fail(err, TL_E_NOMEM, "out of memory for the EASE train rows (%u)", n);
    }
    /* the train rows in file order (the fit keeps the latest of a repeated pair) */
    for (uint32_t i = 0; i < n; i++) mark[split->train[i]] = 1;
    uint32_t k = 0;
    for (uint32_t r = 0; r < ds->n_ratings; r++) {
        if (!mark[r]) continue;
        s->rows.r_user[k] = ds->r_user[r];
        s->rows.r_movie[k] = ds->r_movie[r];
        s->rows.r_half[k] = ds->r_half[r];
        k++;
    }
    free(mark);
    s->rows.n_ratings = k;
    /* the fit's one data-dependent refusal, reported here (a step has no error to return) */
    uint32_t *count = calloc((size_t)ds->n_movies + 1, sizeof *count), best = 0;
    if (!count) {
        ease_free(s);
        return tl_fail(err, TL_E_NOMEM, "out of memory counting the EASE train rows");
    }
    for (uint32_t i = 0; i < k; i++)
        if (++count[s->rows.r_movie[i]] > best) best = count[s->rows.r_movie[i]];
    free(count);
    if (best < cfg->ease_min_count) {
        ease_free(s);
        return tl_fail(err, TL_E_ARG, "EASE: no movie has %u train ratings (min_count; the most rated has %u)",
                       cfg->ease_min_count, best);
    }
    for (uint32_t m = 0; m < ds->n_movies; m++) s->movie_id[m] = ds->movies[m].id;
    tl_ease_options_default(&s->opt);
    s->opt.lambda = cfg->ease_lambda;
    s->opt.min_count = cfg->ease_min_count;
    s->opt.pool = pool;
    *out = s;
    return TL_OK;
}

/* The one batch: the fit, then its tensors published. */
static int ease_step(void *vs, tl_pool *pool, uint32_t batch, tl_clock_fn clock, void *clock_ctx, double deadline_ms,
                     tl_train_batch *out)
{
    ease_train *s = vs;
    (void)batch, (void)clock, (void)clock_ctx, (void)deadline_ms;
    out->loss = 0.0;
    out->examples = s->rows.n_ratings;
    out->sse = 0.0;
    uint32_t *all = malloc((size_t)(s->rows.n_ratings ? s->rows.n_ratings : 1) * sizeof *all);
    if (!all) return 1; /* the model stays as it was (tensors() then reports none) */
    for (uint32_t i = 0; i < s->rows.n_ratings; i++) all[i] = i;
    tl_ease_options o = s->opt;
    o.pool = pool;
    tl_ease_model *m = NULL;
    tl_status st = tl_ease_fit(&s->rows, all, s->rows.n_ratings, &o, &m, NULL);
    free(all);
    if (st != TL_OK) return 1;
    float *items = malloc((size_t)m->n_items * sizeof *items);
    float *counts = malloc(((size_t)m->n_movies + 1 + 10) * sizeof *counts);
    if (!items || !counts) {
        free(items), free(counts);
        tl_ease_free(m);
        return 1;
    }
    for (uint32_t i = 0; i < m->n_items; i++) items[i] = (float)s->movie_id[m->movie_of_item[i]];
    for (uint32_t j = 0; j < m->n_movies; j++) counts[j] = (float)m->train_count[j];
    counts[m->n_movies] = 0.0f;
    float *values = counts + m->n_movies + 1;
    for (int h = 1; h <= 10; h++) values[h - 1] = m->value[h];
    tl_ease_free(s->model);
    free(s->items), free(s->counts);
    s->model = m, s->items = items, s->counts = counts, s->values = values;
    return 1;
}

static uint32_t ease_batches_per_epoch(const void *vs)
{
    (void)vs;
    return 1;
}

static size_t ease_bytes(const void *vs)
{
    const ease_train *s = vs;
    size_t b = sizeof *s + (size_t)s->rows.n_ratings * 9 + (size_t)s->rows.n_movies * 4;
    if (s->model) {
        tl_ease_info info;
        tl_ease_get_info(s->model, &info);
        b += info.model_bytes + (size_t)info.n_items * 4 + ((size_t)info.n_movies + 1) * 4;
    }
    return b;
}

static uint64_t ease_hash(const void *vs)
{
    const ease_train *s = vs;
    uint64_t h = tl_fnv1a64_u32(TL_FNV_OFFSET, s->rows.n_movies);
    if (!s->model) return h;
    size_t ni = s->model->n_items;
    h = tl_fnv1a64_floats(h, s->items, ni);
    h = tl_fnv1a64_floats(h, s->model->B, ni * ni);
    h = tl_fnv1a64_floats(h, s->counts, (size_t)s->rows.n_movies + 1);
    return tl_fnv1a64_floats(h, s->values, 10);
}

static uint32_t ease_tensors(const void *vs, tl_tensor *out)
{
    const ease_train *s = vs; /* the tensors borrow its buffers, which are not const */
    if (!s->model) return 0;
    uint32_t ni = s->model->n_items;
    tl__tensor_set(&out[0], "ease.items", ni, 1, s->items);
    tl__tensor_set(&out[1], "ease.B", ni, ni, s->model->B);
    tl__tensor_set(&out[2], "ease.counts", s->rows.n_movies + 1, 1, s->counts);
    tl__tensor_set(&out[3], "ease.values", 10, 1, s->values);
    return 4;
}

static void ease_describe(const tl_train_config *c, tl_buf *b)
{
    tl_buf_printf(b, "EASE (item-item, closed form), lambda %g, movies with at least %u train ratings",
                  (double)c->ease_lambda, c->ease_min_count);
}

const tl_train_ops tl__ease_train_ops = {
    .loss = TL_LOSS_EASE,
    .loss_name = "none",
    .describe = ease_describe,
    .check = ease_check,
    .config_json = ease_config_json,
    .create = ease_create,
    .batches_per_epoch = ease_batches_per_epoch,
    .step = ease_step,
    .end_epoch = NULL,
    .tensors = ease_tensors,
    .bytes = ease_bytes,
    .hash = ease_hash,
    .model = NULL, /* no embedding tables */
    .head = NULL,
    .free = ease_free,
};
