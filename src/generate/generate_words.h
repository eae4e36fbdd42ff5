/* Vocabulary for synthetic MovieLens data: the genre labels, taste themes
 * (which genres go together), title words and tags. Constant tables only. */
#ifndef TL_GENERATE_GENERATE_WORDS_H
#define TL_GENERATE_GENERATE_WORDS_H

#include <stdint.h>

/* MovieLens's 20 genre labels, in the alphabetical order movies.csv uses. */
enum {
    G_ACTION,
    G_ADVENTURE,
    G_ANIMATION,
    G_CHILDREN,
    G_COMEDY,
    G_CRIME,
    G_DOCUMENTARY,
    G_DRAMA,
    G_FANTASY,
    G_FILM_NOIR,
    G_HORROR,
    G_IMAX,
    G_MUSICAL,
    G_MYSTERY,
    G_ROMANCE,
    G_SCI_FI,
    G_THRILLER,
    G_WAR,
    G_WESTERN,
    G_NONE,
    GEN_N_GENRES
};
extern const char *const gen_genre_names[GEN_N_GENRES];
/* Share of MovieLens movies carrying each genre, in per mille (background
 * genres are drawn by it). */
extern const uint16_t gen_genre_permille[GEN_N_GENRES];

/* A taste theme: a few genres a group of movies (and their fans) share. */
typedef struct gen_theme {
    const char *name;
    uint16_t size; /* relative share of the catalogue */
    uint8_t n;     /* genres listed */
    uint8_t genre[5];
    uint8_t percent[5]; /* chance in % that a member movie has it */
} gen_theme;
extern const gen_theme gen_themes[];
extern const uint32_t gen_n_themes;

typedef struct gen_wordlist {
    const char *const *w;
    uint32_t n;
} gen_wordlist;

extern const gen_wordlist gen_adjectives, gen_nouns, gen_names, gen_places, gen_foreign, gen_cjk, gen_subtitles,
    gen_general_tags;
/* Tags that fit each genre (G_NONE has the general ones). */
extern const gen_wordlist gen_genre_tags[GEN_N_GENRES];

#endif
