/* EASE (ease.h): B against a dense double-precision solve, bit-identity for
 * any thread count, scores, explanations, similar movies and bad inputs. */
#include "check.h"
#include "eval/eval_internal.h"
#include "eval_fixture.h"
#include "loader_util.h"
#include "models/ease/ease_internal.h"
#include "popularity_fixture.h"
#include "towerlens/buf.h"
#include "towerlens/ease.h"
#include "towerlens/foldin.h"
#include "towerlens/loader.h"
#include "towerlens/model_type.h"
#include "towerlens/pool.h"
#include "towerlens/split.h"
#include "towerlens/store.h"
#include "towerlens/train.h"

/* B by the textbook in double: X over the model's items (same x mapping,
 * latest row of a pair), G = X^T X + lambda I, Gauss-Jordan inverse. */
static double *reference_B(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, const tl_ease_model *m)
{
    size_t n = m->n_items, nu = ds->n_users;
    double *X = calloc(nu * n, sizeof *X), *G = calloc(n * n, sizeof *G), *P = calloc(n * n, sizeof *P);
    uint32_t *latest = calloc(nu * n, sizeof *latest);
    for (uint32_t r = 0; r < n_rows; r++) {
        uint32_t row = rows[r], it = m->item_of_movie[ds->r_movie[row]];
        if (it == TL_EASE_NONE) continue;
        size_t c = ds->r_user[row] * n + it;
        if (latest[c] && latest[c] - 1 > row) continue;
        latest[c] = row + 1;
        X[c] = tl__ease_value(&m->opt, ds->r_half[row]);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = i == j ? m->opt.lambda : 0.0;
            for (size_t u = 0; u < nu; u++) s += X[u * n + i] * X[u * n + j];
            G[i * n + j] = s;
        }
    for (size_t i = 0; i < n; i++) P[i * n + i] = 1.0;
    for (size_t c = 0; c < n; c++) { /* SPD: no pivoting needed */
        double d = G[c * n + c];
        for (size_t j = 0; j < n; j++) G[c * n + j] /= d, P[c * n + j] /= d;
        for (size_t r = 0; r < n; r++) {
            if (r == c) continue;
            double f = G[r * n + c];
            if (f == 0.0) continue;
            for (size_t j = 0; j < n; j++) G[r * n + j] -= f * G[c * n + j], P[r * n + j] -= f * P[c * n + j];
        }
    }
    double *B = calloc(n * n, sizeof *B);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) B[i * n + j] = i == j ? 0.0 : -P[i * n + j] / P[j * n + j];
    free(X), free(G), free(P), free(latest);
    return B;
}

/* A random dataset: n_users x n_movies at ~density, the last 12 movies
 * rated at most once (outside the set at min_count 2), one duplicate pair. */
static tl_dataset *random_dataset(uint32_t n_users, uint32_t n_movies, uint32_t per_mille, uint64_t seed)
{
    uint64_t s = seed;
    uint32_t cap = n_users * n_movies + 2, n = 0;
    uint32_t *t = malloc(3 * cap * sizeof *t);
    for (uint32_t u = 0; u < n_users; u++)
        for (uint32_t mv = 0; mv + 12 < n_movies; mv++) {
            /* taste: users and movies in 3 groups, liked within the group */
            uint32_t p = (u % 3 == mv % 3) ? per_mille * 2 : per_mille / 2;
            if (fixture_lcg(&s) % 1000 >= p) continue;
            uint32_t half = (u % 3 == mv % 3) ? 7 + fixture_lcg(&s) % 4 : 1 + fixture_lcg(&s) % 7;
            t[3 * n] = u, t[3 * n + 1] = mv, t[3 * n + 2] = half;
            n++;
        }
    for (uint32_t k = 0; k < 6; k++) /* six of the rare movies rated once */
        t[3 * n] = k, t[3 * n + 1] = n_movies - 12 + k, t[3 * n + 2] = 8, n++;
    t[3 * n] = 0, t[3 * n + 1] = t[1], t[3 * n + 2] = t[2] == 10 ? 1 : 10, n++; /* user 0 rates its first movie again */
    tl_dataset *ds = fixture_dataset(n_users, n_movies, n_movies, t, n);
    free(t);
    return ds;
}

static void free_dataset(tl_dataset *ds) { tl_dataset_free(ds); }

static double compare_reference(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, const tl_ease_model *m)
{
    double *R = reference_B(ds, rows, n_rows, m), worst = 0, scale = 0;
    size_t n = m->n_items;
    for (size_t k = 0; k < n * n; k++) {
        double d = fabs((double)m->B[k] - R[k]);
        if (d > worst) worst = d;
        if (fabs(R[k]) > scale) scale = fabs(R[k]);
    }
    free(R);
    return worst / scale;
}

static void test_reference(void)
{
    tl_dataset *ds = random_dataset(60, 160, 200, 7);
    uint32_t *rows = fixture_range(0, ds->n_ratings);
    tl_error err;
    tl_ease_options opt;
    tl_ease_options_default(&opt);
    opt.min_count = 2;
    float lambdas[3] = {1.0f, 10.0f, 100.0f};
    for (int k = 0; k < 3; k++) {
        opt.lambda = lambdas[k];
        tl_ease_model *m = NULL;
        CHECK_INT(tl_ease_fit(ds, rows, ds->n_ratings, &opt, &m, &err), TL_OK);
        if (!m) continue;
        CHECK_INT(m->n_items, 148 + 0); /* 148 dense movies plus none of the 12 rare ones */
        CHECK(compare_reference(ds, rows, ds->n_ratings, m) < 2e-4);
        for (uint32_t i = 0; i < m->n_items; i++) CHECK(m->B[(size_t)i * m->n_items + i] == 0.0f);
        tl_ease_free(m);
    }
    /* rating values, dislikes negative */
    opt.lambda = 20.0f;
    opt.values = TL_EASE_RATING;
    opt.low_weight = -0.5f;
    tl_ease_model *m = NULL;
    CHECK_INT(tl_ease_fit(ds, rows, ds->n_ratings, &opt, &m, &err), TL_OK);
    if (m) {
        CHECK_NEAR(m->value[4], -0.2, 1e-7);
        CHECK_NEAR(m->value[9], 0.9, 1e-7);
        CHECK(compare_reference(ds, rows, ds->n_ratings, m) < 2e-4);
    }
    tl_ease_free(m);
    free(rows);
    free_dataset(ds);
}

static void test_threads(void)
{
    tl_dataset *ds = random_dataset(50, 300, 150, 11);
    uint32_t *rows = fixture_range(0, ds->n_ratings);
    tl_error err;
    tl_ease_options opt;
    tl_ease_options_default(&opt);
    opt.min_count = 2;
    opt.lambda = 3.0f;
    tl_ease_model *ref = NULL;
    CHECK_INT(tl_ease_fit(ds, rows, ds->n_ratings, &opt, &ref, &err), TL_OK); /* no pool */
    CHECK(ref && ref->n_items > 2 * 64 + 7);
    uint32_t threads[3] = {1, 2, 3};
    for (int t = 0; t < 3 && ref; t++) {
        tl_pool *pool = NULL;
        CHECK_INT(tl_pool_new(threads[t], &pool, &err), TL_OK);
        opt.pool = pool;
        tl_ease_model *m = NULL;
        CHECK_INT(tl_ease_fit(ds, rows, ds->n_ratings, &opt, &m, &err), TL_OK);
        CHECK(m && m->n_items == ref->n_items &&
              !memcmp(m->B, ref->B, (size_t)m->n_items * m->n_items * sizeof(float)));
        tl_ease_free(m);
        tl_pool_free(pool);
    }
    tl_ease_free(ref);
    free(rows);
    free_dataset(ds);
}

/* 4 users x 5 movies; movie 3 is rated twice (outside at min_count 3), movie 4 never. */
static void test_score_explain_similar(void)
{
    const uint32_t t[] = {0, 0, 10, 0, 1, 8, 0, 2, 2, 0, 3, 9, /* user 0 */
                          1, 0, 8,  1, 1, 9, 1, 3, 6,          /* user 1 */
                          2, 1, 7,  2, 2, 8,                   /* user 2 */
                          3, 0, 4,  3, 2, 10};                 /* user 3 */
    tl_dataset *ds = fixture_dataset(4, 5, 5, t, 11);
    uint32_t *rows = fixture_range(0, 11);
    tl_error err;
    tl_ease_options opt;
    tl_ease_options_default(&opt);
    opt.lambda = 0.5f;
    opt.min_count = 3;
    tl_ease_model *m = NULL;
    CHECK_INT(tl_ease_fit(ds, rows, 11, &opt, &m, &err), TL_OK);
    if (!m) return;
    tl_ease_info info;
    tl_ease_get_info(m, &info);
    CHECK_INT(info.n_items, 3);
    CHECK_INT(info.n_users, 4);
    CHECK_INT(tl_ease_item_of(m, 2), 2);
    CHECK_INT(tl_ease_item_of(m, 3), TL_EASE_NONE);
    CHECK_INT(tl_ease_movie_of(m, 1), 1);
    /* by hand: X rows (1,1,1), (1,1,0), (0,1,1), (1,0,1); G = X^T X + 0.5 I =
     * [[3.5,2,2],[2,3.5,2],[2,2,3.5]]; P = G^-1 has P_ii = 5.5/D', P_ij = -2/D'
     * up to a common factor (cofactors 3.5^2-4 = 8.25, 2*2-2*3.5 = -3), so
     * B[i][j] = 3 / 8.25 = 0.363636... for i != j */
    CHECK_NEAR(tl_ease_weight(m, 0, 1), 3.0 / 8.25, 1e-6);
    CHECK_NEAR(tl_ease_weight(m, 2, 0), 3.0 / 8.25, 1e-6);
    CHECK(tl_ease_weight(m, 1, 1) == 0.0f);
    CHECK(tl_ease_weight(m, 3, 1) == 0.0f);

    /* a profile: movie 0 at 5 stars, movie 3 (outside) at 4 */
    uint32_t pm[2] = {0, 3};
    uint8_t ph[2] = {10, 8};
    float s[5];
    CHECK_INT(tl_ease_score(m, pm, ph, 2, s, &err), TL_OK);
    CHECK_NEAR(s[0], 0.0, 1e-7);
    CHECK_NEAR(s[1], 3.0 / 8.25, 1e-6);
    CHECK_NEAR(s[2], 3.0 / 8.25, 1e-6);
    CHECK(s[3] == TL_EASE_OUTSIDE + 2.0f); /* rated twice */
    CHECK(s[4] == TL_EASE_OUTSIDE);        /* never */
    CHECK(s[3] > s[4] && s[4] < TL_EASE_FLOOR && s[3] < TL_EASE_FLOOR);

    /* explanations: movie 1 (rated 1 star: never a reason) and movie 2 (4 stars) */
    uint32_t em[3] = {1, 2, 0};
    uint8_t eh[3] = {2, 8, 6};
    tl_ease_reason rs[3];
    uint32_t nr = 99;
    CHECK_INT(tl_ease_explain(m, em, eh, 2, 0, rs, &nr, &err), TL_OK);
    CHECK_INT(nr, 1);
    CHECK_INT(rs[0].movie, 2);
    CHECK_INT(rs[0].half, 8);
    CHECK_NEAR(rs[0].contribution, 3.0 / 8.25, 1e-6);
    CHECK_INT(tl_ease_explain(m, em, eh, 2, 4, rs, &nr, &err), TL_OK); /* outside the set */
    CHECK_INT(nr, 0);

    tl_scored sim[5];
    uint32_t ns = 0;
    CHECK_INT(tl_ease_similar(m, 1, 5, sim, &ns, &err), TL_OK);
    CHECK_INT(ns, 2);
    CHECK(sim[0].index + sim[1].index == 2 && sim[0].index != 1); /* movies 0 and 2, equal up to rounding */
    CHECK_NEAR(sim[0].score, 3.0 / 8.25, 1e-6);
    CHECK_NEAR(sim[1].score, 3.0 / 8.25, 1e-6);
    CHECK_INT(tl_ease_similar(m, 3, 5, sim, &ns, &err), TL_OK);
    CHECK_INT(ns, 0);

    /* bad profiles */
    uint32_t dup[2] = {1, 1};
    uint8_t dh[2] = {8, 8}, bad_h[1] = {11};
    CHECK_INT(tl_ease_score(m, dup, dh, 2, s, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "twice");
    CHECK_INT(tl_ease_score(m, dup, bad_h, 1, s, &err), TL_E_ARG);
    uint32_t far[1] = {5};
    CHECK_INT(tl_ease_score(m, far, dh, 1, s, &err), TL_E_ARG);
    CHECK_INT(tl_ease_explain(m, em, eh, 2, 9, rs, &nr, &err), TL_E_ARG);
    CHECK_INT(tl_ease_similar(m, 9, 5, sim, &ns, &err), TL_E_ARG);
    CHECK_INT(tl_ease_score(m, NULL, NULL, 0, s, &err), TL_OK); /* empty profile: all in-set scores 0 */
    CHECK(s[1] == 0.0f);

    tl_ease_free(m);

    /* the item budget: 4 movies have a rating, max_items 3 raises the threshold to 3 */
    opt.min_count = 1;
    opt.max_items = 3;
    CHECK_INT(tl_ease_fit(ds, rows, 11, &opt, &m, &err), TL_OK);
    if (m) {
        tl_ease_get_info(m, &info);
        CHECK_INT(info.n_items, 3);
        CHECK_INT(info.min_count, 3);
        CHECK_INT(tl_ease_item_of(m, 3), TL_EASE_NONE);
    }
    tl_ease_free(m);
    opt.max_items = 4;
    CHECK_INT(tl_ease_fit(ds, rows, 11, &opt, &m, &err), TL_OK);
    if (m) {
        tl_ease_get_info(m, &info);
        CHECK_INT(info.n_items, 4);
        CHECK_INT(info.min_count, 1);
    }
    tl_ease_free(m);
    free(rows);
    free_dataset(ds);
}

/* Explanations on a larger model: only liked movies, sorted, contributions as stated. */
static void test_explain_liked_only(void)
{
    tl_dataset *ds = random_dataset(60, 160, 200, 3);
    uint32_t *rows = fixture_range(0, ds->n_ratings);
    tl_error err;
    tl_ease_options opt;
    tl_ease_options_default(&opt);
    opt.min_count = 2;
    opt.lambda = 5.0f;
    tl_ease_model *m = NULL;
    CHECK_INT(tl_ease_fit(ds, rows, ds->n_ratings, &opt, &m, &err), TL_OK);
    if (!m) return;
    uint32_t pm[40];
    uint8_t ph[40];
    for (uint32_t k = 0; k < 40; k++) pm[k] = 3 * k, ph[k] = (uint8_t)(1 + k % 10);
    uint32_t checked = 0;
    for (uint32_t target = 1; target < 140; target += 3) {
        tl_ease_reason rs[3];
        uint32_t nr = 0;
        CHECK_INT(tl_ease_explain(m, pm, ph, 40, target, rs, &nr, &err), TL_OK);
        float best = INFINITY;
        uint32_t expect = 0;
        for (uint32_t k = 0; k < 40; k++)
            if (ph[k] >= 8 && tl_ease_weight(m, pm[k], target) > 0.0f) expect++;
        CHECK_INT(nr, expect < 3 ? expect : 3);
        for (uint32_t r = 0; r < nr; r++) {
            CHECK(rs[r].half >= 8);
            CHECK(rs[r].contribution > 0.0f && rs[r].contribution <= best);
            CHECK(rs[r].contribution == tl_ease_weight(m, rs[r].movie, target));
            best = rs[r].contribution;
            checked++;
        }
    }
    CHECK(checked > 20);

    /* similar: the column of B, best first */
    tl_scored sim[8];
    uint32_t ns = 0;
    for (uint32_t mv = 0; mv < 150; mv += 7) {
        CHECK_INT(tl_ease_similar(m, mv, 8, sim, &ns, &err), TL_OK);
        CHECK_INT(ns, 8);
        float lowest = INFINITY;
        for (uint32_t q = 0; q < ns; q++) {
            CHECK(sim[q].index != mv && sim[q].score == tl_ease_weight(m, sim[q].index, mv));
            CHECK(sim[q].score <= lowest);
            lowest = sim[q].score;
        }
        uint32_t above = 0; /* nothing left out scores above the 8th */
        for (uint32_t j = 0; j < 148; j++) above += j != mv && tl_ease_weight(m, j, mv) > lowest;
        CHECK(above <= 7);
    }
    tl_ease_free(m);
    free(rows);
    free_dataset(ds);
}

static void test_bad_inputs(void)
{
    const uint32_t t[] = {0, 0, 8, 0, 1, 8, 1, 0, 8, 1, 1, 4};
    tl_dataset *ds = fixture_dataset(2, 2, 2, t, 4);
    uint32_t rows[4] = {0, 1, 2, 3}, bad_rows[1] = {4};
    tl_error err;
    tl_ease_options opt;
    tl_ease_model *m = (tl_ease_model *)&opt; /* must be reset to NULL on failure */
    tl_ease_options_default(&opt);
    opt.lambda = 0.0f;
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_ARG);
    CHECK(m == NULL);
    CHECK_CONTAINS(err.message, "lambda");
    opt.lambda = -1.0f;
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_ARG);
    opt.lambda = NAN;
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_ARG);
    tl_ease_options_default(&opt);
    opt.min_count = 0;
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_ARG);
    opt.min_count = 3; /* no movie has 3 ratings */
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "no movie");
    opt.min_count = 1;
    CHECK_INT(tl_ease_fit(ds, rows, 0, &opt, &m, &err), TL_E_ARG); /* empty data */
    CHECK_CONTAINS(err.message, "no train rows");
    CHECK_INT(tl_ease_fit(ds, bad_rows, 1, &opt, &m, &err), TL_E_ARG);
    CHECK_INT(tl_ease_fit(NULL, rows, 4, &opt, &m, &err), TL_E_ARG);
    opt.low_weight = INFINITY;
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_ARG);
    tl_ease_options_default(&opt);
    opt.min_count = 1;
    opt.max_items = 1; /* both movies have 2 ratings: no threshold keeps exactly one */
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_LIMIT);
    CHECK_CONTAINS(err.message, "max_items");
    opt.max_items = TL_EASE_MAX_ITEMS + 1;
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_LIMIT);
    opt.max_items = 0;
    opt.values = (tl_ease_values)7;
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_E_ARG);
    opt.values = TL_EASE_BINARY;
    CHECK_INT(tl_ease_fit(ds, rows, 4, &opt, &m, &err), TL_OK);
    if (m) {
        /* 2 users each rating both movies: G = [[2+l, 2],[2, 2+l]], B[0][1] = 2 / (2 + l) */
        CHECK_NEAR(tl_ease_weight(m, 0, 1), 2.0 / (2.0 + TL_EASE_DEFAULT_LAMBDA), 1e-6);
    }
    tl_ease_free(m);
    tl_ease_free(NULL);
    free_dataset(ds);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* The same bytes natively and in WASM SIMD128 (this test runs in both
 * builds): a fixed model's B and one profile's scores, hashed. */
static void test_golden_hash(void)
{
    uint32_t nu = 400, nm = 900, n = 0;
    uint32_t *t = malloc(3 * (size_t)nu * nm * sizeof *t);
    uint64_t s = 5;
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t mv = 0; mv < nm; mv++) {
            uint32_t p = u % 5 == mv % 5 ? 120 : 25;
            if (mv > 600) p /= 4;
            if (fixture_lcg(&s) % 1000 >= p) continue;
            t[3 * n] = u, t[3 * n + 1] = mv, t[3 * n + 2] = 1 + (uint32_t)(fixture_lcg(&s) % 10);
            n++;
        }
    tl_dataset *ds = fixture_dataset(nu, nm, nm, t, n);
    free(t);
    uint32_t *rows = fixture_range(0, n);
    tl_error err;
    tl_ease_options opt;
    tl_ease_options_default(&opt);
    opt.lambda = 30.0f;
    opt.min_count = 3;
    opt.low_weight = -0.25f;
    opt.values = TL_EASE_RATING;
    tl_ease_model *m = NULL;
    CHECK_INT(n, 11942);
    CHECK_INT(tl_ease_fit(ds, rows, n, &opt, &m, &err), TL_OK);
    if (m) {
        CHECK_INT(m->n_items, 841);
        uint64_t h = fnv(1469598103934665603ull, m->B, (size_t)m->n_items * m->n_items * sizeof(float));
        float *sc = malloc(nm * sizeof *sc);
        uint32_t pm[5] = {1, 7, 300, 650, 899};
        uint8_t ph[5] = {10, 3, 8, 9, 2};
        CHECK_INT(tl_ease_score(m, pm, ph, 5, sc, &err), TL_OK);
        uint64_t h2 = fnv(1469598103934665603ull, sc, nm * sizeof *sc);
        CHECK(h == 0x027e39454339cdf0ull);
        CHECK(h2 == 0x9f5d7e644d293c36ull);
        if (h != 0x027e39454339cdf0ull || h2 != 0x9f5d7e644d293c36ull)
            fprintf(stderr, "B hash %016llx, scores hash %016llx\n", (unsigned long long)h, (unsigned long long)h2);
        free(sc);
    }
    tl_ease_free(m);
    free(rows);
    free_dataset(ds);
}

/* ---- EASE as a model type (model_type.h): preset "ease" through the
 * generic trainer, the model file, the scorer and the evaluation ------- */

/* Protocol B by the bench's path (bench/ease_tune.c evaluate_scorer):
 * tl_ease_score on each user's train rows, ranked by tl__ranker. */
static double bench_recall(const tl_dataset *ds, const tl_split *sp, const tl_ease_model *m, double *ndcg,
                           uint32_t *users)
{
    uint32_t *cat = NULL, n_cat = 0;
    tl_seen *seen = NULL;
    tl__rows_by_user fu = {0}, eu = {0};
    tl__ranker rk;
    tl_error err;
    CHECK_INT(tl__eval_catalogue(ds, &cat, &n_cat, &err), TL_OK);
    CHECK_INT(tl_seen_new(ds, sp->train, sp->n_train, &seen, &err), TL_OK);
    CHECK_INT(tl__rows_by_user_build(ds, sp->train, sp->n_train, &fu, &err), TL_OK);
    CHECK_INT(tl__rows_by_user_build(ds, sp->test, sp->n_test, &eu, &err), TL_OK);
    CHECK_INT(tl__ranker_init(&rk, ds, seen, cat, n_cat, &err), TL_OK);
    uint32_t *pm = malloc(((size_t)sp->n_train + 1) * sizeof *pm), *rel = malloc(((size_t)sp->n_test + 1) * 4);
    uint8_t *ph = malloc((size_t)sp->n_train + 1);
    float *sc = malloc(((size_t)ds->n_movies + 1) * sizeof *sc);
    double recall = 0;
    *ndcg = 0;
    *users = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) {
        uint32_t ea = eu.offsets[u], eb = eu.offsets[u + 1], n = 0;
        if (ea == eb) continue;
        for (uint32_t k = fu.offsets[u]; k < fu.offsets[u + 1]; k++) {
            pm[n] = ds->r_movie[fu.rows[k]];
            ph[n++] = ds->r_half[fu.rows[k]];
        }
        for (uint32_t k = ea; k < eb; k++) rel[k - ea] = ds->r_movie[eu.rows[k]];
        CHECK_INT(tl_ease_score(m, pm, ph, n, sc, &err), TL_OK);
        tl__user_metrics um;
        if (tl__ranker_user_scores(&rk, sc, u, rel, eb - ea, &um)) {
            recall += um.recall_at_20;
            *ndcg += um.ndcg_at_10;
            (*users)++;
        }
    }
    tl__ranker_free(&rk);
    tl__rows_by_user_free(&fu);
    tl__rows_by_user_free(&eu);
    tl_seen_free(seen);
    free(cat), free(pm), free(ph), free(rel), free(sc);
    if (*users) *ndcg /= *users;
    return *users ? recall / *users : 0.0;
}

/* Trains preset ease (min_count as given) on `threads`, returns the trainer. */
static tl_trainer *train_ease(const tl_dataset *ds, const tl_split *sp, uint32_t min_count, uint32_t threads)
{
    tl_train_config cfg;
    tl_error err;
    CHECK_INT(tl_train_config_preset(&cfg, "ease", &err), TL_OK);
    CHECK(cfg.ease_lambda == TL_EASE_DEFAULT_LAMBDA);
    CHECK_INT(cfg.ease_min_count, TL_EASE_DEFAULT_MIN_COUNT);
    if (min_count) cfg.ease_min_count = min_count;
    cfg.threads = threads;
    tl_trainer *tr = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    if (!tr) return NULL;
    CHECK_STR(tl_trainer_type(tr)->name, "ease");
    CHECK(tl_trainer_model(tr) == NULL);
    tl_train_progress p;
    CHECK_INT(tl_trainer_step(tr, 0, 0, &p, &err), TL_OK);
    CHECK(p.done);
    return tr;
}

/* A model file of the trainer's tensors, written and read back. */
static tl_model_file *save_load(const tl_dataset *ds, const tl_trainer *tr)
{
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    uint32_t n = tl_trainer_tensors(tr, t);
    CHECK_INT(n, 4);
    tl_buf cfg, bytes;
    tl_buf_init(&cfg);
    tl_buf_init(&bytes);
    tl_train_config_json(tl_trainer_config(tr), NULL, &cfg);
    CHECK(!strncmp(cfg.data, "{\"model\":\"ease\",\"preset\":\"ease\",", 32));
    CHECK_CONTAINS(cfg.data, "\"lambda\":200");
    tl_error err;
    tl_model_file *mf = NULL;
    CHECK_INT(tl_store_write(ds, NULL, cfg.data, NULL, t, n, &bytes, &err), TL_OK);
    CHECK_INT(tl_store_read((const uint8_t *)bytes.data, bytes.len, "ease.tlm", &mf, &err), TL_OK);
    tl_buf_free(&cfg);
    tl_buf_free(&bytes);
    return mf;
}

static void test_model_type(void)
{
    tl_dataset *ds = random_dataset(60, 40, 250, 11);
    tl_split_options so;
    tl_split_options_default(&so);
    tl_split *sp = NULL;
    tl_error err;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    tl_trainer *tr = train_ease(ds, sp, 2, 1), *tr3 = train_ease(ds, sp, 2, 3);
    if (!tr || !tr3) return;
    CHECK(tl_trainer_hash(tr) == tl_trainer_hash(tr3));
    CHECK(tl_trainer_hash(tr) == 0xdd3eec59ac1843daull); /* the same natively and in WASM */
    printf("ease type: hash %016llx on 1 and 3 threads\n", (unsigned long long)tl_trainer_hash(tr));

    /* the same fit by hand */
    tl_ease_options opt;
    tl_ease_options_default(&opt);
    opt.min_count = 2;
    tl_ease_model *m = NULL;
    CHECK_INT(tl_ease_fit(ds, sp->train, sp->n_train, &opt, &m, &err), TL_OK);
    tl_model_file *mf = save_load(ds, tr);
    tl_scorer *sc = NULL;
    if (mf) CHECK_INT(tl_model_open(mf, &sc, &err), TL_OK);
    if (!m || !sc) return;
    CHECK_STR(sc->type, "ease");
    CHECK(sc->needs_profile == 1);
    tl_ease_info info;
    tl_ease_get_info(m, &info);
    CHECK_INT(sc->state_floats, info.n_items);
    CHECK(info.n_items > 10 && info.n_items < 40);

    /* every user's scores equal tl_ease_score's, bit for bit, blocked two ways */
    uint32_t nm = ds->n_movies, *pm = malloc(nm * 4), *prow = malloc(nm * 4);
    uint8_t *ph = malloc(nm);
    float *pstars = malloc(nm * 4), *want = malloc(nm * 4), *got = malloc(nm * 4), *got2 = malloc(3 * nm * 4);
    float *state = malloc(3 * (size_t)info.n_items * 4);
    tl__rows_by_user fu = {0};
    CHECK_INT(tl__rows_by_user_build(ds, sp->train, sp->n_train, &fu, &err), TL_OK);
    uint32_t same = 0;
    for (uint32_t u = 0; u + 2 < ds->n_users; u += 3) {
        for (uint32_t q = 0; q < 3; q++) {
            uint32_t n = 0;
            /* a user's rows may repeat a movie: the latest row wins, as in the fit */
            for (uint32_t k = fu.offsets[u + q]; k < fu.offsets[u + q + 1]; k++) {
                uint32_t row = fu.rows[k], mv = ds->r_movie[row], at = n;
                for (uint32_t i = 0; i < n; i++)
                    if (pm[i] == mv) at = i;
                if (at == n) n++;
                else if (prow[at] > row) continue;
                prow[at] = row, pm[at] = mv, ph[at] = ds->r_half[row], pstars[at] = 0.5f * ds->r_half[row];
            }
            tl_profile prof = {pm, pstars, n};
            CHECK_INT(tl_scorer_user_state(sc, u + q, &prof, state + (size_t)q * info.n_items, &err), TL_OK);
            if (q == 0) {
                CHECK_INT(tl_ease_score(m, pm, ph, n, want, &err), TL_OK);
                tl_scorer_score(sc, state, 1, 0, nm, got, nm);
                same += !memcmp(want, got, nm * 4);
            }
        }
        /* three users at once, movies in blocks of 7 */
        for (uint32_t m0 = 0; m0 < nm; m0 += 7)
            tl_scorer_score(sc, state, 3, m0, nm - m0 < 7 ? nm - m0 : 7, got2 + m0, nm);
        CHECK(!memcmp(got2, got, nm * 4));
    }
    CHECK_INT(same, ds->n_users / 3);

    /* fold-in from the same ratings is the user's state; similar is B's column */
    tl_profile prof = {pm, pstars, 0};
    pm[0] = tl_ease_movie_of(m, 0), pm[1] = tl_ease_movie_of(m, 1), pstars[0] = 5.0f, pstars[1] = 4.0f;
    prof.n = 2;
    tl_foldin_options fo;
    tl_foldin_options_default(&fo);
    CHECK_INT(tl_scorer_fold_in(sc, &prof, &fo, state, &err), TL_OK);
    tl_scorer_score(sc, state, 1, 0, nm, got, nm);
    ph[0] = 10, ph[1] = 8;
    CHECK_INT(tl_ease_score(m, pm, ph, 2, want, &err), TL_OK);
    CHECK(!memcmp(want, got, nm * 4));
    float contrib[2];
    uint32_t target = tl_ease_movie_of(m, 2);
    CHECK_INT(tl_scorer_explain(sc, state, &prof, &target, 1, contrib, &err), TL_OK);
    CHECK(contrib[0] == tl_ease_weight(m, pm[0], target) * 1.0f);
    CHECK(contrib[1] == tl_ease_weight(m, pm[1], target) * 1.0f);
    tl_scored top[5];
    uint32_t n_top = 0;
    CHECK_INT(tl_ease_similar(m, pm[0], 5, top, &n_top, &err), TL_OK);
    CHECK_INT(tl_scorer_similar(sc, pm[0], got, &err), TL_OK);
    for (uint32_t k = 0; k < n_top; k++) CHECK(got[top[k].index] == top[k].score);
    CHECK_INT(tl_scorer_similar(sc, nm - 1, got, &err), TL_E_STATE); /* never rated: outside */

    /* protocol B through tl_eval_setup_run = the bench's path */
    tl_eval_options eo;
    tl_eval_options_default(&eo);
    tl_eval_setup *es = NULL;
    tl_metrics mt;
    CHECK_INT(tl_eval_setup_new(ds, sp->train, sp->n_train, sp->test, sp->n_test, &eo, &es, &err), TL_OK);
    CHECK_INT(tl_eval_setup_run(es, sc, &mt, &err), TL_OK);
    double ndcg;
    uint32_t users;
    double recall = bench_recall(ds, sp, m, &ndcg, &users);
    printf("ease type: recall@20 %.6f ndcg@10 %.6f (%u users); bench path %.6f %.6f (%u)\n", mt.recall_at_20,
           mt.ndcg_at_10, mt.users_evaluated, recall, ndcg, users);
    CHECK(mt.recall_at_20 == recall);
    CHECK(mt.ndcg_at_10 == ndcg);
    CHECK_INT(mt.users_evaluated, users);
    CHECK(recall > 0.0);

    /* a min_count no movie reaches is refused when the trainer is made */
    tl_train_config cfg;
    CHECK_INT(tl_train_config_preset(&cfg, "ease", &err), TL_OK);
    cfg.ease_min_count = 1000;
    tl_trainer *none = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &none, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "no movie has 1000 train ratings");
    CHECK(none == NULL);
    cfg.ease_min_count = 0;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &none, &err), TL_E_ARG);
    cfg.ease_min_count = 5;
    cfg.ease_lambda = 0.0f;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &none, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "EASE lambda");

    tl_eval_setup_free(es);
    tl__rows_by_user_free(&fu);
    free(pm), free(prow), free(ph), free(pstars), free(want), free(got), free(got2), free(state);
    tl_scorer_free(sc);
    tl_model_file_free(mf);
    tl_ease_free(m);
    tl_trainer_free(tr);
    tl_trainer_free(tr3);
    tl_split_free(sp);
    free_dataset(ds);
}

/* On data/demo preset ease beats popularity on protocol B. */
static void test_demo_type(void)
{
    tl_error err;
    tl_dataset *ds = NULL;
    tl_split *sp = NULL;
    CHECK_INT(load_demo(&ds, &err), TL_OK);
    if (!ds) return;
    tl_split_options so;
    tl_split_options_default(&so);
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    tl_trainer *tr = sp ? train_ease(ds, sp, 0, 2) : NULL;
    tl_scorer *sc = NULL, *pop = NULL;
    float *counts = NULL;
    if (tr) CHECK_INT(tl_trainer_open(tr, ds, &sc, &err), TL_OK);
    CHECK_INT(tl_popularity_counts(ds, sp->train, sp->n_train, &counts, &err), TL_OK);
    CHECK_INT(tl_popularity_scorer_new(ds, counts, &pop, &err), TL_OK);
    if (sc && pop) {
        tl_eval_options eo;
        tl_eval_options_default(&eo);
        tl_eval_setup *es = NULL;
        tl_metrics me, mp;
        CHECK_INT(tl_eval_setup_new(ds, sp->train, sp->n_train, sp->test, sp->n_test, &eo, &es, &err), TL_OK);
        CHECK_INT(tl_eval_setup_run(es, sc, &me, &err), TL_OK);
        CHECK_INT(tl_eval_setup_run(es, pop, &mp, &err), TL_OK);
        printf("demo: ease recall@20 %.4f ndcg@10 %.4f; popularity %.4f %.4f; hash %016llx\n", me.recall_at_20,
               me.ndcg_at_10, mp.recall_at_20, mp.ndcg_at_10, (unsigned long long)tl_trainer_hash(tr));
        CHECK(tl_trainer_hash(tr) == 0x826f5ee28f118f7eull); /* the CLI's model hash (tests/cli/ease.sh) */
        CHECK(me.recall_at_20 >= 1.5 * mp.recall_at_20);
        CHECK(me.ndcg_at_10 >= 1.5 * mp.ndcg_at_10);
        tl_eval_setup_free(es);
    }
    tl_scorer_free(sc);
    tl_scorer_free(pop);
    free(counts);
    tl_trainer_free(tr);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

int main(void)
{
    test_golden_hash();
    test_reference();
    test_threads();
    test_score_explain_similar();
    test_explain_liked_only();
    test_bad_inputs();
    test_model_type();
    test_demo_type();
    return check_report("test_ease");
}
