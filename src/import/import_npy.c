/* NumPy .npy factor tables and id lists. The header is parsed strictly
 * (a Python dict literal with exactly 'descr', 'fortran_order' and 'shape');
 * the data must be exactly as long as the shape says. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"
#include "towerlens/model.h"
#include "towerlens/movielens.h"

typedef struct npy_header {
    char descr[8];
    int fortran;
    int ndim;
    uint64_t shape[2];
    size_t data_at; /* byte offset of the first value */
} npy_header;

typedef struct hparse {
    const char *p, *end;
} hparse;

static void skip_space(hparse *h)
{
    while (h->p < h->end && *h->p == ' ') h->p++;
}

static int take_char(hparse *h, char c)
{
    skip_space(h);
    if (h->p < h->end && *h->p == c) return h->p++, 1;
    return 0;
}

static int take_string(hparse *h, char *out, size_t cap)
{
    skip_space(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"')) return 0;
    char q = *h->p++;
    const char *start = h->p;
    while (h->p < h->end && *h->p != q) h->p++;
    if (h->p >= h->end || (size_t)(h->p - start) >= cap) return 0;
    memcpy(out, start, (size_t)(h->p - start));
    out[h->p - start] = '\0';
    h->p++;
    return 1;
}

static int take_uint(hparse *h, uint64_t *v)
{
    skip_space(h);
    const char *s = h->p;
    *v = 0;
    while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
        if (*v > (UINT64_MAX - 9) / 10) return 0;
        *v = *v * 10 + (uint64_t)(*h->p++ - '0');
    }
    if (h->p < h->end && *h->p == 'L') h->p++; /* Python 2 longs */
    return h->p > s;
}

static int take_shape(hparse *h, npy_header *out)
{
    if (!take_char(h, '(')) return 0;
    out->ndim = 0;
    for (;;) {
        if (take_char(h, ')')) return 1;
        uint64_t v;
        if (out->ndim == 2 || !take_uint(h, &v)) return 0;
        out->shape[out->ndim++] = v;
        if (take_char(h, ',')) continue;
        return take_char(h, ')');
    }
}

static tl_status bad_header(const char *name, const char *why, tl_error *err)
{
    return tl_fail_at(err, TL_E_FORMAT, name, 0, "not a .npy file this reader takes: %s", why);
}

static tl_status parse_header(const uint8_t *b, size_t n, const char *name, npy_header *out, tl_error *err)
{
    memset(out, 0, sizeof *out);
    if (n < 10 || memcmp(b, "\x93NUMPY", 6)) return bad_header(name, "no \\x93NUMPY magic", err);
    uint8_t major = b[6];
    size_t pre = major == 1 ? 10 : 12, hlen;
    if (major < 1 || major > 3) return bad_header(name, "format version is not 1, 2 or 3", err);
    if (n < pre) return bad_header(name, "the header is truncated", err);
    hlen = major == 1 ? (size_t)(b[8] | b[9] << 8)
                      : (size_t)((uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24);
    if (hlen > n - pre) return bad_header(name, "the header is truncated", err);
    hparse h = {(const char *)b + pre, (const char *)b + pre + hlen};
    if (hlen == 0 || h.end[-1] != '\n') return bad_header(name, "the header does not end with a line break", err);
    h.end--;
    int have_descr = 0, have_order = 0, have_shape = 0;
    if (!take_char(&h, '{')) return bad_header(name, "the header is not a dict", err);
    while (!take_char(&h, '}')) {
        char key[32];
        if (!take_string(&h, key, sizeof key) || !take_char(&h, ':'))
            return bad_header(name, "the header dict is malformed", err);
        if (!strcmp(key, "descr") && !have_descr) {
            if (!take_string(&h, out->descr, sizeof out->descr))
                return bad_header(name, "'descr' is not a short string", err);
            have_descr = 1;
        } else if (!strcmp(key, "fortran_order") && !have_order) {
            skip_space(&h);
            size_t left = (size_t)(h.end - h.p);
            if (left >= 4 && !memcmp(h.p, "True", 4)) out->fortran = 1, h.p += 4;
            else if (left >= 5 && !memcmp(h.p, "False", 5)) out->fortran = 0, h.p += 5;
            else return bad_header(name, "'fortran_order' is not True or False", err);
            have_order = 1;
        } else if (!strcmp(key, "shape") && !have_shape) {
            if (!take_shape(&h, out)) return bad_header(name, "'shape' is not a tuple of one or two sizes", err);
            have_shape = 1;
        } else {
            return bad_header(name, "the header has an unknown or repeated key", err);
        }
        if (!take_char(&h, ',')) {
            if (!take_char(&h, '}')) return bad_header(name, "the header dict is malformed", err);
            break;
        }
    }
    skip_space(&h);
    if (h.p != h.end) return bad_header(name, "text after the header dict", err);
    if (!have_descr || !have_order || !have_shape)
        return bad_header(name, "the header lacks 'descr', 'fortran_order' or 'shape'", err);
    if (out->fortran)
        return tl_fail_at(err, TL_E_FORMAT, name, 0,
                          "Fortran (column-major) order; write it C-ordered "
                          "(numpy.ascontiguousarray) first");
    out->data_at = pre + hlen;
    return TL_OK;
}

/* The data must be exactly rows x cols x size bytes. */
static tl_status check_length(const char *name, const npy_header *h, size_t n, uint64_t rows, uint64_t cols,
                              unsigned size, tl_error *err)
{
    uint64_t have = n - h->data_at, row_bytes = cols * size;
    if (row_bytes && rows > UINT64_MAX / row_bytes)
        return tl_fail_at(err, TL_E_LIMIT, name, 0, "shape (%llu, %llu) is impossibly large", (unsigned long long)rows,
                          (unsigned long long)cols);
    uint64_t need = rows * row_bytes;
    if (have < need) {
        uint64_t r = have / row_bytes;
        return tl_fail_at(err, TL_E_FORMAT, name, 0,
                          "row %llu (byte %llu): truncated: the data ends after %llu of the %llu bytes shape (%llu, "
                          "%llu) needs",
                          (unsigned long long)r, (unsigned long long)(h->data_at + r * row_bytes),
                          (unsigned long long)have, (unsigned long long)need, (unsigned long long)rows,
                          (unsigned long long)cols);
    }
    if (have > need)
        return tl_fail_at(err, TL_E_FORMAT, name, 0, "byte %llu: %llu bytes after the last row (shape (%llu, %llu))",
                          (unsigned long long)(h->data_at + need), (unsigned long long)(have - need),
                          (unsigned long long)rows, (unsigned long long)cols);
    return TL_OK;
}

static double read_le(const uint8_t *p, unsigned size, int is_float, int is_signed)
{
    uint64_t bits = 0;
    for (unsigned i = 0; i < size; i++) bits |= (uint64_t)p[i] << (8 * i);
    if (is_float && size == 4) {
        uint32_t b32 = (uint32_t)bits;
        float f;
        memcpy(&f, &b32, 4);
        return f;
    }
    if (is_float) {
        double d;
        memcpy(&d, &bits, 8);
        return d;
    }
    if (is_signed) return size == 4 ? (double)(int32_t)(uint32_t)bits : (double)(int64_t)bits;
    return (double)bits;
}

/* Ids from a .npy: 1-D (or n x 1) little-endian integers, 0..4294967295. */
static tl_status read_npy_ids(const uint8_t *b, size_t n, const char *name, uint32_t **ids, uint32_t *count,
                              tl_error *err)
{
    npy_header h;
    tl_status st = parse_header(b, n, name, &h, err);
    if (st != TL_OK) return st;
    static const char *const ok[] = {"<i4", "<u4", "<i8", "<u8", "|i4", "|u4", "|i8", "|u8"};
    int known = 0;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) known |= !strcmp(h.descr, ok[i]);
    if (!known)
        return tl_fail_at(err, TL_E_FORMAT, name, 0,
                          "ids of dtype '%s'; expected little-endian integers ('<i4', '<u4', '<i8' or '<u8')", h.descr);
    if (!(h.ndim == 1 || (h.ndim == 2 && h.shape[1] == 1)))
        return tl_fail_at(err, TL_E_FORMAT, name, 0, "ids must be a 1-D array (one id per table row)");
    unsigned size = (unsigned)(h.descr[2] - '0');
    int is_signed = h.descr[1] == 'i';
    if (h.shape[0] > UINT32_MAX) return tl_fail_at(err, TL_E_LIMIT, name, 0, "more than 4294967295 ids");
    st = check_length(name, &h, n, h.shape[0], 1, size, err);
    if (st != TL_OK) return st;
    *count = (uint32_t)h.shape[0];
    *ids = malloc((size_t)*count * sizeof **ids + 1);
    if (!*ids) return tl_fail_at(err, TL_E_NOMEM, name, 0, "out of memory for %u ids", *count);
    for (uint32_t r = 0; r < *count; r++) {
        size_t at = h.data_at + (size_t)r * size;
        double v = read_le(b + at, size, 0, is_signed);
        if (v < 0 || v > UINT32_MAX) {
            free(*ids), *ids = NULL;
            return tl_fail_at(err, TL_E_PARSE, name, 0, "row %u (byte %zu): id %.0f is outside 0 to 4294967295", r, at,
                              v);
        }
        (*ids)[r] = (uint32_t)v;
    }
    return TL_OK;
}

tl_status tl_factors_read_npy(const uint8_t *bytes, size_t n, const char *name, const uint8_t *ids, size_t ids_n,
                              const char *ids_name, uint64_t max_bytes, tl_factors *out, tl_error *err)
{
    memset(out, 0, sizeof *out);
    tl__factors_name(out, name);
    if ((!bytes && n) || (!ids && ids_n)) return tl_fail(err, TL_E_ARG, "factors: no bytes given");
    if (!ids_name || !*ids_name) ids_name = "ids";
    npy_header h;
    tl_status st = parse_header(bytes, n, out->name, &h, err);
    if (st != TL_OK) return st;
    int f4 = !strcmp(h.descr, "<f4"), f8 = !strcmp(h.descr, "<f8");
    if (!f4 && !f8)
        return tl_fail_at(err, TL_E_FORMAT, out->name, 0,
                          "dtype '%s'; expected little-endian float32 '<f4' or float64 '<f8'", h.descr);
    if (h.ndim != 2)
        return tl_fail_at(err, TL_E_FORMAT, out->name, 0, "a %d-D array; expected 2-D (one row of factors per id)",
                          h.ndim);
    uint64_t rows = h.shape[0], dim = h.shape[1];
    if (dim == 0 || dim > TL_MAX_DIM)
        return tl_fail_at(err, TL_E_LIMIT, out->name, 0, "%llu factors per row; 1 to %d are supported",
                          (unsigned long long)dim, TL_MAX_DIM);
    if (rows == 0) return tl_fail_at(err, TL_E_FORMAT, out->name, 0, "no factor rows");
    if (rows >= UINT32_MAX || tl_factors_table_bytes(rows, dim) > max_bytes)
        return tl__factors_too_large(out->name, rows, (uint32_t)dim, max_bytes, err);
    unsigned size = f4 ? 4 : 8;
    st = check_length(out->name, &h, n, rows, dim, size, err);
    if (st != TL_OK) return st;

    uint32_t *id_list = NULL, count = 0;
    uint64_t *id_lines = NULL;
    int ids_are_npy = ids_n >= 6 && !memcmp(ids, "\x93NUMPY", 6);
    st = ids_are_npy ? read_npy_ids(ids, ids_n, ids_name, &id_list, &count, err)
                     : tl__ids_read_text(ids, ids_n, ids_name, &id_list, &id_lines, &count, err);
    if (st != TL_OK) return st;
    if (count != rows) {
        free(id_list), free(id_lines);
        return tl_fail_at(err, TL_E_FORMAT, ids_name, 0, "%u ids, but %s has %llu rows", count, out->name,
                          (unsigned long long)rows);
    }
    out->dim = (uint32_t)dim;
    if (!tl__factors_reserve(out, rows)) {
        free(id_list), free(id_lines);
        tl_factors_free(out);
        return tl_fail_at(err, TL_E_NOMEM, out->name, 0, "out of memory for %llu factor rows",
                          (unsigned long long)rows);
    }
    out->rows = (uint32_t)rows;
    for (uint32_t r = 0; r < out->rows; r++) {
        out->ids[r] = id_list[r];
        out->where[r] = id_lines ? id_lines[r] : r;
        for (uint32_t c = 0; c < out->dim; c++) {
            size_t at = h.data_at + ((size_t)r * out->dim + c) * size;
            double v = read_le(bytes + at, size, 1, 0);
            float fv = (float)v;
            if (!isfinite(fv)) {
                free(id_list), free(id_lines);
                tl_factors_free(out);
                return tl_fail_at(err, TL_E_PARSE, out->name, 0, "row %u (byte %zu): value %u (e%u) is %s", r, at,
                                  c + 1, c,
                                  isnan(v)      ? "NaN"
                                  : isfinite(v) ? "beyond float32"
                                                : "infinite");
            }
            out->data[(size_t)r * out->dim + c] = fv;
        }
    }
    free(id_list), free(id_lines);
    /* from here on messages are about ids: point into the ids file */
    tl__factors_name(out, ids_name);
    out->by_row = ids_are_npy;
    st = tl__factors_finish(out, err);
    if (st != TL_OK) tl_factors_free(out);
    return st;
}

tl_status tl__ids_read_text(const uint8_t *bytes, size_t n, const char *name, uint32_t **ids, uint64_t **lines,
                            uint32_t *count, tl_error *err)
{
    *ids = NULL, *lines = NULL, *count = 0;
    const char *p = (const char *)bytes, *end = p + n;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    if (memchr(p, '\0', (size_t)(end - p)))
        return tl_fail_at(err, TL_E_FORMAT, name, 0, "holds NUL bytes: not an ids file (.npy or one id per line)");
    size_t cap = 1;
    for (const char *q = p; q < end; q++) cap += *q == '\n';
    *ids = malloc(cap * sizeof **ids);
    *lines = malloc(cap * sizeof **lines);
    if (!*ids || !*lines) {
        free(*ids), free(*lines), *ids = NULL, *lines = NULL;
        return tl_fail_at(err, TL_E_NOMEM, name, 0, "out of memory for %zu ids", cap);
    }
    uint64_t line = 0;
    int header_seen = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *s = p;
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        p = nl ? nl + 1 : end;
        line++;
        while (len && (*s == ' ' || *s == '\t')) s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r')) len--;
        if (len == 0) continue;
        uint32_t id;
        tl_num r = tl_parse_u32(s, len, &id);
        if (r == TL_NUM_NOT_NUMBER && *count == 0 && !header_seen) {
            header_seen = 1;
            continue;
        }
        if (r != TL_NUM_OK) {
            char q[80];
            tl_ml_quote(q, sizeof q, s, len);
            free(*ids), free(*lines), *ids = NULL, *lines = NULL, *count = 0;
            return tl_fail_at(err, TL_E_PARSE, name, line, "id %s is not a whole number from 0 to 4294967295", q);
        }
        (*lines)[*count] = line;
        (*ids)[(*count)++] = id;
    }
    return TL_OK;
}
