/* A named float matrix: how models hand their weights to the model file. */
#ifndef TOWERLENS_TENSOR_H
#define TOWERLENS_TENSOR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TL_TENSOR_NAME_MAX 32

typedef struct tl_tensor {
    char name[TL_TENSOR_NAME_MAX]; /* e.g. "users", "movies", "head.w1" */
    uint32_t rows, cols;
    float *data;                   /* rows x cols, row-major */
} tl_tensor;

#ifdef __cplusplus
}
#endif

#endif
