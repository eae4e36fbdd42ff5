/* The rating head (gradients against finite differences of a double
 * reference), Protocol C and the bias baseline on hand-computed cases, the
 * multitask trainer, model files with a head, and the default joint model
 * on the bundled generated data. */
#include <stdint.h>

#include "check.h"
#include "towerlens/eval_rating.h"
#include "towerlens/loader.h"
#include "towerlens/model_type.h"
#include "towerlens/rng.h"
#include "towerlens/store.h"
#include "towerlens/train.h"
#include "train_fixture.h"

/* ---- helpers ------------------------------------------------------------- */

/* ---- the head against a double-precision reference ----------------------- */

typedef struct ref_head {
    uint32_t L, width[TL_HEAD_MAX_HIDDEN + 2];
    double *w[TL_HEAD_MAX_HIDDEN + 1], *b[TL_HEAD_MAX_HIDDEN + 1];
    int biases;
    double mean, *ub, *mb;
} ref_head;

static double *dup_d(const float *x, size_t n)
{
    double *y = malloc((n ? n : 1) * sizeof(double));
    for (size_t i = 0; i < n; i++) y[i] = x[i];
    return y;
}

static void ref_from(ref_head *r, const tl_rating_head *h)
{
    r->L = h->n_layers;
    memcpy(r->width, h->width, sizeof r->width);
    for (uint32_t l = 0; l < h->n_layers; l++) {
        r->w[l] = dup_d(h->w[l], (size_t)h->width[l] * h->width[l + 1]);
        r->b[l] = dup_d(h->b[l], h->width[l + 1]);
    }
    r->biases = h->has_biases;
    r->mean = h->mean;
    r->ub = h->has_biases ? dup_d(h->user_bias, h->n_users + 1) : NULL;
    r->mb = h->has_biases ? dup_d(h->movie_bias, h->n_movies + 1) : NULL;
}

static void ref_free(ref_head *r)
{
    for (uint32_t l = 0; l < r->L; l++) free(r->w[l]), free(r->b[l]);
    free(r->ub), free(r->mb);
}

/* The loss of rating.h, straight from the definition, in double. */
static double ref_loss(const ref_head *r, const tl_head_config *c, const double *U, const double *M,
                       const uint32_t *users, const uint32_t *movies, const float *t, size_t B, size_t d)
{
    double R = c->reduction == TL_RATING_MEAN ? 1.0 / B : 1.0, loss = 0;
    double a[2][512];
    for (size_t i = 0; i < B; i++) {
        for (size_t k = 0; k < d; k++) a[0][k] = U[i * d + k], a[0][d + k] = M[i * d + k];
        int cur = 0;
        for (uint32_t l = 0; l < r->L; l++) {
            uint32_t ni = r->width[l], no = r->width[l + 1];
            for (uint32_t o = 0; o < no; o++) {
                double s = r->b[l][o];
                for (uint32_t k = 0; k < ni; k++) s += a[cur][k] * r->w[l][k * no + o];
                a[1 - cur][o] = (l + 1 < r->L && s < 0) ? 0 : s;
            }
            cur = 1 - cur;
        }
        double p = a[cur][0];
        if (r->biases) p += r->mean + r->ub[users[i]] + r->mb[movies[i]];
        double e = p - t[i], reg = 0;
        if (r->biases) reg += c->l2_biases * (r->ub[users[i]] * r->ub[users[i]] + r->mb[movies[i]] * r->mb[movies[i]]);
        for (size_t k = 0; k < d; k++)
            reg += c->l2_embeddings * (U[i * d + k] * U[i * d + k] + M[i * d + k] * M[i * d + k]);
        loss += R * (e * e + reg);
    }
    for (uint32_t l = 0; l < r->L; l++)
        for (size_t k = 0; k < (size_t)r->width[l] * r->width[l + 1]; k++)
            loss += c->l2_weights * r->w[l][k] * r->w[l][k];
    return loss;
}

static double rel_err(double g, double fd) { return fabs(g - fd) / (fabs(fd) + 1e-3); }

static void gradient_check(const tl_head_config *c, uint32_t dim, float weight, uint64_t seed)
{
    enum { B = 7, NU = 4, NM = 5 };
    const uint32_t users[B] = {0, 1, 2, 0, 3, 1, 0}, movies[B] = {4, 0, 1, 1, 2, 4, 3};
    const float t[B] = {4.5f, 3.0f, 1.0f, 5.0f, 2.5f, 3.5f, 0.5f};
    tl_rating_head *h = NULL;
    tl_error err;
    CHECK_INT(tl_rating_head_new(c, dim, NU, NM, seed, &h, &err), TL_OK);
    if (!h) return;
    /* nonzero biases and output layer, so every path carries gradient */
    for (uint32_t l = 0; l < h->n_layers; l++) fixture_random_floats(h->b[l], h->width[l + 1], seed + 10 + l, 0.3f);
    if (h->has_biases) {
        h->mean = 3.4f;
        fixture_random_floats(h->user_bias, NU + 1, seed + 20, 0.5f);
        fixture_random_floats(h->movie_bias, NM + 1, seed + 21, 0.5f);
    }
    float U[B * 16], M[B * 16], dU[B * 16], dM[B * 16];
    fixture_random_floats(U, B * dim, seed + 30, 1.0f);
    fixture_random_floats(M, B * dim, seed + 31, 1.0f);
    memset(dU, 0, sizeof dU);
    memset(dM, 0, sizeof dM);
    tl_head_ws ws;
    CHECK_INT(tl_head_ws_init(&ws, h, B, &err), TL_OK);
    double sse = 0;
    double loss = tl_rating_head_batch(h, c, &ws, U, M, users, movies, t, B, weight, dU, dM, &sse);

    ref_head r;
    ref_from(&r, h);
    double *Ud = dup_d(U, B * dim), *Md = dup_d(M, B * dim);
    double ref = ref_loss(&r, c, Ud, Md, users, movies, t, B, dim);
    CHECK_NEAR(loss, ref, 1e-5 * fabs(ref) + 1e-6);
    CHECK(sse > 0);

    const double eps = 1e-5;
    double worst = 0;
#define FD(ptr, grad)                                                   \
    do {                                                                \
        double keep_ = *(ptr);                                          \
        *(ptr) = keep_ + eps;                                           \
        double lp_ = ref_loss(&r, c, Ud, Md, users, movies, t, B, dim); \
        *(ptr) = keep_ - eps;                                           \
        double lm_ = ref_loss(&r, c, Ud, Md, users, movies, t, B, dim); \
        *(ptr) = keep_;                                                 \
        double e_ = rel_err((grad), weight * (lp_ - lm_) / (2 * eps));  \
        if (e_ > worst) worst = e_;                                     \
    } while (0)
    /* every dense parameter */
    for (uint32_t l = 0; l < h->n_layers; l++) {
        size_t nw = (size_t)h->width[l] * h->width[l + 1];
        for (size_t k = 0; k < nw; k++) FD(&r.w[l][k], ws.grad_dense[(h->w[l] - h->dense) + k]);
        for (size_t k = 0; k < h->width[l + 1]; k++) FD(&r.b[l][k], ws.grad_dense[(h->b[l] - h->dense) + k]);
    }
    /* the embedding rows */
    for (size_t k = 0; k < B * dim; k++) {
        FD(&Ud[k], dU[k]);
        FD(&Md[k], dM[k]);
    }
    /* the bias tables: per-row gradients summed per user / movie */
    if (h->has_biases) {
        for (uint32_t u = 0; u < NU; u++) {
            double g = 0;
            for (size_t i = 0; i < B; i++) g += users[i] == u ? ws.grad_user_bias[i] : 0;
            FD(&r.ub[u], g);
        }
        for (uint32_t m = 0; m < NM; m++) {
            double g = 0;
            for (size_t i = 0; i < B; i++) g += movies[i] == m ? ws.grad_movie_bias[i] : 0;
            FD(&r.mb[m], g);
        }
    }
#undef FD
    CHECK(worst < 1e-3);
    if (worst >= 1e-3) fprintf(stderr, "  gradient check: worst relative error %g\n", worst);
    free(Ud), free(Md);
    ref_free(&r);
    tl_head_ws_free(&ws);
    tl_rating_head_free(h);
}

static void test_head_gradients(void)
{
    tl_head_config c;
    /* the original's shape, scaled down: two hidden layers, mean reduction */
    tl_head_config_original(&c);
    c.hidden[0] = 9;
    c.hidden[1] = 6;
    gradient_check(&c, 3, 1.0f, 1);
    /* with biases and every penalty, sum reduction, weighted */
    c.biases = 1;
    c.reduction = TL_RATING_SUM;
    c.l2_weights = 0.03f;
    c.l2_biases = 0.2f;
    c.l2_embeddings = 0.05f;
    gradient_check(&c, 4, 0.5f, 2);
    /* one hidden layer wider than a SIMD tile; no hidden layer */
    c.n_hidden = 1;
    c.hidden[0] = 19;
    gradient_check(&c, 5, 2.0f, 3);
    c.n_hidden = 0;
    gradient_check(&c, 2, 1.0f, 4);
}

/* Keras' Dense defaults: kernels uniform within +-sqrt(6 / (fan_in + fan_out)), zero biases. */
static void test_head_init(void)
{
    tl_head_config c;
    tl_head_config_original(&c);
    tl_rating_head *h = NULL;
    tl_error err;
    CHECK_INT(tl_rating_head_new(&c, 64, 10, 20, 7, &h, &err), TL_OK);
    CHECK_INT(h->n_layers, 3);
    CHECK_INT(h->width[0], 128);
    CHECK_INT(h->width[1], 256);
    CHECK_INT(h->width[2], 128);
    CHECK_INT(h->width[3], 1);
    CHECK_INT(h->n_dense, 128 * 256 + 256 + 256 * 128 + 128 + 128 + 1);
    CHECK(h->user_bias == NULL && !h->has_biases);
    double lim0 = sqrt(6.0 / 384), lim2 = sqrt(6.0 / 129), mx = 0, sum = 0;
    for (size_t i = 0; i < 128 * 256; i++) {
        mx = fmax(mx, fabs(h->w[0][i]));
        sum += h->w[0][i];
    }
    CHECK(mx <= lim0 && mx > 0.99 * lim0);
    CHECK(fabs(sum / (128 * 256)) < 0.01 * lim0);
    mx = 0;
    for (size_t i = 0; i < 128; i++) mx = fmax(mx, fabs(h->w[2][i]));
    CHECK(mx <= lim2 && mx > 0.8 * lim2);
    for (size_t i = 0; i < 256; i++) CHECK(h->b[0][i] == 0.0f);
    /* the same seed, the same head; another seed, another */
    tl_rating_head *h2 = NULL, *h3 = NULL;
    CHECK_INT(tl_rating_head_new(&c, 64, 10, 20, 7, &h2, &err), TL_OK);
    CHECK_INT(tl_rating_head_new(&c, 64, 10, 20, 8, &h3, &err), TL_OK);
    CHECK(tl_rating_head_hash(h) == tl_rating_head_hash(h2));
    CHECK(tl_rating_head_hash(h) != tl_rating_head_hash(h3));
    tl_rating_head_free(h), tl_rating_head_free(h2), tl_rating_head_free(h3);

    /* bad settings name themselves */
    c.hidden[1] = 0;
    CHECK_INT(tl_rating_head_new(&c, 64, 10, 20, 7, &h, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "rating head layer 2 has width 0");
    tl_head_config_original(&c);
    c.warm_start = 1;
    CHECK_INT(tl_head_config_check(&c, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "warm start needs its user and movie biases");
    tl_head_config_original(&c);
    c.l2_biases = -1;
    CHECK_INT(tl_head_config_check(&c, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "bias L2 penalty -1");
}

/* ---- Protocol C and the bias baseline ------------------------------------- */

static void test_protocol_c_by_hand(void)
{
    /* ratings 4, 3, 5, 0.5 (half stars 8, 6, 10, 1); predictions 3.5, 3,
     * 6.2 (clipped to 5), -1 (clipped to 0.5): errors 0.5, 0, 0, 0, so
     * RMSE = sqrt(0.25 / 4) = 0.25 and MAE = 0.5 / 4 = 0.125. Row 4 (2.0)
     * is not evaluated. */
    const uint32_t u[5] = {0, 0, 1, 1, 1}, m[5] = {0, 1, 0, 1, 2};
    const uint8_t half[5] = {8, 6, 10, 1, 4};
    tl_dataset *ds = fixture_columns(2, 3, 5, u, m, half);
    const uint32_t rows[4] = {0, 1, 2, 3};
    const float pred[4] = {3.5f, 3.0f, 6.2f, -1.0f};
    tl_metrics out;
    memset(&out, 0, sizeof out);
    tl_error err;
    CHECK_INT(tl_eval_rating(ds, rows, 4, pred, &out, &err), TL_OK);
    CHECK_NEAR(out.rmse, 0.25, 1e-12);
    CHECK_NEAR(out.mae, 0.125, 1e-12);
    CHECK_INT(out.has_rating, 1);
    /* without clipping the errors would be 0.5, 0, 1.2, 1.5 */
    const float pred2[2] = {2.0f, 4.0f}; /* rows 4 (2.0) and 1 (3.0): errors 0 and 1 */
    const uint32_t rows2[2] = {4, 1};
    CHECK_INT(tl_eval_rating(ds, rows2, 2, pred2, &out, &err), TL_OK);
    CHECK_NEAR(out.rmse, sqrt(0.5), 1e-7);
    CHECK_NEAR(out.mae, 0.5, 1e-7);
    /* bad input */
    const float nan_pred[2] = {3.0f, NAN};
    CHECK_INT(tl_eval_rating(ds, rows2, 2, nan_pred, &out, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "prediction for rating row 1 is not a number");
    const uint32_t far[1] = {9};
    CHECK_INT(tl_eval_rating(ds, far, 1, pred, &out, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "test row 9 is outside the dataset's 5 ratings");
    CHECK_INT(tl_eval_rating(ds, rows, 0, pred, &out, &err), TL_E_ARG);
    tl_dataset_free(ds);
}

static void test_bias_baseline_by_hand(void)
{
    /* train: (u0, m0) 4, (u0, m1) 3, (u1, m0) 5; mean 4. One alternation
     * with reg_user = reg_movie = 1:
     *   b_u0 = ((4-4) + (3-4)) / (1+2) = -1/3,  b_u1 = (5-4) / (1+1) = 1/2
     *   b_m0 = ((4-4+1/3) + (5-4-1/2)) / (1+2) = 5/18,  b_m1 = (3-4+1/3) / (1+1) = -1/3
     * test: (u1, m1) predicts 4 + 1/2 - 1/3 = 25/6 against 4.5;
     *       (u2, m2), both unseen, predicts the mean 4 against 2. */
    const uint32_t u[5] = {0, 0, 1, 1, 2}, m[5] = {0, 1, 0, 1, 2};
    const uint8_t half[5] = {8, 6, 10, 9, 4};
    tl_dataset *ds = fixture_columns(3, 3, 5, u, m, half);
    const uint32_t train[3] = {0, 1, 2}, test[2] = {3, 4};
    tl_bias_config c = {1.0f, 1.0f, 1};
    tl_bias_model *b = NULL;
    tl_error err;
    CHECK_INT(tl_bias_fit(ds, train, 3, &c, &b, &err), TL_OK);
    CHECK_NEAR(b->mean, 4.0, 1e-7);
    CHECK_NEAR(b->user[0], -1.0 / 3, 1e-7);
    CHECK_NEAR(b->user[1], 0.5, 1e-7);
    CHECK_NEAR(b->user[2], 0.0, 0);
    CHECK_NEAR(b->movie[0], 5.0 / 18, 1e-7);
    CHECK_NEAR(b->movie[1], -1.0 / 3, 1e-7);
    CHECK_NEAR(b->movie[3], 0.0, 0); /* the out-of-vocabulary row */
    float pred[2];
    tl_bias_predict_rows(b, ds, test, 2, pred);
    CHECK_NEAR(pred[0], 25.0 / 6, 1e-6);
    CHECK_NEAR(pred[1], 4.0, 1e-7);
    tl_bias_free(b);
    tl_metrics out;
    memset(&out, 0, sizeof out);
    CHECK_INT(tl_eval_bias_baseline(ds, train, 3, test, 2, &c, &out, &err), TL_OK);
    double e0 = 25.0 / 6 - 4.5, e1 = 2.0;
    CHECK_NEAR(out.rmse, sqrt((e0 * e0 + e1 * e1) / 2), 1e-6);
    CHECK_NEAR(out.mae, (fabs(e0) + e1) / 2, 1e-6);

    /* converged alternations solve the ridge problem: at the fixed point each
     * bias is its own closed form given the others */
    c.iterations = 200;
    CHECK_INT(tl_bias_fit(ds, train, 3, &c, &b, &err), TL_OK);
    double bu0 = ((4 - 4 - b->movie[0]) + (3 - 4 - b->movie[1])) / 3.0;
    double bm0 = ((4 - 4 - b->user[0]) + (5 - 4 - b->user[1])) / 3.0;
    CHECK_NEAR(b->user[0], bu0, 1e-6);
    CHECK_NEAR(b->movie[0], bm0, 1e-6);
    tl_bias_free(b);
    CHECK_INT(tl_bias_fit(ds, train, 0, &c, &b, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "at least one train row");
    tl_dataset_free(ds);
}

/* ---- the multitask trainer ----------------------------------------------- */

/* The bias baseline (default settings) fitted on sp's train rows, scored on its test rows. */
static tl_metrics bias_baseline_on_test(const tl_dataset *ds, const tl_split *sp)
{
    tl_metrics base;
    memset(&base, 0, sizeof base);
    tl_bias_config bc;
    tl_bias_config_default(&bc);
    tl_error err;
    CHECK_INT(tl_eval_bias_baseline(ds, sp->train, sp->n_train, sp->test, sp->n_test, &bc, &base, &err), TL_OK);
    return base;
}

/* Users and movies in two groups: a rating is high inside a group and low
 * across (plus a per-movie quality and noise), so a model of the
 * interaction beats biases by far. Users watch mostly their own group. */
static tl_dataset *taste_dataset(uint32_t n_users, uint32_t n_movies, uint32_t n, uint64_t seed)
{
    uint32_t *u = malloc(n * sizeof *u), *m = malloc(n * sizeof *m);
    uint8_t *half = malloc(n);
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (uint32_t i = 0; i < n; i++) {
        u[i] = tl_rng_below(&r, n_users);
        m[i] = tl_rng_below(&r, n_movies);
        if (tl_rng_below(&r, 10) < 6 && (m[i] & 1) != (u[i] & 1)) m[i] ^= 1;
        int same = (m[i] & 1) == (u[i] & 1);
        int h = (same ? 8 : 3) + (int)(m[i] % 3) - 1 + (int)tl_rng_below(&r, 3) - 1;
        half[i] = (uint8_t)(h < 1 ? 1 : h > 10 ? 10 : h);
    }
    tl_dataset *ds = fixture_columns(n_users, n_movies, n, u, m, half);
    free(u), free(m), free(half);
    return ds;
}

static double train_rmse(const tl_dataset *ds, const tl_split *sp, tl_train_config *cfg, uint64_t *hash)
{
    tl_trainer *tr = NULL;
    tl_error err;
    tl_train_progress p;
    CHECK_INT(tl_trainer_new(ds, sp, cfg, &tr, &err), TL_OK);
    if (!tr) return 1e9;
    CHECK_INT(tl_trainer_step(tr, 0, 0, &p, &err), TL_OK);
    CHECK(p.done);
    CHECK(p.rating_mse > 0);
    const tl_rating_head *h = tl_trainer_head(tr);
    CHECK(h != NULL);
    uint32_t n_ep;
    const tl_epoch_record *ep = tl_trainer_epochs(tr, &n_ep);
    CHECK(ep[n_ep - 1].rating_mse < ep[0].rating_mse); /* it learns */
    float *pred = malloc(sp->n_test * sizeof(float));
    tl_embeddings emb = tl_model_embeddings(tl_trainer_model(tr));
    tl_metrics m;
    memset(&m, 0, sizeof m);
    CHECK_INT(tl_rating_predict_rows(h, &emb, ds, sp->test, sp->n_test, pred, &err), TL_OK);
    CHECK_INT(tl_eval_rating(ds, sp->test, sp->n_test, pred, &m, &err), TL_OK);
    if (hash) *hash = tl_rating_head_hash(h) ^ tl_model_hash(tl_trainer_model(tr));
    free(pred);
    tl_trainer_free(tr);
    return m.rmse;
}

static void test_trainer_multitask(void)
{
    tl_dataset *ds = taste_dataset(200, 60, 12000, 5);
    tl_split_options so;
    tl_split_options_default(&so);
    so.seed = 3;
    tl_split *sp = NULL;
    tl_error err;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    tl_metrics base = bias_baseline_on_test(ds, sp);
    CHECK(base.rmse > 1.0); /* biases cannot see the groups */

    /* the original's multitask model, rating only and joint */
    tl_train_config cfg;
    CHECK_INT(tl_train_config_preset(&cfg, "tfrs-multitask", &err), TL_OK);
    CHECK_INT(cfg.dim, 64);
    CHECK_INT(cfg.batch_size, 1000);
    CHECK_INT(cfg.epochs, 3);
    CHECK_NEAR(cfg.learning_rate, 0.1, 1e-7);
    CHECK_NEAR(cfg.rating_weight, 1.0, 0);
    CHECK_NEAR(cfg.retrieval_weight, 1.0, 0);
    CHECK_INT(cfg.head.n_hidden, 2);
    CHECK_INT(cfg.head.hidden[0], 256);
    CHECK_INT(cfg.head.hidden[1], 128);
    CHECK_INT(cfg.head.reduction, TL_RATING_MEAN);
    CHECK_INT(cfg.head.biases, 0);
    cfg.dim = 16;
    cfg.batch_size = 100;
    cfg.epochs = 8;
    cfg.head.hidden[0] = 32;
    cfg.head.hidden[1] = 16;
    uint64_t h1 = 0, h2 = 0;
    double joint = train_rmse(ds, sp, &cfg, &h1);
    CHECK(joint < 0.8 * base.rmse);
    CHECK(train_rmse(ds, sp, &cfg, &h2) == joint);
    CHECK(h1 == h2);             /* bit-identical reruns */
    cfg.retrieval_weight = 0.0f; /* rating only */
    double rating_only = train_rmse(ds, sp, &cfg, NULL);
    CHECK(rating_only < 0.8 * base.rmse);
    fprintf(stderr, "  taste data: baseline %.3f, joint %.3f, rating only %.3f\n", base.rmse, joint, rating_only);

    /* --preset default --rating-weight W: the default joint model; other presets only take the weight */
    CHECK_INT(tl_train_config_preset(&cfg, "default", &err), TL_OK);
    CHECK_NEAR(cfg.rating_weight, 0.0, 0);
    tl_train_config_set_rating(&cfg, 2.0f);
    CHECK_NEAR(cfg.rating_weight, 2.0, 0);
    CHECK_NEAR(cfg.retrieval_weight, 1.0, 0);
    CHECK_INT(cfg.batch_size, 256);
    CHECK_INT(cfg.epochs, 5);
    CHECK_INT(cfg.head.n_hidden, 1);
    CHECK_INT(cfg.head.hidden[0], 64);
    CHECK_INT(cfg.head.biases, 1);
    CHECK_INT(cfg.head.reduction, TL_RATING_SUM);
    CHECK_INT(tl_train_config_check(&cfg, &err), TL_OK);
    CHECK_INT(tl_train_config_preset(&cfg, "tfrs-multitask", &err), TL_OK);
    tl_train_config_set_rating(&cfg, 0.5f);
    CHECK_NEAR(cfg.rating_weight, 0.5, 0);
    CHECK_INT(cfg.batch_size, 1000);
    CHECK_INT(cfg.head.hidden[0], 256);

    /* retrieval presets have no head; weights are checked */
    CHECK_INT(tl_train_config_preset(&cfg, "tfrs", &err), TL_OK);
    CHECK_NEAR(cfg.rating_weight, 0.0, 0);
    cfg.dim = 8;
    cfg.batch_size = 256;
    cfg.epochs = 1;
    tl_trainer *tr = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    CHECK(tl_trainer_head(tr) == NULL);
    tl_trainer_free(tr);
    cfg.retrieval_weight = 0.0f;
    CHECK_INT(tl_train_config_check(&cfg, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "both 0");
    cfg.rating_weight = -1.0f;
    CHECK_INT(tl_train_config_check(&cfg, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "rating weight -1");
    tl_split_free(sp);
    tl_dataset_free(ds);
}

/* With a warm start, an untrained head predicts the bias baseline plus its
 * MLP's output: exactly the baseline once the output layer is zeroed. */
static void test_warm_start(void)
{
    tl_dataset *ds = taste_dataset(50, 30, 2000, 9);
    uint32_t rows[2000];
    for (uint32_t i = 0; i < 2000; i++) rows[i] = i;
    tl_head_config c;
    tl_head_config_default(&c);
    CHECK(c.biases && c.warm_start);
    tl_rating_head *h = NULL;
    tl_error err;
    CHECK_INT(tl_rating_head_new(&c, 8, 50, 30, 1, &h, &err), TL_OK);
    CHECK_INT(tl_rating_head_init_biases(h, &c, ds, rows, 1500, &err), TL_OK);
    float *U = malloc(51 * 8 * sizeof(float)), *M = malloc(31 * 8 * sizeof(float));
    fixture_random_floats(U, 51 * 8, 1, 0.05f); /* embeddings as initialised */
    fixture_random_floats(M, 31 * 8, 2, 0.05f);
    tl_embeddings emb = {U, M, 8, 8, 8};
    float head_pred[500], base_pred[500];
    CHECK_INT(tl_rating_predict_rows(h, &emb, ds, rows + 1500, 500, head_pred, &err), TL_OK);
    tl_bias_model *b = NULL;
    CHECK_INT(tl_bias_fit(ds, rows, 1500, &c.baseline, &b, &err), TL_OK);
    tl_bias_predict_rows(b, ds, rows + 1500, 500, base_pred);
    double worst = 0;
    for (int i = 0; i < 500; i++) worst = fmax(worst, fabs(head_pred[i] - base_pred[i]));
    CHECK(worst > 0 && worst < 0.2); /* the fresh MLP adds little */
    uint32_t L = h->n_layers - 1;
    memset(h->w[L], 0, h->width[L] * sizeof(float));
    CHECK_INT(tl_rating_predict_rows(h, &emb, ds, rows + 1500, 500, head_pred, &err), TL_OK);
    CHECK(memcmp(head_pred, base_pred, sizeof head_pred) == 0);
    /* one prediction = the batch's */
    float one = 0;
    CHECK_INT(tl_rating_predict_one(h, &emb, ds->r_user[1700], ds->r_movie[1700], &one, &err), TL_OK);
    CHECK(one == head_pred[200]);
    CHECK_INT(tl_rating_predict_one(h, &emb, 51, 0, &one, &err), TL_E_ARG);
    emb.dim = 4;
    CHECK_INT(tl_rating_predict_one(h, &emb, 1, 0, &one, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "dimension 8, not 4");
    tl_bias_free(b);
    free(U), free(M);
    tl_rating_head_free(h);
    tl_dataset_free(ds);
}

/* ---- model files ---------------------------------------------------------- */

static void test_head_in_model_file(void)
{
    tl_dataset *ds = taste_dataset(40, 20, 800, 4);
    ds->user_ids = malloc(40 * sizeof(uint32_t));
    ds->user_counts = calloc(40, sizeof(uint32_t));
    ds->movies = calloc(20, sizeof(tl_movie));
    ds->strings = calloc(1, 1);
    ds->strings_len = 1;
    for (uint32_t i = 0; i < 40; i++) ds->user_ids[i] = 100 + i;
    for (uint32_t i = 0; i < 20; i++) ds->movies[i].id = 7 * (i + 1), ds->movies[i].in_catalogue = 1;
    for (uint32_t i = 0; i < 800; i++) ds->user_counts[ds->r_user[i]]++, ds->movies[ds->r_movie[i]].n_ratings++;
    ds->n_catalogue = 20;
    tl_head_config c;
    tl_head_config_default(&c);
    tl_rating_head *h = NULL;
    tl_error err;
    CHECK_INT(tl_rating_head_new(&c, 4, 40, 20, 3, &h, &err), TL_OK);
    uint32_t rows[800];
    for (uint32_t i = 0; i < 800; i++) rows[i] = i;
    CHECK_INT(tl_rating_head_init_biases(h, &c, ds, rows, 800, &err), TL_OK);
    fixture_random_floats(h->w[h->n_layers - 1], h->width[h->n_layers - 1], 5, 0.3f); /* a nonzero output layer */
    float U[41 * 4], M[21 * 4];
    fixture_random_floats(U, 41 * 4, 6, 0.5f);
    fixture_random_floats(M, 21 * 4, 7, 0.5f);
    tl_tensor t[2 + TL_HEAD_MAX_TENSORS];
    memset(t, 0, sizeof t);
    strcpy(t[0].name, "users");
    t[0].rows = 41, t[0].cols = 4, t[0].data = U;
    strcpy(t[1].name, "movies");
    t[1].rows = 21, t[1].cols = 4, t[1].data = M;
    uint32_t nt = 2 + tl_rating_head_tensors(h, t + 2);
    CHECK_INT(nt, 2 + 2 * h->n_layers + 3);
    CHECK_STR(t[2].name, "head.w1");
    CHECK_STR(t[nt - 1].name, "head.mean");
    tl_buf buf;
    tl_buf_init(&buf);
    CHECK_INT(tl_store_write(ds, NULL, "{\"rating_head\":{}}", NULL, t, nt, &buf, &err), TL_OK);
    tl_model_file *mf = NULL;
    CHECK_INT(tl_store_read((const uint8_t *)buf.data, buf.len, "m.tlm", &mf, &err), TL_OK);
    tl_rating_head *back = NULL;
    CHECK_INT(tl_rating_head_from_file(mf, &back, &err), TL_OK);
    CHECK(back != NULL);
    if (back) {
        CHECK(tl_rating_head_hash(back) == tl_rating_head_hash(h));
        float a[800], b[800];
        tl_embeddings e1 = {U, M, 4, 4, 4}, e2 = tl_model_file_embeddings(mf);
        CHECK_INT(tl_rating_predict_rows(h, &e1, ds, rows, 800, a, &err), TL_OK);
        CHECK_INT(tl_rating_predict_rows(back, &e2, ds, rows, 800, b, &err), TL_OK);
        CHECK(memcmp(a, b, sizeof a) == 0);
    }
    tl_rating_head_free(back);
    tl_model_file_free(mf);

    /* a retrieval-only file has no head */
    tl_buf_free(&buf);
    tl_buf_init(&buf);
    CHECK_INT(tl_store_write(ds, NULL, NULL, NULL, t, 2, &buf, &err), TL_OK);
    CHECK_INT(tl_store_read((const uint8_t *)buf.data, buf.len, "m.tlm", &mf, &err), TL_OK);
    back = (tl_rating_head *)1;
    CHECK_INT(tl_rating_head_from_file(mf, &back, &err), TL_OK);
    CHECK(back == NULL);
    tl_model_file_free(mf);

    /* shapes that do not chain are damage, named */
    tl_buf_free(&buf);
    tl_buf_init(&buf);
    t[4].cols = 3; /* head.w2 no longer takes head.w1's outputs */
    t[4].rows = 1;
    CHECK_INT(tl_store_write(ds, NULL, NULL, NULL, t, nt, &buf, &err), TL_OK);
    CHECK_INT(tl_store_read((const uint8_t *)buf.data, buf.len, "m.tlm", &mf, &err), TL_OK);
    CHECK_INT(tl_rating_head_from_file(mf, &back, &err), TL_E_CORRUPT);
    CHECK_CONTAINS(err.message, "rating head tensor \"head.w1\" does not chain with the next layer");
    tl_model_file_free(mf);
    tl_buf_free(&buf);
    tl_buf_init(&buf);
    CHECK_INT(tl_store_write(ds, NULL, NULL, NULL, t, nt - 1, &buf, &err), TL_OK); /* no head.mean */
    CHECK_INT(tl_store_read((const uint8_t *)buf.data, buf.len, "m.tlm", &mf, &err), TL_OK);
    CHECK_INT(tl_rating_head_from_file(mf, &back, &err), TL_E_CORRUPT);
    tl_model_file_free(mf);
    tl_buf_free(&buf);
    tl_rating_head_free(h);
    tl_dataset_free(ds);
}

/* ---- the default joint model on the bundled generated data ---------------- */

static void test_default_on_demo_data(void)
{
    const char *src = getenv("TL_SOURCE_DIR");
    char path[1024], probe[1100];
    snprintf(path, sizeof path, "%s/data/demo", src ? src : ".");
    snprintf(probe, sizeof probe, "%s/ratings.csv", path);
    FILE *f = fopen(probe, "r");
    if (!f) {
        printf("SKIP: %s is absent (the bundled generated data)\n", probe);
        return;
    }
    fclose(f);
    const char *paths[1] = {path};
    tl_dataset *ds = NULL;
    tl_split *sp = NULL;
    tl_error err;
    CHECK_INT(tl_load_paths(paths, 1, &ds, &err), TL_OK);
    if (!ds) return;
    tl_split_options so;
    tl_split_options_default(&so);
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    tl_metrics base = bias_baseline_on_test(ds, sp);
    tl_train_config cfg;
    CHECK_INT(tl_train_config_preset(&cfg, "default", &err), TL_OK);
    tl_train_config_set_rating(&cfg, 1.0f);
    CHECK_INT(cfg.head.biases, 1);
    double rmse = train_rmse(ds, sp, &cfg, NULL);
    fprintf(stderr, "  data/demo: default joint model RMSE %.4f, bias baseline %.4f\n", rmse, base.rmse);
    CHECK(rmse < base.rmse);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

int main(void)
{
    test_head_gradients();
    test_head_init();
    test_protocol_c_by_hand();
    test_bias_baseline_by_hand();
    test_warm_start();
    test_trainer_multitask();
    test_head_in_model_file();
    test_default_on_demo_data();
    return check_report("test_rating");
}
