/* From everything fed to a dataset: dense indices in ascending raw id order
 * (so file order does not matter), ratings renumbered in place, the
 * catalogue joined with links, genres sorted by name, warnings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"
#include "towerlens/buf.h"

static void warn(tl_dataset *ds, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(tl_dataset *ds, const char *fmt, ...)
{
    if (ds->n_warnings >= TL_MAX_WARNINGS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ds->warnings[ds->n_warnings++], TL_WARNING_MAX, fmt, ap);
    va_end(ap);
}

static tl_status nomem(tl_loader *ld, tl_error *err, tl_dataset *ds, const char *what)
{
    tl_dataset_free(ds);
    ld->name[0] = '\0';
    return tl__loader_fail(ld, err, TL_E_NOMEM, 0, "out of memory while building the dataset (%s)", what);
}

/* Ratings whose (user, movie) pair came earlier. When every user's ratings
 * are contiguous (MovieLens files are sorted by user: as many runs of equal
 * users as users) a stamp per movie is enough; otherwise group the movies by
 * user first. */
static int count_duplicates(const tl_dataset *ds, uint32_t runs, uint64_t *dups)
{
    uint32_t n = ds->n_ratings;
    uint32_t *stamp = tl__alloc_paged(ds->n_movies, sizeof *stamp, 1);
    if (!stamp) return 0;
    *dups = 0;
    if (runs == ds->n_users) {
        uint32_t run = 0;
        for (uint32_t k = 0; k < n; k++) {
            run += k == 0 || ds->r_user[k] != ds->r_user[k - 1];
            uint32_t m = ds->r_movie[k];
            if (stamp[m] == run) (*dups)++;
            else stamp[m] = run;
        }
        free(stamp);
        return 1;
    }
    uint32_t *start = malloc(((size_t)ds->n_users + 1) * sizeof *start);
    uint32_t *grouped = malloc((n ? n : 1) * sizeof *grouped);
    if (!start || !grouped) {
        free(stamp);
        free(start);
        free(grouped);
        return 0;
    }
    start[0] = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) start[u + 1] = start[u] + ds->user_counts[u];
    for (uint32_t k = 0; k < n; k++) grouped[start[ds->r_user[k]]++] = ds->r_movie[k];
    /* start[u] now marks the end of user u's group */
    uint32_t begin = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) {
        for (uint32_t k = begin; k < start[u]; k++) {
            uint32_t m = grouped[k];
            if (stamp[m] == u + 1) (*dups)++;
            else stamp[m] = u + 1;
        }
        begin = start[u];
    }
    free(stamp);
    free(start);
    free(grouped);
    return 1;
}

typedef struct genre_order {
    char name[TL_GENRE_NAME_MAX];
    uint32_t old;
} genre_order;

static int cmp_genre(const void *a, const void *b)
{
    return strcmp(((const genre_order *)a)->name, ((const genre_order *)b)->name);
}

/* Genre bits follow the sorted names, whatever order files listed them in. */
static void sort_genres(tl_loader *ld, tl_dataset *ds)
{
    genre_order order[TL_MAX_GENRES];
    uint32_t new_of_old[TL_MAX_GENRES];
    for (uint32_t g = 0; g < ld->n_genres; g++) {
        memcpy(order[g].name, ld->genre_names[g], TL_GENRE_NAME_MAX);
        order[g].old = g;
    }
    qsort(order, ld->n_genres, sizeof order[0], cmp_genre);
    ds->n_genres = ld->n_genres;
    for (uint32_t g = 0; g < ld->n_genres; g++) {
        memcpy(ds->genre_names[g], order[g].name, TL_GENRE_NAME_MAX);
        new_of_old[order[g].old] = g;
    }
    for (uint32_t i = 0; i < ds->n_movies; i++) {
        uint64_t old = ds->movies[i].genres, bits = 0;
        for (uint32_t g = 0; g < ld->n_genres; g++)
            if (old >> g & 1) bits |= (uint64_t)1 << new_of_old[g];
        ds->movies[i].genres = bits;
    }
}

/* Two ascending id lists -> their ascending union; a_pos[i] = where a[i] went. */
static uint32_t *merge_ids(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb, uint32_t *a_pos, uint32_t *n)
{
    uint64_t total = (uint64_t)na + nb;
    if (total > UINT32_MAX || total * sizeof(uint32_t) > SIZE_MAX) return NULL;
    uint32_t *out = tl__alloc_paged((size_t)total, sizeof *out, 0);
    if (!out) return NULL;
    uint32_t i = 0, j = 0, k = 0;
    while (i < na || j < nb) {
        if (j == nb || (i < na && a[i] < b[j])) a_pos[i] = k, out[k++] = a[i++];
        else if (i == na || b[j] < a[i]) out[k++] = b[j++];
        else a_pos[i] = k, out[k++] = a[i++], j++;
    }
    *n = k;
    return out;
}

static void *shrink(void *p, size_t bytes)
{
    void *q = realloc(p, bytes ? bytes : 1);
    return q ? q : p;
}

tl_status tl_loader_finish(tl_loader *ld, tl_dataset **out, tl_error *err)
{
    if (out) *out = NULL;
    if (!ld || !out) return tl_fail(err, TL_E_ARG, "tl_loader_finish: no loader or no output");
    if (ld->failed) {
        if (err) *err = ld->failure;
        return ld->failed;
    }
    if (ld->finished) return tl_fail(err, TL_E_STATE, "tl_loader_finish: the dataset was already built");
    if (ld->in_file)
        return tl_fail(err, TL_E_STATE, "tl_loader_finish: the file %s was not ended (call tl_loader_end)", ld->name);
    ld->name[0] = '\0'; /* messages from here on are about the whole input */
    if (ld->files_of_kind[TL_FILE_RATINGS] == 0) {
        if (ld->fed[0])
            return tl__loader_fail(ld, err, TL_E_FORMAT, 0,
                                   "no ratings file among the input (%s); expected a ratings file: ratings.csv "
                                   "(userId,movieId,rating,timestamp), ml-100k u.data or ml-1m ratings.dat",
                                   ld->fed);
        return tl__loader_fail(ld, err, TL_E_FORMAT, 0,
                               "no files were given; expected a ratings file: ratings.csv "
                               "(userId,movieId,rating,timestamp), ml-100k u.data or ml-1m ratings.dat");
    }
    if (ld->n_ratings == 0)
        return tl__loader_fail(ld, err, TL_E_FORMAT, 0,
                               "no ratings: the ratings file has a header but no data lines (input: %s)", ld->fed);

    tl_status st = tl__loader_resolve_ids(ld, err); /* files read by column names */
    if (st) return st;

    tl_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) return nomem(ld, err, NULL, "dataset");
    uint32_t n = ld->n_ratings;

    /* users: dense index by ascending id, ratings renumbered in place */
    tl__dense users, rated;
    if (!tl__dense_renumber(ld->r_user, n, ld->max_user, &users)) return nomem(ld, err, ds, "users");
    ds->n_users = users.n;
    ds->user_ids = users.ids;
    ds->user_counts = users.counts;
    uint32_t user_runs = users.runs;

    /* movies: the union of rated movies and the catalogue */
    if (!tl__dense_renumber(ld->r_movie, n, ld->max_movie, &rated)) return nomem(ld, err, ds, "movie ids");
    uint32_t n_listed = 0, n_movies = 0;
    uint32_t *listed = tl__idmap_sorted_ids(&ld->cat_index, &n_listed);
    uint32_t *pos = tl__alloc_paged(rated.n, sizeof *pos, 0); /* rated movie -> dense index */
    uint32_t *ids = listed && pos ? merge_ids(rated.ids, rated.n, listed, n_listed, pos, &n_movies) : NULL;
    free(listed);
    if (!ids) {
        free(pos);
        tl__dense_free(&rated);
        return nomem(ld, err, ds, "movie ids");
    }
    ds->movies = tl__alloc_paged(n_movies, sizeof *ds->movies, 1);
    if (!ds->movies) {
        free(ids);
        free(pos);
        tl__dense_free(&rated);
        return nomem(ld, err, ds, "movies");
    }
    ds->n_movies = n_movies;
    ds->n_rated_movies = rated.n;
    for (uint32_t r = 0; r < rated.n; r++) ds->movies[pos[r]].n_ratings = rated.counts[r];
    const int have_catalogue = ld->files_of_kind[TL_FILE_MOVIES] > 0;
    uint64_t missing_ratings = 0;
    uint32_t missing_movies = 0;
    for (uint32_t j = 0; j < n_movies; j++) {
        tl_movie *mv = &ds->movies[j];
        mv->id = ids[j];
        uint32_t entry = tl__idmap_get(&ld->cat_index, ids[j]);
        if (entry) {
            const tl__cat_entry *e = &ld->cat[entry - 1];
            mv->title = e->title;
            mv->year = e->year;
            mv->genres = e->genres;
            mv->in_catalogue = 1;
        } else if (!have_catalogue) {
            mv->in_catalogue = 1;
        } else {
            missing_movies++;
            missing_ratings += mv->n_ratings;
        }
        ds->n_catalogue += mv->in_catalogue;
    }
    free(ids);
    /* movies listed but never rated sit between rated ones: move the ratings' indices along */
    if (n_movies != rated.n)
        for (uint32_t k = 0; k < n; k++) ld->r_movie[k] = pos[ld->r_movie[k]];
    free(pos);
    tl__dense_free(&rated);

    /* the ratings columns move into the dataset */
    ds->n_ratings = n;
    ds->time_shift = ld->time_shift;
    ds->r_block = tl__loader_take_columns(ld, &ds->r_user, &ds->r_movie, &ds->r_time, &ds->r_half);
    if (!ds->r_time) ds->time_shift = 0;

    /* titles */
    ds->strings = shrink(ld->strings, ld->strings_len);
    ds->strings_len = ld->strings_len;
    ld->strings = NULL;

    /* links join the catalogue */
    uint32_t stray_links = 0;
    for (uint32_t i = 0; i < ld->n_links; i++) {
        const tl__link_entry *l = &ld->links[i];
        uint32_t j;
        if (tl_dataset_movie_index(ds, l->id, &j, NULL) != TL_OK) {
            stray_links++;
            continue;
        }
        ds->movies[j].imdb_id = l->imdb;
        ds->movies[j].tmdb_id = l->tmdb;
    }

    sort_genres(ld, ds);
    memcpy(ds->rating_hist, ld->hist, sizeof ds->rating_hist);
    ds->first_timestamp = ld->ts_min <= ld->ts_max ? ld->ts_min : 0; /* 0 without a time column */
    ds->last_timestamp = ld->ts_min <= ld->ts_max ? ld->ts_max : 0;
    ds->n_tags = ld->n_tags;

    uint64_t dups = 0;
    if (!count_duplicates(ds, user_runs, &dups)) return nomem(ld, err, ds, "duplicate check");
    if (missing_movies)
        warn(ds, "%llu rating%s of %u movie%s that %s not in the movies file (kept; %s no title or genres)",
             (unsigned long long)missing_ratings, tl_plural(missing_ratings), missing_movies, tl_plural(missing_movies),
             missing_movies == 1 ? "is" : "are", missing_movies == 1 ? "this movie has" : "these movies have");
    if (dups)
        warn(ds, "%llu rating%s an earlier (user, movie) pair (all kept)", (unsigned long long)dups,
             dups == 1 ? " repeats" : "s repeat");
    if (stray_links)
        warn(ds, "%u links line%s movies that are in neither the movies nor the ratings files (ignored)", stray_links,
             stray_links == 1 ? " names" : "s name");

    if ((st = tl__loader_attach_names(ld, ds, err))) {
        tl_dataset_free(ds);
        return st;
    }

    ld->finished = 1;
    *out = ds;
    return TL_OK;
}
