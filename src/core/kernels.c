/* SIMD128 kernels with scalar twins. Native builds (gcc) take the scalar path,
 * which gcc auto-vectorises; the WASM build uses explicit SIMD128. */
#include "towerlens/kernels.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

int tl_kernels_simd(void)
{
#ifdef __wasm_simd128__
    return 1;
#else
    return 0;
#endif
}

float tl_dot_scalar(const float *a, const float *b, size_t n)
{
    /* four partial sums, the same association order as the SIMD path */
    float s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int l = 0; l < 4; l++) s[l] += a[i + l] * b[i + l];
    float r = (s[0] + s[1]) + (s[2] + s[3]);
    for (; i < n; i++) r += a[i] * b[i];
    return r;
}

void tl_axpy_scalar(float a, const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

void tl_gemv_scalar(const float *M, size_t rows, size_t ldm, const float *x, size_t n, float *out)
{
    for (size_t r = 0; r < rows; r++) out[r] = tl_dot_scalar(M + r * ldm, x, n);
}

#ifdef __wasm_simd128__

static inline float hsum(v128_t v)
{
    return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

float tl_dot(const float *a, const float *b, size_t n)
{
    v128_t acc = wasm_f32x4_splat(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    float r = hsum(acc);
    for (; i < n; i++) r += a[i] * b[i];
    return r;
}

void tl_axpy(float a, const float *x, float *y, size_t n)
{
    v128_t va = wasm_f32x4_splat(a);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(y + i),
                                              wasm_f32x4_mul(va, wasm_v128_load(x + i))));
    for (; i < n; i++) y[i] += a * x[i];
}

void tl_gemv(const float *M, size_t rows, size_t ldm, const float *x, size_t n, float *out)
{
    for (size_t r = 0; r < rows; r++) out[r] = tl_dot(M + r * ldm, x, n);
}

#else

float tl_dot(const float *a, const float *b, size_t n) { return tl_dot_scalar(a, b, n); }
void tl_axpy(float a, const float *x, float *y, size_t n) { tl_axpy_scalar(a, x, y, n); }
void tl_gemv(const float *M, size_t rows, size_t ldm, const float *x, size_t n, float *out)
{
    tl_gemv_scalar(M, rows, ldm, x, n, out);
}

#endif
