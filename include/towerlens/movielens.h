/* MovieLens file layouts and field rules: which layout a file has (from its
 * first line, never its name), and how ids, ratings, timestamps, titles,
 * years and text encodings are read. The loader builds on these; they are
 * public so tests and other front ends apply the very same rules. */
#ifndef TOWERLENS_MOVIELENS_H
#define TOWERLENS_MOVIELENS_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/error.h"
#include "towerlens/loader.h"
#include "towerlens/numbers.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tl_ml_format {
    TL_ML_UNKNOWN = 0,
    TL_ML_RATINGS_CSV,      /* ratings.csv: userId,movieId,rating,timestamp */
    TL_ML_RATINGS_CSV_BARE, /* the same columns without a header line */
    TL_ML_MOVIES_CSV,       /* movies.csv: movieId,title,genres */
    TL_ML_TAGS_CSV,         /* tags.csv: userId,movieId,tag,timestamp */
    TL_ML_LINKS_CSV,        /* links.csv: movieId,imdbId,tmdbId */
    TL_ML_RATINGS_100K,     /* ml-100k u.data: user item rating timestamp, tab separated */
    TL_ML_MOVIES_100K,      /* ml-100k u.item: id|title|date|video date|url|19 genre flags, Latin-1 */
    TL_ML_RATINGS_1M,       /* ml-1m ratings.dat: UserID::MovieID::Rating::Timestamp */
    TL_ML_MOVIES_1M,        /* ml-1m movies.dat: MovieID::Title::Genres, Latin-1 */
    TL_ML_TAGS_1M,          /* ml-10m tags.dat: UserID::MovieID::Tag::Timestamp */
    TL_ML_IGNORED,          /* a MovieLens file towerlens does not use */
    TL_ML_MAPPED_RATINGS,   /* a CSV with a header read by column names (tl_loader_map_interactions) */
    TL_ML_MAPPED_ITEMS      /* an items CSV read by column names (tl_loader_map_items) */
} tl_ml_format;

typedef struct tl_ml_layout {
    tl_ml_format format;
    tl_file_kind kind;
    const char *name; /* "ratings.csv", "u.data", ... (what the layout is called) */
    uint8_t sep;      /* ',', '\t', '|' or ':' (doubled) */
    uint8_t double_sep;
    uint8_t quoting;
    uint8_t has_header;
    uint32_t n_fields;   /* fields per data line */
    const char *columns; /* for messages: "userId,movieId,rating,timestamp" */
} tl_ml_layout;

const tl_ml_layout *tl_ml_layout_of(tl_ml_format format);

/* Classifies a file from its first non-blank line (byte-order mark and line
 * break removed). Recognised but unused files (README, u.user, u.genre,
 * u.info, users.dat, genome-*.csv, ...) give TL_ML_IGNORED; `what`
 * (may be NULL) receives a short description of what was recognised.
 * Anything else is TL_E_FORMAT with a message naming what was expected. */
tl_status tl_ml_detect(const char *file, const uint8_t *line, size_t n, tl_ml_format *out, const char **what,
                       tl_error *err);

/* Whether the bytes look like binary data (image, archive, NUL bytes);
 * fills `what` with e.g. "a PNG image". Only the first bytes are looked at. */
int tl_ml_binary(const uint8_t *p, size_t n, const char **what);

/* Writes a printable, quoted and possibly shortened copy of a field for a
 * message: "7.5" -> "\"7.5\"", control bytes as \xNN, at most ~60 bytes. */
void tl_ml_quote(char *out, size_t cap, const char *s, size_t n);

/* Splits a title from its trailing year: "Seven (a.k.a. Se7en) (1995)" ->
 * "Seven (a.k.a. Se7en)" and 1995; "(2007-)", "(1994-1998)" and en-dash
 * ranges give their first year; surrounding spaces are trimmed; without a
 * year, *year = TL_NO_YEAR (0) and the whole trimmed title is kept. */
void tl_ml_split_title(const char *s, size_t n, size_t *title_start, size_t *title_len, int *year);

/* 1 when the bytes are valid UTF-8 (no overlongs, no surrogates). */
int tl_ml_is_utf8(const uint8_t *s, size_t n);
/* Latin-1 to UTF-8; `out` holds at least 2*n bytes; returns the length. */
size_t tl_ml_latin1_to_utf8(const uint8_t *s, size_t n, uint8_t *out);

/* The 19 genre flags of ml-100k's u.item, in column order. */
extern const char *const tl_ml_100k_genres[19];

#ifdef __cplusplus
}
#endif
#endif
