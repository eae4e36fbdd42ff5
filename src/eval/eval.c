/* Evaluation entry point: checks inputs, then the set-up (eval_setup.c)
 * and protocols A and B on the thread pool (eval_blocks.c).
 *
 * Documented choices beyond the header:
 * - A test movie outside the catalogue (rated but missing from the movies
 *   file) is still scored in protocol A and compared against the catalogue;
 *   in protocol B it can never be ranked, so it is not counted as relevant.
 * - Protocol B: relevant = the user's distinct test movies that can be
 *   ranked (in the catalogue and not among the user's train movies); a user
 *   with none is skipped and not counted in users_evaluated.
 * - Protocol B ties: equal scores rank the lower dense movie index first.
 * - NaN scores: a NaN test score is a miss in protocol A, NaN catalogue
 *   scores are never "higher"; protocol B never ranks a NaN-scored movie.
 * - Sampling (tl__eval_sample): max_users of the users that have test rows
 *   are drawn with splitmix64(seed + 1); protocol B evaluates them and
 *   protocol A their test rows. Then protocol A draws max_rows of its rows
 *   with splitmix64(seed). */
#include "eval_internal.h"

#include <inttypes.h>
#include <stdlib.h>

void tl_eval_options_default(tl_eval_options *opt)
{
    opt->protocol_a = 1;
    opt->protocol_b = 1;
    opt->max_rows = 0;
    opt->max_users = 0;
    opt->seed = 42;
    opt->pool = NULL;
}

tl_status tl__eval_catalogue(const tl_dataset *ds, uint32_t **cat, uint32_t *n_cat, tl_error *err)
{
    uint32_t n = 0;
    for (uint32_t m = 0; m < ds->n_movies; m++) n += ds->movies[m].in_catalogue ? 1 : 0;
    if (n == 0) return tl_fail(err, TL_E_ARG, "evaluation: the dataset has no catalogue movies to rank");
    uint32_t *c = malloc((size_t)n * sizeof *c);
    if (!c) return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for a catalogue of %u movies", n);
    n = 0;
    for (uint32_t m = 0; m < ds->n_movies; m++)
        if (ds->movies[m].in_catalogue) c[n++] = m;
    *cat = c;
    *n_cat = n;
    return TL_OK;
}

static tl_status check_rows(const tl_dataset *ds, const char *what, const uint32_t *rows, uint32_t n, tl_error *err)
{
    if (n > 0 && !rows) return tl_fail(err, TL_E_ARG, "evaluation: %u %s rows announced but none given", n, what);
    for (uint32_t i = 0; i < n; i++)
        if (rows[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "evaluation: %s row %u is out of range (the dataset has %u ratings)", what,
                           rows[i], ds->n_ratings);
    return TL_OK;
}

static tl_status check_scorer(const tl_dataset *ds, const tl_scorer *sc, tl_error *err)
{
    if (!sc) return tl_fail(err, TL_E_ARG, "evaluation: no model given");
    if (sc->ds->n_users != ds->n_users || sc->ds->n_movies != ds->n_movies)
        return tl_fail(err, TL_E_ARG,
                       "evaluation: the model's vocabularies (%u users, %u movies) are not the "
                       "dataset's (%u users, %u movies)",
                       sc->ds->n_users, sc->ds->n_movies, ds->n_users, ds->n_movies);
    return TL_OK;
}

tl_status tl__eval_check_inputs(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                                const uint32_t *test_rows, uint32_t n_test, const tl_scorer *sc, tl_error *err)
{
    if (!ds) return tl_fail(err, TL_E_ARG, "evaluation: no dataset given");
    tl_status st = check_scorer(ds, sc, err);
    if (st == TL_OK) st = check_rows(ds, "train", train_rows, n_train, err);
    if (st == TL_OK) st = check_rows(ds, "test", test_rows, n_test, err);
    return st;
}

/* A set-up for one split and options (eval_internal.h: the plan). */
struct tl_eval_setup {
    const tl_dataset *ds;
    tl__eval_plan plan;
    tl_metrics counts; /* what the plan fixes: totals, rows evaluated, sampled */
    uint32_t n_cat;
    tl_pool *pool;
};

/* The set-up without checking the inputs (the caller did). */
static tl_status setup_make(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                            const uint32_t *test_rows, uint32_t n_test, const tl_eval_options *opt, tl_eval_setup **out,
                            tl_error *err)
{
    tl_eval_options defaults;
    if (!opt) {
        tl_eval_options_default(&defaults);
        opt = &defaults;
    }
    uint32_t *cat = NULL, n_cat = 0;
    tl_status st = tl__eval_catalogue(ds, &cat, &n_cat, err);
    if (st != TL_OK) return st;
    free(cat); /* only its size: the scans read tl_movie.in_catalogue */
    tl_eval_setup *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory");
    s->ds = ds;
    s->n_cat = n_cat;
    s->pool = opt->pool;
    st = tl__eval_plan_make(ds, train_rows, n_train, test_rows, n_test, opt, &s->plan, &s->counts, err);
    if (st != TL_OK) {
        free(s);
        return st;
    }
    *out = s;
    return TL_OK;
}

tl_status tl_eval_setup_new(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                            const uint32_t *test_rows, uint32_t n_test, const tl_eval_options *opt, tl_eval_setup **out,
                            tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "evaluation: no output pointer given");
    *out = NULL;
    if (!ds) return tl_fail(err, TL_E_ARG, "evaluation: no dataset given");
    tl_status st = check_rows(ds, "train", train_rows, n_train, err);
    if (st == TL_OK) st = check_rows(ds, "test", test_rows, n_test, err);
    if (st == TL_OK) st = setup_make(ds, train_rows, n_train, test_rows, n_test, opt, out, err);
    return st;
}

tl_status tl_eval_setup_run(const tl_eval_setup *s, const tl_scorer *sc, tl_metrics *out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "evaluation: no output metrics given");
    if (!s) return tl_fail(err, TL_E_ARG, "evaluation: no set-up given");
    tl_status st = check_scorer(s->ds, sc, err);
    if (st != TL_OK) return st;
    if (sc->needs_profile && !s->plan.seen)
        return tl_fail(err, TL_E_ARG,
                       "evaluation: this model scores users from their train ratings: protocol B must be on");
    *out = s->counts;
    return tl__eval_run(s->ds, &s->plan, sc, s->n_cat, s->pool, out, err);
}

void tl_eval_setup_free(tl_eval_setup *s)
{
    if (!s) return;
    tl__eval_plan_free(&s->plan);
    free(s);
}

tl_status tl_eval_retrieval(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                            const uint32_t *test_rows, uint32_t n_test, const tl_embeddings *emb,
                            const tl_eval_options *opt, tl_metrics *out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "evaluation: no output metrics given");
    *out = (tl_metrics){0};
    if (!ds) return tl_fail(err, TL_E_ARG, "evaluation: no dataset given");
    tl_scorer *sc = NULL;
    tl_status st = tl_embed_scorer_new(ds, emb, &sc, err);
    if (st == TL_OK) st = tl__eval_check_inputs(ds, train_rows, n_train, test_rows, n_test, sc, err);
    tl_eval_setup *s = NULL;
    if (st == TL_OK) st = setup_make(ds, train_rows, n_train, test_rows, n_test, opt, &s, err);
    if (st == TL_OK) st = tl_eval_setup_run(s, sc, out, err);
    tl_eval_setup_free(s);
    tl_scorer_free(sc);
    return st;
}

void tl_metrics_json(const tl_metrics *m, tl_buf *out)
{
    static const char *const top_keys[5] = {"top_1", "top_5", "top_10", "top_50", "top_100"};
    tl_buf_puts(out, "{");
    for (int i = 0; i < 5; i++) {
        tl_buf_printf(out, "%s\"%s\":", i ? "," : "", top_keys[i]);
        tl_buf_json_number(out, m->top[i]);
    }
    tl_buf_puts(out, ",\"recall_at_20\":");
    tl_buf_json_number(out, m->recall_at_20);
    tl_buf_puts(out, ",\"ndcg_at_10\":");
    tl_buf_json_number(out, m->ndcg_at_10);
    tl_buf_puts(out, ",\"ndcg_at_100\":");
    tl_buf_json_number(out, m->ndcg_at_100);
    tl_buf_puts(out, ",\"coverage_at_10\":");
    tl_buf_json_number(out, m->coverage_at_10);
    if (m->has_rating) {
        tl_buf_puts(out, ",\"rmse\":");
        tl_buf_json_number(out, m->rmse);
        tl_buf_puts(out, ",\"mae\":");
        tl_buf_json_number(out, m->mae);
    }
    tl_buf_puts(out, "}");
}

void tl_eval_coverage_json(const tl_metrics *m, const tl_eval_options *opt, tl_buf *out)
{
    tl_buf_printf(out,
                  "{\"rows\":%u,\"users\":%u,\"rows_total\":%u,\"users_total\":%u,\"sampled\":%s,"
                  "\"max_rows\":%u,\"max_users\":%u,\"seed\":%" PRIu64 "}",
                  m->rows_evaluated, m->users_evaluated, m->rows_total, m->users_total, m->sampled ? "true" : "false",
                  opt->max_rows, opt->max_users, opt->seed);
}
