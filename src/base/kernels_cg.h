/* The kernels of the iALS conjugate-gradient row solve (train_ials_cg.c):
 * products with the observed part sum_j c_j f_j f_j^T of a row's system,
 * where f_j = F[idx[j]] are rows of the other side's table, read in place.
 * Each has a scalar twin; as in kernels.h every output is one fixed
 * sequence of IEEE float operations in both, so the SIMD128, native vector
 * and scalar builds agree bit for bit. Internal to the core. */
#ifndef TL_BASE_KERNELS_CG_H
#define TL_BASE_KERNELS_CG_H

#include <stddef.h>
#include <stdint.h>

/* acc[k] += sum_j c[j] * (t - f_j . p) * f_j[k] over j < m in ascending j
 * (acc's old value first), f_j . p summed exactly as tl_dot sums it.
 * t = 1 gives the residual's observed part, t = 0 minus A's observed part
 * times p. f_j is F[idx[j]] (rows of d floats), or F[j] when idx is NULL.
 * When copy is not NULL, f_j is also copied to copy[j] (a gather for the
 * next passes, which then read contiguous rows); when dots is not NULL,
 * dots[j] = f_j . p (exactly tl_dot(f_j, p, d)), from which the solve
 * follows f_j . x without another pass. */
void tl__wgram_apply(const float *F, const uint32_t *idx, const float *c, size_t m, size_t d, const float *p, float t,
                     float *acc, float *copy, float *dots);
void tl__wgram_apply_scalar(const float *F, const uint32_t *idx, const float *c, size_t m, size_t d, const float *p,
                            float t, float *acc, float *copy, float *dots);

#endif
