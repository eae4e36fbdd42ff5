/* The project's one random generator: splitmix64, chosen because it is
 * trivially reproducible in any language (the split test vectors in the
 * tests can be recomputed from the formula below by anyone).
 *
 *   state += 0x9E3779B97F4A7C15
 *   z = (state ^ state >> 30) * 0xBF58476D1CE4E5B9
 *   z = (z ^ z >> 27) * 0x94D049BB133111EB
 *   out = z ^ z >> 31
 *
 * The generator is a value the caller owns; there is no global state. */
#ifndef TOWERLENS_RNG_H
#define TOWERLENS_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_rng {
    uint64_t state;
} tl_rng;

static inline void tl_rng_seed(tl_rng *r, uint64_t seed) { r->state = seed; }

uint64_t tl_rng_next(tl_rng *r);

/* next() % n (n > 0); the plain modulo the split specification uses. */
uint32_t tl_rng_below(tl_rng *r, uint32_t n);

/* A float uniform in [lo, hi): the top 24 bits of next() as u in [0, 1),
 * then lo + (hi - lo) * u, all in float (identical on every platform). */
float tl_rng_uniform(tl_rng *r, float lo, float hi);

/* Fisher-Yates over a[0..n-1] in place, from i = n-1 down to 1, swapping
 * a[i] with a[next() % (i+1)], with a fresh generator seeded with `seed`. */
void tl_shuffle_u32(uint32_t *a, uint32_t n, uint64_t seed);

/* perm = the shuffle of 0..n-1 (the split permutation). */
void tl_permutation(uint32_t *perm, uint32_t n, uint64_t seed);

/* FNV-1a 64-bit over bytes, continuing from `h` (start with TL_FNV_OFFSET). */
#define TL_FNV_OFFSET 0xcbf29ce484222325ull
uint64_t tl_fnv1a64(uint64_t h, const void *bytes, size_t n);
/* The same over 32-bit indices, each hashed as 8 little-endian bytes
 * (the split specification's permutation hash), whatever the host order. */
uint64_t tl_fnv1a64_u32_as_u64(uint64_t h, const uint32_t *v, size_t n);
/* One 32-bit word as 4 little-endian bytes (model hashes). */
uint64_t tl_fnv1a64_u32(uint64_t h, uint32_t v);
/* Floats by their IEEE bits, 4 little-endian bytes each: equal hashes =
 * bit-identical tables. */
uint64_t tl_fnv1a64_floats(uint64_t h, const float *x, size_t n);

#ifdef __cplusplus
}
#endif
#endif
