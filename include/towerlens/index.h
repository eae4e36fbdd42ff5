/* Serving: top-k movies for a user vector over the catalogue, similar
 * movies, and fold-in of a new visitor's ratings against the frozen movie
 * tower.
 *
 * The index borrows the dataset (catalogue, years, genres, rating counts)
 * and the embedding tables: both must outlive it and stay at the same
 * address. Tables may change in place (training may continue); call
 * tl_index_refresh afterwards so the cached movie norms and Gram matrix
 * are recomputed (they are rebuilt lazily on the next call that needs them).
 *
 * Results are dense movie indices with scores, best first; equal scores go
 * to the lower dense index. Only catalogue movies are ever returned. Raw
 * ids are the caller's concern (tl_dataset_user_index / _movie_index give
 * the messages for unknown ids); the index checks dense indices, k and
 * pointers and fails with TL_E_ARG and a message. An index is not meant to
 * be shared between threads (it owns scratch buffers). */
#ifndef TOWERLENS_INDEX_H
#define TOWERLENS_INDEX_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/eval.h"
#include "towerlens/foldin.h"
#include "towerlens/scorer.h"
#include "towerlens/seen.h"
#include "towerlens/topk.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_index tl_index;

/* An index serving the model behind `scorer` (borrowed: keep it alive). */
tl_status tl_index_new(const tl_dataset *ds, tl_scorer *scorer, tl_index **out, tl_error *err);
/* An index over dot-product tables (borrowed), owning its scorer. */
tl_status tl_index_new_embeddings(const tl_dataset *ds, const tl_embeddings *emb, tl_index **out, tl_error *err);
/* The scorer the index serves. */
tl_scorer *tl_index_scorer(const tl_index *idx);
void tl_index_free(tl_index *idx);
/* The model changed in place (training goes on): drop the scorer's caches. */
void tl_index_refresh(tl_index *idx);
uint32_t tl_index_catalogue_size(const tl_index *idx);

/* Filters shared by every query. A movie is returned only when it passes all. */
typedef struct tl_query {
    const uint32_t *exclude; /* dense movie indices never returned (e.g. what the visitor rated) */
    uint32_t n_exclude;
    uint64_t genres;        /* keep movies with any of these genre bits; 0 = no genre filter */
    int year_min, year_max; /* inclusive; 0 = open end; with a bound set, movies without a year are dropped */
    uint32_t min_ratings;   /* drop movies with fewer ratings in the dataset (tl_movie.n_ratings) */
    int include_seen;       /* tl_index_recommend: the seen sets given are the user's evidence only,
                              their movies may be returned (as the original did) */
} tl_query;

void tl_query_default(tl_query *q); /* no exclusions, no filters */

/* Best k catalogue movies for a user state (scorer->state_floats floats,
 * e.g. a fold-in's; may be NULL when that is 0) by the model's scores.
 * `out` holds k items; *n_out < k when the filters leave fewer movies.
 * 1 <= k <= catalogue size. q may be NULL (no filters). */
tl_status tl_index_top_k(tl_index *idx, const float *user_vec, uint32_t k, const tl_query *q, tl_scored *out,
                         uint32_t *n_out, tl_error *err);

/* Top k for dense user `user` with its trained vector; when `seen` is not
 * NULL the user's seen movies are excluded too, unless q->include_seen
 * (or pass NULL to include them, as the original did). Models that score a
 * user from their ratings (scorer needs_profile: EASE, the blend) read the
 * user's movies from `seen` and need it either way. */
tl_status tl_index_recommend(tl_index *idx, uint32_t user, const tl_seen *seen, uint32_t k, const tl_query *q,
                             tl_scored *out, uint32_t *n_out, tl_error *err);

/* Top k movies by cosine similarity to dense movie `movie`, never the movie
 * itself. Movies with a zero vector score 0; a query movie with a zero
 * vector is an error (its similarity is undefined). */
tl_status tl_index_similar(tl_index *idx, uint32_t movie, uint32_t k, const tl_query *q, tl_scored *out,
                           uint32_t *n_out, tl_error *err);

/* A user state (scorer->state_floats floats into user_out: for dot-product
 * models the user vector) from n >= 1 (movie, rating)
 * pairs: dense movie indices, ratings 0.5-5 (ratings may be NULL: every
 * movie weighs 1). A movie given twice counts once, with its last rating.
 * Movies outside the catalogue are allowed (their vectors carry signal). */
tl_status tl_index_foldin(tl_index *idx, const uint32_t *movies, const float *ratings, uint32_t n,
                          const tl_foldin_options *opt, float *user_out, tl_error *err);

/* "Because you rated": for a ranked movie, up to `max` of the user's own
 * liked movies that contributed most to its score, as the model computes
 * it (the scorer's explain op; each model type documents its
 * decomposition, docs/ARCHITECTURE.md "Model types"). The rule: a reason
 * is a profile movie that is liked (rated TL_LIKED_STARS or more; every
 * movie when the profile has no stars, implicit feedback) whose
 * contribution is strictly positive, never the ranked movie itself;
 * largest contribution first, ties to the lower dense index. A movie rated
 * below TL_LIKED_STARS is never a reason, whatever its contribution. */
#define TL_LIKED_STARS 4.0f /* the liked ratings (docs/training.md: L_j counts ratings >= 4) */
#define TL_REASONS_MAX 3    /* reasons the CLI, the JS API and the page show */

typedef struct tl_reason {
    uint32_t movie;     /* dense index of the profile movie */
    float stars;        /* its rating (0.5-5); 0 when the profile has no stars */
    float contribution; /* its share of the score (> 0) */
} tl_reason;

/* Reasons for each of n ranked movies (items[i].index) given the user's
 * state (as tl_index_top_k takes it) and profile p (dense movies with their
 * stars or NULL; a movie given twice counts once with its last rating, as
 * fold-in does). reasons has n * max entries: item i's are reasons[i * max
 * ...], n_reasons[i] of them (0 when none qualifies). max may be 0. */
tl_status tl_index_because(tl_index *idx, const float *state, const tl_profile *p, const tl_scored *items, uint32_t n,
                           uint32_t max, tl_reason *reasons, uint32_t *n_reasons, tl_error *err);

/* The same for known dense user `user`, with the state tl_index_recommend
 * scores by and the profile = the user's seen movies (every rating the
 * model records for the user: `seen`, as given to tl_index_recommend, not
 * NULL) with their ratings in half stars from `seen_half` (parallel to
 * seen->movies, 0 = unknown, e.g. tl_model_file.seen_half or
 * tl_seen_half). With seen_half NULL the stars are unknown: no movie is a
 * reason, unless the data is implicit feedback (every movie is liked). */
tl_status tl_index_because_user(tl_index *idx, uint32_t user, const tl_seen *seen, const uint8_t *seen_half,
                                const tl_scored *items, uint32_t n, uint32_t max, tl_reason *reasons,
                                uint32_t *n_reasons, tl_error *err);

/* The fold-in quality check: for users with at least n_given train rows
 * and with test rows, fold in n_given of their train ratings (a seeded
 * draw per user) and compare protocol B (seen = all the user's train
 * movies, relevant = test movies) for the folded vector against the
 * trained one, over the same users. max_users = 0 evaluates every such
 * user, otherwise a seeded sample of them. */
typedef struct tl_foldin_report {
    double recall_trained, recall_foldin; /* mean Recall@20 */
    double ndcg10_trained, ndcg10_foldin; /* mean NDCG@10 */
    double ratio;                         /* recall_foldin / recall_trained (0 when undefined) */
    uint32_t users;
    int sampled;
} tl_foldin_report;

tl_status tl_eval_foldin(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train, const uint32_t *test_rows,
                         uint32_t n_test, tl_scorer *sc, const tl_foldin_options *opt, uint32_t n_given,
                         uint32_t max_users, uint64_t seed, tl_foldin_report *out, tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
