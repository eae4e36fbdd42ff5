/* Test helpers for the loader: feed files or strings in chunks of a given
 * size, and compare two datasets array by array. Header-only so the fuzz
 * target can use it too. */
#ifndef TL_TEST_LOADER_UTIL_H
#define TL_TEST_LOADER_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towerlens/dataset.h"
#include "towerlens/loader.h"

/* Loads data/demo of the source tree (TL_SOURCE_DIR, which ctest sets; else
 * the current folder). */
static inline tl_status load_demo(tl_dataset **out, tl_error *err)
{
    const char *src = getenv("TL_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/demo", src ? src : ".");
    const char *paths[1] = {path};
    return tl_load_paths(paths, 1, out, err);
}

typedef struct mem_file {
    const char *name;
    const uint8_t *bytes;
    size_t n;
} mem_file;

/* Feeds each file in chunks of `chunk` bytes (0 = whole file at once). */
static inline tl_status load_mem(const mem_file *files, size_t n_files, size_t chunk, tl_dataset **out, tl_error *err)
{
    *out = NULL;
    tl_error_clear(err);
    tl_loader *ld = tl_loader_new();
    if (!ld) return tl_fail(err, TL_E_NOMEM, "no loader");
    tl_status st = TL_OK;
    for (size_t f = 0; f < n_files && !st; f++) {
        st = tl_loader_begin(ld, files[f].name, err);
        size_t step = chunk ? chunk : (files[f].n ? files[f].n : 1);
        for (size_t off = 0; !st && off < files[f].n; off += step) {
            size_t k = files[f].n - off < step ? files[f].n - off : step;
            st = tl_loader_feed(ld, files[f].bytes + off, k, err);
        }
        tl_file_kind kind;
        if (!st) st = tl_loader_end(ld, &kind, err);
    }
    if (!st) st = tl_loader_finish(ld, out, err);
    tl_loader_free(ld);
    return st;
}

/* One in-memory file given as a C string. */
static inline tl_status load_str(const char *name, const char *text, size_t chunk, tl_dataset **out, tl_error *err)
{
    mem_file f = {name, (const uint8_t *)text, strlen(text)};
    return load_mem(&f, 1, chunk, out, err);
}

static inline uint8_t *read_whole(const char *path, size_t *n)
{
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap) break;
        uint8_t *b = realloc(buf, cap * 2);
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    fclose(f);
    *n = len;
    return buf;
}

#define DIFF_ARRAY(field, count)                                                                \
    do {                                                                                        \
        if ((count) && memcmp(a->field, b->field, (size_t)(count) * sizeof a->field[0]) != 0) { \
            snprintf(msg, cap, "%s differs", #field);                                           \
            return msg;                                                                         \
        }                                                                                       \
    } while (0)
#define DIFF_SCALAR(field)                                                                            \
    do {                                                                                              \
        if (a->field != b->field) {                                                                   \
            snprintf(msg, cap, "%s: %lld vs %lld", #field, (long long)a->field, (long long)b->field); \
            return msg;                                                                               \
        }                                                                                             \
    } while (0)

/* NULL when equal, otherwise what differs first (written into msg). */
static inline const char *dataset_diff(const tl_dataset *a, const tl_dataset *b, char *msg, size_t cap)
{
    DIFF_SCALAR(n_ratings);
    DIFF_SCALAR(n_users);
    DIFF_SCALAR(n_movies);
    DIFF_SCALAR(n_catalogue);
    DIFF_SCALAR(n_rated_movies);
    DIFF_SCALAR(strings_len);
    DIFF_SCALAR(n_genres);
    DIFF_SCALAR(first_timestamp);
    DIFF_SCALAR(last_timestamp);
    DIFF_SCALAR(n_tags);
    DIFF_SCALAR(n_warnings);
    DIFF_ARRAY(r_user, a->n_ratings);
    DIFF_ARRAY(r_movie, a->n_ratings);
    DIFF_ARRAY(r_half, a->n_ratings);
    DIFF_SCALAR(time_shift);
    if (!a->r_time != !b->r_time) {
        snprintf(msg, cap, "r_time: %s vs %s", a->r_time ? "kept" : "NULL", b->r_time ? "kept" : "NULL");
        return msg;
    }
    if (a->r_time) DIFF_ARRAY(r_time, a->n_ratings);
    DIFF_ARRAY(user_ids, a->n_users);
    DIFF_ARRAY(user_counts, a->n_users);
    DIFF_ARRAY(strings, a->strings_len);
    DIFF_ARRAY(rating_hist, 11);
    for (uint32_t i = 0; i < a->n_movies; i++) {
        const tl_movie *x = &a->movies[i], *y = &b->movies[i];
        if (x->id != y->id || x->title != y->title || x->n_ratings != y->n_ratings || x->imdb_id != y->imdb_id ||
            x->tmdb_id != y->tmdb_id || x->year != y->year || x->in_catalogue != y->in_catalogue ||
            x->genres != y->genres) {
            snprintf(msg, cap, "movie %u (id %u vs %u) differs", i, x->id, y->id);
            return msg;
        }
    }
    for (uint32_t g = 0; g < a->n_genres; g++)
        if (strcmp(a->genre_names[g], b->genre_names[g])) {
            snprintf(msg, cap, "genre %u: %s vs %s", g, a->genre_names[g], b->genre_names[g]);
            return msg;
        }
    for (uint32_t w = 0; w < a->n_warnings; w++)
        if (strcmp(a->warnings[w], b->warnings[w])) {
            snprintf(msg, cap, "warning %u: %s vs %s", w, a->warnings[w], b->warnings[w]);
            return msg;
        }
    return NULL;
}

#endif
