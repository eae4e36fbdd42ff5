/* The visitor prior's w3 and w10 chosen at training on validation users
 * (prior_choose.c; docs/training.md "Visitors", "The chosen rule").
 * Internal to src/models/: the generic trainer (train.c) runs it before the
 * first epoch when the config asks for it and the type has a visitor prior. */
#ifndef TL_MODELS_PRIOR_CHOOSE_H
#define TL_MODELS_PRIOR_CHOOSE_H

#include "towerlens/train.h"

typedef struct tl__prior_chooser tl__prior_chooser;

/* Deals the validation users (train rows only), builds their profiles and
 * the auxiliary model's rows, and creates the auxiliary model (the same
 * type and options, on `pool`). Needs nothing of ds or split afterwards.
 * Without timestamps or with too few qualifying users it does nothing
 * more: tl__prior_chooser_step then reports done at once with w = 0. */
tl_status tl__prior_chooser_new(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg,
                                const tl_train_ops *ops, tl_pool *pool, tl__prior_chooser **out, tl_error *err);
/* Trains the auxiliary model, then folds in and ranks the validation users,
 * until done or clock() passes deadline_ms (at least one unit of work per
 * call). *done = 1 once the choice is made (tl__prior_chooser_result). */
tl_status tl__prior_chooser_step(tl__prior_chooser *c, tl_pool *pool, tl_clock_fn clock, void *clock_ctx,
                                 double deadline_ms, int *done, tl_error *err);
void tl__prior_chooser_result(const tl__prior_chooser *c, tl_prior_choice *out);
size_t tl__prior_chooser_bytes(const tl__prior_chooser *c);
void tl__prior_chooser_free(tl__prior_chooser *c);

#endif
