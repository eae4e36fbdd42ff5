/* A small fixed-size thread pool for data-parallel loops in the core.
 *
 * tl_pool_run(p, n, fn, ctx) calls fn(ctx, task, worker) once for every
 * task in 0..n-1 and returns when all of them have run. Tasks are handed
 * out dynamically (in increasing order, to whichever worker is free), so
 * callers that want results independent of the thread count make each
 * task's output depend only on the task index (and sum per-task partials
 * in task order afterwards). `worker` is in 0..tl_pool_threads(p)-1 and
 * identifies per-worker scratch space; worker 0 is always the calling
 * thread (which also runs tasks).
 *
 * Threads come from pthreads natively and in Emscripten builds compiled
 * with -pthread (__EMSCRIPTEN_PTHREADS__). Without pthreads (the
 * single-threaded WASM build) every pool is serial: tl_pool_new accepts any
 * thread count and tl_pool_threads returns 1. No global state: each pool
 * owns its threads; tl_pool_run must not be called on one pool from two
 * threads at once, nor from inside one of its tasks. */
#ifndef TOWERLENS_POOL_H
#define TOWERLENS_POOL_H

#include <stdint.h>

#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_POOL_MAX_THREADS 256u

typedef struct tl_pool tl_pool;

/* threads 0 = tl_cpu_count(); more than TL_POOL_MAX_THREADS fails with
 * TL_E_ARG; a failure to start a thread fails with TL_E_NOMEM. */
tl_status tl_pool_new(uint32_t threads, tl_pool **out, tl_error *err);
void tl_pool_free(tl_pool *p);
/* Workers that run tasks (the caller included); 1 for a serial pool. */
uint32_t tl_pool_threads(const tl_pool *p);

typedef void (*tl_pool_task)(void *ctx, uint32_t task, uint32_t worker);
/* Runs tasks 0..n_tasks-1 (see above); returns when all ran. */
void tl_pool_run(tl_pool *p, uint32_t n_tasks, tl_pool_task fn, void *ctx);

/* Logical processors available (1 without threads), at most TL_POOL_MAX_THREADS. */
uint32_t tl_cpu_count(void);

#ifdef __cplusplus
}
#endif
#endif
