/* Rating benchmarks (docs/rating.md), natively or compiled to WASM:
 *
 *   rating_bench table DATA [S]    the original tutorial's table: preset tfrs-multitask trained
 *                                  rating-only (1/0), retrieval-only (0/1) and joint (1/1) on the
 *                                  split 80000/20000 seed S (42): test top-100 and RMSE of each
 *   rating_bench default DATA [S]  the default joint model (--preset default --rating-weight 1):
 *                                  validation RMSE (trained without the validation rows) and test
 *                                  RMSE, top-100, beside the baselines; training seconds
 *
 * Protocol A runs on every test row; protocol C clips predictions to 0.5-5.
 * With fewer than 100,000 ratings the split is 80%/20% instead. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/c/popularity_fixture.h"
#include "bench_clock.h"
#include "towerlens/eval.h"
#include "towerlens/eval_rating.h"
#include "towerlens/kernels.h"
#include "towerlens/loader.h"
#include "towerlens/split.h"
#include "towerlens/train.h"

static void die(const tl_error *e)
{
    fprintf(stderr, "rating_bench: %s\n", e->message);
    exit(1);
}

typedef struct result {
    double top100, rmse, mae, seconds;
    int rmse_untrained; /* retrieval-only: the RMSE of the head as initialised */
} result;

static tl_split *make_split(const tl_dataset *ds, uint64_t seed, double valid_fraction)
{
    tl_split_options so;
    tl_split_options_default(&so);
    so.seed = seed;
    if (ds->n_ratings >= 100000) {
        so.train_rows = 80000;
        so.test_rows = 20000;
    }
    so.valid_fraction = valid_fraction;
    tl_split *sp = NULL;
    tl_error err;
    if (tl_split_make(ds, &so, &sp, &err) != TL_OK) die(&err);
    return sp;
}

static double top100(const tl_dataset *ds, const tl_split *sp, const uint32_t *rows, uint32_t n,
                     const tl_embeddings *emb)
{
    tl_eval_options eo;
    tl_eval_options_default(&eo);
    eo.protocol_b = 0;
    tl_metrics m;
    tl_error err;
    if (tl_eval_retrieval(ds, sp->train, sp->n_train, rows, n, emb, &eo, &m, &err) != TL_OK) die(&err);
    return m.top[4];
}

/* Trains cfg on sp's train rows; scores rows (test or validation). */
static result run(const tl_dataset *ds, const tl_split *sp, const tl_train_config *cfg, const uint32_t *rows,
                  uint32_t n, int with_top)
{
    result r;
    memset(&r, 0, sizeof r);
    tl_error err;
    tl_trainer *tr = NULL;
    if (tl_trainer_new(ds, sp, cfg, &tr, &err) != TL_OK) die(&err);
    double t0 = bench_now();
    tl_train_progress p;
    if (tl_trainer_step(tr, 0, 0, &p, &err) != TL_OK) die(&err);
    r.seconds = bench_now() - t0;
    tl_embeddings emb = tl_model_embeddings(tl_trainer_model(tr));
    if (with_top) r.top100 = top100(ds, sp, rows, n, &emb);
    const tl_rating_head *h = tl_trainer_head(tr);
    tl_rating_head *untrained = NULL;
    if (!h) { /* retrieval only: the original still reports its (untrained) rating head */
        if (tl_rating_head_new(&cfg->head, cfg->dim, ds->n_users, ds->n_movies, cfg->seed + 4, &untrained, &err) !=
            TL_OK)
            die(&err);
        h = untrained;
        r.rmse_untrained = 1;
    }
    float *pred = malloc(n * sizeof(float));
    tl_metrics m;
    memset(&m, 0, sizeof m);
    if (tl_rating_predict_rows(h, &emb, ds, rows, n, pred, &err) != TL_OK ||
        tl_eval_rating(ds, rows, n, pred, &m, &err) != TL_OK)
        die(&err);
    r.rmse = m.rmse;
    r.mae = m.mae;
    free(pred);
    tl_rating_head_free(untrained);
    tl_trainer_free(tr);
    return r;
}

static void table(const tl_dataset *ds, uint64_t seed)
{
    tl_split *sp = make_split(ds, seed, 0.0);
    tl_train_config cfg;
    tl_error err;
    if (tl_train_config_preset(&cfg, "tfrs-multitask", &err) != TL_OK) die(&err);
    cfg.seed = seed;
    printf("preset tfrs-multitask: d=%u, head 256-128-1, batch %u, %u epochs, Adagrad %g; split %u/%u seed %" PRIu64
           "\n\n",
           cfg.dim, cfg.batch_size, cfg.epochs, (double)cfg.learning_rate, sp->n_train, sp->n_test, seed);
    printf("| model (rating / retrieval weight) | test top-100 | test RMSE | test MAE | train s |\n");
    printf("|---|---|---|---|---|\n");
    static const float w[3][2] = {{1, 0}, {0, 1}, {1, 1}};
    static const char *names[3] = {"rating-only (1/0)", "retrieval-only (0/1)", "joint (1/1)"};
    for (int i = 0; i < 3; i++) {
        cfg.rating_weight = w[i][0];
        cfg.retrieval_weight = w[i][1];
        result r = run(ds, sp, &cfg, sp->test, sp->n_test, 1);
        printf("| %s | %.4f | %.4f%s | %.4f | %.1f |\n", names[i], r.top100, r.rmse,
               r.rmse_untrained ? " (untrained head)" : "", r.mae, r.seconds);
        fflush(stdout);
    }
    float *pu = NULL, *pm = NULL;
    if (popularity_tables(ds, sp->train, sp->n_train, &pu, &pm, &err) != TL_OK) die(&err);
    tl_embeddings pe = {pu, pm, 1, 1, 1};
    tl_bias_config bc;
    tl_bias_config_default(&bc);
    tl_metrics b;
    if (tl_eval_bias_baseline(ds, sp->train, sp->n_train, sp->test, sp->n_test, &bc, &b, &err) != TL_OK) die(&err);
    printf("| popularity / bias baseline | %.4f | %.4f | %.4f | |\n", top100(ds, sp, sp->test, sp->n_test, &pe), b.rmse,
           b.mae);
    free(pu);
    free(pm);
    tl_split_free(sp);
}

static void default_model(const tl_dataset *ds, uint64_t seed)
{
    tl_train_config cfg;
    tl_error err;
    if (tl_train_config_preset(&cfg, "default", &err) != TL_OK) die(&err);
    cfg.seed = seed;
    tl_train_config_set_rating(&cfg, 1.0f);
    tl_bias_config bc;
    tl_bias_config_default(&bc);
    const tl_head_config *h = &cfg.head;
    printf("default joint model: d=%u, batch %u, %u epochs, Adagrad %g (head %g); head", cfg.dim, cfg.batch_size,
           cfg.epochs, (double)cfg.learning_rate,
           (double)(h->learning_rate > 0 ? h->learning_rate : cfg.learning_rate));
    for (uint32_t l = 0; l < h->n_hidden; l++) printf(" %u ->", h->hidden[l]);
    printf(" 1%s, %s squared error, L2 weights %g biases %g embeddings %g; %s\n\n", h->biases ? " + biases" : "",
           h->reduction == TL_RATING_SUM ? "summed" : "mean", (double)h->l2_weights, (double)h->l2_biases,
           (double)h->l2_embeddings, tl_kernels_simd() ? "WASM SIMD128" : "native");
    printf("| split | rows scored | bias baseline RMSE | model RMSE | model MAE | top-100 | popularity top-100 | train "
           "s |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (int pass = 0; pass < 2; pass++) {
        tl_split *sp = make_split(ds, seed, pass == 0 ? 0.1 : 0.0);
        const uint32_t *rows = pass == 0 ? sp->valid : sp->test;
        uint32_t n = pass == 0 ? sp->n_valid : sp->n_test;
        tl_metrics b;
        if (tl_eval_bias_baseline(ds, sp->train, sp->n_train, rows, n, &bc, &b, &err) != TL_OK) die(&err);
        result r = run(ds, sp, &cfg, rows, n, 1);
        float *pu = NULL, *pm = NULL;
        if (popularity_tables(ds, sp->train, sp->n_train, &pu, &pm, &err) != TL_OK) die(&err);
        tl_embeddings pe = {pu, pm, 1, 1, 1};
        printf("| %s (train %u) | %u | %.4f | %.4f | %.4f | %.4f | %.4f | %.2f |\n", pass == 0 ? "validation" : "test",
               sp->n_train, n, b.rmse, r.rmse, r.mae, r.top100, top100(ds, sp, rows, n, &pe), r.seconds);
        fflush(stdout);
        free(pu);
        free(pm);
        tl_split_free(sp);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "table") && strcmp(argv[1], "default"))) {
        fprintf(stderr, "usage: rating_bench table|default DATA [SEED]\n");
        return 2;
    }
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
    const char *path = argv[2];
    tl_dataset *ds = NULL;
    tl_error err;
    if (tl_load_paths(&path, 1, &ds, &err) != TL_OK) die(&err);
    if (!strcmp(argv[1], "table")) table(ds, seed);
    else default_model(ds, seed);
    tl_dataset_free(ds);
    return 0;
}
