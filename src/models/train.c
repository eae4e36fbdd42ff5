/* The step-wise trainer: epochs, batches, row blocks, sparse Adagrad. */
#include <math.h> /* INFINITY */
#include <stdlib.h>
#include <string.h>

#include "towerlens/rng.h"
#include "towerlens/train.h"
#include "models/ials/train_ials.h"

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

struct tl_trainer {
    tl_train_config cfg;
    tl_model *model;
    tl_ials *ials;         /* TL_LOSS_IALS: the solver; none of the Adagrad state below */
    tl_pool *pool;         /* the workers: iALS' row solves, or the softmax's blocks */
    double ials_objective; /* after an epoch's last iALS batch: the objective (train.h) */
    float *acc_users, *acc_movies;
    sparse_table users, movies;

    uint32_t n_train;
    uint32_t *order_user, *order_movie; /* train pairs in batch order */

    tl_softmax_ws ws;
    float *Ub, *Mb, *dU, *dM;           /* gathered batch and its gradients */

    /* rating head (rating_weight > 0 only) */
    tl_rating_head *head;
    tl_head_ws head_ws;
    tl_head_opt head_opt;
    uint8_t *order_half;                /* train ratings (half stars) in batch order */
    float *rb;                          /* the batch's ratings */
    double batch_sse, epoch_sse;

    /* position */
    uint32_t batches_per_epoch;
    uint32_t epoch;        /* 0-based epoch in progress */
    uint32_t batch;        /* 0-based batch in progress within the epoch */
    int in_batch;          /* a batch is gathered and partly processed */
    uint32_t batch_start, batch_len, next_row;
    double batch_loss;

    /* statistics */
    uint64_t examples_seen, epoch_examples;
    double epoch_loss_sum, epoch_seconds;
    double last_batch_loss, first_batch_loss, last_epoch_loss;
    uint32_t batches_done_in_epoch, last_epoch_number;
    double seconds;
    tl_epoch_record *epochs;
    uint32_t epochs_completed;
    size_t bytes;
};

static void *alloc_array(size_t n, size_t size, size_t *bytes)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / size) return NULL;
    *bytes += n * size;
    return malloc(n * size);
}

static void shuffle_pairs(tl_trainer *tr, uint64_t seed)
{
    /* one Fisher-Yates over the pair arrays (same swaps for both) */
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (uint32_t i = tr->n_train; i-- > 1;) {
        uint32_t j = tl_rng_below(&r, i + 1);
        uint32_t t = tr->order_user[i];
        tr->order_user[i] = tr->order_user[j];
        tr->order_user[j] = t;
        t = tr->order_movie[i];
        tr->order_movie[i] = tr->order_movie[j];
        tr->order_movie[j] = t;
        if (tr->order_half) {
            uint8_t h = tr->order_half[i];
            tr->order_half[i] = tr->order_half[j];
            tr->order_half[j] = h;
        }
    }
}

void tl_trainer_free(tl_trainer *tr)
{
    if (!tr) return;
    tl_model_free(tr->model);
    tl_ials_free(tr->ials);
    tl_pool_free(tr->pool);
    free(tr->acc_users);
    free(tr->acc_movies);
    free(tr->users.slot);
    free(tr->users.unique);
    free(tr->users.sum);
    free(tr->movies.slot);
    free(tr->movies.unique);
    free(tr->movies.sum);
    free(tr->order_user);
    free(tr->order_movie);
    tl_softmax_ws_free(&tr->ws);
    free(tr->Ub);
    free(tr->Mb);
    free(tr->dU);
    free(tr->dM);
    free(tr->epochs);
    tl_rating_head_free(tr->head);
    tl_head_ws_free(&tr->head_ws);
    tl_head_opt_free(&tr->head_opt);
    free(tr->order_half);
    free(tr->rb);
    free(tr);
}

static tl_status init_table(sparse_table *t, float *w, float **acc_out, uint32_t rows, uint32_t dim,
                            uint32_t max_batch, float initial, size_t *bytes)
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

/* Blocks per softmax group (tl_softmax_group): one with one thread (a
 * step of one block, as ever); else an equal share per thread, at least
 * two (a thread that got less of a core still finds work), as many as
 * keep the group's logits within GROUP_LOGIT_BYTES: each group costs the
 * pool two runs, whose wake-ups and stragglers a bigger group spreads over
 * more work. Never changes a result. */
#define GROUP_LOGIT_BYTES ((size_t)16 << 20)

static size_t group_blocks(uint32_t B, uint32_t block_rows, uint32_t threads)
{
    if (threads <= 1) return 1;
    size_t rows = block_rows ? block_rows : TL_TRAIN_BLOCK_ROWS;
    size_t block_bytes = rows * ((size_t)B + 32) * sizeof(float);
    size_t per_thread = GROUP_LOGIT_BYTES / block_bytes / threads;
    return (per_thread < 2 ? 2 : per_thread) * threads;
}

/* The softmax trainer's pool. A thread may fail to start (the threaded
 * WASM build has a fixed set of workers, shared by every live trainer):
 * then it runs on as many as start, which changes no result. */
static tl_status softmax_pool(uint32_t threads, tl_pool **out, tl_error *err)
{
    if (threads == 0) threads = tl_cpu_count();
    tl_status st = tl_pool_new(threads, out, err);
    while (st == TL_E_NOMEM && threads > 1) st = tl_pool_new(--threads, out, err);
    return st;
}

/* ---- rating head (rating.h): created only when rating_weight > 0 ---- */

static tl_status head_new(tl_trainer *tr, const tl_dataset *ds, const tl_split *split, uint32_t B, tl_error *err)
{
    const tl_train_config *cfg = &tr->cfg;
    const tl_head_config *hc = &cfg->head;
    tl_status st = tl_rating_head_new(hc, cfg->dim, ds->n_users, ds->n_movies, cfg->seed + 4, &tr->head, err);
    if (st == TL_OK) st = tl_rating_head_init_biases(tr->head, hc, ds, split->train, split->n_train, err);
    if (st == TL_OK) st = tl_head_ws_init(&tr->head_ws, tr->head, B, err);
    tr->head_ws.pool = tr->pool; /* the softmax's workers (NULL if init failed) */
    if (st == TL_OK)
        st = tl_head_opt_init(&tr->head_opt, tr->head, B, hc->learning_rate > 0.0f ? hc->learning_rate : cfg->learning_rate,
                              hc->adagrad_initial >= 0.0f ? hc->adagrad_initial : cfg->adagrad_initial,
                              cfg->adagrad_epsilon, err);
    if (st != TL_OK) return st;
    tr->order_half = malloc(split->n_train);
    tr->rb = malloc((size_t)B * sizeof(float));
    if (!tr->order_half || !tr->rb)
        return tl_fail(err, TL_E_NOMEM, "out of memory for the rating head's training buffers");
    for (uint32_t i = 0; i < split->n_train; i++) tr->order_half[i] = ds->r_half[split->train[i]];
    tr->bytes += tl_head_ws_bytes(&tr->head_ws, tr->head) + tl_head_opt_bytes(&tr->head_opt, tr->head) +
                 tr->head->n_dense * sizeof(float) + split->n_train + (size_t)B * sizeof(float);
    if (tr->head->has_biases) tr->bytes += ((size_t)ds->n_users + ds->n_movies + 2) * sizeof(float);
    return TL_OK;
}

/* The head's part of a batch, after the retrieval blocks: scales the
 * retrieval gradients by their weight, adds the weighted rating gradients
 * of the embeddings, and steps the head's own parameters. */
static void head_batch(tl_trainer *tr)
{
    uint32_t len = tr->batch_len, start = tr->batch_start, dim = tr->cfg.dim;
    float wr = tr->cfg.retrieval_weight;
    if (wr != 1.0f) {
        size_t n = (size_t)len * dim;
        for (size_t i = 0; i < n; i++) {
            tr->dU[i] *= wr;
            tr->dM[i] *= wr;
        }
    }
    tr->batch_loss *= wr;
    for (uint32_t i = 0; i < len; i++) tr->rb[i] = tl_rating_value(tr->order_half[start + i]);
    double sse = 0.0;
    double loss = tl_rating_head_batch(tr->head, &tr->cfg.head, &tr->head_ws, tr->Ub, tr->Mb, tr->order_user + start,
                                       tr->order_movie + start, tr->rb, len, tr->cfg.rating_weight, tr->dU, tr->dM, &sse);
    tl_head_opt_apply(&tr->head_opt, tr->head, &tr->head_ws, tr->order_user + start, tr->order_movie + start, len);
    tr->batch_loss += (double)tr->cfg.rating_weight * loss;
    tr->epoch_sse += sse;
}

tl_status tl_trainer_new(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_trainer **out,
                         tl_error *err)
{
    *out = NULL;
    if (!ds || !split || !cfg) return tl_fail(err, TL_E_ARG, "tl_trainer_new needs a dataset, a split and a config");
    tl_status st = tl_train_config_check(cfg, err);
    if (st != TL_OK) return st;
    if (split->n_train == 0) return tl_fail(err, TL_E_ARG, "the split has no training rows");
    if (ds->n_users == 0 || ds->n_movies == 0) return tl_fail(err, TL_E_ARG, "the dataset has no users or movies");
    if (ds->n_users >= INT32_MAX || ds->n_movies >= INT32_MAX)
        return tl_fail(err, TL_E_LIMIT, "%u users / %u movies exceed the trainer's limit of %d", ds->n_users,
                       ds->n_movies, INT32_MAX - 1);
    /* two sequential passes (the split's rows are a permutation: following
     * them into the dataset would be one cache miss per row at scale) */
    for (uint32_t i = 0; i < split->n_train; i++)
        if (split->train[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "split row %u is outside the dataset's %u ratings", split->train[i],
                           ds->n_ratings);
    for (uint32_t row = 0; row < ds->n_ratings; row++)
        if (ds->r_user[row] >= ds->n_users || ds->r_movie[row] >= ds->n_movies)
            return tl_fail(err, TL_E_ARG, "rating row %u refers to a user or movie index outside the dataset", row);

    tl_trainer *tr = calloc(1, sizeof *tr);
    if (!tr) return tl_fail(err, TL_E_NOMEM, "out of memory creating the trainer");
    tr->cfg = *cfg;
    if (!tr->cfg.clock) tr->cfg.clock = tl_clock_default;
    st = tl_model_new(ds->n_users, ds->n_movies, cfg->dim, cfg->init_range, cfg->seed + 2, &tr->model, err);
    if (st != TL_OK) {
        tl_trainer_free(tr);
        return st;
    }
    size_t bytes = sizeof *tr + ((size_t)ds->n_users + ds->n_movies + 2) * cfg->dim * sizeof(float);
    uint32_t n = split->n_train, dim = cfg->dim;
    if (cfg->loss == TL_LOSS_IALS) {
        st = tl_pool_new(cfg->threads, &tr->pool, err);
        if (st == TL_OK) st = tl_ials_new(ds, split, cfg, tr->model, tl_pool_threads(tr->pool), &tr->ials, err);
        tr->epochs = alloc_array(cfg->epochs, sizeof(tl_epoch_record), &bytes);
        if (st != TL_OK || !tr->epochs) {
            tl_trainer_free(tr);
            return st != TL_OK ? st : tl_fail(err, TL_E_NOMEM, "out of memory for the epoch records");
        }
        tr->batches_per_epoch = tl_ials_batches_per_epoch(tr->ials);
        tr->bytes = bytes + tl_ials_bytes(tr->ials);
        *out = tr;
        return TL_OK;
    }
    uint32_t B = cfg->batch_size < n ? cfg->batch_size : n;
    tr->n_train = n;
    tr->batches_per_epoch = (n + cfg->batch_size - 1) / cfg->batch_size;

    tr->order_user = alloc_array(n, sizeof(uint32_t), &bytes);
    tr->order_movie = alloc_array(n, sizeof(uint32_t), &bytes);
    tr->Ub = alloc_array((size_t)B * dim, sizeof(float), &bytes);
    tr->Mb = alloc_array((size_t)B * dim, sizeof(float), &bytes);
    tr->dU = alloc_array((size_t)B * dim, sizeof(float), &bytes);
    tr->dM = alloc_array((size_t)B * dim, sizeof(float), &bytes);
    tr->epochs = alloc_array(cfg->epochs, sizeof(tl_epoch_record), &bytes);
    if (!tr->order_user || !tr->order_movie || !tr->Ub || !tr->Mb || !tr->dU || !tr->dM || !tr->epochs) goto nomem;
    if (init_table(&tr->users, tr->model->users, &tr->acc_users, ds->n_users + 1, dim, B, cfg->adagrad_initial,
                   &bytes) != TL_OK ||
        init_table(&tr->movies, tr->model->movies, &tr->acc_movies, ds->n_movies + 1, dim, B,
                   cfg->adagrad_initial, &bytes) != TL_OK)
        goto nomem;
    st = softmax_pool(cfg->threads, &tr->pool, err);
    if (st == TL_OK)
        st = tl_softmax_ws_init_group(&tr->ws, B, dim, cfg->block_rows,
                                      group_blocks(B, cfg->block_rows, tl_pool_threads(tr->pool)), err);
    if (st != TL_OK) {
        tl_trainer_free(tr);
        return st;
    }
    bytes += tl_softmax_ws_bytes(&tr->ws);
    tr->bytes = bytes; /* head_new adds its own */

    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = split->train[i];
        tr->order_user[i] = ds->r_user[row];
        tr->order_movie[i] = ds->r_movie[row];
    }
    if (cfg->rating_weight > 0.0f) {
        st = head_new(tr, ds, split, B, err);
        if (st != TL_OK) {
            tl_trainer_free(tr);
            return st;
        }
    }
    shuffle_pairs(tr, cfg->seed + 3);
    *out = tr;
    return TL_OK;

nomem:
    tl_trainer_free(tr);
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

/* The bookkeeping of a completed iALS batch, as finish_batch's. */
static void ials_batch_done(tl_trainer *tr, const tl_ials_batch_result *res)
{
    uint64_t pairs = res->pairs;
    double objective = res->objective, loss = res->loss;
    if (tr->epoch == 0 && tr->batch == 0) tr->first_batch_loss = loss;
    tr->examples_seen += pairs;
    tr->epoch_examples += pairs;
    tr->epoch_loss_sum += loss;
    tr->last_batch_loss = loss;
    tr->batch++;
    tr->batches_done_in_epoch = tr->batch;
    tr->last_epoch_number = tr->epoch + 1;
    tr->ials_objective = objective; /* the full objective once the epoch's last batch ran */
}

static void begin_batch(tl_trainer *tr)
{
    uint32_t start = tr->batch * tr->cfg.batch_size;
    uint32_t len = tr->n_train - start < tr->cfg.batch_size ? tr->n_train - start : tr->cfg.batch_size;
    uint32_t dim = tr->cfg.dim;
    gather(tr->model->users, tr->order_user + start, len, dim, tr->Ub);
    gather(tr->model->movies, tr->order_movie + start, len, dim, tr->Mb);
    tr->batch_start = start;
    tr->batch_len = len;
    tr->next_row = 0;
    if (tr->cfg.retrieval_weight > 0.0f) {
        tl_softmax_begin(&tr->ws, tr->Mb, len, tr->dM);
    } else { /* rating only: no retrieval blocks */
        memset(tr->dU, 0, (size_t)len * dim * sizeof(float));
        memset(tr->dM, 0, (size_t)len * dim * sizeof(float));
        tr->next_row = len;
    }
    tr->batch_loss = 0.0;
    tr->in_batch = 1;
}

static void finish_batch(tl_trainer *tr)
{
    uint32_t dim = tr->cfg.dim, len = tr->batch_len, start = tr->batch_start;
    if (tr->cfg.retrieval_weight > 0.0f) tl_softmax_end(&tr->ws, tr->Ub, len, tr->dM);
    if (tr->head) head_batch(tr); /* rating loss: weights both gradients, steps the head */
    apply_sparse(&tr->users, tr->order_user + start, len, tr->dU, dim, tr->cfg.learning_rate, tr->cfg.adagrad_epsilon);
    apply_sparse(&tr->movies, tr->order_movie + start, len, tr->dM, dim, tr->cfg.learning_rate,
                 tr->cfg.adagrad_epsilon);
    if (tr->examples_seen == 0) tr->first_batch_loss = tr->batch_loss;
    tr->examples_seen += len;
    tr->epoch_examples += len;
    tr->epoch_loss_sum += tr->batch_loss;
    tr->last_batch_loss = tr->batch_loss;
    tr->in_batch = 0;
    tr->batch++;
    tr->batches_done_in_epoch = tr->batch;
    tr->last_epoch_number = tr->epoch + 1;
}

static void finish_epoch(tl_trainer *tr)
{
    tl_epoch_record *e = &tr->epochs[tr->epochs_completed++];
    e->epoch = tr->epoch + 1;
    e->loss = tr->epoch_loss_sum / tr->batches_per_epoch;
    e->loss_per_example = tr->epoch_loss_sum / (double)tr->epoch_examples;
    if (tr->ials) { /* the objective after the epoch (train.h) */
        e->loss = tr->ials_objective;
        e->loss_per_example = tr->ials_objective / (double)(tl_ials_pairs(tr->ials) ? tl_ials_pairs(tr->ials) : 1);
    }
    e->seconds = tr->epoch_seconds;
    e->rating_mse = tr->head ? tr->epoch_sse / (double)tr->epoch_examples : 0.0;
    tr->epoch_sse = 0.0;
    tr->last_epoch_loss = e->loss;
    tr->epoch++;
    tr->batch = 0;
    tr->epoch_loss_sum = 0.0;
    tr->epoch_examples = 0;
    tr->epoch_seconds = 0.0;
    if (tr->cfg.reshuffle_each_epoch && tr->epoch < tr->cfg.epochs) shuffle_pairs(tr, tr->cfg.seed + 3 + tr->epoch);
}

/* The iALS loop: batches of row tasks on the pool; with max_ms, no task
 * starts after the deadline (the call may end inside a batch). */
static void ials_step(tl_trainer *tr, uint32_t max_batches, double max_ms)
{
    tl_clock_fn clock = tr->cfg.clock;
    double t0 = clock(tr->cfg.clock_ctx), t_last = t0;
    double deadline = max_ms > 0.0 ? t0 + max_ms : INFINITY;
    uint32_t batches = 0;
    while (tr->epoch < tr->cfg.epochs) {
        tl_ials_batch_result res;
        int done = tl_ials_run(tr->ials, tr->pool, tr->batch, clock, tr->cfg.clock_ctx, deadline, &res);
        double t = clock(tr->cfg.clock_ctx);
        tr->epoch_seconds += (t - t_last) / 1e3;
        tr->seconds += (t - t_last) / 1e3;
        t_last = t;
        if (!done) break; /* the deadline passed inside the batch */
        ials_batch_done(tr, &res);
        batches++;
        if (tr->batch == tr->batches_per_epoch) finish_epoch(tr);
        if (max_batches && batches >= max_batches) break;
        if (max_ms > 0.0 && t - t0 >= max_ms) break;
    }
}

tl_status tl_trainer_step(tl_trainer *tr, uint32_t max_batches, double max_ms, tl_train_progress *progress,
                          tl_error *err)
{
    if (!tr) return tl_fail(err, TL_E_ARG, "tl_trainer_step needs a trainer");
    if (!(max_ms >= 0.0)) return tl_fail(err, TL_E_ARG, "max_ms %g must be >= 0", max_ms);
    if (tr->ials) {
        ials_step(tr, max_batches, max_ms);
        if (progress) tl_trainer_get_progress(tr, progress);
        return TL_OK;
    }
    tl_clock_fn clock = tr->cfg.clock;
    double t0 = clock(tr->cfg.clock_ctx), t_last = t0;
    uint32_t batches = 0;
    while (tr->epoch < tr->cfg.epochs) {
        if (!tr->in_batch) begin_batch(tr);
        if (tr->next_row < tr->batch_len) {
            uint32_t rows = tr->batch_len - tr->next_row;
            if (rows > tr->ws.group_rows) rows = (uint32_t)tr->ws.group_rows;
            tl_softmax_group(&tr->ws, tr->pool, tr->Ub, tr->Mb, tr->batch_len, tr->next_row, rows, tr->dU, tr->dM,
                             &tr->batch_loss);
            tr->next_row += rows;
        }
        if (tr->next_row == tr->batch_len) {
            finish_batch(tr);
            batches++;
        }
        double t = clock(tr->cfg.clock_ctx);
        tr->epoch_seconds += (t - t_last) / 1e3;
        tr->seconds += (t - t_last) / 1e3;
        t_last = t;
        if (!tr->in_batch && tr->batch == tr->batches_per_epoch) finish_epoch(tr);
        if (max_batches && batches >= max_batches) break;
        if (max_ms > 0.0 && t - t0 >= max_ms) break;
    }
    if (progress) tl_trainer_get_progress(tr, progress);
    return TL_OK;
}

void tl_trainer_get_progress(const tl_trainer *tr, tl_train_progress *p)
{
    memset(p, 0, sizeof *p);
    p->epoch = tr->last_epoch_number;
    p->batch = tr->batches_done_in_epoch;
    p->batches_per_epoch = tr->batches_per_epoch;
    p->epochs = tr->cfg.epochs;
    p->epochs_completed = tr->epochs_completed;
    p->examples_seen = tr->examples_seen;
    p->running_loss = tr->batch ? tr->epoch_loss_sum / tr->batch : tr->last_epoch_loss;
    p->epoch_loss = tr->last_epoch_loss;
    p->last_batch_loss = tr->last_batch_loss;
    p->first_batch_loss = tr->first_batch_loss;
    p->seconds = tr->seconds;
    p->examples_per_second = tr->seconds > 0.0 ? (double)tr->examples_seen / tr->seconds : 0.0;
    p->done = tr->epoch >= tr->cfg.epochs;
    if (tr->head) {
        uint32_t n = tr->epochs_completed;
        p->rating_mse = tr->epoch_examples ? tr->epoch_sse / (double)tr->epoch_examples
                        : n                ? tr->epochs[n - 1].rating_mse
                                           : 0.0;
    }
}

const tl_model *tl_trainer_model(const tl_trainer *tr) { return tr->model; }
uint32_t tl_trainer_threads(const tl_trainer *tr) { return tr->pool ? tl_pool_threads(tr->pool) : 1; }

tl_pool *tl_trainer_pool(const tl_trainer *tr) { return tr->pool; }
const tl_train_config *tl_trainer_config(const tl_trainer *tr) { return &tr->cfg; }
const tl_rating_head *tl_trainer_head(const tl_trainer *tr) { return tr->head; }
size_t tl_trainer_bytes(const tl_trainer *tr) { return tr->bytes; }

const tl_epoch_record *tl_trainer_epochs(const tl_trainer *tr, uint32_t *n)
{
    *n = tr->epochs_completed;
    return tr->epochs;
}
