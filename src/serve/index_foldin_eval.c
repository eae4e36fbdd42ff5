/* The fold-in quality check: protocol B for folded-in vectors against the
 * trained vectors of the same users (see tl_eval_foldin in index.h). */
#include <stdlib.h>

#include "eval/eval_internal.h"
#include "towerlens/index.h"

typedef struct foldin_eval_state {
    uint32_t *cat;
    tl_seen *seen;
    tl__rows_by_user train, test;
    tl_index *idx;
    uint32_t *counts, *users, *scratch, *rel;
    float *ratings, *vec, *trained; /* a fold-in state, the trained state */
    tl__ranker rk;
    int have_ranker;
} foldin_eval_state;

static void state_free(foldin_eval_state *s)
{
    if (s->have_ranker) tl__ranker_free(&s->rk);
    tl_index_free(s->idx);
    tl_seen_free(s->seen);
    tl__rows_by_user_free(&s->train);
    tl__rows_by_user_free(&s->test);
    free(s->cat), free(s->counts), free(s->users), free(s->scratch), free(s->rel);
    free(s->ratings), free(s->vec), free(s->trained);
}

tl_status tl_eval_foldin(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train, const uint32_t *test_rows,
                         uint32_t n_test, tl_scorer *sc, const tl_foldin_options *opt, uint32_t n_given,
                         uint32_t max_users, uint64_t seed, tl_foldin_report *out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "fold-in evaluation: no output report given");
    *out = (tl_foldin_report){0};
    if (n_given == 0) return tl_fail(err, TL_E_ARG, "fold-in evaluation: at least one given rating is needed");
    tl_status st = tl__eval_check_inputs(ds, train_rows, n_train, test_rows, n_test, sc, err);
    if (st != TL_OK) return st;
    tl_foldin_options fopt;
    if (opt) fopt = *opt;
    else tl_foldin_options_default(&fopt);

    foldin_eval_state s = {0};
    uint32_t n_cat = 0;
    st = tl__eval_catalogue(ds, &s.cat, &n_cat, err);
    if (st == TL_OK) st = tl_seen_new(ds, train_rows, n_train, &s.seen, err);
    if (st == TL_OK) st = tl__rows_by_user_build(ds, train_rows, n_train, &s.train, err);
    if (st == TL_OK) st = tl__rows_by_user_build(ds, test_rows, n_test, &s.test, err);
    if (st == TL_OK) st = tl_index_new(ds, sc, &s.idx, err);
    if (st == TL_OK && (st = tl__ranker_init(&s.rk, ds, s.seen, s.cat, n_cat, err)) == TL_OK) s.have_ranker = 1;
    if (st == TL_OK) {
        size_t most = 1;
        for (uint32_t u = 0; u < ds->n_users; u++) {
            size_t a = s.train.offsets[u + 1] - s.train.offsets[u], b = s.test.offsets[u + 1] - s.test.offsets[u];
            if (a > most) most = a;
            if (b > most) most = b;
        }
        s.counts = calloc((size_t)ds->n_movies + 1, sizeof *s.counts);
        s.users = malloc(((size_t)ds->n_users + 1) * sizeof *s.users);
        s.scratch = malloc(most * sizeof *s.scratch);
        s.rel = malloc(most * sizeof *s.rel);
        s.ratings = malloc((size_t)n_given * sizeof *s.ratings);
        s.vec = malloc(((size_t)sc->state_floats + 1) * sizeof *s.vec);
        s.trained = malloc(((size_t)sc->state_floats + 1) * sizeof *s.trained);
        if (!s.counts || !s.users || !s.scratch || !s.rel || !s.ratings || !s.vec || !s.trained)
            st = tl_fail(err, TL_E_NOMEM, "fold-in evaluation: out of memory");
    }
    if (st != TL_OK) {
        state_free(&s);
        return st;
    }
    /* negatives weighted by train counts: the test rows stay unseen */
    for (uint32_t i = 0; i < n_train; i++) s.counts[ds->r_movie[train_rows[i]]]++;
    if (fopt.popularity_negatives && !fopt.counts) fopt.counts = s.counts;

    uint32_t n_users = 0;
    for (uint32_t u = 0; u < ds->n_users; u++)
        if (s.train.offsets[u + 1] - s.train.offsets[u] >= n_given && s.test.offsets[u + 1] > s.test.offsets[u])
            s.users[n_users++] = u;
    if (max_users && n_users > max_users) {
        tl__eval_sample(s.users, n_users, max_users, seed + 1);
        n_users = max_users;
        out->sampled = 1;
    }

    double rt = 0, rf = 0, nt = 0, nf = 0;
    uint32_t counted = 0;
    for (uint32_t i = 0; i < n_users && st == TL_OK; i++) {
        uint32_t u = s.users[i];
        uint32_t ta = s.test.offsets[u], tb = s.test.offsets[u + 1];
        for (uint32_t j = ta; j < tb; j++) s.rel[j - ta] = ds->r_movie[s.test.rows[j]];
        tl__user_metrics mt, mf;
        uint32_t n_seen = 0;
        const uint32_t *seen = tl_seen_movies(s.seen, u, &n_seen);
        tl_profile train = {seen, NULL, n_seen};
        st = tl_scorer_user_state(sc, u, &train, s.trained, err);
        if (st != TL_OK) break;
        if (!tl__ranker_user(&s.rk, sc, s.trained, u, s.rel, tb - ta, &mt)) continue;

        /* n_given of the user's train rows, a seeded draw per user */
        uint32_t ra = s.train.offsets[u], rb = s.train.offsets[u + 1];
        for (uint32_t j = ra; j < rb; j++) s.scratch[j - ra] = s.train.rows[j];
        tl__eval_sample(s.scratch, rb - ra, n_given, seed + 2 + (uint64_t)u * 0x9E3779B97F4A7C15ull);
        for (uint32_t j = 0; j < n_given; j++) {
            uint32_t r = s.scratch[j];
            s.ratings[j] = tl_rating_value(ds->r_half[r]);
            s.scratch[j] = ds->r_movie[r];
        }
        st = tl_index_foldin(s.idx, s.scratch, s.ratings, n_given, &fopt, s.vec, err);
        if (st != TL_OK) break;
        tl__ranker_user(&s.rk, sc, s.vec, u, s.rel, tb - ta, &mf);
        rt += mt.recall_at_20, rf += mf.recall_at_20;
        nt += mt.ndcg_at_10, nf += mf.ndcg_at_10;
        counted++;
    }
    if (st == TL_OK && counted) {
        out->users = counted;
        out->recall_trained = rt / counted;
        out->recall_foldin = rf / counted;
        out->ndcg10_trained = nt / counted;
        out->ndcg10_foldin = nf / counted;
        out->ratio = rt > 0 ? rf / rt : 0.0;
    }
    state_free(&s);
    return st;
}
