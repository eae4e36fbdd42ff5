/* Synthetic MovieLens data (ml-latest layout) with structure a recommender
 * can learn: power-law popularity and activity, genre-themed tastes, half-star
 * ratings, per-user session timestamps, awkward titles.
 *
 * The generator never touches files: every CSV goes through a caller-given
 * sink, so the CLI writes files, tests write to memory and the WASM module
 * could hand bytes to JavaScript. Rows are streamed (one user at a time);
 * memory grows with users + movies, not with ratings.
 *
 * Determinism: the same options give the same bytes. All randomness comes
 * from a seeded xoshiro256** stream (splitmix64 seeding); all arithmetic
 * behind the output is IEEE-754 double with + - * / only (exp/log are our
 * own polynomials, no libm), so the bytes are the same on any platform with
 * FLT_EVAL_METHOD == 0 and no contraction into fused multiply-add (x86-64,
 * aarch64 with -ffp-contract=off, WebAssembly). See data/README.md. */
#ifndef TOWERLENS_GENERATE_H
#define TOWERLENS_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits: ratings fit the dataset's 32-bit row count; users and movies keep
 * the generator's own tables to a few hundred MB. */
#define TL_GEN_MAX_USERS 20000000u
#define TL_GEN_MAX_MOVIES 5000000u
#define TL_GEN_MAX_RATINGS 4000000000ull

/* Receives the next `n` bytes of one CSV file. Returns 0 on success and
 * non-zero on failure (the generator stops and reports TL_E_IO). */
typedef int (*tl_write_fn)(void *ctx, const void *data, size_t n);

typedef struct tl_sink {
    tl_write_fn write; /* NULL: this file is not produced */
    void *ctx;
} tl_sink;

typedef struct tl_generate_sinks {
    tl_sink ratings; /* userId,movieId,rating,timestamp (required) */
    tl_sink movies;  /* movieId,title,genres (required) */
    tl_sink tags;    /* userId,movieId,tag,timestamp (optional) */
    tl_sink links;   /* movieId,imdbId,tmdbId, made-up ids (optional) */
} tl_generate_sinks;

typedef struct tl_generate_options {
    uint32_t users;   /* exactly this many users appear in ratings.csv (ids 1..users) */
    uint32_t movies;  /* exactly this many rows in movies.csv (ids with gaps) */
    uint64_t ratings; /* exactly this many rows in ratings.csv; users <= ratings <= users*movies */
    uint64_t seed;
} tl_generate_options;

/* What was written, for the CLI's summary line and for tests. */
typedef struct tl_generate_report {
    uint64_t ratings, tags;
    uint32_t users, movies, rated_movies;
    uint32_t min_user_ratings, max_user_ratings;
    uint32_t max_movie_id;
    uint64_t bytes_ratings, bytes_movies, bytes_tags, bytes_links;
} tl_generate_report;

/* The demo set's shape: 600 users, 3,000 movies, 50,000 ratings, seed 1. */
void tl_generate_options_default(tl_generate_options *opt);

/* Checks the options alone (counts and limits) with a message naming the
 * option, e.g. "--ratings 5000 is more than --users x --movies = 400". */
tl_status tl_generate_check(const tl_generate_options *opt, tl_error *err);

/* Writes movies.csv, then links.csv, then ratings.csv and tags.csv
 * interleaved per user (each sink sees its own file's bytes in order, with
 * header line and LF line ends). `report` may be NULL. */
tl_status tl_generate(const tl_generate_options *opt, const tl_generate_sinks *sinks, tl_generate_report *report,
                      tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
