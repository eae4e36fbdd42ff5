/* EASE (ease.h) on validation, then protocol B over several split seeds.
 *
 * Stage 1: a grid of lambda x min_count (binary x, low_weight 1), each fit
 * on the train rows of split seed S minus the validation rows (seed S+1,
 * 10 % of train) and scored on validation (protocol B: seen = the fit rows,
 * relevant = the user's validation movies; the project's ranker, eval_rank.c).
 * Stage 2: at the best pair, the value mapping (binary / stars/5) x
 * low_weight (ratings below 3 stars). The best setting is the one with the
 * highest geometric mean of its Recall@20 and NDCG@10 ratios to popularity
 * on validation. Test never chooses. Then, for every split seed, the chosen
 * setting is fit on all train rows and scored on test beside popularity
 * (tl_eval_retrieval); the table ends with the means.
 *
 *   tl_ease_tune DATA [lam=..] [min_count=..] [low=..] [values=0,1] [seeds=42,1,2,3,4]
 *                     [seed=S] [train_rows=N] [test_rows=N] [threads=N] [similar=movieIds]
 * Defaults: lam=50,100,200,400,800 min_count=2,3,5,10,20 low=1,0.5,0,-0.5
 * values=0,1 (0 binary, 1 stars/5) seeds=42,1,2,3,4 similar=1,260,2571 (Toy
 * Story, Star Wars, The Matrix: their 8 EASE neighbours) seed=42 train_rows=80000
 * test_rows=20000 threads=0 (every core). Fit times are wall seconds (the
 * process's CPU seconds beside them in the seed table);
 * "peak" is the fit's own working set (tl_ease_info.peak_bytes); "ms per
 * user" is scoring and ranking one test user (tl_ease_score + the ranker).
 * The grid fits with max_items = TL_EASE_MAX_ITEMS (min_count as given);
 * the chosen setting is then fit with the library's default item budget. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/c/popularity_fixture.h"
#include "bench_clock.h"
#include "bench_list.h"
#include "eval/eval_internal.h"
#include "towerlens/ease.h"
#include "towerlens/eval.h"
#include "towerlens/loader.h"
#include "towerlens/split.h"

#define MAX_VALUES BENCH_MAX_VALUES

typedef struct list {
    double v[MAX_VALUES];
    int n;
} list;

typedef struct scores {
    double recall, ndcg;
    uint32_t users;
} scores;

static int die(const tl_error *e)
{
    fprintf(stderr, "ease_tune: %s\n", e->message);
    return 1;
}

static int parse_list(const char *s, list *l) { return bench_parse_list(s, l->v, &l->n); }

/* Scores every dense movie for a profile (tl_ease_score's signature). */
typedef tl_status (*scorer)(const void *model, const uint32_t *movies, const uint8_t *half, uint32_t n, float *out,
                            tl_error *err);

static tl_status ease_scorer(const void *model, const uint32_t *movies, const uint8_t *half, uint32_t n, float *out,
                             tl_error *err)
{
    return tl_ease_score(model, movies, half, n, out, err);
}

/* Popularity through the same path: the model is the train counts as floats. */
typedef struct counts_model {
    const float *count;
    uint32_t n_movies;
} counts_model;

static tl_status counts_scorer(const void *model, const uint32_t *movies, const uint8_t *half, uint32_t n, float *out,
                               tl_error *err)
{
    (void)movies, (void)half, (void)n, (void)err;
    const counts_model *c = model;
    memcpy(out, c->count, c->n_movies * sizeof *out);
    return TL_OK;
}

/* Protocol B for a model scored by profile: every user with eval rows,
 * profile = the user's fit rows, seen = the same movies; mean over users
 * with a rankable relevant movie (tl_eval_retrieval's definition). */
static tl_status evaluate_scorer(const tl_dataset *ds, const uint32_t *fit, uint32_t n_fit, const uint32_t *rows,
                                 uint32_t n_rows, scorer score, const void *m, scores *out, tl_error *err)
{
    uint32_t *cat = NULL, n_cat = 0, *pm = NULL, *rel = NULL;
    uint8_t *ph = NULL;
    float *sc = NULL;
    tl_seen *seen = NULL;
    tl__rows_by_user fu = {0}, eu = {0};
    tl__ranker rk;
    int have_rk = 0;
    tl_status st = tl__eval_catalogue(ds, &cat, &n_cat, err);
    if (st == TL_OK) st = tl_seen_new(ds, fit, n_fit, &seen, err);
    if (st == TL_OK) st = tl__rows_by_user_build(ds, fit, n_fit, &fu, err);
    if (st == TL_OK) st = tl__rows_by_user_build(ds, rows, n_rows, &eu, err);
    if (st == TL_OK && (st = tl__ranker_init(&rk, ds, seen, cat, n_cat, err)) == TL_OK) have_rk = 1;
    if (st == TL_OK) {
        pm = malloc(((size_t)n_fit + 1) * sizeof *pm);
        ph = malloc((size_t)n_fit + 1);
        rel = malloc(((size_t)n_rows + 1) * sizeof *rel);
        sc = malloc(((size_t)ds->n_movies + 1) * sizeof *sc);
        if (!pm || !ph || !rel || !sc) st = tl_fail(err, TL_E_NOMEM, "out of memory");
    }
    double recall = 0, ndcg = 0;
    uint32_t counted = 0;
    for (uint32_t u = 0; st == TL_OK && u < ds->n_users; u++) {
        uint32_t ea = eu.offsets[u], eb = eu.offsets[u + 1];
        if (ea == eb) continue;
        uint32_t n = 0;
        for (uint32_t k = fu.offsets[u]; k < fu.offsets[u + 1]; k++) {
            uint32_t row = fu.rows[k];
            pm[n] = ds->r_movie[row];
            ph[n++] = ds->r_half[row];
        }
        for (uint32_t k = ea; k < eb; k++) rel[k - ea] = ds->r_movie[eu.rows[k]];
        st = score(m, pm, ph, n, sc, err);
        tl__user_metrics um;
        if (st == TL_OK && tl__ranker_user_scores(&rk, sc, u, rel, eb - ea, &um)) {
            recall += um.recall_at_20;
            ndcg += um.ndcg_at_10;
            counted++;
        }
    }
    if (st == TL_OK) *out = (scores){counted ? recall / counted : 0, counted ? ndcg / counted : 0, counted};
    if (have_rk) tl__ranker_free(&rk);
    tl__rows_by_user_free(&fu);
    tl__rows_by_user_free(&eu);
    tl_seen_free(seen);
    free(cat), free(pm), free(ph), free(rel), free(sc);
    return st;
}

/* Popularity by tl_eval_retrieval; the same through evaluate_scorer must
 * give the same numbers (the check that this bench ranks as the project does). */
static tl_status popularity(const tl_dataset *ds, const uint32_t *fit, uint32_t n_fit, const uint32_t *rows,
                            uint32_t n_rows, scores *out, tl_error *err)
{
    float *pu = NULL, *pm = NULL;
    tl_status st = popularity_tables(ds, fit, n_fit, &pu, &pm, err);
    if (st == TL_OK) {
        tl_embeddings emb = {pu, pm, 1, 1, 1};
        tl_eval_options eo;
        tl_eval_options_default(&eo);
        eo.protocol_a = 0;
        tl_metrics mt;
        st = tl_eval_retrieval(ds, fit, n_fit, rows, n_rows, &emb, &eo, &mt, err);
        if (st == TL_OK) *out = (scores){mt.recall_at_20, mt.ndcg_at_10, mt.users_evaluated};
        counts_model cm = {pm, ds->n_movies};
        scores mine;
        if (st == TL_OK) st = evaluate_scorer(ds, fit, n_fit, rows, n_rows, counts_scorer, &cm, &mine, err);
        if (st == TL_OK && (mine.recall != out->recall || mine.ndcg != out->ndcg || mine.users != out->users))
            st = tl_fail(err, TL_E_STATE,
                         "popularity ranks differently here (%.6f %.6f %u) than in tl_eval_retrieval "
                         "(%.6f %.6f %u)",
                         mine.recall, mine.ndcg, mine.users, out->recall, out->ndcg, out->users);
    }
    free(pu);
    free(pm);
    return st;
}

typedef struct run_result {
    scores s;
    double fit_s, fit_cpu_s, eval_s;
    tl_ease_info info;
} run_result;

static tl_status fit_and_score(const tl_dataset *ds, const uint32_t *fit, uint32_t n_fit, const uint32_t *rows,
                               uint32_t n_rows, const tl_ease_options *opt, run_result *out, tl_error *err)
{
    tl_ease_model *m = NULL;
    double t0 = bench_now(), c0 = bench_cpu_now();
    tl_status st = tl_ease_fit(ds, fit, n_fit, opt, &m, err);
    out->fit_s = bench_now() - t0;
    out->fit_cpu_s = bench_cpu_now() - c0;
    if (st != TL_OK) return st;
    tl_ease_get_info(m, &out->info);
    t0 = bench_now();
    st = evaluate_scorer(ds, fit, n_fit, rows, n_rows, ease_scorer, m, &out->s, err);
    out->eval_s = bench_now() - t0;
    tl_ease_free(m);
    return st;
}

static double balance(const scores *s, const scores *pop)
{
    return sqrt(s->recall / pop->recall * (s->ndcg / pop->ndcg));
}

static tl_status make_split(const tl_dataset *ds, uint64_t seed, uint32_t train_rows, uint32_t test_rows,
                            int with_valid, tl_split **sp, tl_error *err)
{
    tl_split_options so;
    tl_split_options_default(&so);
    so.seed = seed;
    so.train_rows = train_rows;
    so.test_rows = test_rows;
    so.valid_fraction = with_valid ? 0.1 : 0.0;
    return tl_split_make(ds, &so, sp, err);
}

static void print_row(const tl_ease_options *o, const run_result *r, const scores *pop)
{
    printf("| %g | %u | %s | %g | %u | %.4f | %.4f | %.3f | %.2f | %.0f |\n", (double)o->lambda, o->min_count,
           o->values == TL_EASE_RATING ? "stars/5" : "binary", (double)o->low_weight, r->info.n_items, r->s.recall,
           r->s.ndcg, balance(&r->s, pop), r->fit_s, r->info.peak_bytes / 1e6);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tl_ease_tune DATA [lam=..] [min_count=..] [low=..] [values=0,1] [seeds=..] "
                        "[seed=S] [train_rows=N] [test_rows=N] [threads=N] [similar=movieIds]\n");
        return 2;
    }
    list lam = {{50, 100, 200, 400, 800}, 5}, minc = {{2, 3, 5, 10, 20}, 5}, low = {{1, 0.5, 0, -0.5}, 4},
         vals = {{0, 1}, 2}, seeds = {{42, 1, 2, 3, 4}, 5}, similar = {{1, 260, 2571}, 3};
    unsigned long long seed = 42;
    uint32_t train_rows = 80000, test_rows = 20000, threads = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int ok = 1;
        if (!strncmp(a, "lam=", 4)) ok = parse_list(a + 4, &lam);
        else if (!strncmp(a, "min_count=", 10)) ok = parse_list(a + 10, &minc);
        else if (!strncmp(a, "low=", 4)) ok = parse_list(a + 4, &low);
        else if (!strncmp(a, "values=", 7)) ok = parse_list(a + 7, &vals);
        else if (!strncmp(a, "seeds=", 6)) ok = parse_list(a + 6, &seeds);
        else if (!strncmp(a, "similar=", 8)) ok = parse_list(a + 8, &similar);
        else if (!strncmp(a, "seed=", 5)) seed = strtoull(a + 5, NULL, 10);
        else if (!strncmp(a, "train_rows=", 11)) train_rows = (uint32_t)strtoul(a + 11, NULL, 10);
        else if (!strncmp(a, "test_rows=", 10)) test_rows = (uint32_t)strtoul(a + 10, NULL, 10);
        else if (!strncmp(a, "threads=", 8)) threads = (uint32_t)strtoul(a + 8, NULL, 10);
        else ok = 0;
        if (!ok) {
            fprintf(stderr, "ease_tune: bad argument %s\n", a);
            return 2;
        }
    }

    tl_error err;
    tl_error_clear(&err);
    const char *path = argv[1];
    tl_dataset *ds = NULL;
    tl_split *vs = NULL;
    tl_pool *pool = NULL;
    if (tl_load_paths(&path, 1, &ds, &err) != TL_OK) return die(&err);
    if (tl_pool_new(threads, &pool, &err) != TL_OK) return die(&err);
    if (make_split(ds, seed, train_rows, test_rows, 1, &vs, &err) != TL_OK) return die(&err);

    scores pop_val;
    if (popularity(ds, vs->train, vs->n_train, vs->valid, vs->n_valid, &pop_val, &err) != TL_OK) return die(&err);
    printf("%s: fit on %u rows, validation %u rows (seed %llu), %u threads\n\n", path, vs->n_train, vs->n_valid,
           seed + 1, tl_pool_threads(pool));
    printf("| lambda | min_count | x | low_weight | items | valid Recall@20 | valid NDCG@10 | balance | fit s | "
           "peak MB |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    printf("| popularity | | | | | %.4f | %.4f | 1.000 | | |\n", pop_val.recall, pop_val.ndcg);

    tl_ease_options best;
    tl_ease_options_default(&best);
    best.pool = pool;
    best.max_items = TL_EASE_MAX_ITEMS; /* the grid's min_count as given, never raised by the item budget */
    double best_b = -1;
    for (int a = 0; a < minc.n; a++)
        for (int b = 0; b < lam.n; b++) {
            tl_ease_options o = best;
            o.lambda = (float)lam.v[b];
            o.min_count = (uint32_t)minc.v[a];
            o.values = TL_EASE_BINARY;
            o.low_weight = 1.0f;
            run_result r;
            if (fit_and_score(ds, vs->train, vs->n_train, vs->valid, vs->n_valid, &o, &r, &err) != TL_OK)
                return die(&err);
            print_row(&o, &r, &pop_val);
            double bl = balance(&r.s, &pop_val);
            if (bl > best_b) best_b = bl, best = o;
        }
    tl_ease_options stage1 = best;
    for (int a = 0; a < vals.n; a++)
        for (int b = 0; b < low.n; b++) {
            tl_ease_options o = stage1;
            o.values = vals.v[a] != 0 ? TL_EASE_RATING : TL_EASE_BINARY;
            o.low_weight = (float)low.v[b];
            if (o.values == stage1.values && o.low_weight == stage1.low_weight) continue;
            run_result r;
            if (fit_and_score(ds, vs->train, vs->n_train, vs->valid, vs->n_valid, &o, &r, &err) != TL_OK)
                return die(&err);
            print_row(&o, &r, &pop_val);
            double bl = balance(&r.s, &pop_val);
            if (bl > best_b) best_b = bl, best = o;
        }
    printf("\nchosen on validation: lambda %g, min_count %u, x %s, low_weight %g (balance %.3f)\n\n",
           (double)best.lambda, best.min_count, best.values == TL_EASE_RATING ? "stars/5" : "binary",
           (double)best.low_weight, best_b);
    tl_split_free(vs);
    best.max_items = 0; /* the default budget, as a caller of the library gets it */

    printf("| split seed | items | fit s (CPU s) | peak MB | model MB | ms per user | popularity Recall@20 | "
           "popularity NDCG@10 | EASE Recall@20 | EASE NDCG@10 |\n|---|---|---|---|---|---|---|---|---|---|\n");
    double sum[4] = {0}, sq[4] = {0};
    for (int k = 0; k < seeds.n; k++) {
        tl_split *sp = NULL;
        if (make_split(ds, (uint64_t)seeds.v[k], train_rows, test_rows, 0, &sp, &err) != TL_OK) return die(&err);
        scores pop;
        run_result r;
        if (popularity(ds, sp->train, sp->n_train, sp->test, sp->n_test, &pop, &err) != TL_OK ||
            fit_and_score(ds, sp->train, sp->n_train, sp->test, sp->n_test, &best, &r, &err) != TL_OK)
            return die(&err);
        double v[4] = {pop.recall, pop.ndcg, r.s.recall, r.s.ndcg};
        for (int q = 0; q < 4; q++) sum[q] += v[q], sq[q] += v[q] * v[q];
        printf("| %g | %u | %.2f (%.2f) | %.0f | %.0f | %.2f | %.4f | %.4f | %.4f | %.4f |\n", seeds.v[k],
               r.info.n_items, r.fit_s, r.fit_cpu_s, r.info.peak_bytes / 1e6, r.info.model_bytes / 1e6,
               1e3 * r.eval_s / r.s.users, pop.recall, pop.ndcg, r.s.recall, r.s.ndcg);
        fflush(stdout);
        tl_split_free(sp);
    }
    double n = seeds.n, sd[4];
    for (int q = 0; q < 4; q++) sd[q] = n > 1 ? sqrt(fmax(0.0, (sq[q] - sum[q] * sum[q] / n) / (n - 1))) : 0.0;
    printf("| mean (sd) | | | | | | %.4f (%.4f) | %.4f (%.4f) | %.4f (%.4f) | %.4f (%.4f) |\n", sum[0] / n, sd[0],
           sum[1] / n, sd[1], sum[2] / n, sd[2], sum[3] / n, sd[3]);
    printf("\npeak RSS of the process: %.0f MB\n", bench_peak_rss_mb());
    /* similar movies of the chosen setting on the first seed's train rows */
    if (similar.n > 0) {
        tl_split *sp = NULL;
        tl_ease_model *m = NULL;
        if (make_split(ds, (uint64_t)seeds.v[0], train_rows, test_rows, 0, &sp, &err) != TL_OK ||
            tl_ease_fit(ds, sp->train, sp->n_train, &best, &m, &err) != TL_OK)
            return die(&err);
        printf("\nsimilar movies (tl_ease_similar: column of B), split seed %g:\n\n", seeds.v[0]);
        for (int k = 0; k < similar.n; k++) {
            uint32_t mv;
            tl_scored top[8];
            uint32_t nt = 0;
            if (tl_dataset_movie_index(ds, (uint32_t)similar.v[k], &mv, &err) != TL_OK ||
                tl_ease_similar(m, mv, 8, top, &nt, &err) != TL_OK)
                return die(&err);
            printf("- %s:", tl_movie_title(ds, mv));
            for (uint32_t q = 0; q < nt; q++) printf("%s %s", q ? ";" : "", tl_movie_title(ds, top[q].index));
            printf("\n");
        }
        tl_ease_free(m);
        tl_split_free(sp);
    }
    tl_pool_free(pool);
    tl_dataset_free(ds);
    return 0;
}
