#include "towerlens/rng.h"

#include <string.h>

uint64_t tl_rng_next(tl_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t tl_rng_below(tl_rng *r, uint32_t n) { return (uint32_t)(tl_rng_next(r) % n); }

float tl_rng_uniform(tl_rng *r, float lo, float hi)
{
    float u = (float)(tl_rng_next(r) >> 40) * 0x1p-24f; /* exact: 24 bits fit a float */
    return lo + (hi - lo) * u;
}

void tl_shuffle_u32(uint32_t *a, uint32_t n, uint64_t seed)
{
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (uint32_t i = n; i-- > 1;) {
        uint32_t j = tl_rng_below(&r, i + 1);
        uint32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

void tl_permutation(uint32_t *perm, uint32_t n, uint64_t seed)
{
    for (uint32_t i = 0; i < n; i++) perm[i] = i;
    tl_shuffle_u32(perm, n, seed);
}

uint64_t tl_fnv1a64(uint64_t h, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t tl_fnv1a64_u32_as_u64(uint64_t h, const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t x = v[i];
        for (int b = 0; b < 8; b++) {
            h ^= (x >> (8 * b)) & 0xFF;
            h *= 0x100000001b3ull;
        }
    }
    return h;
}

uint64_t tl_fnv1a64_u32(uint64_t h, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    return tl_fnv1a64(h, b, 4);
}

uint64_t tl_fnv1a64_floats(uint64_t h, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        h = tl_fnv1a64_u32(h, u);
    }
    return h;
}
