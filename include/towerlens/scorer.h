/* The seam every model type serves and is evaluated through. A scorer turns
 * a user's evidence into a "state" (a few floats: a user vector, a profile,
 * nothing at all), scores states against blocks of movies, and knows which
 * movies are alike. Evaluation (eval.h), serving (index.h), the model file,
 * the CLI, the WebAssembly layer and the page work only through it, so they
 * hold no branch per model type; each type lives in its own folder under
 * src/models/ and is listed once in src/models/model_types.c. */
#ifndef TOWERLENS_SCORER_H
#define TOWERLENS_SCORER_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/embeddings.h"
#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A user's evidence: dense movie indices (each once) with their ratings in
 * stars (0.5-5). stars may be NULL: every movie counts as liked. */
typedef struct tl_profile {
    const uint32_t *movies;
    const float *stars;
    uint32_t n;
} tl_profile;

typedef struct tl_scorer tl_scorer;
struct tl_foldin_options; /* foldin.h */

typedef struct tl_scorer_ops {
    /* The state of known dense user `user` (< n_users). `train` is the
     * user's training evidence, read only by types with needs_profile. */
    tl_status (*user_state)(const tl_scorer *s, uint32_t user, const tl_profile *train, float *state, tl_error *err);
    /* The state of a visitor from ratings (already checked: movies in range). */
    tl_status (*fold_in)(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                         tl_error *err);
    /* out[i * ldo + j] = the score of states[i] (stride state_floats) for
     * movie m0 + j, for i < n, j < n_m. Every score is the same bits however
     * the users and movies are blocked. */
    void (*score)(const tl_scorer *s, const float *states, uint32_t n, uint32_t m0, uint32_t n_m, float *out,
                  size_t ldo);
    /* sims[j] = how alike movie `movie` and movie j are, for j < n_movies;
     * TL_E_STATE when undefined for this movie (e.g. a zero vector). */
    tl_status (*similar)(tl_scorer *s, uint32_t movie, float *sims, tl_error *err);
    /* contrib[t * p->n + i] = how much profile movie i adds to the state's
     * score of movie targets[t], for t < n_targets, as the model computes
     * that score (the reasons shown beside a recommendation; each type
     * documents its decomposition). Movies in range, each once. */
    tl_status (*explain)(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                         uint32_t n_targets, float *contrib, tl_error *err);
    /* Raw rating predictions (stars before clipping to 0.5-5) for n pairs of
     * dense users and movies; NULL when the model predicts no ratings. */
    tl_status (*predict)(const tl_scorer *s, const uint32_t *users, const uint32_t *movies, uint32_t n, float *raw,
                         tl_error *err);
    /* The model's tensors changed in place (training goes on): drop caches. May be NULL. */
    void (*refresh)(tl_scorer *s);
    size_t (*bytes)(const tl_scorer *s);
    void (*free)(tl_scorer *s);
} tl_scorer_ops;

/* Implementations put this first in their own struct. */
struct tl_scorer {
    const tl_scorer_ops *ops;
    const char *type;         /* the model type's name ("ials", "two-tower", "popularity", ...) */
    const char *similarity;   /* what `similar` measures, for people ("cosine of the movie vectors", ...) */
    const tl_dataset *ds;     /* borrowed: vocabularies and catalogue */
    uint32_t state_floats;    /* floats in one user state (may be 0) */
    int needs_profile;        /* 1: user_state reads the user's training evidence */
    const tl_embeddings *emb; /* the tables of a dot-product model, else NULL (model export, Spark fold-in) */
};

/* Dispatch helpers (each checks its arguments). */
tl_status tl_scorer_user_state(const tl_scorer *s, uint32_t user, const tl_profile *train, float *state, tl_error *err);
void tl_scorer_score(const tl_scorer *s, const float *states, uint32_t n, uint32_t m0, uint32_t n_m, float *out,
                     size_t ldo);
tl_status tl_scorer_fold_in(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                            tl_error *err);
tl_status tl_scorer_similar(tl_scorer *s, uint32_t movie, float *sims, tl_error *err);
/* Each profile movie's share of the state's score of each target (the op
 * above); checks the movie indices. */
tl_status tl_scorer_explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                            uint32_t n_targets, float *contrib, tl_error *err);
void tl_scorer_refresh(tl_scorer *s);
/* 1 when the model predicts ratings (tl_scorer_predict works). */
int tl_scorer_predicts_ratings(const tl_scorer *s);
/* Raw rating predictions; TL_E_STATE naming the model type when it has none. */
tl_status tl_scorer_predict(const tl_scorer *s, const uint32_t *users, const uint32_t *movies, uint32_t n, float *raw,
                            tl_error *err);
size_t tl_scorer_bytes(const tl_scorer *s);
void tl_scorer_free(tl_scorer *s);

/* A dot-product scorer over borrowed tables (two-tower, iALS, imported
 * factors): state = the user's vector; similar = cosine of movie vectors;
 * fold-in solves a user vector (foldin.h). Free with tl_scorer_free. */
tl_status tl_embed_scorer_new(const tl_dataset *ds, const tl_embeddings *emb, tl_scorer **out, tl_error *err);

/* Popularity over borrowed counts (n_movies floats, e.g. train rating
 * counts): every user's state is empty and every movie scores its count. */
tl_status tl_popularity_scorer_new(const tl_dataset *ds, const float *counts, tl_scorer **out, tl_error *err);
/* Train rating counts per movie as floats (n_movies + 1: the last, the
 * out-of-vocabulary movie's, is 0). Caller frees. */
tl_status tl_popularity_counts(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train, float **counts,
                               tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
