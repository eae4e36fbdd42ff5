#include "towerlens/dataset.h"

#include <stdlib.h>
#include <string.h>

#include "towerlens/numbers.h"

void tl_dataset_free(tl_dataset *ds)
{
    if (!ds) return;
    if (ds->r_block) {
        free(ds->r_block);
    } else {
        free(ds->r_user);
        free(ds->r_movie);
        free(ds->r_half);
        free(ds->r_time);
    }
    free(ds->user_ids);
    free(ds->user_counts);
    free(ds->movies);
    free(ds->strings);
    free(ds->user_names);
    free(ds->movie_names);
    free(ds->id_strings);
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

/* Binary search over dense names (they are in byte order). */
static int find_name(const tl_dataset *ds, const uint32_t *names, uint32_t n, const char *text, uint32_t *out)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(ds->id_strings + names[mid], text) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < n && strcmp(ds->id_strings + names[lo], text) == 0) {
        *out = lo;
        return 1;
    }
    return 0;
}

/* A typed id: the string for string ids, else a number. */
static tl_status find_id(const tl_dataset *ds, int movie, const char *text, uint32_t *out, tl_error *err)
{
    const uint32_t *names = movie ? ds->movie_names : ds->user_names;
    uint32_t id;
    if (names) {
        if (find_name(ds, names, movie ? ds->n_movies : ds->n_users, text, out)) return TL_OK;
    } else if (tl_parse_u32(text, strlen(text), &id) == TL_NUM_OK) {
        return movie ? tl_dataset_movie_index(ds, id, out, err) : tl_dataset_user_index(ds, id, out, err);
    }
    if (movie) return tl_fail(err, TL_E_NOTFOUND, "unknown movie \"%s\": not in the movies or ratings files", text);
    return tl_fail(err, TL_E_NOTFOUND, "unknown user \"%s\": no ratings by this user in the data", text);
}

tl_status tl_dataset_find_user(const tl_dataset *ds, const char *text, uint32_t *out, tl_error *err)
{
    return find_id(ds, 0, text, out, err);
}

tl_status tl_dataset_find_movie(const tl_dataset *ds, const char *text, uint32_t *out, tl_error *err)
{
    return find_id(ds, 1, text, out, err);
}

static tl_status same_list(const tl_dataset *a, const uint32_t *na, uint32_t n_a, const tl_dataset *b,
                           const uint32_t *nb, uint32_t n_b, const char *what, tl_error *err)
{
    if (!na != !nb) return tl_fail(err, TL_E_ARG, "the %s ids are strings in one and numbers in the other", what);
    if (!na) return TL_OK;
    for (uint32_t i = 0; i < n_a || i < n_b; i++) {
        const char *x = i < n_a ? a->id_strings + na[i] : "(none)", *y = i < n_b ? b->id_strings + nb[i] : "(none)";
        if (i >= n_a || i >= n_b || strcmp(x, y) != 0)
            return tl_fail(err, TL_E_ARG,
                           "the %s ids differ (number %u in byte order: \"%s\" vs \"%s\"); use the files "
                           "the model was trained on",
                           what, i + 1, x, y);
    }
    return TL_OK;
}

tl_status tl_dataset_same_names(const tl_dataset *a, const tl_dataset *b, tl_error *err)
{
    tl_status st = same_list(a, a->user_names, a->n_users, b, b->user_names, b->n_users, "user", err);
    if (st == TL_OK) st = same_list(a, a->movie_names, a->n_movies, b, b->movie_names, b->n_movies, "item", err);
    return st;
}
