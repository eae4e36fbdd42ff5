/* The blend model type's pieces shared by its scorer and its trainer.
 * Internal to src/models/blend/. */
#ifndef TL_MODELS_BLEND_BLEND_INTERNAL_H
#define TL_MODELS_BLEND_BLEND_INTERNAL_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/ease.h"
#include "towerlens/scorer.h"
#include "towerlens/tensor.h"

/* The blend's weights for one user from the parts' scores of every movie
 * (a, b: n_movies floats, dense order): ca = w / sd(a), cb = (1 - w) / sd(b)
 * over the catalogue movies (population sd in double; 0 when sd < 1e-12),
 * with b_j = 0 for movies outside EASE's item set. */
void tl__blend_coefficients(const tl_dataset *ds, const float *a, const float *b, float w, float *ca, float *cb);

/* The same with the time-neighbour part c (NULL: none): ca = wa / sd(a),
 * cb = (1 - wa - wc) / sd(b), cc = wc / sd(c); with c NULL or wc = 0 the
 * same bits as tl__blend_coefficients(wa). */
void tl__blend_coefficients3(const tl_dataset *ds, const float *a, const float *b, const float *c, float wa, float wc,
                             float *ca, float *cb, float *cc);
/* Each part's 1 / sd in one pass (the coefficients of weight 1: the same
 * bits as tl__blend_coefficients3 gives a part weighted 1); uc 0 when c is
 * NULL. */
void tl__blend_units(const tl_dataset *ds, const float *a, const float *b, const float *c, float *ua, float *ub,
                     float *uc);

/* The time-neighbour part (seq_fit.c, seq_scorer.c): movies rated close
 * together in time by the same people. Each user's train ratings in time
 * order; movies d places apart (d <= TL_SEQ_SPAN) add e^-d to their pair;
 * V[i][j] = that sum over users / sqrt(n_i n_j) (n: train ratings). Its
 * tensors: "seq.movies" (rows x 1, raw ids ascending), "seq.counts" (rows x
 * 1, each row's neighbours), "seq.index" (pairs x 1, raw ids ascending in a
 * row) and "seq.value" (pairs x 1, V). */
#define TL_SEQ_SPAN 8
#define TL_SEQ_MAX_PAIRS (1u << 26) /* more pairs (512 MB of tensors): no time part */
typedef struct tl__seq {
    uint32_t n_rows, nnz;
    float *movies, *counts, *index, *value; /* views into block */
    float *block;
} tl__seq;

/* Fit on the given rows; the part is empty (n_rows 0) when the data has no
 * rating times or it would have more than TL_SEQ_MAX_PAIRS pairs. */
tl_status tl__seq_fit(const tl_dataset *ds, const uint32_t *rows, uint32_t n, tl__seq *out, tl_error *err);
void tl__seq_free(tl__seq *q);
/* Its four tensors into out (borrowing q's arrays); 0 when it has no rows. */
uint32_t tl__seq_tensors(const tl__seq *q, tl_tensor *out);
/* 1 when the tensors hold a time-neighbour part */
int tl__seq_present(const tl_tensor *t, uint32_t n_t);
tl_status tl__seq_open(const tl_dataset *ds, const tl_tensor *t, uint32_t n_t, tl_scorer **out, tl_error *err);

/* The validation rows' evidence for choosing w (train_blend.c): users'
 * fit rows (the train rows minus the validation rows) and validation
 * movies, as CSR by dense user. */
typedef struct tl__blend_rows {
    uint32_t n_users;
    uint32_t *fit_start, *fit_movie; /* fit_start: n_users + 1 */
    float *fit_stars;
    uint32_t *val_start, *val_movie;
} tl__blend_rows;

/* EASE scores below this are movies outside its item set (ease.h TL_EASE_FLOOR) */
#define TL_BLEND_EASE_OUTSIDE TL_EASE_FLOOR

#define TL_BLEND_GRID 11               /* w = 0, 0.1, ..., 1 */
#define TL_BLEND_GRID3 66              /* (wa, wc) on the 0.1 simplex with the time part */
#define TL_BLEND_MAX_VALID_USERS 3000u /* a seeded sample beyond this */

/* The grid point with the best mean Recall@20 x mean NDCG@10 on the
 * validation rows (protocol B: the user's fit movies are not ranked; the
 * first best on ties), scoring with the parts a (iALS), b (EASE) and c (the
 * time neighbours; NULL: none) fit without the validation rows. The grid:
 * wa = 0, 0.1, ..., 1 with wc = 0 first (the 2-part line, TL_BLEND_GRID
 * points), then with c wc = 0.1, ..., 1, each with wa ascending while
 * wa + wc <= 1 (TL_BLEND_GRID3 points in all). recall / ndcg
 * (TL_BLEND_GRID3 each) get the grid's figures when not NULL; *users the
 * users scored. */
tl_status tl__blend_choose(const tl_dataset *ds, tl_scorer *a, tl_scorer *b, tl_scorer *c, const tl__blend_rows *rows,
                           uint64_t seed, float *wa, float *wc, double *recall, double *ndcg, uint32_t *users,
                           tl_error *err);

/* Grid point g's weights (the order above) */
void tl__blend_grid_point(int g, float *wa, float *wc);

#endif
