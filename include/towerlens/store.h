/* The model file: a versioned binary container for everything serving needs
 * without the original CSV files.
 *
 * Layout (all integers little-endian):
 *   magic "TLMODEL\0" (8 bytes), u32 format version, u32 section count, then
 *   sections {u32 tag, u32 zero, u64 length, payload}, then u64 FNV-1a-64 of
 *   every byte before it.
 * Sections: CONF (training config and metrics as JSON text), USER (raw user
 * ids and rating counts), MOVI (genre names, the catalogue and titles), SEEN
 * (per-user seen sets), TENS (named float tables: "users" and "movies"
 * embeddings with their out-of-vocabulary last rows, and any rating-head
 * weights), ROWS (version 2: which rating rows trained the model, below),
 * STAR (optional, after SEEN: each seen movie's rating in half stars, one
 * byte per seen entry, for "because you rated"; files written before it
 * lack it and read with seen_half NULL). Unknown section tags are skipped, so a newer writer can add sections
 * without breaking older readers.
 *
 * Format versions (the reader takes every one of them):
 *   1  towerlens 0.1.0: SEEN holds the train split's rows only; no ROWS.
 *   2  SEEN holds every rating of the data (train and test rows: serving
 *      never recommends a rated movie); ROWS records the training rows.
 * A file of a newer version is refused with a message naming the versions
 * this build reads.
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
#include "towerlens/embeddings.h"
#include "towerlens/error.h"
#include "towerlens/seen.h"
#include "towerlens/split.h"
#include "towerlens/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TL_STORE_VERSION 2u     /* what this build writes */
#define TL_STORE_MIN_VERSION 1u /* the oldest version it reads */
/* at least TL_TRAINER_MAX_TENSORS (train.h: 4 + a 4-hidden-layer rating
 * head's 13 = 17; 16 before the visitor prior's two tensors) */
#define TL_STORE_MAX_TENSORS 20

/* Which rating rows trained a model (the ROWS section). train_rows ==
 * total_rows (test_rows = 0) means every rating: such a model has no
 * held-out rows. data_hash (tl_dataset_rows_hash) tells eval whether it is
 * given the same ratings in the same order, hence the same split. */
typedef struct tl_model_rows {
    int known;     /* 0: the file does not say (format 1, or written without a trainer) */
    int seen_all;  /* the seen sets hold every row of the data (0: the train split's, format 1) */
    uint64_t seed; /* the split's seed */
    uint64_t data_hash;
    uint32_t train_rows, test_rows, total_rows;
} tl_model_rows;

/* A 64-bit hash of the rating rows in file order (raw user id, raw movie id,
 * half stars): equal for the same files loaded the same way. */
uint64_t tl_dataset_rows_hash(const tl_dataset *ds);

/* The record of a model trained on split `sp` of `ds` with seed `seed`
 * (known, seen sets of every row). */
void tl_model_rows_of_split(const tl_dataset *ds, const tl_split *sp, uint64_t seed, tl_model_rows *out);

/* TL_OK when held-out metrics of the model on split `sp` of `ds` (seed
 * `seed`) are honest: the record is unknown (nothing to check), or the
 * model trained on exactly this split's train rows. TL_E_STATE with a
 * message when it trained on every rating or on another split or data. */
tl_status tl_model_rows_check_heldout(const tl_model_rows *r, const tl_dataset *ds, const tl_split *sp, uint64_t seed,
                                      tl_error *err);

/* "all 100836 ratings" or "80669 of 100836 ratings (split seed 42, 20167 held out)"
 * or "rows not recorded (model file format 1)", into b. */
void tl_model_rows_describe(const tl_model_rows *r, tl_buf *b);

/* {"ratings","totalRatings","testRatings","seed","all"} or null when unknown, into b. */
void tl_model_rows_json(const tl_model_rows *r, tl_buf *b);

/* What a model file holds. Written from borrowed parts; read into owned ones
 * (tl_model_file_free releases them). The dataset read back has no rating
 * rows (n_ratings = 0): vocabularies, catalogue, genres and counts only. */
typedef struct tl_model_file {
    uint32_t version;   /* the format version it was read from */
    tl_model_rows rows; /* known = 0 for format 1 */
    tl_dataset *ds;
    tl_seen *seen;      /* NULL when none was saved; every row's unless rows.seen_all = 0 */
    uint8_t *seen_half; /* the rating (half stars, 1-10; 0 unknown) of each seen->movies entry, from the
                           STAR section; NULL in files without it (written before issue 15, or no seen sets) */
    char *config_json;  /* NUL-terminated; "{}" when none was saved */
    uint32_t n_tensors;
    tl_tensor tensors[TL_STORE_MAX_TENSORS];
} tl_model_file;

/* Serialise into `out` (binary; out->len bytes, format TL_STORE_VERSION).
 * seen, config_json and rows may be NULL (rows: not recorded). With seen
 * sets and a dataset that has its rating rows, the STAR section records
 * each seen movie's rating (tl_seen_half): what "because you rated" needs
 * to tell liked movies from disliked ones without the data. */
tl_status tl_store_write(const tl_dataset *ds, const tl_seen *seen, const char *config_json, const tl_model_rows *rows,
                         const tl_tensor *tensors, uint32_t n_tensors, tl_buf *out, tl_error *err);
/* The same with the seen movies' ratings given (seen_half parallel to
 * seen->movies, e.g. a read file's, to write it back byte for byte); NULL:
 * from ds's rating rows as tl_store_write does, none when it has none. */
tl_status tl_store_write_rated(const tl_dataset *ds, const tl_seen *seen, const uint8_t *seen_half,
                               const char *config_json, const tl_model_rows *rows, const tl_tensor *tensors,
                               uint32_t n_tensors, tl_buf *out, tl_error *err);

/* The rating in half stars of each entry of seen->movies (seen sets over
 * ds's users) from ds's rating rows: a pair rated twice keeps its highest
 * rating (as iALS trains on it); 0 for an entry no row gives. *out has
 * seen->offsets[n_users] bytes (at least 1); caller frees. */
tl_status tl_seen_half(const tl_dataset *ds, const tl_seen *seen, uint8_t **out, tl_error *err);

/* Parse and validate `bytes`. `name` is used in messages (the file name). */
tl_status tl_store_read(const uint8_t *bytes, size_t n, const char *name, tl_model_file **out, tl_error *err);

/* File helpers for the CLI (the browser keeps bytes in IndexedDB). */
tl_status tl_store_save_path(const char *path, const tl_dataset *ds, const tl_seen *seen, const char *config_json,
                             const tl_model_rows *rows, const tl_tensor *tensors, uint32_t n_tensors, tl_error *err);
tl_status tl_store_load_path(const char *path, tl_model_file **out, tl_error *err);

void tl_model_file_free(tl_model_file *mf);

/* The tensor called `name`, or NULL. */
const tl_tensor *tl_model_file_tensor(const tl_model_file *mf, const char *name);

#ifdef __cplusplus
}
#endif
#endif
