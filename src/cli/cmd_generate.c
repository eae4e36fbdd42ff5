/* towerlens generate: writes a synthetic MovieLens set into a folder.
 * Files are written as NAME.tmp and renamed when everything succeeded, so
 * a failed run never leaves a half-written ratings.csv behind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "args.h"
#include "commands.h"
#include "towerlens.h"

typedef struct file_sink {
    FILE *fp;
    char path[4096];
    char tmp[4096];
    int error; /* errno of the first failed write */
} file_sink;

static int file_write(void *ctx, const void *data, size_t n)
{
    file_sink *f = ctx;
    if (fwrite(data, 1, n, f->fp) != n) {
        f->error = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
        path[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int open_sink(file_sink *f, const char *dir, const char *name)
{
    memset(f, 0, sizeof *f);
    int n1 = snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    int n2 = snprintf(f->tmp, sizeof f->tmp, "%s/%s.tmp", dir, name);
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof f->tmp) {
        fprintf(stderr, "towerlens generate: output path too long: %s/%s\n", dir, name);
        return -1;
    }
    f->fp = fopen(f->tmp, "wb");
    if (!f->fp) {
        fprintf(stderr, "towerlens generate: cannot create %s: %s\n", f->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

/* Closes the file; keeps it (rename over NAME) or removes it. */
static int close_sink(file_sink *f, int keep)
{
    if (!f->fp) return 0;
    int bad = fclose(f->fp) != 0;
    f->fp = NULL;
    if (bad && keep) {
        fprintf(stderr, "towerlens generate: writing %s failed: %s\n", f->tmp, strerror(errno));
        keep = 0;
    }
    if (keep && rename(f->tmp, f->path) != 0) {
        fprintf(stderr, "towerlens generate: cannot rename %s to %s: %s\n", f->tmp, f->path, strerror(errno));
        keep = 0;
    }
    if (!keep) remove(f->tmp);
    return keep ? 0 : -1;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

int cmd_generate(int argc, char **argv)
{
    tl_generate_options opt;
    tl_generate_options_default(&opt);
    const char *out_dir = NULL;
    int want_tags = 0, want_links = 0, quiet = 0;

    const tl_arg_opt opts[] = {
        {"out", TL_ARG_STRING, &out_dir, "DIR",
         "folder to write into (created if missing; existing files of the same names are replaced) [required]", 0, 0},
        {"users", TL_ARG_U32, &opt.users, "N",
         "users, ids 1..N, each with at least one rating (at least 20 when "
         "RATINGS allows)",
         0, UINT32_MAX},
        {"movies", TL_ARG_U32, &opt.movies, "M", "movies in movies.csv, ids with gaps", 0, UINT32_MAX},
        {"ratings", TL_ARG_U64, &opt.ratings, "R", "rating rows, N <= R <= N*M", 0, 0},
        {"seed", TL_ARG_U64, &opt.seed, "S", "random seed, 0..2^64-1", 0, 0},
        {"tags", TL_ARG_FLAG, &want_tags, NULL, "also write tags.csv", 0, 0},
        {"links", TL_ARG_FLAG, &want_links, NULL, "also write links.csv (made-up IMDb/TMDb ids)", 0, 0},
        {"quiet", TL_ARG_FLAG, &quiet, NULL, "print nothing on success", 0, 0},
    };
    char description[1024];
    snprintf(description, sizeof description,
             "Writes a synthetic MovieLens data set (ml-latest layout) into DIR:\n"
             "ratings.csv (userId,movieId,rating,timestamp) and movies.csv\n"
             "(movieId,title,genres), optionally tags.csv and links.csv. Users have\n"
             "hidden tastes (topics and genres) that a recommender can learn;\n"
             "popularity and activity follow power laws; ratings are half stars.\n"
             "The same options give the same bytes.\n"
             "limits: N <= %u, M <= %u, R <= %llu.\n"
             "example (the bundled demo set):\n"
             "  towerlens generate --users 600 --movies 3000 --ratings 50000 --seed 1 \\\n"
             "      --tags --links --out data/demo",
             TL_GEN_MAX_USERS, TL_GEN_MAX_MOVIES, (unsigned long long)TL_GEN_MAX_RATINGS);
    const tl_arg_spec spec = {
        "generate",
        "--out DIR [--users N] [--movies M] [--ratings R] [--seed S] [--tags] [--links] [--quiet]",
        description,
        opts,
        sizeof opts / sizeof opts[0],
        NULL,
        NULL,
        0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r != TL_ARGS_OK) return tl_args_exit(r);
    if (out_dir && !*out_dir) {
        fprintf(stderr, "towerlens generate: --out needs a folder name (see towerlens generate --help)\n");
        return 2;
    }
    if (!out_dir) {
        fprintf(stderr, "towerlens generate: --out DIR is required (see towerlens generate --help)\n");
        return 2;
    }
    tl_error err;
    tl_error_clear(&err);
    if (tl_generate_check(&opt, &err) != TL_OK) {
        fprintf(stderr, "towerlens generate: %s\n", err.message);
        return 2;
    }
    if (make_dirs(out_dir) != 0) {
        fprintf(stderr, "towerlens generate: cannot create folder %s: %s\n", out_dir, strerror(errno));
        return 1;
    }

    static file_sink files[4]; /* ratings, movies, tags, links (large path buffers) */
    const char *names[4] = {"ratings.csv", "movies.csv", "tags.csv", "links.csv"};
    const int wanted[4] = {1, 1, want_tags, want_links};
    tl_generate_sinks sinks;
    memset(&sinks, 0, sizeof sinks);
    tl_sink *slots[4] = {&sinks.ratings, &sinks.movies, &sinks.tags, &sinks.links};
    int ok = 1;
    for (int k = 0; k < 4; k++) {
        memset(&files[k], 0, sizeof files[k]);
        if (!wanted[k] || !ok) continue;
        if (open_sink(&files[k], out_dir, names[k]) != 0) {
            ok = 0;
            continue;
        }
        slots[k]->write = file_write;
        slots[k]->ctx = &files[k];
    }

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tl_generate_report rep;
    if (ok && tl_generate(&opt, &sinks, &rep, &err) != TL_OK) {
        int e = 0;
        for (int k = 0; k < 4; k++)
            if (files[k].error) e = files[k].error;
        if (e) fprintf(stderr, "towerlens generate: %s/%s (%s)\n", out_dir, err.message, strerror(e));
        else fprintf(stderr, "towerlens generate: %s\n", err.message);
        ok = 0;
    }
    for (int k = 0; k < 4; k++)
        if (close_sink(&files[k], ok) != 0) ok = 0;
    if (!ok) return 1;
    if (!quiet) {
        printf("wrote %s: %llu rating%s by %u user%s of %u movie%s (%u rated, ids up to %u)", out_dir,
               (unsigned long long)rep.ratings, tl_plural(rep.ratings), rep.users, tl_plural(rep.users), rep.movies,
               tl_plural(rep.movies), rep.rated_movies, rep.max_movie_id);
        if (want_tags) printf(", %llu tags", (unsigned long long)rep.tags);
        /* CPU time and peak memory too: on a shared machine wall time alone misleads */
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                     ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
        printf("\n  ratings per user %u..%u; ratings.csv %.1f MB, movies.csv %.1f MB in %.2f s "
               "(CPU %.2f s, peak RSS %.1f MB; seed %llu)\n",
               rep.min_user_ratings, rep.max_user_ratings, (double)rep.bytes_ratings / 1e6,
               (double)rep.bytes_movies / 1e6, seconds_since(&t0), cpu, (double)ru.ru_maxrss / 1024.0,
               (unsigned long long)opt.seed);
    }
    return 0;
}
