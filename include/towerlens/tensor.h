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
    float *data; /* rows x cols, row-major */
} tl_tensor;

/* The tensor called `name` among t[0..n), or NULL. */
const tl_tensor *tl_tensor_find(const tl_tensor *t, uint32_t n, const char *name);

#ifdef __cplusplus
}
#endif

#endif
