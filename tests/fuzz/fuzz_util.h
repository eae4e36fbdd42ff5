/* Shared by the loader fuzz targets: pseudo-random chunk sizes, and one
 * input split into files at lines "#####". */
#ifndef TL_FUZZ_UTIL_H
#define TL_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
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

#endif
