/* Streaming RFC 4180 tokenizer: bytes go in as chunks of any size (down to
 * one byte), whole records come out. A record is complete at a line break
 * outside quotes (LF or CRLF) or at the end of the input.
 *
 * Quoting is optional because MovieLens' older layouts (tab, pipe and "::"
 * separated) have none: there a quote is an ordinary character. With
 * quoting on, a field that starts with a quote may hold separators, line
 * breaks and doubled quotes; a quote anywhere else is an error, as is text
 * after a closing quote. A NUL byte is always an error (binary data). */
#ifndef TOWERLENS_CSV_H
#define TOWERLENS_CSV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TL_CSV_MAX_RECORD_DEFAULT ((size_t)1 << 20) /* 1 MiB */

typedef enum tl_csv_result {
    TL_CSV_MORE = 0, /* every byte consumed; the record continues in the next chunk */
    TL_CSV_RECORD,   /* a record is complete: read it with tl_csv_field() */
    TL_CSV_ERROR     /* see tl_csv.error; the tokenizer stays failed */
} tl_csv_result;

typedef enum tl_csv_error {
    TL_CSV_OK = 0,
    TL_CSV_E_UNTERMINATED, /* end of input inside a quoted field */
    TL_CSV_E_STRAY_QUOTE,  /* a quote inside an unquoted field */
    TL_CSV_E_AFTER_QUOTE,  /* a character other than separator/line break after a closing quote */
    TL_CSV_E_NUL,          /* a NUL byte */
    TL_CSV_E_TOO_LONG,     /* a record longer than max_record bytes */
    TL_CSV_E_NOMEM         /* an allocation failed */
} tl_csv_error;

typedef struct tl_csv_field_ref {
    uint32_t off, len; /* into tl_csv.buf; the field is also NUL-terminated there */
} tl_csv_field_ref;

typedef struct tl_csv {
    /* configuration */
    uint8_t sep;          /* ',', '\t', '|', or ':' with double_sep for "::" */
    uint8_t double_sep;   /* the separator is the byte written twice ("::") */
    uint8_t quoting;      /* RFC 4180 quotes (only with a single-byte separator) */
    size_t max_record;    /* raw bytes per record, line breaks included */
    uint8_t special[256]; /* bytes that stop the fast copy of unquoted text */

    /* state */
    int state;
    int emitted; /* the last call returned a record; clear it on the next */
    char *buf;   /* field bytes, each field NUL-terminated */
    size_t len, cap;
    tl_csv_field_ref *fields;
    size_t n_fields, fields_cap;
    size_t record_bytes;     /* raw bytes of the current record so far */
    uint32_t newlines;       /* line breaks inside the current record (within quotes) */
    uint32_t quote_newlines; /* line breaks before the quote that opened the current field */
    tl_csv_error error;
    uint32_t error_newlines; /* where in the record the error is, in line breaks */
    int error_in_quotes;     /* the error happened inside a quoted field */
} tl_csv;

/* sep: the separator byte; double_sep: it must appear twice ("::");
 * quoting: RFC 4180 quotes. max_record 0 means TL_CSV_MAX_RECORD_DEFAULT. */
void tl_csv_init(tl_csv *c, uint8_t sep, int double_sep, int quoting, size_t max_record);
void tl_csv_free(tl_csv *c);

/* Consume bytes until a record completes (TL_CSV_RECORD, *used = bytes
 * consumed, the rest is for the next call) or the chunk ends (TL_CSV_MORE). */
tl_csv_result tl_csv_push(tl_csv *c, const uint8_t *p, size_t n, size_t *used);
/* End of input: emits the last record when it had no final line break. */
tl_csv_result tl_csv_finish(tl_csv *c);

/* 1 when no record is in progress (the next byte starts a record). */
static inline int tl_csv_idle(const tl_csv *c) { return c->record_bytes == 0 || c->emitted; }

static inline size_t tl_csv_count(const tl_csv *c) { return c->n_fields; }
static inline const char *tl_csv_field(const tl_csv *c, size_t i, size_t *len)
{
    *len = c->fields[i].len;
    return c->buf + c->fields[i].off;
}
/* A record with a single empty field: a blank line. */
static inline int tl_csv_blank(const tl_csv *c) { return c->n_fields == 1 && c->fields[0].len == 0; }

const char *tl_csv_error_text(tl_csv_error e);

#ifdef __cplusplus
}
#endif
#endif
