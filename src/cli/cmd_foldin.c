/* towerlens foldin --model FILE --rated M:R,...: recommendations for a new
 * visitor from a few ratings, against the frozen movie tower. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "serve_common.h"
#include "towerlens.h"

typedef struct foldin_ctx {
    const char *rated;
    uint32_t *movies;
    float *ratings;
    uint32_t n;
} foldin_ctx;

static tl_status bad_syntax(const char *text, tl_error *err)
{
    return tl_fail(err, TL_E_ARG, "--rated must look like MOVIE:RATING,MOVIE:RATING (e.g. 296:5,318:4.5), got \"%s\"",
                   text);
}

/* "296:5,318:4.5" -> dense movies and ratings. */
static tl_status parse_rated(const tl_dataset *ds, foldin_ctx *c, tl_error *err)
{
    size_t cap = 1;
    for (const char *p = c->rated; *p; p++) cap += *p == ',';
    c->movies = malloc(cap * sizeof *c->movies);
    c->ratings = malloc(cap * sizeof *c->ratings);
    if (!c->movies || !c->ratings) return tl_fail(err, TL_E_NOMEM, "out of memory");
    for (const char *p = c->rated; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[256], *colon, *id_end, *r_end;
        if (len == 0 || len >= sizeof item) return bad_syntax(c->rated, err);
        memcpy(item, p, len);
        item[len] = '\0';
        if (!(colon = strrchr(item, ':'))) return bad_syntax(c->rated, err); /* string ids may hold ':' */
        *colon = '\0';
        unsigned long long id = 0;
        if (!ds->movie_names) { /* MovieLens ids: a number */
            id = strtoull(item, &id_end, 10);
            if (id_end == item || *id_end || item[0] == '-' || id > UINT32_MAX) return bad_syntax(c->rated, err);
        }
        double r = strtod(colon + 1, &r_end);
        if (r_end == colon + 1 || *r_end || !(r >= 0.5 && r <= 5.0))
            return tl_fail(err, TL_E_ARG, "--rated: rating \"%s\" for movie %s is not a number from 0.5 to 5",
                           colon + 1, item);
        tl_status st = ds->movie_names ? tl_dataset_find_movie(ds, item, &c->movies[c->n], err) /* string ids */
                                       : tl_dataset_movie_index(ds, (uint32_t)id, &c->movies[c->n], err);
        if (st != TL_OK) return st;
        c->ratings[c->n++] = (float)r;
        p = end ? end + 1 : p + len;
    }
    return c->n ? TL_OK : bad_syntax(c->rated, err);
}

static tl_status rank(serve_session *s, void *ctx, uint32_t k, tl_query *q, tl_scored *out, uint32_t *n,
                      serve_reasons *why, tl_error *err)
{
    foldin_ctx *c = ctx;
    tl_status st = parse_rated(s->mf->ds, c, err);
    if (st != TL_OK) return st;
    /* the visitor's state, as the model's type folds in (an imported Spark
     * model as its training implies) */
    float *user = malloc(((size_t)s->scorer->state_floats + 1) * sizeof *user);
    if (!user) return tl_fail(err, TL_E_NOMEM, "out of memory");
    st = tl_index_foldin(s->idx, c->movies, c->ratings, c->n, NULL, user, err);
    q->exclude = c->movies; /* never recommend what the visitor rated */
    q->n_exclude = c->n;
    if (st == TL_OK) st = tl_index_top_k(s->idx, user, k, q, out, n, err);
    /* the reasons: the visitor's liked movies (rated 4 or more) */
    tl_profile p = {c->movies, c->ratings, c->n};
    if (st == TL_OK) st = tl_index_because(s->idx, user, &p, out, *n, TL_REASONS_MAX, why->reasons, why->n, err);
    if (st == TL_OK) why->filled = 1;
    free(user);
    return st;
}

int cmd_foldin(int argc, char **argv)
{
    const char *model = NULL;
    uint32_t k = 10;
    int json = 0;
    foldin_ctx c = {NULL, NULL, NULL, 0};
    serve_filters f = {0};
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"rated", TL_ARG_STRING, &c.rated, "M:R,...",
         "the visitor's ratings as movieId:rating pairs, e.g. 296:5,318:4.5,2571:4 (required; 3 or more work well)", 0,
         0},
        {"k", TL_ARG_U32, &k, "K", "how many movies", 1, 100000},
        SERVE_FILTER_OPTS(f),
        {"json", TL_ARG_FLAG, &json, NULL,
         "print {\"items\": [{movieId, title, year, genres, score, ratings, imdbId, tmdbId, because}, ...]}, best "
         "first; because: up to 3 of the given movies rated 4 or more that add most to the score",
         0, 0},
    };
    const tl_arg_spec spec = {
        "foldin",
        "--model FILE --rated M:R,M:R,... [-k 10] [--genre G]... [--years A-B] [--min-ratings N] [--json]",
        "Recommends for someone who is not in the training data: computes a user vector from the given ratings\n"
        "against the trained movie embeddings (the training objective for one user, movie tower frozen) and\n"
        "prints the best k catalogue movies, leaving out the rated ones.",
        opts,
        sizeof opts / sizeof opts[0],
        NULL,
        NULL,
        0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r == TL_ARGS_OK && (!model || !c.rated)) {
        fprintf(stderr, "towerlens foldin: --model FILE and --rated M:R,... are required (see --help)\n");
        r = TL_ARGS_ERROR;
    }
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&f.genres);
        return tl_args_exit(r);
    }
    int rc = serve_ranked("foldin", model, &f, k, json, rank, &c);
    free(c.movies);
    free(c.ratings);
    return rc;
}
