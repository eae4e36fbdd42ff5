/* Reproducible train/test(/validation) splits over rating rows.
 *
 * The permutation is splitmix64 seeded with S driving a Fisher-Yates shuffle
 * of row indices 0..n-1 (file order), from i = n-1 down to 1 with
 * j = next() % (i+1). Train = the first rows of the permuted order, test =
 * the next ones (the original's take/skip). Validation is carved from train
 * the same way with seed S+1: train rows permuted with S+1, the first
 * n_valid of them are validation, the rest stay in train. */
#ifndef TOWERLENS_SPLIT_H
#define TOWERLENS_SPLIT_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest test share the front ends accept (CLI --test-fraction, JS
 * testFraction, the page's test share): past half the rows, the model
 * trains on less than it is tested on. 0 = train on every rating. */
#define TL_MAX_TEST_FRACTION 0.5

typedef struct tl_split_options {
    uint64_t seed;       /* S */
    uint32_t train_rows; /* explicit sizes win when train_rows > 0 */
    uint32_t test_rows;
    double test_fraction;  /* otherwise test = round(n * test_fraction), default 0.2 */
    double valid_fraction; /* of train rows; 0 = no validation split */
} tl_split_options;

typedef struct tl_split {
    uint32_t n_train, n_test, n_valid;
    uint32_t *train; /* dataset row indices, in permuted order */
    uint32_t *test;
    uint32_t *valid; /* NULL when n_valid == 0 */
} tl_split;

void tl_split_options_default(tl_split_options *opt); /* seed 42, test_fraction 0.2 */
tl_status tl_split_make(const tl_dataset *ds, const tl_split_options *opt, tl_split **out, tl_error *err);
void tl_split_free(tl_split *sp);

/* A bitmap of n_ratings bits with rows' bits set (caller frees); *repeats
 * (when given) says whether a row came twice. Lets passes over rows given
 * in any order read the rating columns in order instead. */
tl_status tl_row_bits(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, uint32_t **bits, int *repeats,
                      tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
