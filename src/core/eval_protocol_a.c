/* Protocol A (FactorizedTopK): for each test row, the number of catalogue
 * movies with a strictly higher score than the test movie; hit@K when that
 * number is below K. The catalogue is scored once per user; a user with
 * many test rows sorts the scores once and binary-searches each row, a
 * user with few counts linearly (both give the same counts). */
#include "eval_internal.h"

#include <stdlib.h>

#include "towerlens/kernels.h"

static const uint32_t top_ks[5] = {1, 5, 10, 50, 100};

/* Above this many rows for one user, sorting the scores is cheaper. */
#define LINEAR_MAX_ROWS 8

/* Ascending, NaN first: NaN is never "higher" than anything. */
static int cmp_score(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    int xn = x != x, yn = y != y;
    if (xn || yn) return yn - xn;
    return (x > y) - (x < y);
}

/* Entries of the sorted array strictly greater than s. */
static uint32_t count_above_sorted(const float *v, uint32_t n, float s)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid] > s) hi = mid;
        else lo = mid + 1;
    }
    return n - lo;
}

static uint32_t count_above_linear(const float *v, uint32_t n, float s)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++) c += v[i] > s;
    return c;
}

tl_status tl_eval_protocol_a(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows,
                             const tl_embeddings *emb, const uint32_t *cat, uint32_t n_cat,
                             tl_metrics *m, tl_error *err)
{
    tl_rows_by_user g = {0};
    tl_status st = tl_rows_by_user_build(ds, rows, n_rows, &g, err);
    if (st != TL_OK) return st;
    float *scores = malloc((ds->n_movies ? (size_t)ds->n_movies : 1) * sizeof *scores);
    float *cs = malloc((size_t)n_cat * sizeof *cs);
    if (!scores || !cs) {
        free(scores);
        free(cs);
        tl_rows_by_user_free(&g);
        return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory scoring %u movies", ds->n_movies);
    }
    uint64_t hits[5] = {0};
    for (uint32_t u = 0; u < ds->n_users; u++) {
        uint32_t a = g.offsets[u], b = g.offsets[u + 1];
        if (a == b) continue;
        tl_gemv(emb->movies, ds->n_movies, emb->ld_movies, emb->users + (size_t)u * emb->ld_users, emb->dim,
                scores);
        for (uint32_t i = 0; i < n_cat; i++) cs[i] = scores[cat[i]];
        int sorted = b - a > LINEAR_MAX_ROWS;
        if (sorted) qsort(cs, n_cat, sizeof *cs, cmp_score);
        for (uint32_t j = a; j < b; j++) {
            float s = scores[ds->r_movie[g.rows[j]]];
            uint32_t above = s != s ? n_cat
                             : sorted ? count_above_sorted(cs, n_cat, s)
                                      : count_above_linear(cs, n_cat, s);
            for (int k = 0; k < 5; k++) hits[k] += above < top_ks[k];
        }
    }
    for (int k = 0; k < 5; k++) m->top[k] = n_rows ? (double)hits[k] / n_rows : 0.0;
    m->rows_evaluated = n_rows;
    free(scores);
    free(cs);
    tl_rows_by_user_free(&g);
    return TL_OK;
}
