/* Adagrad for the rating head: dense weights in one sweep, the user and
 * movie bias tables sparsely (summed per unique row, like embeddings). */
#include <stdlib.h>
#include <string.h>

#include "towerlens/rating.h"
#include "towerlens/train.h"

tl_status tl_head_opt_init(tl_head_opt *o, const tl_rating_head *h, size_t max_batch, float lr, float initial,
                           float eps, tl_error *err)
{
    memset(o, 0, sizeof *o);
    o->lr = lr;
    o->eps = eps;
    o->max_batch = max_batch;
    o->acc_dense = malloc(h->n_dense * sizeof(float));
    int ok = o->acc_dense != NULL;
    if (ok)
        for (size_t i = 0; i < h->n_dense; i++) o->acc_dense[i] = initial;
    if (h->has_biases) {
        size_t nu = (size_t)h->n_users + 1, nm = (size_t)h->n_movies + 1;
        o->acc_user_bias = malloc(nu * sizeof(float));
        o->acc_movie_bias = malloc(nm * sizeof(float));
        o->sum_user = calloc(nu, sizeof(float));
        o->sum_movie = calloc(nm, sizeof(float));
        o->touched_user = calloc(nu, 1);
        o->touched_movie = calloc(nm, 1);
        o->list = malloc((max_batch ? max_batch : 1) * sizeof(uint32_t));
        ok = ok && o->acc_user_bias && o->acc_movie_bias && o->sum_user && o->sum_movie && o->touched_user &&
             o->touched_movie && o->list;
        if (ok) {
            for (size_t i = 0; i < nu; i++) o->acc_user_bias[i] = initial;
            for (size_t i = 0; i < nm; i++) o->acc_movie_bias[i] = initial;
        }
    }
    if (!ok) {
        tl_head_opt_free(o);
        return tl_fail(err, TL_E_NOMEM, "out of memory for the rating head's optimiser state");
    }
    return TL_OK;
}

void tl_head_opt_free(tl_head_opt *o)
{
    free(o->acc_dense);
    free(o->acc_user_bias);
    free(o->acc_movie_bias);
    free(o->sum_user);
    free(o->sum_movie);
    free(o->touched_user);
    free(o->touched_movie);
    free(o->list);
    memset(o, 0, sizeof *o);
}

size_t tl_head_opt_bytes(const tl_head_opt *o, const tl_rating_head *h)
{
    size_t n = h->n_dense * sizeof(float);
    if (h->has_biases) n += ((size_t)h->n_users + h->n_movies + 2) * (2 * sizeof(float) + 1) + o->max_batch * 4;
    return n;
}

static void apply_bias(float *bias, float *acc, float *sum, uint8_t *touched, uint32_t *list, const uint32_t *rows,
                       const float *grad, size_t B, float lr, float eps)
{
    size_t n = 0;
    for (size_t i = 0; i < B; i++) {
        uint32_t r = rows[i];
        if (!touched[r]) {
            touched[r] = 1;
            list[n++] = r;
        }
        sum[r] += grad[i];
    }
    for (size_t k = 0; k < n; k++) {
        uint32_t r = list[k];
        tl_adagrad_row(bias + r, acc + r, sum + r, 1, lr, eps);
        sum[r] = 0.0f;
        touched[r] = 0;
    }
}

void tl_head_opt_apply(tl_head_opt *o, tl_rating_head *h, const tl_head_ws *ws, const uint32_t *users,
                       const uint32_t *movies, size_t B)
{
    tl_adagrad_row(h->dense, o->acc_dense, ws->grad_dense, h->n_dense, o->lr, o->eps);
    if (!h->has_biases) return;
    apply_bias(h->user_bias, o->acc_user_bias, o->sum_user, o->touched_user, o->list, users, ws->grad_user_bias, B,
               o->lr, o->eps);
    apply_bias(h->movie_bias, o->acc_movie_bias, o->sum_movie, o->touched_movie, o->list, movies, ws->grad_movie_bias,
               B, o->lr, o->eps);
}

tl_status tl_rating_head_init_biases(tl_rating_head *h, const tl_head_config *cfg, const tl_dataset *ds,
                                     const uint32_t *rows, uint32_t n, tl_error *err)
{
    if (!h->has_biases) return TL_OK;
    if (ds->n_users != h->n_users || ds->n_movies != h->n_movies)
        return tl_fail(err, TL_E_ARG, "the rating head's bias tables do not match the dataset's vocabularies");
    tl_bias_config none = cfg->baseline;
    none.iterations = 0; /* the mean only */
    tl_bias_model *b = NULL;
    tl_status st =
        cfg->warm_start ? tl_bias_fit(ds, rows, n, &cfg->baseline, &b, err) : tl_bias_fit(ds, rows, n, &none, &b, err);
    if (st != TL_OK) return st;
    h->mean = b->mean;
    memcpy(h->user_bias, b->user, ((size_t)h->n_users + 1) * sizeof(float));
    memcpy(h->movie_bias, b->movie, ((size_t)h->n_movies + 1) * sizeof(float));
    tl_bias_free(b);
    return TL_OK;
}
