/* Evaluation entry point: checks inputs, samples, runs protocols A and B.
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
 * - Sampling (tl_eval_sample): max_users of the users that have test rows
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
}

tl_status tl_eval_catalogue(const tl_dataset *ds, uint32_t **cat, uint32_t *n_cat, tl_error *err)
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

static tl_status check_rows(const tl_dataset *ds, const char *what, const uint32_t *rows, uint32_t n,
                            tl_error *err)
{
    if (n > 0 && !rows) return tl_fail(err, TL_E_ARG, "evaluation: %u %s rows announced but none given", n, what);
    for (uint32_t i = 0; i < n; i++)
        if (rows[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "evaluation: %s row %u is out of range (the dataset has %u ratings)",
                           what, rows[i], ds->n_ratings);
    return TL_OK;
}

tl_status tl_eval_check_inputs(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                               const uint32_t *test_rows, uint32_t n_test, const tl_embeddings *emb,
                               tl_error *err)
{
    if (!ds) return tl_fail(err, TL_E_ARG, "evaluation: no dataset given");
    if (!emb || !emb->users || !emb->movies)
        return tl_fail(err, TL_E_ARG, "evaluation: no user and movie embedding tables given");
    if (emb->dim == 0) return tl_fail(err, TL_E_ARG, "evaluation: embedding dimension is 0");
    if (emb->ld_users < emb->dim || emb->ld_movies < emb->dim)
        return tl_fail(err, TL_E_ARG, "evaluation: embedding row strides (%zu, %zu) are smaller than the dimension %u",
                       emb->ld_users, emb->ld_movies, emb->dim);
    tl_status st = check_rows(ds, "train", train_rows, n_train, err);
    if (st == TL_OK) st = check_rows(ds, "test", test_rows, n_test, err);
    return st;
}

/* Users that have test rows, ascending. */
static tl_status users_with_rows(const tl_dataset *ds, const tl_rows_by_user *g, uint32_t **users,
                                 uint32_t *n_users, tl_error *err)
{
    uint32_t n = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) n += g->offsets[u + 1] > g->offsets[u];
    uint32_t *v = malloc((n ? (size_t)n : 1) * sizeof *v);
    if (!v) return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for %u users", n);
    n = 0;
    for (uint32_t u = 0; u < ds->n_users; u++)
        if (g->offsets[u + 1] > g->offsets[u]) v[n++] = u;
    *users = v;
    *n_users = n;
    return TL_OK;
}

/* Protocol A's rows: every test row, or with max_users below the number of
 * users with test rows, the test rows of the same seeded user sample protocol
 * B draws (a cluster sample: the cost of both protocols is one catalogue pass
 * per user evaluated, so max_users bounds it). Rows keep their input order. */
static tl_status rows_of_sampled_users(const tl_dataset *ds, const uint32_t *test_rows, uint32_t n_test,
                                       const tl_eval_options *opt, uint32_t *rows, uint32_t *n_rows,
                                       tl_metrics *out, tl_error *err)
{
    for (uint32_t i = 0; i < n_test; i++) rows[i] = test_rows[i];
    *n_rows = n_test;
    if (!opt->max_users) return TL_OK;
    tl_rows_by_user g = {0};
    uint32_t *users = NULL, n_users = 0;
    unsigned char *keep = NULL;
    tl_status st = tl_rows_by_user_build(ds, test_rows, n_test, &g, err);
    if (st == TL_OK) st = users_with_rows(ds, &g, &users, &n_users, err);
    if (st == TL_OK && n_users > opt->max_users) {
        keep = calloc(ds->n_users ? ds->n_users : 1, 1);
        if (!keep) st = tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for %u users", ds->n_users);
        if (st == TL_OK) {
            tl_eval_sample(users, n_users, opt->max_users, opt->seed + 1);
            for (uint32_t i = 0; i < opt->max_users; i++) keep[users[i]] = 1;
            uint32_t n = 0;
            for (uint32_t i = 0; i < n_test; i++)
                if (keep[ds->r_user[test_rows[i]]]) rows[n++] = test_rows[i];
            *n_rows = n;
            out->sampled = 1;
        }
    }
    free(keep);
    free(users);
    tl_rows_by_user_free(&g);
    return st;
}

static tl_status protocol_b(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                            const uint32_t *test_rows, uint32_t n_test, const tl_embeddings *emb,
                            const tl_eval_options *opt, const uint32_t *cat, uint32_t n_cat,
                            tl_metrics *out, tl_error *err)
{
    tl_seen *seen = NULL;
    tl_rows_by_user g = {0};
    uint32_t *users = NULL, n_users = 0;
    tl_ranker rk;
    int have_ranker = 0;
    tl_status st = tl_seen_new(ds, train_rows, n_train, &seen, err);
    if (st == TL_OK) st = tl_rows_by_user_build(ds, test_rows, n_test, &g, err);
    if (st == TL_OK) st = users_with_rows(ds, &g, &users, &n_users, err);
    if (st == TL_OK) st = tl_ranker_init(&rk, ds, seen, cat, n_cat, err);
    if (st == TL_OK) have_ranker = 1;
    uint32_t *rel = NULL;
    float *block = NULL;
    if (st == TL_OK) {
        rel = malloc((n_test ? (size_t)n_test : 1) * sizeof *rel);
        block = malloc((size_t)TL_EVAL_BLOCK * (ds->n_movies ? ds->n_movies : 1) * sizeof *block);
        if (!rel || !block) st = tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for %u test rows", n_test);
    }
    if (st == TL_OK) {
        uint32_t n_eval = n_users;
        out->users_total = n_users;
        if (opt->max_users && n_users > opt->max_users) {
            n_eval = opt->max_users;
            tl_eval_sample(users, n_users, n_eval, opt->seed + 1);
            out->sampled = 1;
        }
        double recall = 0, ndcg10 = 0, ndcg100 = 0;
        uint32_t counted = 0;
        for (uint32_t i = 0; i < n_eval; i++) {
            uint32_t u = users[i];
            if (i % TL_EVAL_BLOCK == 0) {
                uint32_t nb = n_eval - i < TL_EVAL_BLOCK ? n_eval - i : TL_EVAL_BLOCK;
                tl_eval_score_users(ds, emb, users + i, nb, block);
            }
            uint32_t a = g.offsets[u], b = g.offsets[u + 1];
            for (uint32_t j = a; j < b; j++) rel[j - a] = ds->r_movie[g.rows[j]];
            tl_user_metrics um;
            if (!tl_ranker_user_scored(&rk, block + (size_t)(i % TL_EVAL_BLOCK) * ds->n_movies, u, rel, b - a, &um))
                continue;
            recall += um.recall_at_20;
            ndcg10 += um.ndcg_at_10;
            ndcg100 += um.ndcg_at_100;
            counted++;
        }
        out->users_evaluated = counted;
        if (counted) {
            out->recall_at_20 = recall / counted;
            out->ndcg_at_10 = ndcg10 / counted;
            out->ndcg_at_100 = ndcg100 / counted;
        }
        out->coverage_at_10 = (double)rk.n_covered / n_cat;
    }
    free(rel);
    free(block);
    if (have_ranker) tl_ranker_free(&rk);
    free(users);
    tl_rows_by_user_free(&g);
    tl_seen_free(seen);
    return st;
}

tl_status tl_eval_retrieval(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                            const uint32_t *test_rows, uint32_t n_test, const tl_embeddings *emb,
                            const tl_eval_options *opt, tl_metrics *out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "evaluation: no output metrics given");
    *out = (tl_metrics){0};
    tl_eval_options defaults;
    if (!opt) {
        tl_eval_options_default(&defaults);
        opt = &defaults;
    }
    tl_status st = tl_eval_check_inputs(ds, train_rows, n_train, test_rows, n_test, emb, err);
    if (st != TL_OK) return st;
    uint32_t *cat = NULL, n_cat = 0;
    st = tl_eval_catalogue(ds, &cat, &n_cat, err);
    if (st != TL_OK) return st;

    if (opt->protocol_a && n_test > 0) {
        uint32_t n_eval = n_test;
        uint32_t *rows = malloc((size_t)n_test * sizeof *rows);
        if (!rows) st = tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for %u test rows", n_test);
        if (st == TL_OK) {
            out->rows_total = n_test;
            st = rows_of_sampled_users(ds, test_rows, n_test, opt, rows, &n_eval, out, err);
        }
        if (st == TL_OK) {
            if (opt->max_rows && n_eval > opt->max_rows) {
                tl_eval_sample(rows, n_eval, opt->max_rows, opt->seed);
                n_eval = opt->max_rows;
                out->sampled = 1;
            }
            st = tl_eval_protocol_a(ds, rows, n_eval, emb, cat, n_cat, out, err);
        }
        free(rows);
    }
    if (st == TL_OK && opt->protocol_b)
        st = protocol_b(ds, train_rows, n_train, test_rows, n_test, emb, opt, cat, n_cat, out, err);
    free(cat);
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
