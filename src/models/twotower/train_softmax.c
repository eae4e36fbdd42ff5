/* The in-batch softmax retrieval loss, processed in row blocks so the B x B
 * logit matrix never exists whole (train.h). For a block of user rows:
 *   L = U_blk M^T, with each row's max       (one kernel)
 *   E = exp(L - max), s = row sums of E       (in place)
 *   dU_blk = (E M) / s - M_blk                (d loss / d logits = E / s - I)
 *   S += E^T (U_blk / s)                      (the block's stripe's dM sum)
 * and dM = sum of the stripes' S in stripe order, -U_j for every row j in
 * end. Every sum runs in a fixed order (kernels.h), the stripes are fixed
 * by the batch size alone and the -U_j terms come after all rows, so
 * neither the block size nor the threads change any result.
 *
 * On a thread pool, a group of stripes runs one task per stripe: its
 * blocks in order, in the worker's own block buffers, each block's
 * E^T (U / s) added into the stripe's sum right away, so a thread reads
 * only logits it wrote (reading another core's rows cost more CPU time
 * than the product). Then dM adds the group's stripe sums in stripe order,
 * one task per range of dM rows. */
#include <stdlib.h>
#include <string.h>

#include "towerlens/kernels.h"
#include "towerlens/train.h"

#define STRIPES 8                       /* stripes per batch, for batches up to STRIPE_PEAK_BATCH */
#define STRIPE_LOGITS ((size_t)1 << 23) /* a stripe's logits at most: ~55 ms of one core */
#define STRIPE_PEAK_BATCH 8192          /* sqrt(STRIPES * STRIPE_LOGITS) */
#define STRIPE_GRANULE 32               /* stripe rows are a multiple of this */
#define MIN_RANGE_FLOATS 4096           /* dM floats per reduction task at least */

static int mul_ok(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

size_t tl_softmax_stripe_rows(size_t B)
{
    size_t r = (B + STRIPES - 1) / STRIPES;
    if (B && r > STRIPE_LOGITS / B) r = STRIPE_LOGITS / B; /* a big batch: more stripes, each one step */
    if (r == 0) r = 1;
    return (r + STRIPE_GRANULE - 1) / STRIPE_GRANULE * STRIPE_GRANULE;
}

/* The longest stripe of any batch up to max_batch: stripes grow with B up
 * to STRIPE_PEAK_BATCH rows, then shrink. */
static size_t longest_stripe(size_t max_batch)
{
    return tl_softmax_stripe_rows(max_batch < STRIPE_PEAK_BATCH ? max_batch : STRIPE_PEAK_BATCH);
}

tl_status tl_softmax_ws_init(tl_softmax_ws *ws, size_t max_batch, size_t dim, size_t block_rows, tl_error *err)
{
    return tl_softmax_ws_init_group(ws, max_batch, dim, block_rows, 1, 1, err);
}

tl_status tl_softmax_ws_init_group(tl_softmax_ws *ws, size_t max_batch, size_t dim, size_t block_rows, size_t workers,
                                   size_t group_stripes, tl_error *err)
{
    memset(ws, 0, sizeof *ws);
    if (max_batch == 0 || dim == 0) return tl_fail(err, TL_E_ARG, "softmax workspace needs a batch and a dimension");
    if (block_rows == 0) block_rows = TL_TRAIN_BLOCK_ROWS;
    if (block_rows > max_batch) block_rows = max_batch;
    if (workers == 0) workers = 1;
    if (group_stripes == 0) group_stripes = 1;
    if (group_stripes > STRIPES) group_stripes = STRIPES;
    size_t stripe = longest_stripe(max_batch);
    size_t stripe_blocks = (stripe + block_rows - 1) / block_rows;
    /* pad the logit stride off powers of two: a block's rows would
     * otherwise share cache sets when the kernels walk down a column */
    size_t ld = (max_batch + 15) / 16 * 16 + 16;
    size_t n_logits, n_packed, n_scaled, n_partial, packed_rows = (max_batch + TL_PANEL - 1) / TL_PANEL * TL_PANEL;
    if (!mul_ok(workers * block_rows, ld, &n_logits) || !mul_ok(packed_rows, dim, &n_packed) ||
        !mul_ok(workers * block_rows, dim, &n_scaled) || !mul_ok(group_stripes * max_batch, dim, &n_partial) ||
        n_logits > SIZE_MAX / sizeof(float) || n_packed > SIZE_MAX / sizeof(float) ||
        n_partial > SIZE_MAX / sizeof(float))
        return tl_fail(err, TL_E_LIMIT, "batch %zu at dimension %zu is too large for memory", max_batch, dim);
    ws->max_batch = max_batch;
    ws->dim = dim;
    ws->block_rows = block_rows;
    ws->workers = workers;
    ws->group_stripes = group_stripes;
    ws->stripe_blocks = stripe_blocks;
    ws->ld_logits = ld;
    ws->packed = malloc(n_packed * sizeof(float));
    ws->logits = malloc(n_logits * sizeof(float));
    ws->row_max = malloc(workers * block_rows * sizeof(float));
    ws->row_inv = malloc(workers * block_rows * sizeof(float));
    ws->scaled = malloc(n_scaled * sizeof(float));
    ws->partial = malloc(n_partial * sizeof(float));
    ws->block_loss = malloc(group_stripes * stripe_blocks * sizeof(double));
    if (!ws->packed || !ws->logits || !ws->row_max || !ws->row_inv || !ws->scaled || !ws->partial || !ws->block_loss) {
        tl_softmax_ws_free(ws);
        return tl_fail(err, TL_E_NOMEM, "out of memory for the softmax workspace (batch %zu, dimension %zu)", max_batch,
                       dim);
    }
    return TL_OK;
}

size_t tl_softmax_group_rows(const tl_softmax_ws *ws, size_t B)
{
    size_t rows = ws->group_stripes * tl_softmax_stripe_rows(B);
    return rows < B ? rows : B;
}

void tl_softmax_ws_free(tl_softmax_ws *ws)
{
    free(ws->packed);
    free(ws->logits);
    free(ws->row_max);
    free(ws->row_inv);
    free(ws->scaled);
    free(ws->partial);
    free(ws->block_loss);
    ws->packed = ws->logits = ws->row_max = ws->row_inv = ws->scaled = ws->partial = NULL;
    ws->block_loss = NULL;
}

size_t tl_softmax_ws_bytes(const tl_softmax_ws *ws)
{
    size_t packed_rows = (ws->max_batch + TL_PANEL - 1) / TL_PANEL * TL_PANEL;
    return (packed_rows * ws->dim + ws->workers * ws->block_rows * (ws->ld_logits + 2 + ws->dim) +
            ws->group_stripes * ws->max_batch * ws->dim) *
               sizeof(float) +
           ws->group_stripes * ws->stripe_blocks * sizeof(double);
}

void tl_softmax_begin(tl_softmax_ws *ws, const float *M, size_t B, float *dM)
{
    tl_pack_panels(M, B, ws->dim, ws->dim, ws->packed);
    memset(dM, 0, B * ws->dim * sizeof(float));
}

/* One worker's block buffers. */
typedef struct block_bufs {
    float *logits, *row_max, *row_inv, *scaled;
} block_bufs;

static block_bufs worker_bufs(const tl_softmax_ws *ws, size_t worker)
{
    size_t r = ws->block_rows;
    return (block_bufs){ws->logits + worker * r * ws->ld_logits, ws->row_max + worker * r, ws->row_inv + worker * r,
                        ws->scaled + worker * r * ws->dim};
}

/* Rows [row0, row0 + r) of the batch in a worker's buffers: their logits,
 * exponentials, 1 / sums, scaled U rows and dU rows, their losses added to
 * *loss in row order, and E^T (U / s) added into the stripe's sum S. */
static void block_step(const tl_softmax_ws *ws, block_bufs b, const float *U, const float *M, size_t B, size_t row0,
                       size_t r, float *dU, float *S, double *loss)
{
    size_t d = ws->dim, ld = ws->ld_logits;
    const float *Ub = U + row0 * d, *Mb = M + row0 * d;
    tl_gemm_abt_max(Ub, r, d, ws->packed, B, d, b.logits, ld, b.row_max);
    for (size_t i = 0; i < r; i++) {
        float *x = b.logits + i * ld;
        float label_logit = x[row0 + i], mx = b.row_max[i];
        float sum = tl_exp_shifted_row(x, B, mx); /* >= 1: the max itself gives e^0 */
        /* -log softmax(x)[label] = max + log(sum) - x[label] */
        *loss += ((double)mx - (double)label_logit) + tl_log((double)sum);
        float inv = 1.0f / sum;
        b.row_inv[i] = inv;
        for (size_t k = 0; k < d; k++) b.scaled[i * d + k] = Ub[i * d + k] * inv;
    }
    float *dUb = dU + row0 * d;
    tl_gemm_ab(b.logits, r, ld, M, B, d, d, dUb, d);
    for (size_t i = 0; i < r; i++)
        for (size_t k = 0; k < d; k++) dUb[i * d + k] = dUb[i * d + k] * b.row_inv[i] - Mb[i * d + k];
    tl_gemm_atb_acc(b.logits, r, ld, B, b.scaled, d, d, S, d);
}

static void add_into(float *dM, const float *S, size_t n)
{
    for (size_t i = 0; i < n; i++) dM[i] += S[i];
}

/* Rows of the block at r0: block_rows, cut at its stripe's end and at end
 * (blocks never cross a stripe end). */
static size_t block_at(const tl_softmax_ws *ws, size_t stripe, size_t r0, size_t end)
{
    size_t cut = (r0 / stripe + 1) * stripe, r = ws->block_rows;
    if (r > cut - r0) r = cut - r0;
    return r < end - r0 ? r : end - r0;
}

double tl_softmax_rows(tl_softmax_ws *ws, const float *U, const float *M, size_t B, size_t row0, size_t rows, float *dU,
                       float *dM)
{
    size_t stripe = tl_softmax_stripe_rows(B), n = B * ws->dim;
    float *S = ws->partial; /* the current stripe's sum, kept across calls */
    block_bufs b = worker_bufs(ws, 0);
    double loss = 0.0;
    for (size_t end = row0 + rows, r; row0 < end; row0 += r) {
        r = block_at(ws, stripe, row0, end);
        if (row0 % stripe == 0) memset(S, 0, n * sizeof(float));
        block_step(ws, b, U, M, B, row0, r, dU, S, &loss);
        if ((row0 + r) % stripe == 0 || row0 + r == B) add_into(dM, S, n); /* the stripe is done */
    }
    return loss;
}

typedef struct group_job {
    tl_softmax_ws *ws;
    const float *U, *M;
    float *dU, *dM;
    size_t B, row0, rows, stripe;
    uint32_t n_stripes, ranges;
    size_t range_floats;
} group_job;

/* Stripe `task` of the group, its blocks in order in the worker's buffers. */
static void stripe_task(void *ctx, uint32_t task, uint32_t worker)
{
    group_job *g = ctx;
    tl_softmax_ws *ws = g->ws;
    size_t lo = (size_t)task * g->stripe, hi = lo + g->stripe < g->rows ? lo + g->stripe : g->rows;
    float *S = ws->partial + (size_t)task * g->B * ws->dim;
    double *bl = ws->block_loss + (size_t)task * ws->stripe_blocks;
    block_bufs b = worker_bufs(ws, worker);
    memset(S, 0, g->B * ws->dim * sizeof(float));
    for (size_t r0 = lo, r; r0 < hi; r0 += r, bl++) {
        r = block_at(ws, g->stripe, r0, hi);
        *bl = 0.0;
        block_step(ws, b, g->U, g->M, g->B, g->row0 + r0, r, g->dU, S, bl);
    }
}

/* dM's floats of range `task` add the group's stripe sums in stripe order. */
static void reduce_task(void *ctx, uint32_t task, uint32_t worker)
{
    (void)worker;
    group_job *g = ctx;
    size_t n = g->B * g->ws->dim, lo = (size_t)task * g->range_floats;
    size_t hi = lo + g->range_floats < n ? lo + g->range_floats : n;
    for (uint32_t s = 0; s < g->n_stripes; s++) add_into(g->dM + lo, g->ws->partial + s * n + lo, hi - lo);
}

void tl_softmax_group(tl_softmax_ws *ws, tl_pool *pool, const float *U, const float *M, size_t B, size_t row0,
                      size_t rows, float *dU, float *dM, double *loss)
{
    if (rows == 0) return;
    size_t stripe = tl_softmax_stripe_rows(B);
    uint32_t threads = tl_pool_threads(pool);
    if (row0 % stripe != 0 || rows > tl_softmax_group_rows(ws, B) || threads > ws->workers || B > ws->max_batch ||
        stripe > longest_stripe(ws->max_batch) || (row0 + rows != B && rows % stripe != 0)) {
        /* not a whole group: block by block on this thread, the same sums */
        for (size_t r0 = row0, end = row0 + rows, r; r0 < end; r0 += r) {
            r = block_at(ws, stripe, r0, end);
            *loss += tl_softmax_rows(ws, U, M, B, r0, r, dU, dM);
        }
        return;
    }
    size_t n = B * ws->dim;
    group_job g = {ws, U, M, dU, dM, B, row0, rows, stripe, (uint32_t)((rows + stripe - 1) / stripe), 0, 0};
    tl_pool_run(pool, g.n_stripes, stripe_task, &g);
    /* dM += each stripe's sum, in stripe order, split in ranges of floats */
    size_t parts = (size_t)threads * 4;
    if (parts > n / MIN_RANGE_FLOATS) parts = n / MIN_RANGE_FLOATS;
    if (parts < 1) parts = 1;
    g.range_floats = (n + parts - 1) / parts;
    g.ranges = (uint32_t)((n + g.range_floats - 1) / g.range_floats);
    tl_pool_run(pool, g.ranges, reduce_task, &g);
    for (uint32_t s = 0; s < g.n_stripes; s++) {
        size_t lo = (size_t)s * stripe, hi = lo + stripe < rows ? lo + stripe : rows;
        size_t blocks = (hi - lo + ws->block_rows - 1) / ws->block_rows;
        for (size_t k = 0; k < blocks; k++) *loss += ws->block_loss[s * ws->stripe_blocks + k];
    }
}

void tl_softmax_end(tl_softmax_ws *ws, const float *U, size_t B, float *dM)
{
    size_t n = B * ws->dim;
    for (size_t i = 0; i < n; i++) dM[i] -= U[i];
}

double tl_softmax_batch(tl_softmax_ws *ws, const float *U, const float *M, size_t B, float *dU, float *dM)
{
    tl_softmax_begin(ws, M, B, dM);
    double loss = tl_softmax_rows(ws, U, M, B, 0, B, dU, dM);
    tl_softmax_end(ws, U, B, dM);
    return loss;
}
