/* The model file: a versioned binary container for everything serving needs
 * without the original CSV files.
 *
 * Layout (all integers little-endian):
 *   magic "TLMODEL\0" (8 bytes), u32 format version (TL_STORE_VERSION),
 *   u32 section count, then sections {u32 tag, u32 zero, u64 length,
 *   payload}, then u64 FNV-1a-64 of every byte before it.
 * Sections: CONF (training config and metrics as JSON text), USER (raw user
 * ids and rating counts), MOVI (genre names, the catalogue and titles), SEEN
 * (per-user seen sets: every rating of the data, train and test rows; a
 * version-1 file holds the train split's), TENS (named float tables:
 * "users" and "movies" embeddings with their out-of-vocabulary last rows,
 * and any rating-head weights). Unknown section tags are skipped, so a newer
 * writer can add sections without breaking older readers.
 *
 * Reading checks the checksum first (truncation and corruption), then every
 * size against the bytes that remain and every index against its table, so
 * a damaged or foreign file is an error with a message, never a crash. */
#ifndef TOWERLENS_STORE_H
#define TOWERLENS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/buf.h"
#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/eval.h"
#include "towerlens/seen.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_STORE_VERSION 1u
#define TL_STORE_MAX_TENSORS 16
#define TL_TENSOR_NAME_MAX 32

typedef struct tl_tensor {
    char name[TL_TENSOR_NAME_MAX]; /* e.g. "users", "movies", "head.w1" */
    uint32_t rows, cols;
    float *data;                   /* rows x cols, row-major */
} tl_tensor;

/* What a model file holds. Written from borrowed parts; read into owned ones
 * (tl_model_file_free releases them). The dataset read back has no rating
 * rows (n_ratings = 0): vocabularies, catalogue, genres and counts only. */
typedef struct tl_model_file {
    tl_dataset *ds;
    tl_seen *seen;                 /* NULL when none was saved */
    char *config_json;             /* NUL-terminated; "{}" when none was saved */
    uint32_t n_tensors;
    tl_tensor tensors[TL_STORE_MAX_TENSORS];
} tl_model_file;

/* Serialise into `out` (binary; out->len bytes). seen and config_json may be
 * NULL. */
tl_status tl_store_write(const tl_dataset *ds, const tl_seen *seen, const char *config_json,
                         const tl_tensor *tensors, uint32_t n_tensors, tl_buf *out, tl_error *err);

/* Parse and validate `bytes`. `name` is used in messages (the file name). */
tl_status tl_store_read(const uint8_t *bytes, size_t n, const char *name, tl_model_file **out, tl_error *err);

/* File helpers for the CLI (the browser keeps bytes in IndexedDB). */
tl_status tl_store_save_path(const char *path, const tl_dataset *ds, const tl_seen *seen, const char *config_json,
                             const tl_tensor *tensors, uint32_t n_tensors, tl_error *err);
tl_status tl_store_load_path(const char *path, tl_model_file **out, tl_error *err);

void tl_model_file_free(tl_model_file *mf);

/* The tensor called `name`, or NULL. */
const tl_tensor *tl_model_file_tensor(const tl_model_file *mf, const char *name);

/* The "users" and "movies" tables as the view eval.h and index.h score
 * (reading already checked that they exist and match the vocabularies). */
tl_embeddings tl_model_file_embeddings(const tl_model_file *mf);

#ifdef __cplusplus
}
#endif
#endif
