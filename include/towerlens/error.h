/* Status codes and the caller-owned error record every fallible call fills. */
#ifndef TOWERLENS_ERROR_H
#define TOWERLENS_ERROR_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tl_status {
    TL_OK = 0,
    TL_E_ARG,      /* a caller passed an invalid argument */
    TL_E_IO,       /* a file could not be opened or read */
    TL_E_PARSE,    /* malformed content (bad field, bad quoting, ...) */
    TL_E_FORMAT,   /* the wrong kind of file (image, empty, unknown header) */
    TL_E_NOMEM,    /* an allocation failed */
    TL_E_LIMIT,    /* input exceeds a documented limit (line length, counts) */
    TL_E_NOTFOUND, /* an id that is not in the data (unknown user or movie) */
    TL_E_CORRUPT,  /* a model file is truncated, corrupted or foreign */
    TL_E_STATE     /* the call does not fit the object's state */
} tl_status;

/* The message is complete and meant for a person, e.g.
 * "ratings.csv:1842: rating \"7.5\" is outside 0.5-5". `file` and `line`
 * repeat the location (empty / 0 when there is none) for programs. */
typedef struct tl_error {
    tl_status status;
    uint64_t line;
    char file[128];
    char message[512];
} tl_error;

void tl_error_clear(tl_error *err);

/* Fill `err` (may be NULL) and return `status`, so callers can write
 * `return tl_fail(err, TL_E_ARG, "k must be positive");`. */
tl_status tl_fail(tl_error *err, tl_status status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Same, prefixed with "file:line: " (line 0 gives "file: "). */
tl_status tl_fail_at(tl_error *err, tl_status status, const char *file, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

tl_status tl_fail_v(tl_error *err, tl_status status, const char *file, uint64_t line, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

const char *tl_status_name(tl_status status);

#ifdef __cplusplus
}
#endif
#endif
