/* iALS with rating-value confidence (train.h, train_ials.h).
 *
 * A row solve forms A = G + sum_j w_j f_j f_j^T + lambda I and b = sum_j
 * w_j f_j: the observed f_j are gathered GATHER at a time, their rank-m
 * update is one float GEMM (kernels.h: fixed summation order, bit-identical
 * natively and in WASM SIMD128) over the 4 x 8 tiles that touch the lower
 * triangle, and each gathered block's float sums are added into A in
 * double. Cholesky and the triangular solves run in double with + - * /
 * and sqrt (correctly rounded everywhere) in a fixed order, so the native
 * and WASM builds give the same tables. The initialisation uses no libm at
 * all (Irwin-Hall). */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "models/models_internal.h"
#include "towerlens/kernels.h"
#include "towerlens/rng.h"
#include "train_ials.h"

#define GATHER 64                    /* observed rows per float rank-m update */
#define GRAM_ROWS 2048               /* rows of the other side per Gram task (a double partial each) ... */
#define GRAM_PARTS_BYTES (64u << 20) /* ... unless the partials would pass this: fewer, longer tasks */
/* CG: a row's other-side vectors are gathered once per solve into a buffer
 * of this size per worker (longer rows are read in place every pass) */
#define CG_GATHER_BYTES (4u << 20)

typedef struct csr {
    uint32_t *ptr; /* n + 1 */
    uint32_t *idx; /* the other side's row, ascending within a row */
    uint8_t *half; /* the rating in half stars; its confidence is conf[half] */
} csr;

/* One side's rows, batches and tasks. */
typedef struct side {
    csr rows; /* idx: positions in the other side's hot copy */
    uint32_t n_rows, n_other;
    /* this side's table in hot order (the rows with the most pairs first),
     * the one the other side's solves read: a row's f_j are the same floats
     * in the same order, gathered from fewer pages */
    float *hot;
    uint32_t *hot_pos; /* n_rows: a row's position in hot */
    uint32_t n_batches, n_tasks;
    uint32_t *task_row;   /* n_tasks + 1: the first row of each task */
    uint32_t *batch_task; /* n_batches + 1: the first task of each batch */
} side;

/* A worker's scratch (carved from tl_ials_workspace_doubles(d) doubles). */
typedef struct scratch {
    double *A, *b, *x, *inv; /* inv: 1 / the diagonal of the Cholesky factor */
    float *P, *bf, *S1, *S2; /* float partial of A's lower tiles, of b, the gathered w_j f_j and f_j */
} scratch;

struct tl__ials {
    uint32_t dim, chunk, n_pairs, workers;
    tl_ials_solver solver;
    uint32_t cg_steps;
    double a0, lam;
    float conf[256]; /* confidence of a pair by its half stars */
    side user, movie;
    tl_model *model;
    double *G;        /* a0 F^T F of the side being solved against (lower triangle) */
    float *Gf;        /* TL_IALS_CG: all of G in float, for G p */
    float *w;         /* TL_IALS_CG: workers x max_row, a row's confidences */
    double *pair_ws;  /* TL_IALS_CG: workers x tl_ials_cg_pair_doubles(max_row) */
    uint32_t max_row; /* the most pairs in one row of either side */
    float *gather;    /* TL_IALS_CG: workers x gather_rows rows of dim floats */
    uint32_t gather_rows;
    double *parts; /* per Gram task: its double partial */
    double *ws;    /* workers x tl_ials_workspace_doubles(dim) */
    size_t ws_doubles;
    /* the batch in progress */
    int in_batch, in_gram; /* in_gram: the side's Gram tasks come first */
    uint32_t batch;
    uint32_t *pending; /* tasks of the phase (Gram tasks, or the batch's as offsets from its first) not yet run */
    uint32_t n_pending;
    double *task_loss, *task_obj; /* per task of the batch: objective terms, its part of the epoch objective */
    uint64_t *task_pairs;
    uint8_t *task_done;
    atomic_int stop;
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

/* The rows a solve gathers are scattered over the other side's table
 * (tens of MB at ml-25m's size): ask for a row this many pairs ahead.
 * Natively only (WASM has no prefetch); it never changes a result. */
#define PREFETCH_AHEAD 8
static inline void prefetch_row(const float *row, size_t d)
{
#if defined(__GNUC__) && !defined(__wasm__)
    for (size_t k = 0; k < d; k += 16) __builtin_prefetch(row + k);
#else
    (void)row;
    (void)d;
#endif
}

/* Pairs in the group of up to GATHER that starts at j of n. */
static inline size_t group_len(size_t n, size_t j) { return n - j < GATHER ? n - j : GATHER; }

static size_t scratch_floats(size_t d) { return d * d + d + 2 * (size_t)GATHER * d; }

size_t tl_ials_workspace_doubles(size_t dim) { return dim * dim + 3 * dim + (scratch_floats(dim) + 1) / 2; }

static void carve(double *ws, size_t d, scratch *s)
{
    s->A = ws;
    s->b = ws + d * d;
    s->x = s->b + d;
    s->inv = s->x + d;
    float *f = (float *)(s->inv + d);
    s->P = f;
    s->bf = f + d * d;
    s->S1 = s->bf + d;
    s->S2 = s->S1 + (size_t)GATHER * d;
}

/* A's lower triangle += sum_i S1[i]^T S2[i] over m rows (row stride d):
 * the float sums of the 4 x 8 tiles touching the lower triangle (P, from
 * zero), then added into A in double. */
static void rank_update(double *A, const float *S1, const float *S2, size_t m, size_t d, float *P)
{
    for (size_t j0 = 0; j0 < d; j0 += 4) {
        size_t nb = d - j0 < 4 ? d - j0 : 4;
        size_t width = (j0 + nb + 7) & ~(size_t)7;
        if (width > d) width = d;
        for (size_t r = j0; r < j0 + nb; r++) memset(P + r * d, 0, width * sizeof(float));
        tl_gemm_atb_acc(S1 + j0, m, d, nb, S2, d, width, P + j0 * d, d);
    }
    for (size_t a = 0; a < d; a++) {
        double *Ar = A + a * d;
        const float *Pr = P + a * d;
        for (size_t c = 0; c <= a; c++) Ar[c] += Pr[c];
    }
}

/* The row solve of tl_ials_solve_row; the weights are w[j] when w is given,
 * else conf[half[j]]. */
static double solve_row(const double *G, const float *F, const uint32_t *idx, const float *w, const uint8_t *half,
                        const float *conf, size_t n, size_t d, double lambda, scratch *s, float *x_out)
{
    double *A = s->A, *b = s->b, *x = s->x, *inv = s->inv;
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
    tl__ials_touch_rows(F, idx, group_len(n, 0), d);
    for (size_t j0 = 0; j0 < n; j0 += GATHER) {
        size_t m = group_len(n, j0);
        for (size_t i = 0; i < m; i++) {
            const float *f = F + (size_t)idx[j0 + i] * d;
            if (j0 + i + PREFETCH_AHEAD < n) prefetch_row(F + (size_t)idx[j0 + i + PREFETCH_AHEAD] * d, d);
            float wj = w ? w[j0 + i] : conf[half[j0 + i]];
            float *s1 = s->S1 + i * d, *s2 = s->S2 + i * d;
            for (size_t k = 0; k < d; k++) {
                s2[k] = f[k];
                s1[k] = wj * f[k];
            }
        }
        /* the next group's rows start coming while this group is summed */
        if (j0 + GATHER < n) tl__ials_touch_rows(F, idx + j0 + GATHER, group_len(n, j0 + GATHER), d);
        memset(s->bf, 0, d * sizeof(float));
        for (size_t i = 0; i < m; i++) tl_axpy(1.0f, s->S1 + i * d, s->bf, d);
        rank_update(A, s->S1, s->S2, m, d, s->P);
        for (size_t a = 0; a < d; a++) b[a] += s->bf[a];
    }
    if (!tl_cholesky_solve_f64(A, b, x, inv, d)) { /* only without any penalty: no usable solve */
        for (size_t k = 0; k < d; k++) x_out[k] = 0.0f;
        return 0.0;
    }
    for (size_t k = 0; k < d; k++) x_out[k] = (float)x[k];

    /* this row's objective terms at the stored (float) solution:
     * sum_j w_j (1 - x.f_j)^2 + x^T G x + lambda |x|^2 */
    for (size_t k = 0; k < d; k++) x[k] = x_out[k];
    double obj = 0.0;
    for (size_t j = 0; j < n; j++) {
        /* a row of at most GATHER pairs still has them gathered in S2; a
         * longer one reads F again, touched a group at a time */
        if (n > GATHER && j % GATHER == 0) tl__ials_touch_rows(F, idx + j, group_len(n, j), d);
        const float *fj = n <= GATHER ? s->S2 + j * d : F + (size_t)idx[j] * d;
        double e = 1.0 - (double)tl_dot(x_out, fj, d);
        obj += (double)(w ? w[j] : conf[half[j]]) * e * e;
    }
    return obj + tl__ials_penalty_terms(G, x, d, lambda);
}

double tl__ials_penalty_terms(const double *G, const double *x, size_t d, double lambda)
{
    /* x^T G x from the lower triangle: sum_a x_a (G[a][a] x_a + 2 G[a][0..a) . x[0..a)) */
    double quad = 0.0, norm = 0.0;
    for (size_t a = 0; a < d; a++) {
        const double *Ga = G + a * d;
        quad += x[a] * (Ga[a] * x[a] + 2.0 * tl_dot_f64(Ga, x, a));
        norm += x[a] * x[a];
    }
    return quad + lambda * norm;
}

double tl_ials_solve_row(const double *G, const float *F, const uint32_t *idx, const float *w, size_t n, size_t dim,
                         double lambda, double *ws, float *x_out)
{
    scratch s;
    carve(ws, dim, &s);
    return solve_row(G, F, idx, w, NULL, NULL, n, dim, lambda, &s, x_out);
}

/* ---- setup ------------------------------------------------------------- */

static void free_side(side *sd)
{
    free(sd->rows.ptr);
    free(sd->rows.idx);
    free(sd->rows.half);
    free(sd->hot);
    free(sd->hot_pos);
    free(sd->task_row);
    free(sd->batch_task);
}

void tl__ials_free(tl__ials *s)
{
    if (!s) return;
    free_side(&s->user);
    free_side(&s->movie);
    free(s->G);
    free(s->Gf);
    free(s->w);
    free(s->pair_ws);
    free(s->gather);
    free(s->parts);
    free(s->ws);
    free(s->pending);
    free(s->task_loss);
    free(s->task_obj);
    free(s->task_pairs);
    free(s->task_done);
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

/* Counts (ptr[r + 1] = count of row r) to starts (ptr[r] = row r's start). */
static void prefix(uint32_t *ptr, uint32_t n)
{
    for (uint32_t r = 0; r < n; r++) ptr[r + 1] += ptr[r];
}

/* ptr[r] was advanced from row r's start to its end by a scatter: shift
 * back so ptr[r] is row r's start again. */
static void unshift(uint32_t *ptr, uint32_t n)
{
    for (uint32_t r = n; r > 0; r--) ptr[r] = ptr[r - 1];
    ptr[0] = 0;
}

/* `to` = the rows of `from` bucketed by their entries (n_to buckets): a
 * counting sort, stable, so each bucket lists the `from` rows ascending. */
static void transpose(const csr *from, uint32_t n_from, csr *to, uint32_t n_to)
{
    memset(to->ptr, 0, ((size_t)n_to + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < from->ptr[n_from]; i++) to->ptr[from->idx[i] + 1]++;
    prefix(to->ptr, n_to);
    for (uint32_t r = 0; r < n_from; r++)
        for (uint32_t i = from->ptr[r]; i < from->ptr[r + 1]; i++) {
            uint32_t at = to->ptr[from->idx[i]]++;
            to->idx[at] = r;
            to->half[at] = from->half[i];
        }
    unshift(to->ptr, n_to);
}

/* Both sides' rows without a comparison sort: the train pairs bucketed by
 * movie, then those buckets, movies ascending, bucketed by user, so each
 * user's movies come out ascending (a radix sort); a user's duplicate
 * movies are then neighbours and merge into the highest rating. The movie
 * rows are rebuilt from the user rows (users ascending). The dataset is
 * read in row order (`train` marks the split's train rows), never in the
 * split's permuted order. Needs u's and mv's arrays allocated for all n
 * train rows; returns the distinct pairs. */
static uint32_t build_rows(const tl_dataset *ds, const uint8_t *train, csr *u, csr *mv, uint32_t nu, uint32_t nm)
{
    uint32_t nr = ds->n_ratings;
    memset(mv->ptr, 0, ((size_t)nm + 1) * sizeof(uint32_t));
    for (uint32_t row = 0; row < nr; row++)
        if (train[row]) mv->ptr[ds->r_movie[row] + 1]++;
    prefix(mv->ptr, nm);
    for (uint32_t row = 0; row < nr; row++)
        if (train[row]) {
            uint32_t at = mv->ptr[ds->r_movie[row]]++;
            mv->idx[at] = ds->r_user[row];
            mv->half[at] = ds->r_half[row];
        }
    unshift(mv->ptr, nm);
    transpose(mv, nm, u, nu);
    /* merge duplicates, compacting to the left */
    uint32_t m = 0;
    for (uint32_t r = 0; r < nu; r++) {
        uint32_t lo = u->ptr[r], hi = u->ptr[r + 1];
        u->ptr[r] = m;
        for (uint32_t i = lo; i < hi; i++) {
            if (m > u->ptr[r] && u->idx[m - 1] == u->idx[i]) {
                if (u->half[i] > u->half[m - 1]) u->half[m - 1] = u->half[i];
                continue;
            }
            u->idx[m] = u->idx[i];
            u->half[m] = u->half[i];
            m++;
        }
    }
    u->ptr[nu] = m;
    /* the movie rows again, from the distinct pairs */
    transpose(u, nu, mv, nm);
    return m;
}

/* w = max(0.05, 1 + c (r - mean) / std) per half-star value, with the
 * population mean and std of the distinct pairs' ratings. */
static void confidences(tl__ials *s, const uint8_t *half, uint32_t m, double c)
{
    uint64_t count[256] = {0};
    for (uint32_t i = 0; i < m; i++) count[half[i]]++;
    double sum = 0.0, sq = 0.0;
    for (int h = 0; h < 256; h++) sum += (double)count[h] * (h * 0.5);
    double mean = m ? sum / m : 0.0;
    for (int h = 0; h < 256; h++) sq += (double)count[h] * ((h * 0.5 - mean) * (h * 0.5 - mean));
    double sd = m ? sqrt(sq / m) : 0.0;
    for (int h = 0; h < 256; h++) {
        double w = sd > 0.0 ? 1.0 + c * (h * 0.5 - mean) / sd : 1.0;
        if (w < 0.05) w = 0.05;
        s->conf[h] = (float)w;
    }
}

/* Batches of `chunk` rows, each cut into tasks of about TL_IALS_TASK_COST
 * pairs of work; returns the most tasks in one batch, 0 when out of memory. */
static uint32_t plan_side(side *sd, uint32_t chunk, uint32_t d, size_t *bytes)
{
    sd->n_batches = (uint32_t)(((uint64_t)sd->n_rows + chunk - 1) / chunk);
    uint64_t n_tasks = 0;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t t = 0, most = 0;
        for (uint32_t b = 0; b < sd->n_batches; b++) {
            uint32_t r0 = b * chunk, r1 = sd->n_rows - r0 < chunk ? sd->n_rows : r0 + chunk;
            uint32_t first = t;
            if (pass) sd->batch_task[b] = t;
            uint64_t cost = 0;
            for (uint32_t r = r0; r < r1; r++) {
                if (cost == 0 && pass) sd->task_row[t] = r;
                cost += (uint64_t)(sd->rows.ptr[r + 1] - sd->rows.ptr[r]) + d + 16;
                if (cost >= TL_IALS_TASK_COST || r + 1 == r1) {
                    t++;
                    cost = 0;
                }
            }
            if (t - first > most) most = t - first;
        }
        if (pass == 0) {
            n_tasks = t;
            sd->n_tasks = t;
            sd->task_row = alloc_n(n_tasks + 1, sizeof(uint32_t), bytes);
            sd->batch_task = alloc_n((size_t)sd->n_batches + 1, sizeof(uint32_t), bytes);
            if (!sd->task_row || !sd->batch_task) return 0;
        } else {
            sd->task_row[t] = sd->n_rows;
            sd->batch_task[sd->n_batches] = t;
            return most ? most : 1;
        }
    }
    return 0;
}

static uint32_t longest_row(const side *sd)
{
    uint32_t most = 0;
    for (uint32_t r = 0; r < sd->n_rows; r++)
        if (sd->rows.ptr[r + 1] - sd->rows.ptr[r] > most) most = sd->rows.ptr[r + 1] - sd->rows.ptr[r];
    return most;
}

/* Rows per Gram task for n rows: GRAM_ROWS, or more when the partials
 * would pass GRAM_PARTS_BYTES (it depends on n and d only). */
static uint32_t gram_rows(uint32_t n, uint32_t d)
{
    uint64_t cap = GRAM_PARTS_BYTES / ((uint64_t)d * d * sizeof(double));
    if (cap == 0) cap = 1;
    uint64_t per = ((uint64_t)n + cap - 1) / cap;
    return per > GRAM_ROWS ? (uint32_t)per : GRAM_ROWS;
}

static uint32_t gram_task_count(uint32_t n, uint32_t d)
{
    uint32_t per = gram_rows(n, d);
    return (uint32_t)(((uint64_t)n + per - 1) / per);
}

/* sd->hot_pos: the side's rows by pairs, most first, ties by row (a
 * counting sort, stable), and its hot table on cache lines; 0 when out of
 * memory. */
static int hot_order(side *sd, uint32_t d, size_t *bytes)
{
    uint32_t n = sd->n_rows, most = longest_row(sd);
    uint32_t *start = calloc((size_t)most + 2, sizeof *start);
    sd->hot_pos = alloc_n(n, sizeof(uint32_t), bytes);
    size_t floats = (size_t)n * d;
    *bytes += (floats + 64 / sizeof(float)) * sizeof(float); /* with the line padding */
    sd->hot = tl__table_alloc(floats);
    if (!start || !sd->hot_pos || !sd->hot) {
        free(start);
        return 0;
    }
    for (uint32_t r = 0; r < n; r++) start[most - (sd->rows.ptr[r + 1] - sd->rows.ptr[r]) + 1]++;
    prefix(start, most + 1);
    for (uint32_t r = 0; r < n; r++) sd->hot_pos[r] = start[most - (sd->rows.ptr[r + 1] - sd->rows.ptr[r])]++;
    free(start);
    return 1;
}

/* The pairs' other-side rows as positions in that side's hot table. */
static void to_hot(csr *rows, uint32_t n_pairs, const uint32_t *hot_pos)
{
    for (uint32_t i = 0; i < n_pairs; i++) rows->idx[i] = hot_pos[rows->idx[i]];
}

tl_status tl__ials_new(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_model *model,
                       uint32_t workers, tl__ials **out, tl_error *err)
{
    *out = NULL;
    tl__ials *s = calloc(1, sizeof *s);
    if (!s) return tl_fail(err, TL_E_NOMEM, "out of memory creating the iALS solver");
    size_t bytes = sizeof *s;
    uint32_t n = split->n_train, d = cfg->dim, nu = ds->n_users, nm = ds->n_movies;
    if (workers < 1) workers = 1;
    s->workers = workers;
    s->dim = d;
    s->chunk = cfg->batch_size;
    s->a0 = cfg->ials_unobserved;
    s->lam = cfg->ials_reg;
    s->solver = cfg->ials_solver;
    s->cg_steps = cfg->ials_cg_steps;
    s->model = model;
    s->user.n_rows = s->movie.n_other = nu;
    s->movie.n_rows = s->user.n_other = nm;
    atomic_init(&s->stop, 0);

    csr *u = &s->user.rows, *mv = &s->movie.rows;
    u->ptr = alloc_n((size_t)nu + 1, sizeof(uint32_t), &bytes);
    u->idx = alloc_n(n, sizeof(uint32_t), &bytes);
    u->half = alloc_n(n, 1, &bytes);
    mv->ptr = alloc_n((size_t)nm + 1, sizeof(uint32_t), &bytes);
    mv->idx = alloc_n(n, sizeof(uint32_t), &bytes);
    mv->half = alloc_n(n, 1, &bytes);
    if (!u->ptr || !u->idx || !u->half || !mv->ptr || !mv->idx || !mv->half) goto nomem;
    uint8_t *train = calloc(ds->n_ratings ? ds->n_ratings : 1, 1);
    if (!train) goto nomem;
    for (uint32_t i = 0; i < n; i++) train[split->train[i]] = 1;
    uint32_t m = build_rows(ds, train, u, mv, nu, nm);
    free(train);
    s->n_pairs = m;
    if (m < n && m > 0) { /* duplicates merged: give the tails back */
        uint32_t *ui = realloc(u->idx, (size_t)m * sizeof(uint32_t)),
                 *mi = realloc(mv->idx, (size_t)m * sizeof(uint32_t));
        uint8_t *uh = realloc(u->half, m), *mh = realloc(mv->half, m);
        if (ui) u->idx = ui;
        if (mi) mv->idx = mi;
        if (uh) u->half = uh;
        if (mh) mv->half = mh;
        bytes -= (size_t)(n - m) * 10;
    }
    confidences(s, u->half, m, cfg->ials_confidence);
    if (!hot_order(&s->user, d, &bytes) || !hot_order(&s->movie, d, &bytes)) goto nomem;
    to_hot(u, m, s->movie.hot_pos);
    to_hot(mv, m, s->user.hot_pos);

    uint32_t most_u = plan_side(&s->user, s->chunk, d, &bytes);
    uint32_t most_m = plan_side(&s->movie, s->chunk, d, &bytes);
    if (!most_u || !most_m) goto nomem;
    uint32_t gram_tasks = gram_task_count(nu > nm ? nu : nm, d);
    uint32_t most = most_u > most_m ? most_u : most_m;
    if (gram_tasks > most) most = gram_tasks; /* pending and task_done serve both phases */
    size_t ws = tl_ials_workspace_doubles(d);
    if (s->solver == TL_IALS_CG) {
        if (tl_ials_cg_workspace_doubles(d) > ws) ws = tl_ials_cg_workspace_doubles(d);
        s->max_row = longest_row(&s->user);
        if (longest_row(&s->movie) > s->max_row) s->max_row = longest_row(&s->movie);
        s->Gf = alloc_n((size_t)d * d, sizeof(float), &bytes);
        s->w = alloc_n((size_t)workers * s->max_row, sizeof(float), &bytes);
        s->pair_ws = alloc_n((size_t)workers * tl_ials_cg_pair_doubles(s->max_row), sizeof(double), &bytes);
        s->gather_rows = CG_GATHER_BYTES / (d * sizeof(float));
        if (s->gather_rows > s->max_row) s->gather_rows = s->max_row;
        s->gather = alloc_n((size_t)workers * s->gather_rows * d, sizeof(float), &bytes);
        if (!s->Gf || !s->w || !s->pair_ws || !s->gather) goto nomem;
    }
    s->ws_doubles = (ws + 15) & ~(size_t)15; /* whole cache lines per worker */
    s->G = alloc_n((size_t)d * d, sizeof(double), &bytes);
    s->parts = alloc_n((size_t)gram_tasks * d * d, sizeof(double), &bytes);
    s->ws = alloc_n((size_t)workers * s->ws_doubles, sizeof(double), &bytes);
    s->pending = alloc_n(most, sizeof(uint32_t), &bytes);
    s->task_loss = alloc_n(most, sizeof(double), &bytes);
    s->task_obj = alloc_n(most, sizeof(double), &bytes);
    s->task_pairs = alloc_n(most, sizeof(uint64_t), &bytes);
    s->task_done = alloc_n(most, 1, &bytes);
    if (!s->G || !s->parts || !s->ws || !s->pending || !s->task_loss || !s->task_obj || !s->task_pairs || !s->task_done)
        goto nomem;

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
    tl__ials_free(s);
    return tl_fail(err, TL_E_NOMEM, "out of memory for the iALS solver (%u train rows, dimension %u)", n, d);
}

size_t tl__ials_bytes(const tl__ials *s) { return s->bytes; }
uint32_t tl__ials_batches_per_epoch(const tl__ials *s) { return s->user.n_batches + s->movie.n_batches; }
uint32_t tl__ials_pairs(const tl__ials *s) { return s->n_pairs; }

/* ---- one epoch's work ------------------------------------------------------ */

typedef struct run_ctx {
    tl__ials *s;
    const side *sd;
    int user_side;
    float *X;       /* the table being solved */
    const float *F; /* the other side's table */
    const side *other;
    uint32_t first;  /* the batch's first task */
    tl_pool_task fn; /* the phase's task, called with its slot */
    tl_clock_fn clock;
    void *clock_ctx;
    double deadline;
} run_ctx;

/* Gram task t: the double partial sum_r f_r f_r^T over its rows of F. */
static void gram_task(void *vctx, uint32_t t, uint32_t worker)
{
    const run_ctx *c = vctx;
    tl__ials *s = c->s;
    size_t d = s->dim;
    uint32_t n = c->sd->n_other, per = gram_rows(n, s->dim);
    uint32_t r0 = t * per, r1 = n - r0 < per ? n : r0 + per;
    double *part = s->parts + (size_t)t * d * d;
    scratch sc;
    carve(s->ws + (size_t)worker * s->ws_doubles, d, &sc);
    for (size_t a = 0; a < d; a++) memset(part + a * d, 0, (a + 1) * sizeof(double));
    for (uint32_t r = r0; r < r1; r += GATHER) {
        size_t m = group_len(r1, r);
        const float *f = c->F + (size_t)r * d;
        rank_update(part, f, f, m, d, sc.P);
    }
    /* the side's solves read these rows from the hot copy */
    for (uint32_t r = r0; r < r1; r++)
        memcpy(c->other->hot + (size_t)c->other->hot_pos[r] * d, c->F + (size_t)r * d, d * sizeof(float));
}

/* G = a0 * sum_r f_r f_r^T over the other side's rows (lower triangle):
 * the Gram tasks' partials summed in task order. */
static void gram_reduce(tl__ials *s, uint32_t tasks)
{
    size_t d = s->dim;
    for (size_t a = 0; a < d; a++) memset(s->G + a * d, 0, (a + 1) * sizeof(double));
    for (uint32_t t = 0; t < tasks; t++) {
        const double *part = s->parts + (size_t)t * d * d;
        for (size_t a = 0; a < d; a++)
            for (size_t k = 0; k <= a; k++) s->G[a * d + k] += part[a * d + k];
    }
    for (size_t a = 0; a < d; a++)
        for (size_t k = 0; k <= a; k++) s->G[a * d + k] *= s->a0;
    if (s->Gf)
        for (size_t a = 0; a < d; a++)
            for (size_t k = 0; k <= a; k++) s->Gf[a * d + k] = s->Gf[k * d + a] = (float)s->G[a * d + k];
}

/* Row task (slot = its offset in the batch): solves its rows; its sums go
 * to its own slots. */
static void row_task(void *vctx, uint32_t slot, uint32_t worker)
{
    const run_ctx *c = vctx;
    tl__ials *s = c->s;
    uint32_t t = c->first + slot;
    const side *sd = c->sd;
    const csr *rows = &sd->rows;
    size_t d = s->dim;
    scratch sc;
    carve(s->ws + (size_t)worker * s->ws_doubles, d, &sc);
    double loss = 0.0, obj = 0.0, a0n = s->a0 * sd->n_other;
    uint64_t seen = 0;
    for (uint32_t r = sd->task_row[t]; r < sd->task_row[t + 1]; r++) {
        uint32_t lo = rows->ptr[r], cnt = rows->ptr[r + 1] - lo;
        double wsum = 0.0;
        for (uint32_t j = 0; j < cnt; j++) wsum += s->conf[rows->half[lo + j]];
        double lambda = s->lam * (wsum + a0n);
        float *x = c->X + (size_t)r * d;
        double term;
        if (s->solver == TL_IALS_CG) {
            float *w = s->w + (size_t)worker * s->max_row;
            for (uint32_t j = 0; j < cnt; j++) w[j] = s->conf[rows->half[lo + j]];
            term =
                tl_ials_cg_row(s->G, s->Gf, c->other->hot, rows->idx + lo, w, cnt, d, lambda, s->cg_steps,
                               s->ws + (size_t)worker * s->ws_doubles, s->gather + (size_t)worker * s->gather_rows * d,
                               s->gather_rows, s->pair_ws + (size_t)worker * tl_ials_cg_pair_doubles(s->max_row), x);
        } else {
            term =
                solve_row(s->G, c->other->hot, rows->idx + lo, NULL, rows->half + lo, s->conf, cnt, d, lambda, &sc, x);
        }
        loss += term;
        seen += cnt;
        if (c->user_side) {
            double norm = 0.0;
            for (size_t k = 0; k < d; k++) norm += (double)x[k] * x[k];
            obj += lambda * norm;
        } else {
            obj += term;
        }
    }
    s->task_loss[slot] = loss;
    s->task_obj[slot] = obj;
    s->task_pairs[slot] = seen;
}

/* A pending task: skipped once the deadline passed, else run and marked
 * done; the calling thread (worker 0) reads the clock after each. */
static void pending_task(void *vctx, uint32_t i, uint32_t worker)
{
    const run_ctx *c = vctx;
    tl__ials *s = c->s;
    if (atomic_load_explicit(&s->stop, memory_order_relaxed)) return;
    uint32_t slot = s->pending[i];
    c->fn(vctx, slot, worker);
    s->task_done[slot] = 1;
    if (worker == 0 && c->deadline < INFINITY && c->clock(c->clock_ctx) >= c->deadline)
        atomic_store_explicit(&s->stop, 1, memory_order_relaxed);
}

static void set_pending(tl__ials *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        s->pending[i] = i;
        s->task_done[i] = 0;
    }
    s->n_pending = n;
}

/* Runs the pending tasks of the current phase until done or the deadline;
 * returns 1 when none is left. */
static int run_pending(tl__ials *s, tl_pool *pool, run_ctx *c)
{
    atomic_store_explicit(&s->stop, 0, memory_order_relaxed);
    tl_pool_run(pool, s->n_pending, pending_task, c);
    uint32_t left = 0;
    for (uint32_t i = 0; i < s->n_pending; i++)
        if (!s->task_done[s->pending[i]]) s->pending[left++] = s->pending[i];
    s->n_pending = left;
    return left == 0;
}

int tl__ials_run(tl__ials *s, tl_pool *pool, uint32_t batch, tl_clock_fn clock, void *clock_ctx, double deadline_ms,
                 tl__ials_batch_result *out)
{
    int user_side = batch < s->user.n_batches;
    const side *sd = user_side ? &s->user : &s->movie;
    uint32_t b = user_side ? batch : batch - s->user.n_batches;
    run_ctx c = {s,
                 sd,
                 user_side,
                 user_side ? s->model->users : s->model->movies,
                 user_side ? s->model->movies : s->model->users,
                 user_side ? &s->movie : &s->user,
                 sd->batch_task[b],
                 row_task,
                 clock,
                 clock_ctx,
                 deadline_ms};
    uint32_t n_tasks = sd->batch_task[b + 1] - c.first;
    if (!s->in_batch || s->batch != batch) {
        s->in_batch = 1;
        s->batch = batch;
        s->in_gram = b == 0; /* a side starts with its Gram matrix */
        if (s->in_gram) {
            set_pending(s, gram_task_count(sd->n_other, s->dim));
            if (user_side) s->user_penalty = 0.0;
            else s->movie_terms = 0.0;
        } else {
            set_pending(s, n_tasks);
        }
    }
    if (s->in_gram) {
        c.fn = gram_task;
        if (!run_pending(s, pool, &c)) return 0;
        gram_reduce(s, gram_task_count(sd->n_other, s->dim));
        s->in_gram = 0;
        set_pending(s, n_tasks);
        if (atomic_load_explicit(&s->stop, memory_order_relaxed)) return 0; /* the deadline passed */
        c.fn = row_task;
    }
    if (!run_pending(s, pool, &c)) return 0;

    /* the batch is complete: its sums in task order */
    double loss = 0.0, obj = 0.0;
    uint64_t pairs = 0;
    for (uint32_t i = 0; i < n_tasks; i++) {
        loss += s->task_loss[i];
        obj += s->task_obj[i];
        pairs += s->task_pairs[i];
    }
    if (user_side) s->user_penalty += obj;
    else s->movie_terms += obj;
    s->in_batch = 0;
    out->loss = loss;
    out->pairs = pairs;
    out->objective = s->movie_terms + s->user_penalty;
    return 1;
}
