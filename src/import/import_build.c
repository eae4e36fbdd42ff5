/* Imported factors + a movies file -> a model file: the catalogue is read
 * by the MovieLens loader, the factor rows pick their movies from it, and
 * the tables get their out-of-vocabulary rows (zeros) so the model file and
 * the index treat them like trained ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"
#include "towerlens/loader.h"
#include "towerlens/store.h"

void tl_import_options_default(tl_import_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->source = NULL;
    opt->max_user_bytes = (uint64_t)256 << 20;
    opt->foldin = TL_IMPORT_FOLDIN_DEFAULT;
    opt->reg = 0.1f;   /* Spark ALS's default regParam */
    opt->alpha = 1.0f; /* Spark ALS's default alpha */
}

static tl_status feed(tl_loader *ld, const uint8_t *b, size_t n, const char *name, tl_file_kind kind, tl_error *err)
{
    tl_file_kind got;
    tl_status st = tl_loader_begin(ld, name, err);
    if (st == TL_OK) st = tl_loader_expect(ld, kind, err);
    if (st == TL_OK) st = tl_loader_feed(ld, b, n, err);
    if (st == TL_OK) st = tl_loader_end(ld, &got, err);
    return st;
}

tl_status tl_import_catalogue(const uint8_t *movies, size_t movies_n, const char *movies_name, const uint8_t *links,
                              size_t links_n, const char *links_name, tl_dataset **out, tl_error *err)
{
    *out = NULL;
    if (!movies && movies_n) return tl_fail(err, TL_E_ARG, "import: no movies bytes given");
    tl_loader *ld = tl_loader_new();
    if (!ld) return tl_fail(err, TL_E_NOMEM, "import: out of memory");
    /* the loader builds a dataset around ratings; one placeholder rating
     * (user 0, movie 0) lets it read a movies file alone. tl_import_build
     * keeps only the movies that have factors and drops the placeholder. */
    static const char placeholder[] = "userId,movieId,rating,timestamp\n0,0,5,0\n";
    tl_status st = feed(ld, movies, movies_n, movies_name ? movies_name : "movies.csv", TL_FILE_MOVIES, err);
    if (st == TL_OK && links) st = feed(ld, links, links_n, links_name ? links_name : "links.csv", TL_FILE_LINKS, err);
    if (st == TL_OK)
        st = feed(ld, (const uint8_t *)placeholder, sizeof placeholder - 1, "(placeholder)", TL_FILE_RATINGS, err);
    if (st == TL_OK) st = tl_loader_finish(ld, out, err);
    tl_loader_free(ld);
    return st;
}

/* rows x dim copied with a zero out-of-vocabulary row after them. */
static float *with_oov_row(const tl_factors *f, uint32_t rows, const uint32_t *pick)
{
    float *t = calloc(((size_t)rows + 1) * f->dim, sizeof *t);
    if (!t) return NULL;
    for (uint32_t i = 0; i < rows; i++)
        memcpy(t + (size_t)i * f->dim, f->data + (size_t)(pick ? pick[i] : i) * f->dim, f->dim * sizeof *t);
    return t;
}

static const char *foldin_name(tl_import_foldin_kind k)
{
    return k == TL_IMPORT_FOLDIN_ALS ? "als" : k == TL_IMPORT_FOLDIN_IALS ? "ials" : "softmax";
}

void tl_import_summary_json(const tl_import_summary *s, tl_import_foldin_kind foldin, tl_buf *b)
{
    tl_buf_printf(b, "{\"movies\":%u,\"dim\":%u,\"users\":%u,\"users_skipped\":", s->movies, s->dim, s->users);
    if (s->users_skipped[0]) tl_buf_json_string(b, s->users_skipped);
    else tl_buf_puts(b, "null");
    tl_buf_printf(b, ",\"unknown_ids_skipped\":%u,\"first_unknown_id\":", s->unknown_ids_skipped);
    if (s->unknown_ids_skipped) tl_buf_printf(b, "%u", s->first_unknown_id);
    else tl_buf_puts(b, "null");
    tl_buf_printf(b, ",\"movies_without_factors\":%u,\"foldin\":\"%s\",\"bytes\":%zu}", s->movies_without_factors,
                  foldin_name(foldin), s->bytes);
}

static void write_config(tl_buf *b, const tl_import_options *opt, uint32_t dim, const char *movies_file,
                         const char *users_file, uint32_t n_movies, uint32_t n_users, const char *users_skipped,
                         uint32_t unknown, uint32_t without)
{
    tl_buf_printf(b, "{\"preset\":\"imported\",\"dim\":%u,\"imported\":{\"source\":", dim);
    tl_buf_json_string(b, opt->source ? opt->source : "external");
    tl_buf_puts(b, ",\"movie_factors\":");
    tl_buf_json_string(b, movies_file);
    tl_buf_puts(b, ",\"user_factors\":");
    if (users_file) tl_buf_json_string(b, users_file);
    else tl_buf_puts(b, "null");
    tl_buf_printf(b, ",\"movies\":%u,\"users\":%u,\"users_skipped\":", n_movies, n_users);
    if (users_skipped) tl_buf_json_string(b, users_skipped);
    else tl_buf_puts(b, "null");
    tl_buf_printf(b, ",\"unknown_ids_skipped\":%u,\"movies_without_factors\":%u}", unknown, without);
    tl_buf_printf(b, ",\"foldin\":{\"method\":\"%s\"", foldin_name(opt->foldin));
    if (opt->foldin != TL_IMPORT_FOLDIN_DEFAULT) {
        tl_buf_puts(b, ",\"reg\":");
        tl_buf_json_number(b, opt->reg);
        tl_buf_puts(b, ",\"reg_scaled_by_ratings\":true");
    }
    if (opt->foldin == TL_IMPORT_FOLDIN_IALS) {
        tl_buf_puts(b, ",\"alpha\":");
        tl_buf_json_number(b, opt->alpha);
    }
    tl_buf_puts(b, "}}");
}

/* Dense catalogue movie of each factor row, or UINT32_MAX for ids the
 * movies file does not list (skipped or an error, per opt). */
static tl_status match_movies(const tl_dataset *cat, const tl_factors *mf, const tl_import_options *opt, uint32_t *pick,
                              uint32_t *n_pick, uint32_t *unknown, uint32_t *first_unknown, tl_error *err)
{
    *n_pick = 0, *unknown = 0;
    for (uint32_t r = 0; r < mf->rows; r++) {
        uint32_t m;
        if (tl_dataset_movie_index(cat, mf->ids[r], &m, NULL) != TL_OK || !cat->movies[m].in_catalogue) {
            if (!opt->skip_unknown)
                return tl__factors_fail(mf, r, TL_E_NOTFOUND, err,
                                        "movie id %u is not in the movies file (rows of unknown movies can be "
                                        "skipped instead: --skip-unknown, skipUnknown)",
                                        mf->ids[r]);
            if ((*unknown)++ == 0) *first_unknown = mf->ids[r];
            continue;
        }
        pick[(*n_pick)++] = r;
    }
    if (*n_pick == 0)
        return tl_fail_at(err, TL_E_NOTFOUND, mf->name, 0,
                          "none of the %u factor rows names a movie of the movies file", mf->rows);
    return TL_OK;
}

tl_status tl_import_build(tl_dataset *catalogue, const tl_factors *movies, const tl_factors *users,
                          const tl_import_options *opt, tl_buf *model, tl_import_summary *sum, tl_error *err)
{
    tl_import_options defaults;
    if (!opt) tl_import_options_default(&defaults), opt = &defaults;
    if (!catalogue || !movies || !model || !movies->rows) {
        tl_dataset_free(catalogue);
        return tl_fail(err, TL_E_ARG, "import: the catalogue, movie factors and output are required");
    }
    if (!(opt->reg >= 0 && opt->reg < 1e6f) || !(opt->alpha >= 0 && opt->alpha < 1e6f)) {
        tl_dataset_free(catalogue);
        return tl_fail(err, TL_E_ARG, "import: reg and alpha must be from 0 to 1e6 (got %g and %g)", opt->reg,
                       opt->alpha);
    }
    if (users && users->dim != movies->dim) {
        tl_dataset_free(catalogue);
        return tl_fail_at(err, TL_E_FORMAT, users->name, users->by_row ? 0 : users->where[0],
                          "%u factors per row, but the movie factors (%s) have %u", users->dim, movies->name,
                          movies->dim);
    }
    const char *users_skipped = opt->users_skipped;
    char why[256];
    if (users && tl_factors_table_bytes(users->rows, users->dim) > opt->max_user_bytes) {
        snprintf(why, sizeof why, "%s: %u users x %u factors need %.1f MB, over the budget of %.1f MB", users->name,
                 users->rows, users->dim, (double)tl_factors_table_bytes(users->rows, users->dim) / 1e6,
                 (double)opt->max_user_bytes / 1e6);
        users_skipped = why;
        users = NULL;
    }

    uint32_t dim = movies->dim, n_pick, unknown, first_unknown = 0;
    uint32_t *pick = malloc((size_t)movies->rows * sizeof *pick);
    tl_dataset *ds = calloc(1, sizeof *ds);
    tl_tensor t[2] = {{"users", 0, dim, NULL}, {"movies", 0, dim, NULL}};
    tl_status st = TL_OK;
    if (!pick || !ds) st = tl_fail(err, TL_E_NOMEM, "import: out of memory");
    if (st == TL_OK) st = match_movies(catalogue, movies, opt, pick, &n_pick, &unknown, &first_unknown, err);
    if (st == TL_OK) {
        uint32_t n_users = users ? users->rows : 0;
        ds->movies = calloc((size_t)n_pick + 1, sizeof *ds->movies);
        ds->user_ids = malloc(((size_t)n_users + 1) * sizeof *ds->user_ids);
        ds->user_counts = calloc((size_t)n_users + 1, sizeof *ds->user_counts);
        t[0].data = users ? with_oov_row(users, n_users, NULL) : calloc(dim, sizeof(float));
        t[1].data = with_oov_row(movies, n_pick, pick);
        if (!ds->movies || !ds->user_ids || !ds->user_counts || !t[0].data || !t[1].data)
            st = tl_fail(err, TL_E_NOMEM, "import: out of memory for %u movies and %u users", n_pick, n_users);
        else {
            for (uint32_t i = 0; i < n_pick; i++) {
                uint32_t m;
                tl_dataset_movie_index(catalogue, movies->ids[pick[i]], &m, NULL);
                ds->movies[i] = catalogue->movies[m];
                ds->movies[i].n_ratings = 0;
            }
            ds->n_movies = ds->n_catalogue = n_pick;
            if (users) memcpy(ds->user_ids, users->ids, (size_t)n_users * sizeof *ds->user_ids);
            ds->n_users = n_users;
            t[0].rows = n_users + 1;
            t[1].rows = n_pick + 1;
            /* titles move over: the movie records keep their offsets */
            ds->strings = catalogue->strings, ds->strings_len = catalogue->strings_len;
            catalogue->strings = NULL;
            ds->n_genres = catalogue->n_genres;
            memcpy(ds->genre_names, catalogue->genre_names, sizeof ds->genre_names);
        }
    }
    uint32_t without = st == TL_OK ? catalogue->n_catalogue - n_pick : 0; /* listed, but no factors */
    if (st == TL_OK) {
        tl_buf conf;
        tl_buf_init(&conf);
        write_config(&conf, opt, dim, movies->name, users ? users->name : NULL, n_pick, ds->n_users, users_skipped,
                     unknown, without);
        if (conf.failed) st = tl_fail(err, TL_E_NOMEM, "import: out of memory");
        else st = tl_store_write(ds, NULL, conf.data, NULL, t, 2, model, err);
        if (st == TL_OK && sum) {
            memset(sum, 0, sizeof *sum);
            sum->movies = n_pick, sum->dim = dim, sum->users = ds->n_users;
            sum->unknown_ids_skipped = unknown, sum->first_unknown_id = first_unknown;
            sum->movies_without_factors = without;
            snprintf(sum->users_skipped, sizeof sum->users_skipped, "%s", users_skipped ? users_skipped : "");
            sum->bytes = model->len;
        }
        tl_buf_free(&conf);
    }
    free(t[0].data), free(t[1].data), free(pick);
    tl_dataset_free(ds);
    tl_dataset_free(catalogue);
    return st;
}
