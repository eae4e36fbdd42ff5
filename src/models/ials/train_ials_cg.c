/* The iALS row solve by conjugate gradient (train.h: tl_ials_cg_row), the
 * solver of the `implicit` library (Takacs, Pilaszy & Tikk 2011): a fixed
 * number of CG steps on A x = b, warm-started from the row's current
 * vector, where A = G + lambda I + sum_j w_j f_j f_j^T and b = sum_j w_j f_j.
 * A is never formed: A p = Gf p + lambda p + sum_j w_j (f_j . p) f_j costs
 * d^2 + 2 n d per step instead of the exact solve's n d^2 / 2 + d^3 / 6.
 *
 * The observed sums run in float with the kernels (kernels_cg.h), CG_GROUP
 * pairs at a time, each group's float sum added into double; G p is one
 * float gemv; the short vectors (x, r, p, A p) and their dot products are
 * double. p is kept at its float value so that A p is the product with the
 * p the kernels saw. Every sum has one fixed order and no libm is used, so
 * the native and WASM builds give the same vectors. */
#include <string.h>

#include "base/kernels_cg.h"
#include "towerlens/kernels.h"
#include "train_ials.h"

#define CG_GROUP 64 /* pairs per float partial sum */

typedef struct cg_ws {
    double *x, *r, *p, *ap, *acc; /* d each */
    float *pf, *gp, *accf;        /* d each */
} cg_ws;

size_t tl_ials_cg_workspace_doubles(size_t dim) { return 5 * dim + (3 * dim + 1) / 2; }

static void carve(double *ws, size_t d, cg_ws *s)
{
    s->x = ws;
    s->r = s->x + d;
    s->p = s->r + d;
    s->ap = s->p + d;
    s->acc = s->ap + d;
    float *f = (float *)(s->acc + d);
    s->pf = f;
    s->gp = f + d;
    s->accf = f + 2 * d;
}

/* The row's f_j: F[idx[j]], or the rows gathered contiguously (idx NULL). */
typedef struct rows_ref {
    const float *F;
    const uint32_t *idx;
} rows_ref;

/* The rows of the group of m pairs from j0 (in WASM, touched first). */
static rows_ref group(rows_ref r, size_t j0, size_t m, size_t d)
{
    if (!r.idx) return (rows_ref){r.F + j0 * d, NULL};
    tl__ials_touch_rows(r.F, r.idx + j0, m, d); /* WASM: misses in flight together */
    return (rows_ref){r.F, r.idx + j0};
}

/* acc = sum_j w_j (t - f_j . p) f_j over the row's pairs: float group sums
 * added into double in group order; q[j] = f_j . p; with copy, the rows are
 * gathered there. */
static void observed_apply(rows_ref rows, const float *w, size_t n, size_t d, const float *p, float t, float *copy,
                           float *q, cg_ws *s)
{
    memset(s->acc, 0, d * sizeof(double));
    for (size_t j0 = 0; j0 < n; j0 += CG_GROUP) {
        size_t m = n - j0 < CG_GROUP ? n - j0 : CG_GROUP;
        rows_ref g = group(rows, j0, m, d);
        memset(s->accf, 0, d * sizeof(float));
        tl__wgram_apply(g.F, g.idx, w + j0, m, d, p, t, s->accf, copy ? copy + j0 * d : NULL, q + j0);
        for (size_t k = 0; k < d; k++) s->acc[k] += s->accf[k];
    }
}

size_t tl_ials_cg_pair_doubles(size_t n) { return n + (n + 1) / 2; }

double tl_ials_cg_row(const double *G, const float *Gf, const float *F, const uint32_t *idx, const float *w, size_t n,
                      size_t d, double lambda, uint32_t steps, double *ws, float *gather, size_t gather_rows,
                      double *pair_ws, float *x_io)
{
    if (n == 0) {
        for (size_t k = 0; k < d; k++) x_io[k] = 0.0f;
        return 0.0;
    }
    cg_ws s;
    carve(ws, d, &s);
    /* fx[j] = f_j . x, kept up to date through the steps from the passes'
     * dots (x moves by alpha p, so f_j . x by alpha f_j . p): the objective
     * at the end needs no pass of its own */
    double *fx = pair_ws;
    float *q = (float *)(pair_ws + n);
    /* r = b - A x = sum_j w_j (1 - f_j . x) f_j - G x - lambda x at the stored x */
    rows_ref rows = {F, idx};
    float *copy = gather && n <= gather_rows ? gather : NULL;
    observed_apply(rows, w, n, d, x_io, 1.0f, copy, q, &s);
    for (size_t j = 0; j < n; j++) fx[j] = q[j];
    if (copy) rows = (rows_ref){copy, NULL}; /* the next passes read the gathered rows */
    tl_gemv(Gf, d, d, x_io, d, s.gp);
    for (size_t k = 0; k < d; k++) {
        s.x[k] = x_io[k];
        s.r[k] = s.acc[k] - (double)s.gp[k] - lambda * s.x[k];
        s.pf[k] = (float)s.r[k];
        s.p[k] = s.pf[k];
    }
    double rs = tl_dot_f64(s.r, s.r, d);
    for (uint32_t it = 0; it < steps && rs > 0.0; it++) {
        /* A p = G p + lambda p + sum_j w_j (f_j . p) f_j (acc holds minus the sum) */
        observed_apply(rows, w, n, d, s.pf, 0.0f, NULL, q, &s);
        tl_gemv(Gf, d, d, s.pf, d, s.gp);
        for (size_t k = 0; k < d; k++) s.ap[k] = (double)s.gp[k] + lambda * s.p[k] - s.acc[k];
        double pap = tl_dot_f64(s.p, s.ap, d), pr = tl_dot_f64(s.p, s.r, d);
        if (!(pap > 0.0)) break;
        double alpha = pr / pap;
        for (size_t k = 0; k < d; k++) {
            s.x[k] += alpha * s.p[k];
            s.r[k] -= alpha * s.ap[k];
        }
        for (size_t j = 0; j < n; j++) fx[j] += alpha * q[j];
        double rs_new = tl_dot_f64(s.r, s.r, d), beta = rs_new / rs;
        rs = rs_new;
        if (it + 1 == steps) break;
        for (size_t k = 0; k < d; k++) {
            s.pf[k] = (float)(s.r[k] + beta * s.p[k]);
            s.p[k] = s.pf[k];
        }
    }
    /* the row's objective terms at x (the stored float x differs from it
     * by rounding only) */
    double obs = 0.0;
    for (size_t j = 0; j < n; j++) {
        double e = 1.0 - fx[j];
        obs += (double)w[j] * e * e;
    }
    for (size_t k = 0; k < d; k++) {
        x_io[k] = (float)s.x[k];
        s.x[k] = x_io[k];
    }
    return obs + tl__ials_penalty_terms(G, s.x, d, lambda);
}
