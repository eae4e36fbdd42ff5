/* libFuzzer target for files read by column names (loader_generic.c):
 * `TL_FUZZ_TARGET=fuzz_mapped scripts/fuzz 600`; ctest fuzz_mapped_replay
 * replays its corpus (tests/fuzz/replay.c).
 *
 * Input: byte 0 picks the chunking; byte 1's bits pick the mapping: bit 0
 * maps a rating column "r", bit 1 a time column "t", bit 2 reads the last
 * file as an items file (columns "i" and "title"), bit 3 puts a MovieLens
 * file first (read by detection). The user and item columns are "u" and
 * "i". The rest is files separated by a line "#####". Every input is loaded
 * whole and in pseudo-random chunks: the two must agree exactly (status,
 * message, dataset, string ids), and a dataset must be self-consistent
 * (string ids non-empty and strictly ascending, so lookups find them). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "towerlens/buf.h"
#include "towerlens/loader.h"
#include "towerlens/results.h"

#define MAX_FILES 4

/* mode bits (above): which file is read how */
static tl_status map_file(tl_loader *ld, size_t f, size_t n_files, uint8_t mode, tl_error *err)
{
    int movielens = (mode & 8) && f == 0, items = (mode & 4) && f + 1 == n_files && n_files > 1;
    if (items) return tl_loader_map_items(ld, "i", "title", err);
    if (movielens) return TL_OK;
    return tl_loader_map_interactions(ld, "u", "i", mode & 1 ? "r" : NULL, mode & 2 ? "t" : NULL, err);
}

static void check_names(const tl_dataset *ds, const uint32_t *names, uint32_t n, int movies)
{
    if (!names) return;
    for (uint32_t i = 0; i < n; i++) {
        if (names[i] >= ds->id_strings_len || !ds->id_strings[names[i]]) abort();
        if (i && strcmp(ds->id_strings + names[i - 1], ds->id_strings + names[i]) >= 0) abort();
        uint32_t found = UINT32_MAX;
        tl_status st = movies ? tl_dataset_find_movie(ds, ds->id_strings + names[i], &found, NULL)
                              : tl_dataset_find_user(ds, ds->id_strings + names[i], &found, NULL);
        if (st != TL_OK || found != i) abort();
    }
}

/* libFuzzer's entry point (and tests/fuzz/replay.c's). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    uint8_t seed = data[0], mode = data[1];
    data += 2;
    size -= 2;

    static const char *const names[MAX_FILES] = {"f0.csv", "f1.csv", "f2.csv", "f3.csv"};
    mem_file files[MAX_FILES];
    size_t n_files = split_files(data, size, names, MAX_FILES, files);

    chunker whole = {0, 1}, pieces = {seed, 0};
    tl_dataset *a = NULL, *b = NULL;
    tl_error ea, eb;
    tl_status sa = fuzz_load(files, n_files, map_file, mode, &whole, &a, &ea);
    tl_status sb = fuzz_load(files, n_files, map_file, mode, &pieces, &b, &eb);
    fuzz_same_status(sa, &ea, sb, &eb);
    if (sa == TL_OK) {
        char msg[256];
        if (dataset_diff(a, b, msg, sizeof msg) || a->id_strings_len != b->id_strings_len ||
            (a->id_strings_len && memcmp(a->id_strings, b->id_strings, a->id_strings_len)) ||
            !a->user_names != !b->user_names || !a->movie_names != !b->movie_names || a->implicit != b->implicit) {
            fprintf(stderr, "chunking changed the dataset\n");
            abort();
        }
        for (uint32_t k = 0; k < a->n_ratings; k++)
            if (a->r_user[k] >= a->n_users || a->r_movie[k] >= a->n_movies || a->r_half[k] < 1 || a->r_half[k] > 10)
                abort();
        for (uint32_t m = 1; m < a->n_movies; m++)
            if (a->movies[m - 1].id >= a->movies[m].id) abort();
        check_names(a, a->user_names, a->n_users, 0);
        check_names(a, a->movie_names, a->n_movies, 1);
        tl_buf js;
        tl_buf_init(&js);
        tl_dataset_summary_json(a, &js);
        for (uint32_t m = 0; m < a->n_movies && m < 50; m++) tl_movie_json(a, m, &js);
        tl_buf_free(&js);
    }
    tl_dataset_free(a);
    tl_dataset_free(b);
    return 0;
}
