/* The two-tower retrieval model: a user table and a movie table of
 * dimension d, scored by dot products. Row r of a table is dense index r
 * (dataset.h); the LAST row (index n_users / n_movies) is the
 * out-of-vocabulary row, as the original's StringLookup + Embedding(n + 1).
 * Training never touches it (every train id is in the vocabulary), so it
 * keeps its initial values, like the original's. */
#ifndef TOWERLENS_MODEL_H
#define TOWERLENS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/embeddings.h"
#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_MAX_DIM 1024

typedef struct tl_model {
    uint32_t dim;
    uint32_t n_users, n_movies; /* vocabulary sizes; the tables have one row more */
    float *users;               /* (n_users + 1) x dim, row-major */
    float *movies;              /* (n_movies + 1) x dim */
} tl_model;

/* Tables initialised uniform(-init_range, init_range) (Keras' default
 * embedding initialiser uses 0.05) from splitmix64 seeded with `seed`:
 * the user table first, row by row, then the movie table (rng.h). */
tl_status tl_model_new(uint32_t n_users, uint32_t n_movies, uint32_t dim, float init_range, uint64_t seed,
                       tl_model **out, tl_error *err);
void tl_model_free(tl_model *m);

/* FNV-1a 64 over dim, n_users, n_movies (4 little-endian bytes each), then
 * every float of the user table and the movie table as 4 little-endian
 * bytes: equal hashes = bit-identical models (native vs WASM). */
uint64_t tl_model_hash(const tl_model *m);

/* The view eval.h scores. */
tl_embeddings tl_model_embeddings(const tl_model *m);

#ifdef __cplusplus
}
#endif
#endif
