/* Fold-in through the index: checks a visitor's ratings and the options,
 * keeps each movie once (its last rating), and asks the model's scorer for
 * the visitor's state (scorer.h; the dot-product solvers: embed_foldin.c). */
#include <math.h>
#include <stdlib.h>

#include "index_internal.h"

tl_status tl_foldin_check_ratings(const tl_dataset *ds, const uint32_t *movies, const float *ratings, uint32_t n,
                                  tl_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        if (movies[i] >= ds->n_movies)
            return tl_fail(err, TL_E_ARG, "fold-in: movie index %u is out of range (%u movies)", movies[i],
                           ds->n_movies);
        if (ratings && !(ratings[i] >= 0.5f && ratings[i] <= 5.0f))
            return tl_fail(err, TL_E_ARG, "fold-in: rating %g for movie %u is outside 0.5-5", ratings[i],
                           ds->movies[movies[i]].id);
    }
    return TL_OK;
}

tl_status tl_index_foldin(tl_index *idx, const uint32_t *movies, const float *ratings, uint32_t n,
                          const tl_foldin_options *opt, float *user_out, tl_error *err)
{
    if (!idx) return tl_fail(err, TL_E_ARG, "fold-in: no index given");
    if (!user_out && idx->scorer->state_floats) return tl_fail(err, TL_E_ARG, "fold-in: no output vector given");
    if (n == 0 || !movies) return tl_fail(err, TL_E_ARG, "fold-in: at least one rated movie is needed");
    tl_foldin_options defaults;
    if (!opt) {
        tl_foldin_options_default(&defaults);
        opt = &defaults;
    }
    if (opt->method != TL_FOLDIN_SOFTMAX && opt->method != TL_FOLDIN_LSQ)
        return tl_fail(err, TL_E_ARG, "fold-in: unknown method %d", (int)opt->method);
    if (!(opt->l2 >= 0) || !isfinite(opt->l2))
        return tl_fail(err, TL_E_ARG, "fold-in: l2 must be zero (the method's default) or positive (got %g)", opt->l2);
    if (opt->method == TL_FOLDIN_SOFTMAX && opt->steps == 0)
        return tl_fail(err, TL_E_ARG, "fold-in: the softmax method needs at least one step");
    if (opt->neutral != 0 && !(opt->neutral >= 0.5f && opt->neutral <= 4.5f))
        return tl_fail(err, TL_E_ARG, "fold-in: the neutral rating must be 0.5-4.5 (or 0 for %g), got %g",
                       (double)TL_FOLDIN_NEUTRAL, opt->neutral);
    if (opt->method == TL_FOLDIN_LSQ && (!(opt->alpha >= 0) || !isfinite(opt->alpha)))
        return tl_fail(err, TL_E_ARG, "fold-in: alpha must be zero or positive (got %g)", opt->alpha);
    tl_status checked = tl_foldin_check_ratings(idx->ds, movies, ratings, n, err);
    if (checked != TL_OK) return checked;
    uint32_t *uniq = malloc((size_t)n * sizeof *uniq);
    float *stars = ratings ? malloc((size_t)n * sizeof *stars) : NULL;
    if (!uniq || (ratings && !stars)) {
        free(uniq), free(stars);
        return tl_fail(err, TL_E_NOMEM, "fold-in: out of memory");
    }
    /* a movie given twice counts once, with its last rating: walk from the
     * end and mark movies in the index's exclusion stamps (scratch here) */
    uint32_t stamp = tl__index_next_stamp(idx), n_uniq = 0;
    for (uint32_t i = n; i-- > 0;) {
        if (idx->excluded[movies[i]] == stamp) continue;
        idx->excluded[movies[i]] = stamp;
        if (stars) stars[n_uniq] = ratings[i];
        uniq[n_uniq++] = movies[i];
    }
    tl_profile p = {uniq, stars, n_uniq};
    tl_status st = tl_scorer_fold_in(idx->scorer, &p, opt, user_out, err);
    free(uniq), free(stars);
    return st;
}
