/* The rating head: an MLP over [u, m] (+ optional biases), its forward and
 * backward passes over a batch. Matrix products go through the packed
 * GEMMs of kernels.h:
 *   forward   A_l = relu(A_{l-1} W_l + b_l)        tl_gemm_ab
 *   backward  dW_l += A_{l-1}^T D_l                 tl_gemm_atb_acc
 *             D_{l-1} = (D_l W_l^T) * relu'(A_{l-1}) tl_gemm_abt (W_l packed)
 * The output layer (one column) uses tl_gemv and plain loops. With a pool
 * in the workspace the three GEMMs split their outputs over its threads
 * (gemm_pool.h: the same bits). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/gemm_pool.h"
#include "towerlens/buf.h"
#include "towerlens/kernels.h"
#include "towerlens/rating.h"
#include "towerlens/rng.h"

void tl_head_config_original(tl_head_config *c)
{
    memset(c, 0, sizeof *c);
    c->n_hidden = 2;
    c->hidden[0] = 256;
    c->hidden[1] = 128;
    c->biases = 0;
    c->warm_start = 0;
    c->reduction = TL_RATING_MEAN;
    c->learning_rate = 0.0f;
    c->adagrad_initial = -1.0f;
    tl_bias_config_default(&c->baseline);
}

void tl_head_config_default(tl_head_config *c)
{
    /* chosen on the validation split (docs/rating.md): one hidden layer of
     * 64, biases started at the bias baseline, squared error summed over the
     * batch (the scale of the retrieval loss), L2 on the embeddings through
     * the rating loss, a head learning rate of 0.003 */
    tl_head_config_original(c);
    c->n_hidden = 1;
    c->hidden[0] = 64;
    c->hidden[1] = 0;
    c->biases = 1;
    c->warm_start = 1;
    c->reduction = TL_RATING_SUM;
    c->l2_weights = 0.0f;
    c->l2_biases = 0.05f;
    c->l2_embeddings = 0.1f;
    c->learning_rate = 0.003f;
}

static void json_float(tl_buf *b, const char *key, float v) { tl_buf_printf(b, ",\"%s\":%.7g", key, (double)v); }

void tl_head_config_json(const tl_head_config *c, float trainer_lr, float trainer_adagrad_initial, tl_buf *b)
{
    tl_buf_puts(b, "{\"type\":\"mlp\",\"input\":\"concat(user,movie)\",\"hidden\":[");
    for (uint32_t l = 0; l < c->n_hidden; l++) tl_buf_printf(b, "%s%u", l ? "," : "", c->hidden[l]);
    tl_buf_printf(b,
                  "],\"activation\":\"relu\",\"biases\":%s,\"warm_start\":%s,\"loss\":\"squared_error\","
                  "\"reduction\":\"%s\"",
                  c->biases ? "true" : "false", c->warm_start ? "true" : "false",
                  c->reduction == TL_RATING_SUM ? "sum" : "mean");
    json_float(b, "l2_weights", c->l2_weights);
    json_float(b, "l2_biases", c->l2_biases);
    json_float(b, "l2_embeddings", c->l2_embeddings);
    json_float(b, "learning_rate", c->learning_rate > 0.0f ? c->learning_rate : trainer_lr);
    json_float(b, "adagrad_initial", c->adagrad_initial >= 0.0f ? c->adagrad_initial : trainer_adagrad_initial);
    tl_buf_puts(b, ",\"clip\":[0.5,5]}");
}

tl_status tl_head_config_check(const tl_head_config *c, tl_error *err)
{
    if (c->n_hidden > TL_HEAD_MAX_HIDDEN)
        return tl_fail(err, TL_E_ARG, "the rating head has %u hidden layers; at most %d are supported", c->n_hidden,
                       TL_HEAD_MAX_HIDDEN);
    for (uint32_t l = 0; l < c->n_hidden; l++)
        if (c->hidden[l] < 1 || c->hidden[l] > TL_HEAD_MAX_WIDTH)
            return tl_fail(err, TL_E_ARG, "rating head layer %u has width %u, outside 1-%d", l + 1, c->hidden[l],
                           TL_HEAD_MAX_WIDTH);
    if (c->warm_start && !c->biases)
        return tl_fail(err, TL_E_ARG, "the rating head's warm start needs its user and movie biases");
    if (c->reduction != TL_RATING_MEAN && c->reduction != TL_RATING_SUM)
        return tl_fail(err, TL_E_ARG, "unknown rating loss reduction %d", (int)c->reduction);
    const float l2[3] = {c->l2_weights, c->l2_biases, c->l2_embeddings};
    const char *names[3] = {"weight", "bias", "embedding"};
    for (int i = 0; i < 3; i++)
        if (!(l2[i] >= 0.0f && l2[i] <= 1e6f))
            return tl_fail(err, TL_E_ARG, "rating head %s L2 penalty %g is outside 0-1e6", names[i], (double)l2[i]);
    if (!(c->learning_rate >= 0.0f && c->learning_rate <= 100.0f))
        return tl_fail(err, TL_E_ARG, "rating head learning rate %g is outside 0-100 (0 = the trainer's)",
                       (double)c->learning_rate);
    if (!(c->adagrad_initial <= 1e6f) || isnan(c->adagrad_initial))
        return tl_fail(err, TL_E_ARG, "rating head Adagrad initial accumulator %g is not a number below 1e6",
                       (double)c->adagrad_initial);
    if (!(c->baseline.reg_user >= 0.0f && c->baseline.reg_user <= 1e6f) ||
        !(c->baseline.reg_movie >= 0.0f && c->baseline.reg_movie <= 1e6f))
        return tl_fail(err, TL_E_ARG, "bias baseline penalties %g / %g must be within 0-1e6",
                       (double)c->baseline.reg_user, (double)c->baseline.reg_movie);
    if (c->baseline.iterations < 1 || c->baseline.iterations > 1000)
        return tl_fail(err, TL_E_ARG, "bias baseline iterations %u are outside 1-1000", c->baseline.iterations);
    return TL_OK;
}

void tl_rating_head_free(tl_rating_head *h)
{
    if (!h) return;
    free(h->dense);
    free(h->user_bias);
    free(h->movie_bias);
    free(h);
}

/* Allocates the shape given in h->width / n_layers (zeroed). */
static tl_status head_alloc(tl_rating_head *h, int biases, tl_error *err)
{
    size_t n = 0;
    for (uint32_t l = 0; l < h->n_layers; l++) n += (size_t)h->width[l] * h->width[l + 1] + h->width[l + 1];
    h->n_dense = n;
    h->dense = calloc(n, sizeof(float));
    h->has_biases = biases;
    if (biases) {
        h->user_bias = calloc((size_t)h->n_users + 1, sizeof(float));
        h->movie_bias = calloc((size_t)h->n_movies + 1, sizeof(float));
    }
    if (!h->dense || (biases && (!h->user_bias || !h->movie_bias)))
        return tl_fail(err, TL_E_NOMEM, "out of memory for the rating head (%zu weights)", n);
    float *p = h->dense;
    for (uint32_t l = 0; l < h->n_layers; l++) {
        h->w[l] = p;
        p += (size_t)h->width[l] * h->width[l + 1];
        h->b[l] = p;
        p += h->width[l + 1];
    }
    return TL_OK;
}

tl_status tl_rating_head_new(const tl_head_config *cfg, uint32_t dim, uint32_t n_users, uint32_t n_movies,
                             uint64_t seed, tl_rating_head **out, tl_error *err)
{
    *out = NULL;
    tl_status st = tl_head_config_check(cfg, err);
    if (st != TL_OK) return st;
    if (dim < 1 || dim > 1024) return tl_fail(err, TL_E_ARG, "rating head input dimension %u is outside 1-1024", dim);
    if (n_users >= UINT32_MAX || n_movies >= UINT32_MAX)
        return tl_fail(err, TL_E_LIMIT, "too many users or movies for the rating head's bias tables");
    tl_rating_head *h = calloc(1, sizeof *h);
    if (!h) return tl_fail(err, TL_E_NOMEM, "out of memory for the rating head");
    h->dim = dim;
    h->n_users = n_users;
    h->n_movies = n_movies;
    h->n_layers = cfg->n_hidden + 1;
    h->width[0] = 2 * dim;
    for (uint32_t l = 0; l < cfg->n_hidden; l++) h->width[l + 1] = cfg->hidden[l];
    h->width[h->n_layers] = 1;
    st = head_alloc(h, cfg->biases, err);
    if (st != TL_OK) {
        tl_rating_head_free(h);
        return st;
    }
    /* Keras Dense defaults: glorot_uniform kernel, zero bias */
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (uint32_t l = 0; l < h->n_layers; l++) {
        float limit = sqrtf(6.0f / (float)(h->width[l] + h->width[l + 1]));
        size_t n = (size_t)h->width[l] * h->width[l + 1];
        for (size_t i = 0; i < n; i++) h->w[l][i] = tl_rng_uniform(&r, -limit, limit);
    }
    *out = h;
    return TL_OK;
}

uint64_t tl_rating_head_hash(const tl_rating_head *h)
{
    uint64_t x = TL_FNV_OFFSET;
    x = tl_fnv1a64_u32(x, h->n_layers);
    for (uint32_t l = 0; l <= h->n_layers; l++) x = tl_fnv1a64_u32(x, h->width[l]);
    x = tl_fnv1a64_floats(x, h->dense, h->n_dense);
    if (h->has_biases) {
        x = tl_fnv1a64_floats(x, &h->mean, 1);
        x = tl_fnv1a64_floats(x, h->user_bias, (size_t)h->n_users + 1);
        x = tl_fnv1a64_floats(x, h->movie_bias, (size_t)h->n_movies + 1);
    }
    return x;
}

/* ---- workspace ------------------------------------------------------------ */

static uint32_t widest(const tl_rating_head *h)
{
    uint32_t w = 0;
    for (uint32_t l = 0; l <= h->n_layers; l++) w = h->width[l] > w ? h->width[l] : w;
    return w;
}

static size_t packed_floats(const tl_rating_head *h)
{
    size_t n = 0;
    for (uint32_t l = 0; l < h->n_layers; l++) {
        size_t p = tl_panel_floats(h->width[l], h->width[l + 1]);
        n = p > n ? p : n;
    }
    return n;
}

tl_status tl_head_ws_init(tl_head_ws *ws, const tl_rating_head *h, size_t max_batch, tl_error *err)
{
    memset(ws, 0, sizeof *ws);
    if (max_batch == 0) return tl_fail(err, TL_E_ARG, "the rating head workspace needs a batch size above 0");
    size_t wmax = widest(h);
    if (max_batch > SIZE_MAX / sizeof(float) / wmax / 4)
        return tl_fail(err, TL_E_LIMIT, "batch %zu is too large for the rating head's buffers", max_batch);
    ws->max_batch = max_batch;
    int ok = 1;
    ws->x = malloc(max_batch * h->width[0] * sizeof(float));
    ok &= ws->x != NULL;
    for (uint32_t l = 0; l + 1 < h->n_layers; l++) {
        ws->act[l] = malloc(max_batch * h->width[l + 1] * sizeof(float));
        ok &= ws->act[l] != NULL;
    }
    ws->pred = malloc(max_batch * sizeof(float));
    ws->delta_a = malloc(max_batch * wmax * sizeof(float));
    ws->delta_b = malloc(max_batch * wmax * sizeof(float));
    ws->packed = malloc(packed_floats(h) * sizeof(float));
    ws->grad_dense = malloc(h->n_dense * sizeof(float));
    ok &= ws->pred && ws->delta_a && ws->delta_b && ws->packed && ws->grad_dense;
    if (h->has_biases) {
        ws->grad_user_bias = malloc(max_batch * sizeof(float));
        ws->grad_movie_bias = malloc(max_batch * sizeof(float));
        ok &= ws->grad_user_bias && ws->grad_movie_bias;
    }
    if (!ok) {
        tl_head_ws_free(ws);
        return tl_fail(err, TL_E_NOMEM, "out of memory for the rating head's buffers (batch %zu)", max_batch);
    }
    return TL_OK;
}

void tl_head_ws_free(tl_head_ws *ws)
{
    free(ws->x);
    for (int l = 0; l < TL_HEAD_MAX_HIDDEN + 1; l++) free(ws->act[l]);
    free(ws->pred);
    free(ws->delta_a);
    free(ws->delta_b);
    free(ws->packed);
    free(ws->grad_dense);
    free(ws->grad_user_bias);
    free(ws->grad_movie_bias);
    memset(ws, 0, sizeof *ws);
}

size_t tl_head_ws_bytes(const tl_head_ws *ws, const tl_rating_head *h)
{
    size_t n = ws->max_batch * ((size_t)h->width[0] + 1 + 2 * (size_t)widest(h));
    for (uint32_t l = 0; l + 1 < h->n_layers; l++) n += ws->max_batch * h->width[l + 1];
    n += packed_floats(h) + h->n_dense;
    if (h->has_biases) n += 2 * ws->max_batch;
    return n * sizeof(float);
}

/* ---- forward ------------------------------------------------------------- */

void tl_rating_head_forward(const tl_rating_head *h, tl_head_ws *ws, const float *U, const float *M,
                            const uint32_t *users, const uint32_t *movies, size_t B, float *pred)
{
    size_t d = h->dim, in = h->width[0];
    for (size_t i = 0; i < B; i++) {
        memcpy(ws->x + i * in, U + i * d, d * sizeof(float));
        memcpy(ws->x + i * in + d, M + i * d, d * sizeof(float));
    }
    const float *a = ws->x;
    uint32_t L = h->n_layers - 1; /* the output layer */
    for (uint32_t l = 0; l < L; l++) {
        size_t n_in = h->width[l], n_out = h->width[l + 1];
        float *o = ws->act[l];
        tl__gemm_ab_pool(ws->pool, a, B, n_in, h->w[l], n_in, n_out, n_out, o, n_out);
        const float *bias = h->b[l];
        for (size_t i = 0; i < B; i++) {
            float *row = o + i * n_out;
            for (size_t c = 0; c < n_out; c++) {
                float v = row[c] + bias[c];
                row[c] = v > 0.0f ? v : 0.0f;
            }
        }
        a = o;
    }
    tl_gemv(a, B, h->width[L], h->w[L], h->width[L], pred);
    float b_out = h->b[L][0];
    for (size_t i = 0; i < B; i++) {
        float p = pred[i] + b_out;
        if (h->has_biases) p = p + (h->mean + (h->user_bias[users[i]] + h->movie_bias[movies[i]]));
        pred[i] = p;
    }
}

/* ---- backward ------------------------------------------------------------ */

static double sum_squares(const float *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
    return s;
}

double tl_rating_head_batch(const tl_rating_head *h, const tl_head_config *cfg, tl_head_ws *ws, const float *U,
                            const float *M, const uint32_t *users, const uint32_t *movies, const float *r, size_t B,
                            float weight, float *dU, float *dM, double *sse_out)
{
    float *pred = ws->pred;
    tl_rating_head_forward(h, ws, U, M, users, movies, B, pred);
    float R = cfg->reduction == TL_RATING_MEAN ? 1.0f / (float)B : 1.0f;
    size_t d = h->dim;
    uint32_t L = h->n_layers - 1;

    /* g_i = weight * dL/dpred_i, kept in delta_b (one column) */
    float *g = ws->delta_b;
    double sse = 0.0, reg = 0.0;
    float gscale = weight * 2.0f * R;
    for (size_t i = 0; i < B; i++) {
        float e = pred[i] - r[i];
        sse += (double)e * (double)e;
        g[i] = gscale * e;
    }

    /* the biases (before g's buffer is reused below) */
    if (h->has_biases) {
        float gbias = weight * 2.0f * R * cfg->l2_biases;
        double s = 0.0;
        for (size_t i = 0; i < B; i++) {
            float bu = h->user_bias[users[i]], bm = h->movie_bias[movies[i]];
            ws->grad_user_bias[i] = g[i] + gbias * bu;
            ws->grad_movie_bias[i] = g[i] + gbias * bm;
            s += (double)bu * bu + (double)bm * bm;
        }
        reg += (double)R * cfg->l2_biases * s;
    }

    memset(ws->grad_dense, 0, h->n_dense * sizeof(float));
    /* output layer: dW_L = A^T g, db_L = sum g, D = g w_L^T (masked) */
    const float *a_top = L ? ws->act[L - 1] : ws->x;
    size_t n_top = h->width[L];
    float *gw = ws->grad_dense + (h->w[L] - h->dense), *gb = ws->grad_dense + (h->b[L] - h->dense);
    tl_gemm_atb_acc(a_top, B, n_top, n_top, g, 1, 1, gw, 1);
    float gsum = 0.0f;
    for (size_t i = 0; i < B; i++) gsum += g[i];
    gb[0] = gsum;
    float *D = ws->delta_a, *Dn = ws->delta_b;
    for (size_t i = 0; i < B; i++) {
        float gi = g[i];
        float *row = D + i * n_top;
        const float *arow = a_top + i * n_top;
        for (size_t k = 0; k < n_top; k++) {
            float v = gi * h->w[L][k];
            row[k] = (L == 0 || arow[k] > 0.0f) ? v : 0.0f;
        }
    }
    /* hidden layers, top down; D holds dL/d(pre-activation) of layer l */
    for (uint32_t l = L; l-- > 0;) {
        size_t n_in = h->width[l], n_out = h->width[l + 1];
        const float *a_in = l ? ws->act[l - 1] : ws->x;
        gw = ws->grad_dense + (h->w[l] - h->dense);
        gb = ws->grad_dense + (h->b[l] - h->dense);
        tl__gemm_atb_acc_pool(ws->pool, a_in, B, n_in, n_in, D, n_out, n_out, gw, n_out);
        for (size_t i = 0; i < B; i++) {
            const float *row = D + i * n_out;
            for (size_t c = 0; c < n_out; c++) gb[c] += row[c];
        }
        tl_pack_panels(h->w[l], n_in, n_out, n_out, ws->packed);
        tl__gemm_abt_pool(ws->pool, D, B, n_out, ws->packed, n_in, n_out, Dn, n_in);
        if (l > 0)
            for (size_t i = 0; i < B; i++) {
                float *row = Dn + i * n_in;
                const float *arow = a_in + i * n_in;
                for (size_t k = 0; k < n_in; k++) row[k] = arow[k] > 0.0f ? row[k] : 0.0f;
            }
        float *t = D;
        D = Dn;
        Dn = t;
    }
    /* D = dL/dx: split into the user and movie halves, plus the penalties */
    float ge = weight * 2.0f * R * cfg->l2_embeddings;
    for (size_t i = 0; i < B; i++) {
        const float *row = D + i * 2 * d, *u = U + i * d, *m = M + i * d;
        if (dU) {
            float *du = dU + i * d;
            for (size_t k = 0; k < d; k++) du[k] += row[k] + ge * u[k];
        }
        if (dM) {
            float *dm = dM + i * d;
            for (size_t k = 0; k < d; k++) dm[k] += row[d + k] + ge * m[k];
        }
    }
    if (cfg->l2_embeddings > 0.0f) {
        double s = 0.0;
        for (size_t i = 0; i < B; i++) s += sum_squares(U + i * d, d) + sum_squares(M + i * d, d);
        reg += (double)R * cfg->l2_embeddings * s;
    }
    if (cfg->l2_weights > 0.0f) {
        float gwt = weight * 2.0f * cfg->l2_weights;
        for (uint32_t l = 0; l < h->n_layers; l++) {
            size_t n = (size_t)h->width[l] * h->width[l + 1];
            float *gwl = ws->grad_dense + (h->w[l] - h->dense);
            for (size_t i = 0; i < n; i++) gwl[i] += gwt * h->w[l][i];
            reg += (double)cfg->l2_weights * sum_squares(h->w[l], n);
        }
    }
    if (sse_out) *sse_out = sse;
    return (double)R * sse + reg;
}
