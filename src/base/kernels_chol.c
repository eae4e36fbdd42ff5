/* The iALS exact solve's Cholesky factorisation and triangular solves, in
 * double, with the dot products of kernels.c's fixed 4-lane order (simd4.h)
 * inlined; the scalar twin calls tl_dot_f64_scalar and gives the same bits. */
#include <math.h>

#include "simd4.h"
#include "towerlens/kernels.h"

/* The factor-and-solve, written once over the two ways to take a dot product. */
#define CHOLESKY_SOLVE(DOT, DOT2)                                                 \
    for (size_t j = 0; j < d; j++) {                                              \
        double *Lj = A + j * d;                                                   \
        double v = Lj[j] - DOT(Lj, Lj, j);                                        \
        if (!(v > 0.0)) return 0; /* not positive definite: no usable solve */    \
        Lj[j] = sqrt(v);                                                          \
        inv[j] = 1.0 / Lj[j];                                                     \
        size_t i = j + 1;                                                         \
        for (; i + 2 <= d; i += 2) { /* two rows per pass over L[j] */            \
            double *Li = A + i * d, *Lk = Li + d, s0, s1;                         \
            DOT2(Li, Lk, Lj, j, &s0, &s1);                                        \
            Li[j] = (Li[j] - s0) * inv[j];                                        \
            Lk[j] = (Lk[j] - s1) * inv[j];                                        \
        }                                                                         \
        if (i < d) {                                                              \
            double *Li = A + i * d;                                               \
            Li[j] = (Li[j] - DOT(Li, Lj, j)) * inv[j];                            \
        }                                                                         \
    }                                                                             \
    for (size_t i = 0; i < d; i++) x[i] = (b[i] - DOT(A + i * d, x, i)) * inv[i]; \
    /* L^T x = y by rows of L: x[i] is final once rows > i were subtracted */     \
    for (size_t i = d; i-- > 0;) {                                                \
        x[i] *= inv[i];                                                           \
        const double *Li = A + i * d;                                             \
        double xi = x[i];                                                         \
        for (size_t k = 0; k < i; k++) x[k] -= Li[k] * xi;                        \
    }                                                                             \
    return 1;

static void dot2_scalar(const double *a0, const double *a1, const double *b, size_t n, double *s0, double *s1)
{
    *s0 = tl_dot_f64_scalar(a0, b, n);
    *s1 = tl_dot_f64_scalar(a1, b, n);
}

int tl_cholesky_solve_f64(double *A, const double *b, double *x, double *inv, size_t d)
{
    CHOLESKY_SOLVE(v2_dot4, v2_dot4x2)
}

int tl_cholesky_solve_f64_scalar(double *A, const double *b, double *x, double *inv, size_t d)
{
    CHOLESKY_SOLVE(tl_dot_f64_scalar, dot2_scalar)
}
