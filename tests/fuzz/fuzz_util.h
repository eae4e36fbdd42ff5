/* Shared by the loader fuzz targets: pseudo-random chunk sizes, and one
 * input split into files at lines "#####". */
#ifndef TL_FUZZ_UTIL_H
#define TL_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../c/loader_util.h"

typedef struct chunker {
    uint32_t state;
    int whole;
} chunker;

/* 1..64 bytes, sometimes up to 4096; everything left when `whole`. */
static inline size_t next_chunk(chunker *c, size_t left)
{
    if (c->whole) return left;
    c->state = c->state * 1103515245u + 12345u;
    uint32_t r = c->state >> 16;
    size_t n = (r & 7) == 0 ? 1 + (r >> 3) % 4096 : 1 + (r >> 3) % 64;
    return n < left ? n : left;
}

/* Splits data at "\n#####\n" into at most max files named names[i]. */
static inline size_t split_files(const uint8_t *data, size_t size, const char *const *names, size_t max,
                                 mem_file *files)
{
    static const char sep[] = "\n#####\n";
    size_t n_files = 0, start = 0;
    for (size_t i = 0; i <= size && n_files < max; i++) {
        int at_sep = i + sizeof sep - 1 <= size && memcmp(data + i, sep, sizeof sep - 1) == 0;
        if (i == size || (at_sep && n_files + 1 < max)) {
            files[n_files].name = names[n_files];
            files[n_files].bytes = data + start;
            files[n_files].n = (i == size ? size : i) - start;
            n_files++;
            if (i == size) break;
            i += sizeof sep - 2;
            start = i + 1;
        }
    }
    return n_files;
}

/* Called right after each file is begun (tl_loader_expect, tl_loader_map_*). */
typedef tl_status (*fuzz_begin_fn)(tl_loader *ld, size_t file, size_t n_files, uint8_t mode, tl_error *err);

/* Loads the files through one loader, fed in the chunker's sizes. */
static inline tl_status fuzz_load(const mem_file *files, size_t n_files, fuzz_begin_fn on_begin, uint8_t mode,
                                  chunker *ch, tl_dataset **out, tl_error *err)
{
    *out = NULL;
    tl_error_clear(err);
    tl_loader *ld = tl_loader_new();
    if (!ld) return TL_E_NOMEM;
    tl_status st = TL_OK;
    for (size_t f = 0; f < n_files && !st; f++) {
        st = tl_loader_begin(ld, files[f].name, err);
        if (!st) st = on_begin(ld, f, n_files, mode, err);
        size_t off = 0;
        while (!st && off < files[f].n) {
            size_t k = next_chunk(ch, files[f].n - off);
            st = tl_loader_feed(ld, files[f].bytes + off, k, err);
            off += k;
        }
        tl_file_kind kind;
        if (!st) st = tl_loader_end(ld, &kind, err);
    }
    if (!st) st = tl_loader_finish(ld, out, err);
    tl_loader_free(ld);
    return st;
}

/* Aborts when loading whole and in chunks gave different statuses or messages. */
static inline void fuzz_same_status(tl_status sa, const tl_error *ea, tl_status sb, const tl_error *eb)
{
    if (sa != sb || (sa && strcmp(ea->message, eb->message))) {
        fprintf(stderr, "chunking changed the result:\n  whole:  [%s] %s\n  chunks: [%s] %s\n", tl_status_name(sa),
                sa ? ea->message : "", tl_status_name(sb), sb ? eb->message : "");
        abort();
    }
}

#endif
