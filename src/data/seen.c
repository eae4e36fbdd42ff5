/* Seen sets by two counting sorts, on the movie and then (stable) on the
 * user, so each user's list comes out ascending without comparisons (a
 * qsort per user cost seconds at 20M rows in WebAssembly), then
 * de-duplication of each list. */
#include "towerlens/seen.h"

#include <stdlib.h>

tl_status tl_seen_new(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, tl_seen **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "seen sets: no output pointer given");
    *out = NULL;
    if (!ds) return tl_fail(err, TL_E_ARG, "seen sets: no dataset given");
    if (!rows && n_rows != 0 && n_rows != ds->n_ratings)
        return tl_fail(err, TL_E_ARG, "seen sets: %u rows announced but no row list given", n_rows);
    for (uint32_t i = 0; rows && i < n_rows; i++)
        if (rows[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "seen sets: row %u is out of range (the dataset has %u ratings)", rows[i],
                           ds->n_ratings);

    tl_seen *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "seen sets: out of memory");
    s->n_users = ds->n_users;
    s->offsets = calloc((size_t)ds->n_users + 1, sizeof *s->offsets);
    s->movies = malloc((n_rows ? (size_t)n_rows : 1) * sizeof *s->movies);
    uint32_t *fill = malloc(((size_t)ds->n_users + 1) * sizeof *fill);
    uint32_t *by_movie = malloc((n_rows ? (size_t)n_rows : 1) * sizeof *by_movie);
    uint32_t *mfill = calloc((size_t)ds->n_movies + 1, sizeof *mfill);
    if (!s->offsets || !s->movies || !fill || !by_movie || !mfill) {
        free(fill);
        free(by_movie);
        free(mfill);
        tl_seen_free(s);
        return tl_fail(err, TL_E_NOMEM, "seen sets: out of memory for %u rows", n_rows);
    }
    /* the rows in movie order */
    for (uint32_t i = 0; i < n_rows; i++) mfill[ds->r_movie[rows ? rows[i] : i] + 1]++;
    for (uint32_t m = 0; m < ds->n_movies; m++) mfill[m + 1] += mfill[m];
    for (uint32_t i = 0; i < n_rows; i++) {
        uint32_t r = rows ? rows[i] : i;
        by_movie[mfill[ds->r_movie[r]]++] = r;
    }
    free(mfill);
    /* then grouped by user, keeping that order */
    for (uint32_t i = 0; i < n_rows; i++) s->offsets[ds->r_user[by_movie[i]] + 1]++;
    for (uint32_t u = 0; u < ds->n_users; u++) s->offsets[u + 1] += s->offsets[u];
    for (uint32_t u = 0; u <= ds->n_users; u++) fill[u] = s->offsets[u];
    for (uint32_t i = 0; i < n_rows; i++) {
        uint32_t r = by_movie[i];
        s->movies[fill[ds->r_user[r]]++] = ds->r_movie[r];
    }
    free(fill);
    free(by_movie);

    /* drop repeats from each (ascending) list, compacting in place */
    uint32_t w = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) {
        uint32_t a = s->offsets[u], b = s->offsets[u + 1];
        uint32_t start = w;
        s->offsets[u] = start;
        for (uint32_t i = a; i < b; i++)
            if (w == start || s->movies[w - 1] != s->movies[i]) s->movies[w++] = s->movies[i];
    }
    s->offsets[ds->n_users] = w;
    *out = s;
    return TL_OK;
}

void tl_seen_free(tl_seen *s)
{
    if (!s) return;
    free(s->offsets);
    free(s->movies);
    free(s);
}

int tl_seen_contains(const tl_seen *s, uint32_t u, uint32_t m)
{
    uint32_t n;
    const uint32_t *v = tl_seen_movies(s, u, &n);
    return tl_sorted_contains(v, n, m);
}
