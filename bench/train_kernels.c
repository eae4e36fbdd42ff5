/* Kernel timings of one training batch of the tfrs model (B x B in-batch
 * softmax at dimension d, in row blocks), for bench/train.mjs.
 *
 * Native: `build/tl_bench_train [--batch 8192] [--dim 32] [--block 32]
 * [--reps 3] [--json]` prints the best time and GFLOP/s of each kernel.
 * WASM: the same file is built into build-wasm/tl_bench_train.mjs, whose
 * export tl_bench_train_kernel() the benchmark calls repeatedly from
 * JavaScript (the engine only switches to optimised code between calls). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "towerlens/clock.h"
#include "towerlens/kernels.h"
#include "towerlens/rng.h"
#include "towerlens/train.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define BENCH_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define BENCH_EXPORT
#endif

enum { K_STEP, K_ABT, K_SOFTMAX, K_AB, K_ATB, K_COUNT };
static const char *kernel_names[K_COUNT] = {"batch step (all below)", "logits U M^T + row max",
                                            "exp(logit - max), sums", "dU = E M (gemm_ab)", "dM += E^T U' (gemm_atb)"};

/* Flops of one batch for each kernel (a multiply-add counts 2). */
/* What bench/train.mjs calls in the WASM build (and main below natively). */
BENCH_EXPORT double tl_bench_train_flops(int kernel, int B, int d);
BENCH_EXPORT double tl_bench_train_kernel(int kernel, int B, int d, int block, int reps);
BENCH_EXPORT const char *tl_bench_train_kernel_name(int kernel);

BENCH_EXPORT double tl_bench_train_flops(int kernel, int B, int d)
{
    double mm = 2.0 * B * (double)B * d;
    switch (kernel) {
        case K_STEP: return 3 * mm;
        case K_SOFTMAX: return 0; /* exp-bound, not flops */
        default: return mm;
    }
}

/* Runs `kernel` over one batch `reps` times; returns wall milliseconds. */
BENCH_EXPORT double tl_bench_train_kernel(int kernel, int B, int d, int block, int reps)
{
    size_t n = (size_t)B * d;
    float *U = malloc(n * sizeof(float)), *M = malloc(n * sizeof(float));
    float *dU = malloc(n * sizeof(float)), *dM = malloc(n * sizeof(float));
    tl_rng r;
    tl_rng_seed(&r, 1);
    for (size_t i = 0; i < n; i++) U[i] = tl_rng_uniform(&r, -0.3f, 0.3f), M[i] = tl_rng_uniform(&r, -0.3f, 0.3f);
    tl_softmax_ws ws;
    tl_error err;
    if (!U || !M || !dU || !dM || tl_softmax_ws_init(&ws, (size_t)B, (size_t)d, (size_t)block, &err) != TL_OK) {
        free(U), free(M), free(dU), free(dM);
        return -1;
    }
    /* a realistic logit block for the kernels that start from one */
    tl_softmax_begin(&ws, M, (size_t)B, dM);
    size_t rows = ws.block_rows, ld = ws.ld_logits;
    tl_gemm_abt(U, rows, (size_t)d, ws.packed, (size_t)B, (size_t)d, ws.logits, ld);
    float *saved = malloc(rows * ld * sizeof(float));
    memcpy(saved, ws.logits, rows * ld * sizeof(float));
    double t0 = tl_clock_ms();
    for (int rep = 0; rep < reps; rep++) {
        if (kernel == K_STEP) {
            tl_softmax_batch(&ws, U, M, (size_t)B, dU, dM);
            continue;
        }
        for (size_t r0 = 0; r0 < (size_t)B; r0 += rows) {
            size_t rr = (size_t)B - r0 < rows ? (size_t)B - r0 : rows;
            switch (kernel) {
                case K_ABT:
                    tl_gemm_abt_max(U + r0 * d, rr, (size_t)d, ws.packed, (size_t)B, (size_t)d, ws.logits, ld,
                                    ws.row_max);
                    break;
                case K_SOFTMAX: {
                    memcpy(ws.logits, saved, rr * ld * sizeof(float)); /* fresh logits (copy: ~1% of the time) */
                    for (size_t i = 0; i < rr; i++) tl_exp_shifted_row(ws.logits + i * ld, (size_t)B, 3.0f);
                    break;
                }
                case K_AB:
                    tl_gemm_ab(ws.logits, rr, ld, M, (size_t)B, (size_t)d, (size_t)d, dU + r0 * d, (size_t)d);
                    break;
                case K_ATB:
                    tl_gemm_atb_acc(ws.logits, rr, ld, (size_t)B, U + r0 * d, (size_t)d, (size_t)d, dM, (size_t)d);
                    break;
            }
        }
    }
    double ms = tl_clock_ms() - t0;
    free(saved);
    tl_softmax_ws_free(&ws);
    free(U), free(M), free(dU), free(dM);
    return ms;
}

BENCH_EXPORT const char *tl_bench_train_kernel_name(int kernel)
{
    return kernel >= 0 && kernel < K_COUNT ? kernel_names[kernel] : "";
}

#ifndef __EMSCRIPTEN__
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    int B = 8192, d = 32, block = TL_TRAIN_BLOCK_ROWS, reps = 3, json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--batch") && i + 1 < argc) B = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dim") && i + 1 < argc) d = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--block") && i + 1 < argc) block = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json")) json = 1;
        else {
            fprintf(stderr, "usage: tl_bench_train [--batch B] [--dim D] [--block R] [--reps N] [--json]\n");
            return 2;
        }
    }
    if (B < 1 || d < 1 || block < 1 || reps < 1) {
        fprintf(stderr, "tl_bench_train: sizes and --reps must be positive\n");
        return 2;
    }
    if (json) printf("{\"batch\":%d,\"dim\":%d,\"block\":%d,\"kernels\":[", B, d, block);
    else
        printf("batch %d, dim %d, block %d rows; best of %d (wall and process CPU)\n%-26s %10s %10s %9s %9s\n", B, d,
               block, reps, "kernel", "wall ms", "cpu ms", "GFLOP/s", "(cpu)");
    for (int k = 0; k < K_COUNT; k++) {
        double best = 1e300, best_cpu = 1e300;
        tl_bench_train_kernel(k, B, d, block, 1); /* warm-up */
        for (int rep = 0; rep < reps; rep++) {
            double c0 = cpu_ms();
            double ms = tl_bench_train_kernel(k, B, d, block, 1);
            double c = cpu_ms() - c0;
            if (ms < best) best = ms;
            if (c < best_cpu) best_cpu = c;
        }
        double fl = tl_bench_train_flops(k, B, d);
        if (json)
            printf("%s{\"name\":\"%s\",\"ms\":%.3f,\"cpu_ms\":%.3f,\"gflops\":%.3f,\"gflops_cpu\":%.3f}", k ? "," : "",
                   kernel_names[k], best, best_cpu, fl ? fl / best / 1e6 : 0, fl ? fl / best_cpu / 1e6 : 0);
        else if (fl)
            printf("%-26s %10.1f %10.1f %9.1f %9.1f\n", kernel_names[k], best, best_cpu, fl / best / 1e6,
                   fl / best_cpu / 1e6);
        else printf("%-26s %10.1f %10.1f %9s %9s\n", kernel_names[k], best, best_cpu, "-", "-");
    }
    if (json) printf("],\"kernels_path\":\"%s\"}\n", tl_kernels_simd() ? "simd128" : "native");
    return 0;
}
#endif
