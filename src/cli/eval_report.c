#include "eval_report.h"
#include "towerlens.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tl_status eval_report_run(const tl_dataset *ds, const tl_split *sp, const tl_scorer *sc, uint32_t max_rows,
                          uint32_t max_users, uint64_t seed, tl_pool *pool, eval_report *r, tl_error *err)
{
    memset(r, 0, sizeof *r);
    double t0 = tl_clock_ms();
    tl_eval_options eo;
    tl_eval_options_default(&eo);
    eo.max_rows = max_rows;
    eo.max_users = max_users;
    eo.seed = seed;
    eo.pool = pool;
    r->options = eo;
    r->threads = pool ? tl_pool_threads(pool) : 1;
    float *counts = NULL;
    tl_scorer *popularity = NULL;
    tl_eval_setup *setup = NULL;
    tl_status st = tl_eval_setup_new(ds, sp->train, sp->n_train, sp->test, sp->n_test, &eo, &setup, err);
    if (st == TL_OK) st = tl_eval_setup_run(setup, sc, &r->model, err);
    if (st == TL_OK) st = tl_popularity_counts(ds, sp->train, sp->n_train, &counts, err);
    if (st == TL_OK) st = tl_popularity_scorer_new(ds, counts, &popularity, err);
    if (st == TL_OK) st = tl_eval_setup_run(setup, popularity, &r->popularity, err);
    /* protocol C when the model predicts ratings, beside the bias baseline */
    if (st == TL_OK && sp->n_test > 0 && tl_scorer_predicts_ratings(sc)) {
        tl_bias_config bc;
        tl_bias_config_default(&bc);
        st = tl_eval_rating_scorer(ds, sp->test, sp->n_test, sc, &r->model, err);
        if (st == TL_OK)
            st = tl_eval_bias_baseline(ds, sp->train, sp->n_train, sp->test, sp->n_test, &bc, &r->popularity, err);
    }
    tl_eval_setup_free(setup);
    tl_scorer_free(popularity);
    free(counts);
    r->seconds = (tl_clock_ms() - t0) / 1e3;
    return st;
}

static const char *const metric_names[9] = {"top_1",        "top_5",      "top_10",      "top_50",        "top_100",
                                            "recall_at_20", "ndcg_at_10", "ndcg_at_100", "coverage_at_10"};

static double metric_value(const tl_metrics *m, int i)
{
    switch (i) {
        case 5: return m->recall_at_20;
        case 6: return m->ndcg_at_10;
        case 7: return m->ndcg_at_100;
        case 8: return m->coverage_at_10;
        default: return m->top[i];
    }
}

void eval_report_print(const eval_report *r)
{
    const tl_metrics *m = &r->model;
    if (m->sampled)
        printf("\nevaluated on a seeded sample (seed %" PRIu64
               "): %u of %u test rows (protocol A), %u of %u test users "
               "(protocol B); --eval-users N / --eval-rows N change it, 0 = all",
               r->options.seed, m->rows_evaluated, m->rows_total, m->users_evaluated, m->users_total);
    printf("\ntest metrics (%u row%s, %u user%s%s)   model      popularity\n", m->rows_evaluated,
           tl_plural(m->rows_evaluated), m->users_evaluated, tl_plural(m->users_evaluated),
           m->sampled ? ", sampled" : "");
    for (int i = 0; i < 9; i++)
        printf("  %-16s %9.4f  %9.4f\n", metric_names[i], metric_value(&r->model, i), metric_value(&r->popularity, i));
    if (r->model.has_rating) { /* a rating head: protocol C beside the bias baseline */
        printf("  %-16s %9.4f  %9.4f  (protocol C, clipped to 0.5-5; baseline: bias)\n", "rmse", r->model.rmse,
               r->popularity.rmse);
        printf("  %-16s %9.4f  %9.4f\n", "mae", r->model.mae, r->popularity.mae);
    }
}

void eval_report_json(const eval_report *r, tl_buf *out)
{
    tl_buf_printf(out, ",\"metrics\":{\"test\":");
    tl_metrics_json(&r->model, out);
    tl_buf_printf(out, "},\"baseline\":{\"name\":\"popularity\",%s\"test\":",
                  r->model.has_rating ? "\"rating_name\":\"bias\"," : "");
    tl_metrics_json(&r->popularity, out);
    tl_buf_puts(out, "},\"evaluated\":");
    tl_eval_coverage_json(&r->model, &r->options, out);
    tl_buf_printf(out, ",\"eval_threads\":%u,\"eval_seconds\":", r->threads);
    tl_buf_json_number(out, r->seconds);
}
