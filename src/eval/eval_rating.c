/* Protocol C (RMSE and MAE of clipped predictions over test rows) and the
 * predictions it scores: the rating head's and the bias baseline's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towerlens/eval_rating.h"

tl_status tl_eval_rating(const tl_dataset *ds, const uint32_t *rows, uint32_t n, const float *pred, tl_metrics *out,
                         tl_error *err)
{
    if (!ds || !out || (n > 0 && (!rows || !pred)))
        return tl_fail(err, TL_E_ARG, "protocol C needs a dataset, rows, predictions and an output");
    if (n == 0) return tl_fail(err, TL_E_ARG, "protocol C needs at least one test row");
    double se = 0.0, ae = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        if (rows[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "protocol C: test row %u is outside the dataset's %u ratings", rows[i],
                           ds->n_ratings);
        if (isnan(pred[i]))
            return tl_fail(err, TL_E_ARG,
                           "protocol C: the prediction for rating row %u is not a number (did training diverge?)",
                           rows[i]);
        double e = (double)tl_rating_clip(pred[i]) - (double)tl_rating_value(ds->r_half[rows[i]]);
        se += e * e;
        ae += fabs(e);
    }
    out->rmse = sqrt(se / n);
    out->mae = ae / n;
    out->has_rating = 1;
    return TL_OK;
}

tl_status tl_eval_bias_baseline(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                                const uint32_t *test_rows, uint32_t n_test, const tl_bias_config *cfg, tl_metrics *out,
                                tl_error *err)
{
    tl_bias_model *b = NULL;
    tl_status st = tl_bias_fit(ds, train_rows, n_train, cfg, &b, err);
    if (st != TL_OK) return st;
    float *pred = malloc((n_test ? n_test : 1) * sizeof(float));
    if (!pred) {
        tl_bias_free(b);
        return tl_fail(err, TL_E_NOMEM, "out of memory for %u baseline predictions", n_test);
    }
    for (uint32_t i = 0; i < n_test; i++)
        if (test_rows[i] >= ds->n_ratings) {
            free(pred);
            tl_bias_free(b);
            return tl_fail(err, TL_E_ARG, "protocol C: test row %u is outside the dataset's %u ratings", test_rows[i],
                           ds->n_ratings);
        }
    tl_bias_predict_rows(b, ds, test_rows, n_test, pred);
    st = tl_eval_rating(ds, test_rows, n_test, pred, out, err);
    free(pred);
    tl_bias_free(b);
    return st;
}

tl_status tl_eval_rating_scorer(const tl_dataset *ds, const uint32_t *rows, uint32_t n, const tl_scorer *sc,
                                tl_metrics *out, tl_error *err)
{
    if (!ds || (n && !rows)) return tl_fail(err, TL_E_ARG, "protocol C: no dataset or rows given");
    uint32_t *users = malloc(((size_t)n + 1) * sizeof *users), *movies = malloc(((size_t)n + 1) * sizeof *movies);
    float *pred = malloc(((size_t)n + 1) * sizeof *pred);
    tl_status st = users && movies && pred ? TL_OK : tl_fail(err, TL_E_NOMEM, "out of memory for %u predictions", n);
    for (uint32_t i = 0; st == TL_OK && i < n; i++) {
        if (rows[i] >= ds->n_ratings)
            st = tl_fail(err, TL_E_ARG, "protocol C: row %u is out of range (%u ratings)", rows[i], ds->n_ratings);
        else users[i] = ds->r_user[rows[i]], movies[i] = ds->r_movie[rows[i]];
    }
    if (st == TL_OK) st = tl_scorer_predict(sc, users, movies, n, pred, err);
    if (st == TL_OK) st = tl_eval_rating(ds, rows, n, pred, out, err);
    free(users);
    free(movies);
    free(pred);
    return st;
}
