#include "towerlens/csv.h"

#include <stdlib.h>
#include <string.h>

/* Where the tokenizer is between two bytes. */
enum {
    S_START,  /* at the start of a field */
    S_UNQ,    /* inside an unquoted field */
    S_QUOTED, /* inside a quoted field */
    S_QEND,   /* a quote inside a quoted field: closing, or the first of a doubled pair */
    S_CR,     /* a CR outside quotes: a CRLF line break, or a literal CR */
    S_QCR,    /* a CR right after a closing quote: must be a CRLF line break */
    S_COLON,  /* one ':' of a possible "::" separator */
    S_FAILED
};

void tl_csv_init(tl_csv *c, uint8_t sep, int double_sep, int quoting, size_t max_record)
{
    memset(c, 0, sizeof *c);
    c->sep = sep;
    c->double_sep = double_sep ? 1 : 0;
    c->quoting = (quoting && !double_sep) ? 1 : 0;
    c->max_record = max_record ? max_record : TL_CSV_MAX_RECORD_DEFAULT;
    if (c->max_record > UINT32_MAX / 2) c->max_record = UINT32_MAX / 2; /* offsets are 32-bit */
    c->special[sep] = 1;
    c->special['\n'] = 1;
    c->special['\r'] = 1;
    c->special[0] = 1;
    if (c->quoting) c->special['"'] = 1;
    c->state = S_START;
}

void tl_csv_free(tl_csv *c)
{
    free(c->buf);
    free(c->fields);
    c->buf = NULL;
    c->fields = NULL;
    c->len = c->cap = c->n_fields = c->fields_cap = 0;
}

static void reset_record(tl_csv *c)
{
    c->len = 0;
    c->n_fields = 0;
    c->record_bytes = 0;
    c->newlines = 0;
    c->quote_newlines = 0;
    c->state = S_START;
    c->emitted = 0;
}

static tl_csv_result fail(tl_csv *c, tl_csv_error e, uint32_t newlines)
{
    c->error = e;
    c->error_newlines = newlines;
    c->error_in_quotes = c->state == S_QUOTED;
    c->state = S_FAILED;
    return TL_CSV_ERROR;
}

/* Room for n more bytes plus the NUL that ends the field. */
static int reserve(tl_csv *c, size_t n)
{
    size_t need = c->len + n + 1;
    if (need <= c->cap) return 1;
    size_t cap = c->cap ? c->cap : 256;
    while (cap < need) cap *= 2; /* bounded: records are at most max_record bytes */
    char *p = realloc(c->buf, cap);
    if (!p) return 0;
    c->buf = p;
    c->cap = cap;
    return 1;
}

static int put(tl_csv *c, const uint8_t *s, size_t n)
{
    if (!reserve(c, n)) return 0;
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    return 1;
}

static int put1(tl_csv *c, uint8_t b) { return put(c, &b, 1); }

/* The current field starts after the previous field's NUL. */
static int end_field(tl_csv *c)
{
    if (!reserve(c, 0)) return 0;
    if (c->n_fields == c->fields_cap) {
        size_t cap = c->fields_cap ? c->fields_cap * 2 : 16;
        tl_csv_field_ref *f = realloc(c->fields, cap * sizeof *f);
        if (!f) return 0;
        c->fields = f;
        c->fields_cap = cap;
    }
    uint32_t off = c->n_fields ? c->fields[c->n_fields - 1].off + c->fields[c->n_fields - 1].len + 1 : 0;
    c->fields[c->n_fields].off = off;
    c->fields[c->n_fields].len = (uint32_t)(c->len - off);
    c->n_fields++;
    c->buf[c->len++] = '\0';
    return 1;
}

#define NOMEM() return fail(c, TL_CSV_E_NOMEM, c->newlines)
#define COUNT(k)                                                                                       \
    do {                                                                                               \
        c->record_bytes += (k);                                                                        \
        if (c->record_bytes > c->max_record) {                                                         \
            *used = i;                                                                                 \
            return fail(c, TL_CSV_E_TOO_LONG, c->state == S_QUOTED ? c->quote_newlines : c->newlines); \
        }                                                                                              \
    } while (0)

tl_csv_result tl_csv_push(tl_csv *c, const uint8_t *p, size_t n, size_t *used)
{
    size_t i = 0;
    *used = 0;
    if (c->state == S_FAILED) return TL_CSV_ERROR;
    if (c->emitted) reset_record(c);
    while (i < n) {
        uint8_t b = p[i];
        switch (c->state) {
            case S_START:
            case S_UNQ: {
                size_t j = i;
                while (j < n && !c->special[p[j]]) j++;
                if (j > i) {
                    COUNT(j - i);
                    if (!put(c, p + i, j - i)) NOMEM();
                    i = j;
                    c->state = S_UNQ;
                    continue;
                }
                COUNT(1);
                i++;
                if (b == c->sep) {
                    if (c->double_sep) {
                        c->state = S_COLON;
                    } else {
                        if (!end_field(c)) NOMEM();
                        c->state = S_START;
                    }
                } else if (b == '\n') {
                    if (!end_field(c)) NOMEM();
                    c->emitted = 1;
                    *used = i;
                    return TL_CSV_RECORD;
                } else if (b == '\r') {
                    c->state = S_CR;
                } else if (b == '"') {
                    if (c->state != S_START) {
                        *used = i;
                        return fail(c, TL_CSV_E_STRAY_QUOTE, c->newlines);
                    }
                    c->state = S_QUOTED;
                    c->quote_newlines = c->newlines;
                } else { /* NUL */
                    *used = i;
                    return fail(c, TL_CSV_E_NUL, c->newlines);
                }
                break;
            }
            case S_QUOTED: {
                size_t j = i;
                uint32_t nl = 0;
                while (j < n && p[j] != '"' && p[j] != 0) nl += p[j++] == '\n';
                if (j > i) {
                    COUNT(j - i);
                    if (!put(c, p + i, j - i)) NOMEM();
                    c->newlines += nl;
                    i = j;
                    continue;
                }
                COUNT(1);
                i++;
                if (b == '"') {
                    c->state = S_QEND;
                } else {
                    *used = i;
                    return fail(c, TL_CSV_E_NUL, c->newlines);
                }
                break;
            }
            case S_QEND:
                COUNT(1);
                i++;
                if (b == '"') {
                    if (!put1(c, '"')) NOMEM();
                    c->state = S_QUOTED;
                } else if (b == c->sep) {
                    if (!end_field(c)) NOMEM();
                    c->state = S_START;
                } else if (b == '\n') {
                    if (!end_field(c)) NOMEM();
                    c->emitted = 1;
                    *used = i;
                    return TL_CSV_RECORD;
                } else if (b == '\r') {
                    c->state = S_QCR;
                } else {
                    *used = i;
                    return fail(c, b == 0 ? TL_CSV_E_NUL : TL_CSV_E_AFTER_QUOTE, c->newlines);
                }
                break;
            case S_CR:
                if (b == '\n') {
                    COUNT(1);
                    i++;
                    if (!end_field(c)) NOMEM();
                    c->emitted = 1;
                    *used = i;
                    return TL_CSV_RECORD;
                }
                /* a lone CR is text; look at b again as the next byte of the field */
                if (!put1(c, '\r')) NOMEM();
                c->state = S_UNQ;
                break;
            case S_QCR:
                if (b != '\n') {
                    *used = i;
                    return fail(c, TL_CSV_E_AFTER_QUOTE, c->newlines);
                }
                COUNT(1);
                i++;
                if (!end_field(c)) NOMEM();
                c->emitted = 1;
                *used = i;
                return TL_CSV_RECORD;
            case S_COLON:
                if (b == c->sep) {
                    COUNT(1);
                    i++;
                    if (!end_field(c)) NOMEM();
                    c->state = S_START;
                } else {
                    /* a single ':' is text (ml-1m titles have them) */
                    if (!put1(c, c->sep)) NOMEM();
                    c->state = S_UNQ;
                }
                break;
            default: *used = i; return TL_CSV_ERROR;
        }
    }
    *used = n;
    return TL_CSV_MORE;
}

tl_csv_result tl_csv_finish(tl_csv *c)
{
    if (c->state == S_FAILED) return TL_CSV_ERROR;
    if (c->emitted) reset_record(c);
    if (c->record_bytes == 0) return TL_CSV_MORE;
    switch (c->state) {
        case S_QUOTED: return fail(c, TL_CSV_E_UNTERMINATED, c->quote_newlines);
        case S_COLON:
            if (!put1(c, c->sep)) return fail(c, TL_CSV_E_NOMEM, c->newlines);
            break;
        default: /* S_CR / S_QCR: a final CR ends the line like CRLF would */ break;
    }
    if (!end_field(c)) return fail(c, TL_CSV_E_NOMEM, c->newlines);
    c->emitted = 1;
    return TL_CSV_RECORD;
}

const char *tl_csv_error_text(tl_csv_error e)
{
    switch (e) {
        case TL_CSV_OK: return "no error";
        case TL_CSV_E_UNTERMINATED: return "unterminated quoted field";
        case TL_CSV_E_STRAY_QUOTE:
            return "quote inside an unquoted field (a field with quotes must be quoted, with each quote doubled)";
        case TL_CSV_E_AFTER_QUOTE: return "unexpected text after a closing quote";
        case TL_CSV_E_NUL: return "NUL byte: this is binary data, not a text file";
        case TL_CSV_E_TOO_LONG: return "line is longer than 1 MiB";
        case TL_CSV_E_NOMEM: return "out of memory while reading a line";
    }
    return "unknown tokenizer error";
}
