/* The thread pool: every task runs exactly once, worker ids stay in range,
 * many runs on one pool, serial pools, and the argument checks. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "towerlens/pool.h"

#define N_TASKS 1000

typedef struct run_ctx {
    uint32_t runs[N_TASKS]; /* per task: how often it ran (each task writes only its slot) */
    uint32_t worker[N_TASKS];
    uint64_t value[N_TASKS];
    uint32_t threads;
} run_ctx;

static void task(void *vctx, uint32_t t, uint32_t w)
{
    run_ctx *c = vctx;
    c->runs[t]++;
    c->worker[t] = w;
    uint64_t v = t;
    for (int i = 0; i < 200; i++) v = v * 6364136223846793005ull + 1442695040888963407ull;
    c->value[t] = v;
}

static void check_pool(uint32_t threads, uint32_t want_threads)
{
    tl_pool *p = NULL;
    tl_error err;
    CHECK_INT(tl_pool_new(threads, &p, &err), TL_OK);
    if (!p) return;
    CHECK_INT(tl_pool_threads(p), want_threads);
    run_ctx *c = calloc(1, sizeof *c);
    for (int run = 0; run < 50; run++) {
        uint32_t n = run == 0 ? 0 : run == 1 ? 1 : N_TASKS - (uint32_t)run;
        for (uint32_t t = 0; t < N_TASKS; t++) c->runs[t] = 0;
        tl_pool_run(p, n, task, c);
        uint32_t bad = 0, bad_worker = 0;
        for (uint32_t t = 0; t < N_TASKS; t++) {
            bad += c->runs[t] != (t < n ? 1u : 0u);
            if (t < n) bad_worker += c->worker[t] >= tl_pool_threads(p);
        }
        CHECK_INT(bad, 0);
        CHECK_INT(bad_worker, 0);
    }
    /* the results do not depend on who ran what */
    uint64_t v = 5;
    for (int i = 0; i < 200; i++) v = v * 6364136223846793005ull + 1442695040888963407ull;
    CHECK(c->value[5] == v);
    free(c);
    tl_pool_free(p);
}

int main(void)
{
    uint32_t cpus = tl_cpu_count();
    CHECK(cpus >= 1 && cpus <= TL_POOL_MAX_THREADS);
#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
    check_pool(1, 1);
    check_pool(2, 2);
    check_pool(3, 3);
    check_pool(8, 8);
    check_pool(0, cpus);
#else
    /* the single-threaded build: any count works and runs serially */
    CHECK_INT(cpus, 1);
    check_pool(1, 1);
    check_pool(4, 1);
    check_pool(0, 1);
#endif
    tl_pool *p = (tl_pool *)1;
    tl_error err;
    CHECK_INT(tl_pool_new(TL_POOL_MAX_THREADS + 1, &p, &err), TL_E_ARG);
    CHECK(p == NULL);
    CHECK_CONTAINS(err.message, "257 threads is more than the pool's limit of 256");
    tl_pool_free(NULL);
    return check_report("test_pool");
}
