/* How a visitor's ratings become a user state (fold-in): the options every
 * model type's scorer reads (scorer.h), and the checks of the input. */
#ifndef TOWERLENS_FOLDIN_H
#define TOWERLENS_FOLDIN_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Low stars are dislikes. Each rating r gets a signed weight
 * t = (r - neutral) / (5 - neutral): 5 stars 1, 0.5 stars -0.8 with the
 * default neutral 2.5. A liked movie (t > 0) is evidence the user picks it;
 * a disliked one (t < 0) pushes its score, and so similar movies, down; a
 * neutral one (t = 0) only marks the movie as rated. Weights are divided
 * by the number of rated movies n (not by the sum of like weights), so
 * seven films at 0.5 stars and the same seven at 5 stars give opposite
 * vectors. When every weight is 0 (all neutral, or weight_by_rating = 0)
 * every movie counts as a like of weight 1. */
typedef enum tl_foldin_method {
    /* Maximise sum_{t_i > 0} w_i log softmax_i(u) + sum_{t_j < 0} w_j u.m_j
     * - (l2 / 2) |u|^2 with w = t / n, where the softmax runs over the
     * catalogue: the training objective for one user with the movie tower
     * frozen, plus a linear penalty on disliked movies' scores. Concave;
     * solved with damped Newton steps from u = 0 (deterministic and
     * reliable in a few steps). */
    TL_FOLDIN_SOFTMAX = 0,
    /* Regularised least squares in the implicit-feedback form: minimise
     * sum_c conf_c (p_c - u.m_c)^2 + lambda |u|^2 over the catalogue with
     * p = +1 for liked and -1 for disliked movies, conf = 1 + alpha |t_i|,
     * and p = 0, conf = 1 otherwise (neutral ratings too); lambda = l2 *
     * trace(G) / dim with G = sum_c m_c m_c^T. One d x d solve with the
     * cached G: the cheapest. */
    TL_FOLDIN_LSQ = 1
} tl_foldin_method;

#define TL_FOLDIN_NEUTRAL 2.5f /* the rating that is neither a like nor a dislike */

#define TL_FOLDIN_SOFTMAX_L2 0.3f /* default l2 per method, tuned on ml-latest-small */
#define TL_FOLDIN_LSQ_L2 10.0f

/* Defaults: softmax, at most 6 Newton steps (it stops once converged,
 * usually after 3), l2 = the method's default, alpha 10, signed rating
 * weights around neutral 2.5, uniform negatives (the full softmax). */
typedef struct tl_foldin_options {
    tl_foldin_method method;
    uint32_t steps;           /* softmax: at most this many Newton steps */
    float l2;                 /* regularisation, scale-free (see the methods); 0 = the method's default */
    float alpha;              /* least squares: confidence of a rated movie */
    int weight_by_rating;     /* 1: signed weights t_i around `neutral` (low stars are dislikes);
                                0: every rated movie is a like of weight 1 */
    float neutral;            /* 0.5-4.5; 0 = TL_FOLDIN_NEUTRAL */
    int popularity_negatives; /* softmax: weight the normaliser by rating counts, as
                                in-batch negatives do during training; 0 = uniform */
    const uint32_t *counts;   /* rating count per dense movie for popularity_negatives
                                (e.g. train counts); NULL = tl_movie.n_ratings */
} tl_foldin_options;

void tl_foldin_options_default(tl_foldin_options *opt);

/* The checks every fold-in makes of its input (this one and the imported
 * Spark fold-in of import.h): dense movie indices in range, ratings 0.5-5
 * (ratings may be NULL). */
tl_status tl_foldin_check_ratings(const tl_dataset *ds, const uint32_t *movies, const float *ratings, uint32_t n,
                                  tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
