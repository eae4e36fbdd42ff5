/* The blocked, threaded evaluation gives the same numbers, bit for bit, on
 * 1, 2 and 3 threads, through tl_eval_retrieval and a shared tl_eval_setup,
 * as a straightforward reference: every score by tl_dot_scalar, a full
 * sort of each user's ranking and a count of the scores above each test
 * score, summed in user order as documented (docs/evaluation.md). Several
 * blocks of users and chunks of movies, a dimension with a tail, exact ties
 * (small integer embeddings), movies outside the catalogue, a NaN user, and
 * the samples (max_users, max_rows). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "eval/eval_internal.h"
#include "eval_fixture.h"
#include "popularity_fixture.h"
#include "towerlens/kernels.h"
#include "towerlens/pool.h"

static float score(const tl_embeddings *e, uint32_t u, uint32_t m)
{
    return tl_dot_scalar(e->users + (size_t)u * e->ld_users, e->movies + (size_t)m * e->ld_movies, e->dim);
}

/* The documented protocols, the slow and obvious way. */
static void reference(const tl_dataset *ds, const uint32_t *train, uint32_t n_train, const uint32_t *test,
                      uint32_t n_test, const tl_embeddings *e, const tl_eval_options *o, tl_metrics *m)
{
    memset(m, 0, sizeof *m);
    uint32_t U = ds->n_users, M = ds->n_movies;
    uint32_t *users = calloc(U + 1, sizeof *users), n_users = 0;
    uint8_t *keep = calloc(U + 1, 1);
    for (uint32_t u = 0; u < U; u++)
        for (uint32_t i = 0; i < n_test; i++)
            if (ds->r_user[test[i]] == u) {
                users[n_users++] = u;
                break;
            }
    uint32_t n_eval = n_users;
    if (o->max_users && n_users > o->max_users) {
        tl__eval_sample(users, n_users, o->max_users, o->seed + 1);
        n_eval = o->max_users;
        m->sampled = 1;
    }
    for (uint32_t i = 0; i < n_eval; i++) keep[users[i]] = 1;

    /* protocol A */
    uint32_t *rows = malloc((n_test + 1) * sizeof *rows), n_rows = 0;
    for (uint32_t i = 0; i < n_test; i++)
        if (keep[ds->r_user[test[i]]]) rows[n_rows++] = test[i];
    if (o->max_rows && n_rows > o->max_rows) {
        tl__eval_sample(rows, n_rows, o->max_rows, o->seed);
        n_rows = o->max_rows;
        m->sampled = 1;
    }
    const uint32_t ks[5] = {1, 5, 10, 50, 100};
    uint64_t hits[5] = {0};
    for (uint32_t r = 0; r < n_rows; r++) {
        uint32_t u = ds->r_user[rows[r]];
        float s = score(e, u, ds->r_movie[rows[r]]);
        if (s != s) continue;
        uint32_t above = 0;
        for (uint32_t c = 0; c < M; c++) above += ds->movies[c].in_catalogue && score(e, u, c) > s;
        for (int k = 0; k < 5; k++) hits[k] += above < ks[k];
    }
    for (int k = 0; k < 5; k++) m->top[k] = n_rows ? (double)hits[k] / n_rows : 0.0;
    m->rows_evaluated = n_rows;
    m->rows_total = n_test;

    /* protocol B */
    uint8_t *covered = calloc(M, 1), *seen = malloc(M), *rel = malloc(M);
    fixture_ranked *items = malloc(M * sizeof *items);
    double recall = 0, n10 = 0, n100 = 0;
    uint32_t counted = 0, n_cat = 0, n_cov = 0;
    for (uint32_t c = 0; c < M; c++) n_cat += ds->movies[c].in_catalogue;
    for (uint32_t i = 0; i < n_eval; i++) {
        uint32_t u = users[i];
        memset(seen, 0, M);
        memset(rel, 0, M);
        for (uint32_t r = 0; r < n_train; r++)
            if (ds->r_user[train[r]] == u) seen[ds->r_movie[train[r]]] = 1;
        uint32_t n_rel = 0;
        for (uint32_t r = 0; r < n_test; r++) {
            uint32_t mv = ds->r_movie[test[r]];
            if (ds->r_user[test[r]] == u && ds->movies[mv].in_catalogue && !seen[mv] && !rel[mv]) rel[mv] = 1, n_rel++;
        }
        if (!n_rel) continue;
        uint32_t n = 0;
        for (uint32_t c = 0; c < M; c++) {
            float s = score(e, u, c);
            if (ds->movies[c].in_catalogue && !seen[c] && s == s) items[n].s = s, items[n++].i = c;
        }
        qsort(items, n, sizeof *items, fixture_ranked_cmp);
        uint32_t hits20 = 0;
        double d10 = 0, d100 = 0, i10 = 0, i100 = 0;
        for (uint32_t k = 0; k < n && k < 100; k++) {
            if (k < 10 && !covered[items[k].i]) covered[items[k].i] = 1, n_cov++;
            if (!rel[items[k].i]) continue;
            hits20 += k < 20;
            if (k < 10) d10 += 1.0 / log2(k + 2.0);
            d100 += 1.0 / log2(k + 2.0);
        }
        for (uint32_t k = 0; k < n_rel && k < 100; k++) {
            if (k < 10) i10 += 1.0 / log2(k + 2.0);
            i100 += 1.0 / log2(k + 2.0);
        }
        recall += (double)hits20 / (n_rel < 20 ? n_rel : 20);
        n10 += d10 / i10;
        n100 += d100 / i100;
        counted++;
    }
    m->users_evaluated = counted;
    m->users_total = n_users;
    if (counted) {
        m->recall_at_20 = recall / counted;
        m->ndcg_at_10 = n10 / counted;
        m->ndcg_at_100 = n100 / counted;
    }
    m->coverage_at_10 = (double)n_cov / n_cat;
    free(users), free(keep), free(rows), free(covered), free(seen), free(rel), free(items);
}

/* Bit for bit: every double and count of the two. */
static int same_metrics(const tl_metrics *a, const tl_metrics *b)
{
    int same = 1;
    for (int k = 0; k < 5; k++) same &= memcmp(&a->top[k], &b->top[k], sizeof(double)) == 0;
    same &= memcmp(&a->recall_at_20, &b->recall_at_20, sizeof(double)) == 0;
    same &= memcmp(&a->ndcg_at_10, &b->ndcg_at_10, sizeof(double)) == 0;
    same &= memcmp(&a->ndcg_at_100, &b->ndcg_at_100, sizeof(double)) == 0;
    same &= memcmp(&a->coverage_at_10, &b->coverage_at_10, sizeof(double)) == 0;
    same &= a->rows_evaluated == b->rows_evaluated && a->users_evaluated == b->users_evaluated;
    same &= a->rows_total == b->rows_total && a->users_total == b->users_total && a->sampled == b->sampled;
    return same;
}

static void check_case(const tl_dataset *ds, const uint32_t *train, uint32_t n_train, const uint32_t *test,
                       uint32_t n_test, const tl_embeddings *e, tl_pool **pools, uint32_t max_users, uint32_t max_rows,
                       uint64_t seed)
{
    tl_eval_options o;
    tl_eval_options_default(&o);
    o.max_users = max_users;
    o.max_rows = max_rows;
    o.seed = seed;
    tl_metrics ref;
    reference(ds, train, n_train, test, n_test, e, &o, &ref);
    CHECK(ref.users_evaluated > 0 && ref.top[4] > 0);
    tl_error err;
    for (int t = -1; t < 3; t++) { /* no pool, then pools of 1, 2, 3 threads */
        o.pool = t < 0 ? NULL : pools[t];
        tl_metrics m, via_setup;
        CHECK_INT(tl_eval_retrieval(ds, train, n_train, test, n_test, e, &o, &m, &err), TL_OK);
        CHECK(same_metrics(&m, &ref));
        tl_eval_setup *s = NULL;
        tl_scorer *sc = NULL;
        CHECK_INT(tl_embed_scorer_new(ds, e, &sc, &err), TL_OK);
        CHECK_INT(tl_eval_setup_new(ds, train, n_train, test, n_test, &o, &s, &err), TL_OK);
        CHECK_INT(tl_eval_setup_run(s, sc, &via_setup, &err), TL_OK);
        CHECK_INT(tl_eval_setup_run(s, sc, &via_setup, &err), TL_OK); /* a set-up runs again alike */
        CHECK(same_metrics(&via_setup, &ref));
        tl_eval_setup_free(s);
        tl_scorer_free(sc);
    }
}

int main(void)
{
    /* several blocks of 64 users, several chunks of 256 movies (and a part) */
    enum { U = 200, M = 600, CAT = 560, R = 16000, NTRAIN = 12000 };
    uint64_t rs = 2024;
    uint32_t *t = malloc(R * 3 * sizeof *t);
    for (uint32_t i = 0; i < R; i++) {
        t[3 * i] = (uint32_t)(fixture_lcg(&rs) % U);
        t[3 * i + 1] = (uint32_t)((fixture_lcg(&rs) % M) * (fixture_lcg(&rs) % M) / M); /* popular low indices */
        t[3 * i + 2] = 1 + (uint32_t)(fixture_lcg(&rs) % 10);
    }
    tl_dataset *ds = fixture_dataset(U, M, CAT, t, R);
    free(t);
    for (uint32_t m = 0; m < M; m += 37) ds->movies[m].in_catalogue = 0; /* holes inside the catalogue too */
    uint32_t *train = fixture_range(0, NTRAIN), *test = fixture_range(NTRAIN, R);
    tl_pool *pools[3] = {NULL, NULL, NULL};
    tl_error err;
    for (uint32_t i = 0; i < 3; i++) CHECK_INT(tl_pool_new(i + 1, &pools[i], &err), TL_OK);

    const uint32_t dims[2] = {5, 16};
    for (int di = 0; di < 2; di++) {
        uint32_t D = dims[di];
        float *users = malloc((size_t)(U + 1) * D * sizeof *users),
              *movies = malloc((size_t)(M + 1) * D * sizeof *movies);
        for (uint32_t i = 0; i < (U + 1) * D; i++) users[i] = (float)((int)(fixture_lcg(&rs) % 7) - 3);
        for (uint32_t i = 0; i < (M + 1) * D; i++) movies[i] = (float)((int)(fixture_lcg(&rs) % 7) - 3);
        if (di == 1) { /* real-valued scores, and a user whose scores are all NaN */
            for (uint32_t i = 0; i < (U + 1) * D; i++)
                users[i] = users[i] * 0.37f + (float)(fixture_lcg(&rs) % 1000) * 1e-3f;
            for (uint32_t i = 0; i < (M + 1) * D; i++)
                movies[i] = movies[i] * 0.21f - (float)(fixture_lcg(&rs) % 1000) * 1e-3f;
            users[7 * D + 2] = NAN;
        }
        tl_embeddings e = {users, movies, D, D, D};
        check_case(ds, train, NTRAIN, test, R - NTRAIN, &e, pools, 0, 0, 42);    /* everything */
        check_case(ds, train, NTRAIN, test, R - NTRAIN, &e, pools, 150, 0, 7);   /* a user sample */
        check_case(ds, train, NTRAIN, test, R - NTRAIN, &e, pools, 90, 900, 3);  /* and a row sample */
        check_case(ds, train, NTRAIN, test, R - NTRAIN, &e, pools, 0, 1500, 11); /* rows only */
        free(users), free(movies);
    }
    /* popularity: d = 1, ties everywhere */
    float *pu = NULL, *pm = NULL;
    CHECK_INT(popularity_tables(ds, train, NTRAIN, &pu, &pm, &err), TL_OK);
    tl_embeddings pe = {pu, pm, 1, 1, 1};
    check_case(ds, train, NTRAIN, test, R - NTRAIN, &pe, pools, 0, 0, 42);
    check_case(ds, train, NTRAIN, test, R - NTRAIN, &pe, pools, 120, 800, 5);
    /* the popularity model type (no embeddings) gives the same numbers */
    tl_eval_options o;
    tl_eval_options_default(&o);
    tl_metrics as_tables, as_type;
    tl_scorer *ps = NULL;
    tl_eval_setup *s = NULL;
    CHECK_INT(tl_popularity_scorer_new(ds, pm, &ps, &err), TL_OK);
    CHECK_INT(tl_eval_retrieval(ds, train, NTRAIN, test, R - NTRAIN, &pe, &o, &as_tables, &err), TL_OK);
    CHECK_INT(tl_eval_setup_new(ds, train, NTRAIN, test, R - NTRAIN, &o, &s, &err), TL_OK);
    CHECK_INT(tl_eval_setup_run(s, ps, &as_type, &err), TL_OK);
    CHECK(as_type.recall_at_20 > 0 && same_metrics(&as_type, &as_tables));
    tl_eval_setup_free(s);
    tl_scorer_free(ps);
    free(pu), free(pm);

    for (int i = 0; i < 3; i++) tl_pool_free(pools[i]);
    free(train), free(test);
    tl_dataset_free(ds);
    return check_report("test_eval_threads");
}
