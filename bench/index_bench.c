/* Native timings of the serving index and the evaluation on generated data
 * (random embeddings, d = 32): top-10, similar, fold-in, protocols A + B.
 * Prints a table; run through bench/index.sh.
 * With --model FILE [--queries N] it times top-10 on that model file instead
 * (the JS serving benchmark, bench/serve.mjs, compares WASM with this) and
 * prints one JSON line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "towerlens/eval.h"
#include "towerlens/index.h"
#include "towerlens/model_type.h"
#include "towerlens/store.h"

enum { D = 32 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t rng = 0x1234567;
static uint32_t next(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33);
}
static float unif(void) { return (float)next() / 2147483648.0f - 1.0f; }

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double median(double *v, int n)
{
    qsort(v, n, sizeof *v, cmp_d);
    return v[n / 2];
}

/* A dataset of the given shape: ratings with a skewed movie popularity. */
static tl_dataset *make_dataset(uint32_t n_users, uint32_t n_movies, uint32_t n_ratings)
{
    tl_dataset *ds = calloc(1, sizeof *ds);
    ds->n_users = n_users;
    ds->n_movies = n_movies;
    ds->n_catalogue = n_movies;
    ds->n_ratings = n_ratings;
    ds->user_ids = calloc(n_users, 4);
    ds->user_counts = calloc(n_users, 4);
    ds->movies = calloc(n_movies, sizeof *ds->movies);
    ds->r_user = malloc((size_t)n_ratings * 4);
    ds->r_movie = malloc((size_t)n_ratings * 4);
    ds->r_half = malloc(n_ratings);
    ds->strings = calloc(1, 1);
    for (uint32_t u = 0; u < n_users; u++) ds->user_ids[u] = u + 1;
    for (uint32_t m = 0; m < n_movies; m++) ds->movies[m].id = m + 1, ds->movies[m].in_catalogue = 1;
    for (uint32_t i = 0; i < n_ratings; i++) {
        double x = (double)next() / 2147483648.0;
        ds->r_user[i] = next() % n_users;
        ds->r_movie[i] = (uint32_t)(x * x * x * n_movies) % n_movies;
        ds->r_half[i] = (uint8_t)(1 + next() % 10);
        ds->movies[ds->r_movie[i]].n_ratings++;
    }
    return ds;
}

static void bench_catalogue(uint32_t n_movies)
{
    tl_dataset *ds = make_dataset(1000, n_movies, 100000);
    float *users = malloc(1001 * D * sizeof *users), *movies = malloc(((size_t)n_movies + 1) * D * sizeof *movies);
    for (size_t i = 0; i < 1001 * D; i++) users[i] = unif();
    for (size_t i = 0; i < ((size_t)n_movies + 1) * D; i++) movies[i] = unif() * 0.3f;
    tl_embeddings e = {users, movies, D, D, D};
    tl_index *idx = NULL;
    tl_error err;
    if (tl_index_new_embeddings(ds, &e, &idx, &err) != TL_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    tl_scored out[10];
    uint32_t n;
    enum { Q = 200, F = 20 };
    double t[Q];
    for (int i = 0; i < Q; i++) {
        double t0 = now();
        tl_index_top_k(idx, users + (i % 1000) * D, 10, NULL, out, &n, &err);
        t[i] = now() - t0;
    }
    double topk = median(t, Q);
    tl_query q;
    tl_query_default(&q);
    q.min_ratings = 5;
    q.year_max = 0;
    for (int i = 0; i < Q; i++) {
        double t0 = now();
        tl_index_top_k(idx, users + (i % 1000) * D, 10, &q, out, &n, &err);
        t[i] = now() - t0;
    }
    double topk_f = median(t, Q);
    tl_index_similar(idx, 0, 10, NULL, out, &n, &err); /* first call caches the norms */
    for (int i = 0; i < Q; i++) {
        double t0 = now();
        tl_index_similar(idx, (uint32_t)i, 10, NULL, out, &n, &err);
        t[i] = now() - t0;
    }
    double sim = median(t, Q);
    uint32_t rated[10];
    float ratings[10];
    double fs[F], fl[F];
    tl_foldin_options so, lo;
    tl_foldin_options_default(&so);
    tl_foldin_options_default(&lo);
    lo.method = TL_FOLDIN_LSQ;
    float vec[D];
    tl_index_foldin(idx, rated, NULL, 1, &lo, vec, &err); /* caches the Gram matrix */
    for (int i = 0; i < F; i++) {
        for (int j = 0; j < 10; j++) rated[j] = next() % n_movies, ratings[j] = 0.5f * (1 + next() % 10);
        double t0 = now();
        tl_index_foldin(idx, rated, ratings, 10, &so, vec, &err);
        double t1 = now();
        tl_index_foldin(idx, rated, ratings, 10, &lo, vec, &err);
        fs[i] = t1 - t0;
        fl[i] = now() - t1;
    }
    printf("| %8u | %10.1f | %14.1f | %11.1f | %16.2f | %12.3f |\n", n_movies, topk * 1e6, topk_f * 1e6, sim * 1e6,
           median(fs, F) * 1e3, median(fl, F) * 1e3);
    tl_index_free(idx);
    free(users), free(movies);
    tl_dataset_free(ds);
}

static void bench_eval(void)
{
    /* ml-latest-small's shape: 610 users, 9742 movies, 100836 ratings, split 80000/20000 */
    tl_dataset *ds = make_dataset(610, 9742, 100836);
    float *users = malloc(611 * D * sizeof *users), *movies = malloc(9743 * D * sizeof *movies);
    for (size_t i = 0; i < 611 * D; i++) users[i] = unif();
    for (size_t i = 0; i < 9743 * D; i++) movies[i] = unif();
    uint32_t *rows = malloc(100000 * sizeof *rows);
    for (uint32_t i = 0; i < 100000; i++) rows[i] = i;
    tl_embeddings e = {users, movies, D, D, D};
    tl_eval_options opt;
    tl_metrics m;
    tl_error err;
    double ta = 0, tb = 0;
    for (int p = 0; p < 2; p++) {
        tl_eval_options_default(&opt);
        opt.protocol_a = p == 0;
        opt.protocol_b = p == 1;
        double t0 = now();
        tl_eval_retrieval(ds, rows, 80000, rows + 80000, 20000, &e, &opt, &m, &err);
        *(p ? &tb : &ta) = now() - t0;
    }
    printf("\n| evaluation (610 users, 9742 movies, 20000 test rows) | seconds |\n|---|---|\n");
    printf("| protocol A (top-1..100 over test rows) | %.3f |\n| protocol B (Recall/NDCG, seen excluded) | %.3f |\n",
           ta, tb);
    free(users), free(movies), free(rows);
    tl_dataset_free(ds);
}

/* Top-10 for users 0, 1, 2, ... of a model file: all movies, then with the
 * user's seen movies left out; per-query medians in microseconds. */
static int bench_model(const char *path, int queries)
{
    tl_error err;
    tl_model_file *mf = NULL;
    tl_index *idx = NULL;
    if (tl_store_load_path(path, &mf, &err) != TL_OK) {
        fprintf(stderr, "index_bench: %s\n", err.message);
        return 1;
    }
    tl_embeddings emb = tl_model_file_embeddings(mf);
    if (tl_index_new_embeddings(mf->ds, &emb, &idx, &err) != TL_OK) {
        fprintf(stderr, "index_bench: %s\n", err.message);
        tl_model_file_free(mf);
        return 1;
    }
    double *t = malloc((size_t)queries * sizeof *t);
    tl_scored out[10];
    uint32_t n = 0, n_users = mf->ds->n_users;
    double med[2], total[2];
    for (int pass = 0; pass < 2; pass++) {
        const tl_seen *seen = pass ? mf->seen : NULL;
        for (int i = 0; i < 50; i++) tl_index_recommend(idx, (uint32_t)i % n_users, seen, 10, NULL, out, &n, &err);
        double t_all = now();
        for (int i = 0; i < queries; i++) {
            double t0 = now();
            tl_index_recommend(idx, (uint32_t)i % n_users, seen, 10, NULL, out, &n, &err);
            t[i] = now() - t0;
        }
        total[pass] = now() - t_all;
        med[pass] = median(t, queries);
    }
    printf("{\"movies\":%u,\"dim\":%u,\"queries\":%d,\"topk_median_us\":%.3f,\"topk_qps\":%.1f,"
           "\"topk_seen_median_us\":%.3f,\"topk_seen_qps\":%.1f}\n",
           tl_index_catalogue_size(idx), emb.dim, queries, med[0] * 1e6, queries / total[0], med[1] * 1e6,
           queries / total[1]);
    free(t);
    tl_index_free(idx);
    tl_model_file_free(mf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--model")) {
        int queries = argc >= 5 && !strcmp(argv[3], "--queries") ? atoi(argv[4]) : 2000;
        return bench_model(argv[2], queries > 0 ? queries : 2000);
    }
    printf("native, d = %d, medians\n\n", D);
    printf("| movies   | top-10 us  | top-10 filt us | similar us  | fold-in softmax ms | fold-in lsq ms |\n");
    printf("|---|---|---|---|---|---|\n");
    bench_catalogue(9742);
    bench_catalogue(62000);
    bench_eval();
    return 0;
}
