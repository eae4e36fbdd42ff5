/* SIMD128 kernels with scalar twins. The tiled kernels are written once over
 * a 4-lane vector type (simd4.h): explicit SIMD128 intrinsics in the WASM
 * build, GCC/Clang generic vectors natively (plain C per lane elsewhere).
 * Every output is computed with the same sequence of float operations as
 * the plain `*_scalar` twins (see kernels.h). */
#include "towerlens/kernels.h"

#include <math.h> /* INFINITY and NAN only: no libm calls */
#include <stdint.h>
#include <string.h>

#include "simd4.h"

int tl_kernels_simd(void)
{
#ifdef __wasm_simd128__
    return 1;
#else
    return 0;
#endif
}

/* ---- dot, axpy, gemv: scalar twins -------------------------------------- */

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

double tl_dot_f64_scalar(const double *a, const double *b, size_t n)
{
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int l = 0; l < 4; l++) s[l] += a[i + l] * b[i + l];
    double r = (s[0] + s[1]) + (s[2] + s[3]);
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

void tl_gemm_abt_dots_scalar(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim,
                             float *C, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) C[i * ldc + j] = tl_dot_scalar(A + i * lda, B + j * ldb, dim);
}

size_t tl_find_above_scalar(const float *x, size_t n, float t)
{
    size_t i = 0;
    while (i < n && !(x[i] > t)) i++;
    return i;
}

/* ---- math ---------------------------------------------------------------- */

#define EXP_LO (-87.0f)
#define EXP_HI 88.0f
#define EXP_LOG2E 1.44269504088896341f
#define EXP_MAGIC 12582912.0f /* 1.5 * 2^23: adding it rounds to an integer */
#define EXP_C1 0.693359375f   /* ln 2 = C1 + C2, C1 exact in few bits */
#define EXP_C2 (-2.12194440e-4f)
#define EXP_P0 1.9875691500e-4f
#define EXP_P1 1.3981999507e-3f
#define EXP_P2 8.3334519073e-3f
#define EXP_P3 4.1665795894e-2f
#define EXP_P4 1.6666665459e-1f
#define EXP_P5 5.0000001201e-1f
#define SOFTMAX_FLUSH (-64.0f)

static inline uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* e^x without the range clamp: valid for -87 <= x <= 88 */
static inline float exp_core(float x)
{
    float t = x * EXP_LOG2E + EXP_MAGIC;
    float n = t - EXP_MAGIC;
    float r = x - n * EXP_C1;
    r = r - n * EXP_C2;
    float z = r * r;
    float p = EXP_P0;
    p = p * r + EXP_P1;
    p = p * r + EXP_P2;
    p = p * r + EXP_P3;
    p = p * r + EXP_P4;
    p = p * r + EXP_P5;
    float y = p * z + r;
    y = y + 1.0f;
    uint32_t k = f2u(t) - f2u(EXP_MAGIC); /* n as a two's complement integer */
    return y * u2f((k + 127u) << 23);
}

float tl_expf(float x)
{
    x = x < EXP_LO ? EXP_LO : x; /* the same selects as f32x4.pmax / pmin */
    x = EXP_HI < x ? EXP_HI : x;
    return exp_core(x);
}

double tl_log(double x)
{
    if (!(x > 0.0)) return x == 0.0 ? -INFINITY : NAN;
    if (x == INFINITY) return x;
    uint64_t b;
    int e = 0;
    memcpy(&b, &x, sizeof b);
    if ((b >> 52) == 0) { /* subnormal: scale into the normal range */
        x *= 0x1p54;
        memcpy(&b, &x, sizeof b);
        e = -54;
    }
    e += (int)((b >> 52) & 0x7ff) - 1023;
    b = (b & 0xfffffffffffffull) | 0x3ff0000000000000ull;
    double m;
    memcpy(&m, &b, sizeof m);
    if (m > 1.41421356237309504880) {
        m *= 0.5;
        e += 1;
    }
    /* log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: series to s^25 */
    double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    double p = 1.0 / 25;
    for (int k = 23; k >= 3; k -= 2) p = p * s2 + 1.0 / k;
    double two_s = 2.0 * s;
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    return (double)e * ln2_hi + (two_s + (two_s * s2 * p + (double)e * ln2_lo));
}

/* Softmax arguments are d = x - max <= 0; below the flush threshold the
 * result is replaced by 0, so exp_core's range never matters there (any
 * value it computes, even NaN, is masked away the same way in every build). */
static inline float softmax_exp(float d)
{
    float e = exp_core(d);
    return d < SOFTMAX_FLUSH ? 0.0f : e;
}

static inline float pmax1(float a, float b) { return a < b ? b : a; }

float tl_exp_shifted_row_scalar(float *x, size_t n, float mx)
{
    size_t n4 = n & ~(size_t)3;
    float s[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n4; i += 4)
        for (int l = 0; l < 4; l++) {
            float e = softmax_exp(x[i + l] - mx);
            x[i + l] = e;
            s[l] += e;
        }
    float sum = (s[0] + s[1]) + (s[2] + s[3]);
    for (size_t i = n4; i < n; i++) {
        float e = softmax_exp(x[i] - mx);
        x[i] = e;
        sum += e;
    }
    return sum;
}

void tl_softmax_row_scalar(float *x, size_t n, float *max_out, float *sum_out)
{
    size_t n4 = n & ~(size_t)3;
    float m[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n4; i += 4)
        for (int l = 0; l < 4; l++) m[l] = pmax1(m[l], x[i + l]);
    float mx = pmax1(pmax1(m[0], m[1]), pmax1(m[2], m[3]));
    for (size_t i = n4; i < n; i++) mx = pmax1(mx, x[i]);
    float sum = tl_exp_shifted_row_scalar(x, n, mx);
    float inv = 1.0f / sum;
    for (size_t i = 0; i < n; i++) x[i] *= inv;
    *max_out = mx;
    *sum_out = sum;
}

/* ---- GEMMs: packing and scalar twins ------------------------------------- */

size_t tl_panel_floats(size_t n, size_t dim) { return (n + TL_PANEL - 1) / TL_PANEL * TL_PANEL * dim; }

void tl_pack_panels(const float *B, size_t n, size_t ldb, size_t dim, float *packed)
{
    size_t np = (n + TL_PANEL - 1) / TL_PANEL;
    for (size_t p = 0; p < np; p++) {
        float *dst = packed + p * TL_PANEL * dim;
        for (size_t t = 0; t < TL_PANEL; t++) {
            size_t row = p * TL_PANEL + t;
            if (row < n) {
                const float *src = B + row * ldb;
                for (size_t k = 0; k < dim; k++) dst[k * TL_PANEL + t] = src[k];
            } else {
                for (size_t k = 0; k < dim; k++) dst[k * TL_PANEL + t] = 0.0f;
            }
        }
    }
}

void tl_gemm_abt_scalar(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C,
                        size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            const float *b = Bpacked + j / TL_PANEL * TL_PANEL * dim + j % TL_PANEL;
            float s = 0.0f;
            for (size_t k = 0; k < dim; k++) s += A[i * lda + k] * b[k * TL_PANEL];
            C[i * ldc + j] = s;
        }
}

void tl_gemm_abt_max_scalar(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C,
                            size_t ldc, float *row_max)
{
    tl_gemm_abt_scalar(A, m, lda, Bpacked, n, dim, C, ldc);
    for (size_t i = 0; i < m; i++) {
        float mx = -INFINITY;
        for (size_t j = 0; j < n; j++) mx = pmax1(mx, C[i * ldc + j]);
        row_max[i] = mx;
    }
}

void tl_gemm_ab_scalar(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim, float *C,
                       size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t c = 0; c < dim; c++) {
            float s = 0.0f;
            for (size_t j = 0; j < n; j++) s += A[i * lda + j] * B[j * ldb + c];
            C[i * ldc + c] = s;
        }
}

void tl_gemm_atb_acc_scalar(const float *A, size_t m, size_t lda, size_t n, const float *B, size_t ldb, size_t dim,
                            float *C, size_t ldc)
{
    for (size_t j = 0; j < n; j++)
        for (size_t c = 0; c < dim; c++) {
            float s = C[j * ldc + c];
            for (size_t i = 0; i < m; i++) s += A[i * lda + j] * B[i * ldb + c];
            C[j * ldc + c] = s;
        }
}

/* ---- GEMMs: tiled drivers shared by both builds ---------------------------
 * The drivers walk cache-sized chunks and hand 4x8 output tiles to the
 * micro-kernels below (SIMD128 or portable); edges use the scalar sums. */

#define ABT_CHUNK_BYTES 16384 /* packed B per chunk: stays in L1 while A rows pass */
#define AB_CHUNK_ROWS 256     /* rows of B per chunk for C = A B */
#define ATB_CHUNK_ROWS 256    /* rows of A and B per chunk for C += A^T B */

static void abt_tile(const float *A, size_t lda, const float *panel, size_t dim, float *C, size_t ldc, size_t cols,
                     float *vmax);
static void ab_tile(const float *A, size_t lda, const float *B, size_t ldb, size_t n, int from_zero, float *C,
                    size_t ldc);
static void atb_tile(const float *A, size_t lda, const float *B, size_t ldb, size_t m, float *C, size_t ldc);

/* Rows in groups of ABT_MAX_ROWS keep their running maxima as 4-lane
 * vectors in a small local array (vmax) while the panels stream past. */
#define ABT_MAX_ROWS 64

static void gemm_abt(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C,
                     size_t ldc, float *row_max)
{
    size_t np = (n + TL_PANEL - 1) / TL_PANEL;
    size_t panel_bytes = TL_PANEL * dim * sizeof(float);
    size_t chunk = panel_bytes ? ABT_CHUNK_BYTES / panel_bytes : np;
    if (chunk == 0) chunk = 1;
    float vmax[ABT_MAX_ROWS * 4];
    for (size_t g0 = 0; g0 < m; g0 += ABT_MAX_ROWS) {
        size_t g1 = m - g0 < ABT_MAX_ROWS ? m : g0 + ABT_MAX_ROWS;
        size_t g4 = g0 + ((g1 - g0) & ~(size_t)3);
        if (row_max) {
            for (size_t i = 0; i < ABT_MAX_ROWS * 4; i++) vmax[i] = -INFINITY;
            for (size_t i = g4; i < g1; i++) row_max[i] = -INFINITY;
        }
        for (size_t p0 = 0; p0 < np; p0 += chunk) {
            size_t p1 = p0 + chunk < np ? p0 + chunk : np;
            for (size_t i = g0; i < g4; i += 4)
                for (size_t p = p0; p < p1; p++) {
                    size_t j = p * TL_PANEL, cols = n - j < TL_PANEL ? n - j : TL_PANEL;
                    abt_tile(A + i * lda, lda, Bpacked + p * TL_PANEL * dim, dim, C + i * ldc + j, ldc, cols,
                             row_max ? vmax + (i - g0) * 4 : NULL);
                }
            size_t j0 = p0 * TL_PANEL, j1 = p1 * TL_PANEL < n ? p1 * TL_PANEL : n;
            for (size_t i = g4; i < g1; i++)
                for (size_t j = j0; j < j1; j++) {
                    const float *b = Bpacked + j / TL_PANEL * TL_PANEL * dim + j % TL_PANEL;
                    float s = 0.0f;
                    for (size_t k = 0; k < dim; k++) s += A[i * lda + k] * b[k * TL_PANEL];
                    C[i * ldc + j] = s;
                    if (row_max) row_max[i] = pmax1(row_max[i], s);
                }
        }
        if (row_max)
            for (size_t i = g0; i < g4; i++) {
                const float *v = vmax + (i - g0) * 4;
                row_max[i] = pmax1(pmax1(v[0], v[1]), pmax1(v[2], v[3]));
            }
    }
}

void tl_gemm_abt(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C, size_t ldc)
{
    gemm_abt(A, m, lda, Bpacked, n, dim, C, ldc, NULL);
}

void tl_gemm_abt_max(const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim, float *C,
                     size_t ldc, float *row_max)
{
    gemm_abt(A, m, lda, Bpacked, n, dim, C, ldc, row_max);
}

void tl_gemm_ab(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim, float *C,
                size_t ldc)
{
    if (n == 0) { /* an empty sum is 0 */
        for (size_t i = 0; i < m; i++)
            for (size_t c = 0; c < dim; c++) C[i * ldc + c] = 0.0f;
        return;
    }
    size_t m4 = m & ~(size_t)3, d8 = dim & ~(size_t)7;
    for (size_t j0 = 0; j0 < n; j0 += AB_CHUNK_ROWS) {
        size_t jn = n - j0 < AB_CHUNK_ROWS ? n - j0 : AB_CHUNK_ROWS;
        int from_zero = j0 == 0; /* later chunks continue the same sums */
        for (size_t i = 0; i < m4; i += 4) {
            for (size_t c = 0; c < d8; c += 8)
                ab_tile(A + i * lda + j0, lda, B + j0 * ldb + c, ldb, jn, from_zero, C + i * ldc + c, ldc);
            for (size_t r = i; r < i + 4; r++)
                for (size_t c = d8; c < dim; c++) {
                    float s = from_zero ? 0.0f : C[r * ldc + c];
                    for (size_t j = j0; j < j0 + jn; j++) s += A[r * lda + j] * B[j * ldb + c];
                    C[r * ldc + c] = s;
                }
        }
        for (size_t r = m4; r < m; r++)
            for (size_t c = 0; c < dim; c++) {
                float s = from_zero ? 0.0f : C[r * ldc + c];
                for (size_t j = j0; j < j0 + jn; j++) s += A[r * lda + j] * B[j * ldb + c];
                C[r * ldc + c] = s;
            }
    }
}

void tl_gemm_atb_acc(const float *A, size_t m, size_t lda, size_t n, const float *B, size_t ldb, size_t dim, float *C,
                     size_t ldc)
{
    size_t n4 = n & ~(size_t)3, d8 = dim & ~(size_t)7;
    for (size_t i0 = 0; i0 < m; i0 += ATB_CHUNK_ROWS) {
        size_t im = m - i0 < ATB_CHUNK_ROWS ? m - i0 : ATB_CHUNK_ROWS;
        const float *Ai = A + i0 * lda, *Bi = B + i0 * ldb;
        for (size_t j = 0; j < n4; j += 4) {
            for (size_t c = 0; c < d8; c += 8) atb_tile(Ai + j, lda, Bi + c, ldb, im, C + j * ldc + c, ldc);
            for (size_t r = j; r < j + 4; r++)
                for (size_t c = d8; c < dim; c++) {
                    float s = C[r * ldc + c];
                    for (size_t i = 0; i < im; i++) s += Ai[i * lda + r] * Bi[i * ldb + c];
                    C[r * ldc + c] = s;
                }
        }
        for (size_t r = n4; r < n; r++)
            for (size_t c = 0; c < dim; c++) {
                float s = C[r * ldc + c];
                for (size_t i = 0; i < im; i++) s += Ai[i * lda + r] * Bi[i * ldb + c];
                C[r * ldc + c] = s;
            }
    }
}

/* ---- the vector kernels (simd4.h) ---------------------------------------- */

float tl_dot(const float *a, const float *b, size_t n)
{
    v4f acc = v4_splat(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) acc = v4_add(acc, v4_mul(v4_load(a + i), v4_load(b + i)));
    float r = v4_hsum(acc);
    for (; i < n; i++) r += a[i] * b[i];
    return r;
}

double tl_dot_f64(const double *a, const double *b, size_t n) { return v2_dot4(a, b, n); }

void tl_dot_f64x2(const double *a0, const double *a1, const double *b, size_t n, double *s0, double *s1)
{
    v2_dot4x2(a0, a1, b, n, s0, s1);
}

void tl_axpy(float a, const float *x, float *y, size_t n)
{
    v4f va = v4_splat(a);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) v4_store(y + i, v4_add(v4_load(y + i), v4_mul(va, v4_load(x + i))));
    for (; i < n; i++) y[i] += a * x[i];
}

/* The tail of four rows past the multiple of 4 elements, finishing their sums. */
static void gemv_tail4(const float *m0, size_t ldm, const float *x, size_t n4, size_t n, v4f sums, float *out)
{
    float t[4];
    v4_store(t, sums);
    for (int j = 0; j < 4; j++)
        for (size_t i = n4; i < n; i++) t[j] += m0[(size_t)j * ldm + i] * x[i];
    memcpy(out, t, sizeof t);
}

/* Eight rows at a time: eight independent sums in flight (one chain of adds
 * per row is latency-bound) and one load of x for eight rows. Each row is
 * summed exactly as tl_dot sums it: out[r] is bit-identical to
 * tl_dot(M + r * ldm, x, n). */
void tl_gemv(const float *M, size_t rows, size_t ldm, const float *x, size_t n, float *out)
{
    const size_t n4 = n & ~(size_t)3;
    size_t r = 0;
    for (; r + 8 <= rows; r += 8) {
        const float *m0 = M + r * ldm;
        const float *m1 = m0 + ldm, *m2 = m1 + ldm, *m3 = m2 + ldm, *m4 = m3 + ldm, *m5 = m4 + ldm, *m6 = m5 + ldm,
                    *m7 = m6 + ldm;
        v4f a0 = v4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (size_t i = 0; i < n4; i += 4) {
            v4f xv = v4_load(x + i);
            a0 = v4_add(a0, v4_mul(v4_load(m0 + i), xv));
            a1 = v4_add(a1, v4_mul(v4_load(m1 + i), xv));
            a2 = v4_add(a2, v4_mul(v4_load(m2 + i), xv));
            a3 = v4_add(a3, v4_mul(v4_load(m3 + i), xv));
            a4 = v4_add(a4, v4_mul(v4_load(m4 + i), xv));
            a5 = v4_add(a5, v4_mul(v4_load(m5 + i), xv));
            a6 = v4_add(a6, v4_mul(v4_load(m6 + i), xv));
            a7 = v4_add(a7, v4_mul(v4_load(m7 + i), xv));
        }
        v4f lo = v4_hsum4(a0, a1, a2, a3), hi = v4_hsum4(a4, a5, a6, a7);
        if (n4 == n) {
            v4_store(out + r, lo);
            v4_store(out + r + 4, hi);
        } else {
            gemv_tail4(m0, ldm, x, n4, n, lo, out + r);
            gemv_tail4(m4, ldm, x, n4, n, hi, out + r + 4);
        }
    }
    for (; r < rows; r++) out[r] = tl_dot(M + r * ldm, x, n);
}

/* acc += a * b, the one multiply-add of every kernel (never fused) */
#define MADD(acc, a, b) acc = v4_add(acc, v4_mul(a, b))

/* 4 x 8 tiles: 8 accumulators, 2 vectors of B and 1 splat of A in flight,
 * which fits the 16 vector registers of x86-64 and the engines' allocators. */

/* vmax (4 rows x 4 lanes, or NULL) takes the running max of the valid columns */
static void abt_tile(const float *A, size_t lda, const float *panel, size_t dim, float *C, size_t ldc, size_t cols,
                     float *vmax)
{
    v4f c00 = v4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    const float *a0 = A, *a1 = A + lda, *a2 = A + 2 * lda, *a3 = A + 3 * lda;
    for (size_t k = 0; k < dim; k++) {
        v4f b0 = v4_load(panel + 8 * k), b1 = v4_load(panel + 8 * k + 4);
        v4f a = v4_load_splat(a0 + k);
        MADD(c00, a, b0);
        MADD(c01, a, b1);
        a = v4_load_splat(a1 + k);
        MADD(c10, a, b0);
        MADD(c11, a, b1);
        a = v4_load_splat(a2 + k);
        MADD(c20, a, b0);
        MADD(c21, a, b1);
        a = v4_load_splat(a3 + k);
        MADD(c30, a, b0);
        MADD(c31, a, b1);
    }
    if (cols == 8) {
        v4_store(C, c00);
        v4_store(C + 4, c01);
        v4_store(C + ldc, c10);
        v4_store(C + ldc + 4, c11);
        v4_store(C + 2 * ldc, c20);
        v4_store(C + 2 * ldc + 4, c21);
        v4_store(C + 3 * ldc, c30);
        v4_store(C + 3 * ldc + 4, c31);
        if (vmax) {
            v4_store(vmax, v4_pmax(v4_load(vmax), v4_pmax(c00, c01)));
            v4_store(vmax + 4, v4_pmax(v4_load(vmax + 4), v4_pmax(c10, c11)));
            v4_store(vmax + 8, v4_pmax(v4_load(vmax + 8), v4_pmax(c20, c21)));
            v4_store(vmax + 12, v4_pmax(v4_load(vmax + 12), v4_pmax(c30, c31)));
        }
        return;
    }
    float t[4][8];
    v4_store(t[0], c00);
    v4_store(t[0] + 4, c01);
    v4_store(t[1], c10);
    v4_store(t[1] + 4, c11);
    v4_store(t[2], c20);
    v4_store(t[2] + 4, c21);
    v4_store(t[3], c30);
    v4_store(t[3] + 4, c31);
    for (int r = 0; r < 4; r++) {
        memcpy(C + r * ldc, t[r], cols * sizeof(float));
        if (vmax)
            for (size_t c = 0; c < cols; c++) vmax[4 * r] = pmax1(vmax[4 * r], t[r][c]);
    }
}

static void ab_tile(const float *A, size_t lda, const float *B, size_t ldb, size_t n, int from_zero, float *C,
                    size_t ldc)
{
    v4f c00, c01, c10, c11, c20, c21, c30, c31;
    if (from_zero) {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = v4_splat(0.0f);
    } else {
        c00 = v4_load(C), c01 = v4_load(C + 4);
        c10 = v4_load(C + ldc), c11 = v4_load(C + ldc + 4);
        c20 = v4_load(C + 2 * ldc), c21 = v4_load(C + 2 * ldc + 4);
        c30 = v4_load(C + 3 * ldc), c31 = v4_load(C + 3 * ldc + 4);
    }
    const float *a0 = A, *a1 = A + lda, *a2 = A + 2 * lda, *a3 = A + 3 * lda;
    for (size_t j = 0; j < n; j++) {
        v4f b0 = v4_load(B + j * ldb), b1 = v4_load(B + j * ldb + 4);
        v4f a = v4_load_splat(a0 + j);
        MADD(c00, a, b0);
        MADD(c01, a, b1);
        a = v4_load_splat(a1 + j);
        MADD(c10, a, b0);
        MADD(c11, a, b1);
        a = v4_load_splat(a2 + j);
        MADD(c20, a, b0);
        MADD(c21, a, b1);
        a = v4_load_splat(a3 + j);
        MADD(c30, a, b0);
        MADD(c31, a, b1);
    }
    v4_store(C, c00);
    v4_store(C + 4, c01);
    v4_store(C + ldc, c10);
    v4_store(C + ldc + 4, c11);
    v4_store(C + 2 * ldc, c20);
    v4_store(C + 2 * ldc + 4, c21);
    v4_store(C + 3 * ldc, c30);
    v4_store(C + 3 * ldc + 4, c31);
}

static void atb_tile(const float *A, size_t lda, const float *B, size_t ldb, size_t m, float *C, size_t ldc)
{
    v4f c00 = v4_load(C), c01 = v4_load(C + 4);
    v4f c10 = v4_load(C + ldc), c11 = v4_load(C + ldc + 4);
    v4f c20 = v4_load(C + 2 * ldc), c21 = v4_load(C + 2 * ldc + 4);
    v4f c30 = v4_load(C + 3 * ldc), c31 = v4_load(C + 3 * ldc + 4);
    for (size_t i = 0; i < m; i++) {
        const float *a = A + i * lda;
        v4f b0 = v4_load(B + i * ldb), b1 = v4_load(B + i * ldb + 4);
        v4f g = v4_load_splat(a);
        MADD(c00, g, b0);
        MADD(c01, g, b1);
        g = v4_load_splat(a + 1);
        MADD(c10, g, b0);
        MADD(c11, g, b1);
        g = v4_load_splat(a + 2);
        MADD(c20, g, b0);
        MADD(c21, g, b1);
        g = v4_load_splat(a + 3);
        MADD(c30, g, b0);
        MADD(c31, g, b1);
    }
    v4_store(C, c00);
    v4_store(C + 4, c01);
    v4_store(C + ldc, c10);
    v4_store(C + ldc + 4, c11);
    v4_store(C + 2 * ldc, c20);
    v4_store(C + 2 * ldc + 4, c21);
    v4_store(C + 3 * ldc, c30);
    v4_store(C + 3 * ldc + 4, c31);
}

/* exp_core on 4 lanes: the same operations in the same order */
static inline v4f exp4_core(v4f x)
{
    v4f magic = v4_splat(EXP_MAGIC);
    v4f t = v4_add(v4_mul(x, v4_splat(EXP_LOG2E)), magic);
    v4f n = v4_sub(t, magic);
    v4f r = v4_sub(x, v4_mul(n, v4_splat(EXP_C1)));
    r = v4_sub(r, v4_mul(n, v4_splat(EXP_C2)));
    v4f z = v4_mul(r, r);
    v4f p = v4_splat(EXP_P0);
    p = v4_add(v4_mul(p, r), v4_splat(EXP_P1));
    p = v4_add(v4_mul(p, r), v4_splat(EXP_P2));
    p = v4_add(v4_mul(p, r), v4_splat(EXP_P3));
    p = v4_add(v4_mul(p, r), v4_splat(EXP_P4));
    p = v4_add(v4_mul(p, r), v4_splat(EXP_P5));
    v4f y = v4_add(v4_mul(p, z), r);
    y = v4_add(y, v4_splat(1.0f));
    return v4_mul(y, v4_pow2_from(t, magic));
}

float tl_exp_shifted_row(float *x, size_t n, float mx)
{
    size_t n4 = n & ~(size_t)3;
    v4f vmx = v4_splat(mx), flush = v4_splat(SOFTMAX_FLUSH), vs = v4_splat(0.0f);
    for (size_t i = 0; i < n4; i += 4) {
        v4f d = v4_sub(v4_load(x + i), vmx);
        v4f e = v4_zero_where_lt(exp4_core(d), d, flush);
        v4_store(x + i, e);
        vs = v4_add(vs, e);
    }
    float sum = v4_hsum(vs);
    for (size_t i = n4; i < n; i++) {
        float e = softmax_exp(x[i] - mx);
        x[i] = e;
        sum += e;
    }
    return sum;
}

void tl_softmax_row(float *x, size_t n, float *max_out, float *sum_out)
{
    size_t n4 = n & ~(size_t)3;
    v4f vm = v4_splat(-INFINITY);
    for (size_t i = 0; i < n4; i += 4) vm = v4_pmax(vm, v4_load(x + i));
    float mx = pmax1(pmax1(V4_LANE(vm, 0), V4_LANE(vm, 1)), pmax1(V4_LANE(vm, 2), V4_LANE(vm, 3)));
    for (size_t i = n4; i < n; i++) mx = pmax1(mx, x[i]);
    float sum = tl_exp_shifted_row(x, n, mx);
    float inv = 1.0f / sum;
    v4f vinv = v4_splat(inv);
    for (size_t i = 0; i < n4; i += 4) v4_store(x + i, v4_mul(v4_load(x + i), vinv));
    for (size_t i = n4; i < n; i++) x[i] *= inv;
    *max_out = mx;
    *sum_out = sum;
}

/* ---- evaluation: dots of users x movies, and the threshold scan ---------- */

/* Two users x four movies: eight tl_dot sums side by side (lanes k % 4,
 * folded by v4_hsum4, then the tail in order), each movie row loaded once
 * for both users. */
static void dots_tile(const float *a0, const float *a1, const float *b0, size_t ldb, size_t dim, float *c0, float *c1)
{
    const float *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
    const size_t n4 = dim & ~(size_t)3;
    v4f x00 = v4_splat(0.0f), x01 = x00, x02 = x00, x03 = x00, x10 = x00, x11 = x00, x12 = x00, x13 = x00;
    for (size_t k = 0; k < n4; k += 4) {
        v4f u0 = v4_load(a0 + k), u1 = v4_load(a1 + k);
        v4f b = v4_load(b0 + k);
        MADD(x00, u0, b);
        MADD(x10, u1, b);
        b = v4_load(b1 + k);
        MADD(x01, u0, b);
        MADD(x11, u1, b);
        b = v4_load(b2 + k);
        MADD(x02, u0, b);
        MADD(x12, u1, b);
        b = v4_load(b3 + k);
        MADD(x03, u0, b);
        MADD(x13, u1, b);
    }
    v4f s0 = v4_hsum4(x00, x01, x02, x03), s1 = v4_hsum4(x10, x11, x12, x13);
    if (n4 == dim) {
        v4_store(c0, s0);
        v4_store(c1, s1);
        return;
    }
    float t0[4], t1[4];
    v4_store(t0, s0);
    v4_store(t1, s1);
    const float *bj[4] = {b0, b1, b2, b3};
    for (int j = 0; j < 4; j++)
        for (size_t k = n4; k < dim; k++) {
            t0[j] += a0[k] * bj[j][k];
            t1[j] += a1[k] * bj[j][k];
        }
    memcpy(c0, t0, sizeof t0);
    memcpy(c1, t1, sizeof t1);
}

/* dim < 4 (popularity's d = 1): each score is 0 + a0 b0 + a1 b1 ... in
 * order, so four movies side by side from a transposed piece of B. */
#define DOTS_NARROW 64
static void dots_narrow(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim,
                        float *C, size_t ldc)
{
    float bt[3][DOTS_NARROW];
    for (size_t j0 = 0; j0 < n; j0 += DOTS_NARROW) {
        size_t nj = n - j0 < DOTS_NARROW ? n - j0 : DOTS_NARROW, nj4 = nj & ~(size_t)3;
        for (size_t k = 0; k < dim; k++)
            for (size_t j = 0; j < nj; j++) bt[k][j] = B[(j0 + j) * ldb + k];
        for (size_t i = 0; i < m; i++) {
            const float *a = A + i * lda;
            float *c = C + i * ldc + j0;
            for (size_t j = 0; j < nj4; j += 4) {
                v4f acc = v4_splat(0.0f);
                for (size_t k = 0; k < dim; k++) MADD(acc, v4_splat(a[k]), v4_load(bt[k] + j));
                v4_store(c + j, acc);
            }
            for (size_t j = nj4; j < nj; j++) {
                float acc = 0.0f;
                for (size_t k = 0; k < dim; k++) acc += a[k] * bt[k][j];
                c[j] = acc;
            }
        }
    }
}

/* Movies outer, users inner: four movie rows stay in L1 while the block of
 * users (small) passes over them. */
void tl_gemm_abt_dots(const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb, size_t dim, float *C,
                      size_t ldc)
{
    if (dim < 4) {
        dots_narrow(A, m, lda, B, n, ldb, dim, C, ldc);
        return;
    }
    size_t n4 = n & ~(size_t)3, m2 = m & ~(size_t)1;
    float spare[4];
    for (size_t j = 0; j < n4; j += 4) {
        const float *b = B + j * ldb;
        for (size_t i = 0; i < m2; i += 2)
            dots_tile(A + i * lda, A + (i + 1) * lda, b, ldb, dim, C + i * ldc + j, C + (i + 1) * ldc + j);
        if (m2 < m) dots_tile(A + m2 * lda, A + m2 * lda, b, ldb, dim, C + m2 * ldc + j, spare);
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = n4; j < n; j++) C[i * ldc + j] = tl_dot(A + i * lda, B + j * ldb, dim);
}

/* Eight scores per test; the scalar loop finds which one. */
size_t tl_find_above(const float *x, size_t n, float t)
{
    v4f vt = v4_splat(t);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if (v4_any_gt2(v4_load(x + i), v4_load(x + i + 4), vt)) break;
    while (i < n && !(x[i] > t)) i++;
    return i;
}
