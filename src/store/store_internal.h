/* Shared by the model-file reader and writer. */
#ifndef TL_STORE_STORE_INTERNAL_H
#define TL_STORE_STORE_INTERNAL_H

#include "towerlens/store.h"

#define TL_STORE_MAGIC "TLMODEL\0"
#define TL_FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define TL_TAG_CONF TL_FOURCC('C', 'O', 'N', 'F')
#define TL_TAG_USER TL_FOURCC('U', 'S', 'E', 'R')
#define TL_TAG_MOVI TL_FOURCC('M', 'O', 'V', 'I')
#define TL_TAG_SEEN TL_FOURCC('S', 'E', 'E', 'N')
#define TL_TAG_TENS TL_FOURCC('T', 'E', 'N', 'S')
#define TL_TAG_ROWS TL_FOURCC('R', 'O', 'W', 'S')
/* STAR (issue 15, optional, after SEEN): u32 entries (= the seen sets'
 * total), then one byte per entry: its rating in half stars (0 unknown) */
#define TL_TAG_STAR TL_FOURCC('S', 'T', 'A', 'R')
#define TL_ROWS_KNOWN 1u /* ROWS flags */
#define TL_ROWS_SEEN_ALL 2u
#define TL_ROWS_BYTES 32u /* u32 flags, train, test, total; u64 seed, data hash */
#define TL_TAG_SIDS TL_FOURCC('S', 'I', 'D', 'S')

/* The optional SIDS section (store_names.c): string ids and the implicit
 * flag. Written whole (tag, length, payload) when tl__store_has_names; read
 * after the USER and MOVI sections, from its payload. */
int tl__store_has_names(const tl_dataset *ds);
void tl__store_write_names(tl_buf *b, const tl_dataset *ds);
tl_status tl__store_read_names(const uint8_t *p, size_t n, tl_dataset *ds, const char *name, tl_error *err);

static inline uint64_t tl__store_checksum(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#endif
