/* Protocol A (FactorizedTopK): for each test row, the number of catalogue
 * movies with a strictly higher score than the test movie; hit@K when that
 * number is below K.
 *
 * Only counts below 100 (the largest K) matter, so the catalogue is scored
 * once per user and only its 100 best scores are kept (a heap, one pass):
 * with v100 the 100th best score, fewer than 100 movies score above s
 * exactly when s >= v100, and then every score above s is among the kept
 * ones. Each row is then a binary search in 100 sorted values. */
#include <stdlib.h>

#include "eval_internal.h"
#include "towerlens/kernels.h"

static const uint32_t top_ks[5] = {1, 5, 10, 50, 100};
#define KEEP 100 /* the largest K */

/* How many of the n best-first scores are strictly above s. */
static uint32_t count_above(const tl_scored *best, uint32_t n, float s)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (best[mid].score > s) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

tl_status tl_eval_protocol_a(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows,
                             const tl_embeddings *emb, const uint32_t *cat, uint32_t n_cat,
                             tl_metrics *m, tl_error *err)
{
    tl_rows_by_user g = {0};
    tl_status st = tl_rows_by_user_build(ds, rows, n_rows, &g, err);
    if (st != TL_OK) return st;
    /* users with rows, scored TL_EVAL_BLOCK at a time */
    float *scores = malloc((size_t)TL_EVAL_BLOCK * (ds->n_movies ? ds->n_movies : 1) * sizeof *scores);
    if (!scores) {
        tl_rows_by_user_free(&g);
        return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory scoring %u movies", ds->n_movies);
    }
    tl_scored best[KEEP];
    uint64_t hits[5] = {0};
    uint32_t block[TL_EVAL_BLOCK];
    uint32_t u = 0;
    while (u < ds->n_users) {
        uint32_t nb = 0;
        for (; u < ds->n_users && nb < TL_EVAL_BLOCK; u++)
            if (g.offsets[u + 1] > g.offsets[u]) block[nb++] = u;
        tl_eval_score_users(ds, emb, block, nb, scores);
        for (uint32_t j = 0; j < nb; j++) {
            const float *s_u = scores + (size_t)j * ds->n_movies;
            uint32_t a = g.offsets[block[j]], b = g.offsets[block[j] + 1];
            tl_topk top;
            tl_topk_init(&top, best, KEEP);
            for (uint32_t i = 0; i < n_cat; i++) tl_topk_push(&top, cat[i], s_u[cat[i]]); /* NaN is never kept */
            uint32_t n_best = tl_topk_finish(&top);
            for (uint32_t r = a; r < b; r++) {
                float s = s_u[ds->r_movie[g.rows[r]]];
                if (s != s) continue; /* a NaN test score is a miss */
                if (n_best == KEEP && s < best[KEEP - 1].score) continue; /* 100 or more above */
                uint32_t above = count_above(best, n_best, s);
                for (int k = 0; k < 5; k++) hits[k] += above < top_ks[k];
            }
        }
    }
    for (int k = 0; k < 5; k++) m->top[k] = n_rows ? (double)hits[k] / n_rows : 0.0;
    m->rows_evaluated = n_rows;
    free(scores);
    tl_rows_by_user_free(&g);
    return TL_OK;
}
