#include <stdint.h>

#include "base/gemm_pool.h"
#include "check.h"
#include "towerlens/kernels.h"
#include "towerlens/loader.h"
#include "towerlens/rng.h"
#include "towerlens/train.h"
#include "train_fixture.h"

/* ---- helpers ------------------------------------------------------------- */

/* Users prefer the movies of their group: something a model can learn. */
static tl_dataset *structured_dataset(uint32_t n_users, uint32_t n_movies, uint32_t n, uint64_t seed)
{
    uint32_t *u = malloc(n * sizeof *u), *m = malloc(n * sizeof *m);
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (uint32_t i = 0; i < n; i++) {
        u[i] = tl_rng_below(&r, n_users);
        uint32_t group = u[i] % 5, per_group = n_movies / 5;
        m[i] = group * per_group + tl_rng_below(&r, per_group);
    }
    tl_dataset *ds = fixture_columns(n_users, n_movies, n, u, m, NULL);
    free(u);
    free(m);
    return ds;
}

/* The loss in double precision, straight from the definition:
 * sum_i [log sum_j exp(u_i . m_j) - u_i . m_i], with its gradients. */
static double ref_loss(const double *U, const double *M, size_t B, size_t d, double *dU, double *dM)
{
    double loss = 0;
    double *logit = malloc(B * sizeof(double));
    if (dU) memset(dU, 0, B * d * sizeof(double));
    if (dM) memset(dM, 0, B * d * sizeof(double));
    for (size_t i = 0; i < B; i++) {
        double mx = -1e300, sum = 0;
        for (size_t j = 0; j < B; j++) {
            logit[j] = 0;
            for (size_t k = 0; k < d; k++) logit[j] += U[i * d + k] * M[j * d + k];
            if (logit[j] > mx) mx = logit[j];
        }
        for (size_t j = 0; j < B; j++) sum += exp(logit[j] - mx);
        loss += mx + log(sum) - logit[i];
        for (size_t j = 0; j < B; j++) {
            double g = exp(logit[j] - mx) / sum - (i == j ? 1.0 : 0.0);
            for (size_t k = 0; k < d; k++) {
                if (dU) dU[i * d + k] += g * M[j * d + k];
                if (dM) dM[j * d + k] += g * U[i * d + k];
            }
        }
    }
    free(logit);
    return loss;
}

static double *to_double(const float *x, size_t n)
{
    double *y = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) y[i] = x[i];
    return y;
}

/* ---- the loss ------------------------------------------------------------ */

static void test_loss_by_hand(void)
{
    /* B = 2, d = 2 small enough to write out:
     * u0 = (1, 0), u1 = (0, 2); m0 = (1, 1), m1 = (0.5, -1)
     * logits = [[1, 0.5], [2, -2]]
     * row 0: log(e^1 + e^0.5) - 1; row 1: log(e^2 + e^-2) - (-2) */
    float U[4] = {1, 0, 0, 2}, M[4] = {1, 1, 0.5f, -1}, dU[4], dM[4];
    tl_softmax_ws ws;
    tl_error err;
    CHECK_INT(tl_softmax_ws_init(&ws, 2, 2, 0, &err), TL_OK);
    double loss = tl_softmax_batch(&ws, U, M, 2, dU, dM);
    double expect = (log(exp(1.0) + exp(0.5)) - 1.0) + (log(exp(2.0) + exp(-2.0)) + 2.0);
    CHECK_NEAR(loss, expect, 1e-6 * expect);
    /* dU_0 = p00 m0 + p01 m1 - m0, p0 = softmax(1, 0.5) */
    double p00 = exp(1.0) / (exp(1.0) + exp(0.5)), p01 = 1 - p00;
    CHECK_NEAR(dU[0], p00 * 1 + p01 * 0.5 - 1, 1e-6);
    CHECK_NEAR(dU[1], p00 * 1 + p01 * -1 - 1, 1e-6);
    /* dM_1 = p01 u0 + p11 u1 - u1, p1 = softmax(2, -2) */
    double p11 = exp(-2.0) / (exp(2.0) + exp(-2.0));
    CHECK_NEAR(dM[2], p01 * 1 + p11 * 0 - 0, 1e-6);
    CHECK_NEAR(dM[3], p01 * 0 + p11 * 2 - 2, 1e-6);
    tl_softmax_ws_free(&ws);
}

static void test_loss_vs_reference(size_t B, size_t d, float range)
{
    float *U = malloc(B * d * sizeof(float)), *M = malloc(B * d * sizeof(float));
    float *dU = malloc(B * d * sizeof(float)), *dM = malloc(B * d * sizeof(float));
    fixture_random_floats(U, B * d, 11 + B, range);
    fixture_random_floats(M, B * d, 12 + d, range);
    tl_softmax_ws ws;
    tl_error err;
    CHECK_INT(tl_softmax_ws_init(&ws, B, d, 3, &err), TL_OK);
    double loss = tl_softmax_batch(&ws, U, M, B, dU, dM);
    double *Ud = to_double(U, B * d), *Md = to_double(M, B * d);
    double *rdU = malloc(B * d * sizeof(double)), *rdM = malloc(B * d * sizeof(double));
    double ref = ref_loss(Ud, Md, B, d, rdU, rdM);
    CHECK_NEAR(loss, ref, 1e-5 * ref);
    double gmax = 0, diff = 0;
    for (size_t i = 0; i < B * d; i++) {
        gmax = fmax(gmax, fmax(fabs(rdU[i]), fabs(rdM[i])));
        diff = fmax(diff, fmax(fabs(dU[i] - rdU[i]), fabs(dM[i] - rdM[i])));
    }
    CHECK(diff <= 1e-5 * gmax);
    if (diff > 1e-5 * gmax) fprintf(stderr, "  B=%zu d=%zu: gradient diff %g of %g\n", B, d, diff, gmax);

    /* finite differences of the double loss around the float point */
    double h = 1e-4, worst = 0;
    for (size_t t = 0; t < 12; t++) {
        size_t idx = (t * 7919) % (B * d);
        for (int which = 0; which < 2; which++) {
            double *X = which ? Md : Ud;
            double keep = X[idx];
            X[idx] = keep + h;
            double lp = ref_loss(Ud, Md, B, d, NULL, NULL);
            X[idx] = keep - h;
            double lm = ref_loss(Ud, Md, B, d, NULL, NULL);
            X[idx] = keep;
            double fd = (lp - lm) / (2 * h), g = which ? dM[idx] : dU[idx];
            worst = fmax(worst, fabs(fd - g) / (fabs(fd) + 1e-3));
        }
    }
    CHECK(worst < 1e-3);
    if (worst >= 1e-3) fprintf(stderr, "  B=%zu d=%zu: finite differences off by %g\n", B, d, worst);
    free(U), free(M), free(dU), free(dM), free(Ud), free(Md), free(rdU), free(rdM);
    tl_softmax_ws_free(&ws);
}

/* the block size must never change a bit of the result */
/* Random U and M of a batch, and two sets of gradients to compare. */
typedef struct grads_case {
    size_t B, d;
    float *U, *M, *dU0, *dM0, *dU1, *dM1;
} grads_case;

static grads_case grads_case_new(size_t B, size_t d, uint64_t seed, float range)
{
    size_t n = B * d * sizeof(float);
    grads_case c = {B, d, malloc(n), malloc(n), malloc(n), malloc(n), malloc(n), malloc(n)};
    fixture_random_floats(c.U, B * d, seed, range);
    fixture_random_floats(c.M, B * d, seed + 1, range);
    return c;
}

static int grads_equal(const grads_case *c)
{
    size_t n = c->B * c->d * sizeof(float);
    return memcmp(c->dU0, c->dU1, n) == 0 && memcmp(c->dM0, c->dM1, n) == 0;
}

static void grads_case_free(grads_case *c)
{
    free(c->U), free(c->M), free(c->dU0), free(c->dM0), free(c->dU1), free(c->dM1);
}

static void test_block_invariance(void)
{
    grads_case c = grads_case_new(77, 12, 5, 1.0f);
    tl_softmax_ws ws;
    tl_error err;
    CHECK_INT(tl_softmax_ws_init(&ws, c.B, c.d, 1, &err), TL_OK);
    double l0 = tl_softmax_batch(&ws, c.U, c.M, c.B, c.dU0, c.dM0);
    tl_softmax_ws_free(&ws);
    static const size_t blocks[] = {3, 8, 32, 77, 500};
    for (size_t b = 0; b < 5; b++) {
        CHECK_INT(tl_softmax_ws_init(&ws, c.B, c.d, blocks[b], &err), TL_OK);
        double l1 = tl_softmax_batch(&ws, c.U, c.M, c.B, c.dU1, c.dM1);
        CHECK(l0 == l1);
        CHECK(grads_equal(&c));
        tl_softmax_ws_free(&ws);
    }
    grads_case_free(&c);
}

/* Groups of stripes on a pool of 1, 2 or 3 threads give the serial loss
 * (one tl_softmax_rows per block, blocks cut at stripe ends: the
 * trainer's one-thread step) and the serial dU and dM (tl_softmax_batch)
 * bit for bit, at shapes with ragged blocks, stripes, groups and dM ranges. */
static void test_group_matches_serial(size_t B, size_t d, size_t block)
{
    grads_case c = grads_case_new(B, d, 11, 1.5f);
    tl_softmax_ws ws;
    tl_error err;
    CHECK_INT(tl_softmax_ws_init(&ws, B, d, block, &err), TL_OK);
    tl_softmax_batch(&ws, c.U, c.M, B, c.dU0, c.dM0);
    double l0 = 0.0;
    size_t stripe = tl_softmax_stripe_rows(B);
    tl_softmax_begin(&ws, c.M, B, c.dM1);
    for (size_t r0 = 0; r0 < B;) {
        size_t cut = (r0 / stripe + 1) * stripe, r = block;
        if (r > cut - r0) r = cut - r0;
        if (r > B - r0) r = B - r0;
        l0 += tl_softmax_rows(&ws, c.U, c.M, B, r0, r, c.dU1, c.dM1);
        r0 += r;
    }
    tl_softmax_end(&ws, c.U, B, c.dM1);
    CHECK(grads_equal(&c)); /* the rows in blocks give the batch's gradients */
    tl_softmax_ws_free(&ws);
    static const uint32_t threads[] = {1, 2, 3};
    static const size_t groups[] = {1, 2, 5};
    for (size_t t = 0; t < 3; t++)
        for (size_t g = 0; g < 3; g++) {
            tl_pool *pool = NULL;
            CHECK_INT(tl_pool_new(threads[t], &pool, &err), TL_OK);
            CHECK_INT(tl_softmax_ws_init_group(&ws, B, d, block, threads[t], groups[g] * threads[t], &err), TL_OK);
            memset(c.dU1, 0xff, B * d * sizeof(float));
            double l1 = 0.0;
            size_t rows = tl_softmax_group_rows(&ws, B);
            tl_softmax_begin(&ws, c.M, B, c.dM1);
            for (size_t r0 = 0; r0 < B; r0 += rows)
                tl_softmax_group(&ws, pool, c.U, c.M, B, r0, B - r0 < rows ? B - r0 : rows, c.dU1, c.dM1, &l1);
            tl_softmax_end(&ws, c.U, B, c.dM1);
            CHECK(l1 == l0);
            CHECK(grads_equal(&c));
            tl_softmax_ws_free(&ws);
            tl_pool_free(pool);
        }
    grads_case_free(&c);
}

/* Stripes are an eighth of the batch up to 8192 rows, then hold at most
 * 2^23 logits; a workspace for a bigger batch still runs a shorter batch
 * (whose stripes are longer) in groups, bit for bit. */
static void test_stripes_of_big_batches(void)
{
    CHECK_INT(tl_softmax_stripe_rows(77), 32);
    CHECK_INT(tl_softmax_stripe_rows(1000), 128);
    CHECK_INT(tl_softmax_stripe_rows(8192), 1024);
    CHECK_INT(tl_softmax_stripe_rows(9000), 960);
    CHECK_INT(tl_softmax_stripe_rows(65536), 128);
    CHECK_INT(tl_softmax_stripe_rows(1u << 20), 32);
    size_t B = 8192, d = 2;
    grads_case c = grads_case_new(B, d, 17, 1.0f);
    tl_softmax_ws ws;
    tl_error err;
    CHECK_INT(tl_softmax_ws_init(&ws, B, d, 64, &err), TL_OK);
    double l0 = tl_softmax_batch(&ws, c.U, c.M, B, c.dU0, c.dM0);
    tl_softmax_ws_free(&ws);
    tl_pool *pool = NULL;
    CHECK_INT(tl_pool_new(2, &pool, &err), TL_OK);
    CHECK_INT(tl_softmax_ws_init_group(&ws, 9000, d, 64, 2, 4, &err), TL_OK);
    double l1 = 0.0;
    size_t rows = tl_softmax_group_rows(&ws, B);
    CHECK_INT(rows, 4096);
    tl_softmax_begin(&ws, c.M, B, c.dM1);
    for (size_t r0 = 0; r0 < B; r0 += rows) tl_softmax_group(&ws, pool, c.U, c.M, B, r0, rows, c.dU1, c.dM1, &l1);
    tl_softmax_end(&ws, c.U, B, c.dM1);
    CHECK(grads_equal(&c));
    CHECK(fabs(l1 - l0) < 1e-6 * fabs(l0)); /* block sums vs one running sum */
    tl_softmax_ws_free(&ws);
    tl_pool_free(pool);
    grads_case_free(&c);
}

/* A pool with more threads than the workspace has workers, and a group
 * that does not start on a stripe, fall back to the serial path: the
 * same gradients. */
static void test_group_fallbacks(void)
{
    size_t B = 200, d = 8;
    grads_case c = grads_case_new(B, d, 13, 1.0f);
    tl_softmax_ws ws;
    tl_error err;
    CHECK_INT(tl_softmax_ws_init(&ws, B, d, 7, &err), TL_OK);
    tl_softmax_batch(&ws, c.U, c.M, B, c.dU0, c.dM0);
    tl_pool *pool = NULL;
    CHECK_INT(tl_pool_new(3, &pool, &err), TL_OK);
    double l = 0.0;
    tl_softmax_begin(&ws, c.M, B, c.dM1);                                   /* one worker, a 3-thread pool */
    tl_softmax_group(&ws, pool, c.U, c.M, B, 0, 10, c.dU1, c.dM1, &l);      /* ends inside a stripe */
    tl_softmax_group(&ws, pool, c.U, c.M, B, 10, B - 10, c.dU1, c.dM1, &l); /* starts inside one */
    tl_softmax_end(&ws, c.U, B, c.dM1);
    CHECK(grads_equal(&c));
    tl_softmax_ws_free(&ws);
    tl_pool_free(pool);
    grads_case_free(&c);
}

/* The pooled GEMMs (the rating head's) against the single calls, bit for
 * bit, on 1, 2 and 3 threads at ragged shapes. */
static void test_gemm_pool(size_t m, size_t n, size_t dim)
{
    size_t big = (m > n ? m : n) * (dim > n ? dim : n) + 64;
    float *A = malloc(big * 4), *Bm = malloc(big * 4), *P = malloc(tl_panel_floats(n, dim) * 4);
    float *C0 = malloc(big * 4), *C1 = malloc(big * 4);
    fixture_random_floats(A, big, 21, 1.0f);
    fixture_random_floats(Bm, big, 22, 1.0f);
    tl_pack_panels(Bm, n, dim, dim, P);
    tl_error err;
    for (uint32_t t = 1; t <= 3; t++) {
        tl_pool *pool = NULL;
        CHECK_INT(tl_pool_new(t, &pool, &err), TL_OK);
        tl_gemm_ab(A, m, n, Bm, n, dim, dim, C0, dim); /* (m x n) (n x dim) */
        tl__gemm_ab_pool(pool, A, m, n, Bm, n, dim, dim, C1, dim);
        CHECK(memcmp(C0, C1, m * dim * 4) == 0);
        tl_gemm_abt(A, m, dim, P, n, dim, C0, n); /* (m x dim) (n x dim)^T */
        tl__gemm_abt_pool(pool, A, m, dim, P, n, dim, C1, n);
        CHECK(memcmp(C0, C1, m * n * 4) == 0);
        fixture_random_floats(C0, n * dim, 23, 1.0f); /* accumulates onto C */
        memcpy(C1, C0, n * dim * 4);
        tl_gemm_atb_acc(A, m, n, n, Bm, dim, dim, C0, dim); /* (m x n)^T (m x dim) */
        tl__gemm_atb_acc_pool(pool, A, m, n, n, Bm, dim, dim, C1, dim);
        CHECK(memcmp(C0, C1, n * dim * 4) == 0);
        tl_pool_free(pool);
    }
    free(A), free(Bm), free(P), free(C0), free(C1);
}

/* ---- Adagrad ------------------------------------------------------------- */

static void test_adagrad_by_hand(void)
{
    /* acc = 0.1 + 0.2^2 = 0.14; w = 0.5 - 0.1*0.2/(sqrt(0.14) + 1e-7)
     *   = 0.5 - 0.02/0.37416583738 = 0.44654776...
     * second coordinate g = -1: acc = 1.1; w = -0.3 + 0.1/(1.0488089 + 1e-7)
     *   = -0.20465375... ; g = 0 leaves w and acc alone */
    float w[3] = {0.5f, -0.3f, 0.25f}, acc[3] = {0.1f, 0.1f, 0.1f}, g[3] = {0.2f, -1.0f, 0.0f};
    tl_adagrad_row(w, acc, g, 3, 0.1f, 1e-7f);
    CHECK_NEAR(acc[0], 0.14, 1e-7);
    CHECK_NEAR(w[0], 0.446547766, 6e-8);
    CHECK_NEAR(acc[1], 1.1, 1e-7);
    CHECK_NEAR(w[1], -0.204653750, 6e-8);
    CHECK(w[2] == 0.25f && acc[2] == 0.1f);
}

/* ---- the trainer --------------------------------------------------------- */

static tl_train_config small_config(uint32_t dim, uint32_t batch, uint32_t epochs)
{
    tl_train_config c;
    tl_error err;
    tl_train_config_preset(&c, "tfrs", &err);
    c.dim = dim;
    c.batch_size = batch;
    c.epochs = epochs;
    c.seed = 9;
    return c;
}

/* One batch with duplicate users and movies against the definition:
 * gradients summed per unique row, then one Adagrad step per row. */
static void test_one_batch_matches_definition(void)
{
    static const uint32_t users[7] = {0, 1, 0, 2, 1, 0, 3};
    static const uint32_t movies[7] = {4, 4, 1, 0, 2, 3, 4};
    uint32_t nu = 5, nm = 6, n = 7, d = 5; /* user 4 and movie 5 never appear */
    tl_dataset *ds = fixture_columns(nu, nm, n, users, movies, NULL);
    tl_split *sp = fixture_all_train(n);
    tl_train_config cfg = small_config(d, 8, 1);
    tl_trainer *tr = NULL;
    tl_error err;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    tl_model *init = NULL;
    CHECK_INT(tl_model_new(nu, nm, d, 0.05f, cfg.seed + 2, &init, &err), TL_OK);
    CHECK(tl_model_hash(init) == tl_model_hash(tl_trainer_model(tr)));

    tl_train_progress p;
    CHECK_INT(tl_trainer_step(tr, 1, 0, &p, &err), TL_OK);
    CHECK(p.done);
    CHECK_INT(p.examples_seen, 7);
    CHECK_INT(p.batches_per_epoch, 1);

    /* batch order: the train rows shuffled with seed + 3 */
    uint32_t perm[7];
    tl_permutation(perm, n, cfg.seed + 3);
    double *U = malloc(n * d * sizeof(double)), *M = malloc(n * d * sizeof(double));
    double *dU = malloc(n * d * sizeof(double)), *dM = malloc(n * d * sizeof(double));
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < d; k++) {
            U[i * d + k] = init->users[users[perm[i]] * d + k];
            M[i * d + k] = init->movies[movies[perm[i]] * d + k];
        }
    double loss = ref_loss(U, M, n, d, dU, dM);
    CHECK_NEAR(p.first_batch_loss, loss, 1e-6 * loss);
    const tl_model *m = tl_trainer_model(tr);
    for (int table = 0; table < 2; table++) {
        uint32_t rows = table ? nm + 1 : nu + 1;
        const float *w0 = table ? init->movies : init->users, *w1 = table ? m->movies : m->users;
        const uint32_t *idx = table ? movies : users;
        double *g = table ? dM : dU;
        for (uint32_t r = 0; r < rows; r++) {
            double gsum[8] = {0};
            int touched = 0;
            for (uint32_t i = 0; i < n; i++)
                if (idx[perm[i]] == r) {
                    touched = 1;
                    for (uint32_t k = 0; k < d; k++) gsum[k] += g[i * d + k];
                }
            for (uint32_t k = 0; k < d; k++) {
                double acc = 0.1 + gsum[k] * gsum[k];
                double want = w0[r * d + k] - 0.1 * gsum[k] / (sqrt(acc) + 1e-7);
                if (touched) CHECK_NEAR(w1[r * d + k], want, 1e-7);
                else CHECK(w1[r * d + k] == w0[r * d + k]); /* untouched rows and OOV rows: bit-exact */
            }
        }
    }
    free(U), free(M), free(dU), free(dM);
    tl_model_free(init);
    tl_trainer_free(tr);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

static void test_first_loss_is_b_ln_b(void)
{
    tl_dataset *ds = structured_dataset(300, 400, 3000, 1);
    tl_split *sp = fixture_all_train(3000);
    tl_train_config cfg = small_config(32, 1024, 1);
    tl_trainer *tr = NULL;
    tl_error err;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    tl_train_progress p;
    CHECK_INT(tl_trainer_step(tr, 1, 0, &p, &err), TL_OK);
    double b_ln_b = 1024 * log(1024.0);
    printf("first batch loss at B=1024: %.1f (B ln B = %.1f)\n", p.first_batch_loss, b_ln_b);
    CHECK_NEAR(p.first_batch_loss, b_ln_b, 0.001 * b_ln_b);
    CHECK_INT(p.epoch, 1);
    CHECK_INT(p.batch, 1);
    CHECK_INT(p.batches_per_epoch, 3);
    CHECK_INT(p.examples_seen, 1024);
    CHECK(!p.done);
    tl_trainer_free(tr);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

static double fake_clock(void *ctx)
{
    double *t = ctx;
    *t += 10.0; /* every reading advances 10 ms */
    return *t;
}

/* A small deterministic run whose model hash is asserted: the same number
 * must come out natively and in WASM (bit-identical training). */
#define TINY_RUN_HASH 0x6a16bbb45a4831b2ull

static void test_stepwise_and_determinism(void)
{
    tl_dataset *ds = structured_dataset(60, 50, 1000, 2);
    tl_split *sp = fixture_all_train(1000);
    tl_train_config cfg = small_config(16, 150, 4); /* 7 batches per epoch, the last one 100 rows */
    cfg.block_rows = 32;
    tl_error err;

    /* (a) in one call */
    tl_trainer *a = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &a, &err), TL_OK);
    tl_train_progress pa;
    CHECK_INT(tl_trainer_step(a, 0, 0, &pa, &err), TL_OK);
    CHECK(pa.done);
    CHECK_INT(pa.epochs_completed, 4);
    CHECK_INT(pa.examples_seen, 4000);
    CHECK_INT(pa.batches_per_epoch, 7);
    uint32_t ne;
    const tl_epoch_record *ep = tl_trainer_epochs(a, &ne);
    CHECK_INT(ne, 4);
    printf("tiny run epoch losses:");
    for (uint32_t e = 0; e < ne; e++) printf(" %.4f", ep[e].loss);
    printf("\n");
    CHECK_INT(ep[0].epoch, 1);
    CHECK(ep[3].loss < 0.9 * ep[0].loss); /* it learns */
    CHECK_NEAR(pa.epoch_loss, ep[3].loss, 0);
    uint64_t ha = tl_model_hash(tl_trainer_model(a));
    printf("tiny run model hash: %016llx (%s)\n", (unsigned long long)ha, tl_kernels_simd() ? "SIMD128" : "scalar");
    CHECK(ha == TINY_RUN_HASH);

    /* (b) one batch per call: progress counts up, same model */
    tl_trainer *b = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &b, &err), TL_OK);
    tl_train_progress pb;
    int calls = 0;
    do {
        CHECK_INT(tl_trainer_step(b, 1, 0, &pb, &err), TL_OK);
        calls++;
        if (calls == 9) { /* epoch 2, batch 2 */
            CHECK_INT(pb.epoch, 2);
            CHECK_INT(pb.batch, 2);
            CHECK_INT(pb.examples_seen, 9 * 150 - 50);
            CHECK_INT(pb.epochs_completed, 1);
            CHECK(!pb.done);
        }
    } while (!pb.done && calls < 100);
    CHECK_INT(calls, 28);
    CHECK(tl_model_hash(tl_trainer_model(b)) == ha);
    /* done: further steps change nothing */
    CHECK_INT(tl_trainer_step(b, 1, 0, &pb, &err), TL_OK);
    CHECK(pb.done && pb.examples_seen == 4000);

    /* (c) a time budget that ends calls inside batches (fake clock: each
     * block costs 10 ms, so 25 ms = 3 blocks of 32 rows of a 150-row batch) */
    double fake_now = 0;
    cfg.clock = fake_clock;
    cfg.threads = 1; /* one block per step (more threads step a group of blocks) */
    cfg.clock_ctx = &fake_now;
    tl_trainer *c = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &c, &err), TL_OK);
    tl_train_progress pc;
    CHECK_INT(tl_trainer_step(c, 0, 25.0, &pc, &err), TL_OK);
    CHECK_INT(pc.examples_seen, 0); /* mid-batch: nothing completed yet */
    CHECK_INT(pc.batch, 0);
    CHECK_INT(tl_trainer_step(c, 0, 25.0, &pc, &err), TL_OK);
    CHECK_INT(pc.examples_seen, 150);   /* the batch finished after 5 blocks */
    CHECK_NEAR(pc.seconds, 0.06, 1e-9); /* 6 blocks x 10 ms */
    calls = 2;
    while (!pc.done && calls < 1000) {
        CHECK_INT(tl_trainer_step(c, 0, 25.0, &pc, &err), TL_OK);
        calls++;
    }
    CHECK(pc.done);
    CHECK(tl_model_hash(tl_trainer_model(c)) == ha);
    CHECK_NEAR(pc.examples_per_second, 4000 / pc.seconds, 1e-6);

    /* reshuffling every epoch is a different (still deterministic) run */
    cfg.clock = NULL;
    cfg.threads = 0;
    cfg.reshuffle_each_epoch = 1;
    tl_trainer *d = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &d, &err), TL_OK);
    CHECK_INT(tl_trainer_step(d, 0, 0, &pc, &err), TL_OK);
    CHECK(tl_model_hash(tl_trainer_model(d)) != ha);

    CHECK(tl_trainer_bytes(a) > (61 + 51) * 16 * 4 * 2);
    tl_trainer_free(a);
    tl_trainer_free(b);
    tl_trainer_free(c);
    tl_trainer_free(d);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

/* The model, epoch losses and threads of a run with cfg.threads = t,
 * after `batches` batches (0 = the whole run). */
static uint64_t run_hash(const tl_dataset *ds, const tl_split *sp, tl_train_config cfg, uint32_t t, uint32_t batches,
                         double *loss)
{
    tl_error err;
    tl_trainer *tr = NULL;
    cfg.threads = t;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    if (!tr) return 0;
#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
    CHECK_INT(tl_trainer_threads(tr), t);
#else
    CHECK_INT(tl_trainer_threads(tr), 1);
#endif
    tl_train_progress p;
    CHECK_INT(tl_trainer_step(tr, batches, 0, &p, &err), TL_OK);
    *loss = p.running_loss + p.epoch_loss + p.last_batch_loss;
    uint64_t h = tl_model_hash(tl_trainer_model(tr));
    tl_trainer_free(tr);
    return h;
}

/* Threads never change a bit: the tiny run on 1, 2 and 3 threads has the
 * hash the serial trainer gave (TINY_RUN_HASH, recorded before the
 * trainer had threads), after 3 batches and at the end; ragged shapes
 * (dim 12, batch 77, blocks of 5) and the multitask model agree across
 * thread counts too. */
static void test_threads_bit_identical(void)
{
    tl_dataset *ds = structured_dataset(60, 50, 1000, 2);
    tl_split *sp = fixture_all_train(1000);
    tl_train_config cfg = small_config(16, 150, 4);
    cfg.block_rows = 32;
    double l1, l;
    uint64_t h3 = run_hash(ds, sp, cfg, 1, 3, &l1);
    for (uint32_t t = 2; t <= 3; t++) {
        CHECK(run_hash(ds, sp, cfg, t, 3, &l) == h3);
        CHECK(l == l1);
    }
    for (uint32_t t = 1; t <= 3; t++) CHECK(run_hash(ds, sp, cfg, t, 0, &l) == TINY_RUN_HASH);

    cfg = small_config(12, 77, 2);
    cfg.block_rows = 5;
    uint64_t h = run_hash(ds, sp, cfg, 1, 0, &l1);
    for (uint32_t t = 2; t <= 3; t++) {
        CHECK(run_hash(ds, sp, cfg, t, 0, &l) == h);
        CHECK(l == l1);
    }

    cfg = small_config(16, 100, 2);
    tl_train_config_set_rating(&cfg, 1.0f);
    h = run_hash(ds, sp, cfg, 1, 0, &l1);
    for (uint32_t t = 2; t <= 3; t++) {
        CHECK(run_hash(ds, sp, cfg, t, 0, &l) == h);
        CHECK(l == l1);
    }
    tl_split_free(sp);
    tl_dataset_free(ds);
}

static void test_errors(void)
{
    tl_train_config c;
    tl_error err;
    CHECK_INT(tl_train_config_preset(&c, "fast", &err), TL_E_ARG);
    CHECK_CONTAINS(err.message,
                   "unknown preset \"fast\" (known: tfrs, default, tfrs-multitask, popularity, ease, blend, ials)");
    CHECK_INT(tl_train_config_preset(&c, "default", &err), TL_OK);
    CHECK_STR(c.preset, "default");
    CHECK_INT(tl_train_config_preset(&c, "tfrs", &err), TL_OK);
    CHECK_INT(c.dim, 32);
    CHECK_INT(c.batch_size, 8192);
    CHECK_INT(c.epochs, 3);
    CHECK(c.learning_rate == 0.1f);
    CHECK(c.adagrad_initial == 0.1f);
    CHECK(c.adagrad_epsilon == 1e-7f);
    CHECK_INT(c.seed, 42);
    CHECK_INT(c.reshuffle_each_epoch, 0);
    c.dim = 0;
    CHECK_INT(tl_train_config_check(&c, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "dimension 0 is outside 1-1024");
    c.dim = 32;
    c.batch_size = 0;
    CHECK_INT(tl_train_config_check(&c, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "batch size 0");
    c.batch_size = 10;
    c.learning_rate = -1;
    CHECK_INT(tl_train_config_check(&c, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "learning rate -1");
    c.learning_rate = 0.1f;

    static const uint32_t u[2] = {0, 7}, m[2] = {0, 0};
    tl_dataset *ds = fixture_columns(2, 1, 2, u, m, NULL); /* user 7 is out of range */
    tl_split *sp = fixture_all_train(2);
    tl_trainer *tr = (tl_trainer *)&c;
    CHECK_INT(tl_trainer_new(ds, sp, &c, &tr, &err), TL_E_ARG);
    CHECK(tr == NULL);
    CHECK_CONTAINS(err.message, "rating row 1 refers to a user or movie index outside the dataset");
    sp->n_train = 0;
    CHECK_INT(tl_trainer_new(ds, sp, &c, &tr, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "no training rows");
    tl_split_free(sp);
    tl_dataset_free(ds);
}

/* The original's split of ml-latest-small: the first batch of 8192 rows
 * must cost 8192 ln 8192 = 73,817.4 (near-zero logits: a wiring check). */
static void test_real_first_batch(void)
{
    char dir[1024];
    if (!check_shared_small(dir, sizeof dir)) return;
    const char *paths[1] = {dir};
    tl_dataset *ds = NULL;
    tl_error err;
    CHECK_INT(tl_load_paths(paths, 1, &ds, &err), TL_OK);
    if (!ds) return;
    tl_split_options so;
    tl_split_options_default(&so);
    so.train_rows = 80000;
    so.test_rows = 20000;
    tl_split *sp = NULL;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    tl_train_config cfg;
    tl_train_config_preset(&cfg, "tfrs", &err);
    tl_trainer *tr = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    tl_train_progress p;
    CHECK_INT(tl_trainer_step(tr, 1, 0, &p, &err), TL_OK);
    printf("ml-latest-small first batch loss %.1f (8192 ln 8192 = %.1f)\n", p.first_batch_loss, 8192 * log(8192.0));
    CHECK_NEAR(p.first_batch_loss, 8192 * log(8192.0), 5.0);
    CHECK_INT(p.batches_per_epoch, 10); /* 9 x 8192 + 6272: the partial batch is kept */
    CHECK_INT(p.examples_seen, 8192);
    tl_trainer_free(tr);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

int main(void)
{
    test_loss_by_hand();
    test_loss_vs_reference(2, 1, 1.0f);
    test_loss_vs_reference(13, 3, 1.0f);
    test_loss_vs_reference(40, 32, 0.5f);
    test_loss_vs_reference(9, 33, 0.3f);
    test_block_invariance();
    test_group_matches_serial(77, 12, 5);
    test_group_matches_serial(200, 32, 32);
    test_group_matches_serial(9, 33, 4);
    test_group_matches_serial(1000, 16, 32); /* 8 stripes of 128 rows */
    test_group_fallbacks();
    test_stripes_of_big_batches();
    test_gemm_pool(301, 130, 67);
    test_gemm_pool(1000, 128, 256);
    test_adagrad_by_hand();
    test_one_batch_matches_definition();
    test_first_loss_is_b_ln_b();
    test_stepwise_and_determinism();
    test_threads_bit_identical();
    test_errors();
    test_real_first_batch();
    return check_report("test_train");
}
