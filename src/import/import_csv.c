/* The factor CSV `towerlens export` writes: `id,e0,e1,...`, one row per id.
 * Unquoted numbers only, so lines are split here directly rather than by
 * the MovieLens tokenizer; every width, number and id is checked. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"
#include "towerlens/model.h"
#include "towerlens/movielens.h"

typedef struct line_span {
    const char *p;
    size_t n;
} line_span;

static line_span trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r')) n--;
    return (line_span){p, n};
}

/* The next field of *rest (up to a comma); advances past the comma. */
static line_span next_field(line_span *rest, int *more)
{
    const char *comma = memchr(rest->p, ',', rest->n);
    size_t len = comma ? (size_t)(comma - rest->p) : rest->n;
    line_span f = trim(rest->p, len);
    *more = comma != NULL;
    if (comma) rest->p = comma + 1, rest->n -= len + 1;
    else rest->p += len, rest->n = 0;
    return f;
}

static size_t count_fields(line_span s)
{
    size_t n = 1;
    for (size_t i = 0; i < s.n; i++) n += s.p[i] == ',';
    return n;
}

/* A finite float from a whole field; 0 with `why` set otherwise. */
static int parse_value(line_span f, float *out, const char **why)
{
    char tmp[64];
    if (f.n == 0) return *why = "is empty", 0;
    if (f.n >= sizeof tmp) return *why = "is too long for a number", 0;
    memcpy(tmp, f.p, f.n);
    tmp[f.n] = '\0';
    char *end;
    float v = strtof(tmp, &end);
    if (end != tmp + f.n) return *why = "is not a number", 0;
    if (!isfinite(v)) return *why = "is not a finite number (NaN or infinity, or beyond float32)", 0;
    *out = v;
    return 1;
}

static tl_status bad_field(tl_factors *f, uint64_t line, size_t col, line_span v, const char *why, tl_error *err)
{
    char q[80];
    tl_ml_quote(q, sizeof q, v.p, v.n);
    if (col == 0) return tl_fail_at(err, TL_E_PARSE, f->name, line, "id %s %s", q, why);
    return tl_fail_at(err, TL_E_PARSE, f->name, line, "value %zu (e%zu) %s %s", col, col - 1, q, why);
}

tl_status tl_factors_read_csv(const uint8_t *bytes, size_t n, const char *name, uint64_t max_bytes, tl_factors *out,
                              tl_error *err)
{
    memset(out, 0, sizeof *out);
    tl__factors_name(out, name);
    if (!bytes && n) return tl_fail(err, TL_E_ARG, "factors: no bytes given");
    const char *p = (const char *)bytes, *end = p + n;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    if (memchr(p, '\0', (size_t)(end - p)))
        return tl_fail_at(err, TL_E_FORMAT, out->name, 0, "holds NUL bytes: not a factor CSV (nor a .npy file)");
    uint64_t line = 0, cap = 0, header_line = 0, first_line = 0;
    size_t header_fields = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        line_span s = trim(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
        p = nl ? nl + 1 : end;
        line++;
        if (s.n == 0) continue;
        line_span rest = s;
        int more;
        line_span idf = next_field(&rest, &more);
        uint32_t id;
        tl_num idr = tl_parse_u32(idf.p, idf.n, &id);
        if (idr != TL_NUM_OK) {
            if (out->rows == 0 && !header_line && idr == TL_NUM_NOT_NUMBER) { /* a header line */
                header_line = line;
                header_fields = count_fields(s);
                continue;
            }
            tl_status st = bad_field(out, line, 0, idf,
                                     idr == TL_NUM_NEGATIVE    ? "is negative (ids are 0 to 4294967295)"
                                     : idr == TL_NUM_TOO_LARGE ? "is over 4294967295"
                                     : idr == TL_NUM_EMPTY     ? "is empty"
                                                               : "is not a whole number",
                                     err);
            tl_factors_free(out);
            return st;
        }
        if (out->rows == 0) {
            size_t fields = count_fields(s);
            if (fields < 2)
                return tl_fail_at(err, TL_E_PARSE, out->name, line, "a row needs an id and at least one factor");
            if (fields - 1 > TL_MAX_DIM)
                return tl_fail_at(err, TL_E_LIMIT, out->name, line, "%zu factors per row, at most %d are supported",
                                  fields - 1, TL_MAX_DIM);
            if (header_line && header_fields != fields)
                return tl_fail_at(err, TL_E_PARSE, out->name, line, "%zu columns, the header (line %llu) names %zu",
                                  fields, (unsigned long long)header_line, header_fields);
            out->dim = (uint32_t)(fields - 1);
            first_line = line;
        }
        if (tl_factors_table_bytes((uint64_t)out->rows + 1, out->dim) > max_bytes) {
            uint32_t rows = out->rows;
            tl_factors_free(out);
            return tl_fail_at(err, TL_E_LIMIT, out->name, line,
                              "the table passes its limit of %.1f MB at this row (%u rows of %u float32 factors)",
                              (double)max_bytes / 1e6, rows + 1, out->dim);
        }
        if (out->rows == cap) {
            cap = cap ? cap * 2 : 1024;
            if (!tl__factors_reserve(out, cap)) {
                tl_factors_free(out);
                return tl_fail_at(err, TL_E_NOMEM, out->name, line, "out of memory for %llu factor rows",
                                  (unsigned long long)cap);
            }
        }
        float *row = out->data + (size_t)out->rows * out->dim;
        size_t col = 0;
        while (more) {
            line_span v = next_field(&rest, &more);
            col++;
            if (col > out->dim) break;
            const char *why;
            if (!parse_value(v, &row[col - 1], &why)) {
                tl_status st = bad_field(out, line, col, v, why, err);
                tl_factors_free(out);
                return st;
            }
        }
        if (col != out->dim) {
            size_t got = count_fields(s) - 1;
            tl_factors_free(out);
            return tl_fail_at(err, TL_E_PARSE, out->name, line,
                              "%zu factors, expected %u as in line %llu (ragged rows)", got, out->dim,
                              (unsigned long long)first_line);
        }
        out->ids[out->rows] = id;
        out->where[out->rows++] = line;
    }
    tl_status st = tl__factors_finish(out, err);
    if (st != TL_OK) tl_factors_free(out);
    return st;
}
