/* Pieces of the evaluation shared by its files and by the fold-in
 * evaluation (index_foldin_eval.c). Not a public header. */
#ifndef TL_EVAL_EVAL_INTERNAL_H
#define TL_EVAL_EVAL_INTERNAL_H

#include <stdint.h>

#include "towerlens/eval.h"
#include "towerlens/pool.h"
#include "towerlens/scorer.h"
#include "towerlens/seen.h"
#include "towerlens/topk.h"

#define TL_EVAL_TOP_B 100 /* protocol B ranks this many movies per user */

/* The catalogue as a list of dense movie indices, ascending. */
tl_status tl__eval_catalogue(const tl_dataset *ds, uint32_t **cat, uint32_t *n_cat, tl_error *err);

/* Checks the dataset, rows and model every evaluation needs. */
tl_status tl__eval_check_inputs(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                                const uint32_t *test_rows, uint32_t n_test, const tl_scorer *sc, tl_error *err);

/* Picks k of the n values of v in place (v[0..k) is the sample) with a
 * partial Fisher-Yates shuffle from the front driven by splitmix64(seed):
 * for i < k, j = i + next() % (n - i), swap v[i], v[j]; then sorts the
 * sample ascending so processing order does not depend on the draw. */
void tl__eval_sample(uint32_t *v, uint32_t n, uint32_t k, uint64_t seed);

/* Rows grouped by user as a CSR table (counting sort, stable): user u's
 * rows are rows[offsets[u] .. offsets[u+1]) in input order. */
typedef struct tl__rows_by_user {
    uint32_t *offsets; /* n_users + 1 */
    uint32_t *rows;
} tl__rows_by_user;
tl_status tl__rows_by_user_build(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, tl__rows_by_user *out,
                                 tl_error *err);
void tl__rows_by_user_free(tl__rows_by_user *g);

/* Protocol B, one user at a time with its own vector (the fold-in
 * evaluation; tl_eval_retrieval ranks in blocks, eval_blocks.c). The ranker
 * owns the scratch arrays. */
typedef struct tl__ranker {
    const tl_dataset *ds;
    const tl_seen *seen; /* movies excluded per user (train rows) */
    const uint32_t *cat;
    uint32_t n_cat;
    float *scores;      /* n_movies */
    uint32_t *excluded; /* n_movies stamps: == stamp means excluded for this user */
    uint32_t *relevant; /* n_movies stamps: == stamp means relevant */
    uint32_t stamp;
    uint8_t *covered; /* n_movies: in some user's top 10 */
    uint32_t n_covered;
    double discount[TL_EVAL_TOP_B]; /* 1 / log2(rank + 2) */
    tl_scored top[TL_EVAL_TOP_B];
} tl__ranker;

typedef struct tl__user_metrics {
    double recall_at_20, ndcg_at_10, ndcg_at_100;
} tl__user_metrics;

tl_status tl__ranker_init(tl__ranker *r, const tl_dataset *ds, const tl_seen *seen, const uint32_t *cat, uint32_t n_cat,
                          tl_error *err);
void tl__ranker_free(tl__ranker *r);

/* Ranks the catalogue for dense user `user` scored from `state`,
 * excluding the user's seen movies; relevant = the distinct movies in
 * `rel` that are rankable (in the catalogue, not seen). Returns 0 and
 * leaves *m untouched when no relevant movie is rankable (the user is
 * skipped), else 1. Adds the user's top 10 to the coverage set. */
int tl__ranker_user(tl__ranker *r, const tl_scorer *sc, const float *state, uint32_t user, const uint32_t *rel,
                    uint32_t n_rel, tl__user_metrics *m);

/* The same for scores given over every dense movie (models that are not
 * dot products, e.g. EASE): ranks scores[cat[i]] exactly as above. */
int tl__ranker_user_scores(tl__ranker *r, const float *scores, uint32_t user, const uint32_t *rel, uint32_t n_rel,
                           tl__user_metrics *m);

/* The ranking metrics of one user from its top list of n_top movies (best
 * first): rel[i] says whether the i-th is relevant, n_relevant counts the user's relevant
 * movies. Shared by the evaluation and the ranker. */
void tl__eval_user_metrics(uint32_t n_top, const uint8_t *rel, uint32_t n_relevant, const double *discount,
                           tl__user_metrics *m);
/* discount[i] = 1 / log2(i + 2) for i < TL_EVAL_TOP_B */
void tl__eval_discounts(double *discount);

/* ---- the evaluation proper (eval_setup.c, eval_blocks.c) ----------------
 * Set-up: the users to evaluate (all with test rows, or the seeded sample),
 * their test rows, protocol A's rows and their seen sets, each in one pass
 * over the rows. Then the users are scored in blocks against chunks of the
 * movie table (tl_gemm_abt_dots) and every user's scores are scanned with
 * its own top-100 heaps; blocks run on the thread pool and write only their
 * own users' outputs, which are summed in user order afterwards, so the
 * numbers do not depend on the thread count. */
typedef struct tl__eval_plan {
    uint32_t n;         /* users evaluated, by position p */
    uint32_t *user;     /* n: dense user ids, ascending */
    uint32_t *test_off; /* n + 1: position p's test rows are test[test_off[p] .. test_off[p+1]) */
    uint32_t *test;     /* in input order within a user */
    uint32_t *a_off;    /* n + 1: protocol A's rows of p, likewise (NULL: protocol A is off) */
    uint32_t *a_rows;
    tl_seen *seen; /* protocol B: the evaluated users' train movies (NULL: protocol B is off) */
} tl__eval_plan;

/* Fills the plan and out's counts (rows_total, users_total, rows_evaluated, sampled). */
tl_status tl__eval_plan_make(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                             const uint32_t *test_rows, uint32_t n_test, const tl_eval_options *opt,
                             tl__eval_plan *plan, tl_metrics *out, tl_error *err);
void tl__eval_plan_free(tl__eval_plan *plan);

/* Protocols A (when plan->a_off) and B (when plan->seen) over the plan's
 * users, scored by sc; n_cat (the catalogue's size) divides Coverage@10. */
tl_status tl__eval_run(const tl_dataset *ds, const tl__eval_plan *plan, const tl_scorer *sc, uint32_t n_cat,
                       tl_pool *pool, tl_metrics *out, tl_error *err);

#endif
