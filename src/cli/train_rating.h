/* The rating head's part of `towerlens train` (kept apart from the
 * retrieval code in cmd_train.c): Protocol C beside the bias baseline and
 * its tensors for the model file. (The config JSON is tl_train_config_json.) */
#ifndef TL_CLI_TRAIN_RATING_H
#define TL_CLI_TRAIN_RATING_H

#include "towerlens.h"

/* With a head: Protocol C of the model into model->rmse/mae and of the bias
 * baseline (fit on the train rows) into baseline->rmse/mae. */
tl_status train_rating_eval(const tl_dataset *ds, const tl_split *sp, const tl_trainer *tr, tl_metrics *model,
                            tl_metrics *baseline, tl_error *err);

/* The same for a head and embeddings indexed like `ds` (towerlens eval). */
tl_status train_rating_eval_head(const tl_rating_head *h, const tl_embeddings *emb, const tl_dataset *ds,
                                 const tl_split *sp, tl_metrics *model, tl_metrics *baseline, tl_error *err);

#endif
