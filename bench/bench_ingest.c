/* Native ingest benchmark: how fast the streaming loader reads MovieLens
 * files and how much memory it holds.
 *
 *   tl_bench_ingest PATH... [--repeat N] [--chunk BYTES] [--keep-freed] [--json]
 *
 * PATHs are files or folders (a folder contributes its MovieLens data
 * files), loaded together as one dataset. Two measurements, both repeated N
 * times (default 5) in this one process, each load freeing its dataset
 * before the next, the way the WASM bench loads N times in one instance:
 *   load   tl_load_paths from disk (page cache), as the CLI does. The first
 *          load is reported on its own as "cold" (a fresh process: the
 *          allocator and the kernel hand out pages never touched before, and
 *          on this VM each first touch of a page costs ~10-30 us); the others
 *          are "warm", reported as their median. Peak RSS is taken right
 *          after the first load, so run one dataset per process;
 *   parse  the same bytes already in memory fed in chunks of --chunk bytes
 *          (default 1 MiB) plus tl_loader_finish, median of N (all after the
 *          loads, so warm).
 * Each is timed by the wall clock and by the process's CPU time (user +
 * system): on a shared machine the wall clock mostly measures the other
 * processes, the CPU time what the loader costs. Page faults per load are
 * the process's minor faults during it. MB are 10^6 bytes. Bytes/rating
 * held = the dataset's arrays (ratings columns, user arrays, movies,
 * titles) / ratings; the ratings columns alone are 9 bytes/rating. With
 * --json a last line holds one JSON object.
 *
 * --keep-freed (glibc only) tells this process's allocator to keep freed
 * memory instead of returning it to the kernel (mallopt: no trimming, no
 * mmap below 32 MiB), the way WebAssembly memory never shrinks: warm loads
 * then reuse pages and show what the loader costs without page faults. The
 * loader itself never changes allocator settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "bench_clock.h"
#include "towerlens/loader.h"

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* One timed run: wall and CPU seconds, minor page faults. */
typedef struct run_time {
    double wall, cpu;
    long faults;
} run_time;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Medians of the fields of runs[0..n) (each field on its own). */
static run_time median_run(const run_time *runs, int n)
{
    run_time m = {0, 0, 0};
    if (n <= 0) return m;
    double *v = malloc((size_t)n * sizeof *v);
    if (!v) return m;
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < n; i++) v[i] = f == 0 ? runs[i].wall : f == 1 ? runs[i].cpu : (double)runs[i].faults;
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        if (f == 0) m.wall = med;
        else if (f == 1) m.cpu = med;
        else m.faults = (long)med;
    }
    free(v);
    return m;
}

static double current_rss_mb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
        fclose(f);
    }
    return rss * 4096.0 / 1e6;
}

typedef struct file_data {
    char path[4096];
    uint8_t *bytes;
    size_t n;
} file_data;

static int read_file(const char *path, file_data *fd)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0) {
        fclose(f);
        return 0;
    }
    snprintf(fd->path, sizeof fd->path, "%s", path);
    fd->n = (size_t)sb.st_size;
    fd->bytes = malloc(fd->n ? fd->n : 1);
    int ok = fd->bytes && fread(fd->bytes, 1, fd->n, f) == fd->n;
    fclose(f);
    return ok;
}

static size_t expand(const char *path, file_data *out, size_t max)
{
    static const char *const known[] = {"links.csv", "movies.csv", "ratings.csv", "tags.csv", "u.data",
                                        "u.item",    "movies.dat", "ratings.dat", "tags.dat"};
    struct stat sb;
    if (stat(path, &sb) != 0) return 0;
    if (!S_ISDIR(sb.st_mode)) return max && read_file(path, &out[0]) ? 1 : 0;
    size_t n = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0] && n < max; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, known[i]);
        if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && read_file(p, &out[n])) n++;
    }
    return n;
}

static tl_status parse_from_memory(const file_data *files, size_t n, size_t chunk, tl_dataset **out, tl_error *err)
{
    tl_loader *ld = tl_loader_new();
    tl_status st = ld ? TL_OK : TL_E_NOMEM;
    for (size_t i = 0; i < n && !st; i++) {
        st = tl_loader_begin(ld, files[i].path, err);
        if (!st) st = tl_loader_size_hint(ld, files[i].n, err);
        for (size_t off = 0; !st && off < files[i].n; off += chunk)
            st = tl_loader_feed(ld, files[i].bytes + off, files[i].n - off < chunk ? files[i].n - off : chunk, err);
        tl_file_kind kind;
        if (!st) st = tl_loader_end(ld, &kind, err);
    }
    if (!st) st = tl_loader_finish(ld, out, err);
    tl_loader_free(ld);
    return st;
}

int main(int argc, char **argv)
{
    const char *paths[64];
    size_t n_paths = 0, chunk = (size_t)1 << 20;
    int repeat = 5, json = 0, keep_freed = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--keep-freed")) keep_freed = 1;
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--chunk") && i + 1 < argc) chunk = (size_t)strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--help")) {
            printf("usage: tl_bench_ingest PATH... [--repeat N] [--chunk BYTES] [--keep-freed] [--json]\n");
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "tl_bench_ingest: unknown option %s\n", argv[i]);
            return 2;
        } else if (n_paths < 64) {
            paths[n_paths++] = argv[i];
        }
    }
    if (!n_paths || repeat < 1 || chunk < 1) {
        fprintf(stderr, "usage: tl_bench_ingest PATH... [--repeat N] [--chunk BYTES] [--keep-freed] [--json]\n");
        return 2;
    }
    if (keep_freed) {
#ifdef __GLIBC__
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
#else
        fprintf(stderr, "tl_bench_ingest: --keep-freed needs glibc\n");
        return 2;
#endif
    }

    run_time *load = calloc((size_t)repeat, sizeof *load), *parse = calloc((size_t)repeat, sizeof *parse);
    if (!load || !parse) {
        fprintf(stderr, "tl_bench_ingest: out of memory\n");
        return 1;
    }

    /* 1. from disk, as the CLI does: the first load is cold, its peak memory is this run's */
    double rss0 = current_rss_mb(), peak = 0, held = 0;
    uint32_t n_ratings = 0;
    tl_error err;
    for (int r = 0; r < repeat; r++) {
        tl_dataset *ds = NULL;
        long f0 = minor_faults();
        double t0 = bench_now(), c0 = bench_cpu_now();
        tl_status st = tl_load_paths(paths, n_paths, &ds, &err);
        load[r] = (run_time){bench_now() - t0, bench_cpu_now() - c0, minor_faults() - f0};
        if (st) {
            fprintf(stderr, "tl_bench_ingest: %s\n", err.message);
            return 1;
        }
        if (r == 0) {
            peak = bench_peak_rss_mb();
            n_ratings = ds->n_ratings;
            held = (double)n_ratings * 9 + (double)ds->n_users * 8 + (double)ds->n_movies * sizeof(tl_movie) +
                   (double)ds->strings_len;
        }
        tl_dataset_free(ds);
    }

    /* 2. from memory */
    file_data files[64 * 9];
    size_t n_files = 0;
    for (size_t i = 0; i < n_paths; i++) n_files += expand(paths[i], files + n_files, 64 * 9 - n_files);
    size_t bytes = 0;
    for (size_t i = 0; i < n_files; i++) bytes += files[i].n;
    for (int r = 0; r < repeat; r++) {
        tl_dataset *ds = NULL;
        long f0 = minor_faults();
        double t0 = bench_now(), c0 = bench_cpu_now();
        tl_status st = parse_from_memory(files, n_files, chunk, &ds, &err);
        parse[r] = (run_time){bench_now() - t0, bench_cpu_now() - c0, minor_faults() - f0};
        if (st) {
            fprintf(stderr, "tl_bench_ingest: %s\n", err.message);
            return 1;
        }
        tl_dataset_free(ds);
    }
    for (size_t i = 0; i < n_files; i++) free(files[i].bytes);

    const run_time cold = load[0], warm = median_run(load + 1, repeat - 1), mem = median_run(parse, repeat);
    const int have_warm = repeat > 1;
    double mb = bytes / 1e6;
    printf("%-28s %7s %9s | %-21s | %-21s | %-21s | %8s %8s %8s\n", "input", "MB", "ratings", "cold load (1st)",
           have_warm ? "warm load (median)" : "warm load (none)", "in memory (median)", "peak MB", "peak B/r",
           "held B/r");
    printf("%-28s %7s %9s | %7s %6s %6s | %7s %6s %6s | %7s %6s %6s | %8s %8s %8s\n", "", "", "", "MB/s", "cpu",
           "faults", "MB/s", "cpu", "faults", "MB/s", "cpu", "faults", "", "", "");
    printf("%-28.28s %7.1f %9u | %7.0f %6.0f %6ld | %7.0f %6.0f %6ld | %7.0f %6.0f %6ld | %8.1f %8.2f %8.2f\n",
           paths[0], mb, n_ratings, mb / cold.wall, mb / cold.cpu, cold.faults, have_warm ? mb / warm.wall : 0,
           have_warm ? mb / warm.cpu : 0, warm.faults, mb / mem.wall, mb / mem.cpu, mem.faults, peak,
           (peak - rss0) * 1e6 / n_ratings, held / n_ratings);
    if (json) {
        printf("{\"input\":\"%s\",\"bytes\":%zu,\"ratings\":%u,\"repeat\":%d,\"chunk\":%zu,", paths[0], bytes,
               n_ratings, repeat, chunk);
        printf("\"cold_load_s\":%.6f,\"cold_load_cpu_s\":%.6f,\"cold_load_faults\":%ld,", cold.wall, cold.cpu,
               cold.faults);
        if (have_warm)
            printf("\"warm_load_s\":%.6f,\"warm_load_cpu_s\":%.6f,\"warm_load_faults\":%ld,", warm.wall, warm.cpu,
                   warm.faults);
        else printf("\"warm_load_s\":null,\"warm_load_cpu_s\":null,\"warm_load_faults\":null,");
        printf("\"load_s\":[");
        for (int r = 0; r < repeat; r++) printf("%s%.6f", r ? "," : "", load[r].wall);
        printf("],\"load_cpu_s\":[");
        for (int r = 0; r < repeat; r++) printf("%s%.6f", r ? "," : "", load[r].cpu);
        printf("],\"parse_s\":%.6f,\"parse_cpu_s\":%.6f,\"parse_faults\":%ld,\"parse_runs_s\":[", mem.wall, mem.cpu,
               mem.faults);
        for (int r = 0; r < repeat; r++) printf("%s%.6f", r ? "," : "", parse[r].wall);
        printf("],\"parse_runs_cpu_s\":[");
        for (int r = 0; r < repeat; r++) printf("%s%.6f", r ? "," : "", parse[r].cpu);
        printf("],\"peak_rss_mb\":%.1f,\"peak_bytes_per_rating\":%.2f,\"held_bytes_per_rating\":%.2f,"
               "\"column_bytes_per_rating\":9,\"keep_freed\":%s}\n",
               peak, (peak - rss0) * 1e6 / n_ratings, held / n_ratings, keep_freed ? "true" : "false");
    }
    free(load);
    free(parse);
    return 0;
}
