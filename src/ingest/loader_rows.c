/* Rows of each kind of file, as fields from the tokenizer: validation with
 * file:line:reason messages, then storage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

typedef struct field {
    const char *s;
    size_t n;
} field;

static field get(const tl_loader *ld, size_t i)
{
    field f;
    f.s = tl_csv_field(&ld->csv, i, &f.n);
    return f;
}

static tl_status bad_number(tl_loader *ld, tl_error *err, uint64_t line, const char *name, tl_num r, field f)
{
    char q[96];
    tl_ml_quote(q, sizeof q, f.s, f.n);
    switch (r) {
        case TL_NUM_EMPTY: return tl__loader_fail(ld, err, TL_E_PARSE, line, "%s is empty", name);
        case TL_NUM_NEGATIVE: return tl__loader_fail(ld, err, TL_E_PARSE, line, "%s %s is negative", name, q);
        case TL_NUM_TOO_LARGE:
            return tl__loader_fail(ld, err, TL_E_PARSE, line, "%s %s is too large (the largest id is 4294967295)", name,
                                   q);
        default: return tl__loader_fail(ld, err, TL_E_PARSE, line, "%s %s is not a number", name, q);
    }
}

static tl_status read_id(tl_loader *ld, tl_error *err, uint64_t line, const char *name, field f, uint32_t *out)
{
    tl_num r = tl_parse_u32(f.s, f.n, out);
    return r == TL_NUM_OK ? TL_OK : bad_number(ld, err, line, name, r, f);
}

/* Empty means unknown (links.csv leaves some tmdbId cells empty). */
static tl_status read_optional_id(tl_loader *ld, tl_error *err, uint64_t line, const char *name, field f, uint32_t *out)
{
    *out = 0;
    return f.n == 0 ? TL_OK : read_id(ld, err, line, name, f, out);
}

tl_status tl__loader_read_timestamp(tl_loader *ld, tl_error *err, uint64_t line, const char *s, size_t n, int64_t *out)
{
    field f = {s, n};
    tl_num r = tl_parse_timestamp(f.s, f.n, out);
    if (r == TL_NUM_OK) return TL_OK;
    char q[96];
    tl_ml_quote(q, sizeof q, f.s, f.n);
    switch (r) {
        case TL_NUM_EMPTY: return tl__loader_fail(ld, err, TL_E_PARSE, line, "timestamp is empty");
        case TL_NUM_NEGATIVE: return tl__loader_fail(ld, err, TL_E_PARSE, line, "timestamp %s is negative", q);
        case TL_NUM_TOO_LARGE: return tl__loader_fail(ld, err, TL_E_PARSE, line, "timestamp %s is too large", q);
        default: return tl__loader_fail(ld, err, TL_E_PARSE, line, "timestamp %s is not a whole number of seconds", q);
    }
}

tl_status tl__loader_read_rating(tl_loader *ld, tl_error *err, uint64_t line, const char *s, size_t n, uint8_t *half)
{
    field f = {s, n};
    tl_num r = tl_parse_half(f.s, f.n, half);
    if (r == TL_NUM_OK) return TL_OK;
    char q[96];
    tl_ml_quote(q, sizeof q, f.s, f.n);
    switch (r) {
        case TL_NUM_EMPTY: return tl__loader_fail(ld, err, TL_E_PARSE, line, "rating is empty");
        case TL_NUM_OUT_OF_RANGE: return tl__loader_fail(ld, err, TL_E_PARSE, line, "rating %s is outside 0.5-5", q);
        case TL_NUM_NOT_HALF:
            return tl__loader_fail(ld, err, TL_E_PARSE, line, "rating %s is not a multiple of 0.5", q);
        default: return tl__loader_fail(ld, err, TL_E_PARSE, line, "rating %s is not a number", q);
    }
}

tl_status tl__loader_rating_row(tl_loader *ld, uint64_t line, tl_error *err)
{
    uint32_t u, m;
    uint8_t half;
    int64_t ts;
    tl_status st;
    if ((st = read_id(ld, err, line, "userId", get(ld, 0), &u))) return st;
    if ((st = read_id(ld, err, line, "movieId", get(ld, 1), &m))) return st;
    field fr = get(ld, 2), ft = get(ld, 3);
    if ((st = tl__loader_read_rating(ld, err, line, fr.s, fr.n, &half))) return st;
    if ((st = tl__loader_read_timestamp(ld, err, line, ft.s, ft.n, &ts))) return st;
    return tl__loader_push_rating(ld, err, line, u, m, half, 1, ts);
}

tl_status tl__loader_push_rating(tl_loader *ld, tl_error *err, uint64_t line, uint32_t u, uint32_t m, uint8_t half,
                                 int has_ts, int64_t ts)
{
    if (ld->n_ratings >= TL_MAX_RATINGS)
        return tl__loader_fail(ld, err, TL_E_LIMIT, line, "more than %u ratings; towerlens holds at most that many",
                               TL_MAX_RATINGS);
    if (!tl__loader_reserve_ratings(ld, 1))
        return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory after %u ratings", ld->n_ratings);
    if (u > ld->max_user) ld->max_user = u;
    if (m > ld->max_movie) ld->max_movie = m;
    uint32_t n = ld->n_ratings++;
    ld->r_user[n] = u;
    ld->r_movie[n] = m;
    ld->r_half[n] = half;
    ld->hist[half]++;
    if (!has_ts) return TL_OK;
    tl__loader_set_time(ld, n, ts);
    if (ts < ld->ts_min) ld->ts_min = ts;
    if (ts > ld->ts_max) ld->ts_max = ts;
    return TL_OK;
}

/* Text as UTF-8: valid UTF-8 stays as it is, anything else is read as
 * Latin-1 (ml-100k and ml-1m files are Latin-1). */
static tl_status as_utf8(tl_loader *ld, tl_error *err, uint64_t line, field *f)
{
    return tl__loader_as_utf8(ld, err, line, &f->s, &f->n);
}

tl_status tl__loader_as_utf8(tl_loader *ld, tl_error *err, uint64_t line, const char **s, size_t *n)
{
    field fv = {*s, *n}, *f = &fv;
    if (tl_ml_is_utf8((const uint8_t *)f->s, f->n)) return TL_OK;
    size_t need = f->n * 2 + 1;
    if (need > ld->scratch_cap) {
        uint8_t *grown = realloc(ld->scratch, need);
        if (!grown) return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory converting Latin-1 text");
        ld->scratch = grown;
        ld->scratch_cap = need;
    }
    f->n = tl_ml_latin1_to_utf8((const uint8_t *)f->s, f->n, ld->scratch);
    ld->scratch[f->n] = '\0';
    f->s = (const char *)ld->scratch;
    *s = f->s;
    *n = f->n;
    return TL_OK;
}

static tl_status add_string(tl_loader *ld, tl_error *err, uint64_t line, const char *s, size_t n, uint32_t *off)
{
    if (n + 1 > UINT32_MAX - ld->strings_len)
        return tl__loader_fail(ld, err, TL_E_LIMIT, line, "titles take more than 4 GiB");
    size_t need = ld->strings_len + n + 1;
    if (need > ld->strings_cap) {
        size_t cap = ld->strings_cap;
        while (cap < need) cap = cap / 2 * 3;
        char *p = realloc(ld->strings, cap);
        if (!p) return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory storing titles");
        ld->strings = p;
        ld->strings_cap = cap;
    }
    memcpy(ld->strings + ld->strings_len, s, n);
    ld->strings[ld->strings_len + n] = '\0';
    *off = (uint32_t)ld->strings_len;
    ld->strings_len += n + 1;
    return TL_OK;
}

static tl_status genre_bit(tl_loader *ld, tl_error *err, uint64_t line, const char *name, size_t n, uint64_t *bits)
{
    char q[96];
    if (n == 0) return tl__loader_fail(ld, err, TL_E_PARSE, line, "empty genre name in the genre list");
    if (n >= TL_GENRE_NAME_MAX) {
        tl_ml_quote(q, sizeof q, name, n);
        return tl__loader_fail(ld, err, TL_E_LIMIT, line, "genre name %s is longer than %d bytes", q,
                               TL_GENRE_NAME_MAX - 1);
    }
    for (uint32_t g = 0; g < ld->n_genres; g++) {
        if (strlen(ld->genre_names[g]) == n && memcmp(ld->genre_names[g], name, n) == 0) {
            *bits |= (uint64_t)1 << g;
            return TL_OK;
        }
    }
    if (ld->n_genres == TL_MAX_GENRES) {
        tl_ml_quote(q, sizeof q, name, n);
        return tl__loader_fail(ld, err, TL_E_LIMIT, line,
                               "genre %s would be genre number %d; at most %d genres are supported", q,
                               TL_MAX_GENRES + 1, TL_MAX_GENRES);
    }
    memcpy(ld->genre_names[ld->n_genres], name, n);
    ld->genre_names[ld->n_genres][n] = '\0';
    *bits |= (uint64_t)1 << ld->n_genres;
    ld->n_genres++;
    return TL_OK;
}

/* "Adventure|Animation|Children"; an empty field means no genres. */
static tl_status genre_list(tl_loader *ld, tl_error *err, uint64_t line, field f, uint64_t *bits)
{
    *bits = 0;
    if (f.n == 0) return TL_OK;
    size_t start = 0;
    for (size_t i = 0; i <= f.n; i++) {
        if (i == f.n || f.s[i] == '|') {
            tl_status st = genre_bit(ld, err, line, f.s + start, i - start, bits);
            if (st) return st;
            start = i + 1;
        }
    }
    return TL_OK;
}

/* u.item: 19 columns of 0/1 flags after the URL. */
static tl_status genre_flags(tl_loader *ld, tl_error *err, uint64_t line, uint64_t *bits)
{
    *bits = 0;
    for (int g = 0; g < 19; g++) {
        field f = get(ld, 5 + (size_t)g);
        if (f.n == 1 && f.s[0] == '0') continue;
        if (!(f.n == 1 && f.s[0] == '1')) {
            char q[96];
            tl_ml_quote(q, sizeof q, f.s, f.n);
            return tl__loader_fail(ld, err, TL_E_PARSE, line, "genre flag %d (%s) is %s; expected 0 or 1", g + 1,
                                   tl_ml_100k_genres[g], q);
        }
        tl_status st = genre_bit(ld, err, line, tl_ml_100k_genres[g], strlen(tl_ml_100k_genres[g]), bits);
        if (st) return st;
    }
    return TL_OK;
}

tl_status tl__loader_movie_row(tl_loader *ld, uint64_t line, tl_error *err)
{
    uint32_t id;
    tl_status st;
    if ((st = read_id(ld, err, line, "movieId", get(ld, 0), &id))) return st;
    uint32_t *slot = tl__idmap_slot(&ld->cat_index, id);
    if (!slot) return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory indexing movies");
    if (*slot) {
        const tl__cat_entry *first = &ld->cat[*slot - 1];
        if (first->file_no == ld->file_no)
            return tl__loader_fail(ld, err, TL_E_PARSE, line, "movie %u is listed twice (first on line %u)", id,
                                   first->line);
        return tl__loader_fail(ld, err, TL_E_PARSE, line, "movie %u is also listed in another movies file", id);
    }

    uint64_t genres;
    if (ld->layout->format == TL_ML_MOVIES_100K) st = genre_flags(ld, err, line, &genres);
    else st = genre_list(ld, err, line, get(ld, 2), &genres);
    if (st) return st;

    field title = get(ld, 1);
    return tl__loader_push_movie(ld, err, line, id, slot, title.s, title.n, genres);
}

tl_status tl__loader_push_movie(tl_loader *ld, tl_error *err, uint64_t line, uint32_t id, uint32_t *slot,
                                const char *title_s, size_t title_n, uint64_t genres)
{
    field title = {title_s, title_n};
    tl_status st;
    if ((st = as_utf8(ld, err, line, &title))) return st;
    size_t start, len;
    int year;
    tl_ml_split_title(title.s, title.n, &start, &len, &year);
    uint32_t off = 0;
    if ((st = add_string(ld, err, line, title.s + start, len, &off))) return st;

    if (ld->n_cat == ld->cat_cap) {
        uint32_t cap = ld->cat_cap ? ld->cat_cap * 2 : 1024;
        if (cap < ld->cat_cap || (uint64_t)cap * sizeof(tl__cat_entry) > SIZE_MAX)
            return tl__loader_fail(ld, err, TL_E_LIMIT, line, "too many movies");
        tl__cat_entry *c = realloc(ld->cat, (size_t)cap * sizeof *c);
        if (!c) return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory storing movies");
        ld->cat = c;
        ld->cat_cap = cap;
    }
    tl__cat_entry *e = &ld->cat[ld->n_cat++];
    e->id = id;
    e->title = off;
    e->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    e->file_no = ld->file_no;
    e->year = (int16_t)year;
    e->genres = genres;
    *slot = ld->n_cat;
    return TL_OK;
}

tl_status tl__loader_link_row(tl_loader *ld, uint64_t line, tl_error *err)
{
    uint32_t id, imdb, tmdb;
    tl_status st;
    if ((st = read_id(ld, err, line, "movieId", get(ld, 0), &id))) return st;
    if ((st = read_optional_id(ld, err, line, "imdbId", get(ld, 1), &imdb))) return st;
    if ((st = read_optional_id(ld, err, line, "tmdbId", get(ld, 2), &tmdb))) return st;
    uint32_t *slot = tl__idmap_slot(&ld->link_index, id);
    if (!slot) return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory indexing links");
    if (*slot) {
        const tl__link_entry *first = &ld->links[*slot - 1];
        if (first->file_no == ld->file_no)
            return tl__loader_fail(ld, err, TL_E_PARSE, line, "movie %u has a second links line (first on line %u)", id,
                                   first->line);
        return tl__loader_fail(ld, err, TL_E_PARSE, line, "movie %u also has links in another links file", id);
    }
    if (ld->n_links == ld->links_cap) {
        uint32_t cap = ld->links_cap ? ld->links_cap * 2 : 1024;
        if (cap < ld->links_cap || (uint64_t)cap * sizeof(tl__link_entry) > SIZE_MAX)
            return tl__loader_fail(ld, err, TL_E_LIMIT, line, "too many links");
        tl__link_entry *l = realloc(ld->links, (size_t)cap * sizeof *l);
        if (!l) return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory storing links");
        ld->links = l;
        ld->links_cap = cap;
    }
    tl__link_entry *e = &ld->links[ld->n_links++];
    e->id = id;
    e->imdb = imdb;
    e->tmdb = tmdb;
    e->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    e->file_no = ld->file_no;
    *slot = ld->n_links;
    return TL_OK;
}

tl_status tl__loader_tag_row(tl_loader *ld, uint64_t line, tl_error *err)
{
    uint32_t u, m;
    int64_t ts;
    tl_status st;
    if ((st = read_id(ld, err, line, "userId", get(ld, 0), &u))) return st;
    if ((st = read_id(ld, err, line, "movieId", get(ld, 1), &m))) return st;
    field ft = get(ld, 3);
    if ((st = tl__loader_read_timestamp(ld, err, line, ft.s, ft.n, &ts))) return st;
    if (ld->n_tags == UINT32_MAX) return tl__loader_fail(ld, err, TL_E_LIMIT, line, "more than %u tags", UINT32_MAX);
    ld->n_tags++;
    return TL_OK;
}
