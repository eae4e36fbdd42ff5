/* The iALS model type's training (preset "default"): its options, and the
 * solver of train_ials.h behind the generic trainer's ops. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "models/ials/train_ials.h"
#include "models/models_internal.h"
#include "towerlens/buf.h"
#include "towerlens/train.h"

typedef struct ials_state {
    tl_model *model;
    tl__ials *ials;
    float *liked;     /* tl__liked_block: the visitor prior's tensors */
    double objective; /* after an epoch's last batch: the objective (train.h) */
} ials_state;

static tl_status ials_check(const tl_train_config *c, tl_error *err)
{
    if (c->rating_weight != 0.0f)
        return tl_fail(err, TL_E_ARG,
                       "the iALS trainer has no rating head (rating weight %g); --preset default with a rating "
                       "weight trains the default joint model instead",
                       (double)c->rating_weight);
    if (!(c->ials_unobserved >= 0.0f && c->ials_unobserved <= 1e6f))
        return tl_fail(err, TL_E_ARG, "iALS unobserved weight %g is outside 0-1e6", (double)c->ials_unobserved);
    if (!(c->ials_reg > 0.0f && c->ials_reg <= 1e6f))
        return tl_fail(err, TL_E_ARG, "iALS regularisation %g is outside (0, 1e6]", (double)c->ials_reg);
    if (!(c->ials_confidence >= 0.0f && c->ials_confidence <= 100.0f))
        return tl_fail(err, TL_E_ARG, "iALS rating confidence %g is outside 0-100", (double)c->ials_confidence);
    if (c->ials_solver != TL_IALS_EXACT && c->ials_solver != TL_IALS_CG)
        return tl_fail(err, TL_E_ARG, "unknown iALS solver %d (known: exact, cg)", (int)c->ials_solver);
    if (c->ials_solver == TL_IALS_CG && (c->ials_cg_steps < 1 || c->ials_cg_steps > TL_MAX_CG_STEPS))
        return tl_fail(err, TL_E_ARG, "CG steps %u is outside 1-%u", c->ials_cg_steps, TL_MAX_CG_STEPS);
    return TL_OK;
}

static void ials_config_json(const tl_train_config *c, const tl_split *split, tl_buf *b)
{
    tl_buf_printf(b, ",\"dim\":%u,\"batch_size\":%u,\"epochs\":%u,\"loss\":\"ials\",\"optimizer\":\"%s\"", c->dim,
                  c->batch_size, c->epochs, c->ials_solver == TL_IALS_CG ? "cg_als" : "exact_als");
    if (c->ials_solver == TL_IALS_CG) tl_buf_printf(b, ",\"cg_steps\":%u", c->ials_cg_steps);
    tl__config_json_float(b, "ials_unobserved", c->ials_unobserved);
    tl__config_json_float(b, "ials_reg", c->ials_reg);
    tl__config_json_float(b, "ials_confidence", c->ials_confidence);
    tl_buf_printf(b, ",\"seed\":%" PRIu64, c->seed);
    if (split) tl_buf_printf(b, ",\"split\":{\"train\":%u,\"test\":%u}", split->n_train, split->n_test);
}

static void ials_free(void *vs)
{
    ials_state *s = vs;
    if (!s) return;
    tl__ials_free(s->ials);
    tl_model_free(s->model);
    free(s->liked);
    free(s);
}

static tl_status ials_create(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_pool *pool,
                             void **out, tl_error *err)
{
    *out = NULL;
    ials_state *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "out of memory creating the trainer");
    tl_status st = tl_model_new(ds->n_users, ds->n_movies, cfg->dim, cfg->init_range, cfg->seed + 2, &s->model, err);
    if (st == TL_OK) st = tl__ials_new(ds, split, cfg, s->model, tl_pool_threads(pool), &s->ials, err);
    if (st == TL_OK) st = tl__liked_block(ds, split, cfg, &s->liked, err);
    if (st != TL_OK) {
        ials_free(s);
        return st;
    }
    *out = s;
    return TL_OK;
}

/* Row tasks on the pool until the batch completes or, with a deadline,
 * until the calling thread sees it pass (no task starts after it). */
static int ials_step(void *vs, tl_pool *pool, uint32_t batch, tl_clock_fn clock, void *clock_ctx, double deadline_ms,
                     tl_train_batch *out)
{
    ials_state *s = vs;
    tl__ials_batch_result res;
    if (!tl__ials_run(s->ials, pool, batch, clock, clock_ctx, deadline_ms, &res)) return 0;
    out->loss = res.loss;
    out->examples = res.pairs;
    out->sse = 0.0;
    s->objective = res.objective; /* the full objective once the epoch's last batch ran */
    return 1;
}

/* An epoch's recorded loss is the objective after it (train.h). */
static void ials_end_epoch(void *vs, uint32_t epochs_done, tl_epoch_record *e)
{
    ials_state *s = vs;
    (void)epochs_done;
    uint32_t pairs = tl__ials_pairs(s->ials);
    e->loss = s->objective;
    e->loss_per_example = s->objective / (double)(pairs ? pairs : 1);
}

static uint32_t ials_batches_per_epoch(const void *vs)
{
    return tl__ials_batches_per_epoch(((const ials_state *)vs)->ials);
}

static size_t ials_bytes(const void *vs)
{
    const ials_state *s = vs;
    const tl_model *m = s->model;
    return sizeof *s + ((size_t)m->n_users + m->n_movies + 2) * m->dim * sizeof(float) + tl__ials_bytes(s->ials);
}

static uint64_t ials_hash(const void *vs) { return tl_model_hash(((const ials_state *)vs)->model); }
static const tl_model *ials_model(const void *vs) { return ((const ials_state *)vs)->model; }
static uint32_t ials_tensors(const void *vs, tl_tensor *out)
{
    const ials_state *s = vs;
    uint32_t n = tl__model_tensors(s->model, out);
    return n + tl__liked_tensors(s->liked, s->model->n_movies, out + n);
}

static void ials_describe(const tl_train_config *c, tl_buf *b)
{
    char solver[40];
    snprintf(solver, sizeof solver, c->ials_solver == TL_IALS_CG ? "cg, %u steps per row" : "exact", c->ials_cg_steps);
    tl_buf_printf(b, "iALS d=%u, %u epoch%s, a0 %g, lam %g, rating confidence %g, solver %s, %u row solves per batch",
                  c->dim, c->epochs, c->epochs == 1 ? "" : "s", (double)c->ials_unobserved, (double)c->ials_reg,
                  (double)c->ials_confidence, solver, c->batch_size);
}

static void ials_set_visitor_prior(void *vs, float w3, float w10)
{
    ials_state *s = vs;
    tl__liked_set_weights(s->liked, s->model->n_movies, w3, w10);
}

const tl_train_ops tl__ials_train_ops = {
    .loss = TL_LOSS_IALS,
    .loss_name = "objective",
    .describe = ials_describe,
    .check = ials_check,
    .config_json = ials_config_json,
    .create = ials_create,
    .batches_per_epoch = ials_batches_per_epoch,
    .step = ials_step,
    .end_epoch = ials_end_epoch,
    .tensors = ials_tensors,
    .bytes = ials_bytes,
    .hash = ials_hash,
    .model = ials_model,
    .head = NULL, /* iALS trains no rating head */
    .free = ials_free,
    .set_visitor_prior = ials_set_visitor_prior,
};
