/* What each model type's folder gives the table in model_types.c: its
 * training ops (train.h, struct tl_train_ops) and its `open` (model_type.h:
 * a scorer over a trained model's tensors). Internal to src/models/. */
#ifndef TL_MODELS_MODELS_INTERNAL_H
#define TL_MODELS_MODELS_INTERNAL_H

#include "towerlens/model_type.h"
#include "towerlens/train.h"

extern const tl_train_ops tl__twotower_train_ops;   /* twotower/train_twotower.c */
extern const tl_train_ops tl__ials_train_ops;       /* ials/train_ials_ops.c */
extern const tl_train_ops tl__popularity_train_ops; /* popularity/train_popularity.c */
extern const tl_train_ops tl__ease_train_ops;       /* ease/train_ease.c */
extern const tl_train_ops tl__blend_train_ops;      /* blend/train_blend.c */

/* The openers (model_type.h), checked against ds's vocabularies. */
/* "users" ((n_users + 1) x d) and "movies" ((n_movies + 1) x d). */
tl_status tl__embed_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                         tl_scorer **out, tl_error *err);
/* Imported factors: "users" and "movies", the fold-in the config records. */
tl_status tl__imported_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                            tl_scorer **out, tl_error *err);
/* "popularity" ((n_movies + 1) x 1: train rating counts). */
tl_status tl__popularity_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                              tl_scorer **out, tl_error *err);

/* "users" and "movies" (OOV rows last) borrowing m's tables: 2 tensors. */
uint32_t tl__model_tensors(const tl_model *m, tl_tensor *out);
/* n floats starting on a 64-byte cache line (model.c; free() them): the
 * embedding tables and copies of them. NULL when out of memory. */
float *tl__table_alloc(size_t n);
/* The visitor prior's training side: one block of n_movies + 3 floats,
 * L_j (train rows of movie j rated >= 4 stars; every row on implicit data;
 * the out-of-vocabulary movie's 0) then w3, w10 from cfg. Caller frees. */
tl_status tl__liked_block(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, float **out,
                          tl_error *err);
/* Sets w3, w10 in such a block (the prior chosen at training). */
void tl__liked_set_weights(float *block, uint32_t n_movies, float w3, float w10);
/* "liked" ((n_movies + 1) x 1) and "visitor_prior" (1 x 2) borrowing the block: 2 tensors. */
uint32_t tl__liked_tensors(float *block, uint32_t n_movies, tl_tensor *out);
/* One tensor named `name` of rows x cols floats at data (borrowed). */
void tl__tensor_set(tl_tensor *t, const char *name, uint32_t rows, uint32_t cols, float *data);
/* A float as config JSON (",\"key\":v" with the 7 digits a float holds;
 * null when not finite). */
void tl__config_json_float(struct tl_buf *b, const char *key, float v);

/* The two-tower type's option checks and config JSON (twotower/train_twotower_config.c). */
tl_status tl__twotower_config_check(const tl_train_config *cfg, tl_error *err);
void tl__twotower_config_json(const tl_train_config *cfg, const tl_split *split, struct tl_buf *out);

/* EASE: "ease.items" (raw movie ids), "ease.B", "ease.counts", "ease.values" (ease/ease_scorer.c). */
tl_status tl__ease_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                        tl_scorer **out, tl_error *err);
/* The blend: the iALS tensors, the EASE ones and "blend.weight" (blend/blend_scorer.c). */
tl_status tl__blend_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                         tl_scorer **out, tl_error *err);

#endif
