/* EASE: the embarrassingly shallow autoencoder (Steck 2019), an item-item
 * model in closed form.
 *
 * Items are the movies with at least `min_count` train ratings, the
 * threshold raised when more than `max_items` movies qualify (the full
 * catalogue would cost n^2 floats: 380 MB on ml-latest-small, 15 GB at
 * ml-25m's 62k movies). X is the
 * users x items matrix of the train rows: x = 1 (TL_EASE_BINARY) or
 * stars / 5 (TL_EASE_RATING), multiplied by `low_weight` for ratings below
 * 3 stars (1 = like any rating, 0 = ignored, negative = a negative signal).
 * Then
 *     G = X^T X + lambda I,  P = G^-1,  B[i][j] = -P[i][j] / P[j][j],  B[j][j] = 0
 * and a user with profile x (same mapping) scores item j as sum_i x_i B[i][j].
 *
 * Computation (ease_fit.c): G is built from per-user item lists, exact in
 * float for binary values; G = L L^T (blocked Cholesky), U = L^-T, P = U U^T,
 * all in float with tl_dot / tl_gemm_abt_dots sums whose order depends only
 * on n (tasks are cut by the data), so the model is bit-identical for any
 * thread count and natively vs WASM. Cost ~n^3/2 multiply-adds, 2 n^2
 * floats at the peak, n^2 floats kept (B).
 *
 * Scores of movies outside the item set (fewer than min_count train
 * ratings, or never rated): TL_EASE_OUTSIDE + min(train count, 2^18), so
 * they rank below every item, most rated first. In-set scores are clamped
 * to >= TL_EASE_FLOOR (never reached in practice: |B| entries are well
 * below 1), which keeps the two ranges apart. */
#ifndef TOWERLENS_EASE_H
#define TOWERLENS_EASE_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/pool.h"
#include "towerlens/topk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_EASE_OUTSIDE (-1048576.0f)   /* -2^20: base score of movies outside the item set */
#define TL_EASE_FLOOR (-524288.0f)      /* -2^19: lowest score of an item in the set */
#define TL_EASE_MAX_ITEMS 8192u         /* 2 n^2 floats = 512 MB at the fit's peak */
#define TL_EASE_DEFAULT_MAX_ITEMS 4096u /* 128 MB at the fit's peak, 64 MB kept */
#define TL_EASE_NONE UINT32_MAX         /* item_of_movie of a movie outside the set */
#define TL_EASE_MAX_REASONS 3

/* Defaults chosen on validation (bench/ease_tune.c, docs/training.md "EASE"). */
#define TL_EASE_DEFAULT_LAMBDA 200.0f
#define TL_EASE_DEFAULT_MIN_COUNT 5u
#define TL_EASE_DEFAULT_LOW_WEIGHT 1.0f

typedef enum tl_ease_values {
    TL_EASE_BINARY = 0, /* x = 1 for any rating */
    TL_EASE_RATING = 1  /* x = stars / 5 */
} tl_ease_values;

typedef struct tl_ease_options {
    float lambda;       /* > 0 (finite) */
    uint32_t min_count; /* >= 1: items are movies with at least this many train ratings */
    tl_ease_values values;
    float low_weight;   /* multiplies x for ratings below 3 stars (finite) */
    uint32_t max_items; /* item budget: when more movies have min_count ratings, the threshold is
                              raised to the smallest count that keeps at most max_items (whole count
                              classes, so no tie is broken); 0 = TL_EASE_DEFAULT_MAX_ITEMS; at most
                              TL_EASE_MAX_ITEMS */
    tl_pool *pool;      /* borrowed; NULL = the calling thread only; results do not depend on it */
} tl_ease_options;

void tl_ease_options_default(tl_ease_options *opt);

typedef struct tl_ease_model tl_ease_model;

typedef struct tl_ease_info {
    uint32_t n_movies;  /* the dataset's movies (scores cover all of them) */
    uint32_t n_items;   /* movies in the item set */
    uint32_t n_users;   /* users with at least one nonzero x in the fit */
    uint32_t min_count; /* the threshold used (raised from the option's to fit max_items) */
    float lambda, low_weight;
    tl_ease_values values;
    size_t model_bytes; /* held by the model */
    size_t peak_bytes;  /* held during the fit at its peak (model excluded: B reuses G) */
} tl_ease_info;

/* Fits on the given train rows of ds (dataset row indices; duplicates of a
 * (user, movie) pair keep the row latest in the file). TL_E_ARG for bad
 * options, no rows, a row out of range, or no movie with min_count
 * ratings; TL_E_LIMIT when max_items > TL_EASE_MAX_ITEMS or no threshold
 * keeps between 1 and max_items items; TL_E_NOMEM; TL_E_STATE when G is
 * numerically not positive definite (lambda far too small). */
tl_status tl_ease_fit(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train, const tl_ease_options *opt,
                      tl_ease_model **out, tl_error *err);
void tl_ease_free(tl_ease_model *m);

void tl_ease_get_info(const tl_ease_model *m, tl_ease_info *out);
/* The item of a dense movie (TL_EASE_NONE outside the set), and back. */
uint32_t tl_ease_item_of(const tl_ease_model *m, uint32_t movie);
uint32_t tl_ease_movie_of(const tl_ease_model *m, uint32_t item);
/* B[i][j] between two dense movies (0 when either is outside the set). */
float tl_ease_weight(const tl_ease_model *m, uint32_t from_movie, uint32_t to_movie);

/* Scores of every dense movie (scores has n_movies floats) for a profile of
 * n rated movies (dense indices) with their ratings in half stars (1..10).
 * Movies outside the item set add nothing. A movie listed twice, an index
 * out of range or a rating outside 1..10 is TL_E_ARG. The profile's own
 * movies are scored like any other (callers exclude them). */
tl_status tl_ease_score(const tl_ease_model *m, const uint32_t *movies, const uint8_t *half, uint32_t n, float *scores,
                        tl_error *err);

/* "Because you rated": the profile's movies rated 4 stars or more whose
 * contribution x_j B[j][movie] to movie's score is positive, largest first
 * (ties: lower dense index), at most TL_EASE_MAX_REASONS. Movies rated
 * below 4 stars are never reasons. 0 reasons for a movie outside the set. */
typedef struct tl_ease_reason {
    uint32_t movie;     /* dense index of the profile movie */
    uint8_t half;       /* its rating */
    float contribution; /* x_j B[j][movie] */
} tl_ease_reason;
tl_status tl_ease_explain(const tl_ease_model *m, const uint32_t *movies, const uint8_t *half, uint32_t n,
                          uint32_t movie, tl_ease_reason *out, uint32_t *n_out, tl_error *err);

/* Similar movies: the k items j != movie with the largest B[j][movie] (the
 * weight of j in movie's score: how much having rated j predicts movie,
 * with what the other items already explain taken out; for a fixed movie
 * this ranks j by -P[j][movie]), best first, ties to the lower index; out
 * has room for k. The row B[movie][*] = -P[movie][j] / P[j][j] would favour
 * popular j (small P[j][j]): on ml-latest-small Toy Story's column gives
 * Toy Story 2 second, its row seventh. A movie outside the set has no EASE
 * neighbours: *n_out = 0. */
tl_status tl_ease_similar(const tl_ease_model *m, uint32_t movie, uint32_t k, tl_scored *out, uint32_t *n_out,
                          tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
