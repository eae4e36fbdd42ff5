#include "towerlens/dataset.h"

#include <stdlib.h>

void tl_dataset_free(tl_dataset *ds)
{
    if (!ds) return;
    if (ds->r_block) {
        free(ds->r_block);
    } else {
        free(ds->r_user);
        free(ds->r_movie);
        free(ds->r_half);
    }
    free(ds->user_ids);
    free(ds->user_counts);
    free(ds->movies);
    free(ds->strings);
    free(ds);
}

tl_status tl_dataset_user_index(const tl_dataset *ds, uint32_t user_id, uint32_t *out, tl_error *err)
{
    uint32_t lo = 0, hi = ds->n_users;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ds->user_ids[mid] < user_id) lo = mid + 1;
        else hi = mid;
    }
    if (lo < ds->n_users && ds->user_ids[lo] == user_id) {
        *out = lo;
        return TL_OK;
    }
    return tl_fail(err, TL_E_NOTFOUND, "unknown user %u: no ratings by this user in the data", user_id);
}

tl_status tl_dataset_movie_index(const tl_dataset *ds, uint32_t movie_id, uint32_t *out, tl_error *err)
{
    uint32_t lo = 0, hi = ds->n_movies;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ds->movies[mid].id < movie_id) lo = mid + 1;
        else hi = mid;
    }
    if (lo < ds->n_movies && ds->movies[lo].id == movie_id) {
        *out = lo;
        return TL_OK;
    }
    return tl_fail(err, TL_E_NOTFOUND, "unknown movie %u: not in the movies or ratings files", movie_id);
}
