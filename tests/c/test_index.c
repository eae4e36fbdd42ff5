/* The serving index: top-k with exclusions and filters, similar movies,
 * fold-in (both solvers against independent references) and the fold-in
 * quality evaluation on synthetic embeddings. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "eval_fixture.h"
#include "towerlens/index.h"
#include "towerlens/kernels.h"

/* 10 movies (9 in the catalogue), 2 users, dim 2. Movie m = (m, 1) except
 * where noted; user 0 = (1, 0) ranks by m; user 1 = (-1, 0) by -m. */
static tl_dataset *small_data(void)
{
    const uint32_t t[] = {0, 8, 8, 0, 7, 8, 0, 7, 6, 1, 0, 8, 1, 1, 8};
    tl_dataset *ds = fixture_dataset(2, 10, 9, t, 5);
    ds->n_genres = 3; /* bits: 0 Comedy, 1 Drama, 2 Horror */
    for (uint32_t m = 0; m < 10; m++) {
        ds->movies[m].genres = 1ull << (m % 3);
        ds->movies[m].year = (int16_t)(m == 4 ? TL_NO_YEAR : 1990 + m);
    }
    return ds;
}

static float small_users[3 * 2] = {1, 0, -1, 0, 0, 0};
static float small_movies[11 * 2];

static void fill_small_movies(void)
{
    for (int m = 0; m < 11; m++) small_movies[2 * m] = (float)m, small_movies[2 * m + 1] = 1;
    small_movies[2 * 3] = 7;   /* movie 3 ties movie 7 for user 0 */
    small_movies[2 * 9] = 100; /* movie 9 is outside the catalogue: never returned */
}

static void test_top_k(void)
{
    tl_dataset *ds = small_data();
    fill_small_movies();
    tl_embeddings e = {small_users, small_movies, 2, 2, 2};
    tl_index *idx = NULL;
    tl_error err;
    CHECK_INT(tl_index_new_embeddings(ds, &e, &idx, &err), TL_OK);
    CHECK_INT(tl_index_catalogue_size(idx), 9);
    tl_scored out[9];
    uint32_t n = 0;
    CHECK_INT(tl_index_top_k(idx, small_users, 4, NULL, out, &n, &err), TL_OK);
    CHECK_INT(n, 4);
    CHECK_INT(out[0].index, 8);
    CHECK_INT(out[1].index, 3); /* ties with 7: the lower index first */
    CHECK_INT(out[2].index, 7);
    CHECK_INT(out[3].index, 6);
    CHECK_NEAR(out[0].score, 8.0, 0);

    /* recommend: user 0 has seen 7 and 8 (7 twice) */
    tl_seen *seen = NULL;
    CHECK_INT(tl_seen_new(ds, NULL, 5, &seen, &err), TL_OK);
    CHECK_INT(tl_index_recommend(idx, 0, seen, 3, NULL, out, &n, &err), TL_OK);
    CHECK_INT(n, 3);
    CHECK_INT(out[0].index, 3);
    CHECK_INT(out[1].index, 6);
    CHECK_INT(out[2].index, 5);
    CHECK_INT(tl_index_recommend(idx, 0, NULL, 1, NULL, out, &n, &err), TL_OK);
    CHECK_INT(out[0].index, 8); /* seen movies included */
    CHECK_INT(tl_index_recommend(idx, 1, seen, 2, NULL, out, &n, &err), TL_OK);
    CHECK_INT(out[0].index, 2);
    CHECK_INT(out[1].index, 4);

    /* filters: Drama (bit 1: movies 1, 4, 7), years 1993-1998 (4 has none), min ratings */
    tl_query q;
    tl_query_default(&q);
    q.genres = 1u << 1;
    CHECK_INT(tl_index_top_k(idx, small_users, 5, &q, out, &n, &err), TL_OK);
    CHECK_INT(n, 3);
    CHECK_INT(out[0].index, 7);
    CHECK_INT(out[1].index, 4);
    CHECK_INT(out[2].index, 1);
    q.year_min = 1991;
    q.year_max = 1996;
    CHECK_INT(tl_index_top_k(idx, small_users, 5, &q, out, &n, &err), TL_OK);
    CHECK_INT(n, 1); /* 1 (1991); 4 has no year, 7 is 1997 */
    CHECK_INT(out[0].index, 1);
    tl_query_default(&q);
    q.genres = (1u << 0) | (1u << 2); /* Comedy or Horror */
    q.year_max = 1995;
    CHECK_INT(tl_index_top_k(idx, small_users, 9, &q, out, &n, &err), TL_OK);
    CHECK_INT(n, 4); /* 5, 3, 2, 0 (4 has no year) */
    CHECK_INT(out[0].index, 3);
    CHECK_INT(out[1].index, 5);
    CHECK_INT(out[3].index, 0);
    tl_query_default(&q);
    q.min_ratings = 1;
    CHECK_INT(tl_index_top_k(idx, small_users, 9, &q, out, &n, &err), TL_OK);
    CHECK_INT(n, 4); /* rated: 0, 1, 7, 8 */
    CHECK_INT(out[0].index, 8);
    CHECK_INT(out[3].index, 0);
    uint32_t ex[2] = {8, 3};
    tl_query_default(&q);
    q.exclude = ex;
    q.n_exclude = 2;
    CHECK_INT(tl_index_recommend(idx, 0, seen, 2, &q, out, &n, &err), TL_OK);
    CHECK_INT(out[0].index, 6);
    CHECK_INT(out[1].index, 5);

    /* argument errors */
    CHECK_INT(tl_index_top_k(idx, small_users, 0, NULL, out, &n, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "k must be at least 1");
    CHECK_INT(tl_index_top_k(idx, small_users, 10, NULL, out, &n, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "k = 10 is larger than the catalogue (9 movies)");
    CHECK_INT(tl_index_top_k(idx, NULL, 1, NULL, out, &n, &err), TL_E_ARG);
    CHECK_INT(tl_index_top_k(idx, small_users, 1, NULL, NULL, &n, &err), TL_E_ARG);
    CHECK_INT(tl_index_top_k(NULL, small_users, 1, NULL, out, &n, &err), TL_E_ARG);
    CHECK_INT(tl_index_recommend(idx, 2, NULL, 1, NULL, out, &n, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "user index 2 is out of range (2 users)");
    ex[1] = 10;
    CHECK_INT(tl_index_top_k(idx, small_users, 1, &q, out, &n, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "excluded movie index 10 is out of range");
    tl_query_default(&q);
    q.year_min = 2000;
    q.year_max = 1990;
    CHECK_INT(tl_index_top_k(idx, small_users, 1, &q, out, &n, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "year range 2000-1990 is empty");
    tl_query_default(&q);
    q.genres = 1u << 3;
    CHECK_INT(tl_index_top_k(idx, small_users, 1, &q, out, &n, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "beyond the dataset's 3 genres");
    tl_embeddings bad = e;
    bad.ld_movies = 1;
    tl_index *idx2 = NULL;
    CHECK_INT(tl_index_new_embeddings(ds, &bad, &idx2, &err), TL_E_ARG);
    CHECK(idx2 == NULL);
    tl_seen_free(seen);
    tl_index_free(idx);
    tl_dataset_free(ds);
}

static void test_similar(void)
{
    tl_dataset *ds = fixture_dataset(1, 6, 5, NULL, 0);
    /* angles: m0 0 deg, m1 10 deg (x2 length), m2 90, m3 zero vector, m4 180, m5 (outside) 3 */
    float users[4] = {0};
    float movies[7 * 2] = {1,  0, 2 * cosf(0.174533f), 2 * sinf(0.174533f), 0, 3, 0, 0,
                           -1, 0, cosf(0.0523599f),    sinf(0.0523599f),    0, 0};
    tl_embeddings e = {users, movies, 2, 2, 2};
    tl_index *idx = NULL;
    tl_error err;
    CHECK_INT(tl_index_new_embeddings(ds, &e, &idx, &err), TL_OK);
    tl_scored out[5];
    uint32_t n = 0;
    CHECK_INT(tl_index_similar(idx, 0, 4, NULL, out, &n, &err), TL_OK);
    CHECK_INT(n, 4);
    CHECK_INT(out[0].index, 1);
    CHECK_NEAR(out[0].score, cos(0.174533), 1e-6);
    CHECK_INT(out[1].index, 2);
    CHECK_NEAR(out[1].score, 0.0, 1e-6);
    CHECK_INT(out[2].index, 3); /* zero vector scores 0, after 2 by index */
    CHECK_INT(out[3].index, 4);
    CHECK_NEAR(out[3].score, -1.0, 1e-6);
    CHECK_INT(tl_index_similar(idx, 0, 5, NULL, out, &n, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "larger than the 4 other catalogue movies");
    /* a movie outside the catalogue can be the query; all 5 catalogue movies are candidates */
    CHECK_INT(tl_index_similar(idx, 5, 5, NULL, out, &n, &err), TL_OK);
    CHECK_INT(out[0].index, 0);
    CHECK_INT(out[1].index, 1);
    CHECK_INT(tl_index_similar(idx, 3, 1, NULL, out, &n, &err), TL_E_STATE);
    CHECK_CONTAINS(err.message, "movie 4 has a zero");
    CHECK_INT(tl_index_similar(idx, 6, 1, NULL, out, &n, &err), TL_E_ARG);
    /* tables changed in place: refresh drops the cached norms */
    movies[2 * 2 + 0] = 3;
    movies[2 * 2 + 1] = 0;
    tl_index_refresh(idx);
    CHECK_INT(tl_index_similar(idx, 0, 1, NULL, out, &n, &err), TL_OK);
    CHECK_INT(out[0].index, 2);
    CHECK_NEAR(out[0].score, 1.0, 1e-6);
    tl_index_free(idx);
    tl_dataset_free(ds);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 11;
}
static float uniform(uint64_t *s) { return (float)((double)lcg(s) / 9007199254740992.0) * 2.0f - 1.0f; }

/* Gaussian elimination with partial pivoting, for the references. */
static void solve_ref(double *A, double *b, int d)
{
    for (int c = 0; c < d; c++) {
        int p = c;
        for (int r = c + 1; r < d; r++)
            if (fabs(A[r * d + c]) > fabs(A[p * d + c])) p = r;
        for (int k = 0; k < d; k++) {
            double t = A[c * d + k];
            A[c * d + k] = A[p * d + k];
            A[p * d + k] = t;
        }
        double t = b[c];
        b[c] = b[p];
        b[p] = t;
        for (int r = c + 1; r < d; r++) {
            double f = A[r * d + c] / A[c * d + c];
            for (int k = c; k < d; k++) A[r * d + k] -= f * A[c * d + k];
            b[r] -= f * b[c];
        }
    }
    for (int c = d - 1; c >= 0; c--) {
        for (int k = c + 1; k < d; k++) b[c] -= A[c * d + k] * b[k];
        b[c] /= A[c * d + c];
    }
}

enum { FD = 4, FM = 40 };

static void test_foldin_solvers(void)
{
    tl_dataset *ds = fixture_dataset(1, FM, FM - 2, NULL, 0);
    uint64_t rs = 7;
    float users[2 * FD] = {0}, movies[(FM + 1) * FD];
    for (int i = 0; i < (FM + 1) * FD; i++) movies[i] = uniform(&rs);
    for (uint32_t m = 0; m < FM; m++) ds->movies[m].n_ratings = 1 + (m * 7) % 13;
    tl_embeddings e = {users, movies, FD, FD, FD};
    tl_index *idx = NULL;
    tl_error err;
    CHECK_INT(tl_index_new_embeddings(ds, &e, &idx, &err), TL_OK);
    const uint32_t rated[4] = {3, 17, 39, 17}; /* 39 is outside the catalogue; 17 twice */
    const float ratings[4] = {5.0f, 2.5f, 4.0f, 1.0f};

    /* least squares against the normal equations built naively */
    tl_foldin_options opt;
    tl_foldin_options_default(&opt);
    opt.method = TL_FOLDIN_LSQ;
    opt.alpha = 3.0f;
    opt.l2 = 0.2f;
    float u[FD];
    CHECK_INT(tl_index_foldin(idx, rated, ratings, 4, &opt, u, &err), TL_OK);
    double A[FD * FD] = {0}, b[FD] = {0}, conf[FM];
    double trace = 0;
    for (int m = 0; m < FM - 2; m++)
        for (int a = 0; a < FD; a++) trace += (double)movies[m * FD + a] * movies[m * FD + a];
    for (int m = 0; m < FM; m++) conf[m] = m < FM - 2 ? 1.0 : 0.0;
    double pref[FM] = {0};
    for (int i = 0; i < 4; i++) {            /* a repeated movie: the last rating wins */
        double t = (ratings[i] - 2.5) / 2.5; /* low stars are dislikes: target -1 */
        conf[rated[i]] = 1.0 + 3.0 * fabs(t);
        pref[rated[i]] = conf[rated[i]] * (t > 0 ? 1.0 : t < 0 ? -1.0 : 0.0); /* conf * p */
    }
    for (int m = 0; m < FM; m++)
        for (int a = 0; a < FD; a++) {
            b[a] += pref[m] * movies[m * FD + a];
            for (int c = 0; c < FD; c++) A[a * FD + c] += conf[m] * movies[m * FD + a] * movies[m * FD + c];
        }
    for (int a = 0; a < FD; a++) A[a * FD + a] += 0.2 * trace / FD;
    solve_ref(A, b, FD);
    for (int a = 0; a < FD; a++) CHECK_NEAR(u[a], b[a], 1e-4 * (1 + fabs(b[a])));

    /* softmax: at the optimum the gradient of the objective vanishes */
    for (int pop = 0; pop < 2; pop++) {
        tl_foldin_options_default(&opt);
        opt.popularity_negatives = pop;
        opt.steps = 50;
        opt.l2 = 0.05f;
        CHECK_INT(tl_index_foldin(idx, rated, ratings, 4, &opt, u, &err), TL_OK);
        double s[FM], zmax = -1e300, z = 0, mu[FD] = {0}, g[FD] = {0}, like = 0;
        for (int m = 0; m < FM; m++) {
            s[m] = 0;
            for (int a = 0; a < FD; a++) s[m] += (double)u[a] * movies[m * FD + a];
            if (m < FM - 2 && s[m] > zmax) zmax = s[m];
        }
        for (int m = 0; m < FM - 2; m++) z += (pop ? ds->movies[m].n_ratings : 1) * exp(s[m] - zmax);
        for (int m = 0; m < FM - 2; m++) {
            double p = (pop ? ds->movies[m].n_ratings : 1) * exp(s[m] - zmax) / z;
            for (int a = 0; a < FD; a++) mu[a] += p * movies[m * FD + a];
        }
        const int urated[3] = {3, 39, 17}; /* movie 17 keeps its last rating, 1.0 */
        const double urat[3] = {5.0, 4.0, 1.0};
        /* signed weights (r - 2.5) / 2.5 over the 3 movies: 5 and 4 stars liked, 1 star disliked */
        for (int i = 0; i < 3; i++) {
            double wi = (urat[i] - 2.5) / 2.5 / 3;
            like += wi > 0 ? wi : 0;
            for (int a = 0; a < FD; a++) g[a] += wi * movies[urated[i] * FD + a];
        }
        double gn = 0, un = 0;
        for (int a = 0; a < FD; a++) {
            g[a] -= like * mu[a] + 0.05 * u[a];
            gn += g[a] * g[a];
            un += (double)u[a] * u[a];
        }
        CHECK(sqrt(gn) < 1e-4);
        CHECK(sqrt(un) > 1.0); /* it moved well away from the start */
        /* the default few steps already land close to the optimum */
        float u8[FD];
        opt.steps = 8;
        CHECK_INT(tl_index_foldin(idx, rated, ratings, 4, &opt, u8, &err), TL_OK);
        for (int a = 0; a < FD; a++) CHECK_NEAR(u8[a], u[a], 1e-3 * (1 + fabs(u[a])));
    }

    /* the first Newton step's moments (at u = 0) are kept in the scorer: a
     * fold-in that reads them gives the bits of one on a fresh scorer, and
     * tl_index_refresh drops them when the movie table changes */
    {
        tl_foldin_options_default(&opt);
        float again[FD], fresh[FD];
        CHECK_INT(tl_index_foldin(idx, rated, ratings, 4, &opt, again, &err), TL_OK); /* kept before */
        tl_index *idx2 = NULL;
        CHECK_INT(tl_index_new_embeddings(ds, &e, &idx2, &err), TL_OK);
        CHECK_INT(tl_index_foldin(idx2, rated, ratings, 4, &opt, fresh, &err), TL_OK);
        CHECK(memcmp(again, fresh, sizeof again) == 0);
        tl_index_free(idx2);
        for (int i = 0; i < (FM + 1) * FD; i++) movies[i] = movies[i] * 0.5f + 0.25f * uniform(&rs);
        tl_index_refresh(idx);
        CHECK_INT(tl_index_foldin(idx, rated, ratings, 4, &opt, again, &err), TL_OK);
        CHECK_INT(tl_index_new_embeddings(ds, &e, &idx2, &err), TL_OK);
        CHECK_INT(tl_index_foldin(idx2, rated, ratings, 4, &opt, fresh, &err), TL_OK);
        CHECK(memcmp(again, fresh, sizeof again) == 0);
        tl_index_free(idx2);
    }

    /* argument errors */
    float bad_r[1] = {7.5f};
    CHECK_INT(tl_index_foldin(idx, rated, bad_r, 1, NULL, u, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "rating 7.5 for movie 4 is outside 0.5-5");
    const uint32_t bad_m[1] = {FM};
    CHECK_INT(tl_index_foldin(idx, bad_m, NULL, 1, NULL, u, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "movie index 40 is out of range");
    CHECK_INT(tl_index_foldin(idx, rated, ratings, 0, NULL, u, &err), TL_E_ARG);
    CHECK_INT(tl_index_foldin(idx, rated, ratings, 1, NULL, NULL, &err), TL_E_ARG);
    tl_foldin_options_default(&opt);
    opt.l2 = -1;
    CHECK_INT(tl_index_foldin(idx, rated, ratings, 1, &opt, u, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "l2 must be zero (the method's default) or positive");
    tl_index_free(idx);
    tl_dataset_free(ds);
}

/* Synthetic users whose ratings follow softmax(u . m) over random movie
 * vectors: the "trained" vectors are the true ones, and folding in 10
 * train ratings should recover most of their Recall@20. */
static void test_foldin_eval(void)
{
    enum { D = 8, M = 300, U = 80, PER = 40, TRAIN = 30 };
    uint64_t rs = 2024;
    float *users = malloc((U + 1) * D * sizeof *users), *movies = malloc((M + 1) * D * sizeof *movies);
    for (int i = 0; i < (M + 1) * D; i++) movies[i] = uniform(&rs);
    for (int i = 0; i < (U + 1) * D; i++) users[i] = 1.5f * uniform(&rs);
    uint32_t *t = malloc(U * PER * 3 * sizeof *t);
    uint32_t *train = malloc(U * TRAIN * sizeof *train), *test = malloc(U * (PER - TRAIN) * sizeof *test);
    uint32_t n_train = 0, n_test = 0, r = 0;
    double w[M];
    for (uint32_t u = 0; u < U; u++) {
        for (int m = 0; m < M; m++) w[m] = exp(tl_dot_scalar(users + u * D, movies + m * D, D));
        for (int k = 0; k < PER; k++, r++) {
            double tot = 0;
            for (int m = 0; m < M; m++) tot += w[m];
            double x = (double)lcg(&rs) / 9007199254740992.0 * tot;
            int m = 0;
            while (m < M - 1 && x >= w[m]) x -= w[m++];
            w[m] = 0; /* without replacement */
            t[3 * r] = u, t[3 * r + 1] = (uint32_t)m, t[3 * r + 2] = 1 + (uint32_t)(lcg(&rs) % 10);
            if (k < TRAIN) train[n_train++] = r;
            else test[n_test++] = r;
        }
    }
    tl_dataset *ds = fixture_dataset(U, M, M, t, U * PER);
    tl_embeddings e = {users, movies, D, D, D};
    tl_foldin_report rep, rep2;
    tl_error err;
    tl_scorer *sc = NULL;
    CHECK_INT(tl_embed_scorer_new(ds, &e, &sc, &err), TL_OK);
    for (int method = 0; method < 2; method++) {
        tl_foldin_options opt;
        tl_foldin_options_default(&opt);
        opt.method = (tl_foldin_method)method;
        opt.weight_by_rating = 0; /* the synthetic ratings are noise */
        CHECK_INT(tl_eval_foldin(ds, train, n_train, test, n_test, sc, &opt, 10, 0, 5, &rep, &err), TL_OK);
        printf("synthetic fold-in (%s): recall trained %.4f, fold-in %.4f, ratio %.3f, ndcg@10 %.4f / %.4f, %u users\n",
               method ? "lsq" : "softmax", rep.recall_trained, rep.recall_foldin, rep.ratio, rep.ndcg10_trained,
               rep.ndcg10_foldin, rep.users);
        CHECK_INT(rep.users, U);
        CHECK_INT(rep.sampled, 0);
        CHECK(rep.recall_trained > 0.15);
        CHECK(rep.ratio >= 0.65); /* 10 samples recover ~0.7 of the true vectors' recall here */
        CHECK_INT(tl_eval_foldin(ds, train, n_train, test, n_test, sc, &opt, 10, 0, 5, &rep2, &err), TL_OK);
        CHECK(memcmp(&rep, &rep2, sizeof rep) == 0);
    }
    CHECK_INT(tl_eval_foldin(ds, train, n_train, test, n_test, sc, NULL, 10, 20, 5, &rep, &err), TL_OK);
    CHECK_INT(rep.users, 20);
    CHECK_INT(rep.sampled, 1);
    /* users with fewer than n_given train ratings are left out */
    CHECK_INT(tl_eval_foldin(ds, train, n_train, test, n_test, sc, NULL, TRAIN + 1, 0, 5, &rep, &err), TL_OK);
    CHECK_INT(rep.users, 0);
    CHECK_INT(tl_eval_foldin(ds, train, n_train, test, n_test, sc, NULL, 0, 0, 5, &rep, &err), TL_E_ARG);
    free(users), free(movies), free(t), free(train), free(test);
    tl_scorer_free(sc);
    tl_dataset_free(ds);
}

/* Low stars are dislikes: 60 movies in 4 genres (movie m has genre m % 4 and
 * a vector pointing at its genre's axis), 5 movies of genre 0 rated 0.5
 * stars vs 5 stars, and a mix, with both fold-in methods. */
static uint32_t genre_count(const tl_dataset *ds, const tl_scored *out, uint32_t n, uint32_t g)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++) c += (ds->movies[out[i].index].genres >> g) & 1;
    return c;
}

static uint32_t overlap(const tl_scored *a, const tl_scored *b, uint32_t n)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) c += a[i].index == b[j].index;
    return c;
}

static void test_foldin_dislikes(void)
{
    enum { D = 4, M = 60 };
    const uint32_t t[3] = {0, 0, 8};
    tl_dataset *ds = fixture_dataset(1, M, M, t, 1);
    ds->n_genres = 4;
    float users[2 * D] = {0}, movies[(M + 1) * D];
    uint64_t rs = 77;
    for (uint32_t m = 0; m <= M; m++) {
        if (m < M) ds->movies[m].genres = 1ull << (m % 4);
        for (int a = 0; a < D; a++) movies[m * D + a] = 0.2f * uniform(&rs);
        if (m < M) movies[m * D + m % 4] += 1.0f + 0.02f * (float)(m / 4);
    }
    tl_embeddings e = {users, movies, D, D, D};
    tl_index *idx = NULL;
    tl_error err;
    CHECK_INT(tl_index_new_embeddings(ds, &e, &idx, &err), TL_OK);
    const uint32_t horror[5] = {0, 4, 8, 12, 16}; /* genre 0 */
    const uint32_t comedy[5] = {1, 5, 9, 13, 17}; /* genre 1 */
    float low[5], high[5];
    for (int i = 0; i < 5; i++) low[i] = 0.5f, high[i] = 5.0f;
    for (int method = 0; method < 2; method++) {
        tl_foldin_options opt;
        tl_foldin_options_default(&opt);
        opt.method = (tl_foldin_method)method;
        float ul[D], uh[D];
        tl_scored a[10], b[10];
        uint32_t na = 0, nb = 0;
        CHECK_INT(tl_index_foldin(idx, horror, low, 5, &opt, ul, &err), TL_OK);
        CHECK_INT(tl_index_foldin(idx, horror, high, 5, &opt, uh, &err), TL_OK);
        tl_query q;
        tl_query_default(&q);
        q.exclude = horror;
        q.n_exclude = 5;
        CHECK_INT(tl_index_top_k(idx, ul, 10, &q, a, &na, &err), TL_OK);
        CHECK_INT(tl_index_top_k(idx, uh, 10, &q, b, &nb, &err), TL_OK);
        CHECK_INT(genre_count(ds, b, nb, 0), 10); /* liked: the other 10 movies of genre 0 */
        CHECK_INT(genre_count(ds, a, na, 0), 0);  /* disliked: none of them */
        CHECK(overlap(a, b, 10) <= 3);
        CHECK(tl_dot_scalar(ul, movies, D) < 0); /* a disliked movie scores below zero */

        /* a mix: comedies liked, horror disliked; vs comedies alone */
        uint32_t mixed[10];
        float mixed_r[10];
        for (int i = 0; i < 5; i++) {
            mixed[i] = comedy[i], mixed_r[i] = 5.0f;
            mixed[5 + i] = horror[i], mixed_r[5 + i] = 1.0f;
        }
        float um[D], uc[D];
        CHECK_INT(tl_index_foldin(idx, mixed, mixed_r, 10, &opt, um, &err), TL_OK);
        CHECK_INT(tl_index_foldin(idx, comedy, high, 5, &opt, uc, &err), TL_OK);
        for (int g = 0; g < 4; g++) {
            double sm = 0, sc = 0; /* mean score of each genre's unrated movies */
            for (uint32_t m = 20; m < M; m++)
                if (m % 4 == (uint32_t)g)
                    sm += tl_dot_scalar(um, movies + m * D, D), sc += tl_dot_scalar(uc, movies + m * D, D);
            if (g == 0) CHECK(sm < sc - 0.05); /* the dislikes push horror down */
            if (g == 0) CHECK(sm < 0);
        }
        q.exclude = mixed;
        q.n_exclude = 10;
        CHECK_INT(tl_index_top_k(idx, um, 10, &q, a, &na, &err), TL_OK);
        CHECK_INT(genre_count(ds, a, na, 1), 10);
        CHECK_INT(genre_count(ds, a, na, 0), 0);

        /* all neutral (2.5 stars): every movie counts as a like, as without ratings */
        float mid[5] = {2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, un[D], uw[D];
        CHECK_INT(tl_index_foldin(idx, comedy, mid, 5, &opt, un, &err), TL_OK);
        CHECK_INT(tl_index_foldin(idx, comedy, NULL, 5, &opt, uw, &err), TL_OK);
        for (int d = 0; d < D; d++) CHECK_NEAR(un[d], uw[d], 0);
    }
    tl_foldin_options bad;
    tl_foldin_options_default(&bad);
    bad.neutral = 5.0f;
    float u[D];
    CHECK_INT(tl_index_foldin(idx, horror, low, 5, &bad, u, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "neutral rating must be 0.5-4.5");
    tl_index_free(idx);
    tl_dataset_free(ds);
}

int main(void)
{
    test_top_k();
    test_similar();
    test_foldin_solvers();
    test_foldin_eval();
    test_foldin_dislikes();
    return check_report("test_index");
}
