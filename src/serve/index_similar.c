/* Similar movies: the model's own item-item similarity (scorer.h), ranked
 * with the index's filters. */
#include "index_internal.h"

tl_status tl_index_similar(tl_index *idx, uint32_t movie, uint32_t k, const tl_query *q, tl_scored *out,
                           uint32_t *n_out, tl_error *err)
{
    if (!idx) return tl_fail(err, TL_E_ARG, "index: no index given");
    const tl_dataset *ds = idx->ds;
    if (movie >= ds->n_movies)
        return tl_fail(err, TL_E_ARG, "index: movie index %u is out of range (%u movies)", movie, ds->n_movies);
    /* the movie itself never counts, so at most n_cat - 1 others exist */
    uint32_t others = idx->n_cat - (ds->movies[movie].in_catalogue ? 1 : 0);
    if (k > others && k <= idx->n_cat)
        return tl_fail(err, TL_E_ARG, "index: k = %u is larger than the %u other catalogue movies", k, others);
    tl_status st = tl__index_begin_query(idx, k, q, out, n_out, NULL, 0, movie, err);
    if (st == TL_OK) st = tl_scorer_similar(idx->scorer, movie, idx->scores, err);
    if (st != TL_OK) return st;
    *n_out = tl__index_select(idx, k, q, out);
    return TL_OK;
}
