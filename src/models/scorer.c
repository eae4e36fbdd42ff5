/* Calls into a model type's scorer (scorer.h), with the checks every caller
 * would otherwise repeat. */
#include "towerlens/scorer.h"

tl_status tl_scorer_user_state(const tl_scorer *s, uint32_t user, const tl_profile *train, float *state, tl_error *err)
{
    if (user >= s->ds->n_users)
        return tl_fail(err, TL_E_ARG, "index: user index %u is out of range (%u users)", user, s->ds->n_users);
    return s->ops->user_state(s, user, train, state, err);
}

tl_status tl_scorer_fold_in(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                            tl_error *err)
{
    return s->ops->fold_in(s, p, opt, state, err);
}

void tl_scorer_score(const tl_scorer *s, const float *states, uint32_t n, uint32_t m0, uint32_t n_m, float *out,
                     size_t ldo)
{
    s->ops->score(s, states, n, m0, n_m, out, ldo);
}

tl_status tl_scorer_similar(tl_scorer *s, uint32_t movie, float *sims, tl_error *err)
{
    if (movie >= s->ds->n_movies)
        return tl_fail(err, TL_E_ARG, "index: movie index %u is out of range (%u movies)", movie, s->ds->n_movies);
    return s->ops->similar(s, movie, sims, err);
}

tl_status tl_scorer_explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                            uint32_t n_targets, float *contrib, tl_error *err)
{
    if (!s || !p || (n_targets && (!targets || (p->n && !contrib))) || (p->n && !p->movies))
        return tl_fail(err, TL_E_ARG, "explain: missing model, profile, targets or output");
    if (!state && s->state_floats) return tl_fail(err, TL_E_ARG, "explain: no user state given");
    for (uint32_t t = 0; t < n_targets; t++)
        if (targets[t] >= s->ds->n_movies)
            return tl_fail(err, TL_E_ARG, "explain: movie index %u is out of range (%u movies)", targets[t],
                           s->ds->n_movies);
    for (uint32_t i = 0; i < p->n; i++)
        if (p->movies[i] >= s->ds->n_movies)
            return tl_fail(err, TL_E_ARG, "explain: profile movie index %u is out of range (%u movies)", p->movies[i],
                           s->ds->n_movies);
    if (n_targets == 0 || p->n == 0) return TL_OK;
    return s->ops->explain(s, state, p, targets, n_targets, contrib, err);
}

int tl_scorer_predicts_ratings(const tl_scorer *s) { return s && s->ops->predict ? 1 : 0; }

tl_status tl_scorer_predict(const tl_scorer *s, const uint32_t *users, const uint32_t *movies, uint32_t n, float *raw,
                            tl_error *err)
{
    if (!tl_scorer_predicts_ratings(s))
        return tl_fail(err, TL_E_STATE,
                       "this %s model predicts no ratings (train one with a rating head: "
                       "--rating-weight above 0, e.g. --preset tfrs-multitask)",
                       s ? s->type : "(missing)");
    for (uint32_t i = 0; i < n; i++)
        if (users[i] > s->ds->n_users || movies[i] > s->ds->n_movies)
            return tl_fail(err, TL_E_ARG, "predict: user %u or movie %u is out of range", users[i], movies[i]);
    return s->ops->predict(s, users, movies, n, raw, err);
}

void tl_scorer_refresh(tl_scorer *s)
{
    if (s && s->ops->refresh) s->ops->refresh(s);
}

size_t tl_scorer_bytes(const tl_scorer *s) { return s ? s->ops->bytes(s) : 0; }

void tl_scorer_free(tl_scorer *s)
{
    if (s) s->ops->free(s);
}
