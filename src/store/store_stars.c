/* The ratings of the seen sets' entries (store.h tl_seen_half): what the
 * STAR section of a model file holds, so that serving without the data
 * still knows which of a user's movies were liked ("because you rated"). */
#include <stdlib.h>

#include "store_internal.h"

tl_status tl_seen_half(const tl_dataset *ds, const tl_seen *seen, uint8_t **out, tl_error *err)
{
    if (!ds || !seen || !out) return tl_fail(err, TL_E_ARG, "seen ratings: missing dataset, seen sets or output");
    *out = NULL;
    if (seen->n_users != ds->n_users)
        return tl_fail(err, TL_E_ARG, "seen ratings: the seen sets cover %u users, the dataset has %u", seen->n_users,
                       ds->n_users);
    uint32_t total = seen->offsets[seen->n_users];
    uint8_t *half = calloc(total ? total : 1, 1);
    if (!half) return tl_fail(err, TL_E_NOMEM, "seen ratings: out of memory for %u entries", total);
    for (uint32_t r = 0; r < ds->n_ratings; r++) {
        uint32_t u = ds->r_user[r], n = 0;
        if (u >= seen->n_users) continue;
        const uint32_t *sm = tl_seen_movies(seen, u, &n);
        /* binary search for the row's movie among the user's */
        uint32_t lo = 0, hi = n, m = ds->r_movie[r];
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (sm[mid] < m) lo = mid + 1;
            else hi = mid;
        }
        if (lo == n || sm[lo] != m) continue; /* a row outside the seen sets (their train rows only) */
        uint8_t *h = half + seen->offsets[u] + lo;
        if (ds->r_half[r] > *h) *h = ds->r_half[r];
    }
    *out = half;
    return TL_OK;
}
