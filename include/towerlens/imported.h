/* Factors trained elsewhere (import.h) as a model type: dot products like
 * every embedding model, with the fold-in their training implies recorded in
 * the model file's config ("foldin"), so a visitor is solved for as Spark's
 * ALS would (docs/spark.md). */
#ifndef TOWERLENS_IMPORTED_H
#define TOWERLENS_IMPORTED_H

#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/embeddings.h"
#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How fold-in should match the training of imported factors. */
typedef enum tl_import_foldin_kind {
    TL_IMPORT_FOLDIN_DEFAULT = 0, /* towerlens' own fold-in (softmax), nothing recorded */
    TL_IMPORT_FOLDIN_ALS,         /* Spark ALS, explicit: min sum (r - u.m)^2 + reg n |u|^2 */
    TL_IMPORT_FOLDIN_IALS         /* Spark ALS, implicitPrefs: confidence 1 + alpha r, reg n */
} tl_import_foldin_kind;

typedef struct tl_import_foldin {
    tl_import_foldin_kind kind;
    float reg, alpha;
} tl_import_foldin;

/* The fold-in an imported model's config records; 0 (and kind DEFAULT)
 * when the config holds none, i.e. towerlens' own fold-in applies. */
int tl_import_foldin_from_config(const char *config_json, tl_import_foldin *out);

/* The user vector Spark's ALS would solve for these ratings against the
 * frozen movie factors (its last half-iteration), in double:
 *   ALS:  (sum_i m_i m_i^T + reg n I) u = sum_i r_i m_i
 *   IALS: (M^T M + sum_i alpha r_i m_i m_i^T + reg n I) u = sum_i (1 + alpha r_i) m_i
 * with n the number of distinct rated movies (ALS-WR scaling) and M every
 * movie row of the table. A movie given twice counts once, with its last
 * rating; ratings NULL = every movie rated 1. */
tl_status tl_import_foldin_solve(const tl_dataset *ds, const tl_embeddings *emb, const tl_import_foldin *f,
                                 const uint32_t *movies, const float *ratings, uint32_t n, float *user_out,
                                 tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
