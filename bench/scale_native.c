/* Native scale benchmark of the default model (iALS) on a large data set,
 * e.g. one with ml-25m's shape (bench/scale_native.sh generates it):
 *
 *   tl_bench_scale DIR [--threads 1,2] [--test-fraction F] [--epochs N] [--solver exact|cg] [--cg-steps N]
 *
 * Loads DIR once, splits it (default: every rating trains, test fraction
 * 0), then for each thread count builds a trainer of preset "default"
 * (setup: the solver's copies of the pairs) and trains --epochs epochs
 * (default 1). Prints a table: threads, setup seconds (wall and CPU), seconds per epoch
 * (wall and process CPU), speed-up per epoch against the first row, and
 * the model hash after training (equal for every thread count: the model
 * does not depend on it). Peak RSS (ingest + one trainer at a time) at the
 * end. Before the table a machine check runs pure arithmetic tasks on a
 * pool with 1 and with the last thread count: the speed-up the load on the
 * machine leaves at all (about 2x on two idle cores). With --json a last
 * line holds one JSON object. Wall times on a
 * shared machine include the other processes' load; CPU times are printed
 * beside them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_clock.h"
#include "towerlens/loader.h"
#include "towerlens/pool.h"
#include "towerlens/split.h"
#include "towerlens/train.h"

#define MAX_RUNS 16

/* The peer measurement: pure arithmetic tasks (no memory traffic) on a
 * pool of n threads: how much parallelism the machine gives right now. */
static volatile double sink[TL_POOL_MAX_THREADS];

static void spin_task(void *ctx, uint32_t t, uint32_t worker)
{
    (void)ctx;
    double x = t;
    for (int i = 0; i < 200000; i++) x = x * 1.0000001 + 1e-9;
    sink[worker] = x;
}

static double spin_seconds(uint32_t threads)
{
    tl_pool *p = NULL;
    tl_error err;
    if (tl_pool_new(threads, &p, &err) != TL_OK) return 0.0;
    double t = bench_now();
    for (int r = 0; r < 10; r++) tl_pool_run(p, 200, spin_task, NULL);
    t = bench_now() - t;
    tl_pool_free(p);
    return t;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    uint32_t threads[MAX_RUNS] = {1, 2}, n_runs = 2, epochs = 1;
    double test_fraction = 0.0;
    int json = 0;
    const char *solver = NULL; /* NULL: the preset's */
    uint32_t cg_steps = 0;     /* 0: the preset's */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            n_runs = 0;
            for (char *p = argv[++i]; *p && n_runs < MAX_RUNS;) {
                threads[n_runs++] = (uint32_t)strtoul(p, &p, 10);
                if (*p == ',') p++;
                else if (*p) break;
            }
        } else if (!strcmp(argv[i], "--test-fraction") && i + 1 < argc) {
            test_fraction = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--epochs") && i + 1 < argc) {
            epochs = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--solver") && i + 1 < argc) {
            solver = argv[++i];
        } else if (!strcmp(argv[i], "--cg-steps") && i + 1 < argc) {
            cg_steps = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] != '-' && !dir) {
            dir = argv[i];
        } else {
            fprintf(stderr, "usage: tl_bench_scale DIR [--threads 1,2] [--test-fraction F] [--epochs N] [--solver "
                            "exact|cg] [--cg-steps N] [--json]\n");
            return 2;
        }
    }
    if (!dir || n_runs == 0 || epochs == 0) {
        fprintf(stderr, "usage: tl_bench_scale DIR [--threads 1,2] [--test-fraction F] [--epochs N] [--solver "
                        "exact|cg] [--cg-steps N] [--json]\n");
        return 2;
    }
    tl_error err;
    tl_dataset *ds = NULL;
    tl_split *sp = NULL;
    const char *paths[1] = {dir};
    double t = bench_now(), c = bench_cpu_now();
    if (tl_load_paths(paths, 1, &ds, &err) != TL_OK) {
        fprintf(stderr, "tl_bench_scale: %s\n", err.message);
        return 1;
    }
    double load_s = bench_now() - t, load_cpu = bench_cpu_now() - c;
    tl_split_options so;
    tl_split_options_default(&so);
    so.test_fraction = test_fraction;
    if (tl_split_make(ds, &so, &sp, &err) != TL_OK) {
        fprintf(stderr, "tl_bench_scale: %s\n", err.message);
        tl_dataset_free(ds);
        return 1;
    }
    printf("%s: %u ratings, %u users, %u movies; %u train rows; load %.2f s (cpu %.2f s); %u cores\n", dir,
           ds->n_ratings, ds->n_users, ds->n_movies, sp->n_train, load_s, load_cpu, tl_cpu_count());
    double spin1 = spin_seconds(1), spin_n = spin_seconds(threads[n_runs - 1]);
    printf("machine check: pure arithmetic tasks on the pool, 1 vs %u threads: %.2fx (what the load leaves)\n",
           threads[n_runs - 1], spin1 / spin_n);
    printf("\n| threads | setup s (wall) | setup s (cpu) | epoch s (wall) | epoch s (cpu) | speed-up | model hash |\n");
    printf("|---:|---:|---:|---:|---:|---:|---|\n");
    double first = 0.0, setup[MAX_RUNS], setup_cpu[MAX_RUNS], epoch_s[MAX_RUNS], epoch_cpu[MAX_RUNS];
    uint64_t hash[MAX_RUNS];
    int rc = 0;
    for (uint32_t r = 0; r < n_runs; r++) {
        tl_train_config cfg;
        tl_train_config_preset(&cfg, "default", &err);
        cfg.threads = threads[r];
        cfg.epochs = epochs;
        if (solver && tl_ials_solver_parse(solver, &cfg.ials_solver, &err) != TL_OK) {
            fprintf(stderr, "tl_bench_scale: %s\n", err.message);
            rc = 2;
            break;
        }
        if (cg_steps) cfg.ials_cg_steps = cg_steps;
        if (r == 0 && cfg.ials_solver == TL_IALS_CG) printf("solver cg, %u steps per row\n", cfg.ials_cg_steps);
        else if (r == 0) printf("solver exact\n");
        tl_trainer *tr = NULL;
        t = bench_now();
        c = bench_cpu_now();
        if (tl_trainer_new(ds, sp, &cfg, &tr, &err) != TL_OK) {
            fprintf(stderr, "tl_bench_scale: %s\n", err.message);
            rc = 1;
            break;
        }
        setup[r] = bench_now() - t;
        setup_cpu[r] = bench_cpu_now() - c;
        t = bench_now();
        c = bench_cpu_now();
        tl_train_progress p;
        tl_trainer_step(tr, 0, 0, &p, &err);
        epoch_s[r] = (bench_now() - t) / epochs;
        epoch_cpu[r] = (bench_cpu_now() - c) / epochs;
        hash[r] = tl_model_hash(tl_trainer_model(tr));
        if (r == 0) first = epoch_s[r];
        printf("| %u | %.2f | %.2f | %.2f | %.2f | %.2fx | %016" PRIx64 " |\n", tl_trainer_threads(tr), setup[r],
               setup_cpu[r], epoch_s[r], epoch_cpu[r], first / epoch_s[r], hash[r]);
        fflush(stdout);
        tl_trainer_free(tr);
        if (hash[r] != hash[0]) {
            fprintf(stderr, "tl_bench_scale: the model with %u threads differs from the first run's\n", threads[r]);
            rc = 1;
        }
    }
    double peak = bench_peak_rss_mb();
    printf("\npeak RSS %.0f MB (ingest + one trainer)\n", peak);
    if (json && rc == 0) {
        printf("{\"ratings\":%u,\"train\":%u,\"load_s\":%.3f,\"runs\":[", ds->n_ratings, sp->n_train, load_s);
        for (uint32_t r = 0; r < n_runs; r++)
            printf("%s{\"threads\":%u,\"setup_s\":%.3f,\"setup_cpu_s\":%.3f,\"epoch_s\":%.3f,\"epoch_cpu_s\":%.3f,"
                   "\"hash\":\"%016" PRIx64 "\"}",
                   r ? "," : "", threads[r], setup[r], setup_cpu[r], epoch_s[r], epoch_cpu[r], hash[r]);
        printf("],\"machine_check\":%.3f,\"peak_rss_mb\":%.0f}\n", spin1 / spin_n, peak);
    }
    tl_split_free(sp);
    tl_dataset_free(ds);
    return rc;
}
