/* The GEMMs of kernels.h split over a thread pool (pool.h) into ranges of
 * independent outputs: each output is still the one sum, in the one order,
 * the single call computes, so the result is bit-identical to it for any
 * thread count. A NULL or one-thread pool, or too little work to share,
 * makes the single call. */
#ifndef TL_BASE_GEMM_POOL_H
#define TL_BASE_GEMM_POOL_H

#include <stddef.h>

#include "towerlens/pool.h"

/* tl_gemm_ab, split by rows of A and C. */
void tl__gemm_ab_pool(tl_pool *pool, const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb,
                      size_t dim, float *C, size_t ldc);
/* tl_gemm_abt, split by rows of A and C. */
void tl__gemm_abt_pool(tl_pool *pool, const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim,
                       float *C, size_t ldc);
/* tl_gemm_atb_acc, split by columns of A (rows of C). */
void tl__gemm_atb_acc_pool(tl_pool *pool, const float *A, size_t m, size_t lda, size_t n, const float *B, size_t ldb,
                           size_t dim, float *C, size_t ldc);

#endif
