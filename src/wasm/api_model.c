/* Model handles for JavaScript: a model read from model-file bytes, or a
 * live one serving a trainer's tables while training continues; saving,
 * the catalogue, the vocabularies and the config. Queries are in
 * api_serve.c. Answers are written into the handle's buffer (h->out), valid
 * until the next call on the handle or tlw_model_release. */
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "towerlens.h"

EMSCRIPTEN_KEEPALIVE tlw_model *tlw_model_alloc(void) { return calloc(1, sizeof(tlw_model)); }

EMSCRIPTEN_KEEPALIVE void tlw_model_free(tlw_model *h)
{
    if (!h) return;
    tl_index_free(h->idx);
    tl_scorer_free(h->scorer);
    tl_seen_free(h->own_seen);
    free(h->own_half);
    free(h->reasons);
    free(h->n_reasons);
    tl_model_file_free(h->mf);
    free(h->items);
    free(h->vec);
    tl_buf_free(&h->out);
    free(h);
}

/* The index and the fold-in state, once ds, seen and the scorer are set. */
static tl_status build_index(tlw_model *h, tl_status opened)
{
    tl_status st = opened == TL_OK ? tl_index_new(h->ds, h->scorer, &h->idx, &h->err) : opened;
    if (st != TL_OK) return st;
    h->emb = h->scorer->emb ? *h->scorer->emb : (tl_embeddings){0}; /* the tables embeddings() copies, if any */
    h->vec = malloc(((size_t)h->scorer->state_floats + 1) * sizeof *h->vec);
    if (!h->vec) return tl_fail(&h->err, TL_E_NOMEM, "out of memory setting up the model");
    tl_query_default(&h->q);
    return TL_OK;
}

static tl_status fresh(tlw_model *h)
{
    if (h->ds) return tl_fail(&h->err, TL_E_STATE, "this model handle is already in use");
    return TL_OK;
}

/* Reads a model file (store.h) from n bytes; `name` is used in messages.
 * A damaged or foreign file fails with TL_E_CORRUPT and a message. */
EMSCRIPTEN_KEEPALIVE int tlw_model_load(tlw_model *h, const uint8_t *bytes, double n, const char *name)
{
    if (!h) return TL_E_ARG;
    tl_status st = fresh(h);
    if (st != TL_OK) return st;
    if (!(n >= 0 && n <= (double)SIZE_MAX)) return tl_fail(&h->err, TL_E_ARG, "model file: impossible size %g", n);
    st = tl_store_read(bytes, (size_t)n, name && *name ? name : "model file", &h->mf, &h->err);
    if (st != TL_OK) return st;
    h->ds = h->mf->ds;
    h->seen = h->mf->seen;
    h->seen_half = h->mf->seen_half;
    return build_index(h, tl_model_open(h->mf, &h->scorer, &h->err));
}

/* Serves trainer t's tables as they are at each query (t stays the owner;
 * free this handle before t and d). d is the dataset t was made from; the
 * seen sets are every rating of d (train and test rows): serving never
 * recommends a movie the user rated in any split. */
EMSCRIPTEN_KEEPALIVE int tlw_model_live(tlw_model *h, const tlw_trainer *t, const tlw_dataset *d)
{
    if (!h) return TL_E_ARG;
    tl_status st = fresh(h);
    if (st != TL_OK) return st;
    if (!t || !t->tr) return tl_fail(&h->err, TL_E_STATE, "the trainer was not set up");
    if (!d || d->ds->n_ratings != t->n_ratings)
        return tl_fail(&h->err, TL_E_ARG, "pass the dataset the trainer was made from");
    st = tl_seen_new(d->ds, NULL, d->ds->n_ratings, &h->own_seen, &h->err);
    if (st == TL_OK) st = tl_seen_half(d->ds, h->own_seen, &h->own_half, &h->err);
    if (st != TL_OK) return st;
    h->seen_half = h->own_half;
    h->trainer = t;
    h->ds = d->ds;
    h->seen = h->own_seen;
    return tlw_model_reopen(h);
}

/* A live model's scorer and index (again): a model type may add tensors as
 * training goes on (the blend's EASE part after its first epoch). */
tl_status tlw_model_reopen(tlw_model *h)
{
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    tl_index_free(h->idx);
    h->idx = NULL;
    tl_scorer_free(h->scorer);
    h->scorer = NULL;
    free(h->vec);
    h->vec = NULL;
    h->live_tensors = tl_trainer_tensors(h->trainer->tr, t);
    tl_query q = h->q;
    tl_status st = build_index(h, tl_trainer_open(h->trainer->tr, h->ds, &h->scorer, &h->err));
    if (st == TL_OK) h->q = q; /* the filters stay */
    return st;
}

/* TL_OK when dataset d has exactly the model's users and movies (raw ids),
 * so its ratings belong with the model; TL_E_ARG saying how they differ. */
EMSCRIPTEN_KEEPALIVE int tlw_model_matches(tlw_model *h, const tlw_dataset *d)
{
    if (!h) return TL_E_ARG;
    if (!h->ds) return tl_fail(&h->err, TL_E_STATE, "the model was not set up");
    if (!d) return tl_fail(&h->err, TL_E_ARG, "no dataset given");
    const tl_dataset *a = h->ds, *b = d->ds;
    if (a->n_users != b->n_users || a->n_movies != b->n_movies)
        return tl_fail(&h->err, TL_E_ARG,
                       "the model was trained on other data: it knows %u users and %u movies, the dataset has %u users "
                       "and %u movies",
                       a->n_users, a->n_movies, b->n_users, b->n_movies);
    for (uint32_t u = 0; u < a->n_users; u++)
        if (a->user_ids[u] != b->user_ids[u])
            return tl_fail(&h->err, TL_E_ARG,
                           "the model was trained on other data: its user %u is user %u in the dataset", a->user_ids[u],
                           b->user_ids[u]);
    for (uint32_t m = 0; m < a->n_movies; m++)
        if (a->movies[m].id != b->movies[m].id)
            return tl_fail(&h->err, TL_E_ARG,
                           "the model was trained on other data: its movie %u is movie %u in the dataset",
                           a->movies[m].id, b->movies[m].id);
    return TL_OK;
}

/* The model file (store.h) of the model as it is now; its size from
 * tlw_model_out_size. A loaded model writes back the bytes it was read from;
 * a live one the bytes `towerlens train --out` writes at this point. */
EMSCRIPTEN_KEEPALIVE const uint8_t *tlw_model_save(tlw_model *h)
{
    if (!h) return NULL;
    if (!h->ds) {
        tl_fail(&h->err, TL_E_STATE, "the model was not set up");
        return NULL;
    }
    tl_status st;
    if (h->trainer) {
        st = tlw_trainer_write_model(h->trainer, h->ds, h->own_seen, &h->out, &h->err);
    } else {
        const tl_model_file *mf = h->mf;
        st = tl_store_write_rated(mf->ds, mf->seen, mf->seen_half, mf->config_json, &mf->rows, mf->tensors,
                                  mf->n_tensors, &h->out, &h->err);
    }
    return st == TL_OK ? (const uint8_t *)h->out.data : NULL;
}

EMSCRIPTEN_KEEPALIVE double tlw_model_out_size(const tlw_model *h) { return h ? (double)h->out.len : 0; }

/* Gives back the memory of the last answer (a model file can be large). */
EMSCRIPTEN_KEEPALIVE void tlw_model_release(tlw_model *h)
{
    if (h) tl_buf_free(&h->out);
}

static const char *answer(tlw_model *h, const char *what)
{
    if (h->out.failed || !h->out.data) {
        tl_buf_free(&h->out);
        tl_fail(&h->err, TL_E_NOMEM, "out of memory writing %s", what);
        return NULL;
    }
    return h->out.data;
}

/* The catalogue as JSON: [{movieId, title, year, genres, ratings, imdbId, tmdbId}, ...]. */
EMSCRIPTEN_KEEPALIVE const char *tlw_model_movies_json(tlw_model *h)
{
    if (!h || !h->ds) return NULL;
    tl_buf_reset(&h->out);
    tl_catalogue_json(h->ds, &h->out);
    return answer(h, "the catalogue");
}

/* The training config saved with the model (live: the trainer's), JSON. */
EMSCRIPTEN_KEEPALIVE const char *tlw_model_config_json(tlw_model *h)
{
    if (!h || !h->ds) return NULL;
    if (!h->trainer) return h->mf->config_json;
    tl_buf_reset(&h->out);
    tl_train_config_json(tl_trainer_config(h->trainer->tr), h->trainer->split, &h->out);
    return answer(h, "the config");
}

/* Raw user ids, ascending (tlw_model_n_users of them). */
EMSCRIPTEN_KEEPALIVE const uint32_t *tlw_model_user_ids(const tlw_model *h)
{
    return h && h->ds ? h->ds->user_ids : NULL;
}

/* Raw movie ids of the table rows, ascending (tlw_model_n_movies), in h->out. */
EMSCRIPTEN_KEEPALIVE const uint32_t *tlw_model_movie_ids(tlw_model *h)
{
    if (!h || !h->ds) return NULL;
    tl_buf_reset(&h->out);
    for (uint32_t m = 0; m < h->ds->n_movies; m++) tl_buf_append(&h->out, (const char *)&h->ds->movies[m].id, 4);
    if (h->ds->n_movies == 0) tl_buf_append(&h->out, "", 1);
    return (const uint32_t *)answer(h, "the movie ids");
}

/* The embedding tables (row-major, dim floats per row, the
 * out-of-vocabulary row last): 0 users, 1 movies. */
EMSCRIPTEN_KEEPALIVE const float *tlw_model_table(const tlw_model *h, int which)
{
    if (!h || !h->ds) return NULL;
    return which ? h->emb.movies : h->emb.users;
}

EMSCRIPTEN_KEEPALIVE uint32_t tlw_model_n_users(const tlw_model *h) { return h && h->ds ? h->ds->n_users : 0; }
EMSCRIPTEN_KEEPALIVE uint32_t tlw_model_n_movies(const tlw_model *h) { return h && h->ds ? h->ds->n_movies : 0; }
/* The dimension of the model's embedding tables (a blend's iALS part's;
 * 0 for a type without tables: popularity, EASE). */
EMSCRIPTEN_KEEPALIVE uint32_t tlw_model_dim(const tlw_model *h) { return h && h->emb.movies ? h->emb.dim : 0; }
EMSCRIPTEN_KEEPALIVE uint32_t tlw_model_catalogue_size(const tlw_model *h)
{
    return h ? tl_index_catalogue_size(h->idx) : 0;
}
EMSCRIPTEN_KEEPALIVE int tlw_model_has_seen(const tlw_model *h) { return h && h->seen ? 1 : 0; }

/* The model file format version a loaded model was read from (a live
 * model: the version it saves, TL_STORE_VERSION); 0 before set-up. */
EMSCRIPTEN_KEEPALIVE uint32_t tlw_model_format_version(const tlw_model *h)
{
    if (!h || !h->ds) return 0;
    return h->mf ? h->mf->version : TL_STORE_VERSION;
}

/* Which rows trained the model (tl_model_rows_json): {"ratings",
 * "totalRatings","testRatings","seed","all"}, or null when a loaded file
 * does not record it (format 1). */
EMSCRIPTEN_KEEPALIVE const char *tlw_model_trained_on_json(tlw_model *h)
{
    if (!h || !h->ds) return NULL;
    tl_model_rows rows;
    if (h->trainer) {
        const tl_split *sp = h->trainer->split;
        memset(&rows, 0, sizeof rows);
        rows.known = rows.seen_all = 1;
        rows.seed = tl_trainer_config(h->trainer->tr)->seed;
        rows.train_rows = sp->n_train;
        rows.test_rows = sp->n_test;
        rows.total_rows = h->trainer->n_ratings;
    } else {
        rows = h->mf->rows;
    }
    tl_buf_reset(&h->out);
    tl_model_rows_json(&rows, &h->out);
    return answer(h, "the training rows");
}

/* The ratings of raw user `user_id` in dataset d that the model trained on
 * (its seen sets; all of them when it has none), as tl_user_ratings_json
 * writes them: a malloc'd string, NULL with the error on the handle. d must
 * hold the model's vocabularies (a live model's dataset, or one that passed
 * tlw_model_matches). */
EMSCRIPTEN_KEEPALIVE char *tlw_model_user_ratings_json(tlw_model *h, const tlw_dataset *d, uint32_t user_id,
                                                       uint32_t limit, int order)
{
    if (!h) return NULL;
    if (!h->ds || !d) {
        tl_fail(&h->err, TL_E_STATE, "the model has no dataset to read ratings from");
        return NULL;
    }
    if (order != TL_RATING_ORDER_BEST && order != TL_RATING_ORDER_FILE) {
        tl_fail(&h->err, TL_E_ARG, "unknown order %d for a user's ratings", order);
        return NULL;
    }
    if (h->seen && h->seen->n_users != d->ds->n_users) {
        tl_fail(&h->err, TL_E_ARG, "the dataset does not hold the model's users");
        return NULL;
    }
    tl_buf b;
    tl_buf_init(&b);
    if (tl_user_ratings_json(d->ds, h->seen, user_id, limit, (tl_rating_order)order, &b, &h->err) != TL_OK) {
        tl_buf_free(&b);
        return NULL;
    }
    return tl_buf_take(&b);
}
