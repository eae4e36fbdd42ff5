/* Streaming ingest for JavaScript: a loader handle is fed the bytes of each
 * file in chunks (copied by JS into the handle's own chunk buffer), then
 * finished into a dataset handle. Every call returns a tl_status; on failure
 * the handle's error says why (see api_error.c). */
#include <stdlib.h>

#include "handle.h"

EMSCRIPTEN_KEEPALIVE tlw_loader *tlw_loader_new(void)
{
    tlw_loader *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->loader = tl_loader_new();
    if (!h->loader) {
        free(h);
        return NULL;
    }
    return h;
}

EMSCRIPTEN_KEEPALIVE void tlw_loader_free(tlw_loader *h)
{
    if (!h) return;
    tl_loader_free(h->loader);
    free(h->chunk);
    free(h);
}

/* A buffer of at least `n` bytes owned by the handle, valid until the next
 * call with a larger `n` or tlw_loader_free. NULL when out of memory. */
EMSCRIPTEN_KEEPALIVE uint8_t *tlw_loader_chunk(tlw_loader *h, size_t n)
{
    if (!h) return NULL;
    if (n == 0) n = 1;
    if (n > h->chunk_cap) {
        uint8_t *p = realloc(h->chunk, n);
        if (!p) {
            tl_fail(&h->err, TL_E_NOMEM, "out of memory allocating a %zu-byte read buffer", n);
            return NULL;
        }
        h->chunk = p;
        h->chunk_cap = n;
    }
    return h->chunk;
}

EMSCRIPTEN_KEEPALIVE int tlw_loader_begin(tlw_loader *h, const char *name)
{
    if (!h) return TL_E_ARG;
    tl_error_clear(&h->err);
    return tl_loader_begin(h->loader, name, &h->err);
}

/* The current file's size in bytes when known (File.size, stat): a ratings
 * file then gets its columns reserved once instead of growing by copies. A
 * double, so sizes past 4 GB pass through wasm32; 0 or less = unknown. */
EMSCRIPTEN_KEEPALIVE int tlw_loader_size_hint(tlw_loader *h, double bytes)
{
    if (!h) return TL_E_ARG;
    if (!(bytes > 0) || bytes > 9007199254740992.0) return TL_OK;
    return tl_loader_size_hint(h->loader, (uint64_t)bytes, &h->err);
}

EMSCRIPTEN_KEEPALIVE int tlw_loader_feed(tlw_loader *h, const uint8_t *bytes, size_t n)
{
    if (!h) return TL_E_ARG;
    return tl_loader_feed(h->loader, bytes, n, &h->err);
}

EMSCRIPTEN_KEEPALIVE int tlw_loader_end(tlw_loader *h)
{
    if (!h) return TL_E_ARG;
    tl_file_kind kind = TL_FILE_UNKNOWN;
    tl_status st = tl_loader_end(h->loader, &kind, &h->err);
    h->last_kind = (int)kind;
    return st;
}

/* tl_file_kind of the file most recently ended. */
EMSCRIPTEN_KEEPALIVE int tlw_loader_last_kind(const tlw_loader *h) { return h ? h->last_kind : 0; }

/* The dataset built from everything fed, or NULL with the loader's error set. */
EMSCRIPTEN_KEEPALIVE tlw_dataset *tlw_loader_finish(tlw_loader *h)
{
    if (!h) return NULL;
    tl_dataset *ds = NULL;
    if (tl_loader_finish(h->loader, &ds, &h->err) != TL_OK) return NULL;
    return tlw_dataset_wrap(ds, &h->err);
}
