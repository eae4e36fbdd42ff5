/* The popularity model type's training (preset "popularity"): each
 * movie's train ratings counted, one batch per epoch. Its one tensor
 * "popularity" ((n_movies + 1) x 1 floats: a row per movie, the OOV row last, 0) is what
 * a popularity scorer ranks by. It has no embedding tables and no loss. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "models/models_internal.h"
#include "towerlens/buf.h"
#include "towerlens/rng.h"
#include "towerlens/train.h"

typedef struct popularity {
    uint32_t n_movies, n_train;
    uint32_t *movie; /* the train rows' movie indices, in split order */
    uint32_t *count; /* n_movies: the counts being made */
    float *counts;   /* n_movies + 1: the trained counts (0 until the first batch) */
} popularity;

static tl_status pop_check(const tl_train_config *c, tl_error *err)
{
    if (c->rating_weight != 0.0f)
        return tl_fail(err, TL_E_ARG, "the popularity model has no rating head (rating weight %g)",
                       (double)c->rating_weight);
    return TL_OK;
}

static void pop_config_json(const tl_train_config *c, const tl_split *split, tl_buf *b)
{
    tl_buf_printf(b, ",\"epochs\":%u,\"loss\":\"popularity\",\"seed\":%" PRIu64, c->epochs, c->seed);
    if (split) tl_buf_printf(b, ",\"split\":{\"train\":%u,\"test\":%u}", split->n_train, split->n_test);
}

static void pop_free(void *vs)
{
    popularity *s = vs;
    if (!s) return;
    free(s->movie);
    free(s->count);
    free(s->counts);
    free(s);
}

static tl_status pop_create(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_pool *pool,
                            void **out, tl_error *err)
{
    (void)cfg;
    (void)pool;
    *out = NULL;
    popularity *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "out of memory creating the trainer");
    s->n_movies = ds->n_movies;
    s->n_train = split->n_train;
    s->movie = malloc((size_t)split->n_train * sizeof(uint32_t));
    s->count = malloc((size_t)ds->n_movies * sizeof(uint32_t));
    s->counts = calloc((size_t)ds->n_movies + 1, sizeof(float));
    if (!s->movie || !s->count || !s->counts) {
        pop_free(s);
        return tl_fail(err, TL_E_NOMEM, "out of memory for the popularity counts (%u movies, %u train rows)",
                       ds->n_movies, split->n_train);
    }
    for (uint32_t i = 0; i < split->n_train; i++) s->movie[i] = ds->r_movie[split->train[i]];
    *out = s;
    return TL_OK;
}

/* The one batch: every train row counted (in integers: exact), then the
 * counts published as floats. Serial: no thread count can change it. */
static int pop_step(void *vs, tl_pool *pool, uint32_t batch, tl_clock_fn clock, void *clock_ctx, double deadline_ms,
                    tl_train_batch *out)
{
    popularity *s = vs;
    (void)pool;
    (void)batch;
    (void)clock;
    (void)clock_ctx;
    (void)deadline_ms;
    memset(s->count, 0, (size_t)s->n_movies * sizeof(uint32_t));
    for (uint32_t i = 0; i < s->n_train; i++) s->count[s->movie[i]]++;
    for (uint32_t m = 0; m < s->n_movies; m++) s->counts[m] = (float)s->count[m];
    s->counts[s->n_movies] = 0.0f; /* the OOV column */
    out->loss = 0.0;
    out->examples = s->n_train;
    out->sse = 0.0;
    return 1;
}

static uint32_t pop_batches_per_epoch(const void *vs)
{
    (void)vs;
    return 1;
}

static size_t pop_bytes(const void *vs)
{
    const popularity *s = vs;
    return sizeof *s + (size_t)s->n_train * sizeof(uint32_t) + (size_t)s->n_movies * sizeof(uint32_t) +
           ((size_t)s->n_movies + 1) * sizeof(float);
}

static uint64_t pop_hash(const void *vs)
{
    const popularity *s = vs;
    uint64_t h = tl_fnv1a64_u32(TL_FNV_OFFSET, s->n_movies);
    return tl_fnv1a64_floats(h, s->counts, (size_t)s->n_movies + 1);
}

static uint32_t pop_tensors(const void *vs, tl_tensor *out)
{
    const popularity *s = vs;
    tl__tensor_set(&out[0], "popularity", s->n_movies + 1, 1, s->counts);
    return 1;
}

static void pop_describe(const tl_train_config *c, tl_buf *b)
{
    (void)c;
    tl_buf_puts(b, "popularity: each movie's train rating count");
}

const tl_train_ops tl__popularity_train_ops = {
    .loss = TL_LOSS_POPULARITY,
    .loss_name = "none",
    .describe = pop_describe,
    .check = pop_check,
    .config_json = pop_config_json,
    .create = pop_create,
    .batches_per_epoch = pop_batches_per_epoch,
    .step = pop_step,
    .end_epoch = NULL,
    .tensors = pop_tensors,
    .bytes = pop_bytes,
    .hash = pop_hash,
    .model = NULL, /* no embedding tables */
    .head = NULL,
    .free = pop_free,
};
