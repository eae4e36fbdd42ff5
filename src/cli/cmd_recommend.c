/* towerlens recommend --model FILE --user U: top-k movies for a known user. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "serve_common.h"

int cmd_recommend(int argc, char **argv)
{
    const char *model = NULL, *user_text = NULL;
    uint32_t user_id = 0, k = 10;
    int include_seen = 0, json = 0;
    serve_filters f = {0};
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"user", TL_ARG_STRING, &user_text, "U", "the raw userId to recommend for (required)", 0, 0},
        {"k", TL_ARG_U32, &k, "K", "how many movies", 1, 100000},
        {"include-seen", TL_ARG_FLAG, &include_seen, NULL,
         "also return movies the user rated in the training data (the original's behaviour)", 0, 0},
        SERVE_FILTER_OPTS(f),
        {"json", TL_ARG_FLAG, &json, NULL,
         "print {\"items\": [{movieId, title, year, genres, score, ratings, imdbId, tmdbId}, ...]}, best first", 0, 0},
    };
    const tl_arg_spec spec = {
        "recommend", "--model FILE --user U [-k 10] [--include-seen] [--genre G]... [--years A-B] [--min-ratings N] [--json]",
        "Ranks every catalogue movie for a user of the training data by the dot product of the user's and the\n"
        "movie's embeddings and prints the best k. Movies the user rated in the training data (the train split\n"
        "when one was used) are left out unless --include-seen is given.",
        opts, sizeof opts / sizeof opts[0], NULL, NULL, 0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&f.genres);
        return tl_args_exit(r);
    }
    if (!model || !user_text) {
        fprintf(stderr, "towerlens recommend: --model FILE and --user U are required (see --help)\n");
        tl_arg_list_free(&f.genres);
        return 2;
    }
    if (serve_parse_id("recommend", "--user", user_text, &user_id)) {
        tl_arg_list_free(&f.genres);
        return 2;
    }
    serve_session s;
    tl_query q;
    int rc = 1;
    tl_scored *items = NULL;
    if (serve_open(&s, "recommend", model)) goto out_genres;
    if (serve_query(&s, "recommend", &f, &q)) goto out;
    tl_error err;
    tl_error_clear(&err);
    uint32_t user, n = 0, cat = tl_index_catalogue_size(s.idx);
    if (tl_dataset_user_index(s.mf->ds, user_id, &user, &err) != TL_OK) {
        fprintf(stderr, "towerlens recommend: %s\n", err.message);
        goto out;
    }
    if (k > cat) k = cat;
    items = malloc((size_t)k * sizeof *items);
    if (!items) {
        fprintf(stderr, "towerlens recommend: out of memory\n");
        goto out;
    }
    if (tl_index_recommend(s.idx, user, include_seen ? NULL : s.mf->seen, k, &q, items, &n, &err) != TL_OK) {
        fprintf(stderr, "towerlens recommend: %s\n", err.message);
        goto out;
    }
    rc = serve_print(&s, "recommend", items, n, json);
out:
    free(items);
    serve_close(&s);
out_genres:
    tl_arg_list_free(&f.genres);
    return rc;
}
