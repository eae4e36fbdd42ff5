/* Imported factors serve like every dot-product model (embed_scorer.c), but
 * a visitor is folded in the way their training implies when the model file
 * records it (Spark ALS or implicit ALS: imported_foldin.c), and its
 * reasons ("because you rated") are then that system's terms; otherwise
 * with towerlens' own fold-in and reasons (embed_explain.c). */
#include <stdlib.h>
#include <string.h>

#include "models/embed/embed_internal.h"
#include "models/models_internal.h"
#include "towerlens/imported.h"
#include "towerlens/kernels.h"

typedef struct imported_scorer {
    tl__embed_scorer e; /* first: a tl_scorer * is an imported_scorer * */
    tl_import_foldin als;
} imported_scorer;

static tl_status fold_in(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                         tl_error *err)
{
    (void)opt;
    const imported_scorer *im = (const imported_scorer *)s;
    return tl_import_foldin_solve(s->ds, &im->e.emb, &im->als, p->movies, p->stars, p->n, state, err);
}

/* "Because you rated" by the recorded fold-in's own system: it solves
 * A u = sum_i t_i y_i (ALS: A = sum_i y_i y_i^T + reg n I, t_i = r_i; IALS:
 * A = M^T M + sum_i alpha r_i y_i y_i^T + reg n I, t_i = 1 + alpha r_i), so
 * the score of movie j is exactly sum_i t_i y_j^T A^-1 y_i: that term is
 * rating i's share (0 when A is singular). */
static tl_status explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                         uint32_t n_targets, float *contrib, tl_error *err)
{
    (void)state;
    const imported_scorer *im = (const imported_scorer *)s;
    const tl_embeddings *emb = &im->e.emb;
    const uint32_t d = emb->dim, n = p->n;
    const size_t dd = (size_t)d * d;
    double *A = calloc(2 * dd + 3 * (size_t)d, sizeof *A), *t = malloc((size_t)n * sizeof *t);
    float *z = malloc((size_t)d * sizeof *z);
    if (!A || !t || !z) {
        free(A), free(t), free(z);
        return tl_fail(err, TL_E_NOMEM, "explain: out of memory for %u rated movies", n);
    }
    double *L = A + dd, *b = L + dd, *x = b + d, *inv = x + d;
    int implicit = im->als.kind == TL_IMPORT_FOLDIN_IALS;
    for (uint32_t m = 0; implicit && m < s->ds->n_movies; m++) /* M^T M over every movie row, as the fold-in */
        for (uint32_t a = 0; a < d; a++)
            for (uint32_t c = 0; c <= a; c++)
                A[a * d + c] +=
                    (double)emb->movies[(size_t)m * emb->ld_movies + a] * emb->movies[(size_t)m * emb->ld_movies + c];
    for (uint32_t i = 0; i < n; i++) {
        const float *v = emb->movies + (size_t)p->movies[i] * emb->ld_movies;
        double r = p->stars ? p->stars[i] : 1.0;
        double w = implicit ? im->als.alpha * r : 1.0;
        t[i] = implicit ? 1.0 + im->als.alpha * r : r;
        for (uint32_t a = 0; a < d; a++)
            for (uint32_t c = 0; c <= a; c++) A[a * d + c] += w * v[a] * v[c];
    }
    for (uint32_t a = 0; a < d; a++) A[a * d + a] += (double)im->als.reg * n;
    for (uint32_t q = 0; q < n_targets; q++) {
        const float *y = emb->movies + (size_t)targets[q] * emb->ld_movies;
        for (uint32_t a = 0; a < d; a++) b[a] = y[a];
        memcpy(L, A, dd * sizeof *L);
        int ok = tl_cholesky_solve_f64(L, b, x, inv, d);
        for (uint32_t a = 0; a < d; a++) z[a] = (float)x[a];
        for (uint32_t i = 0; i < n; i++)
            contrib[(size_t)q * n + i] =
                ok ? (float)(t[i] * tl_dot(z, emb->movies + (size_t)p->movies[i] * emb->ld_movies, d)) : 0.0f;
    }
    free(A), free(t), free(z);
    return TL_OK;
}

static void release(tl_scorer *s)
{
    tl__embed_scorer_release((tl__embed_scorer *)s);
    free(s);
}

tl_status tl__imported_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                            tl_scorer **out, tl_error *err)
{
    *out = NULL;
    tl_embeddings emb;
    tl_status st = tl__embed_tables(ds, t, n_t, &emb, err);
    if (st != TL_OK) return st;
    imported_scorer *im = calloc(1, sizeof *im);
    if (!im) return tl_fail(err, TL_E_NOMEM, "scorer: out of memory");
    st = tl__embed_scorer_init(&im->e, ds, &emb, err);
    if (st != TL_OK) {
        free(im);
        return st;
    }
    im->e.ops.free = release; /* e.ops: the dot-product scorer's, with this fold-in when recorded */
    if (tl_import_foldin_from_config(config_json, &im->als)) im->e.ops.fold_in = fold_in, im->e.ops.explain = explain;
    *out = &im->e.base;
    return TL_OK;
}
