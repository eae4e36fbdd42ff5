/* Dense indices for a column of raw ids, built once at the end of a load
 * instead of counting into id tables while parsing. MovieLens ids are small
 * (ml-25m: at most ~210K), so one bit per possible id plus a running count
 * per 64 ids (12 bytes per 64 ids: 36 KB for ml-latest-small's movies,
 * where a 4-byte slot per id would touch ~170 pages) answers "how many
 * distinct ids are below this one" in O(1): three linear passes, no
 * sorting. Sparse huge ids would make that table large, so past a budget the
 * hash-backed id map takes over (its few large ids get sorted). */
#include <stdlib.h>

#include "loader_internal.h"

static inline uint32_t popcount64(uint64_t x)
{
#if defined(__POPCNT__) || defined(__wasm__)
    return (uint32_t)__builtin_popcountll(x);
#else
    /* without the instruction gcc calls a table-driven helper; this is cheaper */
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (uint32_t)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* The bit table stays within 1 MiB or 4 bytes per rating, whichever is more. */
static int bitmap_fits(uint32_t n, uint32_t max_id)
{
    uint64_t words = (uint64_t)max_id / 64 + 1;
    uint64_t bytes = words * (sizeof(uint64_t) + sizeof(uint32_t));
    uint64_t budget = (uint64_t)n * 4;
    if (budget < ((uint64_t)1 << 20)) budget = (uint64_t)1 << 20;
    return bytes <= budget && bytes <= SIZE_MAX;
}

static int dense_bitmap(uint32_t *col, uint32_t n, uint32_t max_id, tl__dense *out)
{
    size_t words = (size_t)max_id / 64 + 1;
    uint64_t *bits = tl__alloc_paged(words, sizeof *bits, 1);
    uint32_t *below = tl__alloc_paged(words, sizeof *below, 0); /* distinct ids in the words before */
    if (!bits || !below) {
        free(bits);
        free(below);
        return 0;
    }
    for (uint32_t k = 0; k < n; k++) bits[col[k] >> 6] |= (uint64_t)1 << (col[k] & 63);
    uint32_t distinct = 0;
    for (size_t w = 0; w < words; w++) {
        below[w] = distinct;
        distinct += popcount64(bits[w]);
    }
    out->n = distinct;
    out->ids = tl__alloc_paged(distinct, sizeof *out->ids, 0);
    out->counts = tl__alloc_paged(distinct, sizeof *out->counts, 1);
    if (!out->ids || !out->counts) {
        free(bits);
        free(below);
        return 0;
    }
    uint32_t i = 0;
    for (size_t w = 0; w < words; w++)
        for (uint64_t x = bits[w]; x; x &= x - 1) out->ids[i++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(x));
    /* users come in runs (files are sorted by user): reuse the last answer */
    uint32_t last_id = ~col[0], last = 0, runs = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t id = col[k];
        if (id != last_id) {
            uint32_t w = id >> 6;
            last = below[w] + popcount64(bits[w] & (((uint64_t)1 << (id & 63)) - 1));
            last_id = id;
            runs++;
        }
        col[k] = last;
        out->counts[last]++;
    }
    out->runs = runs;
    free(bits);
    free(below);
    return 1;
}

static int dense_hashed(uint32_t *col, uint32_t n, tl__dense *out)
{
    tl__idmap map = {0};
    uint32_t runs = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t *v = tl__idmap_slot(&map, col[k]);
        if (!v) {
            tl__idmap_free(&map);
            return 0;
        }
        (*v)++;
        runs += k == 0 || col[k] != col[k - 1];
    }
    out->ids = tl__idmap_sorted_ids(&map, &out->n);
    out->counts = malloc((size_t)(out->n ? out->n : 1) * sizeof *out->counts);
    if (!out->ids || !out->counts) {
        tl__idmap_free(&map);
        return 0;
    }
    for (uint32_t i = 0; i < out->n; i++) {
        uint32_t *v = tl__idmap_find(&map, out->ids[i]);
        out->counts[i] = *v;
        *v = i + 1;
    }
    for (uint32_t k = 0; k < n; k++) col[k] = tl__idmap_get(&map, col[k]) - 1;
    out->runs = runs;
    tl__idmap_free(&map);
    return 1;
}

int tl__dense_renumber(uint32_t *col, uint32_t n, uint32_t max_id, tl__dense *out)
{
    out->ids = out->counts = NULL;
    out->n = out->runs = 0;
    if (n == 0) return 1;
    int ok = bitmap_fits(n, max_id) ? dense_bitmap(col, n, max_id, out) : dense_hashed(col, n, out);
    if (!ok) tl__dense_free(out);
    return ok;
}

void tl__dense_free(tl__dense *d)
{
    free(d->ids);
    free(d->counts);
    d->ids = d->counts = NULL;
    d->n = 0;
}
