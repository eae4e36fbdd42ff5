/* The serving index's state, shared by its files. Not a public header. */
#ifndef TL_SERVE_INDEX_INTERNAL_H
#define TL_SERVE_INDEX_INTERNAL_H

#include "towerlens/index.h"

struct tl_index {
    const tl_dataset *ds;
    tl_scorer *scorer; /* the model's (borrowed, or owned when own_scorer) */
    int own_scorer;
    float *state;  /* scorer->state_floats scratch: a known user's state */
    uint32_t *cat; /* catalogue, ascending dense indices */
    uint32_t n_cat;
    float *scores;      /* n_movies scratch */
    uint32_t *excluded; /* n_movies stamps: == stamp means excluded from this query */
    uint32_t stamp;
};

/* A fresh stamp for idx->excluded (clears the array when the counter wraps). */
uint32_t tl__index_next_stamp(tl_index *idx);

/* Checks k, out, n_out and the query, marks q's exclusions plus `extra`
 * (n_extra dense indices, already checked) and `self` (UINT32_MAX = none)
 * in a fresh stamp. */
tl_status tl__index_begin_query(tl_index *idx, uint32_t k, const tl_query *q, const tl_scored *out,
                                const uint32_t *n_out, const uint32_t *extra, uint32_t n_extra, uint32_t self,
                                tl_error *err);

/* Keeps the best k catalogue movies by idx->scores that pass q and the
 * marks of the current stamp. */
uint32_t tl__index_select(tl_index *idx, uint32_t k, const tl_query *q, tl_scored *out);

#endif
