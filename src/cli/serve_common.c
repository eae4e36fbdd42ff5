#include "serve_common.h"
#include "towerlens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int serve_open(serve_session *s, const char *command, const char *model_path)
{
    tl_error err;
    tl_error_clear(&err);
    s->mf = NULL;
    s->scorer = NULL;
    s->idx = NULL;
    if (tl_store_load_path(model_path, &s->mf, &err) != TL_OK) {
        fprintf(stderr, "towerlens %s: %s\n", command, err.message);
        return 1;
    }
    if (tl_model_open(s->mf, &s->scorer, &err) != TL_OK || tl_index_new(s->mf->ds, s->scorer, &s->idx, &err) != TL_OK) {
        fprintf(stderr, "towerlens %s: %s\n", command, err.message);
        serve_close(s);
        return 1;
    }
    return 0;
}

void serve_close(serve_session *s)
{
    tl_index_free(s->idx);
    tl_scorer_free(s->scorer);
    tl_model_file_free(s->mf);
    s->idx = NULL;
    s->scorer = NULL;
    s->mf = NULL;
}

int serve_query(const serve_session *s, const char *command, const serve_filters *f, tl_query *q)
{
    tl_error err;
    tl_error_clear(&err);
    tl_query_default(q);
    for (size_t i = 0; i < f->genres.n; i++)
        if (tl_genre_mask_add(s->mf->ds, f->genres.items[i], &q->genres, &err) != TL_OK) {
            fprintf(stderr, "towerlens %s: --genre: %s\n", command, err.message);
            return 1;
        }
    if (f->years && tl_parse_year_range(f->years, &q->year_min, &q->year_max, &err) != TL_OK) {
        fprintf(stderr, "towerlens %s: --years: %s\n", command, err.message);
        return 1;
    }
    q->min_ratings = f->min_ratings;
    return 0;
}

/* "    because you rated: Toy Story (5), Aladdin (4.5)" */
static void print_reasons(const tl_dataset *ds, const tl_reason *r, uint32_t n)
{
    if (n == 0) return;
    printf("     because you rated: ");
    for (uint32_t i = 0; i < n; i++) {
        printf("%s%s", i ? ", " : "", tl_movie_title(ds, r[i].movie));
        if (r[i].stars > 0) printf(" (%g)", (double)r[i].stars);
    }
    printf("\n");
}

int serve_print(const serve_session *s, const char *command, const tl_scored *items, uint32_t n,
                const serve_reasons *why, int json)
{
    const tl_dataset *ds = s->mf->ds;
    int because = why && why->filled;
    if (json) {
        tl_buf b;
        tl_buf_init(&b);
        tl_results_json_because(ds, items, n, because ? why->reasons : NULL, because ? why->n : NULL, TL_REASONS_MAX,
                                &b);
        if (b.failed) {
            fprintf(stderr, "towerlens %s: out of memory printing the results\n", command);
            tl_buf_free(&b);
            return 1;
        }
        printf("%s\n", b.data);
        tl_buf_free(&b);
        return 0;
    }
    if (n == 0) printf("no movies pass the filters\n");
    for (uint32_t i = 0; i < n; i++) {
        const tl_movie *mv = &ds->movies[items[i].index];
        char year[16] = "";
        if (mv->year != TL_NO_YEAR) snprintf(year, sizeof year, " (%d)", mv->year);
        const char *name = tl_dataset_movie_name(ds, items[i].index);
        char id[16];
        snprintf(id, sizeof id, "%u", mv->id);
        printf("%3u. %-8.4f %s%s  [id %s, %u rating%s", i + 1, items[i].score, tl_movie_title(ds, items[i].index), year,
               name ? name : id, mv->n_ratings, tl_plural(mv->n_ratings));
        for (uint32_t g = 0, first = 1; g < ds->n_genres; g++)
            if (mv->genres >> g & 1) printf("%s%s", first ? "; " : "|", ds->genre_names[g]), first = 0;
        printf("]\n");
        if (because) print_reasons(ds, why->reasons + (size_t)i * TL_REASONS_MAX, why->n[i]);
    }
    return 0;
}

/* Digits only, 0 to 4294967295. */
static int parse_u32(const char *text, uint32_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; text[i] >= '0' && text[i] <= '9' && v <= UINT32_MAX; i++) v = v * 10 + (uint64_t)(text[i] - '0');
    if (i == 0 || text[i] != '\0' || v > UINT32_MAX) return 0;
    *out = (uint32_t)v;
    return 1;
}

int serve_parse_id(const char *command, const char *option, const char *text, uint32_t *out)
{
    if (parse_u32(text, out)) return 0;
    fprintf(stderr, "towerlens %s: %s must be a MovieLens id (a whole number from 0 to 4294967295), got \"%s\"\n",
            command, option, text);
    return 1;
}

tl_status serve_find_id(const tl_dataset *ds, int movie, const char *option, const char *text, uint32_t *out,
                        int *usage, tl_error *err)
{
    uint32_t id;
    if (movie ? ds->movie_names != NULL : ds->user_names != NULL)
        return movie ? tl_dataset_find_movie(ds, text, out, err) : tl_dataset_find_user(ds, text, out, err);
    if (!parse_u32(text, &id)) {
        *usage = 1;
        return tl_fail(err, TL_E_ARG, "%s must be a MovieLens id (a whole number from 0 to 4294967295), got \"%s\"",
                       option, text);
    }
    return movie ? tl_dataset_movie_index(ds, id, out, err) : tl_dataset_user_index(ds, id, out, err);
}

int serve_ranked(const char *command, const char *model_path, serve_filters *f, uint32_t k, int json,
                 serve_rank_fn rank, void *ctx)
{
    serve_session s;
    tl_query q;
    tl_scored *items = NULL;
    serve_reasons why = {NULL, NULL, 0};
    int rc = 1;
    if (serve_open(&s, command, model_path)) {
        tl_arg_list_free(&f->genres);
        return 1;
    }
    if (serve_query(&s, command, f, &q)) goto out;
    uint32_t n = 0, cat = tl_index_catalogue_size(s.idx);
    if (k > cat) k = cat;
    items = malloc((size_t)(k ? k : 1) * sizeof *items);
    why.reasons = malloc((size_t)(k ? k : 1) * TL_REASONS_MAX * sizeof *why.reasons);
    why.n = calloc(k ? k : 1, sizeof *why.n);
    if (!items || !why.reasons || !why.n) {
        fprintf(stderr, "towerlens %s: out of memory\n", command);
        goto out;
    }
    tl_error err;
    tl_error_clear(&err);
    if (rank(&s, ctx, k, &q, items, &n, &why, &err) != TL_OK) {
        fprintf(stderr, "towerlens %s: %s\n", command, err.message);
        goto out;
    }
    rc = serve_print(&s, command, items, n, &why, json);
out:
    free(items);
    free(why.reasons);
    free(why.n);
    serve_close(&s);
    tl_arg_list_free(&f->genres);
    return rc;
}
