/* Dataset handles for JavaScript: the summary JSON and the facts the
 * benchmark and the page read without parsing it. */
#include <stdlib.h>

#include "handle.h"
#include "towerlens.h"

tlw_dataset *tlw_dataset_wrap(tl_dataset *ds, tl_error *err)
{
    tlw_dataset *h = calloc(1, sizeof *h);
    if (!h) {
        tl_dataset_free(ds);
        tl_fail(err, TL_E_NOMEM, "out of memory creating a dataset handle");
        return NULL;
    }
    h->ds = ds;
    return h;
}

EMSCRIPTEN_KEEPALIVE void tlw_dataset_free(tlw_dataset *h)
{
    if (!h) return;
    tl_dataset_free(h->ds);
    free(h);
}

/* The `towerlens stats --json` object as a malloc'd UTF-8 string the caller
 * frees with free(); NULL (error on the handle) when out of memory. */
EMSCRIPTEN_KEEPALIVE char *tlw_dataset_summary_json(tlw_dataset *h)
{
    if (!h) return NULL;
    tl_buf b;
    tl_buf_init(&b);
    tl_dataset_summary_json(h->ds, &b);
    if (b.failed || !b.data) {
        tl_buf_free(&b);
        tl_fail(&h->err, TL_E_NOMEM, "out of memory writing the dataset summary");
        return NULL;
    }
    return tl_buf_take(&b);
}

EMSCRIPTEN_KEEPALIVE uint32_t tlw_dataset_n_ratings(const tlw_dataset *h) { return h ? h->ds->n_ratings : 0; }
EMSCRIPTEN_KEEPALIVE uint32_t tlw_dataset_n_users(const tlw_dataset *h) { return h ? h->ds->n_users : 0; }
EMSCRIPTEN_KEEPALIVE uint32_t tlw_dataset_n_movies(const tlw_dataset *h) { return h ? h->ds->n_movies : 0; }

/* Bytes of the rating columns and the user vocabulary: what "bytes per rating
 * including indices" means (the catalogue does not grow with ratings). */
EMSCRIPTEN_KEEPALIVE double tlw_dataset_rating_bytes(const tlw_dataset *h)
{
    if (!h) return 0;
    const tl_dataset *ds = h->ds;
    return (double)ds->n_ratings *
               (sizeof *ds->r_user + sizeof *ds->r_movie + sizeof *ds->r_half + (ds->r_time ? sizeof *ds->r_time : 0)) +
           (double)ds->n_users * (sizeof *ds->user_ids + sizeof *ds->user_counts);
}

/* Bytes all the dataset's arrays hold (ratings columns, vocabularies,
 * catalogue, titles). */
EMSCRIPTEN_KEEPALIVE double tlw_dataset_bytes(const tlw_dataset *h)
{
    if (!h) return 0;
    const tl_dataset *ds = h->ds;
    double bytes = (double)sizeof *ds;
    bytes += (double)ds->n_ratings * (sizeof *ds->r_user + sizeof *ds->r_movie + sizeof *ds->r_half);
    if (ds->r_time) bytes += (double)ds->n_ratings * sizeof *ds->r_time; /* per-rating timestamps */
    bytes += (double)ds->n_users * (sizeof *ds->user_ids + sizeof *ds->user_counts);
    bytes += (double)ds->n_movies * sizeof *ds->movies;
    bytes += (double)ds->strings_len;
    return bytes;
}

/* The catalogue, [{movieId, title, year, genres, ratings, imdbId, tmdbId}],
 * ascending movieId, as a malloc'd string (free() it); NULL with the error
 * on the handle. */
EMSCRIPTEN_KEEPALIVE char *tlw_dataset_movies_json(tlw_dataset *h)
{
    if (!h) return NULL;
    tl_buf b;
    tl_buf_init(&b);
    tl_catalogue_json(h->ds, &b);
    if (b.failed || !b.data) {
        tl_buf_free(&b);
        tl_fail(&h->err, TL_E_NOMEM, "out of memory writing the catalogue");
        return NULL;
    }
    return tl_buf_take(&b);
}

/* Raw user ids, ascending (tlw_dataset_n_users of them), owned by the dataset. */
EMSCRIPTEN_KEEPALIVE const uint32_t *tlw_dataset_user_ids(const tlw_dataset *h) { return h ? h->ds->user_ids : NULL; }

/* The ratings of raw user `user_id` as a malloc'd JSON array (results.h,
 * tl_user_ratings_json): order 0 best first, 1 file order; limit 0 = all.
 * NULL with the error on the handle (TL_E_NOTFOUND for an unknown user). */
EMSCRIPTEN_KEEPALIVE char *tlw_dataset_user_ratings_json(tlw_dataset *h, uint32_t user_id, uint32_t limit, int order)
{
    if (!h) return NULL;
    if (order != TL_RATING_ORDER_BEST && order != TL_RATING_ORDER_FILE) {
        tl_fail(&h->err, TL_E_ARG, "unknown order %d for a user's ratings", order);
        return NULL;
    }
    tl_buf b;
    tl_buf_init(&b);
    if (tl_user_ratings_json(h->ds, NULL, user_id, limit, (tl_rating_order)order, &b, &h->err) != TL_OK) {
        tl_buf_free(&b);
        return NULL;
    }
    return tl_buf_take(&b);
}
