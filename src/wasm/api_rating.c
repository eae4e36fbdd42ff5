/* The rating head for JavaScript (rating.h): multitask weights for a trainer
 * handle (api_train.c), Protocol C beside the bias baseline, and predicted
 * ratings. A model file written by tlw_trainer_model_file carries the head's
 * tensors ("head.*"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "towerlens.h"

/* Sets the multitask weights before tlw_trainer_init: rating_weight > 0
 * trains a rating head beside the retrieval loss (with the "default" preset,
 * the default joint model: tl_train_config_set_rating); retrieval_weight 0
 * trains for ratings only. Returns a status; the error is on the handle. */
EMSCRIPTEN_KEEPALIVE int tlw_trainer_set_weights(tlw_trainer *h, double rating_weight, double retrieval_weight)
{
    if (!h) return TL_E_ARG;
    if (h->tr) return tl_fail(&h->err, TL_E_STATE, "set the rating and retrieval weights before the trainer is set up");
    if (!(rating_weight >= 0 && rating_weight <= 1e6))
        return tl_fail(&h->err, TL_E_ARG, "ratingWeight %g is outside 0-1e6", rating_weight);
    if (!(retrieval_weight >= 0 && retrieval_weight <= 1e6))
        return tl_fail(&h->err, TL_E_ARG, "retrievalWeight %g is outside 0-1e6", retrieval_weight);
    h->has_weights = 1;
    h->rating_weight = (float)rating_weight;
    h->retrieval_weight = (float)retrieval_weight;
    return TL_OK;
}

/* The trainer's model as a scorer (scorer.h), checked to predict ratings;
 * NULL with the error on the handle. Free with tl_scorer_free. */
static tl_scorer *rating_model(tlw_trainer *h, const tlw_dataset *ds)
{
    if (!h->tr) {
        tl_fail(&h->err, TL_E_STATE, "the trainer was not set up");
        return NULL;
    }
    if (!ds || ds->ds->n_ratings != h->n_ratings) {
        tl_fail(&h->err, TL_E_ARG, "pass the dataset this trainer was made from");
        return NULL;
    }
    tl_scorer *sc = NULL;
    if (tl_trainer_open(h->tr, ds->ds, &sc, &h->err) != TL_OK) return NULL;
    if (!tl_scorer_predicts_ratings(sc)) {
        tl_fail(&h->err, TL_E_STATE, "this trainer has no rating head (its rating weight is 0)");
        tl_scorer_free(sc);
        return NULL;
    }
    return sc;
}

/* 1 when the trainer trains a rating head. */
EMSCRIPTEN_KEEPALIVE int tlw_trainer_has_rating_head(const tlw_trainer *h)
{
    return h && h->tr ? tl_trainer_predicts_ratings(h->tr) : 0;
}

tl_status tlw_trainer_rating_metrics(tlw_trainer *h, const tlw_dataset *ds, tl_metrics *model, tl_metrics *baseline)
{
    tl_scorer *sc = rating_model(h, ds);
    if (!sc) return h->err.status;
    const tl_split *sp = h->split;
    tl_status st = sp->n_test ? tl_eval_rating_scorer(ds->ds, sp->test, sp->n_test, sc, model, &h->err)
                              : tl_fail(&h->err, TL_E_STATE, "the split has no test rows to score");
    tl_scorer_free(sc);
    if (st != TL_OK || !baseline) return st;
    tl_bias_config bc;
    tl_bias_config_default(&bc);
    return tl_eval_bias_baseline(ds->ds, sp->train, sp->n_train, sp->test, sp->n_test, &bc, baseline, &h->err);
}

/* Protocol C on the split's test rows as a malloc'd JSON string:
 * {"rmse","mae","baseline_rmse","baseline_mae","rows"} (baseline: global
 * mean + regularised user and movie biases fit on the train rows). NULL with
 * the error on the handle. (tlw_trainer_evaluate_json also carries rmse and
 * mae when the trainer has a head.) */
EMSCRIPTEN_KEEPALIVE char *tlw_trainer_rating_json(tlw_trainer *h, const tlw_dataset *ds)
{
    if (!h) return NULL;
    tl_metrics model, base;
    memset(&model, 0, sizeof model);
    memset(&base, 0, sizeof base);
    if (tlw_trainer_rating_metrics(h, ds, &model, &base) != TL_OK) return NULL;
    tl_buf b;
    tl_buf_init(&b);
    tl_buf_puts(&b, "{\"rmse\":");
    tl_buf_json_number(&b, model.rmse);
    tl_buf_puts(&b, ",\"mae\":");
    tl_buf_json_number(&b, model.mae);
    tl_buf_puts(&b, ",\"baseline_rmse\":");
    tl_buf_json_number(&b, base.rmse);
    tl_buf_puts(&b, ",\"baseline_mae\":");
    tl_buf_json_number(&b, base.mae);
    tl_buf_printf(&b, ",\"rows\":%u}", h->split->n_test);
    if (b.failed) {
        tl_buf_free(&b);
        tl_fail(&h->err, TL_E_NOMEM, "out of memory writing rating metrics");
        return NULL;
    }
    return tl_buf_take(&b);
}

/* The predicted rating (clipped to 0.5-5) of raw userId for raw movieId;
 * NaN with the error on the handle (an unknown id is named). `raw_out`, if
 * not 0, receives the head's unclipped output. */
EMSCRIPTEN_KEEPALIVE double tlw_trainer_predict_rating(tlw_trainer *h, const tlw_dataset *ds, double user_id,
                                                       double movie_id, float *raw_out)
{
    if (!h) return NAN;
    if (!(user_id >= 0 && user_id <= 4294967295.0 && user_id == floor(user_id)) ||
        !(movie_id >= 0 && movie_id <= 4294967295.0 && movie_id == floor(movie_id))) {
        tl_fail(&h->err, TL_E_ARG, "user and movie ids must be whole numbers from 0 to 4294967295");
        return NAN;
    }
    uint32_t u, m;
    if (tl_dataset_user_index(ds->ds, (uint32_t)user_id, &u, &h->err) != TL_OK ||
        tl_dataset_movie_index(ds->ds, (uint32_t)movie_id, &m, &h->err) != TL_OK)
        return NAN;
    tl_scorer *sc = rating_model(h, ds);
    if (!sc) return NAN;
    float raw;
    tl_status st = tl_scorer_predict(sc, &u, &m, 1, &raw, &h->err);
    tl_scorer_free(sc);
    if (st != TL_OK) return NAN;
    if (raw_out) *raw_out = raw;
    return tl_rating_clip(raw);
}
