/* Buffered CSV output to a tl_sink: rows are formatted into a 64 KiB buffer
 * and handed to the sink in large pieces, so the sink's cost (a file write,
 * a copy into JavaScript) is paid per buffer, not per field. */
#ifndef TL_GENERATE_GENERATE_OUTPUT_H
#define TL_GENERATE_GENERATE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/generate.h"

#define GEN_OUT_BUFFER (64u * 1024u)

typedef struct gen_out {
    tl_sink sink;     /* write == NULL: everything is discarded */
    const char *name; /* file name for messages */
    uint64_t bytes;   /* handed to the sink so far */
    int failed;       /* the sink reported an error; later output is dropped */
    size_t len;
    char buf[GEN_OUT_BUFFER];
} gen_out;

void gen_out_init(gen_out *o, tl_sink sink, const char *name);
int gen_out_flush(gen_out *o); /* 0 or -1 (failed) */
void gen_out_write(gen_out *o, const char *s, size_t n);
void gen_out_str(gen_out *o, const char *s);
void gen_out_u64(gen_out *o, uint64_t v);
/* v zero-padded to at least `width` digits (imdbId is "0114709"). */
void gen_out_u64_padded(gen_out *o, uint64_t v, int width);
/* A CSV field: quoted, with doubled quotes, when it holds , " CR or LF. */
void gen_out_field(gen_out *o, const char *s);

static inline int gen_out_enabled(const gen_out *o) { return o->sink.write != NULL; }

static inline void gen_out_char(gen_out *o, char c)
{
    if (o->len == GEN_OUT_BUFFER) gen_out_flush(o);
    o->buf[o->len++] = c;
}

#endif
