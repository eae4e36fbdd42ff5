/* towerlens foldin --model FILE --rated M:R,...: recommendations for a new
 * visitor from a few ratings, against the frozen movie tower. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "serve_common.h"

/* "296:5,318:4.5" -> dense movies and ratings; prints the error on failure. */
static int parse_rated(const tl_dataset *ds, const char *text, uint32_t **movies, float **ratings, uint32_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++) cap += *p == ',';
    *movies = malloc(cap * sizeof **movies);
    *ratings = malloc(cap * sizeof **ratings);
    *n = 0;
    if (!*movies || !*ratings) {
        fprintf(stderr, "towerlens foldin: out of memory\n");
        return 1;
    }
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[64];
        if (len == 0 || len >= sizeof item) goto bad;
        memcpy(item, p, len);
        item[len] = '\0';
        char *colon = strchr(item, ':');
        if (!colon) goto bad;
        *colon = '\0';
        uint32_t id, dense;
        if (serve_parse_id("foldin", "--rated", item, &id)) return 1;
        char *rend;
        double r = strtod(colon + 1, &rend);
        if (rend == colon + 1 || *rend || !(r >= 0.5 && r <= 5.0)) {
            fprintf(stderr, "towerlens foldin: --rated: rating \"%s\" for movie %u is not a number from 0.5 to 5\n",
                    colon + 1, id);
            return 1;
        }
        tl_error err;
        if (tl_dataset_movie_index(ds, id, &dense, &err) != TL_OK) {
            fprintf(stderr, "towerlens foldin: --rated: %s\n", err.message);
            return 1;
        }
        (*movies)[*n] = dense;
        (*ratings)[*n] = (float)r;
        (*n)++;
        p = end ? end + 1 : p + len;
    }
    if (*n) return 0;
bad:
    fprintf(stderr, "towerlens foldin: --rated must look like MOVIE:RATING,MOVIE:RATING (e.g. 296:5,318:4.5), got \"%s\"\n",
            text);
    return 1;
}

int cmd_foldin(int argc, char **argv)
{
    const char *model = NULL, *rated = NULL;
    uint32_t k = 10;
    int json = 0;
    serve_filters f = {0};
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"rated", TL_ARG_STRING, &rated, "M:R,...",
         "the visitor's ratings as movieId:rating pairs, e.g. 296:5,318:4.5,2571:4 (required; 3 or more work well)", 0, 0},
        {"k", TL_ARG_U32, &k, "K", "how many movies", 1, 100000},
        SERVE_FILTER_OPTS(f),
        {"json", TL_ARG_FLAG, &json, NULL,
         "print {\"items\": [{movieId, title, year, genres, score, ratings, imdbId, tmdbId}, ...]}, best first", 0, 0},
    };
    const tl_arg_spec spec = {
        "foldin", "--model FILE --rated M:R,M:R,... [-k 10] [--genre G]... [--years A-B] [--min-ratings N] [--json]",
        "Recommends for someone who is not in the training data: computes a user vector from the given ratings\n"
        "against the trained movie embeddings (the training objective for one user, movie tower frozen) and\n"
        "prints the best k catalogue movies, leaving out the rated ones.",
        opts, sizeof opts / sizeof opts[0], NULL, NULL, 0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&f.genres);
        return tl_args_exit(r);
    }
    if (!model || !rated) {
        fprintf(stderr, "towerlens foldin: --model FILE and --rated M:R,... are required (see --help)\n");
        tl_arg_list_free(&f.genres);
        return 2;
    }
    serve_session s;
    tl_query q;
    int rc = 1;
    uint32_t *movies = NULL, n_rated = 0, n = 0;
    float *ratings = NULL, *user = NULL;
    tl_scored *items = NULL;
    if (serve_open(&s, "foldin", model)) goto out_genres;
    if (serve_query(&s, "foldin", &f, &q)) goto out;
    if (parse_rated(s.mf->ds, rated, &movies, &ratings, &n_rated)) goto out;
    tl_error err;
    tl_error_clear(&err);
    tl_embeddings emb = tl_model_file_embeddings(s.mf);
    uint32_t cat = tl_index_catalogue_size(s.idx);
    if (k > cat) k = cat;
    user = malloc(emb.dim * sizeof *user);
    items = malloc((size_t)k * sizeof *items);
    if (!user || !items) {
        fprintf(stderr, "towerlens foldin: out of memory\n");
        goto out;
    }
    if (tl_index_foldin(s.idx, movies, ratings, n_rated, NULL, user, &err) != TL_OK) {
        fprintf(stderr, "towerlens foldin: %s\n", err.message);
        goto out;
    }
    q.exclude = movies;
    q.n_exclude = n_rated;
    if (tl_index_top_k(s.idx, user, k, &q, items, &n, &err) != TL_OK) {
        fprintf(stderr, "towerlens foldin: %s\n", err.message);
        goto out;
    }
    rc = serve_print(&s, "foldin", items, n, json);
out:
    free(items);
    free(user);
    free(movies);
    free(ratings);
    serve_close(&s);
out_genres:
    tl_arg_list_free(&f.genres);
    return rc;
}
