/* The index: catalogue, scratch buffers, filters, top-k for a user. */
#include <stdlib.h>

#include "index_internal.h"

tl_status tl_index_new(const tl_dataset *ds, tl_scorer *scorer, tl_index **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "index: no output pointer given");
    *out = NULL;
    if (!ds) return tl_fail(err, TL_E_ARG, "index: no dataset given");
    if (!scorer) return tl_fail(err, TL_E_ARG, "index: no model given");
    if (scorer->ds->n_movies != ds->n_movies || scorer->ds->n_users != ds->n_users)
        return tl_fail(err, TL_E_ARG,
                       "index: the model's vocabularies (%u users, %u movies) are not the dataset's "
                       "(%u users, %u movies)",
                       scorer->ds->n_users, scorer->ds->n_movies, ds->n_users, ds->n_movies);
    uint32_t n_cat = 0;
    for (uint32_t m = 0; m < ds->n_movies; m++) n_cat += ds->movies[m].in_catalogue ? 1 : 0;
    if (n_cat == 0) return tl_fail(err, TL_E_ARG, "index: the dataset has no catalogue movies to recommend");

    tl_index *idx = calloc(1, sizeof *idx);
    if (!idx) return tl_fail(err, TL_E_NOMEM, "index: out of memory");
    idx->ds = ds;
    idx->scorer = scorer;
    idx->n_cat = n_cat;
    size_t nm = ds->n_movies;
    idx->cat = malloc(n_cat * sizeof *idx->cat);
    idx->scores = malloc(nm * sizeof *idx->scores);
    idx->excluded = calloc(nm, sizeof *idx->excluded);
    idx->state = malloc((scorer->state_floats ? scorer->state_floats : 1) * sizeof *idx->state);
    if (!idx->cat || !idx->scores || !idx->excluded || !idx->state) {
        tl_index_free(idx);
        return tl_fail(err, TL_E_NOMEM, "index: out of memory for %u movies", ds->n_movies);
    }
    n_cat = 0;
    for (uint32_t m = 0; m < ds->n_movies; m++)
        if (ds->movies[m].in_catalogue) idx->cat[n_cat++] = m;
    *out = idx;
    return TL_OK;
}

tl_status tl_index_new_embeddings(const tl_dataset *ds, const tl_embeddings *emb, tl_index **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "index: no output pointer given");
    *out = NULL;
    tl_scorer *sc = NULL;
    tl_status st = tl_embed_scorer_new(ds, emb, &sc, err);
    if (st == TL_OK) st = tl_index_new(ds, sc, out, err);
    if (st != TL_OK) {
        tl_scorer_free(sc);
        return st;
    }
    (*out)->own_scorer = 1;
    return TL_OK;
}

void tl_index_free(tl_index *idx)
{
    if (!idx) return;
    if (idx->own_scorer) tl_scorer_free(idx->scorer);
    free(idx->cat);
    free(idx->scores);
    free(idx->excluded);
    free(idx->state);
    free(idx);
}

void tl_index_refresh(tl_index *idx)
{
    if (idx) tl_scorer_refresh(idx->scorer);
}

tl_scorer *tl_index_scorer(const tl_index *idx) { return idx ? idx->scorer : NULL; }

uint32_t tl_index_catalogue_size(const tl_index *idx) { return idx ? idx->n_cat : 0; }

void tl_query_default(tl_query *q) { *q = (tl_query){0}; }

uint32_t tl__index_next_stamp(tl_index *idx)
{
    if (++idx->stamp == 0) { /* wrapped after 2^32 queries: start the stamps afresh */
        for (uint32_t m = 0; m < idx->ds->n_movies; m++) idx->excluded[m] = 0;
        idx->stamp = 1;
    }
    return idx->stamp;
}

tl_status tl__index_begin_query(tl_index *idx, uint32_t k, const tl_query *q, const tl_scored *out,
                                const uint32_t *n_out, const uint32_t *extra, uint32_t n_extra, uint32_t self,
                                tl_error *err)
{
    const tl_dataset *ds = idx->ds;
    if (!out || !n_out) return tl_fail(err, TL_E_ARG, "index: no result array given");
    if (k == 0) return tl_fail(err, TL_E_ARG, "index: k must be at least 1");
    if (k > idx->n_cat)
        return tl_fail(err, TL_E_ARG, "index: k = %u is larger than the catalogue (%u movies)", k, idx->n_cat);
    if (q) {
        if (q->n_exclude && !q->exclude)
            return tl_fail(err, TL_E_ARG, "index: %u excluded movies announced but none given", q->n_exclude);
        for (uint32_t i = 0; i < q->n_exclude; i++)
            if (q->exclude[i] >= ds->n_movies)
                return tl_fail(err, TL_E_ARG, "index: excluded movie index %u is out of range (%u movies)",
                               q->exclude[i], ds->n_movies);
        if (ds->n_genres < 64 && (q->genres >> ds->n_genres))
            return tl_fail(err, TL_E_ARG, "index: the genre filter names genre bits beyond the dataset's %u genres",
                           ds->n_genres);
        if (q->year_min && q->year_max && q->year_min > q->year_max)
            return tl_fail(err, TL_E_ARG, "index: the year range %d-%d is empty", q->year_min, q->year_max);
    }
    uint32_t stamp = tl__index_next_stamp(idx);
    for (uint32_t i = 0; q && i < q->n_exclude; i++) idx->excluded[q->exclude[i]] = stamp;
    for (uint32_t i = 0; i < n_extra; i++) idx->excluded[extra[i]] = stamp;
    if (self != UINT32_MAX) idx->excluded[self] = stamp;
    return TL_OK;
}

static int passes(const tl_movie *mv, const tl_query *q)
{
    if (q->genres && !(mv->genres & q->genres)) return 0;
    if (q->year_min || q->year_max) {
        if (mv->year == TL_NO_YEAR) return 0;
        if (q->year_min && mv->year < q->year_min) return 0;
        if (q->year_max && mv->year > q->year_max) return 0;
    }
    return mv->n_ratings >= q->min_ratings;
}

uint32_t tl__index_select(tl_index *idx, uint32_t k, const tl_query *q, tl_scored *out)
{
    tl_topk top;
    tl_topk_init(&top, out, k);
    /* locals, so the loop does not reload them after every store into the heap */
    const uint32_t stamp = idx->stamp, n_cat = idx->n_cat;
    const uint32_t *cat = idx->cat, *excluded = idx->excluded;
    const float *scores = idx->scores;
    const tl_movie *movies = idx->ds->movies;
    const int filtered = q && (q->genres || q->year_min || q->year_max || q->min_ratings);
    for (uint32_t i = 0; i < n_cat; i++) {
        uint32_t m = cat[i];
        float s = scores[m];
        /* once the heap is full, most movies lose to its root (the worst
         * kept): skip the call then (NaN never wins either) */
        if (top.n == k && !tl_scored_before(s, m, out[0].score, out[0].index)) continue;
        if (excluded[m] == stamp) continue;
        if (filtered && !passes(&movies[m], q)) continue;
        tl_topk_push(&top, m, s);
    }
    return tl_topk_finish(&top);
}

tl_status tl_index_top_k(tl_index *idx, const float *user_vec, uint32_t k, const tl_query *q, tl_scored *out,
                         uint32_t *n_out, tl_error *err)
{
    if (!idx) return tl_fail(err, TL_E_ARG, "index: no index given");
    if (!user_vec && idx->scorer->state_floats) return tl_fail(err, TL_E_ARG, "index: no user state given");
    tl_status st = tl__index_begin_query(idx, k, q, out, n_out, NULL, 0, UINT32_MAX, err);
    if (st != TL_OK) return st;
    tl_scorer_score(idx->scorer, user_vec, 1, 0, idx->ds->n_movies, idx->scores, idx->ds->n_movies);
    *n_out = tl__index_select(idx, k, q, out);
    return TL_OK;
}

tl_status tl_index_recommend(tl_index *idx, uint32_t user, const tl_seen *seen, uint32_t k, const tl_query *q,
                             tl_scored *out, uint32_t *n_out, tl_error *err)
{
    if (!idx) return tl_fail(err, TL_E_ARG, "index: no index given");
    if (user >= idx->ds->n_users)
        return tl_fail(err, TL_E_ARG, "index: user index %u is out of range (%u users)", user, idx->ds->n_users);
    uint32_t n_seen = 0;
    const uint32_t *sm = NULL;
    if (seen) {
        if (seen->n_users != idx->ds->n_users)
            return tl_fail(err, TL_E_ARG, "index: the seen sets cover %u users but the dataset has %u", seen->n_users,
                           idx->ds->n_users);
        sm = tl_seen_movies(seen, user, &n_seen);
        for (uint32_t i = 0; i < n_seen; i++)
            if (sm[i] >= idx->ds->n_movies)
                return tl_fail(err, TL_E_ARG, "index: seen movie index %u is out of range (%u movies)", sm[i],
                               idx->ds->n_movies);
    }
    int exclude = !(q && q->include_seen);
    tl_status st =
        tl__index_begin_query(idx, k, q, out, n_out, exclude ? sm : NULL, exclude ? n_seen : 0, UINT32_MAX, err);
    if (st == TL_OK && idx->scorer->needs_profile && !seen)
        st = tl_fail(err, TL_E_ARG, "index: this model scores a user from their ratings: give the seen sets");
    tl_profile rated = {sm, NULL, n_seen}; /* what the user rated: the evidence of profile models */
    if (st == TL_OK) st = tl_scorer_user_state(idx->scorer, user, &rated, idx->state, err);
    if (st != TL_OK) return st;
    tl_scorer_score(idx->scorer, idx->state, 1, 0, idx->ds->n_movies, idx->scores, idx->ds->n_movies);
    *n_out = tl__index_select(idx, k, q, out);
    return TL_OK;
}
