/* The in-memory dataset: dense vocabularies, columnar ratings, catalogue.
 *
 * Dense indices are assigned in ascending order of raw id, so the same files
 * give the same indices whatever order they were loaded in. Ratings keep
 * their file order (the split permutes row indices in that order). */
#ifndef TOWERLENS_DATASET_H
#define TOWERLENS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_MAX_GENRES 64
#define TL_GENRE_NAME_MAX 48
#define TL_MAX_WARNINGS 16
#define TL_WARNING_MAX 256
#define TL_NO_YEAR 0

typedef struct tl_movie {
    uint32_t id;          /* raw movieId */
    uint32_t title;       /* offset into tl_dataset.strings: title without the trailing year */
    uint32_t n_ratings;   /* ratings of this movie in the dataset */
    uint32_t imdb_id;     /* 0 when unknown (links file) */
    uint32_t tmdb_id;     /* 0 when unknown */
    int16_t year;         /* TL_NO_YEAR when the title has none; first year of a range */
    uint8_t in_catalogue; /* 1 when listed in the movies file (or no movies file was given) */
    uint8_t reserved;
    uint64_t genres; /* bit g set = tl_dataset.genre_names[g] */
} tl_movie;

typedef struct tl_dataset {
    /* ratings, columnar, file order: 9 bytes per rating, 13 with times */
    uint32_t n_ratings;
    uint32_t *r_user;    /* dense user index */
    uint32_t *r_movie;   /* dense movie index */
    uint8_t *r_half;     /* rating in half stars: 1 = 0.5 ... 10 = 5.0 */
    uint32_t *r_time;    /* when each rating was made: timestamp >> time_shift (seconds since
                              1970 in MovieLens, shift 0); NULL when the input had no time
                              column (or some ratings file had none). Order-preserving: equal
                              values are broken by file order */
    uint32_t time_shift; /* 0 unless a timestamp needed more than 32 bits (e.g. milliseconds):
                              then the smallest shift that fits them all */
    void *r_block;       /* when not NULL, the columns above live in this one
                              allocation (the loader's) and tl_dataset_free frees just it */

    /* users */
    uint32_t n_users;
    uint32_t *user_ids;    /* dense -> raw userId, ascending */
    uint32_t *user_counts; /* ratings per user */

    /* movies: the union of the movies file and rated movies */
    uint32_t n_movies;
    tl_movie *movies;     /* dense -> movie, ascending raw id */
    uint32_t n_catalogue; /* movies with in_catalogue = 1 */
    uint32_t n_rated_movies;
    char *strings; /* NUL-terminated UTF-8 titles */
    size_t strings_len;

    uint32_t n_genres;
    char genre_names[TL_MAX_GENRES][TL_GENRE_NAME_MAX];

    /* summary facts gathered while reading */
    int64_t first_timestamp, last_timestamp; /* 0 when there are no ratings */
    uint32_t rating_hist[11];                /* count per half-star value (index 1..10) */
    uint32_t n_tags;                         /* rows of a tags file, if one was loaded */
    uint32_t n_warnings;
    char warnings[TL_MAX_WARNINGS][TL_WARNING_MAX];

    /* String ids (files read by column names whose ids are not all plain
     * numbers): dense index -> offset into id_strings; NULL for numeric
     * ids. Such a vocabulary's raw ids are the ranks 1..n of its strings in
     * byte order, so dense order is string order. */
    uint32_t *user_names;
    uint32_t *movie_names;
    char *id_strings; /* NUL-terminated, owned by the dataset */
    size_t id_strings_len;
    uint8_t implicit; /* the ratings came from a file without a rating column */
} tl_dataset;

void tl_dataset_free(tl_dataset *ds);

static inline const char *tl_movie_title(const tl_dataset *ds, uint32_t movie)
{
    return ds->strings + ds->movies[movie].title;
}

/* Dense index of a raw id (binary search); TL_E_NOTFOUND with a message
 * naming the id when it is not in the data. */
tl_status tl_dataset_user_index(const tl_dataset *ds, uint32_t user_id, uint32_t *out, tl_error *err);
tl_status tl_dataset_movie_index(const tl_dataset *ds, uint32_t movie_id, uint32_t *out, tl_error *err);

/* The string id of a dense user / movie, or NULL when the ids are numbers. */
static inline const char *tl_dataset_user_name(const tl_dataset *ds, uint32_t user)
{
    return ds->user_names ? ds->id_strings + ds->user_names[user] : NULL;
}
static inline const char *tl_dataset_movie_name(const tl_dataset *ds, uint32_t movie)
{
    return ds->movie_names ? ds->id_strings + ds->movie_names[movie] : NULL;
}

/* Dense index of an id as a person types it: the string itself for string
 * ids, else a number. TL_E_NOTFOUND naming the id when it is not there. */
tl_status tl_dataset_find_user(const tl_dataset *ds, const char *text, uint32_t *out, tl_error *err);
tl_status tl_dataset_find_movie(const tl_dataset *ds, const char *text, uint32_t *out, tl_error *err);

/* TL_OK when two datasets have the same kind of ids and, for string ids,
 * the same strings (then their raw ids, the ranks, mean the same); else
 * TL_E_ARG naming the first difference. What lets a model trained on one
 * dataset be lined up with another by raw id. */
tl_status tl_dataset_same_names(const tl_dataset *a, const tl_dataset *b, tl_error *err);

static inline float tl_rating_value(uint8_t half) { return (float)half * 0.5f; }

#ifdef __cplusplus
}
#endif
#endif
