/* Embedding tables with an OOV row, seeded initialisation, hashing. */
#include "towerlens/model.h"

#include <stdlib.h>
#include <string.h>

#include "models/models_internal.h"
#include "towerlens/rng.h"

static int table_floats(uint32_t rows_minus_oov, uint32_t dim, size_t *out)
{
    size_t rows = (size_t)rows_minus_oov + 1;
    if (rows == 0 || rows > SIZE_MAX / sizeof(float) / dim) return 0;
    *out = rows * dim;
    return 1;
}

/* A table of n floats starting on a cache line: at dimension 16, 32 or 64
 * a row then spans dim / 16 lines, not one more, which the scattered row
 * reads of training and serving feel (a fifth fewer lines at 64). */
float *tl__table_alloc(size_t n)
{
    if (n > (SIZE_MAX - 63) / sizeof(float)) return NULL;
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes ? bytes : 64);
}

tl_status tl_model_new(uint32_t n_users, uint32_t n_movies, uint32_t dim, float init_range, uint64_t seed,
                       tl_model **out, tl_error *err)
{
    *out = NULL;
    if (dim == 0 || dim > TL_MAX_DIM)
        return tl_fail(err, TL_E_ARG, "embedding dimension %u is outside 1-%d", dim, TL_MAX_DIM);
    if (!(init_range >= 0.0f && init_range <= 1.0f))
        return tl_fail(err, TL_E_ARG, "initialisation range %g is outside 0-1", (double)init_range);
    size_t nu, nm;
    if (!table_floats(n_users, dim, &nu) || !table_floats(n_movies, dim, &nm))
        return tl_fail(err, TL_E_LIMIT,
                       "embedding tables for %u users and %u movies at dimension %u do not fit in memory", n_users,
                       n_movies, dim);
    tl_model *m = calloc(1, sizeof *m);
    if (!m) return tl_fail(err, TL_E_NOMEM, "out of memory allocating the model");
    m->dim = dim;
    m->n_users = n_users;
    m->n_movies = n_movies;
    m->users = tl__table_alloc(nu);
    m->movies = tl__table_alloc(nm);
    if (!m->users || !m->movies) {
        tl_model_free(m);
        return tl_fail(err, TL_E_NOMEM, "out of memory allocating embedding tables (%zu floats)", nu + nm);
    }
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (size_t i = 0; i < nu; i++) m->users[i] = tl_rng_uniform(&r, -init_range, init_range);
    for (size_t i = 0; i < nm; i++) m->movies[i] = tl_rng_uniform(&r, -init_range, init_range);
    *out = m;
    return TL_OK;
}

void tl_model_free(tl_model *m)
{
    if (!m) return;
    free(m->users);
    free(m->movies);
    free(m);
}

uint64_t tl_model_hash(const tl_model *m)
{
    uint64_t h = TL_FNV_OFFSET;
    h = tl_fnv1a64_u32(h, m->dim);
    h = tl_fnv1a64_u32(h, m->n_users);
    h = tl_fnv1a64_u32(h, m->n_movies);
    h = tl_fnv1a64_floats(h, m->users, ((size_t)m->n_users + 1) * m->dim);
    h = tl_fnv1a64_floats(h, m->movies, ((size_t)m->n_movies + 1) * m->dim);
    return h;
}

tl_embeddings tl_model_embeddings(const tl_model *m)
{
    tl_embeddings e;
    e.users = m->users;
    e.movies = m->movies;
    e.dim = m->dim;
    e.ld_users = m->dim;
    e.ld_movies = m->dim;
    return e;
}
