/* towerlens recommend --model FILE --user U: top-k movies for a known user. */
#include <stdio.h>

#include "commands.h"
#include "serve_common.h"

typedef struct recommend_ctx {
    const char *user_text;
    int include_seen;
    int usage; /* --user is not an id of this model's kind */
} recommend_ctx;

static tl_status rank(serve_session *s, void *ctx, uint32_t k, tl_query *q, tl_scored *out, uint32_t *n,
                      serve_reasons *why, tl_error *err)
{
    recommend_ctx *c = ctx;
    uint32_t user;
    tl_status st = serve_find_id(s->mf->ds, 0, "--user", c->user_text, &user, &c->usage, err);
    if (st != TL_OK) return st;
    q->include_seen = c->include_seen;
    st = tl_index_recommend(s->idx, user, s->mf->seen, k, q, out, n, err);
    /* the reasons: the user's liked movies among what the model file says they rated */
    if (st == TL_OK && s->mf->seen)
        st = tl_index_because_user(s->idx, user, s->mf->seen, s->mf->seen_half, out, *n, TL_REASONS_MAX, why->reasons,
                                   why->n, err);
    if (st == TL_OK) why->filled = 1;
    return st;
}

int cmd_recommend(int argc, char **argv)
{
    const char *model = NULL, *user_text = NULL;
    uint32_t k = 10;
    int json = 0;
    recommend_ctx c = {NULL, 0, 0};
    serve_filters f = {0};
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"user", TL_ARG_STRING, &user_text, "U", "the userId to recommend for, as in the data (required)", 0, 0},
        {"k", TL_ARG_U32, &k, "K", "how many movies", 1, 100000},
        {"include-seen", TL_ARG_FLAG, &c.include_seen, NULL,
         "also return movies the user rated in the training data (the original's behaviour)", 0, 0},
        SERVE_FILTER_OPTS(f),
        {"json", TL_ARG_FLAG, &json, NULL,
         "print {\"items\": [{movieId, title, year, genres, score, ratings, imdbId, tmdbId, because}, ...]}, best "
         "first; because: up to 3 of the user's liked movies (rated 4 or more) that add most to the score",
         0, 0},
    };
    const tl_arg_spec spec = {
        "recommend",
        "--model FILE --user U [-k 10] [--include-seen] [--genre G]... [--years A-B] [--min-ratings N] [--json]",
        "Ranks every catalogue movie for a user of the training data by the dot product of the user's and the\n"
        "movie's embeddings and prints the best k. Movies the user rated in the training data (the train split\n"
        "when one was used) are left out unless --include-seen is given. Under each movie: because you rated, up to\n"
        "3 of the user's movies rated 4 stars or more that add most to its score, as the model computes it.",
        opts,
        sizeof opts / sizeof opts[0],
        NULL,
        NULL,
        0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r == TL_ARGS_OK && (!model || !user_text)) {
        fprintf(stderr, "towerlens recommend: --model FILE and --user U are required (see --help)\n");
        r = TL_ARGS_ERROR;
    }
    c.user_text = user_text;
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&f.genres);
        return tl_args_exit(r);
    }
    int rc = serve_ranked("recommend", model, &f, k, json, rank, &c);
    return c.usage ? 2 : rc;
}
