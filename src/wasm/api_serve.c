/* Queries on a model handle (api_model.c): top-k for a user, similar movies,
 * fold-in for a new visitor. Each answer is the JSON `towerlens recommend /
 * similar / foldin --json` prints, written into the handle's buffer; NULL
 * with the error on the handle. Raw ids are checked here, so an unknown id
 * is TL_E_NOTFOUND naming it. A live model refreshes the index before each
 * query: training may have changed the tables since the last one. */
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "towerlens.h"

#define TLW_MAX_K 100000u /* the CLI's limit for -k */

static int ready(tlw_model *h)
{
    if (!h) return 0;
    if (!h->idx) {
        tl_fail(&h->err, TL_E_STATE, "the model was not set up");
        return 0;
    }
    if (h->trainer) {
        tl_tensor t[TL_TRAINER_MAX_TENSORS];
        if (tl_trainer_tensors(h->trainer->tr, t) != h->live_tensors && tlw_model_reopen(h) != TL_OK) return 0;
        tl_index_refresh(h->idx);
    }
    return 1;
}

/* Sets the filters of the following queries. `genres`: names separated by
 * newlines ("" = any genre; a movie passes with any of them); `years`:
 * "1990-1999", "1990-", "-1999", "1995" or "" (any); min_ratings: at least
 * that many ratings in the data. The filters stay unchanged on failure. */
EMSCRIPTEN_KEEPALIVE int tlw_model_query(tlw_model *h, const char *genres, const char *years, uint32_t min_ratings)
{
    if (!h) return TL_E_ARG;
    if (!h->ds) return tl_fail(&h->err, TL_E_STATE, "the model was not set up");
    tl_query q;
    tl_query_default(&q);
    if (genres && *genres) {
        char *copy = malloc(strlen(genres) + 1);
        if (!copy) return tl_fail(&h->err, TL_E_NOMEM, "out of memory reading the genre filter");
        strcpy(copy, genres);
        tl_status st = TL_OK;
        for (char *name = copy; name && st == TL_OK;) {
            char *nl = strchr(name, '\n');
            if (nl) *nl = '\0';
            st = tl_genre_mask_add(h->ds, name, &q.genres, &h->err);
            name = nl ? nl + 1 : NULL;
        }
        free(copy);
        if (st != TL_OK) return st;
    }
    if (years && *years) {
        tl_status st = tl_parse_year_range(years, &q.year_min, &q.year_max, &h->err);
        if (st != TL_OK) return st;
    }
    q.min_ratings = min_ratings;
    h->q = q;
    return TL_OK;
}

/* Room for k results; k is clamped to the catalogue (as the CLI does). */
static int reserve(tlw_model *h, uint32_t *k)
{
    if (*k < 1 || *k > TLW_MAX_K) {
        tl_fail(&h->err, TL_E_ARG, "k must be a whole number from 1 to %u, got %u", TLW_MAX_K, *k);
        return 0;
    }
    uint32_t cat = tl_index_catalogue_size(h->idx);
    if (*k > cat) *k = cat;
    if (*k > h->items_cap) {
        tl_scored *items = realloc(h->items, (size_t)*k * sizeof *items);
        if (items) h->items = items;
        tl_reason *reasons = items ? realloc(h->reasons, (size_t)*k * TL_REASONS_MAX * sizeof *reasons) : NULL;
        if (reasons) h->reasons = reasons;
        uint32_t *n_reasons = reasons ? realloc(h->n_reasons, (size_t)*k * sizeof *n_reasons) : NULL;
        if (!n_reasons) {
            tl_fail(&h->err, TL_E_NOMEM, "out of memory for %u results", *k);
            return 0;
        }
        h->n_reasons = n_reasons;
        h->items_cap = *k;
    }
    return 1;
}

/* The results as JSON; with_reasons: each with its "because" (h->reasons). */
static const char *results(tlw_model *h, uint32_t n, int with_reasons)
{
    tl_buf_reset(&h->out);
    tl_results_json_because(h->ds, h->items, n, with_reasons ? h->reasons : NULL, with_reasons ? h->n_reasons : NULL,
                            TL_REASONS_MAX, &h->out);
    if (h->out.failed) {
        tl_buf_free(&h->out);
        tl_fail(&h->err, TL_E_NOMEM, "out of memory writing the results");
        return NULL;
    }
    return h->out.data;
}

/* Dense top k for dense user `user` without JSON: the timed core of
 * tlw_model_recommend, for benchmarks. Returns how many results (0 with
 * the error on the handle when it fails); tlw_model_items has them. */
EMSCRIPTEN_KEEPALIVE uint32_t tlw_model_top_k_dense(tlw_model *h, uint32_t user, uint32_t k, int exclude_seen)
{
    if (!ready(h) || !reserve(h, &k)) return 0;
    uint32_t n = 0;
    h->q.include_seen = !exclude_seen;
    if (tl_index_recommend(h->idx, user, h->seen, k, &h->q, h->items, &n, &h->err) != TL_OK) return 0;
    return n;
}

/* The results of the last query: {uint32 dense movie, float score} pairs. */
EMSCRIPTEN_KEEPALIVE const tl_scored *tlw_model_items(const tlw_model *h) { return h ? h->items : NULL; }

/* Top k for raw user `user_id`, leaving out the movies the user rated in
 * training unless exclude_seen is 0; each with its "because" (index.h). */
EMSCRIPTEN_KEEPALIVE const char *tlw_model_recommend(tlw_model *h, uint32_t user_id, uint32_t k, int exclude_seen)
{
    if (!ready(h)) return NULL;
    uint32_t user, n = 0;
    if (tl_dataset_user_index(h->ds, user_id, &user, &h->err) != TL_OK) return NULL;
    if (exclude_seen && !h->seen) {
        tl_fail(&h->err, TL_E_STATE,
                "this model file holds no record of what users rated, so seen movies cannot be left out; "
                "ask with seen movies included");
        return NULL;
    }
    if (!reserve(h, &k)) return NULL;
    h->q.include_seen = !exclude_seen;
    if (tl_index_recommend(h->idx, user, h->seen, k, &h->q, h->items, &n, &h->err) != TL_OK) return NULL;
    /* because you rated: the user's liked movies among what the model says they rated */
    for (uint32_t i = 0; i < n; i++) h->n_reasons[i] = 0;
    if (h->seen && tl_index_because_user(h->idx, user, h->seen, h->seen_half, h->items, n, TL_REASONS_MAX, h->reasons,
                                         h->n_reasons, &h->err) != TL_OK)
        return NULL;
    return results(h, n, 1);
}

/* The k movies most similar (cosine) to raw movie `movie_id`, never itself. */
EMSCRIPTEN_KEEPALIVE const char *tlw_model_similar(tlw_model *h, uint32_t movie_id, uint32_t k)
{
    if (!ready(h)) return NULL;
    uint32_t movie, n = 0;
    if (tl_dataset_movie_index(h->ds, movie_id, &movie, &h->err) != TL_OK) return NULL;
    if (!reserve(h, &k)) return NULL;
    if (tl_index_similar(h->idx, movie, k, &h->q, h->items, &n, &h->err) != TL_OK) return NULL;
    return results(h, n, 0);
}

/* Top k for a new visitor from n (raw movie id, rating 0.5-5) pairs: a user
 * vector folded in against the movie tower (index.h, default options), the
 * rated movies left out; each with its "because" from the given ratings. */
EMSCRIPTEN_KEEPALIVE const char *tlw_model_foldin(tlw_model *h, const uint32_t *movie_ids, const float *ratings,
                                                  uint32_t n, uint32_t k)
{
    if (!ready(h)) return NULL;
    if (n == 0 || !movie_ids || !ratings) {
        tl_fail(&h->err, TL_E_ARG, "recommendations from ratings need at least one rated movie");
        return NULL;
    }
    if (!reserve(h, &k)) return NULL;
    uint32_t *dense = malloc((size_t)n * sizeof *dense);
    if (!dense) {
        tl_fail(&h->err, TL_E_NOMEM, "out of memory reading %u ratings", n);
        return NULL;
    }
    const char *json = NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (tl_dataset_movie_index(h->ds, movie_ids[i], &dense[i], &h->err) != TL_OK) goto out;
        if (!(ratings[i] >= 0.5f && ratings[i] <= 5.0f)) {
            tl_fail(&h->err, TL_E_ARG, "the rating %g of movie %u is not a number from 0.5 to 5", (double)ratings[i],
                    movie_ids[i]);
            goto out;
        }
    }
    /* the visitor's state, as the model's type folds in (scorer.h) */
    tl_status st = tl_index_foldin(h->idx, dense, ratings, n, NULL, h->vec, &h->err);
    if (st != TL_OK) goto out;
    tl_query q = h->q;
    q.exclude = dense;
    q.n_exclude = n;
    uint32_t got = 0;
    if (tl_index_top_k(h->idx, h->vec, k, &q, h->items, &got, &h->err) != TL_OK) goto out;
    tl_profile p = {dense, ratings, n}; /* because you rated: the visitor's movies rated 4 or more */
    if (tl_index_because(h->idx, h->vec, &p, h->items, got, TL_REASONS_MAX, h->reasons, h->n_reasons, &h->err) != TL_OK)
        goto out;
    json = results(h, got, 1);
out:
    free(dense);
    return json;
}
