/* Files and folders from disk into the streaming loader, in 64 KiB chunks:
 * small enough that the buffer costs few fresh pages per load (on virtual
 * machines each first touch of a page is dear), large enough that the
 * read calls do not matter. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loader_internal.h"

#define CHUNK ((size_t)64 << 10)

/* The MovieLens data files a folder contributes; everything else in a
 * MovieLens folder (README, u.user, u1.base, genome files, ...) is skipped. */
static const char *const known_names[] = {
    "links.csv",  "movies.csv",  "ratings.csv", "tags.csv", /* ml-latest, ml-25m, ml-32m */
    "u.data",     "u.item",                                 /* ml-100k */
    "movies.dat", "ratings.dat", "tags.dat",                /* ml-1m, ml-10m */
};
#define N_KNOWN (sizeof known_names / sizeof known_names[0])

/* One file into the loader; `map` (may be NULL) reads it by column names:
 * as interactions, or as items when `items`. */
static tl_status load_file_as(tl_loader *ld, const char *path, uint8_t *buf, const tl_mapped_input *map, int items,
                              tl_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return tl_fail_at(err, TL_E_IO, path, 0, "cannot open: %s", strerror(errno));
    tl_status st = tl_loader_begin(ld, path, err);
    if (!st && map && items) st = tl_loader_map_items(ld, map->item_id_col, map->title_col, err);
    else if (!st && map)
        st = tl_loader_map_interactions(ld, map->user_col, map->item_col, map->rating_col, map->time_col, err);
    struct stat sb;
    if (!st && fstat(fileno(f), &sb) == 0 && sb.st_size > 0) st = tl_loader_size_hint(ld, (uint64_t)sb.st_size, err);
    while (st == TL_OK) {
        size_t got = fread(buf, 1, CHUNK, f);
        if (got) st = tl_loader_feed(ld, buf, got, err);
        if (got < CHUNK) {
            if (ferror(f)) st = st ? st : tl_fail_at(err, TL_E_IO, path, 0, "read error: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (st) return st;
    tl_file_kind kind;
    return tl_loader_end(ld, &kind, err);
}

static tl_status load_file(tl_loader *ld, const char *path, uint8_t *buf, tl_error *err)
{
    return load_file_as(ld, path, buf, NULL, 0, err);
}

static tl_status load_folder(tl_loader *ld, const char *dir, uint8_t *buf, tl_error *err)
{
    int found = 0;
    /* a fixed order, so the ratings order does not depend on readdir */
    for (size_t i = 0; i < N_KNOWN; i++) {
        char path[4096];
        int len = snprintf(path, sizeof path, "%s/%s", dir, known_names[i]);
        if (len < 0 || (size_t)len >= sizeof path) return tl_fail_at(err, TL_E_ARG, dir, 0, "path is too long");
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
        found++;
        tl_status st = load_file(ld, path, buf, err);
        if (st) return st;
    }
    if (!found)
        return tl_fail_at(err, TL_E_FORMAT, dir, 0,
                          "this folder holds no MovieLens data files; expected ratings.csv and movies.csv "
                          "(ml-latest, ml-25m), u.data and u.item (ml-100k) or ratings.dat and movies.dat (ml-1m)");
    return TL_OK;
}

tl_status tl_load_paths(const char *const *paths, size_t n_paths, tl_dataset **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "tl_load_paths: no output");
    *out = NULL;
    if (n_paths == 0 || !paths) return tl_fail(err, TL_E_ARG, "no input: give MovieLens files or a folder");
    tl_loader *ld = tl_loader_new();
    uint8_t *buf = tl__alloc_paged(CHUNK, 1, 0); /* one buffer for every file */
    tl_status st = TL_OK;
    if (!ld || !buf) st = tl_fail(err, TL_E_NOMEM, "out of memory starting the loader");
    for (size_t i = 0; st == TL_OK && i < n_paths; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) st = tl_fail_at(err, TL_E_IO, paths[i], 0, "cannot open: %s", strerror(errno));
        else if (S_ISDIR(sb.st_mode)) st = load_folder(ld, paths[i], buf, err);
        else st = load_file(ld, paths[i], buf, err);
    }
    free(buf);
    if (st == TL_OK) st = tl_loader_finish(ld, out, err);
    tl_loader_free(ld);
    return st;
}

tl_status tl_load_mapped(const tl_mapped_input *in, tl_dataset **out, tl_error *err)
{
    if (!out || !in) return tl_fail(err, TL_E_ARG, "tl_load_mapped: no input or output");
    *out = NULL;
    if (in->n_interactions == 0 || !in->interactions)
        return tl_fail(err, TL_E_ARG, "no input: give an interactions CSV file");
    tl_mapped_input map = *in;
    if (!map.user_col) map.user_col = "user_id";
    if (!map.item_col) map.item_col = "item_id";
    if (!map.item_id_col) map.item_id_col = map.item_col;
    if (!map.title_col) map.title_col = "title";
    tl_loader *ld = tl_loader_new();
    uint8_t *buf = tl__alloc_paged(CHUNK, 1, 0);
    tl_status st = TL_OK;
    if (!ld || !buf) st = tl_fail(err, TL_E_NOMEM, "out of memory starting the loader");
    for (size_t i = 0; st == TL_OK && i <= map.n_interactions; i++) {
        int items = i == map.n_interactions;
        const char *path = items ? map.items : map.interactions[i];
        struct stat sb;
        if (!path) break;
        if (stat(path, &sb) != 0) st = tl_fail_at(err, TL_E_IO, path, 0, "cannot open: %s", strerror(errno));
        else if (S_ISDIR(sb.st_mode))
            st = tl_fail_at(err, TL_E_ARG, path, 0, "this is a folder; --format csv reads CSV files, not folders");
        else st = load_file_as(ld, path, buf, &map, items, err);
    }
    free(buf);
    if (st == TL_OK) st = tl_loader_finish(ld, out, err);
    tl_loader_free(ld);
    return st;
}
