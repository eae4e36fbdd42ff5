/* The in-batch softmax retrieval loss, processed in row blocks so the B x B
 * logit matrix never exists whole (train.h). For a block of user rows:
 *   L = U_blk M^T            logits
 *   G = softmax(L) - I       d loss / d logits, row by row
 *   dU_blk = G M,  dM += G^T U_blk
 * Every sum runs in a fixed order (kernels.h), so the block size does not
 * change any result. */
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
    if (!ws->packed || !ws->logits) {
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
    ws->packed = ws->logits = NULL;
}

size_t tl_softmax_ws_bytes(const tl_softmax_ws *ws)
{
    size_t packed_rows = (ws->max_batch + TL_PANEL - 1) / TL_PANEL * TL_PANEL;
    return (packed_rows * ws->dim + ws->block_rows * ws->ld_logits) * sizeof(float);
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
        float *L = ws->logits;
        tl_gemm_abt(Ub, r, d, ws->packed, B, d, L, ld);
        for (size_t i = 0; i < r; i++) {
            float *x = L + i * ld;
            size_t diag = row0 + i;
            float label_logit = x[diag], mx, sum;
            tl_softmax_row(x, B, &mx, &sum);
            /* -log softmax(x)[diag] = max + log(sum) - x[diag] */
            loss += ((double)mx - (double)label_logit) + tl_log((double)sum);
            x[diag] -= 1.0f;
        }
        tl_gemm_ab(L, r, ld, M, B, d, d, dU + row0 * d, d);
        tl_gemm_atb_acc(L, r, ld, B, Ub, d, d, dM, d);
        row0 += r;
        rows -= r;
    }
    return loss;
}

double tl_softmax_batch(tl_softmax_ws *ws, const float *U, const float *M, size_t B, float *dU, float *dM)
{
    tl_softmax_begin(ws, M, B, dM);
    return tl_softmax_rows(ws, U, M, B, 0, B, dU, dM);
}
