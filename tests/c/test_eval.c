/* Evaluation protocols A and B on hand-built data with hand-computed
 * expectations: ties, seen exclusion, movies outside the catalogue,
 * duplicates, sampling, popularity and the JSON form. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "eval/eval_internal.h"
#include "eval_fixture.h"
#include "popularity_fixture.h"
#include "towerlens/eval.h"
#include "towerlens/kernels.h"
#include "towerlens/seen.h"
#include "towerlens/topk.h"

static tl_embeddings emb1(const float *users, const float *movies)
{
    tl_embeddings e = {users, movies, 1, 1, 1};
    return e;
}

/* 121 movies, movie m scores m for every user; movie 120 is outside the
 * catalogue with score 1000, so it must not shift any count. */
static void test_protocol_a_ranks(void)
{
    uint32_t t[13 * 3];
    const uint32_t u0[9] = {119, 118, 114, 110, 109, 70, 69, 20, 19}; /* above: 0 1 5 9 10 49 50 99 100 */
    const uint32_t u1[4] = {119, 114, 19, 120};                       /* above: 0 5 100 0 */
    uint32_t n = 0;
    for (int i = 0; i < 9; i++, n++) t[3 * n] = 0, t[3 * n + 1] = u0[i], t[3 * n + 2] = 8;
    for (int i = 0; i < 4; i++, n++) t[3 * n] = 1, t[3 * n + 1] = u1[i], t[3 * n + 2] = 8;
    tl_dataset *ds = fixture_dataset(2, 121, 120, t, n);
    float users[3] = {1, 1, 1}, movies[122];
    for (int m = 0; m < 120; m++) movies[m] = (float)m;
    movies[120] = 1000;
    movies[121] = 0;
    tl_embeddings e = emb1(users, movies);
    uint32_t *test = fixture_range(0, n);
    tl_eval_options opt;
    tl_eval_options_default(&opt);
    opt.protocol_b = 0;
    tl_metrics m;
    tl_error err;
    CHECK_INT(tl_eval_retrieval(ds, NULL, 0, test, n, &e, &opt, &m, &err), TL_OK);
    /* a count of 99 is a hit at 100, a count of 100 a miss: the kept best 100 decide */
    CHECK_NEAR(m.top[0], 3.0 / 13, 1e-12);
    CHECK_NEAR(m.top[1], 4.0 / 13, 1e-12);
    CHECK_NEAR(m.top[2], 7.0 / 13, 1e-12);
    CHECK_NEAR(m.top[3], 9.0 / 13, 1e-12);
    CHECK_NEAR(m.top[4], 11.0 / 13, 1e-12);
    CHECK_INT(m.rows_evaluated, 13);
    CHECK_INT(m.sampled, 0);
    free(test);
    tl_dataset_free(ds);
}

/* Ties are not "strictly higher": equal scores all count as hits at 1. */
static void test_protocol_a_ties(void)
{
    const uint32_t t[] = {0, 0, 8, 0, 1, 8, 0, 2, 8, 1, 0, 8, 1, 4, 8};
    tl_dataset *ds = fixture_dataset(2, 5, 5, t, 5);
    float users[3] = {1, -1, 0}, movies[6] = {5, 4, 4, 2, 1, 0};
    tl_embeddings e = emb1(users, movies);
    uint32_t test[5] = {0, 1, 2, 3, 4};
    tl_eval_options opt;
    tl_eval_options_default(&opt);
    opt.protocol_b = 0;
    tl_metrics m;
    tl_error err;
    CHECK_INT(tl_eval_retrieval(ds, NULL, 0, test, 5, &e, &opt, &m, &err), TL_OK);
    /* above: u0 m0 -> 0, u0 m1 -> 1, u0 m2 -> 1 (its tie m1 is not above), u1 m0 -> 4, u1 m4 -> 0 */
    CHECK_NEAR(m.top[0], 2.0 / 5, 1e-12);
    CHECK_NEAR(m.top[1], 1.0, 1e-12);

    float flat[6] = {3, 3, 3, 3, 3, 0};
    e = emb1(users, flat);
    users[1] = 1;
    CHECK_INT(tl_eval_retrieval(ds, NULL, 0, test, 5, &e, &opt, &m, &err), TL_OK);
    CHECK_NEAR(m.top[0], 1.0, 1e-12);
    tl_dataset_free(ds);
}

/* 31 movies; movie m scores 30 - m, movie 30 (outside the catalogue) 100.
 * user 0: train {0, 2}, test {1, 25, 25, 30}; user 1: train {1}, test {1, 5};
 * user 2: train {1}, test {1} (nothing rankable: skipped); user 3: nothing. */
static tl_dataset *protocol_b_data(uint32_t *n_train, uint32_t *n_test)
{
    const uint32_t t[] = {
        0, 0, 8, 0, 2,  8, 1, 1,  8, 2, 1,  8,                            /* train rows 0..3 */
        0, 1, 8, 0, 25, 8, 0, 25, 6, 0, 30, 8, 1, 1, 8, 1, 5, 8, 2, 1, 8, /* test rows 4..10 */
    };
    *n_train = 4;
    *n_test = 7;
    return fixture_dataset(4, 31, 30, t, 11);
}

static void test_protocol_b_hand(void)
{
    uint32_t n_train, n_test;
    tl_dataset *ds = protocol_b_data(&n_train, &n_test);
    float users[5] = {1, 1, 1, 1, 1}, movies[32];
    for (int m = 0; m < 30; m++) movies[m] = (float)(30 - m);
    movies[30] = 100;
    movies[31] = 0;
    tl_embeddings e = emb1(users, movies);
    uint32_t *train = fixture_range(0, 4), *test = fixture_range(4, 11);
    tl_metrics m;
    tl_error err;
    CHECK_INT(tl_eval_retrieval(ds, train, n_train, test, n_test, &e, NULL, &m, &err), TL_OK);
    double n0_10 = 1.0 / (1.0 + 1.0 / log2(3.0));
    double n0_100 = (1.0 + 1.0 / log2(25.0)) / (1.0 + 1.0 / log2(3.0));
    double n1 = 1.0 / log2(6.0);
    CHECK_INT(m.users_evaluated, 2);
    CHECK_NEAR(m.recall_at_20, (0.5 + 1.0) / 2, 1e-12);
    CHECK_NEAR(m.ndcg_at_10, (n0_10 + n1) / 2, 1e-12);
    CHECK_NEAR(m.ndcg_at_100, (n0_100 + n1) / 2, 1e-12);
    /* top 10s: user 0 {1, 3..11}, user 1 {0, 2..10}: 12 distinct of 30 */
    CHECK_NEAR(m.coverage_at_10, 12.0 / 30, 1e-12);
    /* protocol A on the same rows: above = u0: m1 1, m25 23, m25 23, m30 0;
     * u1: m1 1, m5 5; u2: m1 1 (train movies are not excluded in A) */
    CHECK_NEAR(m.top[0], 1.0 / 7, 1e-12);
    CHECK_NEAR(m.top[1], 4.0 / 7, 1e-12);
    CHECK_NEAR(m.top[3], 1.0, 1e-12);
    CHECK_INT(m.rows_evaluated, 7);
    free(train);
    free(test);
    tl_dataset_free(ds);
}

/* Equal scores rank the lower dense index first, so results are fixed. */
static void test_protocol_b_ties(void)
{
    const uint32_t t[] = {0, 9, 8, 0, 10, 8};
    tl_dataset *ds = fixture_dataset(1, 15, 15, t, 2);
    float users[2] = {1, 1}, movies[16];
    for (int i = 0; i < 16; i++) movies[i] = 1;
    tl_embeddings e = emb1(users, movies);
    uint32_t test[2] = {0, 1};
    tl_eval_options opt;
    tl_eval_options_default(&opt);
    opt.protocol_a = 0;
    tl_metrics m;
    tl_error err;
    CHECK_INT(tl_eval_retrieval(ds, NULL, 0, test, 2, &e, &opt, &m, &err), TL_OK);
    CHECK_NEAR(m.recall_at_20, 1.0, 1e-12);
    CHECK_NEAR(m.ndcg_at_10, (1.0 / log2(11.0)) / (1.0 + 1.0 / log2(3.0)), 1e-12);
    CHECK_NEAR(m.coverage_at_10, 10.0 / 15, 1e-12);
    CHECK_INT(m.rows_evaluated, 0);
    tl_dataset_free(ds);
}

static void test_topk_heap(void)
{
    tl_scored store[4];
    tl_topk t;
    tl_topk_init(&t, store, 4);
    const float s[] = {0.5f, 2.0f, 2.0f, NAN, -1.0f, 3.0f, 2.0f, 0.5f};
    for (uint32_t i = 0; i < 8; i++) tl_topk_push(&t, 10 + i, s[i]);
    CHECK_INT(tl_topk_finish(&t), 4);
    CHECK_INT(store[0].index, 15);
    CHECK_INT(store[1].index, 11);
    CHECK_INT(store[2].index, 12);
    CHECK_INT(store[3].index, 16);
    tl_topk_init(&t, store, 4);
    tl_topk_push(&t, 3, 1.0f);
    tl_topk_push(&t, 1, 1.0f);
    CHECK_INT(tl_topk_finish(&t), 2);
    CHECK_INT(store[0].index, 1);
    CHECK_INT(store[1].index, 3);
}

/* pushing a run of ascending indices at once keeps the same heap as one at a time */
static void test_topk_ascending(void)
{
    uint64_t s = 3;
    for (uint32_t round = 0; round < 200; round++) {
        uint32_t n = (uint32_t)(fixture_lcg(&s) % 70), k = (uint32_t)(fixture_lcg(&s) % 25), idx[70];
        float v[70];
        for (uint32_t i = 0; i < n; i++) {
            idx[i] = 5 + 3 * i; /* ascending, with gaps */
            uint32_t r = (uint32_t)(fixture_lcg(&s) % 16);
            v[i] = r == 0 ? NAN : (float)(r % 6); /* many ties, some NaN */
        }
        tl_scored a[25], b[25];
        tl_topk ta, tb;
        tl_topk_init(&ta, a, k), tl_topk_init(&tb, b, k);
        for (uint32_t i = 0; i < n; i++) tl_topk_push(&ta, idx[i], v[i]);
        tl_topk_push_ascending(&tb, idx, v, n);
        uint32_t na = tl_topk_finish(&ta), nb = tl_topk_finish(&tb);
        CHECK_INT(nb, na);
        for (uint32_t i = 0; i < na && i < nb; i++) CHECK(a[i].index == b[i].index && a[i].score == b[i].score);
    }
}

static void test_seen_sets(void)
{
    const uint32_t t[] = {1, 4, 8, 0, 2, 8, 1, 0, 8, 1, 4, 2, 0, 2, 6, 2, 3, 8};
    tl_dataset *ds = fixture_dataset(3, 5, 5, t, 6);
    uint32_t rows[5] = {0, 1, 2, 3, 4}; /* row 5 (user 2) left out */
    tl_seen *s = NULL;
    tl_error err;
    CHECK_INT(tl_seen_new(ds, rows, 5, &s, &err), TL_OK);
    uint32_t n;
    const uint32_t *v = tl_seen_movies(s, 1, &n);
    CHECK_INT(n, 2); /* {0, 4}, the repeat of 4 dropped */
    CHECK_INT(v[0], 0);
    CHECK_INT(v[1], 4);
    tl_seen_movies(s, 0, &n);
    CHECK_INT(n, 1);
    tl_seen_movies(s, 2, &n);
    CHECK_INT(n, 0);
    CHECK(tl_seen_contains(s, 1, 4));
    CHECK(!tl_seen_contains(s, 1, 2));
    CHECK(!tl_seen_contains(s, 2, 3));
    tl_seen_free(s);
    rows[2] = 6;
    CHECK_INT(tl_seen_new(ds, rows, 5, &s, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "row 6 is out of range");
    tl_dataset_free(ds);
}

static void test_sampling(void)
{
    uint32_t v[10];
    for (uint32_t i = 0; i < 10; i++) v[i] = i;
    tl__eval_sample(v, 10, 3, 7); /* splitmix64(7), partial Fisher-Yates, sorted */
    CHECK_INT(v[0], 0);
    CHECK_INT(v[1], 4);
    CHECK_INT(v[2], 7);

    /* 40 users x 5 ratings over 60 movies with a fixed pattern */
    uint32_t t[200 * 3];
    for (uint32_t i = 0; i < 200; i++) {
        t[3 * i] = i / 5;
        t[3 * i + 1] = (i * 37 + (i / 5) * 11) % 60;
        t[3 * i + 2] = 1 + i % 10;
    }
    tl_dataset *ds = fixture_dataset(40, 60, 60, t, 200);
    float users[41], movies[61];
    for (int u = 0; u <= 40; u++) users[u] = (float)((u % 7) - 3);
    for (int m = 0; m <= 60; m++) movies[m] = (float)((m * 13) % 17);
    tl_embeddings e = emb1(users, movies);
    uint32_t *train = fixture_range(0, 120), *test = fixture_range(120, 200);
    tl_eval_options opt;
    tl_eval_options_default(&opt);
    opt.max_rows = 25;
    opt.max_users = 6;
    opt.seed = 9;
    tl_metrics a, b;
    tl_error err;
    CHECK_INT(tl_eval_retrieval(ds, train, 120, test, 80, &e, &opt, &a, &err), TL_OK);
    CHECK_INT(tl_eval_retrieval(ds, train, 120, test, 80, &e, &opt, &b, &err), TL_OK);
    CHECK_INT(a.sampled, 1);
    CHECK_INT(a.rows_evaluated, 25);
    CHECK(a.users_evaluated <= 6 && a.users_evaluated > 0);
    CHECK_INT(a.rows_total, 80);
    CHECK_INT(a.users_total, 16); /* test rows 120..199 belong to users 24..39 */
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    {
        tl_buf j;
        tl_buf_init(&j);
        tl_eval_coverage_json(&a, &opt, &j);
        char want[200];
        snprintf(want, sizeof want,
                 "{\"rows\":25,\"users\":%u,\"rows_total\":80,\"users_total\":16,\"sampled\":true,"
                 "\"max_rows\":25,\"max_users\":6,\"seed\":9}",
                 a.users_evaluated);
        CHECK(j.len == strlen(want) && memcmp(j.data, want, j.len) == 0);
        tl_buf_free(&j);
    }

    /* the sampled run equals a full run over the documented sample: 6 of the
     * 16 test users drawn with seed + 1, their test rows (5 each, in input
     * order), then 25 of those 30 rows drawn with seed */
    uint32_t picked[16], rows[80], n_rows = 0;
    for (uint32_t i = 0; i < 16; i++) picked[i] = 24 + i;
    tl__eval_sample(picked, 16, 6, 10);
    for (uint32_t i = 0; i < 80; i++)
        for (uint32_t k = 0; k < 6; k++)
            if (ds->r_user[test[i]] == picked[k]) rows[n_rows++] = test[i];
    CHECK_INT(n_rows, 30);
    tl__eval_sample(rows, n_rows, 25, 9);
    tl_eval_options full;
    tl_eval_options_default(&full);
    full.protocol_b = 0;
    CHECK_INT(tl_eval_retrieval(ds, train, 120, rows, 25, &e, &full, &b, &err), TL_OK);
    for (int k = 0; k < 5; k++) CHECK_NEAR(a.top[k], b.top[k], 0);
    CHECK_INT(b.sampled, 0);

    /* users only: protocol A on every test row of the 6 sampled users */
    opt.max_rows = 0;
    CHECK_INT(tl_eval_retrieval(ds, train, 120, test, 80, &e, &opt, &a, &err), TL_OK);
    CHECK_INT(a.sampled, 1);
    CHECK_INT(a.rows_evaluated, 30);
    CHECK_INT(a.rows_total, 80);
    CHECK_INT(tl_eval_retrieval(ds, train, 120, rows, 30, &e, &full, &b, &err), TL_OK);
    CHECK_INT(b.rows_evaluated, 30);
    for (int k = 0; k < 5; k++) CHECK_NEAR(a.top[k], b.top[k], 0);

    /* limits at or above the sizes sample nothing */
    opt.max_rows = 80;
    opt.max_users = 1000;
    CHECK_INT(tl_eval_retrieval(ds, train, 120, test, 80, &e, &opt, &a, &err), TL_OK);
    CHECK_INT(a.sampled, 0);
    CHECK_INT(a.rows_evaluated, 80);
    free(train);
    free(test);
    tl_dataset_free(ds);
}

static void test_popularity(void)
{
    uint32_t n_train, n_test;
    tl_dataset *ds = protocol_b_data(&n_train, &n_test);
    uint32_t train[6] = {0, 1, 2, 3, 4, 8};
    float *u = NULL, *mv = NULL;
    tl_error err;
    CHECK_INT(popularity_tables(ds, train, 6, &u, &mv, &err), TL_OK);
    CHECK_NEAR(u[0], 1.0, 0);
    CHECK_NEAR(u[4], 1.0, 0); /* the out-of-vocabulary row */
    CHECK_NEAR(mv[0], 1.0, 0);
    CHECK_NEAR(mv[1], 4.0, 0);
    CHECK_NEAR(mv[2], 1.0, 0);
    CHECK_NEAR(mv[3], 0.0, 0);
    CHECK_NEAR(mv[30], 0.0, 0);
    CHECK_NEAR(mv[31], 0.0, 0);
    free(u);
    free(mv);
    train[5] = 11;
    CHECK_INT(popularity_tables(ds, train, 6, &u, &mv, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "train row 11 is out of range");
    CHECK(u == NULL && mv == NULL);
    tl_dataset_free(ds);
}

static void test_errors(void)
{
    uint32_t n_train, n_test;
    tl_dataset *ds = protocol_b_data(&n_train, &n_test);
    float users[5] = {1}, movies[32] = {1};
    tl_embeddings e = emb1(users, movies);
    uint32_t rows[2] = {0, 99};
    tl_metrics m;
    tl_error err;
    CHECK_INT(tl_eval_retrieval(ds, rows, 1, rows, 2, &e, NULL, &m, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "test row 99 is out of range (the dataset has 11 ratings)");
    CHECK_INT(tl_eval_retrieval(ds, rows, 1, rows, 1, NULL, NULL, &m, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "embedding");
    e.dim = 0;
    CHECK_INT(tl_eval_retrieval(ds, rows, 1, rows, 1, &e, NULL, &m, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "dimension is 0");
    e.dim = 2;
    CHECK_INT(tl_eval_retrieval(ds, rows, 1, rows, 1, &e, NULL, &m, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "strides");
    e.dim = 1;
    CHECK_INT(tl_eval_retrieval(ds, rows, 1, rows, 1, &e, NULL, NULL, &err), TL_E_ARG);
    for (uint32_t i = 0; i < ds->n_movies; i++) ds->movies[i].in_catalogue = 0;
    CHECK_INT(tl_eval_retrieval(ds, rows, 1, rows, 1, &e, NULL, &m, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "no catalogue movies");
    tl_dataset_free(ds);
}

static void test_json(void)
{
    tl_metrics m = {0};
    m.top[0] = 0.25;
    m.top[4] = 1;
    m.recall_at_20 = 0.5;
    m.coverage_at_10 = 0.125;
    tl_buf b;
    tl_buf_init(&b);
    tl_metrics_json(&m, &b);
    CHECK_STR(b.data, "{\"top_1\":0.25,\"top_5\":0,\"top_10\":0,\"top_50\":0,\"top_100\":1,\"recall_at_20\":0.5,"
                      "\"ndcg_at_10\":0,\"ndcg_at_100\":0,\"coverage_at_10\":0.125}");
    tl_buf_reset(&b);
    m.has_rating = 1;
    m.rmse = 0.875;
    m.mae = NAN;
    tl_metrics_json(&m, &b);
    CHECK_CONTAINS(b.data, "\"coverage_at_10\":0.125,\"rmse\":0.875,\"mae\":null}");
    tl_buf_free(&b);
}

/* A brute-force reference (full sort of every user's ranking) against the
 * heap and binary-search paths on random data with many ties. */
static void test_against_reference(void)
{
    enum { U = 30, M = 150, CAT = 140, R = 1500, D = 3, NTRAIN = 1000 };
    uint64_t rs = 12345;
    uint32_t *t = malloc(R * 3 * sizeof *t);
    for (uint32_t i = 0; i < R; i++) {
        t[3 * i] = (uint32_t)(fixture_lcg(&rs) % U);
        t[3 * i + 1] = (uint32_t)(fixture_lcg(&rs) % M);
        t[3 * i + 2] = 1 + (uint32_t)(fixture_lcg(&rs) % 10);
    }
    tl_dataset *ds = fixture_dataset(U, M, CAT, t, R);
    free(t);
    float users[(U + 1) * D], movies[(M + 1) * D];
    /* small integers: many exact ties */
    for (int i = 0; i < (U + 1) * D; i++) users[i] = (float)((int)(fixture_lcg(&rs) % 5) - 2);
    for (int i = 0; i < (M + 1) * D; i++) movies[i] = (float)((int)(fixture_lcg(&rs) % 5) - 2);
    tl_embeddings e = {users, movies, D, D, D};
    uint32_t *train = fixture_range(0, NTRAIN), *test = fixture_range(NTRAIN, R);
    tl_metrics m;
    tl_error err;
    CHECK_INT(tl_eval_retrieval(ds, train, NTRAIN, test, R - NTRAIN, &e, NULL, &m, &err), TL_OK);

    /* protocol A */
    const uint32_t ks[5] = {1, 5, 10, 50, 100};
    double hits[5] = {0};
    for (uint32_t r = NTRAIN; r < R; r++) {
        const float *uv = users + ds->r_user[r] * D;
        float s = tl_dot_scalar(uv, movies + ds->r_movie[r] * D, D);
        uint32_t above = 0;
        for (uint32_t c = 0; c < CAT; c++) above += tl_dot_scalar(uv, movies + c * D, D) > s;
        for (int k = 0; k < 5; k++) hits[k] += above < ks[k];
    }
    for (int k = 0; k < 5; k++) CHECK_NEAR(m.top[k], hits[k] / (R - NTRAIN), 1e-12);

    /* protocol B */
    double recall = 0, n10 = 0, n100 = 0;
    uint32_t counted = 0;
    uint8_t covered[M] = {0};
    for (uint32_t u = 0; u < U; u++) {
        uint8_t seen[M] = {0}, rel[M] = {0};
        for (uint32_t r = 0; r < NTRAIN; r++)
            if (ds->r_user[r] == u) seen[ds->r_movie[r]] = 1;
        uint32_t n_rel = 0;
        for (uint32_t r = NTRAIN; r < R; r++) {
            uint32_t mv = ds->r_movie[r];
            if (ds->r_user[r] == u && mv < CAT && !seen[mv] && !rel[mv]) rel[mv] = 1, n_rel++;
        }
        if (!n_rel) continue;
        fixture_ranked items[M];
        uint32_t n = 0;
        for (uint32_t c = 0; c < CAT; c++)
            if (!seen[c]) items[n].s = tl_dot_scalar(users + u * D, movies + c * D, D), items[n++].i = c;
        qsort(items, n, sizeof *items, fixture_ranked_cmp);
        double hits20 = 0, d10 = 0, d100 = 0, i10 = 0, i100 = 0;
        for (uint32_t i = 0; i < n && i < 100; i++) {
            if (i < 10) covered[items[i].i] = 1;
            if (!rel[items[i].i]) continue;
            hits20 += i < 20;
            if (i < 10) d10 += 1 / log2(i + 2.0);
            d100 += 1 / log2(i + 2.0);
        }
        for (uint32_t i = 0; i < n_rel && i < 100; i++) {
            if (i < 10) i10 += 1 / log2(i + 2.0);
            i100 += 1 / log2(i + 2.0);
        }
        recall += hits20 / (n_rel < 20 ? n_rel : 20);
        n10 += d10 / i10;
        n100 += d100 / i100;
        counted++;
    }
    uint32_t n_cov = 0;
    for (uint32_t c = 0; c < M; c++) n_cov += covered[c];
    CHECK_INT(m.users_evaluated, counted);
    CHECK(counted > 20);
    CHECK_NEAR(m.recall_at_20, recall / counted, 1e-12);
    CHECK_NEAR(m.ndcg_at_10, n10 / counted, 1e-12);
    CHECK_NEAR(m.ndcg_at_100, n100 / counted, 1e-12);
    CHECK_NEAR(m.coverage_at_10, (double)n_cov / CAT, 1e-12);
    free(train);
    free(test);
    tl_dataset_free(ds);
}

int main(void)
{
    test_topk_heap();
    test_topk_ascending();
    test_seen_sets();
    test_protocol_a_ranks();
    test_protocol_a_ties();
    test_protocol_b_hand();
    test_protocol_b_ties();
    test_sampling();
    test_popularity();
    test_errors();
    test_json();
    test_against_reference();
    return check_report("test_eval");
}
