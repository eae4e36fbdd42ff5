/* The WASM layer's handles. JavaScript holds pointers to these; each starts
 * with the handle's last error, so one set of exports (api_error.c) reads the
 * error of any handle after a call on it returned a non-zero status. */
#ifndef TOWERLENS_WASM_HANDLE_H
#define TOWERLENS_WASM_HANDLE_H

#include <emscripten/emscripten.h>
#include <stddef.h>
#include <stdint.h>

#include "towerlens/buf.h"
#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/loader.h"

typedef struct tlw_handle {
    tl_error err; /* must stay the first member of every handle */
} tlw_handle;

typedef struct tlw_loader {
    tl_error err;
    tl_loader *loader;
    uint8_t *chunk;     /* reusable input buffer JS copies file bytes into */
    size_t chunk_cap;
    int last_kind;      /* tl_file_kind of the last file ended */
} tlw_loader;

typedef struct tlw_dataset {
    tl_error err;
    tl_dataset *ds;
} tlw_dataset;

struct tl_trainer;
struct tl_split;
typedef struct tlw_trainer {
    tl_error err;
    struct tl_trainer *tr;
    struct tl_split *split;
    uint32_t n_ratings; /* of the dataset it was made from: evaluate() must get the same */
    char hash[17];
    tl_buf file;        /* the last model file written by tlw_trainer_model_file */
    /* multitask weights set before init (api_rating.c) */
    int has_weights;
    float rating_weight, retrieval_weight;
} tlw_trainer;

/* Wraps a freshly built dataset; NULL (with `err` filled) when out of memory,
 * in which case the dataset is freed. */
tlw_dataset *tlw_dataset_wrap(tl_dataset *ds, tl_error *err);

#endif
