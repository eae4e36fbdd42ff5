#include "check.h"
#include "towerlens/rng.h"
#include "towerlens/split.h"

/* A dataset with n rating rows and nothing else: the split only looks at
 * the row count. */
static tl_dataset *rows_only(uint32_t n)
{
    tl_dataset *ds = calloc(1, sizeof *ds);
    ds->n_ratings = n;
    ds->r_user = calloc(n + 1, sizeof *ds->r_user);
    ds->r_movie = calloc(n + 1, sizeof *ds->r_movie);
    ds->r_half = calloc(n + 1, 1);
    return ds;
}

static void test_splitmix64(void)
{
    /* the reference splitmix64 stream for seed 0 (Vigna's splitmix64.c) */
    tl_rng r;
    tl_rng_seed(&r, 0);
    CHECK(tl_rng_next(&r) == 0xe220a8397b1dcdafull);
    CHECK(tl_rng_next(&r) == 0x6e789e6aa1b965f4ull);
    CHECK(tl_rng_next(&r) == 0x06c45d188009454full);
}

static void check_vector(uint32_t n, const uint32_t first[10], uint64_t hash)
{
    uint32_t *p = malloc((size_t)n * sizeof *p);
    tl_permutation(p, n, 42);
    for (int i = 0; i < 10; i++) CHECK_INT(p[i], first[i]);
    uint64_t h = tl_fnv1a64_u32_as_u64(TL_FNV_OFFSET, p, n);
    if (h != hash)
        fprintf(stderr, "n=%u: permutation hash %016llx, expected %016llx\n", n, (unsigned long long)h,
                (unsigned long long)hash);
    CHECK(h == hash);
    /* a permutation: every index once */
    unsigned char *seen = calloc(n, 1);
    int ok = 1;
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] >= n || seen[p[i]]) ok = 0;
        else seen[p[i]] = 1;
    }
    CHECK(ok);
    free(seen);
    free(p);
}

static void test_vectors(void)
{
    static const uint32_t a[10] = {40466, 86372, 12557, 11453, 77676, 588, 19895, 98257, 17624, 53142};
    static const uint32_t b[10] = {31834, 69428, 39768, 59138, 60477, 81288, 27040, 16308, 43049, 85801};
    check_vector(100836, a, 0xb8839606eaf79629ull);
    check_vector(100000, b, 0x3dbca52f6f72e43dull);
}

static void test_take_skip(void)
{
    tl_dataset *ds = rows_only(100836);
    tl_split_options opt;
    tl_split_options_default(&opt);
    CHECK_INT(opt.seed, 42);
    CHECK_NEAR(opt.test_fraction, 0.2, 0);
    opt.train_rows = 80000;
    opt.test_rows = 20000;
    tl_split *sp = NULL;
    tl_error err;
    CHECK_INT(tl_split_make(ds, &opt, &sp, &err), TL_OK);
    CHECK_INT(sp->n_train, 80000);
    CHECK_INT(sp->n_test, 20000);
    CHECK_INT(sp->n_valid, 0);
    CHECK(sp->valid == NULL);
    uint32_t *p = malloc(100836 * sizeof *p);
    tl_permutation(p, 100836, 42);
    CHECK_INT(sp->train[0], 40466);
    CHECK_INT(sp->train[9], 53142);
    CHECK(memcmp(sp->train, p, 80000 * sizeof *p) == 0);
    CHECK(memcmp(sp->test, p + 80000, 20000 * sizeof *p) == 0);
    tl_split_free(sp);

    /* validation: the 80,000 train rows permuted with seed 43; first 8,000 */
    opt.valid_fraction = 0.1;
    CHECK_INT(tl_split_make(ds, &opt, &sp, &err), TL_OK);
    CHECK_INT(sp->n_valid, 8000);
    CHECK_INT(sp->n_train, 72000);
    CHECK_INT(sp->n_test, 20000);
    uint32_t *q = malloc(80000 * sizeof *q);
    tl_permutation(q, 80000, 43);
    int ok = 1;
    for (uint32_t k = 0; k < 8000; k++) ok &= sp->valid[k] == p[q[k]];
    for (uint32_t k = 8000; k < 80000; k++) ok &= sp->train[k - 8000] == p[q[k]];
    CHECK(ok);
    CHECK(memcmp(sp->test, p + 80000, 20000 * sizeof *p) == 0); /* test unchanged */
    tl_split_free(sp);
    free(q);

    /* default fraction: 20% of 100836 = 20167 test rows, the rest train */
    tl_split_options_default(&opt);
    CHECK_INT(tl_split_make(ds, &opt, &sp, &err), TL_OK);
    CHECK_INT(sp->n_test, 20167);
    CHECK_INT(sp->n_train, 80669);
    CHECK(memcmp(sp->test, p + 80669, 20167 * sizeof *p) == 0);
    tl_split_free(sp);
    free(p);
    tl_dataset_free(ds);
}

static void test_errors(void)
{
    tl_dataset *ds = rows_only(1000);
    tl_split_options opt;
    tl_split_options_default(&opt);
    tl_split *sp = (tl_split *)&opt; /* must be reset to NULL on failure */
    tl_error err;
    opt.train_rows = 900;
    opt.test_rows = 200;
    CHECK_INT(tl_split_make(ds, &opt, &sp, &err), TL_E_ARG);
    CHECK(sp == NULL);
    CHECK_CONTAINS(err.message, "train rows 900 + test rows 200 = 1100 exceed the 1000 ratings");
    opt.train_rows = 0;
    opt.test_rows = 0;
    opt.test_fraction = 1.5;
    CHECK_INT(tl_split_make(ds, &opt, &sp, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "test fraction 1.5 is outside [0, 1)");
    opt.test_fraction = 0.2;
    opt.test_rows = 5;
    CHECK_INT(tl_split_make(ds, &opt, &sp, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "without train rows");
    opt.test_rows = 0;
    opt.valid_fraction = -0.1;
    CHECK_INT(tl_split_make(ds, &opt, &sp, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "validation fraction");
    /* train given alone: test = every remaining row */
    opt.valid_fraction = 0;
    opt.train_rows = 700;
    CHECK_INT(tl_split_make(ds, &opt, &sp, &err), TL_OK);
    CHECK_INT(sp->n_test, 300);
    tl_split_free(sp);
    tl_dataset_free(ds);

    tl_dataset *empty = rows_only(0);
    tl_split_options_default(&opt);
    CHECK_INT(tl_split_make(empty, &opt, &sp, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "no ratings");
    tl_dataset_free(empty);
}

static void test_uniform(void)
{
    tl_rng r;
    tl_rng_seed(&r, 7);
    float lo = 1, hi = -1;
    double mean = 0;
    for (int i = 0; i < 100000; i++) {
        float x = tl_rng_uniform(&r, -0.05f, 0.05f);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        mean += x;
    }
    CHECK(lo >= -0.05f && lo < -0.0499f);
    CHECK(hi < 0.05f && hi > 0.0499f);
    CHECK_NEAR(mean / 100000, 0.0, 0.0005);
}

int main(void)
{
    test_splitmix64();
    test_vectors();
    test_take_skip();
    test_errors();
    test_uniform();
    return check_report("test_split");
}
