/* libFuzzer target for the factor readers (import.h). The first byte picks
 * the reader: even = CSV table, odd = .npy table with its ids after it (the
 * second and third bytes give where the ids start). Bit 1 of the first byte
 * sets a tiny table limit so the limit paths run too. A table read without
 * error must be ascending by id and hold only finite values. Build: see
 * scripts/fuzz (TL_FUZZ_TARGET=fuzz_import). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "towerlens/import.h"

/* libFuzzer's entry point (and tests/fuzz/replay.c's). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    uint8_t mode = data[0];
    uint64_t limit = (mode & 2) ? 64 : TL_IMPORT_MAX_TABLE_BYTES;
    const uint8_t *p = data + 3;
    size_t n = size - 3;
    tl_factors f;
    tl_error err;
    tl_status st;
    if (mode & 1) {
        size_t split = ((size_t)data[1] << 8 | data[2]) % (n + 1);
        st = tl_factors_read(p, split, "fuzz.npy", p + split, n - split, "fuzz_ids", limit, &f, &err);
    } else {
        st = tl_factors_read(p, n, "fuzz.csv", NULL, 0, NULL, limit, &f, &err);
    }
    if (st != TL_OK) return 0;
    for (uint32_t r = 0; r < f.rows; r++) {
        if (r && f.ids[r] <= f.ids[r - 1]) abort();
        for (uint32_t c = 0; c < f.dim; c++)
            if (!isfinite(f.data[(size_t)r * f.dim + c])) abort();
    }
    tl_factors_free(&f);
    return 0;
}
