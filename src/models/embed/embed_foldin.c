/* Fold-in: a user vector for ratings the model never trained on, with the
 * movie tower frozen. Two solvers (see foldin.h): damped Newton on the
 * softmax objective, or one regularised least-squares solve. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed_internal.h"
#include "towerlens/kernels.h"

void tl_foldin_options_default(tl_foldin_options *opt)
{
    /* measured on ml-latest-small (see docs/evaluation.md): full softmax with
     * uniform negatives beats the in-batch (popularity) weighting, and
     * converges in about three Newton steps */
    opt->method = TL_FOLDIN_SOFTMAX;
    opt->steps = 6;
    opt->l2 = 0.0f; /* the method's default */
    opt->alpha = 10.0f;
    opt->weight_by_rating = 1;
    opt->neutral = 0.0f; /* TL_FOLDIN_NEUTRAL */
    opt->popularity_negatives = 0;
    opt->counts = NULL;
}

/* Solves A x = b for symmetric positive definite A (d x d, row-major,
 * overwritten by its Cholesky factor); x may alias b. 0 when A is not
 * positive definite. */
static int cholesky_solve(double *A, const double *b, double *x, uint32_t d)
{
    for (uint32_t j = 0; j < d; j++) {
        double s = A[j * d + j];
        for (uint32_t k = 0; k < j; k++) s -= A[j * d + k] * A[j * d + k];
        if (!(s > 0)) return 0;
        double l = sqrt(s);
        A[j * d + j] = l;
        for (uint32_t i = j + 1; i < d; i++) {
            double t = A[i * d + j];
            for (uint32_t k = 0; k < j; k++) t -= A[i * d + k] * A[j * d + k];
            A[i * d + j] = t / l;
        }
    }
    for (uint32_t i = 0; i < d; i++) { /* L y = b */
        double t = b[i];
        for (uint32_t k = 0; k < i; k++) t -= A[i * d + k] * x[k];
        x[i] = t / A[i * d + i];
    }
    for (uint32_t i = d; i-- > 0;) { /* L^T x = y */
        double t = x[i];
        for (uint32_t k = i + 1; k < d; k++) t -= A[k * d + i] * x[k];
        x[i] = t / A[i * d + i];
    }
    return 1;
}

/* m m^T * w added to the lower triangle of A (d x d). */
static void add_outer(double *A, const float *m, double w, uint32_t d)
{
    for (uint32_t a = 0; a < d; a++) {
        double wa = w * m[a];
        for (uint32_t b = 0; b <= a; b++) A[a * d + b] += wa * m[b];
    }
}

static void mirror_lower(double *A, uint32_t d)
{
    for (uint32_t a = 0; a < d; a++)
        for (uint32_t b = a + 1; b < d; b++) A[a * d + b] = A[b * d + a];
}

void tl__embed_gram(tl__embed_scorer *idx)
{
    uint32_t d = idx->emb.dim;
    memset(idx->gram, 0, (size_t)d * d * sizeof *idx->gram);
    for (uint32_t i = 0; i < idx->n_cat; i++)
        add_outer(idx->gram, idx->emb.movies + (size_t)idx->cat[i] * idx->emb.ld_movies, 1.0, d);
    mirror_lower(idx->gram, d);
    idx->gram_trace = 0;
    for (uint32_t a = 0; a < d; a++) idx->gram_trace += idx->gram[a * d + a];
    idx->gram_valid = 1;
}

typedef struct foldin_input {
    const uint32_t *movies;
    double *w;   /* signed weights t_i / n: > 0 liked, < 0 disliked, 0 neutral (index.h) */
    double like; /* sum of the positive weights: the softmax log-likelihood's total weight */
    uint32_t n;
} foldin_input;

static const float *movie_vec(const tl__embed_scorer *idx, uint32_t m)
{
    return idx->emb.movies + (size_t)m * idx->emb.ld_movies;
}

static tl_status foldin_lsq(tl__embed_scorer *idx, const foldin_input *in, const tl_foldin_options *opt,
                            float *user_out, double *A, double *b, tl_error *err)
{
    uint32_t d = idx->emb.dim;
    if (!idx->gram_valid) tl__embed_gram(idx);
    double lambda = opt->l2 * (idx->gram_trace > 0 ? idx->gram_trace / d : 1.0);
    memcpy(A, idx->gram, (size_t)d * d * sizeof *A);
    for (uint32_t a = 0; a < d; a++) A[a * d + a] += lambda, b[a] = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        uint32_t m = in->movies[i];
        const float *v = movie_vec(idx, m);
        /* weights are t / n; the target and confidence use t itself */
        double t = in->w[i] * in->n, target = t > 0 ? 1.0 : t < 0 ? -1.0 : 0.0;
        double conf = 1.0 + opt->alpha * fabs(t);
        /* G already holds this movie once with confidence 1 when it is in the catalogue */
        add_outer(A, v, idx->base.ds->movies[m].in_catalogue ? conf - 1.0 : conf, d);
        for (uint32_t a = 0; a < d; a++) b[a] += conf * target * v[a];
    }
    mirror_lower(A, d);
    if (!cholesky_solve(A, b, b, d))
        return tl_fail(err, TL_E_STATE, "fold-in: the least-squares system is singular; raise l2 above %g", opt->l2);
    for (uint32_t a = 0; a < d; a++) user_out[a] = (float)b[a];
    return TL_OK;
}

/* Scores every movie for u and returns the log of the softmax normaliser
 * over the catalogue (weighted by q when given). */
static double log_normaliser(const tl__embed_scorer *idx, const float *u, const float *q, float *scores)
{
    tl_gemv(idx->emb.movies, idx->base.ds->n_movies, idx->emb.ld_movies, u, idx->emb.dim, scores);
    double mx = -INFINITY;
    for (uint32_t i = 0; i < idx->n_cat; i++) {
        uint32_t m = idx->cat[i];
        if ((!q || q[m] > 0) && scores[m] > mx) mx = scores[m];
    }
    double z = 0;
    for (uint32_t i = 0; i < idx->n_cat; i++) {
        uint32_t m = idx->cat[i];
        if (!q || q[m] > 0) z += (q ? q[m] : 1.0) * exp(scores[m] - mx);
    }
    return mx + log(z);
}

/* The objective: sum_i w_i s_i - like * log Z - l2/2 |u|^2 (liked movies'
 * log-likelihood, disliked movies' scores as a penalty); leaves the scores
 * of u in `scores` and log Z in *lz. */
static double objective(const tl__embed_scorer *idx, const foldin_input *in, const float *u, const float *q,
                        float *scores, double l2, double *lz)
{
    *lz = log_normaliser(idx, u, q, scores);
    double f = -in->like * *lz;
    for (uint32_t i = 0; i < in->n; i++) f += in->w[i] * scores[in->movies[i]];
    double uu = 0;
    for (uint32_t a = 0; a < idx->emb.dim; a++) uu += (double)u[a] * u[a];
    return f - 0.5 * l2 * uu;
}

/* Keeps the first step's moments in the scorer (its buffers are allocated
 * with it, so after one fold-in concurrent fold-ins only read them). */
static void keep_first_moments(tl__embed_scorer *idx, const float *Hf, const double *mu)
{
    uint32_t d = idx->emb.dim;
    memcpy(idx->h0, Hf, (size_t)d * d * sizeof *Hf);
    memcpy(idx->mu0, mu, d * sizeof *mu);
    idx->h0_valid = 1;
}

/* movies per GEMM call accumulating the softmax Hessian */
#define HESSIAN_BLOCK 128u

static tl_status foldin_softmax(tl__embed_scorer *idx, const foldin_input *in, const tl_foldin_options *opt,
                                float *user_out, double *H, double *g, tl_error *err)
{
    const tl_dataset *ds = idx->base.ds;
    uint32_t d = idx->emb.dim;
    size_t nm = ds->n_movies;
    /* one block: current scores, trial scores, negative weights, u, trial u, mean, step */
    float *cur = malloc(nm * sizeof *cur), *trial = malloc(nm * sizeof *trial), *q = NULL;
    float *u = calloc(2 * (size_t)d + (size_t)d * d + 2 * (size_t)HESSIAN_BLOCK * d, sizeof *u);
    double *mu = malloc(2 * (size_t)d * sizeof *mu);
    if (opt->popularity_negatives) q = malloc(nm * sizeof *q);
    if (!cur || !trial || !u || !mu || (opt->popularity_negatives && !q)) {
        free(cur), free(trial), free(u), free(mu), free(q);
        return tl_fail(err, TL_E_NOMEM, "fold-in: out of memory for %u movies", ds->n_movies);
    }
    float *ut = u + d, *Hf = u + 2 * (size_t)d;
    float *pv = Hf + (size_t)d * d, *vb = pv + (size_t)HESSIAN_BLOCK * d; /* a block of p_j v_j and of v_j */
    double *step = mu + d;
    /* total probability mass left out of the Hessian stays below 1e-6 */
    const double prune = 1e-6 / idx->n_cat;
    if (q) {
        uint64_t total = 0;
        for (uint32_t m = 0; m < ds->n_movies; m++) {
            uint32_t c = opt->counts ? opt->counts[m] : ds->movies[m].n_ratings;
            q[m] = (float)c;
            total += ds->movies[m].in_catalogue ? c : 0;
        }
        if (total == 0) free(q), q = NULL; /* no counts: uniform negatives */
    }
    const double l2 = opt->l2;
    double lz;
    double f = objective(idx, in, u, q, cur, l2, &lz);
    for (uint32_t it = 0; it < opt->steps; it++) {
        /* softmax probabilities at u (scores in cur), their mean and covariance */
        /* at u = 0 with uniform negatives every profile has the same first
         * step's moments: kept in the scorer (the same numbers, computed once) */
        int first = it == 0 && !q;
        if (first && idx->h0_valid) {
            memcpy(Hf, idx->h0, (size_t)d * d * sizeof *Hf);
            memcpy(mu, idx->mu0, d * sizeof *mu);
            goto moments_done;
        }
        memset(Hf, 0, (size_t)d * d * sizeof *Hf);
        for (uint32_t a = 0; a < d; a++) mu[a] = 0;
        uint32_t nb = 0;
        for (uint32_t i = 0; i < idx->n_cat; i++) {
            uint32_t m = idx->cat[i];
            if (q && !(q[m] > 0)) continue;
            double p = (q ? q[m] : 1.0) * exp(cur[m] - lz);
            const float *v = movie_vec(idx, m);
            for (uint32_t a = 0; a < d; a++) mu[a] += p * v[a];
            /* second moment in float, Hf += (P V)^T V a block of movies at a
             * time with the GEMM kernel: the Hessian only steers the step
             * (the line search guards it), so movies whose mass is
             * negligible are left out of it */
            if (p < prune) continue;
            float *pvr = pv + (size_t)nb * d;
            for (uint32_t a = 0; a < d; a++) pvr[a] = (float)(p * v[a]);
            memcpy(vb + (size_t)nb * d, v, d * sizeof *v);
            if (++nb == HESSIAN_BLOCK) tl_gemm_atb_acc(pv, nb, d, d, vb, d, d, Hf, d), nb = 0;
        }
        if (nb) tl_gemm_atb_acc(pv, nb, d, d, vb, d, d, Hf, d);
        if (first) keep_first_moments(idx, Hf, mu);
    moments_done:
        /* only the liked movies' log-likelihood curves the objective */
        for (uint32_t a = 0; a < d; a++) {
            for (uint32_t b = 0; b <= a; b++) H[a * d + b] = in->like * (Hf[a * d + b] - mu[a] * mu[b]);
            H[a * d + a] += l2;
            g[a] = -in->like * mu[a] - l2 * u[a];
        }
        mirror_lower(H, d);
        for (uint32_t i = 0; i < in->n; i++) {
            const float *v = movie_vec(idx, in->movies[i]);
            for (uint32_t a = 0; a < d; a++) g[a] += in->w[i] * v[a];
        }
        if (!cholesky_solve(H, g, step, d)) break; /* numerically flat: keep the current u */
        double decrement = 0;
        for (uint32_t a = 0; a < d; a++) decrement += g[a] * step[a];
        /* the decrement estimates (twice) the objective still to gain; the
         * objective is O(1) and computed from float scores, so gains below
         * 1e-6 are noise and never move a ranking */
        if (!(decrement > 1e-6)) break;
        /* backtracking (Armijo) line search along the Newton step */
        double t = 1.0, ft = f, lzt = lz;
        int accepted = 0;
        for (int tries = 0; tries < 12; tries++, t *= 0.5) {
            for (uint32_t a = 0; a < d; a++) ut[a] = (float)(u[a] + t * step[a]);
            ft = objective(idx, in, ut, q, trial, l2, &lzt);
            if (ft >= f + 0.25 * t * decrement) {
                accepted = 1;
                break;
            }
        }
        if (!accepted) break;
        memcpy(u, ut, d * sizeof *u);
        float *swap = cur; /* the trial's scores are the new current ones */
        cur = trial;
        trial = swap;
        f = ft;
        lz = lzt;
    }
    memcpy(user_out, u, d * sizeof *u);
    free(cur), free(trial), free(u), free(mu), free(q);
    return TL_OK;
}

tl_status tl__embed_fold_in(tl_scorer *s, const tl_profile *p, const tl_foldin_options *opt, float *state,
                            tl_error *err)
{
    tl__embed_scorer *idx = (tl__embed_scorer *)s;
    uint32_t d = idx->emb.dim, n = p->n;
    double *w = malloc((size_t)(n ? n : 1) * sizeof *w);
    double *A = malloc(((size_t)d * d + 2 * (size_t)d) * sizeof *A);
    if (!w || !A) {
        free(w), free(A);
        return tl_fail(err, TL_E_NOMEM, "fold-in: out of memory");
    }
    double neutral = opt->neutral > 0 ? opt->neutral : TL_FOLDIN_NEUTRAL;
    int any = 0;
    for (uint32_t i = 0; i < n; i++) {
        w[i] = (opt->weight_by_rating && p->stars) ? (p->stars[i] - neutral) / (5.0 - neutral) : 1.0;
        any |= w[i] != 0;
    }
    /* nothing liked or disliked (all neutral): every movie counts as a like */
    for (uint32_t i = 0; i < n; i++) w[i] = any ? w[i] / n : 1.0 / n;
    foldin_input in = {p->movies, w, 0, n};
    for (uint32_t i = 0; i < n; i++) in.like += w[i] > 0 ? w[i] : 0;
    tl_foldin_options o = *opt;
    if (o.l2 == 0) o.l2 = o.method == TL_FOLDIN_LSQ ? TL_FOLDIN_LSQ_L2 : TL_FOLDIN_SOFTMAX_L2;
    tl_status st;
    if (o.method == TL_FOLDIN_LSQ) st = foldin_lsq(idx, &in, &o, state, A, A + (size_t)d * d, err);
    else st = foldin_softmax(idx, &in, &o, state, A, A + (size_t)d * d, err);
    free(w), free(A);
    if (st == TL_OK && idx->prior) st = tl__embed_prior_blend(idx, p, state, err);
    return st;
}
