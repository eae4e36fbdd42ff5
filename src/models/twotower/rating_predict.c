/* The rating head's predictions for (user, movie) pairs, in chunks through
 * its forward pass (rating.h). */
#include <stdlib.h>
#include <string.h>

#include "towerlens/rating.h"

/* ---- head predictions ---------------------------------------------------- */

#define PREDICT_CHUNK 1024

static tl_status check_emb(const tl_rating_head *h, const tl_embeddings *emb, tl_error *err)
{
    if (!h || !emb || !emb->users || !emb->movies)
        return tl_fail(err, TL_E_ARG, "rating predictions need a head and embeddings");
    if (emb->dim != h->dim)
        return tl_fail(err, TL_E_ARG, "the rating head expects embeddings of dimension %u, not %u", h->dim, emb->dim);
    return TL_OK;
}

/* Gathers rows (user index, movie index) into contiguous blocks and runs
 * the forward pass chunk by chunk. */
tl_status tl_rating_predict_pairs(const tl_rating_head *h, const tl_embeddings *emb, const uint32_t *users,
                                  const uint32_t *movies, uint32_t n, float *pred, tl_error *err)
{
    tl_status checked = check_emb(h, emb, err);
    if (checked != TL_OK) return checked;
    size_t chunk = n < PREDICT_CHUNK ? (n ? n : 1) : PREDICT_CHUNK, d = h->dim;
    tl_head_ws ws;
    tl_status st = tl_head_ws_init(&ws, h, chunk, err);
    if (st != TL_OK) return st;
    float *U = malloc(chunk * d * sizeof(float)), *M = malloc(chunk * d * sizeof(float));
    if (!U || !M) {
        free(U);
        free(M);
        tl_head_ws_free(&ws);
        return tl_fail(err, TL_E_NOMEM, "out of memory for rating predictions");
    }
    for (uint32_t i0 = 0; i0 < n; i0 += (uint32_t)chunk) {
        size_t B = n - i0 < chunk ? n - i0 : chunk;
        for (size_t i = 0; i < B; i++) {
            memcpy(U + i * d, emb->users + (size_t)users[i0 + i] * emb->ld_users, d * sizeof(float));
            memcpy(M + i * d, emb->movies + (size_t)movies[i0 + i] * emb->ld_movies, d * sizeof(float));
        }
        tl_rating_head_forward(h, &ws, U, M, users + i0, movies + i0, B, pred + i0);
    }
    free(U);
    free(M);
    tl_head_ws_free(&ws);
    return TL_OK;
}

tl_status tl_rating_predict_rows(const tl_rating_head *h, const tl_embeddings *emb, const tl_dataset *ds,
                                 const uint32_t *rows, uint32_t n, float *pred, tl_error *err)
{
    tl_status st = check_emb(h, emb, err);
    if (st != TL_OK) return st;
    if (ds->n_users != h->n_users || ds->n_movies != h->n_movies)
        return tl_fail(err, TL_E_ARG, "the rating head was made for %u users and %u movies, the dataset has %u and %u",
                       h->n_users, h->n_movies, ds->n_users, ds->n_movies);
    if (n == 0) return TL_OK;
    uint32_t *users = malloc((size_t)n * sizeof(uint32_t)), *movies = malloc((size_t)n * sizeof(uint32_t));
    if (!users || !movies) {
        free(users);
        free(movies);
        return tl_fail(err, TL_E_NOMEM, "out of memory for %u rating predictions", n);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (rows[i] >= ds->n_ratings) {
            free(users);
            free(movies);
            return tl_fail(err, TL_E_ARG, "rating row %u is outside the dataset's %u ratings", rows[i], ds->n_ratings);
        }
        users[i] = ds->r_user[rows[i]];
        movies[i] = ds->r_movie[rows[i]];
    }
    st = tl_rating_predict_pairs(h, emb, users, movies, n, pred, err);
    free(users);
    free(movies);
    return st;
}

tl_status tl_rating_predict_one(const tl_rating_head *h, const tl_embeddings *emb, uint32_t user, uint32_t movie,
                                float *pred, tl_error *err)
{
    tl_status st = check_emb(h, emb, err);
    if (st != TL_OK) return st;
    if (user > h->n_users || movie > h->n_movies)
        return tl_fail(err, TL_E_ARG, "user index %u / movie index %u are outside the rating head's tables", user,
                       movie);
    return tl_rating_predict_pairs(h, emb, &user, &movie, 1, pred, err);
}
