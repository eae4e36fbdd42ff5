/* Recall@20 and NDCG@10 for the trainers' validation choices (rank_metrics.h). */
#include "models/rank_metrics.h"

/* 1 / log2(r + 2) for r < 10 */
static const double discount[10] = {1.0,
                                    0.6309297535714575,
                                    0.5,
                                    0.43067655807339306,
                                    0.38685280723454163,
                                    0.3562071871080222,
                                    0.3333333333333333,
                                    0.31546487678572877,
                                    0.3010299956639812,
                                    0.2890648263178879};

uint32_t tl__rank_top(const float *scores, const uint32_t *cat, uint32_t n_cat, const uint8_t *mark, uint8_t skip,
                      uint32_t k, tl_scored *top)
{
    tl_topk t;
    tl_topk_init(&t, top, k);
    for (uint32_t i = 0; i < n_cat; i++)
        if (mark[cat[i]] != skip) tl_topk_push(&t, cat[i], scores[cat[i]]);
    return tl_topk_finish(&t);
}

void tl__rank_metrics(const uint32_t *ranked, uint32_t n, const uint8_t *mark, uint8_t rel, uint32_t n_rel,
                      double *recall, double *ndcg)
{
    uint32_t hits = 0;
    double dcg = 0, idcg = 0;
    for (uint32_t r = 0; r < n && r < 20; r++)
        if (mark[ranked[r]] == rel) {
            hits++;
            if (r < 10) dcg += discount[r];
        }
    for (uint32_t r = 0; r < 10 && r < n_rel; r++) idcg += discount[r];
    *recall = (double)hits / (double)(n_rel < 20 ? n_rel : 20);
    *ndcg = dcg / idcg;
}
