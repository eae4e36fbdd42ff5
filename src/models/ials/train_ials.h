/* Implicit alternating least squares with rating-value confidence, the
 * solver behind preset "default" (train.h documents the objective). The
 * trainer (train.c) owns the bookkeeping (epochs, progress, time) and the
 * thread pool; this module owns the train pairs and the solver.
 *
 * Work units: a batch is cfg->batch_size consecutive rows of one side
 * (users' batches first, then movies'); a batch is cut into tasks of
 * consecutive rows holding about TL_IALS_TASK_COST pairs of work, fixed by
 * the data alone, which the pool runs in any order on any thread. Every
 * per-task sum is stored per task and added up in task order, so the
 * tables and the reported losses are bit-identical for every thread count
 * and every way of splitting the work into calls. Internal to the core. */
#ifndef TL_MODELS_IALS_TRAIN_IALS_H
#define TL_MODELS_IALS_TRAIN_IALS_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/clock.h"
#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/model.h"
#include "towerlens/pool.h"
#include "towerlens/split.h"
#include "towerlens/train.h"

/* Pairs of work per task: a row costs its pairs plus dim + 16 (its solve). */
#define TL_IALS_TASK_COST 8192u

typedef struct tl__ials tl__ials;

/* Copies the train pairs (duplicates of one (user, movie) count once with
 * their highest rating), computes the confidences and re-initialises the
 * model's tables (rows < n: N(0, (0.1/sqrt(d))^2) from seed + 2; OOV rows 0).
 * Scratch space is sized for `workers` pool workers. */
tl_status tl__ials_new(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_model *model,
                       uint32_t workers, tl__ials **out, tl_error *err);
void tl__ials_free(tl__ials *s);
size_t tl__ials_bytes(const tl__ials *s);
uint32_t tl__ials_batches_per_epoch(const tl__ials *s);
/* Distinct (user, movie) train pairs. */
uint32_t tl__ials_pairs(const tl__ials *s);

typedef struct tl__ials_batch_result {
    double loss;      /* the summed objective terms of the batch's rows (after their solves) */
    uint64_t pairs;   /* the observed pairs those rows hold */
    double objective; /* after the epoch's last batch: the full objective of the tables */
} tl__ials_batch_result;

/* Works on batch `batch` (0-based, < batches_per_epoch; the same batch
 * until it completes) on `pool` (at most `workers` threads): the side's
 * Gram tasks when the batch is the side's first, then the batch's row
 * tasks. Once `clock` reaches `deadline_ms` (INFINITY = never; read on the
 * calling thread only, after each of its tasks) no further task starts
 * and it returns 0; the next call continues where it stopped. At least one
 * task runs per call. Returns 1 when the batch completed and fills *out. */
int tl__ials_run(tl__ials *s, tl_pool *pool, uint32_t batch, tl_clock_fn clock, void *clock_ctx, double deadline_ms,
                 tl__ials_batch_result *out);

/* WASM has no prefetch instruction: read one float of every cache line of
 * the group's rows before copying them, so that their misses are in flight
 * together instead of one row after another (natively the solvers prefetch
 * instead). The sum only keeps the loads alive; it never changes a result. */
static inline void tl__ials_touch_rows(const float *F, const uint32_t *idx, size_t m, size_t d)
{
#ifdef __wasm__
    float t = 0.0f;
    for (size_t i = 0; i < m; i++) {
        const float *f = F + (size_t)idx[i] * d;
        for (size_t k = 0; k < d; k += 16) t += f[k];
    }
    volatile float sink = t;
    (void)sink;
#else
    (void)F;
    (void)idx;
    (void)m;
    (void)d;
#endif
}

/* x^T G x + lambda |x|^2 with G's lower triangle (a row's penalty terms). */
double tl__ials_penalty_terms(const double *G, const double *x, size_t dim, double lambda);

#endif
