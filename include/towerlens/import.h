/* Importing factors trained elsewhere (Spark MLlib ALS, implicit, ...):
 * movie factors (and, when they fit a memory budget, user factors) plus a
 * movies file become a model file the index serves like a trained one.
 *
 * Factor files come as
 *   - CSV, the layout `towerlens export` writes: `id,e0,e1,...` (an
 *     optional header line, recognised by a first field that is not a
 *     number), one row per id, every row the same width;
 *   - NumPy .npy (format 1.0-3.0): a 2-D C-order little-endian float32 or
 *     float64 table, with the ids in a separate file (a 1-D integer .npy,
 *     or text with one id per line and an optional header).
 * Every value must be finite; ids are 0..4294967295 and unique. Errors say
 * "file:line: reason" for text and "file: row R (byte B): reason" for .npy.
 * Readers take whole files as bytes (the CLI maps them, JS passes them). */
#ifndef TOWERLENS_IMPORT_H
#define TOWERLENS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/buf.h"
#include "towerlens/dataset.h"
#include "towerlens/embeddings.h"
#include "towerlens/error.h"
#include "towerlens/imported.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A table of factors, rows ascending by id after reading. */
typedef struct tl_factors {
    uint32_t rows, dim;
    uint32_t *ids;   /* rows raw ids */
    float *data;     /* rows x dim, row-major */
    uint64_t *where; /* per row: its line (text) or row number (.npy) in the file, for messages */
    int by_row;      /* 1: `where` counts .npy rows (from 0), 0: text lines (from 1) */
    char name[128];  /* the file name for messages */
} tl_factors;

void tl_factors_free(tl_factors *f);

/* Default cap on a factor table held in memory (1 GiB, a quarter of what
 * WebAssembly can address); larger tables are TL_E_LIMIT. */
#define TL_IMPORT_MAX_TABLE_BYTES ((uint64_t)1 << 30)

/* `id,e0,...` CSV. A table over max_bytes (rows x dim x 4) is TL_E_LIMIT,
 * found while reading (the rest of the file is not parsed). */
tl_status tl_factors_read_csv(const uint8_t *bytes, size_t n, const char *name, uint64_t max_bytes, tl_factors *out,
                              tl_error *err);

/* A .npy table with its ids (from `ids`, .npy or text; ids_name for
 * messages). The table must be 2-D, '<f4' or '<f8', C order, exactly as
 * long as its shape says. Over max_bytes (as float32) is TL_E_LIMIT before
 * any value is read. */
tl_status tl_factors_read_npy(const uint8_t *bytes, size_t n, const char *name, const uint8_t *ids, size_t ids_n,
                              const char *ids_name, uint64_t max_bytes, tl_factors *out, tl_error *err);

/* Either reader, chosen by content (.npy magic or text); `ids` only for
 * .npy (an ids file beside a CSV table is an error). */
tl_status tl_factors_read(const uint8_t *bytes, size_t n, const char *name, const uint8_t *ids, size_t ids_n,
                          const char *ids_name, uint64_t max_bytes, tl_factors *out, tl_error *err);

/* Bytes a table of rows x dim float32 takes (with its out-of-vocabulary row). */
uint64_t tl_factors_table_bytes(uint64_t rows, uint64_t dim);

typedef struct tl_import_options {
    const char *source;           /* recorded in the config, e.g. "spark-als"; NULL = "external" */
    uint64_t max_user_bytes;      /* budget for the user table; over it user factors are skipped */
    const char *users_skipped;    /* why the caller left user factors out (e.g. a reader's TL_E_LIMIT), or NULL */
    int skip_unknown;             /* factor ids missing from the movies file: 1 = warn and skip, 0 = error */
    tl_import_foldin_kind foldin; /* recorded in the config; serving follows it */
    float reg;                    /* Spark's regParam (ALS-WR: scaled by the visitor's rating count) */
    float alpha;                  /* Spark's alpha (implicit only) */
} tl_import_options;

void tl_import_options_default(tl_import_options *opt);

/* The catalogue: a movies file (and an optional links file, NULL/0 when
 * none) read by the MovieLens loader into a dataset without ratings. */
tl_status tl_import_catalogue(const uint8_t *movies, size_t movies_n, const char *movies_name, const uint8_t *links,
                              size_t links_n, const char *links_name, tl_dataset **out, tl_error *err);

/* What an import did. */
typedef struct tl_import_summary {
    uint32_t movies, dim, users;
    uint32_t unknown_ids_skipped, first_unknown_id; /* factor rows for movies the movies file lacks */
    uint32_t movies_without_factors;                /* listed in the movies file, not served */
    char users_skipped[320];                        /* why user factors were left out; "" when kept or none given */
    size_t bytes;                                   /* of the model file */
} tl_import_summary;

/* {"movies", "dim", "users", "users_skipped" (string or null),
 *  "unknown_ids_skipped", "first_unknown_id" (or null),
 *  "movies_without_factors", "foldin", "bytes"} */
void tl_import_summary_json(const tl_import_summary *s, tl_import_foldin_kind foldin, tl_buf *out);

/* Writes the model file into `model` and fills `sum` (may be NULL).
 * `users` may be NULL; users over opt->max_user_bytes are skipped, not an
 * error (visitors and those users are then served by fold-in).
 * `catalogue` is consumed (its titles move into the model's dataset). */
tl_status tl_import_build(tl_dataset *catalogue, const tl_factors *movies, const tl_factors *users,
                          const tl_import_options *opt, tl_buf *model, tl_import_summary *sum, tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
