#include "generate_output.h"

#include <string.h>

void gen_out_init(gen_out *o, tl_sink sink, const char *name)
{
    o->sink = sink;
    o->name = name;
    o->bytes = 0;
    o->failed = 0;
    o->len = 0;
}

int gen_out_flush(gen_out *o)
{
    if (o->len && o->sink.write && !o->failed) {
        if (o->sink.write(o->sink.ctx, o->buf, o->len) != 0) o->failed = 1;
        else o->bytes += o->len;
    }
    o->len = 0;
    return o->failed ? -1 : 0;
}

void gen_out_write(gen_out *o, const char *s, size_t n)
{
    while (n) {
        if (o->len == GEN_OUT_BUFFER) gen_out_flush(o);
        size_t take = GEN_OUT_BUFFER - o->len;
        if (take > n) take = n;
        memcpy(o->buf + o->len, s, take);
        o->len += take;
        s += take;
        n -= take;
    }
}

void gen_out_str(gen_out *o, const char *s) { gen_out_write(o, s, strlen(s)); }

void gen_out_u64_padded(gen_out *o, uint64_t v, int width)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char tmp[24];
    int n = 0;
    while (v >= 10) { /* two digits per division */
        uint32_t d = (uint32_t)(v % 100);
        v /= 100;
        tmp[n++] = pairs[2 * d + 1];
        tmp[n++] = pairs[2 * d];
    }
    if (v || n == 0) tmp[n++] = (char)('0' + v);
    while (n < width && n < (int)sizeof tmp) tmp[n++] = '0';
    if (o->len + (size_t)n > GEN_OUT_BUFFER) gen_out_flush(o);
    while (n) o->buf[o->len++] = tmp[--n];
}

void gen_out_u64(gen_out *o, uint64_t v) { gen_out_u64_padded(o, v, 1); }

void gen_out_field(gen_out *o, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        gen_out_str(o, s);
        return;
    }
    gen_out_char(o, '"');
    for (; *s; s++) {
        if (*s == '"') gen_out_char(o, '"');
        gen_out_char(o, *s);
    }
    gen_out_char(o, '"');
}
