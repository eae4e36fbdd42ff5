/* Fold-in for imported Spark ALS factors: the same normal equations Spark
 * solves for a user in its last half-iteration, so a visitor who rated
 * what a trained user rated gets that user's vector back. Kept apart from
 * embed_foldin.c (towerlens' own objectives); chosen by the model config. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towerlens/foldin.h"
#include "towerlens/imported.h"

/* The value after "key": inside [p, end), as a pointer, or NULL. */
static const char *json_value(const char *p, const char *end, const char *key)
{
    size_t k = strlen(key);
    for (const char *q = p; q + k + 3 <= end; q++)
        if (q[0] == '"' && !strncmp(q + 1, key, k) && q[k + 1] == '"' && q[k + 2] == ':') return q + k + 3;
    return NULL;
}

int tl_import_foldin_from_config(const char *config_json, tl_import_foldin *out)
{
    out->kind = TL_IMPORT_FOLDIN_DEFAULT, out->reg = 0, out->alpha = 0;
    if (!config_json) return 0;
    const char *end = config_json + strlen(config_json);
    const char *obj = json_value(config_json, end, "foldin");
    if (!obj || *obj != '{') return 0;
    const char *close = strchr(obj, '}');
    if (!close) return 0;
    const char *method = json_value(obj, close, "method");
    if (!method) return 0;
    if (!strncmp(method, "\"als\"", 5)) out->kind = TL_IMPORT_FOLDIN_ALS;
    else if (!strncmp(method, "\"ials\"", 6)) out->kind = TL_IMPORT_FOLDIN_IALS;
    else return 0;
    const char *reg = json_value(obj, close, "reg"), *alpha = json_value(obj, close, "alpha");
    out->reg = reg ? strtof(reg, NULL) : 0.1f;
    out->alpha = alpha ? strtof(alpha, NULL) : 1.0f;
    return 1;
}

/* A x = b for symmetric positive definite A (lower triangle used, d x d,
 * overwritten); 0 when A is not positive definite. */
static int solve_spd(double *A, double *b, uint32_t d)
{
    for (uint32_t j = 0; j < d; j++) {
        for (uint32_t i = j; i < d; i++) {
            double s = A[i * d + j];
            for (uint32_t k = 0; k < j; k++) s -= A[i * d + k] * A[j * d + k];
            if (i == j) {
                if (!(s > 0)) return 0;
                A[j * d + j] = sqrt(s);
            } else {
                A[i * d + j] = s / A[j * d + j];
            }
        }
    }
    for (uint32_t i = 0; i < d; i++) {
        for (uint32_t k = 0; k < i; k++) b[i] -= A[i * d + k] * b[k];
        b[i] /= A[i * d + i];
    }
    for (uint32_t i = d; i-- > 0;) {
        for (uint32_t k = i + 1; k < d; k++) b[i] -= A[k * d + i] * b[k];
        b[i] /= A[i * d + i];
    }
    return 1;
}

static void add_outer_lower(double *A, const float *m, double w, uint32_t d)
{
    for (uint32_t a = 0; a < d; a++)
        for (uint32_t c = 0; c <= a; c++) A[a * d + c] += w * m[a] * m[c];
}

tl_status tl_import_foldin_solve(const tl_dataset *ds, const tl_embeddings *emb, const tl_import_foldin *f,
                                 const uint32_t *movies, const float *ratings, uint32_t n, float *user_out,
                                 tl_error *err)
{
    if (!ds || !emb || !f || !user_out) return tl_fail(err, TL_E_ARG, "fold-in: missing model or output");
    if (f->kind != TL_IMPORT_FOLDIN_ALS && f->kind != TL_IMPORT_FOLDIN_IALS)
        return tl_fail(err, TL_E_ARG, "fold-in: the model records no Spark ALS fold-in");
    if (n == 0 || !movies) return tl_fail(err, TL_E_ARG, "fold-in: at least one rated movie is needed");
    if (!(f->reg >= 0) || !(f->alpha >= 0))
        return tl_fail(err, TL_E_ARG, "fold-in: reg and alpha must not be negative");
    tl_status checked = tl_foldin_check_ratings(ds, movies, ratings, n, err);
    if (checked != TL_OK) return checked;
    uint32_t d = emb->dim;
    double *A = calloc((size_t)d * d + d, sizeof *A);
    if (!A) return tl_fail(err, TL_E_NOMEM, "fold-in: out of memory");
    double *b = A + (size_t)d * d;
    int implicit = f->kind == TL_IMPORT_FOLDIN_IALS;
    if (implicit) /* M^T M over every movie row (Spark's YtY over all items) */
        for (uint32_t m = 0; m < ds->n_movies; m++)
            add_outer_lower(A, emb->movies + (size_t)m * emb->ld_movies, 1.0, d);
    uint32_t distinct = 0;
    for (uint32_t i = n; i-- > 0;) { /* the last rating of a movie given twice wins */
        int later = 0;
        for (uint32_t j = i + 1; j < n && !later; j++) later = movies[j] == movies[i];
        if (later) continue;
        distinct++;
        const float *v = emb->movies + (size_t)movies[i] * emb->ld_movies;
        double r = ratings ? ratings[i] : 1.0;
        double w = implicit ? f->alpha * r : 1.0, t = implicit ? 1.0 + f->alpha * r : r;
        add_outer_lower(A, v, w, d);
        for (uint32_t a = 0; a < d; a++) b[a] += t * v[a];
    }
    double lambda = (double)f->reg * distinct;
    for (uint32_t a = 0; a < d; a++) A[a * d + a] += lambda;
    if (!solve_spd(A, b, d)) {
        free(A);
        return tl_fail(err, TL_E_STATE,
                       "fold-in: the system is singular (fewer rated movies than factors and reg 0); rate more "
                       "movies or import with a positive --reg");
    }
    for (uint32_t a = 0; a < d; a++) user_out[a] = (float)b[a];
    free(A);
    return TL_OK;
}
