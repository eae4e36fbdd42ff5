/* towerlens similar --model FILE --movie M: movies nearest to a movie. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "serve_common.h"

int cmd_similar(int argc, char **argv)
{
    const char *model = NULL, *movie_text = NULL;
    uint32_t k = 10, movie_id = 0;
    int json = 0;
    serve_filters f = {0};
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"movie", TL_ARG_STRING, &movie_text, "M", "the raw movieId to find similar movies for (required)", 0, 0},
        {"k", TL_ARG_U32, &k, "K", "how many movies", 1, 100000},
        SERVE_FILTER_OPTS(f),
        {"json", TL_ARG_FLAG, &json, NULL,
         "print {\"items\": [{movieId, title, year, genres, score, ratings, imdbId, tmdbId}, ...]}, best first", 0, 0},
    };
    const tl_arg_spec spec = {
        "similar", "--model FILE --movie M [-k 10] [--genre G]... [--years A-B] [--min-ratings N] [--json]",
        "Prints the k catalogue movies whose embeddings have the highest cosine similarity with the given\n"
        "movie's embedding (the movie itself is never listed).",
        opts, sizeof opts / sizeof opts[0], NULL, NULL, 0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&f.genres);
        return tl_args_exit(r);
    }
    if (!model || !movie_text) {
        fprintf(stderr, "towerlens similar: --model FILE and --movie M are required (see --help)\n");
        tl_arg_list_free(&f.genres);
        return 2;
    }
    if (serve_parse_id("similar", "--movie", movie_text, &movie_id)) {
        tl_arg_list_free(&f.genres);
        return 2;
    }
    serve_session s;
    tl_query q;
    int rc = 1;
    tl_scored *items = NULL;
    if (serve_open(&s, "similar", model)) goto out_genres;
    if (serve_query(&s, "similar", &f, &q)) goto out;
    tl_error err;
    tl_error_clear(&err);
    uint32_t movie, n = 0, cat = tl_index_catalogue_size(s.idx);
    if (tl_dataset_movie_index(s.mf->ds, movie_id, &movie, &err) != TL_OK) {
        fprintf(stderr, "towerlens similar: %s\n", err.message);
        goto out;
    }
    if (k > cat) k = cat;
    items = malloc((size_t)k * sizeof *items);
    if (!items) {
        fprintf(stderr, "towerlens similar: out of memory\n");
        goto out;
    }
    if (tl_index_similar(s.idx, movie, k, &q, items, &n, &err) != TL_OK) {
        fprintf(stderr, "towerlens similar: %s\n", err.message);
        goto out;
    }
    rc = serve_print(&s, "similar", items, n, json);
out:
    free(items);
    serve_close(&s);
out_genres:
    tl_arg_list_free(&f.genres);
    return rc;
}
