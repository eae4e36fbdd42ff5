/* The `open` of each model type's table entry (model_type.h): a scorer over
 * a trained model's tensors, checked against the vocabularies. Internal to
 * src/models/. */
#ifndef TL_MODELS_SCORER_OPEN_H
#define TL_MODELS_SCORER_OPEN_H

#include "towerlens/model_type.h"

/* "users" ((n_users + 1) x d) and "movies" ((n_movies + 1) x d). */
tl_status tl_embed_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                        tl_scorer **out, tl_error *err);
/* Imported factors: "users" and "movies", the fold-in the config records. */
tl_status tl_imported_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                           tl_scorer **out, tl_error *err);
/* "popularity" ((n_movies + 1) x 1: train rating counts). */
tl_status tl_popularity_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                             tl_scorer **out, tl_error *err);
/* EASE: "ease.items" (raw movie ids), "ease.B", "ease.counts", "ease.values" (ease/ease_scorer.c). */
tl_status tl_ease_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                       tl_scorer **out, tl_error *err);

#endif
