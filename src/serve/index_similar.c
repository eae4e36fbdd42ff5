/* Similar movies by cosine similarity; the movie norms are cached. */
#include <math.h>

#include "index_internal.h"
#include "towerlens/kernels.h"

static void compute_norms(tl_index *idx)
{
    const tl_embeddings *e = &idx->emb;
    for (uint32_t m = 0; m < idx->ds->n_movies; m++) {
        const float *v = e->movies + (size_t)m * e->ld_movies;
        idx->norms[m] = sqrtf(tl_dot(v, v, e->dim));
    }
    idx->norms_valid = 1;
}

tl_status tl_index_similar(tl_index *idx, uint32_t movie, uint32_t k, const tl_query *q,
                           tl_scored *out, uint32_t *n_out, tl_error *err)
{
    if (!idx) return tl_fail(err, TL_E_ARG, "index: no index given");
    const tl_dataset *ds = idx->ds;
    if (movie >= ds->n_movies)
        return tl_fail(err, TL_E_ARG, "index: movie index %u is out of range (%u movies)", movie, ds->n_movies);
    /* the movie itself never counts, so at most n_cat - 1 others exist */
    uint32_t others = idx->n_cat - (ds->movies[movie].in_catalogue ? 1 : 0);
    if (k > others && k <= idx->n_cat)
        return tl_fail(err, TL_E_ARG, "index: k = %u is larger than the %u other catalogue movies", k, others);
    tl_status st = tl_index_begin_query(idx, k, q, out, n_out, NULL, 0, movie, err);
    if (st != TL_OK) return st;
    if (!idx->norms_valid) compute_norms(idx);
    float qn = idx->norms[movie];
    if (!(qn > 0))
        return tl_fail(err, TL_E_STATE, "index: movie %u has a zero (or invalid) embedding; similarity is undefined",
                       ds->movies[movie].id);
    const tl_embeddings *e = &idx->emb;
    tl_gemv(e->movies, ds->n_movies, e->ld_movies, e->movies + (size_t)movie * e->ld_movies, e->dim, idx->scores);
    for (uint32_t i = 0; i < idx->n_cat; i++) {
        uint32_t m = idx->cat[i];
        float n = idx->norms[m];
        idx->scores[m] = n > 0 ? idx->scores[m] / (n * qn) : 0.0f;
    }
    *n_out = tl_index_select(idx, k, q, out);
    return TL_OK;
}
