/* The generator's randomness and the little math behind it, kept free of
 * libm so the output bytes do not depend on a platform's exp/log/pow.
 *
 * Streams: every independent part of the data (the catalogue, each user's
 * activity, each user's ratings) draws from its own xoshiro256** stream,
 * seeded by splitmix64 from (seed, stream kind, index). Changing how one
 * user is generated therefore never shifts the numbers of another. */
#ifndef TL_GENERATE_GENERATE_RANDOM_H
#define TL_GENERATE_GENERATE_RANDOM_H

#include <math.h>
#include <stdint.h>

#ifdef __clang__
/* gcc in ISO C mode (-std=c11, which CMake uses) already never fuses;
 * clang would contract a*b+c into an FMA on targets that have one. */
#pragma STDC FP_CONTRACT OFF
#endif

typedef struct gen_rng {
    uint64_t s[4];
} gen_rng;

static inline uint64_t gen_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A stream for (seed, kind, index): the three are mixed through splitmix64
 * so nearby seeds or indices give unrelated states. */
static inline void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t kind, uint64_t index)
{
    uint64_t x = seed;
    uint64_t a = gen_splitmix64(&x);
    x = a ^ (kind * 0xD1B54A32D192ED03ull);
    uint64_t b = gen_splitmix64(&x);
    x = b ^ (index * 0x8CB92BA72F3D8DD7ull);
    for (int i = 0; i < 4; i++) r->s[i] = gen_splitmix64(&x);
}

static inline uint64_t gen_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** (Blackman and Vigna). */
static inline uint64_t gen_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = gen_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gen_rotl(s[3], 45);
    return result;
}

/* Uniform integer in [0, n), n >= 1 (multiply-shift; bias < n / 2^32). */
static inline uint32_t gen_below(gen_rng *r, uint32_t n)
{
    return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double gen_unit(gen_rng *r) { return (double)(gen_next(r) >> 11) * 0x1.0p-53; }

static inline int gen_chance(gen_rng *r, double p) { return gen_unit(r) < p; }

/* Approximately standard normal: Irwin-Hall sum of 12 uniforms (16 bits
 * each, three draws), exact integer sum, so no libm. Range +-6. */
static inline double gen_normal(gen_rng *r)
{
    uint64_t sum = 0;
    for (int d = 0; d < 3; d++) {
        uint64_t x = gen_next(r);
        for (int k = 0; k < 4; k++) sum += (x >> (16 * k)) & 0xFFFFu;
    }
    return (double)sum * (1.0 / 65536.0) - 6.0 * (65535.0 / 65536.0);
}

/* Cheaper normal-ish noise from one draw: 4 uniforms scaled to variance 1
 * (range +-3.46), for per-rating noise. */
static inline double gen_noise(gen_rng *r)
{
    uint64_t x = gen_next(r), sum = 0;
    for (int k = 0; k < 4; k++) sum += (x >> (16 * k)) & 0xFFFFu;
    return ((double)sum * (1.0 / 65536.0) - 2.0 * (65535.0 / 65536.0)) * 1.7320508075688772;
}

/* exp(x) for |x| < 700 from + - * / and ldexp only: x = n ln2 + f with
 * |f| <= ln2/2, Taylor series of exp(f) to 1e-17, scaled by 2^n exactly. */
static inline double gen_exp(double x)
{
    const double ln2 = 0.6931471805599453;
    double n = floor(x / ln2 + 0.5);
    double f = x - n * ln2;
    double term = 1.0, sum = 1.0;
    for (int k = 1; k <= 18; k++) {
        term = term * f / (double)k;
        sum = sum + term;
    }
    return ldexp(sum, (int)n);
}

/* log(x) for x > 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
 * log m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172, series to 1e-17. */
static inline double gen_log(double x)
{
    int e;
    double m = frexp(x, &e); /* m in [0.5, 1) */
    if (m < 0.7071067811865476) {
        m = m * 2.0;
        e = e - 1;
    }
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, term = s, sum = 0.0;
    for (int k = 1; k <= 41; k += 2) {
        sum = sum + term / (double)k;
        term = term * s2;
    }
    return 2.0 * sum + (double)e * 0.6931471805599453;
}

static inline double gen_pow(double x, double y) { return gen_exp(y * gen_log(x)); }

#endif
