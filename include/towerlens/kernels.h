/* Dense float kernels. The only place that knows about SIMD: each kernel has
 * a portable scalar twin (`*_scalar`) that tests compare the SIMD build with.
 * Matrices are row-major; `ld*` are row strides in floats. */
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

/* y += a * x */
void tl_axpy(float a, const float *x, float *y, size_t n);
void tl_axpy_scalar(float a, const float *x, float *y, size_t n);

/* out[r] = M[r, :] . x  for r < rows (M is rows x n, stride ldm) */
void tl_gemv(const float *M, size_t rows, size_t ldm, const float *x, size_t n, float *out);
void tl_gemv_scalar(const float *M, size_t rows, size_t ldm, const float *x, size_t n, float *out);

#ifdef __cplusplus
}
#endif
#endif
