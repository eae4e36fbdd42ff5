#include "towerlens/results.h"

#include "towerlens/index.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void json_id_or_null(tl_buf *out, const char *key, uint32_t v)
{
    tl_buf_printf(out, ",\"%s\":", key);
    if (v) tl_buf_printf(out, "%u", v);
    else tl_buf_puts(out, "null");
}

static void movie_fields(const tl_dataset *ds, uint32_t movie, tl_buf *out)
{
    const tl_movie *mv = &ds->movies[movie];
    const char *name = tl_dataset_movie_name(ds, movie); /* string ids are given back as strings */
    if (name) {
        tl_buf_puts(out, "\"movieId\":");
        tl_buf_json_string(out, name);
        tl_buf_puts(out, ",\"title\":");
    } else {
        tl_buf_printf(out, "\"movieId\":%u,\"title\":", mv->id);
    }
    tl_buf_json_string(out, tl_movie_title(ds, movie));
    tl_buf_puts(out, ",\"year\":");
    if (mv->year != TL_NO_YEAR) tl_buf_printf(out, "%d", mv->year);
    else tl_buf_puts(out, "null");
    tl_buf_puts(out, ",\"genres\":[");
    int first = 1;
    for (uint32_t g = 0; g < ds->n_genres; g++) {
        if (!(mv->genres >> g & 1)) continue;
        if (!first) tl_buf_puts(out, ",");
        tl_buf_json_string(out, ds->genre_names[g]);
        first = 0;
    }
    tl_buf_printf(out, "],\"ratings\":%u", mv->n_ratings);
    json_id_or_null(out, "imdbId", mv->imdb_id);
    json_id_or_null(out, "tmdbId", mv->tmdb_id);
}

void tl_movie_json(const tl_dataset *ds, uint32_t movie, tl_buf *out)
{
    tl_buf_puts(out, "{");
    movie_fields(ds, movie, out);
    tl_buf_puts(out, "}");
}

/* {"movieId","title","rating"} of one reason. */
static void reason_json(const tl_dataset *ds, const tl_reason *r, tl_buf *out)
{
    const char *name = tl_dataset_movie_name(ds, r->movie);
    if (name) {
        tl_buf_puts(out, "{\"movieId\":");
        tl_buf_json_string(out, name);
    } else {
        tl_buf_printf(out, "{\"movieId\":%u", ds->movies[r->movie].id);
    }
    tl_buf_puts(out, ",\"title\":");
    tl_buf_json_string(out, tl_movie_title(ds, r->movie));
    tl_buf_puts(out, ",\"rating\":");
    if (r->stars > 0) tl_buf_json_number(out, r->stars);
    else tl_buf_puts(out, "null");
    tl_buf_puts(out, "}");
}

void tl_results_json_because(const tl_dataset *ds, const tl_scored *items, uint32_t n, const tl_reason *reasons,
                             const uint32_t *n_reasons, uint32_t max, tl_buf *out)
{
    tl_buf_puts(out, "{\"items\":[");
    for (uint32_t i = 0; i < n; i++) {
        tl_buf_puts(out, i ? ",{" : "{");
        movie_fields(ds, items[i].index, out);
        tl_buf_puts(out, ",\"score\":");
        tl_buf_json_number(out, items[i].score);
        if (reasons && n_reasons) {
            tl_buf_puts(out, ",\"because\":[");
            for (uint32_t k = 0; k < n_reasons[i] && k < max; k++) {
                if (k) tl_buf_puts(out, ",");
                reason_json(ds, &reasons[(size_t)i * max + k], out);
            }
            tl_buf_puts(out, "]");
        }
        tl_buf_puts(out, "}");
    }
    tl_buf_puts(out, "]}");
}

void tl_results_json(const tl_dataset *ds, const tl_scored *items, uint32_t n, tl_buf *out)
{
    tl_results_json_because(ds, items, n, NULL, NULL, 0, out);
}

static int same_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

tl_status tl_genre_mask_add(const tl_dataset *ds, const char *name, uint64_t *mask, tl_error *err)
{
    for (uint32_t g = 0; g < ds->n_genres; g++)
        if (same_ignoring_case(ds->genre_names[g], name)) {
            *mask |= 1ULL << g;
            return TL_OK;
        }
    tl_buf known;
    tl_buf_init(&known);
    for (uint32_t g = 0; g < ds->n_genres; g++) {
        if (g) tl_buf_puts(&known, ", ");
        tl_buf_puts(&known, ds->genre_names[g]);
    }
    tl_fail(err, TL_E_NOTFOUND, "unknown genre \"%s\"; the genres are: %s", name,
            known.data && !known.failed ? known.data : "(none)");
    tl_buf_free(&known);
    return TL_E_NOTFOUND;
}

/* A year of 1 to 4 digits; returns the position after it, or NULL. */
static const char *parse_year(const char *s, int *year)
{
    int v = 0, digits = 0;
    while (isdigit((unsigned char)*s) && digits < 5) v = v * 10 + (*s++ - '0'), digits++;
    if (digits == 0 || digits > 4 || v == 0) return NULL;
    *year = v;
    return s;
}

tl_status tl_parse_year_range(const char *text, int *year_min, int *year_max, tl_error *err)
{
    int lo = 0, hi = 0;
    const char *s = text ? text : "";
    const char *dash = strchr(s, '-');
    int ok;
    if (!dash) {
        const char *end = parse_year(s, &lo);
        ok = end && *end == '\0';
        hi = lo;
    } else {
        const char *end_lo = dash == s ? s : parse_year(s, &lo);
        const char *end_hi = dash[1] ? parse_year(dash + 1, &hi) : dash + 1;
        ok = end_lo == dash && end_hi && *end_hi == '\0' && (lo || hi);
    }
    if (!ok) return tl_fail(err, TL_E_ARG, "year range \"%s\" is not of the form 1990-1999, 1990-, -1999 or 1995", s);
    if (lo && hi && lo > hi) return tl_fail(err, TL_E_ARG, "year range \"%s\" runs backwards", s);
    *year_min = lo;
    *year_max = hi;
    return TL_OK;
}

void tl_catalogue_json(const tl_dataset *ds, tl_buf *out)
{
    tl_buf_puts(out, "[");
    int first = 1;
    for (uint32_t m = 0; m < ds->n_movies; m++) {
        if (!ds->movies[m].in_catalogue) continue;
        if (!first) tl_buf_puts(out, ",");
        tl_movie_json(ds, m, out);
        first = 0;
    }
    tl_buf_puts(out, "]");
}

/* One rating of the user: the row (file order), its movie and half stars. */
typedef struct user_rating {
    uint32_t row, movie, movie_ratings, movie_id;
    uint8_t half;
} user_rating;

static int best_first(const void *pa, const void *pb)
{
    const user_rating *a = pa, *b = pb;
    if (a->half != b->half) return a->half > b->half ? -1 : 1;
    if (a->movie_ratings != b->movie_ratings) return a->movie_ratings > b->movie_ratings ? -1 : 1;
    if (a->movie_id != b->movie_id) return a->movie_id < b->movie_id ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

tl_status tl_user_ratings_json(const tl_dataset *ds, const tl_seen *seen, uint32_t user_id, uint32_t limit,
                               tl_rating_order order, tl_buf *out, tl_error *err)
{
    uint32_t user;
    tl_status st = tl_dataset_user_index(ds, user_id, &user, err);
    if (st != TL_OK) return st;
    /* the rows are in file order: one pass collects the user's */
    uint32_t n = 0, cap = ds->user_counts ? ds->user_counts[user] : 0;
    if (cap == 0)
        for (uint32_t r = 0; r < ds->n_ratings; r++) cap += ds->r_user[r] == user;
    user_rating *list = cap ? malloc((size_t)cap * sizeof *list) : NULL;
    if (cap && !list) return tl_fail(err, TL_E_NOMEM, "out of memory listing the %u ratings of user %u", cap, user_id);
    for (uint32_t r = 0; r < ds->n_ratings && n < cap; r++) {
        if (ds->r_user[r] != user) continue;
        uint32_t m = ds->r_movie[r];
        if (seen && !tl_seen_contains(seen, user, m)) continue;
        list[n++] = (user_rating){r, m, ds->movies[m].n_ratings, ds->movies[m].id, ds->r_half[r]};
    }
    if (order == TL_RATING_ORDER_BEST && n > 1) qsort(list, n, sizeof *list, best_first);
    if (limit && n > limit) n = limit;
    tl_buf_puts(out, "[");
    for (uint32_t i = 0; i < n; i++) {
        tl_buf_puts(out, i ? ",{" : "{");
        movie_fields(ds, list[i].movie, out);
        tl_buf_puts(out, ",\"rating\":");
        tl_buf_json_number(out, tl_rating_value(list[i].half));
        tl_buf_puts(out, "}");
    }
    tl_buf_puts(out, "]");
    free(list);
    if (out->failed) return tl_fail(err, TL_E_NOMEM, "out of memory writing the ratings of user %u", user_id);
    return TL_OK;
}
