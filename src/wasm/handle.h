/* The WASM layer's handles. JavaScript holds pointers to these; each starts
 * with the handle's last error, so one set of exports (api_error.c) reads the
 * error of any handle after a call on it returned a non-zero status. */
#ifndef TL_WASM_HANDLE_H
#define TL_WASM_HANDLE_H

#include <emscripten/emscripten.h>
#include <stddef.h>
#include <stdint.h>

#include "towerlens.h"

typedef struct tlw_handle {
    tl_error err; /* must stay the first member of every handle */
} tlw_handle;

typedef struct tlw_loader {
    tl_error err;
    tl_loader *loader;
    uint8_t *chunk; /* reusable input buffer JS copies file bytes into */
    size_t chunk_cap;
    int last_kind; /* tl_file_kind of the last file ended */
} tlw_loader;

typedef struct tlw_dataset {
    tl_error err;
    tl_dataset *ds;
} tlw_dataset;

/* Wraps a freshly built dataset; NULL (with `err` filled) when out of memory,
 * in which case the dataset is freed. */
tlw_dataset *tlw_dataset_wrap(tl_dataset *ds, tl_error *err);

/* A trainer (api_train.c): the split and the step-wise trainer. */
typedef struct tlw_trainer {
    tl_error err;
    tl_trainer *tr;
    tl_split *split;
    uint32_t n_ratings; /* of the dataset it was made from: later calls must pass the same */
    char hash[17];
    /* multitask weights set before init (api_rating.c) */
    int has_weights;
    float rating_weight, retrieval_weight;
    int has_solver;  /* tlw_trainer_set_solver */
    char solver[16]; /* its name ("" = the preset's) */
    uint32_t cg_steps;
    int prior_mode; /* tlw_trainer_set_visitor_prior: 0 the preset's, 1 auto, 2 off, 3 w3 / w10 */
    float prior_w3, prior_w10;
} tlw_trainer;

/* Protocol C of the trainer's rating head on its split's test rows into
 * model->rmse/mae (has_rating = 1), and of the bias baseline into
 * baseline (may be NULL). TL_E_STATE when the trainer has no head
 * (api_rating.c). */
tl_status tlw_trainer_rating_metrics(tlw_trainer *h, const tlw_dataset *ds, tl_metrics *model, tl_metrics *baseline);

/* Writes the trainer's model as a towerlens model file (store.h) into `out`:
 * the bytes `towerlens train --out` writes for the same data and options.
 * `ds` is the dataset the trainer was made from; `all_seen` the seen sets
 * of all its rows (serving's) when the caller has them (NULL: built here). */
tl_status tlw_trainer_write_model(const tlw_trainer *h, const tl_dataset *ds, const tl_seen *all_seen, tl_buf *out,
                                  tl_error *err);

/* A model that serves (api_model.c, api_serve.c): either read from a model
 * file (it owns the file's parts) or live, borrowing a trainer's tables
 * while training goes on. */
typedef struct tlw_model {
    tl_error err;
    tl_model_file *mf;    /* a loaded model's parts; NULL for a live model */
    const tl_dataset *ds; /* vocabularies and catalogue the answers use */
    const tl_seen *seen;  /* the movies each user rated (all rows; a v1 file: train rows); NULL when none were saved */
    tl_seen *own_seen;    /* a live model's seen sets (every row of the dataset) */
    const uint8_t *seen_half;   /* each seen movie's rating in half stars (store.h), NULL when unknown */
    uint8_t *own_half;          /* a live model's, from the dataset's rows */
    tl_reason *reasons;         /* items_cap * TL_REASONS_MAX: "because you rated" of the results */
    uint32_t *n_reasons;        /* items_cap */
    const tlw_trainer *trainer; /* live: the trainer whose tables change between queries */
    tl_scorer *scorer;          /* the model behind the seam (scorer.h), whatever its type */
    tl_embeddings emb;          /* its user and movie tables when it has them (else all 0) */
    tl_index *idx;
    uint32_t live_tensors; /* live: the trainer's tensor count when the scorer was opened */
    tl_query q;            /* filters for the next queries (tlw_model_query) */
    tl_scored *items;      /* k results */
    uint32_t items_cap;
    float *vec; /* scorer->state_floats: a folded-in user's state */
    tl_buf out; /* the last JSON or model file handed to JavaScript */
} tlw_model;

/* A live model's scorer and index opened (again) from its trainer (api_model.c). */
tl_status tlw_model_reopen(tlw_model *h);

#endif
