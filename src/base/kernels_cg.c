/* Kernels of the iALS CG row solve (kernels_cg.h) over the 4-lane vectors
 * of simd4.h, with scalar twins. Four gathered rows at a time: their four
 * dot products share each load of p and finish with one v4_hsum4, which
 * folds every row exactly as v4_hsum (and tl_dot) does; the updates of acc
 * then add the rows' terms one row after another, the scalar twin's order
 * per element. */
#include "kernels_cg.h"

#include <string.h>

#include "simd4.h"
#include "towerlens/kernels.h"

/* The rows gathered here are scattered over a table of tens of MB: natively
 * ask for a row this many pairs ahead (never changes a result; WASM has no
 * prefetch, its caller touches the rows instead). */
#define AHEAD 8
static inline void prefetch(const float *F, const uint32_t *idx, size_t j, size_t m, size_t d)
{
#if defined(__GNUC__) && !defined(__wasm__)
    if (idx && j + AHEAD < m) {
        const float *f = F + (size_t)idx[j + AHEAD] * d;
        for (size_t k = 0; k < d; k += 16) __builtin_prefetch(f + k);
    }
#else
    (void)F, (void)idx, (void)j, (void)m, (void)d;
#endif
}

/* Row j: F[idx[j]], or F[j] without idx. */
static inline const float *row(const float *F, const uint32_t *idx, size_t j, size_t d)
{
    return F + (idx ? (size_t)idx[j] : j) * d;
}

/* ---- scalar twins --------------------------------------------------------- */

void tl__wgram_apply_scalar(const float *F, const uint32_t *idx, const float *c, size_t m, size_t d, const float *p,
                            float t, float *acc, float *copy, float *dots)
{
    for (size_t j = 0; j < m; j++) {
        const float *f = row(F, idx, j, d);
        float fp = tl_dot_scalar(f, p, d), a = c[j] * (t - fp);
        for (size_t k = 0; k < d; k++) acc[k] += a * f[k];
        if (copy) memcpy(copy + j * d, f, d * sizeof(float));
        if (dots) dots[j] = fp;
    }
}

/* ---- vector kernels ----------------------------------------------------- */

/* The dots of rows f0..f3 with p (d a multiple of 4), as tl_dot sums each;
 * with copy, the rows are also stored to copy[0..3] from the same loads. A
 * copy inside this loop stays vector loads and stores: a loop that only
 * copied would become a call to memcpy, which in WASM moves 4 bytes at a
 * time and costs more than the sums. */
static inline v4f dots4(const float *f0, const float *f1, const float *f2, const float *f3, const float *p, size_t d,
                        float *copy)
{
    v4f a0 = v4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    if (copy)
        for (size_t k = 0; k < d; k += 4) {
            v4f pv = v4_load(p + k), x0 = v4_load(f0 + k), x1 = v4_load(f1 + k), x2 = v4_load(f2 + k),
                x3 = v4_load(f3 + k);
            v4_store(copy + k, x0);
            v4_store(copy + d + k, x1);
            v4_store(copy + 2 * d + k, x2);
            v4_store(copy + 3 * d + k, x3);
            a0 = v4_add(a0, v4_mul(x0, pv));
            a1 = v4_add(a1, v4_mul(x1, pv));
            a2 = v4_add(a2, v4_mul(x2, pv));
            a3 = v4_add(a3, v4_mul(x3, pv));
        }
    else
        for (size_t k = 0; k < d; k += 4) {
            v4f pv = v4_load(p + k);
            a0 = v4_add(a0, v4_mul(v4_load(f0 + k), pv));
            a1 = v4_add(a1, v4_mul(v4_load(f1 + k), pv));
            a2 = v4_add(a2, v4_mul(v4_load(f2 + k), pv));
            a3 = v4_add(a3, v4_mul(v4_load(f3 + k), pv));
        }
    return v4_hsum4(a0, a1, a2, a3);
}

void tl__wgram_apply(const float *F, const uint32_t *idx, const float *c, size_t m, size_t d, const float *p, float t,
                     float *acc, float *copy, float *dots)
{
    size_t j = 0;
    if (d % 4 == 0) {
        for (; j + 4 <= m; j += 4) {
            const float *f0 = row(F, idx, j, d), *f1 = row(F, idx, j + 1, d), *f2 = row(F, idx, j + 2, d),
                        *f3 = row(F, idx, j + 3, d);
            for (size_t q = 0; q < 4; q++) prefetch(F, idx, j + q, m, d);
            float s[4];
            v4_store(s, dots4(f0, f1, f2, f3, p, d, copy ? copy + j * d : NULL));
            if (dots) memcpy(dots + j, s, sizeof s);
            v4f c0 = v4_splat(c[j] * (t - s[0])), c1 = v4_splat(c[j + 1] * (t - s[1])),
                c2 = v4_splat(c[j + 2] * (t - s[2])), c3 = v4_splat(c[j + 3] * (t - s[3]));
            for (size_t k = 0; k < d; k += 4) {
                v4f a = v4_load(acc + k);
                a = v4_add(a, v4_mul(c0, v4_load(f0 + k)));
                a = v4_add(a, v4_mul(c1, v4_load(f1 + k)));
                a = v4_add(a, v4_mul(c2, v4_load(f2 + k)));
                a = v4_add(a, v4_mul(c3, v4_load(f3 + k)));
                v4_store(acc + k, a);
            }
        }
    }
    for (; j < m; j++) {
        const float *f = row(F, idx, j, d);
        prefetch(F, idx, j, m, d);
        float fp = tl_dot(f, p, d);
        tl_axpy(c[j] * (t - fp), f, acc, d);
        if (copy)
            for (size_t k = 0; k < d; k++) copy[j * d + k] = f[k];
        if (dots) dots[j] = fp;
    }
}
