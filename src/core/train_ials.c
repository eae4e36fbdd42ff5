/* iALS with rating-value confidence (train.h, train_ials.h).
 *
 * Every solve runs in double with plain + - * / and sqrt (correctly
 * rounded everywhere) in a fixed order, so the native and WASM builds give
 * the same tables. The initialisation uses no libm at all (Irwin-Hall). */
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "train_ials.h"
#include "towerlens/rng.h"

typedef struct csr {
    uint32_t *ptr;  /* n + 1 */
    uint32_t *idx;  /* the other side's row */
    float *w;       /* confidence */
} csr;

struct tl_ials {
    uint32_t n_users, n_movies, dim, chunk, n_pairs;
    uint32_t user_batches, movie_batches;
    double a0, lam;
    csr by_user, by_movie;
    tl_model *model;
    double *G;      /* a0 F^T F of the side being solved against */
    double *ws;     /* tl_ials_solve_row workspace */
    double *fd;     /* one row of G's input in double */
    double user_penalty, movie_terms; /* this epoch's parts of the objective */
    size_t bytes;
};

static void *alloc_n(size_t n, size_t size, size_t *bytes)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / size) return NULL;
    *bytes += n * size;
    return malloc(n * size);
}

/* Sum of a[k] * b[k] in 4 fixed lanes folded (l0 + l1) + (l2 + l3), then
 * the tail: the same order in every build. */
static double dot4(const double *a, const double *b, size_t n)
{
    double l0 = 0, l1 = 0, l2 = 0, l3 = 0;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        l0 += a[k] * b[k];
        l1 += a[k + 1] * b[k + 1];
        l2 += a[k + 2] * b[k + 2];
        l3 += a[k + 3] * b[k + 3];
    }
    double s = (l0 + l1) + (l2 + l3);
    for (; k < n; k++) s += a[k] * b[k];
    return s;
}

size_t tl_ials_workspace_doubles(size_t dim) { return dim * dim + 3 * dim; }

double tl_ials_solve_row(const double *G, const float *F, const uint32_t *idx, const float *w, size_t n, size_t dim,
                         double lambda, double *ws, float *x_out)
{
    size_t d = dim;
    double *A = ws, *b = ws + d * d, *f = b + d, *x = f + d;
    if (n == 0) {
        for (size_t k = 0; k < d; k++) x_out[k] = 0.0f;
        return 0.0;
    }
    /* lower triangle of A = G + sum_j w_j f_j f_j^T + lambda I, b = sum_j w_j f_j */
    for (size_t a = 0; a < d; a++) {
        memcpy(A + a * d, G + a * d, (a + 1) * sizeof(double));
        A[a * d + a] += lambda;
        b[a] = 0.0;
    }
    for (size_t j = 0; j < n; j++) {
        const float *fj = F + (size_t)idx[j] * d;
        double wj = w[j];
        for (size_t k = 0; k < d; k++) f[k] = fj[k];
        for (size_t a = 0; a < d; a++) {
            double s = wj * f[a];
            double *row = A + a * d;
            for (size_t c = 0; c <= a; c++) row[c] += s * f[c];
            b[a] += s;
        }
    }
    /* Cholesky A = L L^T in place (row-oriented), then L y = b, L^T x = y */
    for (size_t i = 0; i < d; i++) {
        double *Li = A + i * d;
        for (size_t j = 0; j <= i; j++) {
            const double *Lj = A + j * d;
            double s = Li[j] - dot4(Li, Lj, j);
            if (j == i) {
                if (!(s > 0.0)) { /* only without any penalty: no usable solve */
                    for (size_t k = 0; k < d; k++) x_out[k] = 0.0f;
                    return 0.0;
                }
                Li[i] = sqrt(s);
            } else {
                Li[j] = s / Lj[j];
            }
        }
    }
    for (size_t i = 0; i < d; i++) x[i] = (b[i] - dot4(A + i * d, x, i)) / A[i * d + i];
    for (size_t i = d; i-- > 0;) {
        double s = x[i];
        for (size_t k = i + 1; k < d; k++) s -= A[k * d + i] * x[k];
        x[i] = s / A[i * d + i];
    }
    for (size_t k = 0; k < d; k++) x_out[k] = (float)x[k];

    /* this row's objective terms at the stored (float) solution:
     * sum_j w_j (1 - x.f_j)^2 + x^T G x + lambda |x|^2 */
    for (size_t k = 0; k < d; k++) x[k] = x_out[k];
    double obj = 0.0;
    for (size_t j = 0; j < n; j++) {
        const float *fj = F + (size_t)idx[j] * d;
        for (size_t k = 0; k < d; k++) f[k] = fj[k];
        double e = 1.0 - dot4(x, f, d);
        obj += w[j] * e * e;
    }
    double quad = 0.0, norm = 0.0;
    for (size_t a = 0; a < d; a++) {
        /* G is symmetric: row a of the full matrix is G[a][0..a] then G[c][a] for c > a */
        double s = dot4(G + a * d, x, a + 1);
        for (size_t c = a + 1; c < d; c++) s += G[c * d + a] * x[c];
        quad += x[a] * s;
        norm += x[a] * x[a];
    }
    return obj + quad + lambda * norm;
}

/* G = a0 * sum_r f_r f_r^T over rows 0..n-1 of F, lower triangle (the
 * only part tl_ials_solve_row reads). */
static void gram(double *G, const float *F, uint32_t n, uint32_t d, double a0, double *fd)
{
    memset(G, 0, (size_t)d * d * sizeof(double));
    for (uint32_t r = 0; r < n; r++) {
        const float *fr = F + (size_t)r * d;
        for (uint32_t k = 0; k < d; k++) fd[k] = fr[k];
        for (uint32_t a = 0; a < d; a++) {
            double s = fd[a], *row = G + (size_t)a * d;
            for (uint32_t c = 0; c <= a; c++) row[c] += s * fd[c];
        }
    }
    for (size_t k = 0; k < (size_t)d * d; k++) G[k] *= a0;
}

typedef struct pair {
    uint32_t user, movie;
    uint8_t half;
} pair;

static int pair_cmp(const void *pa, const void *pb)
{
    const pair *a = pa, *b = pb;
    if (a->user != b->user) return a->user < b->user ? -1 : 1;
    if (a->movie != b->movie) return a->movie < b->movie ? -1 : 1;
    return 0;
}

void tl_ials_free(tl_ials *s)
{
    if (!s) return;
    free(s->by_user.ptr);
    free(s->by_user.idx);
    free(s->by_user.w);
    free(s->by_movie.ptr);
    free(s->by_movie.idx);
    free(s->by_movie.w);
    free(s->G);
    free(s->ws);
    free(s->fd);
    free(s);
}

/* N(0, sd^2) without libm: the sum of 12 uniforms minus 6 has mean 0 and
 * variance 1 (Irwin-Hall), exact enough for an initialisation. */
static void init_normal(float *t, uint32_t rows, uint32_t d, double sd, tl_rng *r)
{
    for (size_t k = 0; k < (size_t)rows * d; k++) {
        double z = -6.0;
        for (int i = 0; i < 12; i++) z += (double)(tl_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
        t[k] = (float)(z * sd);
    }
}

tl_status tl_ials_new(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_model *model,
                      tl_ials **out, tl_error *err)
{
    *out = NULL;
    tl_ials *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "out of memory creating the iALS solver");
    size_t bytes = sizeof *s;
    uint32_t n = split->n_train, d = cfg->dim, nu = ds->n_users, nm = ds->n_movies;
    s->n_users = nu;
    s->n_movies = nm;
    s->dim = d;
    s->chunk = cfg->batch_size;
    s->a0 = cfg->ials_unobserved;
    s->lam = cfg->ials_reg;
    s->model = model;
    s->user_batches = (uint32_t)(((uint64_t)nu + s->chunk - 1) / s->chunk);
    s->movie_batches = (uint32_t)(((uint64_t)nm + s->chunk - 1) / s->chunk);

    pair *p = alloc_n(n, sizeof(pair), &bytes);
    s->by_user.ptr = alloc_n((size_t)nu + 1, sizeof(uint32_t), &bytes);
    s->by_movie.ptr = alloc_n((size_t)nm + 1, sizeof(uint32_t), &bytes);
    s->G = alloc_n((size_t)d * d, sizeof(double), &bytes);
    s->ws = alloc_n(tl_ials_workspace_doubles(d), sizeof(double), &bytes);
    s->fd = alloc_n(d, sizeof(double), &bytes);
    if (!p || !s->by_user.ptr || !s->by_movie.ptr || !s->G || !s->ws || !s->fd) goto nomem;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = split->train[i];
        p[i].user = ds->r_user[row];
        p[i].movie = ds->r_movie[row];
        p[i].half = ds->r_half[row];
    }
    qsort(p, n, sizeof *p, pair_cmp);
    /* duplicates: one pair with the highest rating */
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (m > 0 && p[m - 1].user == p[i].user && p[m - 1].movie == p[i].movie) {
            if (p[i].half > p[m - 1].half) p[m - 1].half = p[i].half;
        } else {
            p[m++] = p[i];
        }
    }
    s->n_pairs = m;
    s->by_user.idx = alloc_n(m, sizeof(uint32_t), &bytes);
    s->by_user.w = alloc_n(m, sizeof(float), &bytes);
    s->by_movie.idx = alloc_n(m, sizeof(uint32_t), &bytes);
    s->by_movie.w = alloc_n(m, sizeof(float), &bytes);
    if (!s->by_user.idx || !s->by_user.w || !s->by_movie.idx || !s->by_movie.w) goto nomem;

    /* w = max(0.05, 1 + c (r - mean) / std), population std over the pairs */
    double sum = 0.0, sq = 0.0;
    for (uint32_t i = 0; i < m; i++) sum += p[i].half * 0.5;
    double mean = m ? sum / m : 0.0;
    for (uint32_t i = 0; i < m; i++) sq += (p[i].half * 0.5 - mean) * (p[i].half * 0.5 - mean);
    double sd = m ? sqrt(sq / m) : 0.0;
    double c = cfg->ials_confidence;
    memset(s->by_user.ptr, 0, ((size_t)nu + 1) * sizeof(uint32_t));
    memset(s->by_movie.ptr, 0, ((size_t)nm + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < m; i++) {
        double w = sd > 0.0 ? 1.0 + c * (p[i].half * 0.5 - mean) / sd : 1.0;
        if (w < 0.05) w = 0.05;
        s->by_user.idx[i] = p[i].movie;
        s->by_user.w[i] = (float)w;
        s->by_user.ptr[p[i].user + 1]++;
        s->by_movie.ptr[p[i].movie + 1]++;
    }
    for (uint32_t u = 0; u < nu; u++) s->by_user.ptr[u + 1] += s->by_user.ptr[u];
    for (uint32_t j = 0; j < nm; j++) s->by_movie.ptr[j + 1] += s->by_movie.ptr[j];
    /* by movie: users ascending (the pairs are sorted by user) */
    uint32_t *next = alloc_n((size_t)nm + 1, sizeof(uint32_t), &bytes);
    if (!next) goto nomem;
    memcpy(next, s->by_movie.ptr, ((size_t)nm + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < m; i++) {
        uint32_t at = next[p[i].movie]++;
        s->by_movie.idx[at] = p[i].user;
        s->by_movie.w[at] = s->by_user.w[i];
    }
    free(next);
    bytes -= ((size_t)nm + 1) * sizeof(uint32_t) + (size_t)(n ? n : 1) * sizeof(pair);
    free(p);
    p = NULL;

    tl_rng r;
    tl_rng_seed(&r, cfg->seed + 2);
    double init_sd = 0.1 / sqrt((double)d);
    init_normal(model->users, nu, d, init_sd, &r);
    init_normal(model->movies, nm, d, init_sd, &r);
    memset(model->users + (size_t)nu * d, 0, d * sizeof(float));
    memset(model->movies + (size_t)nm * d, 0, d * sizeof(float));
    s->bytes = bytes;
    *out = s;
    return TL_OK;

nomem:
    free(p);
    tl_ials_free(s);
    return tl_fail(err, TL_E_NOMEM, "out of memory for the iALS solver (%u train rows, dimension %u)", n, d);
}

size_t tl_ials_bytes(const tl_ials *s) { return s->bytes; }
uint32_t tl_ials_batches_per_epoch(const tl_ials *s) { return s->user_batches + s->movie_batches; }
uint32_t tl_ials_pairs(const tl_ials *s) { return s->n_pairs; }

double tl_ials_batch(tl_ials *s, uint32_t batch, uint64_t *pairs, double *objective)
{
    uint32_t d = s->dim;
    int user_side = batch < s->user_batches;
    uint32_t b = user_side ? batch : batch - s->user_batches;
    const csr *rows = user_side ? &s->by_user : &s->by_movie;
    float *X = user_side ? s->model->users : s->model->movies;
    const float *F = user_side ? s->model->movies : s->model->users;
    uint32_t n_rows = user_side ? s->n_users : s->n_movies;
    uint32_t n_other = user_side ? s->n_movies : s->n_users;
    if (b == 0) {
        gram(s->G, F, n_other, d, s->a0, s->fd);
        if (user_side) s->user_penalty = 0.0;
        else s->movie_terms = 0.0;
    }
    uint32_t r0 = b * s->chunk, r1 = n_rows - r0 < s->chunk ? n_rows : r0 + s->chunk;
    double loss = 0.0;
    uint64_t seen = 0;
    for (uint32_t r = r0; r < r1; r++) {
        uint32_t lo = rows->ptr[r], cnt = rows->ptr[r + 1] - lo;
        double wsum = 0.0;
        for (uint32_t j = 0; j < cnt; j++) wsum += rows->w[lo + j];
        double lambda = s->lam * (wsum + s->a0 * n_other);
        float *x = X + (size_t)r * d;
        double t = tl_ials_solve_row(s->G, F, rows->idx + lo, rows->w + lo, cnt, d, lambda, s->ws, x);
        loss += t;
        seen += cnt;
        if (user_side) {
            double norm = 0.0;
            for (uint32_t k = 0; k < d; k++) norm += (double)x[k] * x[k];
            s->user_penalty += lambda * norm;
        } else {
            s->movie_terms += t;
        }
    }
    *pairs = seen;
    if (objective) *objective = s->movie_terms + s->user_penalty;
    return loss;
}
