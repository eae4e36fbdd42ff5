/* Retrieval evaluation over the catalogue (every movie of the movies file,
 * each once), for any model served by dot products of user and movie vectors.
 *
 * Protocol A (the original's FactorizedTopK): for each test row (u, m), count
 * catalogue movies with a strictly higher score than m; hit@K when the count
 * is < K; top-1/5/10/50/100 accuracy over test rows.
 * Protocol B (seen excluded): for each user with test rows, rank catalogue
 * movies not in that user's train rows; relevant = the user's test movies;
 * Recall@20 = hits in top 20 / min(20, #relevant); NDCG@10, NDCG@100 with
 * binary relevance normalised by the ideal; Coverage@10 = fraction of the
 * catalogue in anyone's top 10; averaged over users. */
#ifndef TOWERLENS_EVAL_H
#define TOWERLENS_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/buf.h"
#include "towerlens/dataset.h"
#include "towerlens/embeddings.h"
#include "towerlens/error.h"
#include "towerlens/pool.h"
#include "towerlens/scorer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The sample the CLI (`train`, `eval`) and the JS API (`trainer.evaluate()`)
 * evaluate by default: at most this many users with test rows (protocol B
 * ranks for them, protocol A takes their test rows). Each costs one pass over
 * the catalogue per protocol, so this bounds the time: ml-latest-small,
 * ml-100k and ml-1m are evaluated whole, ml-25m in seconds instead of
 * minutes (docs/evaluation.md). The library's own default
 * (tl_eval_options_default) stays 0 = all. */
#define TL_EVAL_SAMPLE_USERS 5000u

typedef struct tl_eval_options {
    int protocol_a;     /* default 1 */
    int protocol_b;     /* default 1 */
    uint32_t max_users; /* sample at most this many users with test rows (0 = all): protocol B
                              evaluates them, protocol A their test rows */
    uint32_t max_rows;  /* then protocol A on at most this many of its rows (0 = all) */
    uint64_t seed;      /* for sampling; sampling is reported in tl_metrics.sampled */
    tl_pool *pool;      /* borrowed: users are scored in blocks on its threads (NULL = the calling
                              thread only); the numbers are the same for any pool */
} tl_eval_options;

typedef struct tl_metrics {
    double top[5];                                                /* top-1, 5, 10, 50, 100 accuracy (protocol A) */
    double recall_at_20, ndcg_at_10, ndcg_at_100, coverage_at_10; /* protocol B */
    double rmse, mae;                                             /* protocol C, when has_rating */
    int has_rating;
    uint32_t rows_evaluated, users_evaluated;
    uint32_t rows_total;  /* protocol A: test rows before sampling */
    uint32_t users_total; /* protocol B: users with test rows before sampling */
    int sampled;          /* 1 when max_rows / max_users cut the evaluation */
} tl_metrics;

void tl_eval_options_default(tl_eval_options *opt);

tl_status tl_eval_retrieval(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                            const uint32_t *test_rows, uint32_t n_test, const tl_embeddings *emb,
                            const tl_eval_options *opt, tl_metrics *out, tl_error *err);

/* The set-up of an evaluation (the sample, the test rows grouped by user,
 * the seen sets) for one split and options, reused for several models: the
 * CLI and the JS API evaluate a model and popularity with one, paying for
 * the passes over the rows once. tl_eval_retrieval is new + run + free;
 * tl_eval_setup_run gives exactly its numbers. The set-up borrows ds and
 * opt->pool (keep both alive while it is used); the row lists are copied. */
typedef struct tl_eval_setup tl_eval_setup;
tl_status tl_eval_setup_new(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                            const uint32_t *test_rows, uint32_t n_test, const tl_eval_options *opt, tl_eval_setup **out,
                            tl_error *err);
/* Evaluates the model behind sc (scorer.h: any model type). */
tl_status tl_eval_setup_run(const tl_eval_setup *s, const tl_scorer *sc, tl_metrics *out, tl_error *err);
void tl_eval_setup_free(tl_eval_setup *s);

/* {"top_1":..,"top_5":..,"top_10":..,"top_50":..,"top_100":..,"recall_at_20":..,
 *  "ndcg_at_10":..,"ndcg_at_100":..,"coverage_at_10":.. [,"rmse":..,"mae":..]} */
void tl_metrics_json(const tl_metrics *m, tl_buf *out);

/* {"rows":..,"users":..,"rows_total":..,"users_total":..,"sampled":..,
 *  "max_rows":..,"max_users":..,"seed":..}: how much of the test set m covers
 * and the sample that chose it (what `evaluated` holds in the JSON output). */
void tl_eval_coverage_json(const tl_metrics *m, const tl_eval_options *opt, tl_buf *out);

#ifdef __cplusplus
}
#endif
#endif
