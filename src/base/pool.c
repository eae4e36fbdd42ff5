/* The thread pool of pool.h: pthreads when the build has them, serial
 * otherwise. Workers sleep on a condition variable between runs; a run
 * publishes (fn, ctx, n) under the mutex with a new generation number,
 * every participant claims task indices from an atomic counter, and the
 * caller waits until every worker has left the run. */
#include "towerlens/pool.h"

#include <stdlib.h>

#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
#define TL_POOL_PTHREADS 1
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#ifdef __EMSCRIPTEN__
#include <emscripten/threading.h>
#endif
#else
#define TL_POOL_PTHREADS 0
#endif

uint32_t tl_cpu_count(void)
{
#if TL_POOL_PTHREADS && defined(__EMSCRIPTEN__)
    long n = emscripten_num_logical_cores();
#elif TL_POOL_PTHREADS
    long n = sysconf(_SC_NPROCESSORS_ONLN);
#else
    long n = 1;
#endif
    if (n < 1) n = 1;
    if (n > (long)TL_POOL_MAX_THREADS) n = TL_POOL_MAX_THREADS;
    return (uint32_t)n;
}

#if TL_POOL_PTHREADS

typedef struct worker {
    struct tl_pool *pool;
    uint32_t id;
} worker;

struct tl_pool {
    uint32_t threads; /* the caller + the started threads */
    uint32_t started; /* threads actually running (threads - 1 once set up) */
    pthread_t *tids;
    worker *workers;
    pthread_mutex_t mu;
    pthread_cond_t wake, idle;
    uint64_t generation; /* bumped by every run */
    int quit;
    uint32_t busy; /* started threads still inside the current run */
    tl_pool_task fn;
    void *ctx;
    uint32_t n_tasks;
    atomic_uint next; /* the next unclaimed task */
};

static void run_tasks(struct tl_pool *p, tl_pool_task fn, void *ctx, uint32_t n, uint32_t id)
{
    for (;;) {
        unsigned t = atomic_fetch_add_explicit(&p->next, 1u, memory_order_relaxed);
        if (t >= n) break;
        fn(ctx, t, id);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    struct tl_pool *p = w->pool;
    uint64_t seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->generation == seen) pthread_cond_wait(&p->wake, &p->mu);
        if (p->quit) break;
        seen = p->generation;
        tl_pool_task fn = p->fn;
        void *ctx = p->ctx;
        uint32_t n = p->n_tasks;
        pthread_mutex_unlock(&p->mu);
        run_tasks(p, fn, ctx, n, w->id);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0) pthread_cond_signal(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

tl_status tl_pool_new(uint32_t threads, tl_pool **out, tl_error *err)
{
    *out = NULL;
    if (threads > TL_POOL_MAX_THREADS)
        return tl_fail(err, TL_E_ARG, "%u threads is more than the pool's limit of %u", threads, TL_POOL_MAX_THREADS);
    if (threads == 0) threads = tl_cpu_count();
    struct tl_pool *p = calloc(1, sizeof *p);
    if (!p) return tl_fail(err, TL_E_NOMEM, "out of memory creating a thread pool");
    p->threads = threads;
    atomic_init(&p->next, 0u);
    if (threads == 1) {
        *out = p;
        return TL_OK;
    }
    p->tids = calloc(threads - 1, sizeof *p->tids);
    p->workers = calloc(threads - 1, sizeof *p->workers);
    if (!p->tids || !p->workers) {
        free(p->tids);
        free(p->workers);
        free(p);
        return tl_fail(err, TL_E_NOMEM, "out of memory creating a thread pool");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->idle, NULL);
    for (uint32_t i = 0; i + 1 < threads; i++) {
        p->workers[i].pool = p;
        p->workers[i].id = i + 1;
        if (pthread_create(&p->tids[i], NULL, worker_main, &p->workers[i]) != 0) {
            tl_pool_free(p);
            return tl_fail(err, TL_E_NOMEM, "could not start thread %u of %u for the thread pool", i + 2, threads);
        }
        p->started++;
    }
    *out = p;
    return TL_OK;
}

void tl_pool_free(tl_pool *p)
{
    if (!p) return;
    if (p->threads > 1) {
        pthread_mutex_lock(&p->mu);
        p->quit = 1;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        for (uint32_t i = 0; i < p->started; i++) pthread_join(p->tids[i], NULL);
        pthread_cond_destroy(&p->idle);
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->mu);
    }
    free(p->tids);
    free(p->workers);
    free(p);
}

uint32_t tl_pool_threads(const tl_pool *p) { return p->threads; }

void tl_pool_run(tl_pool *p, uint32_t n_tasks, tl_pool_task fn, void *ctx)
{
    if (n_tasks == 0) return;
    if (p->threads == 1 || n_tasks == 1) {
        for (uint32_t t = 0; t < n_tasks; t++) fn(ctx, t, 0);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n_tasks;
    atomic_store_explicit(&p->next, 0u, memory_order_relaxed);
    p->busy = p->started;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    run_tasks(p, fn, ctx, n_tasks, 0);
    pthread_mutex_lock(&p->mu);
    while (p->busy > 0) pthread_cond_wait(&p->idle, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

#else /* no threads: every pool runs its tasks in the caller, in order */

struct tl_pool {
    uint32_t requested;
};

tl_status tl_pool_new(uint32_t threads, tl_pool **out, tl_error *err)
{
    *out = NULL;
    if (threads > TL_POOL_MAX_THREADS)
        return tl_fail(err, TL_E_ARG, "%u threads is more than the pool's limit of %u", threads, TL_POOL_MAX_THREADS);
    struct tl_pool *p = calloc(1, sizeof *p);
    if (!p) return tl_fail(err, TL_E_NOMEM, "out of memory creating a thread pool");
    p->requested = threads;
    *out = p;
    return TL_OK;
}

void tl_pool_free(tl_pool *p) { free(p); }

uint32_t tl_pool_threads(const tl_pool *p)
{
    (void)p;
    return 1;
}

void tl_pool_run(tl_pool *p, uint32_t n_tasks, tl_pool_task fn, void *ctx)
{
    (void)p;
    for (uint32_t t = 0; t < n_tasks; t++) fn(ctx, t, 0);
}

#endif
