/* The EASE model's layout, shared by ease_fit.c and ease_score.c. Not a
 * public header. */
#ifndef TL_MODELS_EASE_EASE_INTERNAL_H
#define TL_MODELS_EASE_EASE_INTERNAL_H

#include "towerlens/ease.h"

struct tl_ease_model {
    uint32_t n_movies, n_items, n_users;
    uint32_t min_count;      /* the threshold used (opt.min_count, raised to fit max_items) */
    uint32_t *item_of_movie; /* n_movies: item index or TL_EASE_NONE */
    uint32_t *movie_of_item; /* n_items, ascending dense movie index */
    uint32_t *train_count;   /* n_movies: train ratings per movie (orders the movies outside the set) */
    float value[11];         /* x by half stars (index 1..10) */
    float *B;                /* n_items x n_items, row i = B[i][*]: item i's weight in every item's score */
    tl_ease_options opt;     /* as fitted (pool cleared) */
    size_t peak_bytes;
};

/* x of a rating in half stars under the options (0: the rating is ignored). */
float tl__ease_value(const tl_ease_options *opt, uint8_t half);

#endif
