#include "towerlens/error.h"

#include <stdio.h>
#include <string.h>

void tl_error_clear(tl_error *err)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
}

tl_status tl_fail_v(tl_error *err, tl_status status, const char *file, uint64_t line, const char *fmt, va_list ap)
{
    if (!err) return status;
    err->status = status;
    err->line = line;
    err->file[0] = '\0';
    size_t used = 0;
    if (file && file[0]) {
        snprintf(err->file, sizeof err->file, "%s", file);
        int n = line ? snprintf(err->message, sizeof err->message, "%s:%llu: ", file, (unsigned long long)line)
                     : snprintf(err->message, sizeof err->message, "%s: ", file);
        used = n < 0 ? 0 : (size_t)n;
        if (used >= sizeof err->message) used = sizeof err->message - 1;
    }
    vsnprintf(err->message + used, sizeof err->message - used, fmt, ap);
    return status;
}

tl_status tl_fail(tl_error *err, tl_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tl_fail_v(err, status, NULL, 0, fmt, ap);
    va_end(ap);
    return status;
}

tl_status tl_fail_at(tl_error *err, tl_status status, const char *file, uint64_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tl_fail_v(err, status, file, line, fmt, ap);
    va_end(ap);
    return status;
}

const char *tl_status_name(tl_status status)
{
    switch (status) {
        case TL_OK: return "ok";
        case TL_E_ARG: return "invalid argument";
        case TL_E_IO: return "i/o error";
        case TL_E_PARSE: return "parse error";
        case TL_E_FORMAT: return "wrong file format";
        case TL_E_NOMEM: return "out of memory";
        case TL_E_LIMIT: return "limit exceeded";
        case TL_E_NOTFOUND: return "not found";
        case TL_E_CORRUPT: return "corrupt model file";
        case TL_E_STATE: return "invalid state";
    }
    return "unknown status";
}
