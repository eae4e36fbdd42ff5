/* The in-batch softmax retrieval loss, processed in row blocks so the B x B
 * logit matrix never exists whole (train.h). For a block of user rows:
 *   L = U_blk M^T, with each row's max       (one kernel)
 *   E = exp(L - max), s = row sums of E       (in place)
 *   dU_blk = (E M) / s - M_blk                (d loss / d logits = E / s - I)
 *   dM += E^T (U_blk / s)                     (and -U_j for every row j in end)
 * Every sum runs in a fixed order (kernels.h) and the -U_j terms come after
 * all blocks, so the block size does not change any result. */
#include <stdlib.h>
#include <string.h>

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
    memset(ws, 0, sizeof *ws);
    if (max_batch == 0 || dim == 0) return tl_fail(err, TL_E_ARG, "softmax workspace needs a batch and a dimension");
    if (block_rows == 0) block_rows = TL_TRAIN_BLOCK_ROWS;
    if (block_rows > max_batch) block_rows = max_batch;
    /* pad the logit stride off powers of two: a block's rows would
     * otherwise share cache sets when the kernels walk down a column */
    size_t ld = (max_batch + 15) / 16 * 16 + 16;
    size_t n_logits, n_packed, packed_rows = (max_batch + TL_PANEL - 1) / TL_PANEL * TL_PANEL;
    if (!mul_ok(block_rows, ld, &n_logits) || !mul_ok(packed_rows, dim, &n_packed) ||
        n_logits > SIZE_MAX / sizeof(float) || n_packed > SIZE_MAX / sizeof(float))
        return tl_fail(err, TL_E_LIMIT, "batch %zu at dimension %zu is too large for memory", max_batch, dim);
    ws->max_batch = max_batch;
    ws->dim = dim;
    ws->block_rows = block_rows;
    ws->ld_logits = ld;
    ws->packed = malloc(n_packed * sizeof(float));
    ws->logits = malloc(n_logits * sizeof(float));
    ws->row_max = malloc(block_rows * sizeof(float));
    ws->row_inv = malloc(block_rows * sizeof(float));
    ws->scaled = malloc(block_rows * dim * sizeof(float));
    if (!ws->packed || !ws->logits || !ws->row_max || !ws->row_inv || !ws->scaled) {
        tl_softmax_ws_free(ws);
        return tl_fail(err, TL_E_NOMEM, "out of memory for the softmax workspace (batch %zu, dimension %zu)",
                       max_batch, dim);
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
    ws->packed = ws->logits = ws->row_max = ws->row_inv = ws->scaled = NULL;
}

size_t tl_softmax_ws_bytes(const tl_softmax_ws *ws)
{
    size_t packed_rows = (ws->max_batch + TL_PANEL - 1) / TL_PANEL * TL_PANEL;
    return (packed_rows * ws->dim + ws->block_rows * (ws->ld_logits + 2 + ws->dim)) * sizeof(float);
}

void tl_softmax_begin(tl_softmax_ws *ws, const float *M, size_t B, float *dM)
{
    tl_pack_panels(M, B, ws->dim, ws->dim, ws->packed);
    memset(dM, 0, B * ws->dim * sizeof(float));
}

double tl_softmax_rows(tl_softmax_ws *ws, const float *U, const float *M, size_t B, size_t row0, size_t rows,
                       float *dU, float *dM)
{
    size_t d = ws->dim, ld = ws->ld_logits;
    double loss = 0.0;
    while (rows > 0) {
        size_t r = rows < ws->block_rows ? rows : ws->block_rows;
        const float *Ub = U + row0 * d;
        float *L = ws->logits, *S = ws->scaled;
        tl_gemm_abt_max(Ub, r, d, ws->packed, B, d, L, ld, ws->row_max);
        for (size_t i = 0; i < r; i++) {
            float *x = L + i * ld;
            float label_logit = x[row0 + i], mx = ws->row_max[i];
            float sum = tl_exp_shifted_row(x, B, mx); /* >= 1: the max itself gives e^0 */
            /* -log softmax(x)[label] = max + log(sum) - x[label] */
            loss += ((double)mx - (double)label_logit) + tl_log((double)sum);
            float inv = 1.0f / sum;
            ws->row_inv[i] = inv;
            for (size_t k = 0; k < d; k++) S[i * d + k] = Ub[i * d + k] * inv;
        }
        float *dUb = dU + row0 * d;
        const float *Mb = M + row0 * d;
        tl_gemm_ab(L, r, ld, M, B, d, d, dUb, d);
        for (size_t i = 0; i < r; i++)
            for (size_t k = 0; k < d; k++) dUb[i * d + k] = dUb[i * d + k] * ws->row_inv[i] - Mb[i * d + k];
        tl_gemm_atb_acc(L, r, ld, B, S, d, d, dM, d);
        row0 += r;
        rows -= r;
    }
    return loss;
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
