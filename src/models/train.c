/* The generic step-wise trainer: epochs, progress, time budget, epoch
 * records, the thread pool and the config; the model type's work runs
 * through its tl_train_ops (train.h) with no branch on the type. */
#include <math.h> /* INFINITY */
#include <stdlib.h>
#include <string.h>

#include "models/prior_choose.h"
#include "towerlens/train.h"

struct tl_trainer {
    tl_train_config cfg;
    const tl_model_type *type;
    const tl_train_ops *ops;
    void *state;   /* the type's */
    tl_pool *pool; /* the workers the type's steps run on */

    /* position */
    uint32_t batches_per_epoch;
    uint32_t epoch; /* 0-based epoch in progress */
    uint32_t batch; /* 0-based batch in progress within the epoch */

    /* statistics */
    uint64_t examples_seen, epoch_examples;
    double epoch_loss_sum, epoch_sse, epoch_seconds;
    double last_batch_loss, first_batch_loss, last_epoch_loss;
    uint32_t batches_done_in_epoch, last_epoch_number;
    double seconds;
    tl_epoch_record *epochs;
    uint32_t epochs_completed;

    /* the visitor prior chosen before the first batch (prior_choose.c) */
    tl__prior_chooser *chooser; /* NULL once done, or when not asked */
    tl_prior_choice prior;
};

void tl_trainer_free(tl_trainer *tr)
{
    if (!tr) return;
    if (tr->state) tr->ops->free(tr->state);
    tl__prior_chooser_free(tr->chooser);
    tl_pool_free(tr->pool);
    free(tr->epochs);
    free(tr);
}

/* The trainer's pool. A thread may fail to start (the threaded WASM build
 * has a fixed set of workers, shared by every live trainer): then it runs
 * on as many as start, which changes no result. */
static tl_status trainer_pool(uint32_t threads, tl_pool **out, tl_error *err)
{
    if (threads == 0) threads = tl_cpu_count();
    tl_status st = tl_pool_new(threads, out, err);
    while (st == TL_E_NOMEM && threads > 1) st = tl_pool_new(--threads, out, err);
    return st;
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
    tl_train_config_for_shape(&tr->cfg, ds, split);
    if (!tr->cfg.clock) tr->cfg.clock = tl_clock_default;
    tr->type = tl_model_type_of_loss(tr->cfg.loss); /* found: the config check passed */
    tr->ops = tr->type->train;
    tr->epochs = calloc(tr->cfg.epochs, sizeof(tl_epoch_record));
    st = tr->epochs ? trainer_pool(cfg->threads, &tr->pool, err)
                    : tl_fail(err, TL_E_NOMEM, "out of memory for the epoch records");
    tr->prior.status = TL_PRIOR_FIXED;
    tr->prior.w3 = cfg->visitor_prior_w3;
    tr->prior.w10 = cfg->visitor_prior_w10;
    if (cfg->visitor_prior_auto && tr->ops->set_visitor_prior) {
        tr->cfg.visitor_prior_w3 = tr->cfg.visitor_prior_w10 = 0.0f; /* until chosen */
        tr->prior.w3 = tr->prior.w10 = 0.0f;
        tr->prior.status = TL_PRIOR_CHOOSING;
    } else {
        tr->cfg.visitor_prior_auto = 0;
    }
    if (st == TL_OK) st = tr->ops->create(ds, split, &tr->cfg, tr->pool, &tr->state, err);
    if (st == TL_OK && tr->cfg.visitor_prior_auto) {
        const tl_train_ops *vops = tr->ops->visitors ? tr->ops->visitors : tr->ops;
        tl_train_config vcfg = tr->cfg; /* the type that folds visitors in, with the same options */
        vcfg.loss = vops->loss;
        st = tl__prior_chooser_new(ds, split, &vcfg, vops, tr->pool, &tr->chooser, err);
    }
    if (st != TL_OK) {
        tl_trainer_free(tr);
        return st;
    }
    tr->batches_per_epoch = tr->ops->batches_per_epoch(tr->state);
    *out = tr;
    return TL_OK;
}

static void batch_done(tl_trainer *tr, const tl_train_batch *b)
{
    if (tr->epoch == 0 && tr->batch == 0) tr->first_batch_loss = b->loss;
    tr->examples_seen += b->examples;
    tr->epoch_examples += b->examples;
    tr->epoch_loss_sum += b->loss;
    tr->epoch_sse += b->sse;
    tr->last_batch_loss = b->loss;
    tr->batch++;
    tr->batches_done_in_epoch = tr->batch;
    tr->last_epoch_number = tr->epoch + 1;
}

static void finish_epoch(tl_trainer *tr)
{
    tl_epoch_record *e = &tr->epochs[tr->epochs_completed++];
    double examples = tr->epoch_examples ? (double)tr->epoch_examples : 1.0;
    e->epoch = tr->epoch + 1;
    e->loss = tr->epoch_loss_sum / tr->batches_per_epoch;
    e->loss_per_example = tr->epoch_loss_sum / (double)tr->epoch_examples;
    e->seconds = tr->epoch_seconds;
    e->rating_mse = tr->epoch_sse / examples; /* 0 without a rating head */
    tr->epoch++;
    if (tr->ops->end_epoch) tr->ops->end_epoch(tr->state, tr->epoch, e);
    tr->last_epoch_loss = e->loss;
    tr->batch = 0;
    tr->epoch_loss_sum = 0.0;
    tr->epoch_sse = 0.0;
    tr->epoch_examples = 0;
    tr->epoch_seconds = 0.0;
}

tl_status tl_trainer_step(tl_trainer *tr, uint32_t max_batches, double max_ms, tl_train_progress *progress,
                          tl_error *err)
{
    if (!tr) return tl_fail(err, TL_E_ARG, "tl_trainer_step needs a trainer");
    if (!(max_ms >= 0.0)) return tl_fail(err, TL_E_ARG, "max_ms %g must be >= 0", max_ms);
    tl_clock_fn clock = tr->cfg.clock;
    double t0 = clock(tr->cfg.clock_ctx), t_last = t0;
    double deadline = max_ms > 0.0 ? t0 + max_ms : INFINITY;
    uint32_t batches = 0;
    if (tr->chooser) { /* the visitor prior first: it does not depend on the model */
        int done = 0;
        tl_status st = tl__prior_chooser_step(tr->chooser, tr->pool, clock, tr->cfg.clock_ctx, deadline, &done, err);
        double t = clock(tr->cfg.clock_ctx);
        tr->seconds += (t - t_last) / 1e3;
        t_last = t;
        if (st != TL_OK) return st;
        if (!done) {
            if (progress) tl_trainer_get_progress(tr, progress);
            return TL_OK;
        }
        tl__prior_chooser_result(tr->chooser, &tr->prior);
        tl__prior_chooser_free(tr->chooser);
        tr->chooser = NULL;
        tr->cfg.visitor_prior_w3 = tr->prior.w3;
        tr->cfg.visitor_prior_w10 = tr->prior.w10;
        tr->ops->set_visitor_prior(tr->state, tr->prior.w3, tr->prior.w10);
        if (max_ms > 0.0 && t >= deadline) {
            if (progress) tl_trainer_get_progress(tr, progress);
            return TL_OK;
        }
    }
    while (tr->epoch < tr->cfg.epochs) {
        tl_train_batch b;
        int done = tr->ops->step(tr->state, tr->pool, tr->batch, clock, tr->cfg.clock_ctx, deadline, &b);
        double t = clock(tr->cfg.clock_ctx);
        tr->epoch_seconds += (t - t_last) / 1e3;
        tr->seconds += (t - t_last) / 1e3;
        t_last = t;
        if (done) {
            batch_done(tr, &b);
            batches++;
            if (tr->batch == tr->batches_per_epoch) finish_epoch(tr);
        }
        if (max_batches && batches >= max_batches) break;
        /* (a step that stopped at the deadline saw t >= deadline already) */
        if (max_ms > 0.0 && (t - t0 >= max_ms || t >= deadline)) break;
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
    p->done = !tr->chooser && tr->epoch >= tr->cfg.epochs;
    uint32_t n = tr->epochs_completed;
    p->rating_mse = tr->epoch_examples ? tr->epoch_sse / (double)tr->epoch_examples
                    : n                ? tr->epochs[n - 1].rating_mse
                                       : 0.0;
}

const tl_model *tl_trainer_model(const tl_trainer *tr) { return tr->ops->model ? tr->ops->model(tr->state) : NULL; }
const tl_rating_head *tl_trainer_head(const tl_trainer *tr) { return tr->ops->head ? tr->ops->head(tr->state) : NULL; }
const tl_model_type *tl_trainer_type(const tl_trainer *tr) { return tr->type; }
uint64_t tl_trainer_hash(const tl_trainer *tr) { return tr->ops->hash(tr->state); }
uint32_t tl_trainer_tensors(const tl_trainer *tr, tl_tensor *out) { return tr->ops->tensors(tr->state, out); }
uint32_t tl_trainer_threads(const tl_trainer *tr) { return tr->pool ? tl_pool_threads(tr->pool) : 1; }
tl_pool *tl_trainer_pool(const tl_trainer *tr) { return tr->pool; }
const tl_train_config *tl_trainer_config(const tl_trainer *tr) { return &tr->cfg; }

size_t tl_trainer_bytes(const tl_trainer *tr)
{
    return sizeof *tr + (size_t)tr->cfg.epochs * sizeof(tl_epoch_record) + tr->ops->bytes(tr->state) +
           tl__prior_chooser_bytes(tr->chooser);
}

const tl_epoch_record *tl_trainer_epochs(const tl_trainer *tr, uint32_t *n)
{
    *n = tr->epochs_completed;
    return tr->epochs;
}

void tl_trainer_prior_choice(const tl_trainer *tr, tl_prior_choice *out)
{
    if (tr->chooser) tl__prior_chooser_result(tr->chooser, out);
    else *out = tr->prior;
}
