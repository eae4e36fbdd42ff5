/* The two embedding tables of a dot-product model, as views (no ownership):
 * what evaluation, serving, the model file and fold-in read. */
#ifndef TOWERLENS_EMBEDDINGS_H
#define TOWERLENS_EMBEDDINGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Row r of `users` is dense user r; row n_users is the out-of-vocabulary
 * row (likewise for movies). `ld*` are row strides in floats (>= dim). */
typedef struct tl_embeddings {
    const float *users;
    const float *movies;
    uint32_t dim;
    size_t ld_users, ld_movies;
} tl_embeddings;

#ifdef __cplusplus
}
#endif

#endif
