/* Shared by the factor readers (import_csv.c, import_npy.c) and
 * import_factors.c, which finishes what they read. */
#ifndef TL_IMPORT_IMPORT_INTERNAL_H
#define TL_IMPORT_IMPORT_INTERNAL_H

#include "towerlens/import.h"

/* Grows f's arrays to hold `rows` rows of f->dim values; 0 when out of memory. */
int tl__factors_reserve(tl_factors *f, uint64_t rows);

/* Sets f->name from `name` (shortened to fit). */
void tl__factors_name(tl_factors *f, const char *name);

/* Fails at row r of f: "file:line: ..." for text, "file: row R: ..." for .npy. */
tl_status tl__factors_fail(const tl_factors *f, uint32_t r, tl_status st, tl_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Sorts the rows by id and rejects duplicate ids (naming both places).
 * The table must already hold only finite values. */
tl_status tl__factors_finish(tl_factors *f, tl_error *err);

/* The shared limit message: a table of rows x dim over max_bytes. */
tl_status tl__factors_too_large(const char *name, uint64_t rows, uint32_t dim, uint64_t max_bytes, tl_error *err);

/* Ids from text: one per line, blank lines skipped, an optional first line
 * that is not a number (a header). */
tl_status tl__ids_read_text(const uint8_t *bytes, size_t n, const char *name, uint32_t **ids, uint64_t **lines,
                            uint32_t *count, tl_error *err);

#endif
