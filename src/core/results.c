#include "towerlens/results.h"

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
    tl_buf_printf(out, "\"movieId\":%u,\"title\":", mv->id);
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

void tl_results_json(const tl_dataset *ds, const tl_scored *items, uint32_t n, tl_buf *out)
{
    tl_buf_puts(out, "{\"items\":[");
    for (uint32_t i = 0; i < n; i++) {
        tl_buf_puts(out, i ? ",{" : "{");
        movie_fields(ds, items[i].index, out);
        tl_buf_puts(out, ",\"score\":");
        tl_buf_json_number(out, items[i].score);
        tl_buf_puts(out, "}");
    }
    tl_buf_puts(out, "]}");
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
    if (!ok)
        return tl_fail(err, TL_E_ARG, "year range \"%s\" is not of the form 1990-1999, 1990-, -1999 or 1995", s);
    if (lo && hi && lo > hi) return tl_fail(err, TL_E_ARG, "year range \"%s\" runs backwards", s);
    *year_min = lo;
    *year_max = hi;
    return TL_OK;
}
