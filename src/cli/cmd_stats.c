/* towerlens stats PATH... [--json]: what a set of MovieLens files holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "commands.h"
#include "inputs.h"
#include "towerlens.h"

/* 100836 -> "100,836" */
static const char *grouped(unsigned long long v, char *buf, size_t cap)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", v), o = 0;
    for (int i = 0; i < n && (size_t)o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static const char *date(int64_t ts, char *buf, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%d", &tm)) snprintf(buf, cap, "%lld", (long long)ts);
    return buf;
}

static void print_summary(const tl_dataset *ds)
{
    char a[32], b[32], c[32];
    printf("ratings      %s\n", grouped(ds->n_ratings, a, sizeof a));
    printf("users        %s\n", grouped(ds->n_users, a, sizeof a));
    uint32_t rated_in_catalogue = 0;
    for (uint32_t i = 0; i < ds->n_movies; i++)
        rated_in_catalogue += ds->movies[i].in_catalogue && ds->movies[i].n_ratings;
    printf("movies       %s in the catalogue, %s of them rated", grouped(ds->n_catalogue, a, sizeof a),
           grouped(rated_in_catalogue, b, sizeof b));
    uint32_t outside = ds->n_rated_movies - rated_in_catalogue;
    if (outside)
        printf("; %s more rated movie%s not in the catalogue", grouped(outside, c, sizeof c),
               outside == 1 ? " is" : "s are");
    printf("\n");
    printf("genres (%u)  ", ds->n_genres);
    for (uint32_t g = 0; g < ds->n_genres; g++) printf("%s%s", g ? ", " : "", ds->genre_names[g]);
    printf("%s\n", ds->n_genres ? "" : "none");

    int lo = 0, hi = 0;
    double sum = 0;
    for (int h = 1; h <= 10; h++) {
        if (!ds->rating_hist[h]) continue;
        if (!lo) lo = h;
        hi = h;
        sum += ds->rating_hist[h] * h * 0.5;
    }
    printf("ratings      from %.1f to %.1f, mean %.3f\n", lo * 0.5, hi * 0.5,
           ds->n_ratings ? sum / ds->n_ratings : 0.0);
    printf("histogram   ");
    for (int h = 1; h <= 10; h++) printf(" %.1f: %s", h * 0.5, grouped(ds->rating_hist[h], a, sizeof a));
    printf("\n");
    printf("time span    %s to %s (UTC)\n", date(ds->first_timestamp, a, sizeof a),
           date(ds->last_timestamp, b, sizeof b));
    printf("tags         %s\n", grouped(ds->n_tags, a, sizeof a));
    if (!ds->n_warnings) printf("warnings     none\n");
    for (uint32_t w = 0; w < ds->n_warnings; w++) printf("warning      %s\n", ds->warnings[w]);
}

int cmd_stats(int argc, char **argv)
{
    int json = 0;
    tl_arg_list paths = {0};
    cli_inputs in = {0};
    const tl_arg_opt opts[] = {
        {"json", TL_ARG_FLAG, &json, NULL,
         "print one JSON object (ratings, users, movies, rated_movies, movies_total, genres, rating_min, "
         "rating_max, rating_mean, rating_histogram, first_timestamp, last_timestamp, tags, warnings)",
         0, 0},
        CLI_INPUT_OPTS(in),
    };
    const tl_arg_spec spec = {
        "stats",
        "PATH... [--json] [--format csv --user-col C --item-col C [--rating-col C] [--time-col C] [--items FILE]]",
        "Reads MovieLens files and prints what they hold: ratings, users, movies in the catalogue and rated,\n"
        "genre labels, the rating range and histogram, the time span, tags and warnings.\n"
        "PATH is a file (ratings.csv, movies.csv, tags.csv, links.csv; ml-100k u.data, u.item; ml-1m\n"
        "ratings.dat, movies.dat) or a folder, which contributes the MovieLens data files it holds.\n"
        "The kind of each file is detected from its content. Errors name the file and line.",
        opts,
        sizeof opts / sizeof opts[0],
        &paths,
        "PATH",
        1,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&paths);
        return tl_args_exit(r);
    }
    tl_dataset *ds = NULL;
    tl_error err;
    tl_error_clear(&err);
    tl_status st = cli_load(&in, paths.items, paths.n, &ds, &err);
    tl_arg_list_free(&paths);
    if (st) {
        fprintf(stderr, "towerlens stats: %s\n", err.message);
        return 1;
    }
    if (json) {
        tl_buf b;
        tl_buf_init(&b);
        tl_dataset_summary_json(ds, &b);
        if (b.failed) {
            fprintf(stderr, "towerlens stats: out of memory printing the summary\n");
            tl_buf_free(&b);
            tl_dataset_free(ds);
            return 1;
        }
        printf("%s\n", b.data);
        tl_buf_free(&b);
    } else {
        print_summary(ds);
    }
    tl_dataset_free(ds);
    return 0;
}
