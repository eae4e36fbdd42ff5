/* Rating prediction: the multitask model's rating head, the bias baseline
 * and Protocol C.
 *
 * The head (the original notebook's third model): an MLP over the
 * concatenated user and movie embeddings [u, m] (2d inputs), hidden Dense
 * layers with ReLU (256 -> 128 in the original), then Dense(1). Dense
 * weights are stored as Keras kernels (inputs x outputs, row-major) and
 * initialised as Keras' Dense defaults: glorot_uniform kernels, zero biases.
 * Optionally (the default joint model, not the original) the prediction adds
 * a fixed global mean and learned per-user and per-movie biases:
 *     pred = mlp([u, m]) (+ mean + b_user + b_movie).
 *
 * The rating loss of a batch of B rows (what tl_rating_head_batch returns
 * and differentiates), with R = 1/B for the mean reduction (TFRS'
 * tf.keras.losses.MeanSquaredError) or R = 1 for the sum reduction:
 *     L = R * sum_i [ (pred_i - r_i)^2
 *                     + l2_biases     * (b_user_i^2 + b_movie_i^2)
 *                     + l2_embeddings * (|u_i|^2 + |m_i|^2) ]
 *         + l2_weights * sum of the squared Dense kernels.
 * (The retrieval loss, in train.h, is a sum over the batch, as in TFRS.)
 *
 * Protocol C: RMSE and MAE over test rows, each prediction clipped to the
 * rating scale 0.5-5 first. The bias baseline (global mean + regularised
 * user and movie biases, fit on train rows by alternating least squares)
 * is evaluated by the same code.
 *
 * Every sum runs in a fixed order (kernels.h), so a head trains to the same
 * bits natively and in WASM. */
#ifndef TOWERLENS_RATING_H
#define TOWERLENS_RATING_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/embeddings.h"
#include "towerlens/error.h"
#include "towerlens/pool.h"
#include "towerlens/store.h"
#include "towerlens/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_HEAD_MAX_HIDDEN 4
#define TL_HEAD_MAX_WIDTH 4096
#define TL_RATING_MIN 0.5f
#define TL_RATING_MAX 5.0f

typedef enum tl_rating_reduction {
    TL_RATING_MEAN = 0, /* R = 1/B: tf.keras.losses.MeanSquaredError (TFRS) */
    TL_RATING_SUM = 1   /* R = 1: on the same scale as the summed retrieval loss */
} tl_rating_reduction;

/* The bias baseline's settings (also the head's warm start). */
typedef struct tl_bias_config {
    float reg_user, reg_movie; /* ridge penalties of the alternating least squares */
    uint32_t iterations;       /* alternations (user pass + movie pass) */
} tl_bias_config;

/* Chosen on the validation split of ml-latest-small (docs/rating.md). */
#define TL_BIAS_REG_USER 2.0f
#define TL_BIAS_REG_MOVIE 3.0f
#define TL_BIAS_ITERATIONS 20u
void tl_bias_config_default(tl_bias_config *c);

typedef struct tl_head_config {
    uint32_t n_hidden;                   /* hidden Dense layers (0 = one linear layer) */
    uint32_t hidden[TL_HEAD_MAX_HIDDEN]; /* their widths, input side first */
    int biases;                          /* add mean + user bias + movie bias to the output */
    int warm_start;                      /* with biases: start them (and the mean) at the bias
                                          * baseline fit instead of 0 */
    tl_rating_reduction reduction;
    float l2_weights, l2_biases, l2_embeddings; /* see the loss above */
    float learning_rate;                        /* Adagrad rate of the head's parameters; 0 = the trainer's */
    float adagrad_initial;                      /* their initial accumulator; < 0 = the trainer's */
    tl_bias_config baseline;                    /* for warm_start */
} tl_head_config;

/* The original's head: 256 -> 128 -> 1, no biases, mean reduction, no
 * regularisation, the trainer's Adagrad settings. */
void tl_head_config_original(tl_head_config *c);
/* The default joint model's head (preset "default" with rating_weight >
 * 0), chosen on the validation split (docs/rating.md). */
void tl_head_config_default(tl_head_config *c);
/* {"type":"mlp","input":"concat(user,movie)","hidden":[..],"activation":"relu",
 *  "biases","warm_start","loss":"squared_error","reduction":"mean"|"sum",
 *  "l2_weights","l2_biases","l2_embeddings","learning_rate","adagrad_initial",
 *  "clip":[0.5,5]} with the trainer's rate / accumulator where the head
 * uses them. What model files and reports say about a head. */
struct tl_buf;
void tl_head_config_json(const tl_head_config *c, float trainer_lr, float trainer_adagrad_initial, struct tl_buf *b);
/* Range checks with messages naming the setting. */
tl_status tl_head_config_check(const tl_head_config *c, tl_error *err);

typedef struct tl_rating_head {
    uint32_t dim;                           /* embedding dimension d (inputs = 2d) */
    uint32_t n_layers;                      /* Dense layers: n_hidden + 1 */
    uint32_t width[TL_HEAD_MAX_HIDDEN + 2]; /* width[0] = 2d, ..., width[n_layers] = 1 */
    float *w[TL_HEAD_MAX_HIDDEN + 1];       /* layer l kernel: width[l] x width[l+1] */
    float *b[TL_HEAD_MAX_HIDDEN + 1];       /* layer l bias: width[l+1] */
    float *dense;                           /* every w and b, one block of n_dense floats */
    size_t n_dense;
    int has_biases;
    float mean;                    /* global mean (fixed; 0 without biases) */
    uint32_t n_users, n_movies;    /* bias tables have one more (OOV, 0) row */
    float *user_bias, *movie_bias; /* NULL without biases */
} tl_rating_head;

/* A head for embeddings of dimension `dim`, Keras-initialised from
 * splitmix64(seed): each kernel in layer order, row-major. */
tl_status tl_rating_head_new(const tl_head_config *cfg, uint32_t dim, uint32_t n_users, uint32_t n_movies,
                             uint64_t seed, tl_rating_head **out, tl_error *err);
void tl_rating_head_free(tl_rating_head *h);
/* FNV-1a 64 over the shape and every parameter (dense, then biases). */
uint64_t tl_rating_head_hash(const tl_rating_head *h);

/* Buffers for forward and backward passes over batches of up to max_batch
 * rows. `grad_dense` (n_dense floats) and the per-row bias gradients hold
 * the last batch's gradients after tl_rating_head_batch. */
typedef struct tl_head_ws {
    size_t max_batch;
    float *x;                                /* max_batch x 2d: [u, m] rows */
    float *act[TL_HEAD_MAX_HIDDEN + 1];      /* post-ReLU activations of the hidden layers */
    float *pred;                             /* max_batch raw predictions */
    float *delta_a, *delta_b;                /* max_batch x widest layer */
    float *packed;                           /* one kernel packed in panels (kernels.h) */
    float *grad_dense;                       /* n_dense */
    float *grad_user_bias, *grad_movie_bias; /* per batch row (with biases) */
    tl_pool *pool;                           /* borrowed, for the big GEMMs; NULL (after init) = the
                                            * calling thread. Never changes a result */
} tl_head_ws;

tl_status tl_head_ws_init(tl_head_ws *ws, const tl_rating_head *h, size_t max_batch, tl_error *err);
void tl_head_ws_free(tl_head_ws *ws);
size_t tl_head_ws_bytes(const tl_head_ws *ws, const tl_rating_head *h);

/* Forward pass: pred[i] for users[i] (row U + i*dim) and movies[i] (row
 * M + i*dim), i < B <= ws->max_batch. `users`/`movies` index the bias
 * tables (ignored without biases). Raw, not clipped. */
void tl_rating_head_forward(const tl_rating_head *h, tl_head_ws *ws, const float *U, const float *M,
                            const uint32_t *users, const uint32_t *movies, size_t B, float *pred);

/* Forward and backward pass of the loss above for targets r[i] (ratings):
 * returns L; stores weight * dL/d(dense) in ws->grad_dense and weight *
 * dL/d(bias) per row in ws->grad_*_bias; ADDS weight * dL/du_i to dU row
 * i and weight * dL/dm_i to dM row i (either may be NULL to skip). If
 * `sse` is not NULL it receives the sum of squared errors (unregularised). */
double tl_rating_head_batch(const tl_rating_head *h, const tl_head_config *cfg, tl_head_ws *ws, const float *U,
                            const float *M, const uint32_t *users, const uint32_t *movies, const float *r, size_t B,
                            float weight, float *dU, float *dM, double *sse);

/* Adagrad state of a head: one accumulator per parameter; per-row bias
 * gradients of a batch are summed per unique user / movie first (as Keras
 * does for embedding tables). */
typedef struct tl_head_opt {
    float *acc_dense, *acc_user_bias, *acc_movie_bias;
    float *sum_user, *sum_movie; /* summed gradient per table row (0 between batches) */
    uint8_t *touched_user, *touched_movie;
    uint32_t *list; /* unique rows of a batch */
    size_t max_batch;
    float lr, eps;
} tl_head_opt;

tl_status tl_head_opt_init(tl_head_opt *o, const tl_rating_head *h, size_t max_batch, float lr, float initial,
                           float eps, tl_error *err);
void tl_head_opt_free(tl_head_opt *o);
size_t tl_head_opt_bytes(const tl_head_opt *o, const tl_rating_head *h);
/* Applies ws's gradients of the last batch (rows users[i], movies[i]). */
void tl_head_opt_apply(tl_head_opt *o, tl_rating_head *h, const tl_head_ws *ws, const uint32_t *users,
                       const uint32_t *movies, size_t B);

/* ---- the bias baseline ---------------------------------------------------- */

typedef struct tl_bias_model {
    float mean;
    uint32_t n_users, n_movies;
    float *user, *movie; /* n + 1 each; users/movies without train rows (and the OOV row) stay 0 */
} tl_bias_model;

/* mean = the train mean; then `iterations` times: every user bias
 * b_u = sum(r - mean - b_m) / (reg_user + n_u), then every movie bias
 * b_m = sum(r - mean - b_u) / (reg_movie + n_m), sums in row order in double. */
tl_status tl_bias_fit(const tl_dataset *ds, const uint32_t *rows, uint32_t n, const tl_bias_config *cfg,
                      tl_bias_model **out, tl_error *err);
void tl_bias_free(tl_bias_model *b);
void tl_bias_predict_rows(const tl_bias_model *b, const tl_dataset *ds, const uint32_t *rows, uint32_t n, float *pred);

/* Prepares a head's biases for training on these rows: with
 * cfg->warm_start, mean and biases from a bias fit (cfg->baseline), so the
 * head starts as the baseline plus the small output of a freshly
 * initialised MLP; otherwise mean = the train mean and biases 0. Nothing
 * without biases. */
tl_status tl_rating_head_init_biases(tl_rating_head *h, const tl_head_config *cfg, const tl_dataset *ds,
                                     const uint32_t *rows, uint32_t n, tl_error *err);

/* ---- predictions and Protocol C ------------------------------------------- */

/* Raw head predictions for dataset rows (embeddings from `emb`, whose
 * dimension must match the head). */
tl_status tl_rating_predict_rows(const tl_rating_head *h, const tl_embeddings *emb, const tl_dataset *ds,
                                 const uint32_t *rows, uint32_t n, float *pred, tl_error *err);
/* Raw predictions for n (dense user, dense movie) pairs (indices up to
 * n_users / n_movies: the last is the out-of-vocabulary row). */
tl_status tl_rating_predict_pairs(const tl_rating_head *h, const tl_embeddings *emb, const uint32_t *users,
                                  const uint32_t *movies, uint32_t n, float *pred, tl_error *err);
/* One raw prediction for dense indices (user <= n_users, movie <= n_movies:
 * the last index is the out-of-vocabulary row). */
tl_status tl_rating_predict_one(const tl_rating_head *h, const tl_embeddings *emb, uint32_t user, uint32_t movie,
                                float *pred, tl_error *err);

static inline float tl_rating_clip(float x)
{
    return x < TL_RATING_MIN ? TL_RATING_MIN : x > TL_RATING_MAX ? TL_RATING_MAX : x;
}

/* ---- model files (store.h) ------------------------------------------------- */

/* The head as named tensors borrowing h's memory: "head.w1", "head.b1", ...,
 * "head.wL", "head.bL" (Dense layers in order), and with biases
 * "head.user_bias" ((n_users + 1) x 1), "head.movie_bias" and "head.mean"
 * (1 x 1). Returns how many were written (at most TL_HEAD_MAX_TENSORS). */
#define TL_HEAD_MAX_TENSORS (2 * (TL_HEAD_MAX_HIDDEN + 1) + 3)
uint32_t tl_rating_head_tensors(tl_rating_head *h, tl_tensor *out);

/* The head a model file holds (a copy), or *out = NULL when it has none.
 * Shapes are checked against each other, the embedding dimension and the
 * vocabularies; a damaged head is TL_E_CORRUPT naming the tensor. */
tl_status tl_rating_head_from_file(const tl_model_file *mf, tl_rating_head **out, tl_error *err);
/* The same from named tensors (a model file's, or a trainer's) for
 * embeddings of dimension dim over ds's vocabularies. */
tl_status tl_rating_head_from_tensors(const tl_dataset *ds, const tl_tensor *tensors, uint32_t n_tensors, uint32_t dim,
                                      tl_rating_head **out, tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
