/* Seen sets by counting sort on the user, then a sort and de-duplication
 * of each user's short list. */
#include "towerlens/seen.h"

#include <stdlib.h>

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

tl_status tl_seen_new(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, tl_seen **out,
                      tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "seen sets: no output pointer given");
    *out = NULL;
    if (!ds) return tl_fail(err, TL_E_ARG, "seen sets: no dataset given");
    if (!rows && n_rows != 0 && n_rows != ds->n_ratings)
        return tl_fail(err, TL_E_ARG, "seen sets: %u rows announced but no row list given", n_rows);
    for (uint32_t i = 0; rows && i < n_rows; i++)
        if (rows[i] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "seen sets: row %u is out of range (the dataset has %u ratings)",
                           rows[i], ds->n_ratings);

    tl_seen *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "seen sets: out of memory");
    s->n_users = ds->n_users;
    s->offsets = calloc((size_t)ds->n_users + 1, sizeof *s->offsets);
    s->movies = malloc((n_rows ? (size_t)n_rows : 1) * sizeof *s->movies);
    uint32_t *fill = malloc(((size_t)ds->n_users + 1) * sizeof *fill);
    if (!s->offsets || !s->movies || !fill) {
        free(fill);
        tl_seen_free(s);
        return tl_fail(err, TL_E_NOMEM, "seen sets: out of memory for %u rows", n_rows);
    }
    for (uint32_t i = 0; i < n_rows; i++) s->offsets[ds->r_user[rows ? rows[i] : i] + 1]++;
    for (uint32_t u = 0; u < ds->n_users; u++) s->offsets[u + 1] += s->offsets[u];
    for (uint32_t u = 0; u <= ds->n_users; u++) fill[u] = s->offsets[u];
    for (uint32_t i = 0; i < n_rows; i++) {
        uint32_t r = rows ? rows[i] : i;
        s->movies[fill[ds->r_user[r]]++] = ds->r_movie[r];
    }
    free(fill);

    /* sort each user's list and drop repeats, compacting in place */
    uint32_t w = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) {
        uint32_t a = s->offsets[u], b = s->offsets[u + 1];
        qsort(s->movies + a, b - a, sizeof *s->movies, cmp_u32);
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
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < m) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo] == m;
}
