/* The kernels' GEMMs on a thread pool (gemm_pool.h). Ranges are whole
 * 4-row tiles of the kernels, a few per thread so a slower thread still
 * finishes with the others. */
#include "gemm_pool.h"

#include "towerlens/kernels.h"

#define MIN_TASK_FLOPS 262144.0 /* below this a task costs more to hand out than to run */

typedef struct gemm_job {
    int kind; /* 0 ab, 1 abt, 2 atb_acc */
    const float *A, *B;
    float *C;
    size_t m, lda, n, ldb, dim, ldc;
    size_t chunk; /* rows (ab, abt) or columns (atb_acc) per task */
} gemm_job;

static void gemm_task(void *ctx, uint32_t task, uint32_t worker)
{
    (void)worker;
    const gemm_job *g = ctx;
    size_t total = g->kind == 2 ? g->n : g->m;
    size_t r0 = (size_t)task * g->chunk, r1 = total - r0 < g->chunk ? total : r0 + g->chunk;
    if (g->kind == 0)
        tl_gemm_ab(g->A + r0 * g->lda, r1 - r0, g->lda, g->B, g->n, g->ldb, g->dim, g->C + r0 * g->ldc, g->ldc);
    else if (g->kind == 1)
        tl_gemm_abt(g->A + r0 * g->lda, r1 - r0, g->lda, g->B, g->n, g->dim, g->C + r0 * g->ldc, g->ldc);
    else tl_gemm_atb_acc(g->A + r0, g->m, g->lda, r1 - r0, g->B, g->ldb, g->dim, g->C + r0 * g->ldc, g->ldc);
}

/* Tasks for `total` output rows of `flops_per_row` each: 0 = one call. */
static uint32_t plan(tl_pool *pool, size_t total, double flops_per_row, size_t *chunk)
{
    uint32_t threads = pool ? tl_pool_threads(pool) : 1;
    if (threads <= 1 || total < 8) return 0;
    size_t parts = (size_t)threads * 4;
    size_t by_work = (size_t)((double)total * flops_per_row / MIN_TASK_FLOPS);
    if (by_work < parts) parts = by_work;
    if (parts < 2) return 0;
    *chunk = ((total + parts - 1) / parts + 3) / 4 * 4;
    return (uint32_t)((total + *chunk - 1) / *chunk);
}

static void run(tl_pool *pool, gemm_job *g, uint32_t tasks) { tl_pool_run(pool, tasks, gemm_task, g); }

void tl__gemm_ab_pool(tl_pool *pool, const float *A, size_t m, size_t lda, const float *B, size_t n, size_t ldb,
                      size_t dim, float *C, size_t ldc)
{
    gemm_job g = {0, A, B, C, m, lda, n, ldb, dim, ldc, 0};
    uint32_t tasks = plan(pool, m, 2.0 * (double)n * (double)dim, &g.chunk);
    if (tasks > 1) run(pool, &g, tasks);
    else tl_gemm_ab(A, m, lda, B, n, ldb, dim, C, ldc);
}

void tl__gemm_abt_pool(tl_pool *pool, const float *A, size_t m, size_t lda, const float *Bpacked, size_t n, size_t dim,
                       float *C, size_t ldc)
{
    gemm_job g = {1, A, Bpacked, C, m, lda, n, 0, dim, ldc, 0};
    uint32_t tasks = plan(pool, m, 2.0 * (double)n * (double)dim, &g.chunk);
    if (tasks > 1) run(pool, &g, tasks);
    else tl_gemm_abt(A, m, lda, Bpacked, n, dim, C, ldc);
}

void tl__gemm_atb_acc_pool(tl_pool *pool, const float *A, size_t m, size_t lda, size_t n, const float *B, size_t ldb,
                           size_t dim, float *C, size_t ldc)
{
    gemm_job g = {2, A, B, C, m, lda, n, ldb, dim, ldc, 0};
    uint32_t tasks = plan(pool, n, 2.0 * (double)m * (double)dim, &g.chunk);
    if (tasks > 1) run(pool, &g, tasks);
    else tl_gemm_atb_acc(A, m, lda, n, B, ldb, dim, C, ldc);
}
