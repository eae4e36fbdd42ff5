/* The evaluation both `train` and `eval` print: a model beside popularity on
 * the same split, as a table or as JSON members. */
#ifndef TL_CLI_EVAL_REPORT_H
#define TL_CLI_EVAL_REPORT_H

#include "towerlens.h"

typedef struct eval_report {
    tl_metrics model, popularity; /* with a rating head (has_rating), popularity's rmse/mae are the bias baseline's */
    tl_eval_options options;      /* the sample asked for (max_rows, max_users, seed) */
    double seconds;               /* wall clock of both evaluations, set-up included */
    uint32_t threads;             /* the pool's threads they ran on */
} eval_report;

/* The sampling options `train` and `eval` share (their defaults: max_users
 * TL_EVAL_SAMPLE_USERS, max_rows 0). */
#define EVAL_USERS_HELP                                                                                           \
    "evaluate a seeded sample (seed S) of at most N users with test rows (protocol B ranks for them, protocol A " \
    "takes their test rows); 0 = all"
#define EVAL_ROWS_HELP "then protocol A on at most N of those users' test rows (seeded); 0 = all"

/* Protocols A and B for the model and for popularity (one set-up for both),
 * and protocol C beside the bias baseline when the model predicts ratings;
 * max_rows/max_users sample (0 = all) with the seed; on pool's threads
 * (borrowed; NULL = this thread), which never changes a number. */
tl_status eval_report_run(const tl_dataset *ds, const tl_split *sp, const tl_scorer *sc, uint32_t max_rows,
                          uint32_t max_users, uint64_t seed, tl_pool *pool, eval_report *r, tl_error *err);

/* "test metrics (...)   model   popularity" and one row per metric. */
void eval_report_print(const eval_report *r);

/* ,"metrics":{"test":{...}},"baseline":{"name":"popularity","test":{...}},"evaluated":{...} */
void eval_report_json(const eval_report *r, tl_buf *out);

#endif
