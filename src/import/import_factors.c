/* What every factor reader shares: growing the table, messages that point
 * at a row, sorting by id with the duplicate check, and picking the reader
 * from the file's content. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"
#include "towerlens/model.h"

void tl_factors_free(tl_factors *f)
{
    if (!f) return;
    free(f->ids);
    free(f->data);
    free(f->where);
    f->ids = NULL, f->data = NULL, f->where = NULL;
    f->rows = 0;
}

uint64_t tl_factors_table_bytes(uint64_t rows, uint64_t dim) { return (rows + 1) * dim * sizeof(float); }

void tl__factors_name(tl_factors *f, const char *name)
{
    snprintf(f->name, sizeof f->name, "%s", name && *name ? name : "factors");
}

int tl__factors_reserve(tl_factors *f, uint64_t rows)
{
    if (rows > UINT32_MAX || (f->dim && rows > SIZE_MAX / sizeof(float) / f->dim)) return 0;
    uint32_t *ids = realloc(f->ids, (size_t)rows * sizeof *ids + 1);
    if (ids) f->ids = ids;
    uint64_t *where = realloc(f->where, (size_t)rows * sizeof *where + 1);
    if (where) f->where = where;
    float *data = realloc(f->data, (size_t)rows * f->dim * sizeof *data + 1);
    if (data) f->data = data;
    return ids && where && data;
}

tl_status tl__factors_fail(const tl_factors *f, uint32_t r, tl_status st, tl_error *err, const char *fmt, ...)
{
    char why[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (f->by_row) return tl_fail_at(err, st, f->name, 0, "row %llu: %s", (unsigned long long)f->where[r], why);
    return tl_fail_at(err, st, f->name, f->where[r], "%s", why);
}

tl_status tl__factors_too_large(const char *name, uint64_t rows, uint32_t dim, uint64_t max_bytes, tl_error *err)
{
    return tl_fail_at(
        err, TL_E_LIMIT, name, 0, "%llu rows of %u factors need %.1f MB as float32, over the limit of %.1f MB",
        (unsigned long long)rows, dim, (double)tl_factors_table_bytes(rows, dim) / 1e6, (double)max_bytes / 1e6);
}

typedef struct id_row {
    uint32_t id, row;
} id_row;

static int by_id(const void *a, const void *b)
{
    const id_row *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

tl_status tl__factors_finish(tl_factors *f, tl_error *err)
{
    if (f->rows == 0) return tl_fail_at(err, TL_E_FORMAT, f->name, 0, "no factor rows");
    int sorted = 1;
    for (uint32_t r = 1; r < f->rows && sorted; r++) sorted = f->ids[r] > f->ids[r - 1];
    if (sorted) return TL_OK;
    id_row *order = malloc((size_t)f->rows * sizeof *order);
    float *data = malloc((size_t)f->rows * f->dim * sizeof *data + 1);
    uint64_t *where = malloc((size_t)f->rows * sizeof *where);
    if (!order || !data || !where) {
        free(order), free(data), free(where);
        return tl_fail_at(err, TL_E_NOMEM, f->name, 0, "out of memory sorting %u factor rows", f->rows);
    }
    for (uint32_t r = 0; r < f->rows; r++) order[r] = (id_row){f->ids[r], r};
    qsort(order, f->rows, sizeof *order, by_id);
    for (uint32_t i = 1; i < f->rows; i++)
        if (order[i].id == order[i - 1].id) {
            uint64_t first = f->where[order[i - 1].row];
            tl_status st = tl__factors_fail(f, order[i].row, TL_E_PARSE, err, "id %u appears again (first at %s %llu)",
                                            order[i].id, f->by_row ? "row" : "line", (unsigned long long)first);
            free(order), free(data), free(where);
            return st;
        }
    for (uint32_t i = 0; i < f->rows; i++) {
        uint32_t r = order[i].row;
        memcpy(data + (size_t)i * f->dim, f->data + (size_t)r * f->dim, f->dim * sizeof *data);
        where[i] = f->where[r];
        f->ids[i] = order[i].id;
    }
    free(f->data), free(f->where), free(order);
    f->data = data;
    f->where = where;
    return TL_OK;
}

static int is_npy(const uint8_t *p, size_t n) { return n >= 6 && !memcmp(p, "\x93NUMPY", 6); }

tl_status tl_factors_read(const uint8_t *bytes, size_t n, const char *name, const uint8_t *ids, size_t ids_n,
                          const char *ids_name, uint64_t max_bytes, tl_factors *out, tl_error *err)
{
    if (is_npy(bytes, n)) {
        if (!ids)
            return tl_fail_at(err, TL_E_ARG, name, 0,
                              "a .npy table holds no ids: give its ids file too (one id per row, .npy or text)");
        return tl_factors_read_npy(bytes, n, name, ids, ids_n, ids_name, max_bytes, out, err);
    }
    if (ids)
        return tl_fail_at(err, TL_E_ARG, ids_name, 0,
                          "an ids file goes with a .npy table only; %s is CSV and holds its ids in the first column",
                          name);
    return tl_factors_read_csv(bytes, n, name, max_bytes, out, err);
}
