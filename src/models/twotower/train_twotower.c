/* The two-tower model type's training (train.h "tfrs", "tfrs-multitask",
 * the default joint model): the blocked in-batch softmax with sparse
 * Adagrad on the embedding tables, and the optional rating head trained on
 * the same batches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/models_internal.h"
#include "towerlens/buf.h"
#include "towerlens/rng.h"
#include "towerlens/train.h"

/* Sums the gradients of duplicate rows, then applies one Adagrad update
 * per unique row (Keras deduplicates sparse gradients the same way).
 * `slot` maps a table row to its place in `sum` (-1 = not yet seen); it
 * is all -1 again on return. */
typedef struct sparse_table {
    float *w, *acc;
    int32_t *slot;
    uint32_t *unique;
    float *sum;
} sparse_table;

typedef struct twotower {
    tl_train_config cfg;
    tl_model *model;
    float *liked; /* tl__liked_block: the visitor prior's tensors */
    float *acc_users, *acc_movies;
    sparse_table users, movies;

    uint32_t n_train, batches_per_epoch;
    uint32_t *order_user, *order_movie; /* train pairs in batch order */

    tl_softmax_ws ws;
    float *Ub, *Mb, *dU, *dM; /* gathered batch and its gradients */

    /* rating head (rating_weight > 0 only) */
    tl_rating_head *head;
    tl_head_ws head_ws;
    tl_head_opt head_opt;
    uint8_t *order_half; /* train ratings (half stars) in batch order */
    float *rb;           /* the batch's ratings */

    /* the batch in progress */
    int in_batch;
    uint32_t batch_start, batch_len, next_row;
    double batch_loss, batch_sse;
    size_t bytes;
} twotower;

static void *alloc_array(size_t n, size_t size, size_t *bytes)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / size) return NULL;
    *bytes += n * size;
    return malloc(n * size);
}

static void shuffle_pairs(twotower *s, uint64_t seed)
{
    /* one Fisher-Yates over the pair arrays (same swaps for both) */
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (uint32_t i = s->n_train; i-- > 1;) {
        uint32_t j = tl_rng_below(&r, i + 1);
        uint32_t t = s->order_user[i];
        s->order_user[i] = s->order_user[j];
        s->order_user[j] = t;
        t = s->order_movie[i];
        s->order_movie[i] = s->order_movie[j];
        s->order_movie[j] = t;
        if (s->order_half) {
            uint8_t h = s->order_half[i];
            s->order_half[i] = s->order_half[j];
            s->order_half[j] = h;
        }
    }
}

static void tt_free(void *vs)
{
    twotower *s = vs;
    if (!s) return;
    tl_model_free(s->model);
    free(s->liked);
    free(s->acc_users);
    free(s->acc_movies);
    free(s->users.slot);
    free(s->users.unique);
    free(s->users.sum);
    free(s->movies.slot);
    free(s->movies.unique);
    free(s->movies.sum);
    free(s->order_user);
    free(s->order_movie);
    tl_softmax_ws_free(&s->ws);
    free(s->Ub);
    free(s->Mb);
    free(s->dU);
    free(s->dM);
    tl_rating_head_free(s->head);
    tl_head_ws_free(&s->head_ws);
    tl_head_opt_free(&s->head_opt);
    free(s->order_half);
    free(s->rb);
    free(s);
}

static tl_status init_table(sparse_table *t, float *w, float **acc_out, uint32_t rows, uint32_t dim, uint32_t max_batch,
                            float initial, size_t *bytes)
{
    size_t n = (size_t)rows * dim; /* fits: the model table of this size exists */
    float *acc = alloc_array(n, sizeof(float), bytes);
    *acc_out = acc;
    t->w = w;
    t->acc = acc;
    t->slot = alloc_array(rows, sizeof(int32_t), bytes);
    t->unique = alloc_array(max_batch, sizeof(uint32_t), bytes);
    t->sum = alloc_array((size_t)max_batch * dim, sizeof(float), bytes);
    if (!acc || !t->slot || !t->unique || !t->sum) return TL_E_NOMEM;
    for (size_t i = 0; i < n; i++) acc[i] = initial;
    for (uint32_t i = 0; i < rows; i++) t->slot[i] = -1;
    return TL_OK;
}

/* Stripes per softmax group (tl_softmax_group): one with one thread (a
 * step of one stripe); else two per thread, so a thread that got less of a
 * core still finds work and the pool's two runs per group are spread over
 * a quarter of the batch. Never changes a result. */
static size_t group_stripes(uint32_t threads) { return threads <= 1 ? 1 : 2 * (size_t)threads; }

/* ---- rating head (rating.h): created only when rating_weight > 0 ---- */

static tl_status head_new(twotower *s, const tl_dataset *ds, const tl_split *split, uint32_t B, tl_pool *pool,
                          tl_error *err)
{
    const tl_train_config *cfg = &s->cfg;
    const tl_head_config *hc = &cfg->head;
    tl_status st = tl_rating_head_new(hc, cfg->dim, ds->n_users, ds->n_movies, cfg->seed + 4, &s->head, err);
    if (st == TL_OK) st = tl_rating_head_init_biases(s->head, hc, ds, split->train, split->n_train, err);
    if (st == TL_OK) st = tl_head_ws_init(&s->head_ws, s->head, B, err);
    s->head_ws.pool = pool; /* the softmax's workers (NULL if init failed) */
    if (st == TL_OK)
        st = tl_head_opt_init(
            &s->head_opt, s->head, B, hc->learning_rate > 0.0f ? hc->learning_rate : cfg->learning_rate,
            hc->adagrad_initial >= 0.0f ? hc->adagrad_initial : cfg->adagrad_initial, cfg->adagrad_epsilon, err);
    if (st != TL_OK) return st;
    s->order_half = malloc(split->n_train);
    s->rb = malloc((size_t)B * sizeof(float));
    if (!s->order_half || !s->rb)
        return tl_fail(err, TL_E_NOMEM, "out of memory for the rating head's training buffers");
    for (uint32_t i = 0; i < split->n_train; i++) s->order_half[i] = ds->r_half[split->train[i]];
    s->bytes += tl_head_ws_bytes(&s->head_ws, s->head) + tl_head_opt_bytes(&s->head_opt, s->head) +
                s->head->n_dense * sizeof(float) + split->n_train + (size_t)B * sizeof(float);
    if (s->head->has_biases) s->bytes += ((size_t)ds->n_users + ds->n_movies + 2) * sizeof(float);
    return TL_OK;
}

/* The head's part of a batch, after the retrieval blocks: scales the
 * retrieval gradients by their weight, adds the weighted rating gradients
 * of the embeddings, and steps the head's own parameters. */
static void head_batch(twotower *s)
{
    uint32_t len = s->batch_len, start = s->batch_start, dim = s->cfg.dim;
    float wr = s->cfg.retrieval_weight;
    if (wr != 1.0f) {
        size_t n = (size_t)len * dim;
        for (size_t i = 0; i < n; i++) {
            s->dU[i] *= wr;
            s->dM[i] *= wr;
        }
    }
    s->batch_loss *= wr;
    for (uint32_t i = 0; i < len; i++) s->rb[i] = tl_rating_value(s->order_half[start + i]);
    double sse = 0.0;
    double loss = tl_rating_head_batch(s->head, &s->cfg.head, &s->head_ws, s->Ub, s->Mb, s->order_user + start,
                                       s->order_movie + start, s->rb, len, s->cfg.rating_weight, s->dU, s->dM, &sse);
    tl_head_opt_apply(&s->head_opt, s->head, &s->head_ws, s->order_user + start, s->order_movie + start, len);
    s->batch_loss += (double)s->cfg.rating_weight * loss;
    s->batch_sse = sse;
}

static tl_status tt_create(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_pool *pool,
                           void **out, tl_error *err)
{
    *out = NULL;
    twotower *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "out of memory creating the trainer");
    s->cfg = *cfg;
    tl_status st = tl_model_new(ds->n_users, ds->n_movies, cfg->dim, cfg->init_range, cfg->seed + 2, &s->model, err);
    if (st == TL_OK) st = tl__liked_block(ds, split, cfg, &s->liked, err);
    if (st != TL_OK) {
        tt_free(s);
        return st;
    }
    size_t bytes = sizeof *s + ((size_t)ds->n_users + ds->n_movies + 2) * cfg->dim * sizeof(float);
    uint32_t n = split->n_train, dim = cfg->dim;
    uint32_t B = cfg->batch_size < n ? cfg->batch_size : n;
    s->n_train = n;
    s->batches_per_epoch = (n + cfg->batch_size - 1) / cfg->batch_size;

    s->order_user = alloc_array(n, sizeof(uint32_t), &bytes);
    s->order_movie = alloc_array(n, sizeof(uint32_t), &bytes);
    s->Ub = alloc_array((size_t)B * dim, sizeof(float), &bytes);
    s->Mb = alloc_array((size_t)B * dim, sizeof(float), &bytes);
    s->dU = alloc_array((size_t)B * dim, sizeof(float), &bytes);
    s->dM = alloc_array((size_t)B * dim, sizeof(float), &bytes);
    if (!s->order_user || !s->order_movie || !s->Ub || !s->Mb || !s->dU || !s->dM) goto nomem;
    if (init_table(&s->users, s->model->users, &s->acc_users, ds->n_users + 1, dim, B, cfg->adagrad_initial, &bytes) !=
            TL_OK ||
        init_table(&s->movies, s->model->movies, &s->acc_movies, ds->n_movies + 1, dim, B, cfg->adagrad_initial,
                   &bytes) != TL_OK)
        goto nomem;
    st = tl_softmax_ws_init_group(&s->ws, B, dim, cfg->block_rows, tl_pool_threads(pool),
                                  group_stripes(tl_pool_threads(pool)), err);
    if (st != TL_OK) {
        tt_free(s);
        return st;
    }
    bytes += tl_softmax_ws_bytes(&s->ws);
    s->bytes = bytes; /* head_new adds its own */

    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = split->train[i];
        s->order_user[i] = ds->r_user[row];
        s->order_movie[i] = ds->r_movie[row];
    }
    if (cfg->rating_weight > 0.0f) {
        st = head_new(s, ds, split, B, pool, err);
        if (st != TL_OK) {
            tt_free(s);
            return st;
        }
    }
    shuffle_pairs(s, cfg->seed + 3);
    *out = s;
    return TL_OK;

nomem:
    tt_free(s);
    return tl_fail(err, TL_E_NOMEM, "out of memory for training buffers (%u train rows, batch %u, dimension %u)", n,
                   cfg->batch_size, cfg->dim);
}

static void gather(const float *table, const uint32_t *rows, uint32_t n, uint32_t dim, float *out)
{
    for (uint32_t i = 0; i < n; i++) memcpy(out + (size_t)i * dim, table + (size_t)rows[i] * dim, dim * sizeof(float));
}

static void apply_sparse(sparse_table *t, const uint32_t *rows, uint32_t n, const float *grads, uint32_t dim, float lr,
                         float eps)
{
    uint32_t n_unique = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = rows[i];
        const float *g = grads + (size_t)i * dim;
        int32_t s = t->slot[r];
        if (s < 0) {
            s = (int32_t)n_unique++;
            t->slot[r] = s;
            t->unique[s] = r;
            memcpy(t->sum + (size_t)s * dim, g, dim * sizeof(float));
        } else {
            float *acc = t->sum + (size_t)s * dim;
            for (uint32_t k = 0; k < dim; k++) acc[k] += g[k];
        }
    }
    for (uint32_t s = 0; s < n_unique; s++) {
        size_t r = t->unique[s];
        tl_adagrad_row(t->w + r * dim, t->acc + r * dim, t->sum + (size_t)s * dim, dim, lr, eps);
        t->slot[r] = -1;
    }
}

static void begin_batch(twotower *s, uint32_t batch)
{
    uint32_t start = batch * s->cfg.batch_size;
    uint32_t len = s->n_train - start < s->cfg.batch_size ? s->n_train - start : s->cfg.batch_size;
    uint32_t dim = s->cfg.dim;
    gather(s->model->users, s->order_user + start, len, dim, s->Ub);
    gather(s->model->movies, s->order_movie + start, len, dim, s->Mb);
    s->batch_start = start;
    s->batch_len = len;
    s->next_row = 0;
    if (s->cfg.retrieval_weight > 0.0f) {
        tl_softmax_begin(&s->ws, s->Mb, len, s->dM);
    } else { /* rating only: no retrieval blocks */
        memset(s->dU, 0, (size_t)len * dim * sizeof(float));
        memset(s->dM, 0, (size_t)len * dim * sizeof(float));
        s->next_row = len;
    }
    s->batch_loss = 0.0;
    s->batch_sse = 0.0;
    s->in_batch = 1;
}

static void finish_batch(twotower *s, tl_train_batch *out)
{
    uint32_t dim = s->cfg.dim, len = s->batch_len, start = s->batch_start;
    if (s->cfg.retrieval_weight > 0.0f) tl_softmax_end(&s->ws, s->Ub, len, s->dM);
    if (s->head) head_batch(s); /* rating loss: weights both gradients, steps the head */
    apply_sparse(&s->users, s->order_user + start, len, s->dU, dim, s->cfg.learning_rate, s->cfg.adagrad_epsilon);
    apply_sparse(&s->movies, s->order_movie + start, len, s->dM, dim, s->cfg.learning_rate, s->cfg.adagrad_epsilon);
    out->loss = s->batch_loss;
    out->examples = len;
    out->sse = s->batch_sse;
    s->in_batch = 0;
}

/* One row group per call (the trainer reads the clock after each, so a
 * time budget ends a call inside a batch at a group's end). */
static int tt_step(void *vs, tl_pool *pool, uint32_t batch, tl_clock_fn clock, void *clock_ctx, double deadline_ms,
                   tl_train_batch *out)
{
    twotower *s = vs;
    (void)clock;
    (void)clock_ctx;
    (void)deadline_ms;
    if (!s->in_batch) begin_batch(s, batch);
    if (s->next_row < s->batch_len) {
        uint32_t rows = s->batch_len - s->next_row;
        uint32_t group = (uint32_t)tl_softmax_group_rows(&s->ws, s->batch_len);
        if (rows > group) rows = group;
        tl_softmax_group(&s->ws, pool, s->Ub, s->Mb, s->batch_len, s->next_row, rows, s->dU, s->dM, &s->batch_loss);
        s->next_row += rows;
    }
    if (s->next_row < s->batch_len) return 0;
    finish_batch(s, out);
    return 1;
}

static void tt_end_epoch(void *vs, uint32_t epochs_done, tl_epoch_record *e)
{
    twotower *s = vs;
    (void)e;
    if (s->cfg.reshuffle_each_epoch && epochs_done < s->cfg.epochs) shuffle_pairs(s, s->cfg.seed + 3 + epochs_done);
}

static uint32_t tt_batches_per_epoch(const void *vs) { return ((const twotower *)vs)->batches_per_epoch; }
static size_t tt_bytes(const void *vs) { return ((const twotower *)vs)->bytes; }
static const tl_model *tt_model(const void *vs) { return ((const twotower *)vs)->model; }
static const tl_rating_head *tt_head(const void *vs) { return ((const twotower *)vs)->head; }

static uint64_t tt_hash(const void *vs)
{
    const twotower *s = vs;
    uint64_t h = tl_model_hash(s->model);
    if (s->head) h ^= tl_rating_head_hash(s->head); /* the head is part of the model */
    return h;
}

static uint32_t tt_tensors(const void *vs, tl_tensor *out)
{
    const twotower *s = vs;
    uint32_t n = tl__model_tensors(s->model, out);
    n += tl__liked_tensors(s->liked, s->model->n_movies, out + n);
    return n + (s->head ? tl_rating_head_tensors(s->head, out + n) : 0);
}

static void twotower_describe(const tl_train_config *c, tl_buf *b)
{
    tl_buf_printf(b, "d=%u, batch %u, %u epoch%s, Adagrad lr %g", c->dim, c->batch_size, c->epochs,
                  c->epochs == 1 ? "" : "s", (double)c->learning_rate);
    if (!(c->rating_weight > 0.0f)) return;
    tl_buf_printf(b, "\nmultitask: retrieval weight %g, rating weight %g, rating head", (double)c->retrieval_weight,
                  (double)c->rating_weight);
    for (uint32_t l = 0; l < c->head.n_hidden; l++) tl_buf_printf(b, " %u ->", c->head.hidden[l]);
    tl_buf_printf(b, " 1%s", c->head.biases ? " + user/movie biases" : "");
}

/* The loss of the first batch is B ln B when the softmax is wired right. */
static void twotower_first_batch_note(const tl_train_config *c, const tl_train_progress *p, tl_buf *b)
{
    if (c->retrieval_weight != 1.0f || c->rating_weight > 0.0f) {
        tl_buf_printf(b, "first batch loss %.1f (retrieval x %g + rating x %g)", p->first_batch_loss,
                      (double)c->retrieval_weight, (double)c->rating_weight);
        return;
    }
    uint32_t n = c->batch_size < p->examples_seen ? c->batch_size : (uint32_t)p->examples_seen;
    tl_buf_printf(b, "first batch loss %.1f (B ln B = %.1f at B = %u: the check that the loss is wired right)",
                  p->first_batch_loss, n * log((double)n), n);
}

static void tt_set_visitor_prior(void *vs, float w3, float w10)
{
    twotower *s = vs;
    tl__liked_set_weights(s->liked, s->model->n_movies, w3, w10);
}

const tl_train_ops tl__twotower_train_ops = {
    .loss = TL_LOSS_INBATCH_SOFTMAX,
    .loss_name = "mean batch loss",
    .describe = twotower_describe,
    .first_batch_note = twotower_first_batch_note,
    .check = tl__twotower_config_check,
    .config_json = tl__twotower_config_json,
    .create = tt_create,
    .batches_per_epoch = tt_batches_per_epoch,
    .step = tt_step,
    .end_epoch = tt_end_epoch,
    .tensors = tt_tensors,
    .bytes = tt_bytes,
    .hash = tt_hash,
    .model = tt_model,
    .head = tt_head,
    .free = tt_free,
    .set_visitor_prior = tt_set_visitor_prior,
};
