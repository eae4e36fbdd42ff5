/* The bias baseline: global mean + ridge-regularised user and movie biases,
 * fit by alternating least squares (each pass is the exact minimiser for
 * one side given the other, as Surprise's BaselineOnly "als"). Sums run in
 * row order in double, so the fit is the same in every build. */
#include <stdlib.h>
#include <string.h>

#include "towerlens/rating.h"

void tl_bias_config_default(tl_bias_config *c)
{
    c->reg_user = TL_BIAS_REG_USER;
    c->reg_movie = TL_BIAS_REG_MOVIE;
    c->iterations = TL_BIAS_ITERATIONS;
}

void tl_bias_free(tl_bias_model *b)
{
    if (!b) return;
    free(b->user);
    free(b->movie);
    free(b);
}

tl_status tl_bias_fit(const tl_dataset *ds, const uint32_t *rows, uint32_t n, const tl_bias_config *cfg,
                      tl_bias_model **out, tl_error *err)
{
    *out = NULL;
    if (!ds || !cfg) return tl_fail(err, TL_E_ARG, "the bias baseline needs a dataset and settings");
    if (n == 0) return tl_fail(err, TL_E_ARG, "the bias baseline needs at least one train row");
    if (!(cfg->reg_user >= 0.0f) || !(cfg->reg_movie >= 0.0f))
        return tl_fail(err, TL_E_ARG, "bias baseline penalties must be >= 0");
    for (uint32_t i = 0; i < n; i++)
        if (rows[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "bias baseline: train row %u is outside the dataset's %u ratings", rows[i],
                           ds->n_ratings);
    tl_bias_model *b = calloc(1, sizeof *b);
    size_t nu = (size_t)ds->n_users + 1, nm = (size_t)ds->n_movies + 1;
    double *sum_u = NULL, *sum_m = NULL;
    uint32_t *cnt_u = NULL, *cnt_m = NULL;
    if (b) {
        b->n_users = ds->n_users;
        b->n_movies = ds->n_movies;
        b->user = calloc(nu, sizeof(float));
        b->movie = calloc(nm, sizeof(float));
        sum_u = malloc(nu * sizeof(double));
        sum_m = malloc(nm * sizeof(double));
        cnt_u = calloc(nu, sizeof(uint32_t));
        cnt_m = calloc(nm, sizeof(uint32_t));
    }
    if (!b || !b->user || !b->movie || !sum_u || !sum_m || !cnt_u || !cnt_m) {
        tl_bias_free(b);
        free(sum_u);
        free(sum_m);
        free(cnt_u);
        free(cnt_m);
        return tl_fail(err, TL_E_NOMEM, "out of memory fitting the bias baseline (%u users, %u movies)", ds->n_users,
                       ds->n_movies);
    }
    double total = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = rows[i];
        total += tl_rating_value(ds->r_half[row]);
        cnt_u[ds->r_user[row]]++;
        cnt_m[ds->r_movie[row]]++;
    }
    double mean = total / n;
    b->mean = (float)mean;
    for (uint32_t it = 0; it < cfg->iterations; it++) {
        memset(sum_u, 0, nu * sizeof(double));
        for (uint32_t i = 0; i < n; i++) {
            uint32_t row = rows[i];
            sum_u[ds->r_user[row]] += tl_rating_value(ds->r_half[row]) - mean - b->movie[ds->r_movie[row]];
        }
        for (size_t u = 0; u + 1 < nu; u++)
            b->user[u] = cnt_u[u] ? (float)(sum_u[u] / ((double)cfg->reg_user + cnt_u[u])) : 0.0f;
        memset(sum_m, 0, nm * sizeof(double));
        for (uint32_t i = 0; i < n; i++) {
            uint32_t row = rows[i];
            sum_m[ds->r_movie[row]] += tl_rating_value(ds->r_half[row]) - mean - b->user[ds->r_user[row]];
        }
        for (size_t m = 0; m + 1 < nm; m++)
            b->movie[m] = cnt_m[m] ? (float)(sum_m[m] / ((double)cfg->reg_movie + cnt_m[m])) : 0.0f;
    }
    free(sum_u);
    free(sum_m);
    free(cnt_u);
    free(cnt_m);
    *out = b;
    return TL_OK;
}

void tl_bias_predict_rows(const tl_bias_model *b, const tl_dataset *ds, const uint32_t *rows, uint32_t n, float *pred)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = rows[i], u = ds->r_user[row], m = ds->r_movie[row];
        float bu = u < b->n_users ? b->user[u] : 0.0f, bm = m < b->n_movies ? b->movie[m] : 0.0f;
        pred[i] = b->mean + (bu + bm);
    }
}
