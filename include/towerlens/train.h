/* Step-wise training of every model type (model_type.h).
 *
 * The trainer is generic: it owns the epochs, the progress, the clock and
 * deadline, the epoch records, the thread pool and the config, and runs a
 * model type's training through its tl_train_ops (below) with no branch on
 * the type. The types: "two-tower" (in-batch softmax, optional rating head;
 * src/models/twotower/), "ials" (src/models/ials/), "popularity"
 * (src/models/popularity/).
 *
 * A trainer owns the model, the optimiser state and every buffer; a call to
 * tl_trainer_step runs a bounded amount of work (batches and/or
 * milliseconds) and returns progress, so a browser worker can answer
 * "stop", "recommend now" and progress queries between calls. The model is
 * consistent between calls (it changes only at the end of a batch).
 *
 * The loss is the original's retrieval task: for a batch of B train rows,
 * logits = U_b M_b^T (B x B), labels on the diagonal, softmax cross-entropy
 * summed over the batch. The B x B matrix is never held whole: rows are
 * processed in blocks (logits, softmax, gradient contributions) within
 * fixed stripes of the batch, so memory is O(B * d) per stripe sum plus a
 * block of logits per thread. Adagrad updates only the rows a batch touches,
 * after summing the gradients of duplicate rows (as Keras does).
 *
 * Seeds (S = config seed): the split uses S and S + 1 (split.h), the
 * tables are initialised from S + 2, the batch order is a shuffle of the
 * train rows with S + 3. Same dataset, split and config -> bit-identical
 * model, natively and in WASM (kernels.h explains why). */
#ifndef TOWERLENS_TRAIN_H
#define TOWERLENS_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/clock.h"
#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/model.h"
#include "towerlens/model_type.h"
#include "towerlens/pool.h"
#include "towerlens/rating.h"
#include "towerlens/split.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tl_loss_kind {
    TL_LOSS_INBATCH_SOFTMAX = 0, /* the original's tfrs.tasks.Retrieval */
    TL_LOSS_IALS = 1,            /* implicit ALS with rating confidence (below) */
    TL_LOSS_POPULARITY = 2,      /* no loss: counts each movie's train ratings (preset "popularity") */
    TL_LOSS_EASE = 3,            /* EASE in closed form (ease.h; preset "ease") */
    TL_LOSS_BLEND = 4            /* iALS and EASE, standardised per user and blended (preset "blend") */
} tl_loss_kind;

typedef enum tl_optimizer_kind {
    TL_OPT_ADAGRAD = 0 /* accum += g^2; w -= lr * g / (sqrt(accum) + eps) */
} tl_optimizer_kind;

/* How the iALS trainer solves a row (docs/training.md, "Solver"). */
typedef enum tl_ials_solver {
    TL_IALS_EXACT = 0, /* normal equations, Cholesky in double: the row's exact minimiser */
    TL_IALS_CG = 1     /* ials_cg_steps conjugate-gradient steps from the row's current vector */
} tl_ials_solver;

typedef struct tl_train_config {
    char preset[24]; /* the preset it started from, for reports */
    uint32_t dim;    /* embedding dimension */
    uint32_t batch_size;
    uint32_t epochs;
    tl_loss_kind loss;
    tl_optimizer_kind optimizer;
    float learning_rate;
    float adagrad_initial; /* initial accumulator value */
    float adagrad_epsilon;
    float init_range;         /* tables start uniform(-init_range, init_range) */
    uint64_t seed;            /* S, see above */
    int reshuffle_each_epoch; /* 0: one shuffle, the same batches every epoch */
    uint32_t block_rows;      /* logit rows per block (0 = TL_TRAIN_BLOCK_ROWS); never changes results */
    tl_clock_fn clock;        /* NULL = tl_clock_default */
    void *clock_ctx;
    /* TL_LOSS_IALS only (batch_size = row solves per batch; the optimizer,
     * learning rate, Adagrad and init_range fields are unused) */
    float ials_unobserved; /* a0, weight of every (user, movie) pair's score^2 */
    float ials_reg;        /* lam, see the objective below */
    float ials_confidence; /* c in w_ui = max(0.05, 1 + c (r_ui - mean) / std) */
    tl_ials_solver ials_solver;
    uint32_t ials_cg_steps; /* TL_IALS_CG: steps per row solve, 1-TL_MAX_CG_STEPS */
    uint32_t threads;       /* worker threads (0 = every core, tl_cpu_count(); at most
                               * TL_MAX_THREADS; 1 in builds without threads) for iALS' row
                               * solves, the softmax's row blocks and dM ranges, and the
                               * rating head's GEMMs. The model is bit-identical for every
                               * thread count. The Adagrad steps run on the calling thread.
                               * Not part of the config's JSON. */

    /* Multitask (rating.h): loss = retrieval_weight * retrieval loss +
     * rating_weight * rating loss, over the same batches, one Adagrad step
     * for everything. rating_weight 0 means no rating head at all; the head
     * is initialised from seed S + 4. */
    float retrieval_weight; /* 1 in every preset; 0 skips the retrieval loss */
    float rating_weight;    /* 0 in the retrieval presets */
    tl_head_config head;    /* used when rating_weight > 0 */

    /* TL_LOSS_EASE only (ease.h): lambda > 0 and min_count >= 1; the fit
     * is one batch of every train row per epoch */
    float ease_lambda;
    uint32_t ease_min_count;

    /* TL_LOSS_BLEND only (the iALS and EASE fields above are its parts'):
     * the iALS part's weight w in 0-1, negative = chosen on validation
     * (docs/training.md "Blend") */
    float blend_weight;

    /* Preset default: the model by the data's shape (tl_train_config_for_shape,
     * applied by tl_trainer_new): 1 in preset default, 0 elsewhere. */
    int by_shape;

    /* The embedding types' visitor prior (docs/training.md "Visitors"): a
     * folded-in visitor with k ratings ranks by z(u . m_j) + w(k) z(ln(1 +
     * L_j)), L_j = movie j's train ratings >= 4; w(k) = w3 at k <= 3, w10
     * at k >= 10, linear in ln k between. 0, 0 = the plain fold-in.
     * Stored in the model file as the tensors "liked" and "visitor_prior".
     * visitor_prior_auto = 1 (preset "default"): w3 and w10 are chosen at
     * training on validation users (tl_prior_choice below; the two fields
     * are then ignored and, once chosen, set by the trainer); 0 (every
     * other preset): the two fields as given. */
    float visitor_prior_w3, visitor_prior_w10;
    int visitor_prior_auto;
} tl_train_config;

/* How the trainer chose the visitor prior (docs/training.md "Visitors: a
 * popularity prior in the fold-in"): a seeded share of the train users
 * (20 %, at most TL_PRIOR_MAX_USERS and TL_PRIOR_FOLD_BUDGET / catalogue
 * size, at least TL_PRIOR_MIN_USERS; users with >= 6 train ratings) are
 * validation users; an auxiliary model of the same options trains on the
 * other users' train rows (at most about TL_PRIOR_AUX_MAX_ROWS of them: a
 * seeded sample of those users beyond); each validation user with >= k + 3
 * train ratings is folded into it from their first k by time (k = 3, 10),
 * and the blend is ranked for every w of a grid; w_k maximises
 * min(Recall@20 ratio, NDCG@10 ratio) to popularity. Only train rows are
 * read. Fewer than TL_PRIOR_MIN_USERS qualifying users at k, or no
 * timestamps: w_k = 0 (the plain fold-in). */
#define TL_PRIOR_MAX_USERS 300u
#define TL_PRIOR_MIN_USERS 50u
#define TL_PRIOR_AUX_MAX_ROWS 2000000u
#define TL_PRIOR_FOLD_BUDGET 4000000u /* validation users x catalogue movies (fold-in cost) */

typedef enum tl_prior_status {
    TL_PRIOR_FIXED = 0,    /* not chosen: the config's w3, w10 (visitor_prior_auto 0, or no prior) */
    TL_PRIOR_CHOSEN = 1,   /* chosen on validation users (a w may still be 0: the plain fold-in won) */
    TL_PRIOR_NO_TIMES = 2, /* the data has no per-rating timestamps: w = 0 */
    TL_PRIOR_TOO_FEW = 3,  /* too few qualifying validation users at both k: w = 0 */
    TL_PRIOR_CHOOSING = 4  /* not yet done (training has not passed the choice) */
} tl_prior_status;

typedef struct tl_prior_choice {
    tl_prior_status status;
    float w3, w10;                                           /* the weights the model holds */
    uint32_t users3, users10;                                /* validation users evaluated at k = 3 / 10 */
    uint32_t aux_users;                                      /* users the auxiliary model trained on */
    uint64_t aux_rows;                                       /* its train rows */
    double recall3, ndcg3, recall10, ndcg10;                 /* the chosen blend's, on the validation users */
    double pop_recall3, pop_ndcg3, pop_recall10, pop_ndcg10; /* popularity's */
    double seconds;                                          /* time the choice took (auxiliary training included) */
} tl_prior_choice;

/* "visitor prior: w3 4, w10 3 (chosen on 122 / 95 validation users; k = 3
 * 1.13x / 1.12x popularity, ...)" or why it is off: one line for people. */
struct tl_buf;
void tl_prior_choice_describe(const tl_prior_choice *c, struct tl_buf *out);
/* {"status":"chosen|fixed|no-timestamps|too-few-users|choosing","w3","w10"
 *  [,"users3","users10","aux_users","aux_rows","k3":{"recall","ndcg",
 *  "popularity_recall","popularity_ndcg"},"k10":{...},"seconds"]} */
void tl_prior_choice_json(const tl_prior_choice *c, struct tl_buf *out);

#define TL_TRAIN_BLOCK_ROWS 32
#define TL_MAX_BATCH (1u << 20)
#define TL_MAX_EPOCHS 100000u
#define TL_MAX_THREADS 256u
#define TL_MAX_CG_STEPS 64u

/* Presets:
 *   "tfrs"    the original notebook: d=32, batch 8192, 3 epochs, Adagrad
 *             lr 0.1 (accumulator 0.1, epsilon 1e-7), init uniform(+-0.05),
 *             seed 42, train rows shuffled once.
 *   "default" TL_LOSS_IALS: d=64, 8 epochs, a0 0.1, lam 0.02, confidence
 *             0.5, batches of 4096 rows, seed 42 (chosen on the
 *             validation split by an earlier numpy study; docs/training.md). It minimises
 *               sum_observed w_ui (1 - u.m_i)^2 + a0 sum_all (u.m_i)^2
 *               + sum_u lam_u |u|^2 + sum_i lam_i |m_i|^2
 *             with lam_u = lam (sum_i w_ui + a0 n_movies) and
 *             lam_i = lam (sum_u w_ui + a0 n_users) (n_* = the vocabulary
 *             sizes, without the OOV rows; "all" = every vocabulary pair).
 *             w_ui = max(0.05, 1 + c (r_ui - mean) / std): mean and
 *             population std of the distinct train pairs' ratings (a pair
 *             rated twice counts once, with its highest rating; std 0 gives
 *             w = 1). Tables start N(0, (0.1/sqrt(d))^2) (Irwin-Hall, from
 *             S + 2; OOV rows 0). An epoch solves every user (against
 *             a0 M^T M cached once per side), then every movie; rows
 *             without train pairs become 0. Solver TL_IALS_CG, 3 steps: 3
 *             conjugate-gradient steps per row from its current vector
 *             (within 0.3 % of the exact solve's Recall@20 and NDCG@10 on
 *             ml-latest-small, docs/training.md); TL_IALS_EXACT solves
 *             each row exactly (Cholesky in double). A batch is
 *             batch_size consecutive rows of one side (users' batches
 *             first), run as tasks of about 8192 pairs of work (train_ials.h)
 *             on cfg.threads threads; its loss is the solved rows'
 *             objective terms (their squared errors, a0 and penalty terms),
 *             its examples are their train pairs (so an epoch counts every
 *             pair twice). An epoch's recorded loss is the full objective
 *             after the epoch (loss_per_example divides it by the distinct
 *             pairs); it never increases (up to rounding with CG).
 *             Deterministic and identical natively and in WASM and for
 *             every thread count (float sums with the kernels, double
 *             Cholesky / CG vectors, every sum in a fixed order;
 *             docs/training.md).
 *             Its rating head (used with rating_weight > 0) is not trained
 *             with iALS: tl_train_config_set_rating turns "default" into the
 *             default joint model (below).
 *   "tfrs-multitask" the original's multitask model: d=64, batch 1000,
 *             3 epochs, Adagrad 0.1, retrieval and rating weights 1/1, head
 *             256 -> 128 -> 1 (ReLU), mean squared error over the batch.
 *   "popularity" TL_LOSS_POPULARITY, model type "popularity": counts each
 *             movie's train ratings (every train row counts once, a pair
 *             rated twice twice), one batch per epoch, 1 epoch (more epochs
 *             count again: the same counts). Its one tensor "popularity" is
 *             1 x (n_movies + 1) floats: the counts, the OOV column last (0).
 *             dim is unused (1); no learning rate, seed or rating head.
 * Unknown names fail with TL_E_ARG listing the known ones. */
tl_status tl_train_config_preset(tl_train_config *cfg, const char *preset, tl_error *err);
/* The default joint model (`--preset default --rating-weight W`, W > 0):
 * turns a "default" config into it: the step-wise in-batch softmax
 * retrieval loss (the rating head trains on the same batches; iALS has
 * none) with weight 1, rating weight W, the rating head of
 * tl_head_config_default and the joint schedule (dim 32, batch 256, 5
 * epochs, Adagrad 0.1) chosen with it on validation (docs/rating.md).
 * Other presets only get rating_weight = W. */
void tl_train_config_set_rating(tl_train_config *cfg, float rating_weight);
/* The i-th preset name ("tfrs", "default", ..., "popularity"), NULL past the last. */
const char *tl_train_preset_name(size_t i);
/* Its one line for people ("the default model: implicit ALS ..."), NULL past the last. */
const char *tl_train_preset_about(size_t i);
/* "exact" or "cg" to a solver (TL_E_ARG naming the known ones), and back. */
tl_status tl_ials_solver_parse(const char *name, tl_ials_solver *out, tl_error *err);
const char *tl_ials_solver_name(tl_ials_solver solver);
/* Checks ranges (dim, batch, epochs, rates) with messages naming the option. */
tl_status tl_train_config_check(const tl_train_config *cfg, tl_error *err);

/* The default's rule by data shape (docs/training.md "The default by data
 * shape"): with cfg->by_shape set, an iALS config without a rating head
 * becomes the blend (iALS + EASE, weight chosen on validation) when EASE's
 * whole item set fits its budget -- between TL_SHAPE_BLEND_MIN_ITEMS and
 * TL_EASE_DEFAULT_MAX_ITEMS movies with at least ease_min_count train
 * ratings -- and there are at most TL_SHAPE_BLEND_MAX_RATINGS train rows;
 * otherwise it stays iALS, the scalable path. Returns 1 when it changed cfg. */
#define TL_SHAPE_BLEND_MIN_ITEMS 100u
#define TL_SHAPE_BLEND_MAX_RATINGS 1000000u
int tl_train_config_for_shape(tl_train_config *cfg, const tl_dataset *ds, const tl_split *split);
/* {"preset","dim","batch_size","epochs","loss","optimizer","learning_rate",
 *  "adagrad_initial","adagrad_epsilon","init_range","seed",
 *  "reshuffle_each_epoch"[,"split":{"train":N,"test":N}],"retrieval_weight",
 *  "rating_weight"[,"rating_head":{...} (tl_head_config_json) when
 *  rating_weight > 0][,"visitor_prior":{"w3","w10"} when not 0, 0]}: what the CLI's
 * --json, the JS API and model files report (split may be NULL). */
struct tl_buf;
void tl_train_config_json(const tl_train_config *cfg, const tl_split *split, struct tl_buf *out);

typedef struct tl_train_progress {
    uint32_t epoch; /* 1-based epoch of the last completed batch (0 before any) */
    uint32_t batch; /* batches completed in that epoch */
    uint32_t batches_per_epoch;
    uint32_t epochs; /* total epochs configured */
    uint32_t epochs_completed;
    uint64_t examples_seen;     /* train examples in completed batches, over all epochs */
    double running_loss;        /* mean summed batch loss so far in the current epoch */
    double epoch_loss;          /* mean summed batch loss of the last completed epoch */
    double last_batch_loss;     /* summed loss of the last completed batch */
    double first_batch_loss;    /* summed loss of the very first batch (B ln B at the start) */
    double seconds;             /* time spent inside tl_trainer_step */
    double examples_per_second; /* examples_seen / seconds */
    int done;                   /* every epoch completed */
    double rating_mse;          /* rating head: mean squared training error so far in the current
                                  * epoch (the last epoch's after it ends); 0 without a head */
} tl_train_progress;

typedef struct tl_epoch_record {
    uint32_t epoch;          /* 1-based */
    double loss;             /* mean summed batch loss over the epoch (Keras' progress bar) */
    double loss_per_example; /* total loss / examples */
    double seconds;          /* training time of this epoch */
    double rating_mse;       /* rating head: mean squared training error over the epoch (0 without) */
} tl_epoch_record;

typedef struct tl_trainer tl_trainer;

/* Copies what it needs from the dataset and the split (the train rows; the
 * dataset and split may be freed afterwards) and initialises the model. */
tl_status tl_trainer_new(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_trainer **out,
                         tl_error *err);
void tl_trainer_free(tl_trainer *tr);

/* Runs until `max_batches` batches have completed in this call (0 = no
 * limit) or `max_ms` milliseconds have passed (0 = no limit), whichever is
 * first; time is checked after every stripe or group of stripes of the
 * softmax (tl_softmax_group; iALS: after every task the calling thread
 * runs; no task starts after the deadline), so a call may end inside a
 * batch and the next call continues it. Both 0 trains to the end. At least
 * one stripe or group runs per call. Fills `progress` (may be NULL). After the
 * last epoch it returns TL_OK with progress.done = 1 and does nothing. */
tl_status tl_trainer_step(tl_trainer *tr, uint32_t max_batches, double max_ms, tl_train_progress *progress,
                          tl_error *err);

void tl_trainer_get_progress(const tl_trainer *tr, tl_train_progress *progress);
/* The embedding tables, or NULL for a type without them (popularity):
 * model-type-neutral code asks tl_trainer_tensors / tl_trainer_hash. */
const tl_model *tl_trainer_model(const tl_trainer *tr);
/* The model type it trains (model_type.h). */
const tl_model_type *tl_trainer_type(const tl_trainer *tr);
/* FNV-1a 64 of the trained model, equal hashes = bit-identical models: for
 * the embedding types tl_model_hash of the tables, XOR
 * tl_rating_head_hash when there is a rating head (the CLI's model_hash);
 * for popularity FNV-1a over n_movies and the counts (as floats). */
uint64_t tl_trainer_hash(const tl_trainer *tr);
const tl_train_config *tl_trainer_config(const tl_trainer *tr);
/* Threads the trainer runs on: its pool's (cfg.threads, 0 resolved to
 * tl_cpu_count(); 1 in builds without threads). */
uint32_t tl_trainer_threads(const tl_trainer *tr);
/* The trainer's thread pool (NULL when it trains on the calling thread
 * only), borrowed: e.g. evaluation runs on it (tl_eval_options.pool) between
 * steps, never during one. */
struct tl_pool *tl_trainer_pool(const tl_trainer *tr);
/* The model as named tensors for a model file (store.h), the type's own:
 * embedding types "users" and "movies" (with their out-of-vocabulary last
 * rows), "liked" ((n_movies + 1) x 1: train ratings >= 4 per movie) and
 * "visitor_prior" (1 x 2: w3, w10), then the rating head's when there is one; popularity
 * "popularity". `out` has room for TL_TRAINER_MAX_TENSORS; returns how
 * many were filled. The tensors borrow the trainer's tables. */
#define TL_TRAINER_MAX_TENSORS (4 + TL_HEAD_MAX_TENSORS)
uint32_t tl_trainer_tensors(const tl_trainer *tr, tl_tensor *out);
/* The rating head, or NULL when rating_weight is 0. */
const tl_rating_head *tl_trainer_head(const tl_trainer *tr);
/* How the visitor prior was set (status TL_PRIOR_CHOOSING until the
 * choice, which runs within tl_trainer_step before the first batch). */
void tl_trainer_prior_choice(const tl_trainer *tr, tl_prior_choice *out);
/* Completed epochs so far (n = progress.epochs_completed). */
const tl_epoch_record *tl_trainer_epochs(const tl_trainer *tr, uint32_t *n);
/* Bytes the trainer holds (model, optimiser state, batch buffers). */
size_t tl_trainer_bytes(const tl_trainer *tr);

/* ---- the trainer's side of a model type (model_type.h) -----------------
 *
 * The generic trainer creates the pool (cfg.threads, fewer when threads
 * fail to start: never a different result), then calls `create`. A call of
 * tl_trainer_step calls `step` on the batch in progress until its budget is
 * spent: after each `step` call it reads the clock once, counts the time,
 * and on a completed batch records it (and ends the epoch after
 * batches_per_epoch batches). */
typedef struct tl_train_batch {
    double loss;       /* the batch's summed loss (the epoch's loss is their mean) */
    uint64_t examples; /* train examples the batch covered */
    double sse;        /* rating head: the batch's summed squared rating error (0 without) */
} tl_train_batch;

struct tl_train_ops {
    tl_loss_kind loss;     /* the config's loss that trains this type (one type per loss) */
    const char *loss_name; /* what an epoch record's loss is, for people ("objective", ...) */
    /* The model and its options in one line for people (what `towerlens
     * train` prints after "training preset NAME: "). */
    void (*describe)(const tl_train_config *cfg, struct tl_buf *out);
    /* A line worth printing once the first batch is done (e.g. the softmax's
     * B ln B check), or nothing; may be NULL. */
    void (*first_batch_note)(const tl_train_config *cfg, const tl_train_progress *p, struct tl_buf *out);
    /* Checks the options the type reads, messages naming the option (the
     * trainer-wide ranges, dim / batch / epochs / threads, are checked before). */
    tl_status (*check)(const tl_train_config *cfg, tl_error *err);
    /* The type's config JSON fields after "model" and "preset", each as
     * ",\"key\":value" (the caller closes the object); split may be NULL. */
    void (*config_json)(const tl_train_config *cfg, const tl_split *split, struct tl_buf *out);
    /* Copies what it needs from the dataset and split (both may be freed
     * afterwards; the dataset's indices and the config are already
     * checked) and initialises the model. */
    tl_status (*create)(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_pool *pool,
                        void **state, tl_error *err);
    uint32_t (*batches_per_epoch)(const void *state);
    /* Works on batch `batch` (0-based in the epoch): at least one unit of
     * work, then more while clock() < deadline_ms (INFINITY: no limit) if
     * the type wants; returns 1 when the batch completed (fills *out), else
     * 0 (the next call continues it). The model changes only when a batch
     * completes. */
    int (*step)(void *state, tl_pool *pool, uint32_t batch, tl_clock_fn clock, void *clock_ctx, double deadline_ms,
                tl_train_batch *out);
    /* After an epoch's last batch (may be NULL): `e` holds the generic
     * record of epoch `epochs_done` (1-based); the type may replace its
     * loss (iALS: the objective) and prepare the next epoch (reshuffles). */
    void (*end_epoch)(void *state, uint32_t epochs_done, tl_epoch_record *e);
    uint32_t (*tensors)(const void *state, tl_tensor *out); /* at most TL_TRAINER_MAX_TENSORS */
    size_t (*bytes)(const void *state);
    uint64_t (*hash)(const void *state);
    const tl_model *(*model)(const void *state);      /* NULL: no embedding tables */
    const tl_rating_head *(*head)(const void *state); /* NULL: never a rating head */
    void (*free)(void *state);
    /* Sets the visitor prior's w3, w10 in the model (may be NULL: the type
     * has no visitor prior, and visitor_prior_auto is ignored). */
    void (*set_visitor_prior)(void *state, float w3, float w10);
    /* The type whose fold-in serves this type's visitors, when another (the
     * blend's: iALS): the visitor prior's chooser trains that one. NULL: this type. */
    const struct tl_train_ops *visitors;
};

/* The trainable type whose ops train `loss`, or NULL (model_types.c). */
const tl_model_type *tl_model_type_of_loss(tl_loss_kind loss);

/* The config's type's describe / first_batch_note / loss_name (train_ops). */
void tl_train_config_describe(const tl_train_config *cfg, struct tl_buf *out);
void tl_train_first_batch_note(const tl_train_config *cfg, const tl_train_progress *p, struct tl_buf *out);
const char *tl_train_loss_name(const tl_train_config *cfg);
/* Sets the iALS solver by name ("exact", "cg"); TL_E_ARG when the config's
 * type has no solver choice or the name is unknown. */
tl_status tl_train_config_set_solver(tl_train_config *cfg, const char *name, tl_error *err);

/* ---- building blocks (used by the trainer, exposed for tests and later
 * losses/heads) ---------------------------------------------------------- */

/* One iALS row solve: x = (G + sum_j w_j f_j f_j^T + lambda I)^-1 sum_j w_j f_j
 * with f_j = F[idx[j]] (rows of dim floats): the sum over j in float with
 * the kernels, 64 pairs at a time, each block added in double; Cholesky in
 * double; only the lower triangle of G (dim x dim, row-major) is read. Returns the row's
 * objective terms at the stored x: sum_j w_j (1 - x.f_j)^2 + x^T G x +
 * lambda |x|^2. n = 0 (or a matrix that is not positive definite, possible
 * only with lambda = 0) gives x = 0 and returns 0. `ws` holds
 * tl_ials_workspace_doubles(dim) doubles. */
size_t tl_ials_workspace_doubles(size_t dim);
double tl_ials_solve_row(const double *G, const float *F, const uint32_t *idx, const float *w, size_t n, size_t dim,
                         double lambda, double *ws, float *x);

/* One iALS row solve by conjugate gradient: `steps` CG steps on the same
 * system, starting from x as given (x is read and overwritten). Gf is all
 * of G (dim x dim, both triangles) in float, for the products G p; G's
 * lower triangle (double) gives the returned objective terms, as for
 * tl_ials_solve_row. The sums over j run in float with kernels_cg.h, 64
 * pairs at a time, each block added in double; the short vectors are
 * double. A step never raises the row's objective (up to rounding); with
 * steps >= dim it is the exact solve up to rounding. n = 0 gives x = 0 and
 * returns 0. `ws` holds tl_ials_cg_workspace_doubles(dim) doubles. When
 * n <= gather_rows, the first pass copies the f_j to `gather` (gather_rows
 * x dim floats, or NULL) and the later passes read them there, contiguous
 * (faster; the same result). `pair_ws` holds tl_ials_cg_pair_doubles(n)
 * doubles: the pairs' f_j . x, followed through the steps, give the
 * returned objective without a pass of their own (it is the objective at
 * x before x is rounded to float: within rounding of the stored x's). */
size_t tl_ials_cg_workspace_doubles(size_t dim);
size_t tl_ials_cg_pair_doubles(size_t n);
double tl_ials_cg_row(const double *G, const float *Gf, const float *F, const uint32_t *idx, const float *w, size_t n,
                      size_t dim, double lambda, uint32_t steps, double *ws, float *gather, size_t gather_rows,
                      double *pair_ws, float *x);

/* One Adagrad step on a row: for each k, acc += g^2, then
 * w -= (lr * g) / (sqrt(acc) + eps) (TensorFlow's ApplyAdagradV2 order). */
void tl_adagrad_row(float *w, float *acc, const float *g, size_t dim, float lr, float eps);

/* Workspace for the blocked in-batch softmax over batches of up to
 * max_batch rows of dimension dim. A batch's rows fall into fixed stripes
 * (tl_softmax_stripe_rows: an eighth of the batch up to 8192 rows, whatever
 * the threads): each stripe's dM contribution is summed on its own from zero,
 * its rows in order, and dM adds the stripes' sums in stripe order. On a
 * pool, tl_softmax_group runs group_stripes stripes side by side, each on
 * one thread (its blocks in order, in that worker's buffers), so a thread
 * only reads the logits it wrote; then dM adds their sums, split by rows. */
typedef struct tl_softmax_ws {
    size_t max_batch, dim, block_rows;
    size_t workers;           /* threads with their own block buffers */
    size_t group_stripes;     /* stripes per tl_softmax_group call */
    size_t stripe_blocks;     /* the most blocks in a stripe of any batch up to max_batch */
    size_t ld_logits;         /* row stride of the logit rows (padded) */
    float *packed;            /* M_b packed in panels (kernels.h) */
    float *logits;            /* per worker, block_rows x ld_logits: logits, then their exponentials */
    float *row_max, *row_inv; /* per worker, block_rows: the softmax shift and 1 / sum of exponentials */
    float *scaled;            /* per worker, block_rows x dim: U rows times row_inv */
    float *partial;           /* group_stripes x max_batch x dim: each stripe's dM sum */
    double *block_loss;       /* group_stripes x stripe_blocks: each block's rows' loss, in row order */
} tl_softmax_ws;

/* Rows per stripe of a batch of B rows: ceil(B / 8), at most 2^23 / B (so
 * a stripe is one bounded step however big the batch), rounded up to 32. */
size_t tl_softmax_stripe_rows(size_t B);
/* One worker, one stripe per group (the serial layout). */
tl_status tl_softmax_ws_init(tl_softmax_ws *ws, size_t max_batch, size_t dim, size_t block_rows, tl_error *err);
/* Buffers for `workers` threads and group_stripes stripes per group (0 =
 * 1 each); neither changes a result. */
tl_status tl_softmax_ws_init_group(tl_softmax_ws *ws, size_t max_batch, size_t dim, size_t block_rows, size_t workers,
                                   size_t group_stripes, tl_error *err);
/* Rows of one tl_softmax_group call in a batch of B rows (whole stripes). */
size_t tl_softmax_group_rows(const tl_softmax_ws *ws, size_t B);
void tl_softmax_ws_free(tl_softmax_ws *ws);
size_t tl_softmax_ws_bytes(const tl_softmax_ws *ws);

/* A batch is begin, rows (any split of 0..B into consecutive ranges, in
 * order), end. With E = exp(L - row max), s_i = sum_j E_ij, P = E / s:
 *   dU_i = (sum_j E_ij M_j) / s_i - M_i       (per row, in tl_softmax_rows)
 *   dM_j = sum_k S_kj - U_j,  S_kj = sum_{i in stripe k} E_ij (U_i / s_i)
 * so the normalised P is never written and the diagonal needs no pass.
 * Each dU_i is one sum over j ascending, each S_kj one over i ascending and
 * dM_j one over k ascending, so neither the blocks, the groups nor the
 * threads change a bit. */
/* Prepare a batch: packs M (B x dim) and zeroes dM (B x dim). */
void tl_softmax_begin(tl_softmax_ws *ws, const float *M, size_t B, float *dM);
/* Rows [row0, row0 + rows) of the batch: writes dU for those rows, adds
 * their contribution to dM (a stripe's once its last row is done),
 * returns their summed loss. */
double tl_softmax_rows(tl_softmax_ws *ws, const float *U, const float *M, size_t B, size_t row0, size_t rows, float *dU,
                       float *dM);
/* Rows [row0, row0 + rows) on `pool`, row0 a stripe's first row and rows
 * at most tl_softmax_group_rows: the stripes run as tasks, then dM's rows
 * in ranges as tasks. Adds each block's loss (its rows summed in order)
 * to *loss, block by block, blocks cut at stripe ends: the same sum as one
 * tl_softmax_rows call per such block. Other calls (an unaligned row0, a
 * pool with more threads than the workspace's workers) run serially, with
 * the same result. */
void tl_softmax_group(tl_softmax_ws *ws, tl_pool *pool, const float *U, const float *M, size_t B, size_t row0,
                      size_t rows, float *dU, float *dM, double *loss);
/* Completes dM (the label terms) once every row was processed. */
void tl_softmax_end(tl_softmax_ws *ws, const float *U, size_t B, float *dM);
/* A whole batch at once (begin, all rows, end): the loss, dU and dM. */
double tl_softmax_batch(tl_softmax_ws *ws, const float *U, const float *M, size_t B, float *dU, float *dM);

#ifdef __cplusplus
}
#endif
#endif
