/* Per-user seen sets: the movies each user rated in a set of rating rows
 * (normally the train split), as a compressed sparse row table.
 * Memory: 4 bytes per row plus 4 per user. Shared by evaluation protocol B
 * (seen excluded) and by serving (exclude what the user already rated). */
#ifndef TOWERLENS_SEEN_H
#define TOWERLENS_SEEN_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_seen {
    uint32_t n_users;
    uint32_t *offsets; /* n_users + 1 entries; user u owns movies[offsets[u] .. offsets[u+1]) */
    uint32_t *movies;  /* dense movie indices, ascending and distinct within a user */
} tl_seen;

/* Builds the seen sets of `rows` (dataset row indices). rows = NULL means
 * every row when n_rows = ds->n_ratings and no row when n_rows = 0.
 * A row index >= ds->n_ratings is an error. */
tl_status tl_seen_new(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, tl_seen **out, tl_error *err);
void tl_seen_free(tl_seen *s);

/* The seen movies of dense user u (empty for u >= n_users). */
static inline const uint32_t *tl_seen_movies(const tl_seen *s, uint32_t u, uint32_t *n)
{
    if (u >= s->n_users) {
        *n = 0;
        return s->movies;
    }
    *n = s->offsets[u + 1] - s->offsets[u];
    return s->movies + s->offsets[u];
}

/* 1 when x is among the n ascending values of v (binary search). */
static inline int tl_sorted_contains(const uint32_t *v, uint32_t n, uint32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo] == x;
}

/* 1 when user u rated movie m in the rows (binary search). */
int tl_seen_contains(const tl_seen *s, uint32_t u, uint32_t m);

#ifdef __cplusplus
}
#endif
#endif
