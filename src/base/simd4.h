/* A 4-lane float vector for the kernels (internal to kernels.c): explicit
 * SIMD128 intrinsics in the WASM build, GCC/Clang generic vectors natively,
 * a plain struct elsewhere. Every operation is one IEEE operation per lane,
 * so all three give bit-identical results. */
#ifndef TL_BASE_SIMD4_H
#define TL_BASE_SIMD4_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

typedef v128_t v4f;
static inline v4f v4_load(const float *p) { return wasm_v128_load(p); }
static inline void v4_store(float *p, v4f v) { wasm_v128_store(p, v); }
static inline v4f v4_splat(float x) { return wasm_f32x4_splat(x); }
static inline v4f v4_load_splat(const float *p) { return wasm_v128_load32_splat(p); }
static inline v4f v4_add(v4f a, v4f b) { return wasm_f32x4_add(a, b); }
static inline v4f v4_sub(v4f a, v4f b) { return wasm_f32x4_sub(a, b); }
static inline v4f v4_mul(v4f a, v4f b) { return wasm_f32x4_mul(a, b); }
/* a < b ? b : a, and b < a ? b : a (f32x4.pmax / pmin) */
static inline v4f v4_pmax(v4f a, v4f b) { return wasm_f32x4_pmax(a, b); }
static inline v4f v4_pmin(v4f a, v4f b) { return wasm_f32x4_pmin(a, b); }
/* x where !(d < lim), else +0 */
static inline v4f v4_zero_where_lt(v4f x, v4f d, v4f lim) { return wasm_v128_andnot(x, wasm_f32x4_lt(d, lim)); }
/* 2^(bits(t) - bits(magic)) as a float, for exp's integer part */
static inline v4f v4_pow2_from(v4f t, v4f magic)
{
    v128_t k = wasm_i32x4_sub(t, magic);
    return wasm_i32x4_shl(wasm_i32x4_add(k, wasm_i32x4_splat(127)), 23);
}
#define V4_LANE(v, i) wasm_f32x4_extract_lane(v, i)
/* 1 when some lane of a is > the same lane of t, or of b is */
static inline int v4_any_gt2(v4f a, v4f b, v4f t)
{
    return wasm_v128_any_true(wasm_v128_or(wasm_f32x4_gt(a, t), wasm_f32x4_gt(b, t)));
}

#elif defined(__GNUC__) && !defined(TL_KERNELS_PLAIN)

typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
static inline v4f v4_load(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void v4_store(float *p, v4f v) { memcpy(p, &v, sizeof v); }
static inline v4f v4_splat(float x) { return (v4f){x, x, x, x}; }
static inline v4f v4_load_splat(const float *p) { return v4_splat(*p); }
static inline v4f v4_add(v4f a, v4f b) { return a + b; }
static inline v4f v4_sub(v4f a, v4f b) { return a - b; }
static inline v4f v4_mul(v4f a, v4f b) { return a * b; }
static inline v4f v4_pmax(v4f a, v4f b)
{
    v4i m = a < b;
    return (v4f)(((v4i)b & m) | ((v4i)a & ~m));
}
static inline v4f v4_pmin(v4f a, v4f b)
{
    v4i m = b < a;
    return (v4f)(((v4i)b & m) | ((v4i)a & ~m));
}
static inline v4f v4_zero_where_lt(v4f x, v4f d, v4f lim) { return (v4f)((v4i)x & ~(d < lim)); }
static inline v4f v4_pow2_from(v4f t, v4f magic)
{
    v4i k = (v4i)t - (v4i)magic;
    return (v4f)((k + 127) << 23);
}
#define V4_LANE(v, i) ((v)[i])
static inline int v4_any_gt2(v4f a, v4f b, v4f t)
{
    v4i m = (a > t) | (b > t);
    return (m[0] | m[1] | m[2] | m[3]) != 0;
}

#else /* any C11 compiler: one lane at a time */

typedef struct v4f {
    float f[4];
} v4f;
static inline v4f v4_load(const float *p)
{
    v4f v;
    memcpy(v.f, p, sizeof v.f);
    return v;
}
static inline void v4_store(float *p, v4f v) { memcpy(p, v.f, sizeof v.f); }
static inline v4f v4_splat(float x) { return (v4f){{x, x, x, x}}; }
static inline v4f v4_load_splat(const float *p) { return v4_splat(*p); }
#define V4_MAP2(name, expr)                          \
    static inline v4f name(v4f a, v4f b)             \
    {                                                \
        v4f r;                                       \
        for (int i = 0; i < 4; i++) r.f[i] = (expr); \
        return r;                                    \
    }
V4_MAP2(v4_add, a.f[i] + b.f[i])
V4_MAP2(v4_sub, a.f[i] - b.f[i])
V4_MAP2(v4_mul, a.f[i] * b.f[i])
V4_MAP2(v4_pmax, a.f[i] < b.f[i] ? b.f[i] : a.f[i])
V4_MAP2(v4_pmin, b.f[i] < a.f[i] ? b.f[i] : a.f[i])
static inline v4f v4_zero_where_lt(v4f x, v4f d, v4f lim)
{
    for (int i = 0; i < 4; i++)
        if (d.f[i] < lim.f[i]) x.f[i] = 0.0f;
    return x;
}
static inline v4f v4_pow2_from(v4f t, v4f magic)
{
    v4f r;
    for (int i = 0; i < 4; i++) {
        uint32_t a, b;
        memcpy(&a, &t.f[i], 4);
        memcpy(&b, &magic.f[i], 4);
        a = (a - b + 127u) << 23;
        memcpy(&r.f[i], &a, 4);
    }
    return r;
}
#define V4_LANE(v, i) ((v).f[i])
static inline int v4_any_gt2(v4f a, v4f b, v4f t)
{
    int any = 0;
    for (int i = 0; i < 4; i++) any |= (a.f[i] > t.f[i]) | (b.f[i] > t.f[i]);
    return any;
}

#endif

/* (l0 + l1) + (l2 + l3): the fold every 4-lane sum uses */
static inline float v4_hsum(v4f v) { return (V4_LANE(v, 0) + V4_LANE(v, 1)) + (V4_LANE(v, 2) + V4_LANE(v, 3)); }

/* {v4_hsum(a), v4_hsum(b), v4_hsum(c), v4_hsum(d)}, bit for bit: the same
 * pairs are added in the same order, four rows at a time. */
#if defined(__wasm_simd128__)
static inline v4f v4_hsum4(v4f a, v4f b, v4f c, v4f d)
{
    /* ab = {a0+a1, a2+a3, b0+b1, b2+b3}, cd likewise; then pair them up */
    v4f ab = wasm_f32x4_add(wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
    v4f cd = wasm_f32x4_add(wasm_i32x4_shuffle(c, d, 0, 2, 4, 6), wasm_i32x4_shuffle(c, d, 1, 3, 5, 7));
    return wasm_f32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 2, 4, 6), wasm_i32x4_shuffle(ab, cd, 1, 3, 5, 7));
}
#else
static inline v4f v4_hsum4(v4f a, v4f b, v4f c, v4f d)
{
    float s[4] = {v4_hsum(a), v4_hsum(b), v4_hsum(c), v4_hsum(d)};
    return v4_load(s);
}
#endif

/* ---- 2-lane double vectors (f64x2 in WASM), for double sums in 4 fixed
 * lanes: lanes (l0, l1) and (l2, l3) live in two vectors. */
#if defined(__wasm_simd128__)
typedef v128_t v2d;
static inline v2d v2_load(const double *p) { return wasm_v128_load(p); }
static inline v2d v2_splat(double x) { return wasm_f64x2_splat(x); }
static inline v2d v2_add(v2d a, v2d b) { return wasm_f64x2_add(a, b); }
static inline v2d v2_mul(v2d a, v2d b) { return wasm_f64x2_mul(a, b); }
#define V2_LANE(v, i) wasm_f64x2_extract_lane(v, i)
#elif defined(__GNUC__) && !defined(TL_KERNELS_PLAIN)
typedef double v2d __attribute__((vector_size(16)));
static inline v2d v2_load(const double *p)
{
    v2d v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline v2d v2_splat(double x) { return (v2d){x, x}; }
static inline v2d v2_add(v2d a, v2d b) { return a + b; }
static inline v2d v2_mul(v2d a, v2d b) { return a * b; }
#define V2_LANE(v, i) ((v)[i])
#else
typedef struct v2d {
    double f[2];
} v2d;
static inline v2d v2_load(const double *p)
{
    v2d v;
    memcpy(v.f, p, sizeof v.f);
    return v;
}
static inline v2d v2_splat(double x) { return (v2d){{x, x}}; }
static inline v2d v2_add(v2d a, v2d b) { return (v2d){{a.f[0] + b.f[0], a.f[1] + b.f[1]}}; }
static inline v2d v2_mul(v2d a, v2d b) { return (v2d){{a.f[0] * b.f[0], a.f[1] * b.f[1]}}; }
#define V2_LANE(v, i) ((v).f[i])
#endif

/* sum a[k] * b[k] in 4 lanes (lane k % 4), folded (l0 + l1) + (l2 + l3),
 * then the tail in order: tl_dot_f64_scalar's order, bit for bit. */
static inline double v2_dot4(const double *a, const double *b, size_t n)
{
    v2d lo = v2_splat(0.0), hi = lo;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        lo = v2_add(lo, v2_mul(v2_load(a + k), v2_load(b + k)));
        hi = v2_add(hi, v2_mul(v2_load(a + k + 2), v2_load(b + k + 2)));
    }
    double s = (V2_LANE(lo, 0) + V2_LANE(lo, 1)) + (V2_LANE(hi, 0) + V2_LANE(hi, 1));
    for (; k < n; k++) s += a[k] * b[k];
    return s;
}

/* v2_dot4(a0, b, n) and v2_dot4(a1, b, n), bit for bit, in one pass (b is
 * loaded once for both). */
static inline void v2_dot4x2(const double *a0, const double *a1, const double *b, size_t n, double *s0, double *s1)
{
    v2d lo0 = v2_splat(0.0), hi0 = lo0, lo1 = lo0, hi1 = lo0;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        v2d bl = v2_load(b + k), bh = v2_load(b + k + 2);
        lo0 = v2_add(lo0, v2_mul(v2_load(a0 + k), bl));
        hi0 = v2_add(hi0, v2_mul(v2_load(a0 + k + 2), bh));
        lo1 = v2_add(lo1, v2_mul(v2_load(a1 + k), bl));
        hi1 = v2_add(hi1, v2_mul(v2_load(a1 + k + 2), bh));
    }
    double r0 = (V2_LANE(lo0, 0) + V2_LANE(lo0, 1)) + (V2_LANE(hi0, 0) + V2_LANE(hi0, 1));
    double r1 = (V2_LANE(lo1, 0) + V2_LANE(lo1, 1)) + (V2_LANE(hi1, 0) + V2_LANE(hi1, 1));
    for (; k < n; k++) {
        r0 += a0[k] * b[k];
        r1 += a1[k] * b[k];
    }
    *s0 = r0;
    *s1 = r1;
}

#endif
