/* Choosing the blend's weights on validation rows (blend_internal.h): each
 * sampled validation user is scored once by every part, then ranked at
 * every grid point. Serial, in ascending user order: the same w for any
 * thread count, natively and in WASM. */
#include <stdlib.h>
#include <string.h>

#include "models/blend/blend_internal.h"
#include "models/rank_metrics.h"
#include "towerlens/rng.h"

void tl__blend_grid_point(int g, float *wa, float *wc)
{
    int ga = g, gc = 0;
    if (g >= TL_BLEND_GRID) /* past the 2-part line: wc = 0.1, 0.2, ... with 11 - 10 wc points each */
        for (gc = 1, ga = g - TL_BLEND_GRID; ga > TL_BLEND_GRID - 1 - gc; gc++) ga -= TL_BLEND_GRID - gc;
    *wa = (float)ga / (TL_BLEND_GRID - 1);
    *wc = (float)gc / (TL_BLEND_GRID - 1);
}

tl_status tl__blend_choose(const tl_dataset *ds, tl_scorer *a, tl_scorer *b, tl_scorer *c, const tl__blend_rows *rows,
                           uint64_t seed, float *wa, float *wc, double *recall, double *ndcg, uint32_t *users,
                           tl_error *err)
{
    uint32_t nm = ds->n_movies, nu = rows->n_users, n_cand = 0;
    int n_grid = c ? TL_BLEND_GRID3 : TL_BLEND_GRID;
    *wa = 1.0f, *wc = 0.0f, *users = 0;
    uint32_t *cand = malloc((size_t)(nu ? nu : 1) * sizeof *cand);
    size_t floats = (size_t)nm * 3 + a->state_floats + b->state_floats + (c ? (size_t)nm + c->state_floats : 0);
    float *buf = malloc(floats * sizeof *buf), *pack = malloc(((size_t)nm + 1) * 3 * sizeof *pack);
    uint32_t *idx = malloc(((size_t)nm + 1) * sizeof *idx);
    uint8_t *mark = calloc(nm ? nm : 1, 1); /* 1: a fit movie (not ranked), 2: relevant */
    uint32_t *cat = malloc((size_t)(nm ? nm : 1) * sizeof *cat), n_cat = 0;
    double r_sum[TL_BLEND_GRID3] = {0}, n_sum[TL_BLEND_GRID3] = {0};
    tl_status st =
        cand && buf && pack && idx && mark && cat ? TL_OK : tl_fail(err, TL_E_NOMEM, "blend: out of memory choosing w");
    for (uint32_t j = 0; st == TL_OK && j < nm; j++)
        if (ds->movies[j].in_catalogue) cat[n_cat++] = j;
    for (uint32_t u = 0; st == TL_OK && u < nu; u++)
        if (rows->val_start[u + 1] > rows->val_start[u]) cand[n_cand++] = u;
    if (st == TL_OK && n_cand > TL_BLEND_MAX_VALID_USERS) { /* a seeded sample, scored in user order */
        tl_shuffle_u32(cand, n_cand, seed);
        n_cand = TL_BLEND_MAX_VALID_USERS;
        for (uint32_t i = 1; i < n_cand; i++) /* insertion sort back to ascending users */
            for (uint32_t k = i; k > 0 && cand[k - 1] > cand[k]; k--) {
                uint32_t t = cand[k];
                cand[k] = cand[k - 1], cand[k - 1] = t;
            }
    }
    float *sa = buf, *sb = buf + nm, *xa = buf + 3 * (size_t)nm;
    float *xb = xa + a->state_floats, *xc = xb + b->state_floats, *sc = c ? xc + c->state_floats : NULL;
    /* the rankable movies of a user (catalogue, not fit), ascending, their parts' scores packed */
    float *pa = buf + 2 * (size_t)nm, *pb = pack, *pc = pack + nm, *pv = pack + 2 * (size_t)nm;
    for (uint32_t k = 0; st == TL_OK && k < n_cand; k++) {
        uint32_t u = cand[k], f0 = rows->fit_start[u], f1 = rows->fit_start[u + 1];
        tl_profile p = {rows->fit_movie + f0, rows->fit_stars + f0, f1 - f0};
        st = a->ops->user_state(a, u, &p, xa, err);
        if (st == TL_OK) st = b->ops->user_state(b, u, &p, xb, err);
        if (st == TL_OK && c) st = c->ops->user_state(c, u, &p, xc, err);
        if (st != TL_OK) break;
        a->ops->score(a, xa, 1, 0, nm, sa, nm);
        b->ops->score(b, xb, 1, 0, nm, sb, nm);
        if (c) c->ops->score(c, xc, 1, 0, nm, sc, nm);
        float ca, cb, cc;
        tl__blend_units(ds, sa, sb, sc, &ca, &cb, &cc);
        for (uint32_t i = f0; i < f1; i++) mark[rows->fit_movie[i]] = 1;
        uint32_t n_rel = 0, nr = 0;
        for (uint32_t i = rows->val_start[u]; i < rows->val_start[u + 1]; i++) {
            uint32_t m = rows->val_movie[i];
            if (!mark[m] && ds->movies[m].in_catalogue) mark[m] = 2, n_rel++;
        }
        for (uint32_t q = 0; q < n_cat; q++) {
            uint32_t j = cat[q];
            if (mark[j] == 1) continue;
            idx[nr] = j, pa[nr] = sa[j], pb[nr] = sb[j] < TL_BLEND_EASE_OUTSIDE ? 0 : sb[j];
            if (c) pc[nr] = sc[j];
            nr++;
        }
        if (n_rel > 0) {
            (*users)++;
            for (int g = 0; g < n_grid; g++) {
                float ga, gc;
                tl__blend_grid_point(g, &ga, &gc);
                float fa = ga * ca, fb = (1.0f - ga - gc) * cb, fc = gc * cc;
                /* the scores first (a loop the compiler vectorises), then the top 20 */
                if (gc == 0.0f)
                    for (uint32_t q = 0; q < nr; q++) pv[q] = fa * pa[q] + fb * pb[q];
                else
                    for (uint32_t q = 0; q < nr; q++) pv[q] = fa * pa[q] + fb * pb[q] + fc * pc[q];
                tl_scored top[20];
                tl_topk t;
                tl_topk_init(&t, top, 20);
                tl_topk_push_ascending(&t, idx, pv, nr); /* the movies ascend: tl__rank_top's top 20 */
                uint32_t ranked[20], n = tl_topk_finish(&t);
                for (uint32_t i = 0; i < n; i++) ranked[i] = top[i].index;
                double r, nd;
                tl__rank_metrics(ranked, n, mark, 2, n_rel, &r, &nd);
                r_sum[g] += r, n_sum[g] += nd;
            }
        }
        for (uint32_t i = f0; i < f1; i++) mark[rows->fit_movie[i]] = 0;
        for (uint32_t i = rows->val_start[u]; i < rows->val_start[u + 1]; i++) mark[rows->val_movie[i]] = 0;
    }
    if (st == TL_OK && *users > 0) {
        double best = -1;
        for (int g = 0; g < n_grid; g++) {
            double r = r_sum[g] / *users, n = n_sum[g] / *users;
            if (recall) recall[g] = r;
            if (ndcg) ndcg[g] = n;
            if (r * n > best) best = r * n, tl__blend_grid_point(g, wa, wc);
        }
    }
    free(cand), free(buf), free(pack), free(idx), free(mark), free(cat);
    return st;
}
