/* The blend model type's pieces shared by its scorer and its trainer.
 * Internal to src/models/blend/. */
#ifndef TL_MODELS_BLEND_BLEND_INTERNAL_H
#define TL_MODELS_BLEND_BLEND_INTERNAL_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/ease.h"
#include "towerlens/scorer.h"

/* The blend's weights for one user from the parts' scores of every movie
 * (a, b: n_movies floats, dense order): ca = w / sd(a), cb = (1 - w) / sd(b)
 * over the catalogue movies (population sd in double; 0 when sd < 1e-12),
 * with b_j = 0 for movies outside EASE's item set. */
void tl__blend_coefficients(const tl_dataset *ds, const float *a, const float *b, float w, float *ca, float *cb);

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
#define TL_BLEND_MAX_VALID_USERS 3000u /* a seeded sample beyond this */

/* The grid weight with the best mean Recall@20 x mean NDCG@10 on the
 * validation rows (protocol B: the user's fit movies are not ranked; the
 * first best on ties), scoring with the parts a (iALS) and b (EASE) fit
 * without the validation rows. recall / ndcg (TL_BLEND_GRID each) get the
 * grid's figures when not NULL; *users the users scored. */
tl_status tl__blend_choose(const tl_dataset *ds, tl_scorer *a, tl_scorer *b, const tl__blend_rows *rows, uint64_t seed,
                           float *w, double *recall, double *ndcg, uint32_t *users, tl_error *err);

#endif
