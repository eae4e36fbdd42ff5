/* Reproducible take/skip splits over the splitmix64 permutation (split.h). */
#include "towerlens/split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towerlens/rng.h"

void tl_split_options_default(tl_split_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->seed = 42;
    opt->test_fraction = 0.2;
}

void tl_split_free(tl_split *sp)
{
    if (!sp) return;
    free(sp->train);
    free(sp->test);
    free(sp->valid);
    free(sp);
}

static uint32_t round_fraction(uint32_t n, double f) { return (uint32_t)floor((double)n * f + 0.5); }

/* Sizes from the options, checked against the n rows there are. */
static tl_status split_sizes(uint32_t n, const tl_split_options *opt, uint32_t *n_train, uint32_t *n_test,
                             tl_error *err)
{
    if (n == 0) return tl_fail(err, TL_E_ARG, "the dataset has no ratings to split");
    if (opt->train_rows > 0) {
        uint64_t want = (uint64_t)opt->train_rows + opt->test_rows;
        if (want > n)
            return tl_fail(err, TL_E_ARG, "train rows %u + test rows %u = %llu exceed the %u ratings in the data",
                           opt->train_rows, opt->test_rows, (unsigned long long)want, n);
        *n_train = opt->train_rows;
        *n_test = opt->test_rows ? opt->test_rows : n - opt->train_rows;
        return TL_OK;
    }
    if (opt->test_rows > 0)
        return tl_fail(err, TL_E_ARG, "test rows %u given without train rows: give both, or a test fraction",
                       opt->test_rows);
    if (!(opt->test_fraction >= 0.0 && opt->test_fraction < 1.0))
        return tl_fail(err, TL_E_ARG, "test fraction %g is outside [0, 1)", opt->test_fraction);
    *n_test = round_fraction(n, opt->test_fraction);
    *n_train = n - *n_test;
    if (*n_train == 0)
        return tl_fail(err, TL_E_ARG, "test fraction %g leaves no training rows out of %u", opt->test_fraction, n);
    return TL_OK;
}

tl_status tl_split_make(const tl_dataset *ds, const tl_split_options *opt, tl_split **out, tl_error *err)
{
    *out = NULL;
    if (!ds || !opt) return tl_fail(err, TL_E_ARG, "tl_split_make needs a dataset and options");
    uint32_t n = ds->n_ratings, n_train = 0, n_test = 0;
    tl_status st = split_sizes(n, opt, &n_train, &n_test, err);
    if (st != TL_OK) return st;
    if (!(opt->valid_fraction >= 0.0 && opt->valid_fraction < 1.0))
        return tl_fail(err, TL_E_ARG, "validation fraction %g is outside [0, 1)", opt->valid_fraction);
    uint32_t n_valid = round_fraction(n_train, opt->valid_fraction);
    if (n_valid >= n_train && n_valid > 0)
        return tl_fail(err, TL_E_ARG, "validation fraction %g leaves no training rows out of %u", opt->valid_fraction,
                       n_train);

    tl_split *sp = calloc(1, sizeof *sp);
    uint32_t *perm = malloc((size_t)n * sizeof *perm);
    if (!sp || !perm) goto nomem;
    tl_permutation(perm, n, opt->seed);

    /* validation: the train rows permuted again with seed S+1, take/skip */
    if (n_valid > 0) tl_shuffle_u32(perm, n_train, opt->seed + 1);
    sp->n_valid = n_valid;
    sp->n_train = n_train - n_valid;
    sp->n_test = n_test;
    sp->train = malloc(((size_t)sp->n_train + 1) * sizeof *sp->train);
    sp->test = malloc(((size_t)n_test + 1) * sizeof *sp->test);
    if (!sp->train || !sp->test) goto nomem;
    if (n_valid > 0) {
        sp->valid = malloc((size_t)n_valid * sizeof *sp->valid);
        if (!sp->valid) goto nomem;
        memcpy(sp->valid, perm, (size_t)n_valid * sizeof *perm);
    }
    memcpy(sp->train, perm + n_valid, (size_t)sp->n_train * sizeof *perm);
    memcpy(sp->test, perm + n_train, (size_t)n_test * sizeof *perm);
    free(perm);
    *out = sp;
    return TL_OK;

nomem:
    free(perm);
    tl_split_free(sp);
    return tl_fail(err, TL_E_NOMEM, "out of memory splitting %u ratings", n);
}

tl_status tl_row_bits(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, uint32_t **bits_out, int *repeats,
                      tl_error *err)
{
    uint32_t *bits = calloc((size_t)ds->n_ratings / 32 + 1, sizeof *bits);
    if (!bits) return tl_fail(err, TL_E_NOMEM, "out of memory marking %u rows", n_rows);
    int rep = 0;
    for (uint32_t i = 0; i < n_rows; i++) {
        uint32_t r = rows[i], bit = 1u << (r & 31);
        rep |= (bits[r >> 5] & bit) != 0;
        bits[r >> 5] |= bit;
    }
    if (repeats) *repeats = rep;
    *bits_out = bits;
    return TL_OK;
}
