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
    "links.csv", "movies.csv", "ratings.csv", "tags.csv", /* ml-latest, ml-25m, ml-32m */
    "u.data", "u.item",                                    /* ml-100k */
    "movies.dat", "ratings.dat", "tags.dat",               /* ml-1m, ml-10m */
};
#define N_KNOWN (sizeof known_names / sizeof known_names[0])

static tl_status load_file(tl_loader *ld, const char *path, uint8_t *buf, tl_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return tl_fail_at(err, TL_E_IO, path, 0, "cannot open: %s", strerror(errno));
    tl_status st = tl_loader_begin(ld, path, err);
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
    uint8_t *buf = tl_alloc_paged(CHUNK, 1, 0); /* one buffer for every file */
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
