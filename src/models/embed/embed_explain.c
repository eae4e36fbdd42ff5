/* "Because you rated" for the dot-product models (iALS, two-tower,
 * imported factors): each profile movie's share of a movie's score, as
 * implicit ALS explains its own recommendations (Hu, Koren & Volinsky
 * 2008, section 5). The least-squares fold-in (foldin.h, TL_FOLDIN_LSQ,
 * default options) solves
 *
 *     A u = sum_i c_i p_i y_i,   A = G + lambda I + sum_i (c_i - 1) y_i y_i^T
 *
 * with G the catalogue's Gram matrix (the scorer's cached one), lambda =
 * l2 * trace(G) / dim, t_i = (r_i - 2.5) / 2.5 the signed rating weight,
 * c_i = 1 + alpha |t_i| and p_i = sign(t_i) (a movie outside the catalogue
 * adds c_i y_i y_i^T: G does not hold it). So the score of target j is
 *
 *     y_j . u = sum_i c_i p_i (y_j^T A^-1 y_i)
 *
 * exactly: profile movie i contributes c_i p_i y_j^T W y_i with the user's
 * W = A^-1. The same shares are given for every state of a dot-product
 * model (a trained user vector, the default softmax fold-in): they are
 * what the ALS system makes of this evidence, not a split of that other
 * solve's score. A liked movie whose vector points where the target's does,
 * after the whitening by W, contributes the most; a disliked one (p < 0)
 * contributes negatively. The visitor prior's term (embed_prior.c) is no
 * profile movie's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed_internal.h"
#include "towerlens/kernels.h"

static const float *movie_vec(const tl__embed_scorer *e, uint32_t m)
{
    return e->emb.movies + (size_t)m * e->emb.ld_movies;
}

tl_status tl__embed_explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                            uint32_t n_targets, float *contrib, tl_error *err)
{
    (void)state;
    tl__embed_scorer *e = (tl__embed_scorer *)s;
    const uint32_t d = e->emb.dim, n = p->n;
    size_t dd = (size_t)d * d;
    /* A (lower triangle), its factor, the right-hand side, the solution, 1/L[j][j] */
    double *A = malloc((2 * dd + 3 * (size_t)d) * sizeof *A);
    double *weight = malloc((size_t)n * sizeof *weight);
    float *z = malloc((size_t)d * sizeof *z);
    if (!A || !weight || !z) {
        free(A), free(weight), free(z);
        return tl_fail(err, TL_E_NOMEM, "explain: out of memory for %u rated movies", n);
    }
    double *L = A + dd, *b = L + dd, *x = b + d, *inv = x + d;
    tl_foldin_options opt;
    tl_foldin_options_default(&opt);
    const double neutral = TL_FOLDIN_NEUTRAL, alpha = opt.alpha;
    if (!e->gram_valid) tl__embed_gram(e);
    double lambda = (double)TL_FOLDIN_LSQ_L2 * (e->gram_trace > 0 ? e->gram_trace / d : 1.0);
    memcpy(A, e->gram, dd * sizeof *A);
    for (uint32_t a = 0; a < d; a++) A[(size_t)a * d + a] += lambda;
    /* the fold-in's signed weights; all neutral: every movie a like (foldin.h) */
    int any = 0;
    for (uint32_t i = 0; i < n; i++) {
        weight[i] = p->stars ? ((double)p->stars[i] - neutral) / (5.0 - neutral) : 1.0;
        any |= weight[i] != 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        double t = any ? weight[i] : 1.0, c = 1.0 + alpha * fabs(t);
        const float *v = movie_vec(e, p->movies[i]);
        double extra = s->ds->movies[p->movies[i]].in_catalogue ? c - 1.0 : c;
        for (uint32_t a = 0; a < d; a++) {
            double wa = extra * v[a];
            for (uint32_t k = 0; k <= a; k++) A[(size_t)a * d + k] += wa * v[k];
        }
        weight[i] = t > 0 ? c : t < 0 ? -c : 0.0; /* c_i p_i */
    }
    for (uint32_t q = 0; q < n_targets; q++) {
        float *out = contrib + (size_t)q * n;
        const float *y = movie_vec(e, targets[q]);
        for (uint32_t a = 0; a < d; a++) b[a] = y[a];
        memcpy(L, A, dd * sizeof *L);
        int ok = tl_cholesky_solve_f64(L, b, x, inv, d); /* x = A^-1 y_target */
        for (uint32_t a = 0; a < d; a++) z[a] = (float)x[a];
        for (uint32_t i = 0; i < n; i++)
            out[i] = ok && weight[i] != 0 ? (float)(weight[i] * tl_dot(z, movie_vec(e, p->movies[i]), d)) : 0.0f;
    }
    free(A), free(weight), free(z);
    return TL_OK;
}
