/* A growable text buffer with JSON helpers; the CLI and the WASM API both
 * print their JSON through it, so the two front ends agree byte for byte. */
#ifndef TOWERLENS_BUF_H
#define TOWERLENS_BUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_buf {
    char *data; /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; further appends are ignored */
} tl_buf;

void tl_buf_init(tl_buf *b);
void tl_buf_free(tl_buf *b);
void tl_buf_reset(tl_buf *b);
void tl_buf_append(tl_buf *b, const char *s, size_t n);
void tl_buf_puts(tl_buf *b, const char *s);
void tl_buf_printf(tl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a JSON string literal (quotes and escapes included); invalid
 * UTF-8 bytes become U+FFFD so the output always parses. */
void tl_buf_json_string(tl_buf *b, const char *s);
/* Appends a JSON number; NaN and infinities become null. */
void tl_buf_json_number(tl_buf *b, double v);
/* Hands the data to the caller (free() it) and resets the buffer. */
char *tl_buf_take(tl_buf *b);

/* "s" unless n is 1, for text counts: "%u rating%s", n, tl_plural(n). */
static inline const char *tl_plural(unsigned long long n) { return n == 1 ? "" : "s"; }

#ifdef __cplusplus
}
#endif
#endif
