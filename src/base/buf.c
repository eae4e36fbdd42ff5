#include "towerlens/buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tl_buf_init(tl_buf *b) { memset(b, 0, sizeof *b); }

void tl_buf_free(tl_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void tl_buf_reset(tl_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data) b->data[0] = '\0';
}

static int reserve(tl_buf *b, size_t extra)
{
    if (b->failed) return 0;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void tl_buf_append(tl_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void tl_buf_puts(tl_buf *b, const char *s) { tl_buf_append(b, s, strlen(s)); }

void tl_buf_printf(tl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return n;
}

void tl_buf_json_string(tl_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    tl_buf_append(b, "\"", 1);
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            tl_buf_append(b, esc, 2);
            s++;
        } else if (c < 0x20) {
            tl_buf_printf(b, "\\u%04x", c);
            s++;
        } else {
            size_t n = utf8_seq(s);
            if (n == 0) {
                tl_buf_append(b, "\xEF\xBF\xBD", 3);
                s++;
            } else {
                tl_buf_append(b, (const char *)s, n);
                s += n;
            }
        }
    }
    tl_buf_append(b, "\"", 1);
}

void tl_buf_json_number(tl_buf *b, double v)
{
    if (!isfinite(v)) {
        tl_buf_puts(b, "null");
        return;
    }
    if (v == floor(v) && fabs(v) < 9e15) tl_buf_printf(b, "%.0f", v);
    else tl_buf_printf(b, "%.9g", v);
}

char *tl_buf_take(tl_buf *b)
{
    if (b->failed) {
        tl_buf_free(b);
        return NULL;
    }
    if (!b->data) {
        if (!reserve(b, 0)) return NULL;
        b->data[0] = '\0';
    }
    char *p = b->data;
    memset(b, 0, sizeof *b);
    return p;
}
