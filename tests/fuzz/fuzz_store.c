/* libFuzzer target for the model-file reader. The input's last 8 bytes are
 * replaced by its correct checksum, so the fuzzer reaches the section
 * parser instead of stopping at the checksum. Build: see scripts/fuzz. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/store_internal.h"
#include "towerlens/store.h"

/* libFuzzer's entry point (and tests/fuzz/replay.c's). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    if (size >= 24) {
        uint64_t h = tl__store_checksum(copy, size - 8);
        for (int i = 0; i < 8; i++) copy[size - 8 + (size_t)i] = (uint8_t)(h >> (8 * i));
    }
    tl_error err;
    tl_model_file *mf = NULL;
    if (tl_store_read(copy, size, "fuzz.tlm", &mf, &err) == TL_OK) tl_model_file_free(mf);
    free(copy);
    return 0;
}
