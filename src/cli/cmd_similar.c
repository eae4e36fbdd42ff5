/* towerlens similar --model FILE --movie M: movies nearest to a movie. */
#include <stdio.h>

#include "commands.h"
#include "serve_common.h"

typedef struct similar_ctx {
    const char *movie_text;
    int usage; /* --movie is not an id of this model's kind */
} similar_ctx;

static tl_status rank(serve_session *s, void *ctx, uint32_t k, tl_query *q, tl_scored *out, uint32_t *n,
                      serve_reasons *why, tl_error *err)
{
    (void)why; /* similar movies have no "because you rated" */
    similar_ctx *c = ctx;
    uint32_t movie;
    tl_status st = serve_find_id(s->mf->ds, 1, "--movie", c->movie_text, &movie, &c->usage, err);
    if (st != TL_OK) return st;
    return tl_index_similar(s->idx, movie, k, q, out, n, err);
}

int cmd_similar(int argc, char **argv)
{
    const char *model = NULL, *movie_text = NULL;
    uint32_t k = 10;
    int json = 0;
    serve_filters f = {0};
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"movie", TL_ARG_STRING, &movie_text, "M", "the movieId to find similar movies for, as in the data (required)",
         0, 0},
        {"k", TL_ARG_U32, &k, "K", "how many movies", 1, 100000},
        SERVE_FILTER_OPTS(f),
        {"json", TL_ARG_FLAG, &json, NULL,
         "print {\"items\": [{movieId, title, year, genres, score, ratings, imdbId, tmdbId}, ...]}, best first", 0, 0},
    };
    const tl_arg_spec spec = {
        "similar",
        "--model FILE --movie M [-k 10] [--genre G]... [--years A-B] [--min-ratings N] [--json]",
        "Prints the k catalogue movies most alike the given movie by the model's item-item signal (the\n"
        "movie itself is never listed): the column of EASE's B for the blend (the default on small data)\n"
        "and EASE, the cosine of the movie vectors for iALS and two-tower models; a popularity model has none.",
        opts,
        sizeof opts / sizeof opts[0],
        NULL,
        NULL,
        0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r == TL_ARGS_OK && (!model || !movie_text)) {
        fprintf(stderr, "towerlens similar: --model FILE and --movie M are required (see --help)\n");
        r = TL_ARGS_ERROR;
    }
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&f.genres);
        return tl_args_exit(r);
    }
    similar_ctx c = {movie_text, 0};
    int rc = serve_ranked("similar", model, &f, k, json, rank, &c);
    return c.usage ? 2 : rc;
}
