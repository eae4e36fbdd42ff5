/* "Because you rated" (index.h): each ranked movie's reasons, the user's
 * liked movies with the largest positive shares of its score as the
 * model's scorer computes them (the explain op of scorer.h). */
#include <stdlib.h>

#include "index_internal.h"

/* Keeps the best `max` liked movies of one target's contributions c. */
static uint32_t pick(const tl_profile *p, const float *c, uint32_t target, uint32_t max, tl_reason *out)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        float stars = p->stars ? p->stars[i] : 0.0f;
        if (p->stars && !(stars >= TL_LIKED_STARS)) continue; /* a low rating is never a reason */
        if (!(c[i] > 0.0f) || p->movies[i] == target) continue;
        tl_reason r = {p->movies[i], stars, c[i]};
        /* insertion: larger contribution first, ties to the lower dense index */
        uint32_t pos = k;
        while (pos > 0 && (out[pos - 1].contribution < r.contribution ||
                           (out[pos - 1].contribution == r.contribution && out[pos - 1].movie > r.movie)))
            pos--;
        if (pos >= max) continue;
        if (k < max) k++;
        for (uint32_t q = k - 1; q > pos; q--) out[q] = out[q - 1];
        out[pos] = r;
    }
    return k;
}

/* Reasons for items from a profile whose movies are each given once. */
static tl_status explain_items(tl_index *idx, const float *state, const tl_profile *p, const tl_scored *items,
                               uint32_t n, uint32_t max, tl_reason *reasons, uint32_t *n_reasons, tl_error *err)
{
    for (uint32_t i = 0; i < n; i++) n_reasons[i] = 0;
    if (max == 0 || n == 0 || p->n == 0) return TL_OK;
    uint32_t *targets = malloc((size_t)n * sizeof *targets);
    float *contrib = malloc((size_t)n * p->n * sizeof *contrib);
    if (!targets || !contrib) {
        free(targets), free(contrib);
        return tl_fail(err, TL_E_NOMEM, "because: out of memory for %u movies x %u rated", n, p->n);
    }
    for (uint32_t i = 0; i < n; i++) targets[i] = items[i].index;
    tl_status st = tl_scorer_explain(idx->scorer, state, p, targets, n, contrib, err);
    for (uint32_t i = 0; st == TL_OK && i < n; i++)
        n_reasons[i] = pick(p, contrib + (size_t)i * p->n, targets[i], max, reasons + (size_t)i * max);
    free(targets), free(contrib);
    return st;
}

static tl_status check_out(const tl_index *idx, const tl_scored *items, uint32_t n, uint32_t max,
                           const tl_reason *reasons, const uint32_t *n_reasons, tl_error *err)
{
    if (!idx) return tl_fail(err, TL_E_ARG, "because: no index given");
    if (n && (!items || !n_reasons || (max && !reasons)))
        return tl_fail(err, TL_E_ARG, "because: no ranked movies or no room for the reasons");
    for (uint32_t i = 0; i < n; i++)
        if (items[i].index >= idx->ds->n_movies)
            return tl_fail(err, TL_E_ARG, "because: movie index %u is out of range (%u movies)", items[i].index,
                           idx->ds->n_movies);
    return TL_OK;
}

tl_status tl_index_because(tl_index *idx, const float *state, const tl_profile *p, const tl_scored *items, uint32_t n,
                           uint32_t max, tl_reason *reasons, uint32_t *n_reasons, tl_error *err)
{
    tl_status st = check_out(idx, items, n, max, reasons, n_reasons, err);
    if (st != TL_OK) return st;
    if (!p || (p->n && !p->movies)) return tl_fail(err, TL_E_ARG, "because: no rated movies given");
    if (!state && idx->scorer->state_floats) return tl_fail(err, TL_E_ARG, "because: no user state given");
    st = tl_foldin_check_ratings(idx->ds, p->movies, p->stars, p->n, err);
    if (st != TL_OK) return st;
    uint32_t *uniq = malloc((size_t)(p->n ? p->n : 1) * sizeof *uniq);
    float *stars = p->stars ? malloc((size_t)(p->n ? p->n : 1) * sizeof *stars) : NULL;
    if (!uniq || (p->stars && !stars)) {
        free(uniq), free(stars);
        return tl_fail(err, TL_E_NOMEM, "because: out of memory");
    }
    /* each movie once with its last rating, as tl_index_foldin keeps them */
    uint32_t stamp = tl__index_next_stamp(idx), n_uniq = 0;
    for (uint32_t i = p->n; i-- > 0;) {
        if (idx->excluded[p->movies[i]] == stamp) continue;
        idx->excluded[p->movies[i]] = stamp;
        if (stars) stars[n_uniq] = p->stars[i];
        uniq[n_uniq++] = p->movies[i];
    }
    tl_profile once = {uniq, stars, n_uniq};
    st = explain_items(idx, state, &once, items, n, max, reasons, n_reasons, err);
    free(uniq), free(stars);
    return st;
}

tl_status tl_index_because_user(tl_index *idx, uint32_t user, const tl_seen *seen, const uint8_t *seen_half,
                                const tl_scored *items, uint32_t n, uint32_t max, tl_reason *reasons,
                                uint32_t *n_reasons, tl_error *err)
{
    tl_status st = check_out(idx, items, n, max, reasons, n_reasons, err);
    if (st != TL_OK) return st;
    if (user >= idx->ds->n_users)
        return tl_fail(err, TL_E_ARG, "because: user index %u is out of range (%u users)", user, idx->ds->n_users);
    if (!seen || seen->n_users != idx->ds->n_users)
        return tl_fail(err, TL_E_ARG, "because: the seen sets of the model's users are needed");
    for (uint32_t i = 0; i < n; i++) n_reasons[i] = 0;
    if (!seen_half && !idx->ds->implicit) return TL_OK; /* stars unknown: no movie is known to be liked */
    uint32_t n_seen = 0;
    const uint32_t *sm = tl_seen_movies(seen, user, &n_seen);
    /* the state tl_index_recommend scores by */
    tl_profile rated = {sm, NULL, n_seen};
    st = tl_scorer_user_state(idx->scorer, user, &rated, idx->state, err);
    if (st != TL_OK || n_seen == 0) return st;
    float *stars = NULL;
    if (seen_half) {
        stars = malloc((size_t)n_seen * sizeof *stars);
        if (!stars) return tl_fail(err, TL_E_NOMEM, "because: out of memory for %u ratings", n_seen);
        const uint8_t *h = seen_half + seen->offsets[user];
        /* an unknown rating weighs as neutral and is never liked */
        for (uint32_t i = 0; i < n_seen; i++) stars[i] = h[i] ? tl_rating_value(h[i]) : TL_FOLDIN_NEUTRAL;
    }
    tl_profile p = {sm, stars, n_seen};
    st = explain_items(idx, idx->state, &p, items, n, max, reasons, n_reasons, err);
    free(stars);
    return st;
}
