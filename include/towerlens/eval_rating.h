/* Protocol C (rating prediction error) and the bias baseline it is compared
 * with: evaluation of the rating head (rating.h) on test rows. */
#ifndef TOWERLENS_EVAL_RATING_H
#define TOWERLENS_EVAL_RATING_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/eval.h"
#include "towerlens/rating.h"
#include "towerlens/scorer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protocol C: RMSE and MAE of pred[i] (clipped) against the rating of
 * rows[i]; fills out->rmse, out->mae and has_rating = 1 (other fields
 * untouched). A NaN prediction is an error naming the row. */
tl_status tl_eval_rating(const tl_dataset *ds, const uint32_t *rows, uint32_t n, const float *pred, tl_metrics *out,
                         tl_error *err);

/* Protocol C of the model behind sc (scorer.h: TL_E_STATE when it predicts
 * no ratings) on dataset rows. */
tl_status tl_eval_rating_scorer(const tl_dataset *ds, const uint32_t *rows, uint32_t n, const tl_scorer *sc,
                                tl_metrics *out, tl_error *err);

/* The bias baseline fit on train rows and evaluated on test rows. */
tl_status tl_eval_bias_baseline(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                                const uint32_t *test_rows, uint32_t n_test, const tl_bias_config *cfg, tl_metrics *out,
                                tl_error *err);

#ifdef __cplusplus
}
#endif

#endif
