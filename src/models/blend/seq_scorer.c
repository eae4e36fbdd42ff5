/* The blend's time-neighbour part as a scorer (blend_internal.h): a user's
 * state is the part's score of every movie, score_j = sum over the profile's
 * movies i (in profile order) of V[i][j], every rated movie counted once
 * whatever its stars. similar = row i of V; a reason's weight = V[i][j]. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/blend/blend_internal.h"
#include "models/models_internal.h"

typedef struct seq_scorer {
    tl_scorer base;
    uint32_t *start; /* n_movies + 1: row i's neighbours (dense, ascending) */
    uint32_t *nbr;
    float *val;
} seq_scorer;

static void profile_scores(const seq_scorer *q, const tl_profile *p, float *state)
{
    uint32_t nm = q->base.ds->n_movies;
    memset(state, 0, (size_t)nm * sizeof *state);
    for (uint32_t k = 0; p && k < p->n; k++) {
        uint32_t i = p->movies[k];
        if (i >= nm) continue;
        for (uint32_t t = q->start[i]; t < q->start[i + 1]; t++) state[q->nbr[t]] += q->val[t];
    }
}

static tl_status user_state(const tl_scorer *s, uint32_t user, const tl_profile *train, float *state, tl_error *err)
{
    (void)user, (void)err;
    profile_scores((const seq_scorer *)s, train, state);
    return TL_OK;
}

static tl_status fold_in(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                         tl_error *err)
{
    (void)opt, (void)err;
    profile_scores((const seq_scorer *)s, p, state);
    return TL_OK;
}

static void score(const tl_scorer *s, const float *states, uint32_t n, uint32_t m0, uint32_t n_m, float *out,
                  size_t ldo)
{
    size_t sf = s->state_floats;
    for (uint32_t u = 0; u < n; u++) memcpy(out + (size_t)u * ldo, states + (size_t)u * sf + m0, n_m * sizeof *out);
}

/* V[i][j], or 0 when j is not among row i's neighbours */
static float pair(const seq_scorer *q, uint32_t i, uint32_t j)
{
    uint32_t lo = q->start[i], hi = q->start[i + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (q->nbr[mid] < j) lo = mid + 1;
        else hi = mid;
    }
    return lo < q->start[i + 1] && q->nbr[lo] == j ? q->val[lo] : 0.0f;
}

static tl_status similar(tl_scorer *s, uint32_t movie, float *sims, tl_error *err)
{
    const seq_scorer *q = (const seq_scorer *)s;
    if (q->start[movie] == q->start[movie + 1])
        return tl_fail(err, TL_E_STATE, "movie %u has no time neighbours", s->ds->movies[movie].id);
    memset(sims, 0, (size_t)s->ds->n_movies * sizeof *sims);
    for (uint32_t t = q->start[movie]; t < q->start[movie + 1]; t++) sims[q->nbr[t]] = q->val[t];
    return TL_OK;
}

static tl_status explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                         uint32_t n_targets, float *contrib, tl_error *err)
{
    (void)state, (void)err;
    const seq_scorer *q = (const seq_scorer *)s;
    uint32_t nm = s->ds->n_movies;
    for (uint32_t t = 0; t < n_targets; t++)
        for (uint32_t k = 0; k < p->n; k++) {
            uint32_t i = p->movies[k], j = targets[t];
            contrib[(size_t)t * p->n + k] = i < nm && j < nm ? pair(q, i, j) : 0.0f;
        }
    return TL_OK;
}

static size_t bytes(const tl_scorer *s)
{
    const seq_scorer *q = (const seq_scorer *)s;
    return sizeof *q + ((size_t)s->ds->n_movies + 1 + q->start[s->ds->n_movies]) * sizeof(uint32_t);
}

static void release(tl_scorer *s)
{
    seq_scorer *q = (seq_scorer *)s;
    if (!q) return;
    free(q->start), free(q->nbr), free(q->val);
    free(q);
}

static const tl_scorer_ops seq_ops = {
    .user_state = user_state,
    .fold_in = fold_in,
    .score = score,
    .similar = similar,
    .explain = explain,
    .bytes = bytes,
    .free = release,
};

int tl__seq_present(const tl_tensor *t, uint32_t n_t) { return tl_tensor_find(t, n_t, "seq.movies") != NULL; }

/* Rows and neighbours whose raw ids the data lacks are dropped; the rest
 * keep their order (raw ids ascending = dense ascending). */
tl_status tl__seq_open(const tl_dataset *ds, const tl_tensor *t, uint32_t n_t, tl_scorer **out, tl_error *err)
{
    *out = NULL;
    const tl_tensor *mv = tl_tensor_find(t, n_t, "seq.movies"), *ct = tl_tensor_find(t, n_t, "seq.counts");
    const tl_tensor *ix = tl_tensor_find(t, n_t, "seq.index"), *vl = tl_tensor_find(t, n_t, "seq.value");
    const char *bad = NULL;
    if (!mv || !ct || !ix || !vl) bad = "a \"seq\" tensor is missing";
    else if (mv->cols != 1 || ct->cols != 1 || ix->cols != 1 || vl->cols != 1 || ct->rows != mv->rows ||
             vl->rows != ix->rows)
        bad = "the \"seq\" tensors' shapes disagree";
    double total = 0;
    for (uint32_t r = 0; !bad && r < mv->rows; r++) {
        float c = ct->data[r];
        if (!(c >= 0.0f && c < 16777216.0f) || c != floorf(c)) bad = "a \"seq.counts\" value is not a count";
        total += c;
    }
    if (!bad && total != (double)ix->rows) bad = "\"seq.counts\" does not add up to the pairs";
    for (uint32_t r = 0; !bad && r < ix->rows; r++)
        if (!(ix->data[r] >= 0.0f && ix->data[r] < 16777216.0f) || !isfinite(vl->data[r]))
            bad = "a \"seq\" pair is not a movie id and a number";
    /* rows and each row's neighbours strictly ascending: one row per movie, binary search */
    for (uint32_t r = 0, at = 0; !bad && r < mv->rows; at += (uint32_t)ct->data[r++]) {
        if (!(mv->data[r] >= 0.0f && mv->data[r] < 16777216.0f) || (r > 0 && !(mv->data[r] > mv->data[r - 1])))
            bad = "\"seq.movies\" is not ascending movie ids";
        for (uint32_t k = 1; !bad && k < (uint32_t)ct->data[r]; k++)
            if (!(ix->data[at + k] > ix->data[at + k - 1])) bad = "a \"seq\" row is not ascending";
    }
    if (bad) return tl_fail(err, TL_E_CORRUPT, "model: %s", bad);
    uint32_t nm = ds->n_movies, nnz = ix->rows;
    seq_scorer *q = calloc(1, sizeof *q);
    if (!q) return tl_fail(err, TL_E_NOMEM, "blend: out of memory opening %u time-neighbour pairs", nnz);
    q->start = calloc((size_t)nm + 1, sizeof *q->start);
    q->nbr = malloc(((size_t)nnz + 1) * sizeof *q->nbr);
    q->val = malloc(((size_t)nnz + 1) * sizeof *q->val);
    if (!q->start || !q->nbr || !q->val) {
        release(&q->base);
        return tl_fail(err, TL_E_NOMEM, "blend: out of memory opening %u time-neighbour pairs", nnz);
    }
    /* one pass: the rows ascend by raw id, so by dense index too (a row
     * the data lacks keeps no pairs; each row's start is set when reached) */
    uint32_t w = 0, next = 0; /* q->start[0..next] are set */
    size_t at = 0;
    for (uint32_t r = 0; r < mv->rows; at += (uint32_t)ct->data[r++]) {
        uint32_t i, c = (uint32_t)ct->data[r];
        if (tl_dataset_movie_index(ds, (uint32_t)mv->data[r], &i, NULL) != TL_OK) continue;
        while (next < i) q->start[++next] = w; /* the rows before i have no pairs */
        for (uint32_t k = 0; k < c; k++) {
            uint32_t j;
            if (tl_dataset_movie_index(ds, (uint32_t)ix->data[at + k], &j, NULL) == TL_OK)
                q->nbr[w] = j, q->val[w++] = vl->data[at + k];
        }
        q->start[++next] = w;
    }
    while (next < nm) q->start[++next] = w;
    q->base = (tl_scorer){.ops = &seq_ops,
                          .type = "time neighbours",
                          .similarity = "how often people rated the two movies next to each other in time",
                          .ds = ds,
                          .state_floats = nm,
                          .needs_profile = 1};
    *out = &q->base;
    return TL_OK;
}
