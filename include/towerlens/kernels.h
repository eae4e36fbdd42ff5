/* Dense float kernels. The only place that knows about SIMD: each kernel has
 * a portable scalar twin (`*_scalar`) that tests compare the SIMD build with.
 * Matrices are row-major; `ld*` are row strides in floats.
 *
 * Determinism: every output element of every kernel is computed by one
 * fixed sequence of IEEE float operations, identical in the SIMD code (which
 * only computes independent outputs side by side, or emulates 4 lanes in the
 * scalar code) and in the scalar twins. With FMA contraction off
 * (-ffp-contract=off) the native and WASM builds therefore produce
 * bit-identical results. No libm transcendental is used: tl_expf and tl_log
 * below are built from + - * / only. */
#ifndef TOWERLENS_KERNELS_H
#define TOWERLENS_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this build uses WASM SIMD128, 0 for the scalar path. */
int tl_kernels_simd(void);

float tl_dot(const float *a, const float *b, size_t n);
float tl_dot_scalar(const float *a, const float *b, size_t n);

/* sum a[k] * b[k] in double: 4 lanes (k % 4) folded (l0 + l1) + (l2 + l3),
 * then the tail in order (the iALS Cholesky's sums). */
double tl_dot_f64(const double *a, const double *b, size_t n);
double tl_dot_f64_scalar(const double *a, const double *b, size_t n);
/* tl_dot_f64(a0, b, n) and tl_dot_f64(a1, b, n) in one pass, bit for bit. */
void tl_dot_f64x2(const double *a0, const double *a1, const double *b, size_t n, double *s0, double *s1);

/* Solves A x = b for a symmetric positive definite d x d A given by its lower
 * triangle (row-major, stride d): A is overwritten by its Cholesky factor L
 * (A = L L^T, column by column), inv[j] = 1 / L[j][j], then L y = b and
 * L^T x = y. Returns 1, or 0 (x undefined) when A is not positive definite. */
int tl_cholesky_solve_f64(double *A, const double *b, double *x, double *inv, size_t d);
int tl_cholesky_solve_f64_scalar(double *A, const double *b, double *x, double *inv, size_t d);

/* y += a * x */
void tl_axpy(float a, const float *x, float *y, size_t n);
void tl_axpy_scalar(float a, const float *x, float *y, size_t n);

/* out[r] = M[r, :] . x  for r < rows (M is rows x n, stride ldm) */
void tl_gemv(const float *M, size_t rows, size_t ldm, const float *x, size_t n, float *out);
void tl_gemv_scalar(const float *M, size_t rows, size_t ldm, const float *x, size_t n, float *out);

/* ---- evaluation: scores of many users, and scanning them -------------- */

/* C[i][j] = tl_dot(A + i * lda, B + j * ldb, dim) bit for bit, for i < m,
 * j < n: A (users) and B (movies) are plain row-major tables, C is m x n.
 * Scores a block of users against a chunk of movies exactly as one tl_gemv
 * per user would, with each movie row loaded once for two users. */
void tl_gemm_abt_dots(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim, float *C,
                      size_t ldc);
void tl_gemm_abt_dots_scalar(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim,
                             float *C, size_t ldc);

/* The first i < n with x[i] > t, or n when there is none (a NaN is never
 * above). The top-k scans skip the scores that cannot enter with it. */
size_t tl_find_above(const float *x, size_t n, float t);
size_t tl_find_above_scalar(const float *x, size_t n, float t);

/* ---- small GEMMs -------------------------------------------------------
 * Each output is one sum in a fixed order (ascending k, j or i), so tiling
 * and SIMD never change a result. */

/* Rows per packed panel: B (n x dim) is packed as ceil(n/8) panels, each
 * dim x 8 floats (panel p, step k holds B[8p..8p+7][k]; missing rows are 0),
 * so the logit kernel reads B contiguously. */
#define TL_PANEL 8
size_t tl_panel_floats(size_t n, size_t dim);
void tl_pack_panels(const float *B, size_t n, size_t ldb, size_t dim, float *packed);

/* C[i][j] = sum_k A[i][k] * B[j][k] (k ascending from 0.0f): A is m x dim,
 * B is n x dim given packed, C is m x n. */
void tl_gemm_abt(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C,
                 size_t ldc);
void tl_gemm_abt_scalar(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C,
                        size_t ldc);

/* The same, also returning row_max[i] = max_j C[i][j] (the softmax shift,
 * found while the tile is still in registers; a max does not depend on the
 * order it is taken in). */
void tl_gemm_abt_max(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C,
                     size_t ldc, float *row_max);
void tl_gemm_abt_max_scalar(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C,
                            size_t ldc, float *row_max);

/* C[i][c] = sum_j A[i][j] * B[j][c] (j ascending from 0.0f): A is m x n,
 * B is n x dim, C is m x dim (overwritten). */
void tl_gemm_ab(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim, float *C,
                size_t ldc);
void tl_gemm_ab_scalar(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim, float *C,
                       size_t ldc);

/* C[j][c] += sum_i A[i][j] * B[i][c] (i ascending, starting from C's value):
 * A is m x n, B is m x dim, C is n x dim. */
void tl_gemm_atb_acc(const float *A, size_t m, size_t lda, size_t n, const float *B, size_t ldb, size_t dim, float *C,
                     size_t ldc);
void tl_gemm_atb_acc_scalar(const float *A, size_t m, size_t lda, size_t n, const float *B, size_t ldb, size_t dim,
                            float *C, size_t ldc);

/* ---- math without libm -------------------------------------------------- */

/* e^x in float: Cody-Waite range reduction and a degree-6 polynomial
 * (Cephes' expf coefficients), within 2 ulp on [-87, 88]; x below -87
 * gives e^-87, x above 88 gives e^88 (callers never go there). */
float tl_expf(float x);

/* Natural log in double for x > 0 (finite), within ~1 ulp; 0 or negative
 * gives -inf / NaN. Used for reported losses, never for model updates. */
double tl_log(double x);

/* Softmax of x[0..n-1] in place (n >= 1): x[j] = e_j / sum with
 * e_j = exp(x[j] - max), flushed to 0 when x[j] - max < -64 (keeps
 * gradients out of subnormal range; e^-64 is far below float resolution of
 * the sum). Returns the row max and the sum of the e_j, so the caller can
 * form log-sum-exp = max + log(sum). The max and sum use 4 lanes, folded as
 * (l0 + l1) + (l2 + l3), then the tail in order. */
void tl_softmax_row(float *x, size_t n, float *max_out, float *sum_out);
void tl_softmax_row_scalar(float *x, size_t n, float *max_out, float *sum_out);

/* The exponentials of a softmax row with a known shift: x[j] =
 * exp(x[j] - max), flushed to 0 below -64 as above, in place; returns their
 * sum (4 lanes folded (l0 + l1) + (l2 + l3), then the tail in order). */
float tl_exp_shifted_row(float *x, size_t n, float max);
float tl_exp_shifted_row_scalar(float *x, size_t n, float max);

#ifdef __cplusplus
}
#endif
#endif
