/* libFuzzer target for the streaming loader (run it with scripts/fuzz).
 *
 * Input: byte 0 picks the chunking, byte 1 an expected kind (or none), the
 * rest is one or more files separated by a line "#####". Every input is
 * loaded twice: each file whole, and in chunks of pseudo-random sizes
 * (1..64 bytes, sometimes larger). Besides the sanitizers' crash, leak and
 * undefined-behaviour checks, the two loads must agree exactly: same status,
 * same message, same dataset array by array. A difference aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "towerlens/buf.h"
#include "towerlens/loader.h"

#define MAX_FILES 6

/* mode: the expected kind of the first file (TL_FILE_UNKNOWN: any) */
static tl_status expect_first(tl_loader *ld, size_t file, size_t n_files, uint8_t mode, tl_error *err)
{
    (void)n_files;
    return file == 0 && mode != TL_FILE_UNKNOWN ? tl_loader_expect(ld, (tl_file_kind)mode, err) : TL_OK;
}

/* libFuzzer's entry point (and tests/fuzz/replay.c's). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    uint8_t seed = data[0], expect_byte = data[1];
    data += 2;
    size -= 2;

    static const char *const names[MAX_FILES] = {"f0.csv", "f1.csv", "f2.csv", "f3.csv", "f4.csv", "f5.csv"};
    mem_file files[MAX_FILES];
    size_t n_files = split_files(data, size, names, MAX_FILES, files);
    tl_file_kind expect = expect_byte < 5 ? (tl_file_kind)expect_byte : TL_FILE_UNKNOWN;

    chunker whole = {0, 1}, pieces = {seed, 0};
    tl_dataset *a = NULL, *b = NULL;
    tl_error ea, eb;
    tl_status sa = fuzz_load(files, n_files, expect_first, (uint8_t)expect, &whole, &a, &ea);
    tl_status sb = fuzz_load(files, n_files, expect_first, (uint8_t)expect, &pieces, &b, &eb);
    fuzz_same_status(sa, &ea, sb, &eb);
    if (sa == TL_OK) {
        char msg[256];
        const char *diff = dataset_diff(a, b, msg, sizeof msg);
        if (diff) {
            fprintf(stderr, "chunking changed the dataset: %s\n", diff);
            abort();
        }
        /* the dataset is self-consistent */
        uint64_t total = 0;
        for (uint32_t u = 0; u < a->n_users; u++) total += a->user_counts[u];
        for (uint32_t k = 0; k < a->n_ratings; k++)
            if (a->r_user[k] >= a->n_users || a->r_movie[k] >= a->n_movies || a->r_half[k] < 1 || a->r_half[k] > 10)
                abort();
        if (total != a->n_ratings) abort();
        for (uint32_t m = 1; m < a->n_movies; m++)
            if (a->movies[m - 1].id >= a->movies[m].id) abort();
        for (uint32_t m = 0; m < a->n_movies; m++)
            if (a->movies[m].title >= a->strings_len) abort();
        tl_buf js;
        tl_buf_init(&js);
        tl_dataset_summary_json(a, &js);
        tl_buf_free(&js);
    }
    tl_dataset_free(a);
    tl_dataset_free(b);
    return 0;
}
