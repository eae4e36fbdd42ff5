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
#include "towerlens/store.h"
#include "towerlens/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_train_ops tl_train_ops; /* train.h: the trainer's side of a type */

typedef struct tl_model_type {
    const char *name;          /* recorded in model files: "two-tower", "ials", "popularity", ... */
    const char *about;         /* one line for people */
    const tl_train_ops *train; /* NULL: not trainable here (e.g. imported factors open as "two-tower") */
    /* A scorer over a trained model's tensors, checked against the dataset's
     * vocabularies: a missing or misshapen tensor is TL_E_CORRUPT naming it.
     * The scorer may keep the tensors' data pointers (keep the data alive),
     * never the tl_tensor structs themselves. */
    tl_status (*open)(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t, tl_scorer **out,
                      tl_error *err);
    /* The tensors whose rows are indexed by dense user / dense movie (with
     * the out-of-vocabulary row last), NULL-terminated: what re-indexing a
     * model to other data (tl_model_align) moves. Ids held as values are
     * raw ids, so every other tensor is independent of the vocabularies. */
    const char *const *user_tables;
    const char *const *movie_tables;
} tl_model_type;

/* The type called `name`, or NULL. */
const tl_model_type *tl_model_type_find(const char *name);
/* Types by index (NULL past the last): for help texts and the JS API. */
const tl_model_type *tl_model_type_at(uint32_t i);

/* The type recorded in a model file's config JSON ("model":"..."); files
 * written before types were recorded hold embedding tables: "two-tower". */
const tl_model_type *tl_model_type_of_config(const char *config_json);

/* The scorer of a model file's model (its type from the config, its tensors
 * borrowed from mf: keep mf alive while the scorer is used). */
tl_status tl_model_open(const tl_model_file *mf, tl_scorer **out, tl_error *err);

/* The scorer of a trainer's model as it is now (it follows the training:
 * call tl_scorer_refresh after more steps). Keep the trainer alive. */
struct tl_trainer;
tl_status tl_trainer_open(const struct tl_trainer *tr, const tl_dataset *ds, tl_scorer **out, tl_error *err);
/* 1 when the trainer's model will predict ratings (tl_scorer_predict). */
int tl_trainer_predicts_ratings(const struct tl_trainer *tr);

/* A model re-indexed to another dataset's vocabularies by raw id (e.g.
 * `towerlens eval` on files with more users): the type's user and movie
 * tables are copied row by row, ids the model never saw get its
 * out-of-vocabulary row and are counted; other tensors are shared with the
 * model file. mf (the copy's ds is `ds`, no seen sets) works with
 * tl_model_open and the rating head's reader like any model file. */
typedef struct tl_aligned_model {
    tl_model_file *mf;
    uint32_t unknown_users, unknown_movies;
    uint8_t owned[TL_STORE_MAX_TENSORS]; /* tensors copied (freed with it), the rest shared */
} tl_aligned_model;
tl_status tl_model_align(const tl_model_file *mf, tl_dataset *ds, tl_aligned_model *out, tl_error *err);
void tl_aligned_model_free(tl_aligned_model *a);

/* A model file's "users" and "movies" tables as a view (all NULL / 0 when
 * its type has none): the rating head and imported factors' fold-in read them. */
tl_embeddings tl_model_file_embeddings(const tl_model_file *mf);

#ifdef __cplusplus
}
#endif
#endif
