/* Implicit alternating least squares with rating-value confidence, the
 * solver behind preset "default" (train.h documents the objective). The
 * trainer (train.c) owns the bookkeeping (epochs, progress, time); this
 * module owns the train pairs and the solver and runs one "batch" = up to
 * cfg->batch_size row solves at a time. Internal to the core. */
#ifndef TOWERLENS_TRAIN_IALS_H
#define TOWERLENS_TRAIN_IALS_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/model.h"
#include "towerlens/split.h"
#include "towerlens/train.h"

typedef struct tl_ials tl_ials;

/* Copies the train pairs (duplicates of one (user, movie) count once with
 * their highest rating), computes the confidences and re-initialises the
 * model's tables (rows < n: N(0, (0.1/sqrt(d))^2) from seed + 2; OOV rows 0). */
tl_status tl_ials_new(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, tl_model *model,
                      tl_ials **out, tl_error *err);
void tl_ials_free(tl_ials *s);
size_t tl_ials_bytes(const tl_ials *s);
uint32_t tl_ials_batches_per_epoch(const tl_ials *s);
/* Distinct (user, movie) train pairs. */
uint32_t tl_ials_pairs(const tl_ials *s);

/* Batch `batch` (0-based, < batches_per_epoch) of the current epoch: user
 * chunks first, then movie chunks. Returns the summed objective terms of
 * the rows it solved (their weighted squared errors, a0-terms and
 * penalties, evaluated after the solve) and sets *pairs to the observed
 * pairs those rows hold. After the last batch of an epoch, *objective
 * (may be NULL) is the full objective of the current tables. */
double tl_ials_batch(tl_ials *s, uint32_t batch, uint64_t *pairs, double *objective);

#endif
