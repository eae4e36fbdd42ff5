/* The in-batch softmax retrieval loss, processed in row blocks so the B x B
 * logit matrix never exists whole (train.h). For a block of user rows:
 *   L = U_blk M^T, with each row's max       (one kernel)
 *   E = exp(L - max), s = row sums of E       (in place)
 *   dU_blk = (E M) / s - M_blk                (d loss / d logits = E / s - I)
 *   dM += E^T (U_blk / s)                     (and -U_j for every row j in end)
 * Every sum runs in a fixed order (kernels.h) and the -U_j terms come after
 * all blocks, so the block size does not change any result.
 *
 * On a thread pool, a group of blocks runs its first three lines as one
 * task per block (each writes only its own rows), then dM += E^T (U / s)
 * for the whole group as one task per range of dM rows: every dM element
 * still adds the group's rows in ascending order onto its running value,
 * so the thread count changes nothing either. */
#include <stdlib.h>
#include <string.h>

#include "base/gemm_pool.h"
#include "towerlens/kernels.h"
#include "towerlens/train.h"

static int mul_ok(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

tl_status tl_softmax_ws_init(tl_softmax_ws *ws, size_t max_batch, size_t dim, size_t block_rows, tl_error *err)
{
    return tl_softmax_ws_init_group(ws, max_batch, dim, block_rows, 1, err);
}

tl_status tl_softmax_ws_init_group(tl_softmax_ws *ws, size_t max_batch, size_t dim, size_t block_rows,
                                   size_t group_blocks, tl_error *err)
{
    memset(ws, 0, sizeof *ws);
    if (max_batch == 0 || dim == 0) return tl_fail(err, TL_E_ARG, "softmax workspace needs a batch and a dimension");
    if (block_rows == 0) block_rows = TL_TRAIN_BLOCK_ROWS;
    if (block_rows > max_batch) block_rows = max_batch;
    if (group_blocks == 0) group_blocks = 1;
    size_t max_blocks = (max_batch + block_rows - 1) / block_rows;
    if (group_blocks > max_blocks) group_blocks = max_blocks;
    size_t group_rows = group_blocks * block_rows < max_batch ? group_blocks * block_rows : max_batch;
    /* pad the logit stride off powers of two: a block's rows would
     * otherwise share cache sets when the kernels walk down a column */
    size_t ld = (max_batch + 15) / 16 * 16 + 16;
    size_t n_logits, n_packed, n_scaled, packed_rows = (max_batch + TL_PANEL - 1) / TL_PANEL * TL_PANEL;
    if (!mul_ok(group_rows, ld, &n_logits) || !mul_ok(packed_rows, dim, &n_packed) ||
        !mul_ok(group_rows, dim, &n_scaled) || n_logits > SIZE_MAX / sizeof(float) ||
        n_packed > SIZE_MAX / sizeof(float) || n_scaled > SIZE_MAX / sizeof(float))
        return tl_fail(err, TL_E_LIMIT, "batch %zu at dimension %zu is too large for memory", max_batch, dim);
    ws->max_batch = max_batch;
    ws->dim = dim;
    ws->block_rows = block_rows;
    ws->group_blocks = group_blocks;
    ws->group_rows = group_rows;
    ws->ld_logits = ld;
    ws->packed = malloc(n_packed * sizeof(float));
    ws->logits = malloc(n_logits * sizeof(float));
    ws->row_max = malloc(group_rows * sizeof(float));
    ws->row_inv = malloc(group_rows * sizeof(float));
    ws->scaled = malloc(n_scaled * sizeof(float));
    ws->block_loss = malloc(group_blocks * sizeof(double));
    if (!ws->packed || !ws->logits || !ws->row_max || !ws->row_inv || !ws->scaled || !ws->block_loss) {
        tl_softmax_ws_free(ws);
        return tl_fail(err, TL_E_NOMEM, "out of memory for the softmax workspace (batch %zu, dimension %zu)", max_batch,
                       dim);
    }
    return TL_OK;
}

void tl_softmax_ws_free(tl_softmax_ws *ws)
{
    free(ws->packed);
    free(ws->logits);
    free(ws->row_max);
    free(ws->row_inv);
    free(ws->scaled);
    free(ws->block_loss);
    ws->packed = ws->logits = ws->row_max = ws->row_inv = ws->scaled = NULL;
    ws->block_loss = NULL;
}

size_t tl_softmax_ws_bytes(const tl_softmax_ws *ws)
{
    size_t packed_rows = (ws->max_batch + TL_PANEL - 1) / TL_PANEL * TL_PANEL;
    return (packed_rows * ws->dim + ws->group_rows * (ws->ld_logits + 2 + ws->dim)) * sizeof(float) +
           ws->group_blocks * sizeof(double);
}

void tl_softmax_begin(tl_softmax_ws *ws, const float *M, size_t B, float *dM)
{
    tl_pack_panels(M, B, ws->dim, ws->dim, ws->packed);
    memset(dM, 0, B * ws->dim * sizeof(float));
}

/* Rows [row0, row0 + r) of the batch into the workspace's rows [w0, w0 + r):
 * their logits, exponentials, 1 / sums, scaled U rows and dU rows; their
 * losses are added to *loss in row order. */
static void block_forward(tl_softmax_ws *ws, const float *U, const float *M, size_t B, size_t row0, size_t r, size_t w0,
                          float *dU, double *loss)
{
    size_t d = ws->dim, ld = ws->ld_logits;
    const float *Ub = U + row0 * d, *Mb = M + row0 * d;
    float *L = ws->logits + w0 * ld, *S = ws->scaled + w0 * d;
    float *row_max = ws->row_max + w0, *row_inv = ws->row_inv + w0;
    tl_gemm_abt_max(Ub, r, d, ws->packed, B, d, L, ld, row_max);
    for (size_t i = 0; i < r; i++) {
        float *x = L + i * ld;
        float label_logit = x[row0 + i], mx = row_max[i];
        float sum = tl_exp_shifted_row(x, B, mx); /* >= 1: the max itself gives e^0 */
        /* -log softmax(x)[label] = max + log(sum) - x[label] */
        *loss += ((double)mx - (double)label_logit) + tl_log((double)sum);
        float inv = 1.0f / sum;
        row_inv[i] = inv;
        for (size_t k = 0; k < d; k++) S[i * d + k] = Ub[i * d + k] * inv;
    }
    float *dUb = dU + row0 * d;
    tl_gemm_ab(L, r, ld, M, B, d, d, dUb, d);
    for (size_t i = 0; i < r; i++)
        for (size_t k = 0; k < d; k++) dUb[i * d + k] = dUb[i * d + k] * row_inv[i] - Mb[i * d + k];
}

double tl_softmax_rows(tl_softmax_ws *ws, const float *U, const float *M, size_t B, size_t row0, size_t rows, float *dU,
                       float *dM)
{
    double loss = 0.0;
    while (rows > 0) {
        size_t r = rows < ws->block_rows ? rows : ws->block_rows;
        block_forward(ws, U, M, B, row0, r, 0, dU, &loss);
        tl_gemm_atb_acc(ws->logits, r, ws->ld_logits, B, ws->scaled, ws->dim, ws->dim, dM, ws->dim);
        row0 += r;
        rows -= r;
    }
    return loss;
}

typedef struct group_job {
    tl_softmax_ws *ws;
    const float *U, *M;
    float *dU;
    size_t B, row0, rows;
} group_job;

static void group_forward_task(void *ctx, uint32_t task, uint32_t worker)
{
    (void)worker;
    group_job *g = ctx;
    size_t w0 = (size_t)task * g->ws->block_rows;
    size_t r = g->rows - w0 < g->ws->block_rows ? g->rows - w0 : g->ws->block_rows;
    g->ws->block_loss[task] = 0.0;
    block_forward(g->ws, g->U, g->M, g->B, g->row0 + w0, r, w0, g->dU, &g->ws->block_loss[task]);
}

void tl_softmax_group(tl_softmax_ws *ws, tl_pool *pool, const float *U, const float *M, size_t B, size_t row0,
                      size_t rows, float *dU, float *dM, double *loss)
{
    if (rows == 0) return;
    group_job g = {ws, U, M, dU, B, row0, rows};
    uint32_t blocks = (uint32_t)((rows + ws->block_rows - 1) / ws->block_rows);
    tl_pool_run(pool, blocks, group_forward_task, &g);
    /* dM's rows in ranges, each element adding the group's rows in order */
    tl__gemm_atb_acc_pool(pool, ws->logits, rows, ws->ld_logits, B, ws->scaled, ws->dim, ws->dim, dM, ws->dim);
    for (uint32_t b = 0; b < blocks; b++) *loss += ws->block_loss[b];
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
