/* The evaluation's set-up: which users are evaluated, their test rows,
 * protocol A's rows and their seen sets, each in one pass over the rows
 * (no sort of anything larger than the sample), so that a 5,000-user sample
 * of a 25M-rating set costs a few passes over its columns.
 *
 * Sampling as documented in eval.c: the users with test rows (ascending)
 * are drawn with splitmix64(seed + 1); protocol A takes their test rows in
 * input order and draws max_rows of those with splitmix64(seed). */
#include <stdlib.h>

#include "eval_internal.h"
#include "towerlens/split.h"

#define NONE UINT32_MAX

/* A set of rows: a list, walked in its order, or (bits set) a bitmap of
 * the dataset's rows, walked in row order so that the rating columns are
 * read in order (a list from a split is a permutation: looking up each
 * row's user would miss the cache at every row). */
typedef struct row_set {
    const uint32_t *rows;
    uint32_t n;
    const uint32_t *bits;
    uint32_t n_ratings;
} row_set;

#define FOR_EACH_ROW(set, r, body)                          \
    do {                                                    \
        if ((set)->bits) {                                  \
            for (uint32_t r = 0; r < (set)->n_ratings; r++) \
                if ((set)->bits[r >> 5] >> (r & 31) & 1u) { \
                    body                                    \
                }                                           \
        } else {                                            \
            for (uint32_t i_ = 0; i_ < (set)->n; i_++) {    \
                uint32_t r = (set)->rows[i_];               \
                body                                        \
            }                                               \
        }                                                   \
    } while (0)

/* Rows whose user has a position, grouped by position (stable: the set's
 * order within a user) into off (n + 1) and rows. */
static tl_status group_rows(const tl_dataset *ds, const uint32_t *pos, uint32_t n, const row_set *set,
                            uint32_t **off_out, uint32_t **grouped_out, tl_error *err)
{
    uint32_t *off = calloc((size_t)n + 1, sizeof *off);
    if (!off) return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory grouping %u rows by user", set->n);
    FOR_EACH_ROW(set, r, {
        uint32_t p = pos[ds->r_user[r]];
        if (p != NONE) off[p + 1]++;
    });
    for (uint32_t p = 0; p < n; p++) off[p + 1] += off[p];
    uint32_t *fill = malloc(((size_t)n + 1) * sizeof *fill);
    uint32_t *grouped = malloc((off[n] ? (size_t)off[n] : 1) * sizeof *grouped);
    if (!fill || !grouped) {
        free(off);
        free(fill);
        free(grouped);
        return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory grouping %u rows by user", set->n);
    }
    for (uint32_t p = 0; p <= n; p++) fill[p] = off[p];
    FOR_EACH_ROW(set, r, {
        uint32_t p = pos[ds->r_user[r]];
        if (p != NONE) grouped[fill[p]++] = r;
    });
    free(fill);
    *off_out = off;
    *grouped_out = grouped;
    return TL_OK;
}

/* Protocol A's rows: with max_rows below the evaluated users' test rows, a
 * seeded draw of max_rows of them (taken in input order, as the draw is
 * defined on that order), grouped by position; else all of their rows (in
 * any order: only the number of hits counts). */
static tl_status protocol_a_rows(const tl_dataset *ds, const uint32_t *pos, const uint32_t *test_rows, uint32_t n_test,
                                 const tl_eval_options *opt, tl__eval_plan *plan, tl_metrics *out, tl_error *err)
{
    uint32_t n_rows = plan->test_off[plan->n];
    out->rows_total = n_test;
    if (!opt->max_rows || n_rows <= opt->max_rows) {
        plan->a_off = plan->test_off;
        plan->a_rows = plan->test;
        out->rows_evaluated = n_rows;
        return TL_OK;
    }
    uint32_t *rows = malloc((size_t)n_rows * sizeof *rows);
    if (!rows) return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for %u test rows", n_rows);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n_test; i++)
        if (pos[ds->r_user[test_rows[i]]] != NONE) rows[k++] = test_rows[i];
    tl__eval_sample(rows, n_rows, opt->max_rows, opt->seed);
    row_set sample = {rows, opt->max_rows, NULL, ds->n_ratings};
    tl_status st = group_rows(ds, pos, plan->n, &sample, &plan->a_off, &plan->a_rows, err);
    free(rows);
    if (st == TL_OK) {
        out->rows_evaluated = opt->max_rows;
        out->sampled = 1;
    }
    return st;
}

/* Protocol B's seen sets, of the evaluated users only. The train rows are
 * a permutation: looking up each one's user would miss the cache at every
 * row, so they are marked in a bitmap (a few MB) and the rating columns
 * read in order, keeping the evaluated users' marked rows; tl_seen_new then
 * sorts those few (a repeated row changes no seen set). */
static tl_status seen_of_users(const tl_dataset *ds, const uint32_t *pos, const uint32_t *train_rows, uint32_t n_train,
                               tl_seen **seen, tl_error *err)
{
    uint32_t *bits = NULL;
    tl_status st = tl_row_bits(ds, train_rows, n_train, &bits, NULL, err);
    if (st != TL_OK) return st;
    size_t cap = 1024, n = 0;
    uint32_t *kept = malloc(cap * sizeof *kept);
    for (uint32_t i = 0; kept && i < ds->n_ratings; i++) {
        if (pos[ds->r_user[i]] == NONE || !(bits[i >> 5] >> (i & 31) & 1u)) continue;
        if (n == cap) {
            uint32_t *grown = realloc(kept, 2 * cap * sizeof *kept);
            if (!grown) {
                free(kept);
                kept = NULL;
                break;
            }
            kept = grown;
            cap *= 2;
        }
        kept[n++] = i;
    }
    free(bits);
    if (!kept) return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for the seen sets");
    st = tl_seen_new(ds, kept, (uint32_t)n, seen, err);
    free(kept);
    return st;
}

tl_status tl__eval_plan_make(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train,
                             const uint32_t *test_rows, uint32_t n_test, const tl_eval_options *opt,
                             tl__eval_plan *plan, tl_metrics *out, tl_error *err)
{
    *plan = (tl__eval_plan){0};
    int want_a = opt->protocol_a && n_test > 0, want_b = opt->protocol_b;
    /* the test rows as a bitmap, unless a row comes twice (then it counts twice) */
    uint32_t *bits = NULL;
    int repeats = 0;
    tl_status st = tl_row_bits(ds, test_rows, n_test, &bits, &repeats, err);
    if (st != TL_OK) return st;
    if (repeats) {
        free(bits);
        bits = NULL;
    }
    row_set tests = {test_rows, n_test, bits, ds->n_ratings};
    uint32_t *pos = malloc(((size_t)ds->n_users + 1) * sizeof *pos);
    if (!pos) {
        free(bits);
        return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for %u users", ds->n_users);
    }
    /* users with test rows, ascending (pos first holds 1 for them) */
    for (uint32_t u = 0; u < ds->n_users; u++) pos[u] = 0;
    FOR_EACH_ROW(&tests, r, { pos[ds->r_user[r]] = 1; });
    uint32_t n_with = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) n_with += pos[u];
    plan->user = malloc((n_with ? (size_t)n_with : 1) * sizeof *plan->user);
    if (!plan->user) {
        free(pos);
        free(bits);
        return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory for %u users", n_with);
    }
    for (uint32_t u = 0, k = 0; u < ds->n_users; u++)
        if (pos[u]) plan->user[k++] = u;
    plan->n = n_with;
    int sampled = 0;
    if ((want_a || want_b) && opt->max_users && n_with > opt->max_users) {
        tl__eval_sample(plan->user, n_with, opt->max_users, opt->seed + 1);
        plan->n = opt->max_users;
        sampled = 1;
    }
    if (!want_a && !want_b) plan->n = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) pos[u] = NONE;
    for (uint32_t p = 0; p < plan->n; p++) pos[plan->user[p]] = p;

    st = group_rows(ds, pos, plan->n, &tests, &plan->test_off, &plan->test, err);
    free(bits);
    if (st == TL_OK && want_a) {
        st = protocol_a_rows(ds, pos, test_rows, n_test, opt, plan, out, err);
        out->sampled |= sampled;
    }
    if (st == TL_OK && want_b) {
        st = seen_of_users(ds, pos, train_rows, n_train, &plan->seen, err);
        out->users_total = n_with;
        out->sampled |= sampled;
    }
    free(pos);
    if (st != TL_OK) tl__eval_plan_free(plan);
    return st;
}

void tl__eval_plan_free(tl__eval_plan *plan)
{
    if (plan->a_off != plan->test_off) {
        free(plan->a_off);
        free(plan->a_rows);
    }
    free(plan->user);
    free(plan->test_off);
    free(plan->test);
    tl_seen_free(plan->seen);
    *plan = (tl__eval_plan){0};
}
