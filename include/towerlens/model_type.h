/* The model types, one table: what trains a type and how a trained one is
 * opened for scoring. Everything outside src/models/ asks this table (by the
 * name a model file records in its config, "model") instead of branching on
 * a type. Adding a type: docs/ARCHITECTURE.md "Model types". */
#ifndef TOWERLENS_MODEL_TYPE_H
#define TOWERLENS_MODEL_TYPE_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/scorer.h"
#include "towerlens/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_train_ops tl_train_ops; /* train.h: the trainer's side of a type */

typedef struct tl_model_type {
    const char *name;          /* recorded in model files: "two-tower", "ials", "popularity", ... */
    const char *about;         /* one line for people */
    const tl_train_ops *train; /* NULL: not trainable here (e.g. imported factors open as "two-tower") */
    /* A scorer over a trained model's tensors (borrowed: keep them alive
     * while the scorer is used), checked against the dataset's vocabularies:
     * a missing or misshapen tensor is TL_E_CORRUPT naming it. */
    tl_status (*open)(const tl_dataset *ds, const tl_tensor *t, uint32_t n_t, tl_scorer **out, tl_error *err);
} tl_model_type;

/* The type called `name`, or NULL. */
const tl_model_type *tl_model_type_find(const char *name);
/* Types by index (NULL past the last): for help texts and the JS API. */
const tl_model_type *tl_model_type_at(uint32_t i);

/* The type recorded in a model file's config JSON ("model":"..."); files
 * written before types were recorded hold embedding tables: "two-tower". */
const tl_model_type *tl_model_type_of_config(const char *config_json);

/* The tensor called `name` among t[0..n), or NULL. */
const tl_tensor *tl_tensor_find(const tl_tensor *t, uint32_t n, const char *name);

#ifdef __cplusplus
}
#endif
#endif
