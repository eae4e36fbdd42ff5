/* The visitor prior of the dot-product scorer (docs/training.md "Visitors:
 * a popularity prior in the fold-in"): a visitor folded in from k ratings
 * ranks the catalogue movies outside the profile P by
 *     z(u . m_j) + w(k) z(ln(1 + L_j))
 * (z: standardised over those movies, population sd). z is affine and a
 * ranking ignores constants, so with sd_s, sd_p the two sds this ranks like
 *     u . m_j + c p_j,   p_j = ln(1 + L_j),   c = w(k) sd_s / sd_p:
 * the visitor's state is u then c, and the score adds c p_j when c != 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed_internal.h"
#include "towerlens/kernels.h"

tl_status tl__embed_prior_open(tl__embed_scorer *e, const tl_tensor *t, uint32_t n_t, tl_error *err)
{
    const tl_tensor *liked = tl_tensor_find(t, n_t, "liked"), *w = tl_tensor_find(t, n_t, "visitor_prior");
    if (!liked || !w) return TL_OK; /* written before the prior: the plain fold-in */
    uint32_t nm = e->base.ds->n_movies;
    if (liked->rows != nm + 1 || liked->cols != 1)
        return tl_fail(err, TL_E_CORRUPT, "model: the \"liked\" tensor is %u x %u, expected %u x 1", liked->rows,
                       liked->cols, nm + 1);
    if ((size_t)w->rows * w->cols != 2)
        return tl_fail(err, TL_E_CORRUPT, "model: the \"visitor_prior\" tensor is %u x %u, expected 1 x 2", w->rows,
                       w->cols);
    float w3 = w->data[0], w10 = w->data[1];
    if (!(w3 >= 0.0f && w3 <= 1e3f) || !(w10 >= 0.0f && w10 <= 1e3f))
        return tl_fail(err, TL_E_CORRUPT, "model: visitor prior weights %g, %g are outside 0-1000", (double)w3,
                       (double)w10);
    for (uint32_t j = 0; j <= nm; j++)
        if (!(liked->data[j] >= 0.0f && liked->data[j] < 1e12f))
            return tl_fail(err, TL_E_CORRUPT, "model: liked count %g of movie row %u is invalid",
                           (double)liked->data[j], j);
    if (w3 == 0.0f && w10 == 0.0f) return TL_OK; /* off: states and scores as without it */
    e->prior = malloc(((size_t)nm + 1) * sizeof *e->prior);
    if (!e->prior) return tl_fail(err, TL_E_NOMEM, "scorer: out of memory for the visitor prior");
    for (uint32_t j = 0; j <= nm; j++) e->prior[j] = (float)tl_log(1.0 + (double)liked->data[j]);
    e->w3 = w3;
    e->w10 = w10;
    e->base.state_floats = e->emb.dim + 1;
    return TL_OK;
}

/* w(k): w3 at k <= 3, w10 at k >= 10, linear in ln k between. */
static double weight(const tl__embed_scorer *e, uint32_t k)
{
    if (k <= 3) return e->w3;
    if (k >= 10) return e->w10;
    return e->w3 + ((double)e->w10 - e->w3) * tl_log(k / 3.0) / tl_log(10.0 / 3.0);
}

tl_status tl__embed_prior_blend(tl__embed_scorer *e, const tl_profile *p, float *state, tl_error *err)
{
    const tl_dataset *ds = e->base.ds;
    uint32_t d = e->emb.dim, nm = ds->n_movies;
    state[d] = 0.0f;
    double w = weight(e, p->n);
    if (!(w > 0)) return TL_OK;
    float *s = malloc(((size_t)nm + 1) * sizeof *s);
    uint8_t *in_profile = calloc((size_t)nm + 1, 1);
    if (!s || !in_profile) {
        free(s), free(in_profile);
        return tl_fail(err, TL_E_NOMEM, "fold-in: out of memory for the visitor prior");
    }
    tl_gemv(e->emb.movies, nm, e->emb.ld_movies, state, d, s);
    for (uint32_t i = 0; i < p->n; i++) in_profile[p->movies[i]] = 1;
    /* two passes in catalogue order: means, then population variances */
    double n = 0, ms = 0, mp = 0, vs = 0, vp = 0;
    for (uint32_t i = 0; i < e->n_cat; i++) {
        uint32_t m = e->cat[i];
        if (in_profile[m]) continue;
        n += 1, ms += s[m], mp += e->prior[m];
    }
    if (n > 0) {
        ms /= n, mp /= n;
        for (uint32_t i = 0; i < e->n_cat; i++) {
            uint32_t m = e->cat[i];
            if (in_profile[m]) continue;
            double a = s[m] - ms, b = e->prior[m] - mp;
            vs += a * a, vp += b * b;
        }
        double sd_s = sqrt(vs / n), sd_p = sqrt(vp / n);
        if (sd_p >= 1e-12) { /* else z(p) = 0: the plain fold-in ranks alike */
            if (sd_s >= 1e-12) {
                state[d] = (float)(w * sd_s / sd_p);
            } else { /* z(s) = 0: the prior alone ranks */
                memset(state, 0, d * sizeof *state);
                state[d] = 1.0f;
            }
        }
    }
    free(s), free(in_profile);
    return TL_OK;
}
