/* The hidden model behind generated data: the movie catalogue with its taste
 * topics, genres, popularity and quality, and the alias tables users sample
 * from. Built once (memory grows with movies only); users are streamed by
 * generate.c. */
#ifndef TL_GENERATE_GENERATE_MODEL_H
#define TL_GENERATE_GENERATE_MODEL_H

#include <stdint.h>

#include "generate_alias.h"
#include "generate_output.h"
#include "generate_words.h"
#include "towerlens/error.h"
#include "towerlens/generate.h"

/* Independent random streams (see generate_random.h). */
enum {
    GEN_STREAM_CATALOGUE = 1,
    GEN_STREAM_TITLES,
    GEN_STREAM_LINKS,
    GEN_STREAM_ACTIVITY,
    GEN_STREAM_USER,
    GEN_STREAM_TAGS
};

#define GEN_NO_TOPIC 0xFFu
#define GEN_MAX_TOPICS 48u
/* 1996-01-01 and 2023-12-31 23:59:59 UTC, the span of rating timestamps. */
#define GEN_FIRST_TIME 820454400u
#define GEN_LAST_TIME 1704067199u
/* MovieLens allowed half stars from 2003-02-12 on. */
#define GEN_HALF_STARS_FROM 1045008000u

/* Membership of a movie in its topics: a movie with a secondary topic
 * belongs 0.7 to the first and 0.3 to the second. */
#define GEN_PRIMARY_SHARE 0.7
#define GEN_SECONDARY_SHARE 0.3

/* 16 bytes: the ratings loop reads one per rating, so it is kept small. */
typedef struct gen_movie {
    uint32_t id;      /* movieId, increasing with index, with gaps */
    uint32_t genres;  /* bit g = gen_genre_names[g] */
    float quality;    /* added to every rating of it */
    uint8_t topic[2]; /* primary topic, secondary or GEN_NO_TOPIC */
    uint16_t year;
} gen_movie;

typedef struct gen_world {
    uint32_t n_movies, n_topics;
    gen_movie *movies;
    uint16_t topic_theme[GEN_MAX_TOPICS];
    gen_alias popular;                  /* every movie by popularity */
    gen_alias by_topic[GEN_MAX_TOPICS]; /* a topic's members by popularity x membership */
    gen_alias by_genre[GEN_N_GENRES];   /* movies of a genre by popularity (n = 0: none) */
    gen_alias topics;                   /* topics by their share of all ratings */
    uint32_t *by_popularity;            /* movie indices, most popular first */
    uint32_t *release;                  /* unix time movie i came out; nobody
                                        * rates it earlier */
} gen_world;

/* Draws the catalogue and writes movies.csv (and links.csv when enabled). */
tl_status gen_world_build(gen_world *w, const tl_generate_options *opt, gen_out *movies, gen_out *links, tl_error *err);
void gen_world_free(gen_world *w);

/* Share (0..1) of movie m in topic t. */
static inline double gen_membership(const gen_movie *m, uint32_t t)
{
    if (m->topic[0] == t) return m->topic[1] == GEN_NO_TOPIC ? 1.0 : GEN_PRIMARY_SHARE;
    if (m->topic[1] == t) return GEN_SECONDARY_SHARE;
    return 0.0;
}

/* Unix time of January 1st of `year` (1970..2100). */
static inline uint32_t gen_year_start(uint32_t year)
{
    uint32_t y = year - 1;
    uint32_t days = 365u * (year - 1970u) + (y / 4 - y / 100 + y / 400) - (1969u / 4 - 1969u / 100 + 1969u / 400);
    return days * 86400u;
}

/* Writes a synthetic title (UTF-8, without CSV quoting) into buf. */
void gen_title(gen_rng *r, const gen_movie *m, char *buf, size_t size);

#endif
