/* Recall@20 and NDCG@10 of one ranked list, for the choices the trainers
 * make on validation (the visitor prior, the blend's weight): the eval layer
 * sits above models, so they cannot call it. Internal to src/models/. */
#ifndef TL_MODELS_RANK_METRICS_H
#define TL_MODELS_RANK_METRICS_H

#include <stdint.h>

#include "towerlens/topk.h"

/* The best `k` (at most 20) of `scores` over the catalogue movies `cat`
 * (n_cat of them) whose mark is not `skip`, topk.h's order (higher score,
 * ties to the lower index); returns how many. */
uint32_t tl__rank_top(const float *scores, const uint32_t *cat, uint32_t n_cat, const uint8_t *mark, uint8_t skip,
                      uint32_t k, tl_scored *top);

/* Recall@20 (hits / min(20, n_rel)) and NDCG@10 of `ranked` (n movies, best
 * first), relevant where mark[movie] == rel; n_rel >= 1 relevant movies.
 * The discounts are constants (no libm): the same bits natively and in WASM. */
void tl__rank_metrics(const uint32_t *ranked, uint32_t n, const uint8_t *mark, uint8_t rel, uint32_t n_rel,
                      double *recall, double *ndcg);

#endif
