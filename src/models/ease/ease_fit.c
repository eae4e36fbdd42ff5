/* EASE fit (ease.h): items, per-user lists, the Gram matrix, its inverse,
 * B. Every parallel step cuts its tasks by n (never by the thread count)
 * and each output element is one fixed sequence of float operations, so
 * the model does not depend on the pool. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ease_internal.h"
#include "towerlens/kernels.h"

#define NB 64    /* Cholesky block columns; rows per task; tile side of P = U U^T */
#define GROUP 32 /* rows of U = L^-T per task */

void tl_ease_options_default(tl_ease_options *opt)
{
    *opt = (tl_ease_options){0};
    opt->lambda = TL_EASE_DEFAULT_LAMBDA;
    opt->min_count = TL_EASE_DEFAULT_MIN_COUNT;
    opt->values = TL_EASE_BINARY;
    opt->low_weight = TL_EASE_DEFAULT_LOW_WEIGHT;
}

float tl__ease_value(const tl_ease_options *opt, uint8_t half)
{
    float x = opt->values == TL_EASE_RATING ? (float)half * 0.1f : 1.0f;
    return half < 6 ? x * opt->low_weight : x;
}

void tl_ease_free(tl_ease_model *m)
{
    if (!m) return;
    free(m->item_of_movie);
    free(m->movie_of_item);
    free(m->train_count);
    free(m->B);
    free(m);
}

/* ---- per-user item lists ------------------------------------------------ */

typedef struct lists {
    uint32_t *ptr;  /* n_users + 1 */
    uint32_t *item; /* ascending within a user */
    float *x;
} lists;

typedef struct entry {
    uint32_t item, row;
} entry;

static int entry_cmp(const void *a, const void *b)
{
    const entry *p = a, *q = b;
    if (p->item != q->item) return p->item < q->item ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;
}

/* The train rows of in-set movies grouped by user, items ascending, one
 * entry per (user, item) (the row latest in the file), zero x dropped. */
static tl_status build_lists(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, const tl_ease_model *m,
                             lists *out, tl_error *err)
{
    uint32_t nu = ds->n_users;
    uint32_t *ptr = calloc((size_t)nu + 1, sizeof *ptr);
    entry *e = NULL;
    uint32_t *fill = NULL;
    if (!ptr) goto nomem;
    size_t total = 0;
    for (uint32_t r = 0; r < n_rows; r++) {
        uint32_t row = rows[r];
        if (m->item_of_movie[ds->r_movie[row]] == TL_EASE_NONE) continue;
        ptr[ds->r_user[row] + 1]++;
        total++;
    }
    for (uint32_t u = 0; u < nu; u++) ptr[u + 1] += ptr[u];
    e = malloc((total ? total : 1) * sizeof *e);
    fill = malloc(((size_t)nu + 1) * sizeof *fill);
    if (!e || !fill) goto nomem;
    memcpy(fill, ptr, ((size_t)nu + 1) * sizeof *fill);
    for (uint32_t r = 0; r < n_rows; r++) {
        uint32_t row = rows[r], it = m->item_of_movie[ds->r_movie[row]];
        if (it == TL_EASE_NONE) continue;
        e[fill[ds->r_user[row]]++] = (entry){it, row};
    }
    out->ptr = ptr;
    out->item = malloc((total ? total : 1) * sizeof *out->item);
    out->x = malloc((total ? total : 1) * sizeof *out->x);
    if (!out->item || !out->x) {
        free(out->item), free(out->x);
        out->ptr = NULL;
        goto nomem;
    }
    uint32_t k = 0;
    for (uint32_t u = 0; u < nu; u++) {
        entry *eu = e + ptr[u];
        uint32_t len = ptr[u + 1] - ptr[u];
        qsort(eu, len, sizeof *eu, entry_cmp);
        ptr[u] = k;
        for (uint32_t i = 0; i < len; i++) {
            if (i + 1 < len && eu[i + 1].item == eu[i].item) continue; /* a later row of the same pair */
            float x = m->value[ds->r_half[eu[i].row]];
            if (x == 0.0f) continue;
            out->item[k] = eu[i].item;
            out->x[k++] = x;
        }
    }
    ptr[nu] = k;
    free(e);
    free(fill);
    return TL_OK;
nomem:
    free(ptr), free(e), free(fill);
    return tl_fail(err, TL_E_NOMEM, "EASE: out of memory grouping %u train rows", n_rows);
}

/* ---- G = X^T X + lambda I (lower triangle) -------------------------------- */

typedef struct gram_ctx {
    const lists *l;
    uint32_t n_users, n;
    float *G;
} gram_ctx;

/* Task t owns rows [t NB, t NB + NB) of G and adds users in ascending order. */
static void gram_task(void *vctx, uint32_t task, uint32_t worker)
{
    (void)worker;
    gram_ctx *c = vctx;
    uint32_t r0 = task * NB, r1 = r0 + NB < c->n ? r0 + NB : c->n;
    size_t n = c->n;
    for (uint32_t u = 0; u < c->n_users; u++) {
        const uint32_t *it = c->l->item + c->l->ptr[u];
        const float *x = c->l->x + c->l->ptr[u];
        uint32_t len = c->l->ptr[u + 1] - c->l->ptr[u], lo = 0, hi = len;
        while (lo < hi) { /* the first entry with item >= r0 */
            uint32_t mid = lo + (hi - lo) / 2;
            if (it[mid] < r0) lo = mid + 1;
            else hi = mid;
        }
        for (uint32_t a = lo; a < len && it[a] < r1; a++) {
            float *Gr = c->G + it[a] * n, xa = x[a];
            for (uint32_t b = 0; b <= a; b++) Gr[it[b]] += xa * x[b];
        }
    }
}

/* ---- Cholesky G = L L^T in place (lower triangle), blocked --------------
 * Block columns J = [k0, k1): D[i][j] = tl_dot(L_i, L_j, k0) for rows
 * i >= k0 (the columns before the block, one GEMM), then
 * L[i][j] = ((G[i][j] - D[i][j]) - sum_{k0 <= k < j} L[i][k] L[j][k]) * inv[j]
 * with the sum's terms subtracted in ascending k (L[j][j] = sqrt of the
 * same with i = j). */

typedef struct chol_ctx {
    float *L, *D, *inv;
    size_t n, k0, k1;
} chol_ctx;

static void chol_dots_task(void *vctx, uint32_t task, uint32_t worker)
{
    (void)worker;
    chol_ctx *c = vctx;
    size_t i0 = c->k0 + (size_t)task * NB, i1 = i0 + NB < c->n ? i0 + NB : c->n, w = c->k1 - c->k0;
    float *D = c->D + (i0 - c->k0) * NB;
    if (c->k0 == 0) {
        memset(D, 0, (i1 - i0) * NB * sizeof *D);
        return;
    }
    tl_gemm_abt_dots(c->L + i0 * c->n, i1 - i0, c->n, c->L + c->k0 * c->n, w, c->n, c->k0, D, NB);
}

static void chol_rows_task(void *vctx, uint32_t task, uint32_t worker)
{
    (void)worker;
    chol_ctx *c = vctx;
    size_t i0 = c->k1 + (size_t)task * NB, i1 = i0 + NB < c->n ? i0 + NB : c->n;
    for (size_t i = i0; i < i1; i++) {
        float *Li = c->L + i * c->n;
        const float *Di = c->D + (i - c->k0) * NB;
        for (size_t j = c->k0; j < c->k1; j++) {
            const float *Lj = c->L + j * c->n;
            float s = Li[j] - Di[j - c->k0];
            for (size_t k = c->k0; k < j; k++) s -= Li[k] * Lj[k];
            Li[j] = s * c->inv[j];
        }
    }
}

static uint32_t tasks_of(size_t rows, size_t per) { return (uint32_t)((rows + per - 1) / per); }

/* tl_pool_run, or every task on the calling thread without a pool. */
static void run(tl_pool *pool, uint32_t n_tasks, tl_pool_task fn, void *ctx)
{
    if (pool) tl_pool_run(pool, n_tasks, fn, ctx);
    else
        for (uint32_t t = 0; t < n_tasks; t++) fn(ctx, t, 0);
}

/* 0 when a pivot is not positive. */
static int cholesky(float *L, size_t n, float *D, float *inv, tl_pool *pool)
{
    chol_ctx c = {L, D, inv, n, 0, 0};
    for (size_t k0 = 0; k0 < n; k0 += NB) {
        c.k0 = k0;
        c.k1 = k0 + NB < n ? k0 + NB : n;
        run(pool, tasks_of(n - k0, NB), chol_dots_task, &c);
        for (size_t j = k0; j < c.k1; j++) {
            const float *Lj = L + j * n;
            for (size_t i = j; i < c.k1; i++) {
                float *Li = L + i * n;
                float s = Li[j] - D[(i - k0) * NB + (j - k0)];
                for (size_t k = k0; k < j; k++) s -= Li[k] * Lj[k];
                if (i == j) {
                    if (!(s > 0.0f) || !(s < INFINITY)) return 0;
                    Li[j] = sqrtf(s);
                    inv[j] = 1.0f / Li[j];
                } else {
                    Li[j] = s * inv[j];
                }
            }
        }
        if (c.k1 < n) run(pool, tasks_of(n - c.k1, NB), chol_rows_task, &c);
    }
    return 1;
}

/* ---- U = L^-T: row j of U is column j of W = L^-1 -------------------------
 * W[j][j] = inv[j]; W[i][j] = -tl_dot(L_i + g0, U_j + g0, i - g0) * inv[i]
 * for i > j, where g0 starts j's group of GROUP rows (U_j is zero before j,
 * so the extra terms are exact zeros). */

typedef struct inv_ctx {
    const float *L, *inv;
    float *U, *P;
    size_t n;
    uint32_t n_tiles;
} inv_ctx;

static void lower_inverse_task(void *vctx, uint32_t task, uint32_t worker)
{
    (void)worker;
    inv_ctx *c = vctx;
    size_t n = c->n, g0 = (size_t)task * GROUP, g1 = g0 + GROUP < n ? g0 + GROUP : n, gs = g1 - g0;
    float tmp[GROUP];
    for (size_t j = g0; j < g1; j++) memset(c->U + j * n, 0, n * sizeof(float));
    for (size_t i = g0; i < n; i++) {
        const float *Li = c->L + i * n;
        if (i < g1) {
            for (size_t j = g0; j < i; j++) c->U[j * n + i] = -tl_dot(Li + g0, c->U + j * n + g0, i - g0) * c->inv[i];
            c->U[i * n + i] = c->inv[i];
            continue;
        }
        tl_gemm_abt_dots(Li + g0, 1, n, c->U + g0 * n + g0, gs, n, i - g0, tmp, GROUP);
        for (size_t j = 0; j < gs; j++) c->U[(g0 + j) * n + i] = -tmp[j] * c->inv[i];
    }
}

/* P[a][b] = sum_{k >= max(a, b)} U[a][k] U[b][k], by NB x NB tiles with
 * a's tile <= b's tile: tl_gemm_abt_dots from column b0 (b's tile start). */
static void gram_inverse_task(void *vctx, uint32_t task, uint32_t worker)
{
    (void)worker;
    inv_ctx *c = vctx;
    uint32_t ta = 0, t = task;
    while (t >= c->n_tiles - ta) t -= c->n_tiles - ta++;
    uint32_t tb = ta + t;
    size_t n = c->n, a0 = (size_t)ta * NB, b0 = (size_t)tb * NB;
    size_t ma = a0 + NB < n ? NB : n - a0, mb = b0 + NB < n ? NB : n - b0;
    tl_gemm_abt_dots(c->U + a0 * n + b0, ma, n, c->U + b0 * n + b0, mb, n, n - b0, c->P + a0 * n + b0, n);
}

/* ---- the fit --------------------------------------------------------------- */

static tl_status check_options(const tl_ease_options *opt, tl_error *err)
{
    if (!(opt->lambda > 0.0f) || !(opt->lambda < INFINITY))
        return tl_fail(err, TL_E_ARG, "EASE: lambda must be a positive number (got %g)", (double)opt->lambda);
    if (opt->min_count == 0) return tl_fail(err, TL_E_ARG, "EASE: min_count must be at least 1");
    if (opt->values != TL_EASE_BINARY && opt->values != TL_EASE_RATING)
        return tl_fail(err, TL_E_ARG, "EASE: unknown value mapping %d", (int)opt->values);
    if (!(opt->low_weight > -INFINITY && opt->low_weight < INFINITY))
        return tl_fail(err, TL_E_ARG, "EASE: low_weight must be a finite number");
    if (opt->max_items > TL_EASE_MAX_ITEMS)
        return tl_fail(err, TL_E_LIMIT, "EASE: max_items is at most %u", TL_EASE_MAX_ITEMS);
    return TL_OK;
}

static int count_desc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x < y) - (x > y);
}

/* Items: movies with >= min_count train ratings (the threshold raised to
 * keep at most max_items), ascending dense index. */
static tl_status choose_items(const tl_dataset *ds, const uint32_t *rows, uint32_t n_rows, tl_ease_model *m,
                              tl_error *err)
{
    uint32_t nm = ds->n_movies;
    m->n_movies = nm;
    m->train_count = calloc(nm ? nm : 1, sizeof *m->train_count);
    m->item_of_movie = malloc((nm ? nm : 1) * sizeof *m->item_of_movie);
    if (!m->train_count || !m->item_of_movie) return tl_fail(err, TL_E_NOMEM, "EASE: out of memory");
    for (uint32_t r = 0; r < n_rows; r++) {
        if (rows[r] >= ds->n_ratings)
            return tl_fail(err, TL_E_ARG, "EASE: train row %u is past the %u ratings", rows[r], ds->n_ratings);
        uint32_t mv = ds->r_movie[rows[r]];
        if (mv >= nm) return tl_fail(err, TL_E_ARG, "EASE: row %u names movie index %u of %u", rows[r], mv, nm);
        m->train_count[mv]++;
    }
    uint32_t k = 0, c = m->opt.min_count;
    for (uint32_t mv = 0; mv < nm; mv++) k += m->train_count[mv] >= c;
    if (k == 0) return tl_fail(err, TL_E_ARG, "EASE: no movie has %u or more train ratings", c);
    uint32_t budget = m->opt.max_items ? m->opt.max_items : TL_EASE_DEFAULT_MAX_ITEMS;
    if (k > budget) { /* the smallest threshold that keeps at most `budget` movies */
        uint32_t *sorted = malloc((size_t)nm * sizeof *sorted);
        if (!sorted) return tl_fail(err, TL_E_NOMEM, "EASE: out of memory");
        memcpy(sorted, m->train_count, (size_t)nm * sizeof *sorted);
        qsort(sorted, nm, sizeof *sorted, count_desc);
        c = sorted[budget] + 1;
        free(sorted);
        k = 0;
        for (uint32_t mv = 0; mv < nm; mv++) k += m->train_count[mv] >= c;
        if (k == 0)
            return tl_fail(err, TL_E_LIMIT, "EASE: no threshold keeps between 1 and %u items (max_items is too small)",
                           budget);
    }
    m->min_count = c;
    k = 0;
    for (uint32_t mv = 0; mv < nm; mv++) m->item_of_movie[mv] = m->train_count[mv] >= c ? k++ : TL_EASE_NONE;
    m->n_items = k;
    m->movie_of_item = malloc((size_t)k * sizeof *m->movie_of_item);
    if (!m->movie_of_item) return tl_fail(err, TL_E_NOMEM, "EASE: out of memory");
    for (uint32_t mv = 0; mv < nm; mv++)
        if (m->item_of_movie[mv] != TL_EASE_NONE) m->movie_of_item[m->item_of_movie[mv]] = mv;
    return TL_OK;
}

/* G (n x n, lower triangle filled) is turned into B in place. */
static tl_status invert(float *G, size_t n, double lambda, tl_pool *pool, size_t *peak, tl_error *err)
{
    float *D = malloc(n * NB * sizeof *D), *inv = malloc(n * sizeof *inv), *U = NULL;
    if (!D || !inv) {
        free(D), free(inv);
        return tl_fail(err, TL_E_NOMEM, "EASE: out of memory factoring %zu items", n);
    }
    *peak += n * NB * sizeof *D + n * sizeof *inv;
    int ok = cholesky(G, n, D, inv, pool);
    free(D);
    if (!ok) {
        free(inv);
        return tl_fail(err, TL_E_STATE,
                       "EASE: the Gram matrix is not positive definite in float (lambda %g is too small)", lambda);
    }
    U = malloc(n * n * sizeof *U);
    if (!U) {
        free(inv);
        return tl_fail(err, TL_E_NOMEM, "EASE: out of memory inverting %zu items", n);
    }
    *peak += n * n * sizeof *U;
    inv_ctx c = {G, inv, U, G, n, tasks_of(n, NB)};
    run(pool, tasks_of(n, GROUP), lower_inverse_task, &c);
    /* L is no longer needed: P's tiles on and above the diagonal overwrite G */
    run(pool, c.n_tiles * (c.n_tiles + 1) / 2, gram_inverse_task, &c);
    free(U);
    float *P = G, *diag = inv; /* inv is done with too */
    for (size_t i = 0; i < n; i++) diag[i] = P[i * n + i];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) P[i * n + j] = P[j * n + i];
    for (size_t i = 0; i < n; i++) {
        float *Bi = P + i * n;
        for (size_t j = 0; j < n; j++) Bi[j] = i == j ? 0.0f : -Bi[j] / diag[j];
    }
    free(inv);
    return TL_OK;
}

tl_status tl_ease_fit(const tl_dataset *ds, const uint32_t *train_rows, uint32_t n_train, const tl_ease_options *opt,
                      tl_ease_model **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "EASE: no output model given");
    *out = NULL;
    if (!ds) return tl_fail(err, TL_E_ARG, "EASE: no dataset given");
    if (n_train == 0 || !train_rows) return tl_fail(err, TL_E_ARG, "EASE: no train rows to fit on");
    tl_ease_options o;
    if (opt) o = *opt;
    else tl_ease_options_default(&o);
    tl_status st = check_options(&o, err);
    if (st != TL_OK) return st;
    tl_pool *pool = o.pool;
    o.pool = NULL;

    tl_ease_model *m = calloc(1, sizeof *m);
    if (!m) return tl_fail(err, TL_E_NOMEM, "EASE: out of memory");
    m->opt = o;
    for (uint8_t h = 1; h <= 10; h++) m->value[h] = tl__ease_value(&o, h);
    st = choose_items(ds, train_rows, n_train, m, err);
    lists l = {0};
    if (st == TL_OK) st = build_lists(ds, train_rows, n_train, m, &l, err);
    size_t n = m->n_items;
    if (st == TL_OK) {
        m->B = calloc(n * n, sizeof *m->B);
        if (!m->B) st = tl_fail(err, TL_E_NOMEM, "EASE: out of memory for %zu x %zu items", n, n);
    }
    if (st == TL_OK) {
        for (uint32_t u = 0; u < ds->n_users; u++) m->n_users += l.ptr[u + 1] > l.ptr[u];
        m->peak_bytes = n * n * sizeof(float) + ((size_t)ds->n_users + 1 + 2 * (size_t)l.ptr[ds->n_users]) * 4;
        gram_ctx g = {&l, ds->n_users, (uint32_t)n, m->B};
        run(pool, tasks_of(n, NB), gram_task, &g);
        for (size_t i = 0; i < n; i++) m->B[i * n + i] += o.lambda;
        free(l.ptr), free(l.item), free(l.x);
        l = (lists){0};
        st = invert(m->B, n, o.lambda, pool, &m->peak_bytes, err);
    }
    free(l.ptr), free(l.item), free(l.x);
    if (st != TL_OK) {
        tl_ease_free(m);
        return st;
    }
    *out = m;
    return TL_OK;
}
