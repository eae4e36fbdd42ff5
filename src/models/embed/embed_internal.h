/* The dot-product scorer's state, shared by its files (two-tower, iALS and
 * imported factors all serve through it). Not a public header. */
#ifndef TL_MODELS_EMBED_EMBED_INTERNAL_H
#define TL_MODELS_EMBED_EMBED_INTERNAL_H

#include "towerlens/foldin.h"
#include "towerlens/scorer.h"
#include "towerlens/tensor.h"

typedef struct tl__embed_scorer {
    tl_scorer base;              /* first: a tl_scorer * is a tl__embed_scorer * */
    tl_scorer_ops ops;           /* tl__embed_ops, with predict when there is a rating head */
    struct tl_rating_head *head; /* the two-tower's optional rating head (owned), or NULL */
    tl_embeddings emb;
    uint32_t *cat; /* catalogue, ascending dense indices */
    uint32_t n_cat;
    float *norms; /* n_movies, valid when norms_valid */
    int norms_valid;
    double *gram; /* dim x dim, sum of m m^T over the catalogue, valid when gram_valid */
    double gram_trace;
    int gram_valid;
    /* the softmax fold-in's first Newton step starts at u = 0 for every
     * profile (uniform negatives): its Hessian's second moment and mean,
     * kept from the first fold-in that computed them (embed_foldin.c) */
    float *h0;   /* dim x dim */
    double *mu0; /* dim */
    int h0_valid;
    /* the visitor prior (embed_prior.c): ln(1 + L_j), L_j = the movie's
     * train ratings >= 4 ("liked" tensor), and w(k) from w3 / w10
     * ("visitor_prior" tensor); NULL / 0 in files without them. When set,
     * a state is the user vector then one float c, and a score adds
     * c * prior[j] when c != 0 (known users: c = 0, scores unchanged). */
    float *prior;
    float w3, w10;
} tl__embed_scorer;

/* The dot-product scorer's calls, for types that serve like it but differ
 * in one (imported factors: their own fold-in). */
extern const tl_scorer_ops tl__embed_ops;

/* Fills e (zeroed) over borrowed tables; tl__embed_scorer_release frees its parts, not e. */
tl_status tl__embed_scorer_init(tl__embed_scorer *e, const tl_dataset *ds, const tl_embeddings *emb, tl_error *err);
void tl__embed_scorer_release(tl__embed_scorer *e);

/* The "users" and "movies" tensors as tables, checked against ds. */
tl_status tl__embed_tables(const tl_dataset *ds, const tl_tensor *t, uint32_t n_t, tl_embeddings *out, tl_error *err);

/* The fold-in (embed_foldin.c): a user vector for the profile. */
tl_status tl__embed_fold_in(tl_scorer *s, const tl_profile *p, const tl_foldin_options *opt, float *state,
                            tl_error *err);

/* Fills e->gram with G = sum of m m^T over the catalogue and its trace
 * (embed_foldin.c); sets gram_valid. */
void tl__embed_gram(tl__embed_scorer *e);

/* "Because you rated" (embed_explain.c): the explain op of scorer.h. */
tl_status tl__embed_explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                            uint32_t n_targets, float *contrib, tl_error *err);

/* The visitor prior (embed_prior.c). Reads the "liked" and
 * "visitor_prior" tensors when both are there (older files: nothing, the
 * plain fold-in); state_floats becomes dim + 1 when w3 or w10 is not 0. */
tl_status tl__embed_prior_open(tl__embed_scorer *e, const tl_tensor *t, uint32_t n_t, tl_error *err);
/* After a fold-in wrote u (dim floats) to state: sets state[dim] = c so
 * that u . m_j + c * prior_j ranks the catalogue movies outside the
 * profile like z(u . m_j) + w(k) z(ln(1 + L_j)) (docs/training.md). */
tl_status tl__embed_prior_blend(tl__embed_scorer *e, const tl_profile *p, float *state, tl_error *err);

#endif
