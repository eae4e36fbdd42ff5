/* Native ingest benchmark: how fast the streaming loader reads MovieLens
 * files and how much memory it holds.
 *
 *   tl_bench_ingest PATH... [--repeat N] [--chunk BYTES] [--json]
 *
 * PATHs are files or folders (a folder contributes its MovieLens data
 * files), loaded together as one dataset. Two measurements:
 *   load   tl_load_paths from disk (page cache), 1 MiB reads, once; peak RSS
 *          is taken right after it, so run one dataset per process;
 *   parse  the same bytes already in memory fed in chunks of --chunk bytes
 *          (default 1 MiB) plus tl_loader_finish, best of --repeat (default 5).
 * Each is timed by the wall clock and by the process's CPU time (user +
 * system): on a shared machine the wall clock mostly measures the other
 * processes, the CPU time what the loader costs. MB are 10^6 bytes. Bytes/rating held = the dataset's arrays (ratings
 * columns, user arrays, movies, titles) / ratings; the ratings columns alone
 * are 9 bytes/rating. With --json a last line holds one JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "towerlens/loader.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
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

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss * 1024.0 / 1e6; /* Linux reports KiB */
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
    static const char *const known[] = {"links.csv",  "movies.csv",  "ratings.csv", "tags.csv", "u.data",
                                        "u.item",     "movies.dat",  "ratings.dat", "tags.dat"};
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
    int repeat = 5, json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--chunk") && i + 1 < argc) chunk = (size_t)strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--help")) {
            printf("usage: tl_bench_ingest PATH... [--repeat N] [--chunk BYTES] [--json]\n");
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "tl_bench_ingest: unknown option %s\n", argv[i]);
            return 2;
        } else if (n_paths < 64) {
            paths[n_paths++] = argv[i];
        }
    }
    if (!n_paths || repeat < 1 || chunk < 1) {
        fprintf(stderr, "usage: tl_bench_ingest PATH... [--repeat N] [--chunk BYTES] [--json]\n");
        return 2;
    }

    /* 1. from disk, as the CLI does; peak memory belongs to this run */
    double rss0 = current_rss_mb();
    tl_dataset *ds = NULL;
    tl_error err;
    double t0 = now(), c0 = cpu_now();
    tl_status st = tl_load_paths(paths, n_paths, &ds, &err);
    double load_s = now() - t0, load_cpu = cpu_now() - c0;
    double peak = peak_rss_mb();
    if (st) {
        fprintf(stderr, "tl_bench_ingest: %s\n", err.message);
        return 1;
    }
    uint32_t n_ratings = ds->n_ratings;
    double held = (double)n_ratings * 9 + (double)ds->n_users * 8 + (double)ds->n_movies * sizeof(tl_movie) +
                  (double)ds->strings_len;
    tl_dataset_free(ds);

    /* 2. from memory, best of N */
    file_data files[64 * 9];
    size_t n_files = 0;
    for (size_t i = 0; i < n_paths; i++) n_files += expand(paths[i], files + n_files, 64 * 9 - n_files);
    size_t bytes = 0;
    for (size_t i = 0; i < n_files; i++) bytes += files[i].n;
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r < repeat; r++) {
        t0 = now();
        c0 = cpu_now();
        st = parse_from_memory(files, n_files, chunk, &ds, &err);
        double s = now() - t0, c = cpu_now() - c0;
        if (c < best_cpu) best_cpu = c;
        if (st) {
            fprintf(stderr, "tl_bench_ingest: %s\n", err.message);
            return 1;
        }
        tl_dataset_free(ds);
        if (s < best) best = s;
    }
    for (size_t i = 0; i < n_files; i++) free(files[i].bytes);

    double mb = bytes / 1e6;
    printf("%-32s %8s %10s | %-15s | %-15s | %9s %8s %8s %8s\n", "input", "MB", "ratings", "load MB/s",
           "parse MB/s", "rows/s", "peak MB", "peak B/r", "held B/r");
    printf("%-32s %8s %10s | %7s %7s | %7s %7s | %9s %8s %8s %8s\n", "", "", "", "wall", "cpu", "wall", "cpu",
           "(cpu)", "", "", "");
    printf("%-32.32s %8.1f %10u | %7.0f %7.0f | %7.0f %7.0f | %9.3g %8.1f %8.2f %8.2f\n", paths[0], mb, n_ratings,
           mb / load_s, mb / load_cpu, mb / best, mb / best_cpu, n_ratings / best_cpu, peak,
           (peak - rss0) * 1e6 / n_ratings, held / n_ratings);
    if (json)
        printf("{\"input\":\"%s\",\"bytes\":%zu,\"ratings\":%u,\"load_s\":%.6f,\"load_cpu_s\":%.6f,"
               "\"load_mb_s\":%.1f,\"load_cpu_mb_s\":%.1f,\"parse_s\":%.6f,\"parse_cpu_s\":%.6f,"
               "\"parse_mb_s\":%.1f,\"parse_cpu_mb_s\":%.1f,\"rows_per_s\":%.0f,\"rows_per_cpu_s\":%.0f,"
               "\"peak_rss_mb\":%.1f,\"peak_bytes_per_rating\":%.2f,\"held_bytes_per_rating\":%.2f,"
               "\"column_bytes_per_rating\":9,\"chunk\":%zu,\"repeat\":%d}\n",
               paths[0], bytes, n_ratings, load_s, load_cpu, mb / load_s, mb / load_cpu, best, best_cpu, mb / best,
               mb / best_cpu, n_ratings / best, n_ratings / best_cpu, peak, (peak - rss0) * 1e6 / n_ratings,
               held / n_ratings, chunk, repeat);
    return 0;
}
