/* Keeping the best k of a stream of scored items without sorting them all.
 *
 * Order: a higher score is better; equal scores go to the lower index, so
 * results are deterministic. NaN scores are never kept (a diverged model
 * ranks nothing rather than garbage). Cost O(n log k), memory k items that
 * the caller provides. */
#ifndef TOWERLENS_TOPK_H
#define TOWERLENS_TOPK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_scored {
    uint32_t index; /* dense movie index */
    float score;
} tl_scored;

typedef struct tl_topk {
    tl_scored *items; /* caller storage for k items; a min-heap on the order above */
    uint32_t k, n;
} tl_topk;

/* 1 when (sa, ia) ranks strictly before (sb, ib). */
static inline int tl_scored_before(float sa, uint32_t ia, float sb, uint32_t ib)
{
    return sa > sb || (sa == sb && ia < ib);
}

void tl_topk_init(tl_topk *t, tl_scored *storage, uint32_t k);
void tl_topk_push(tl_topk *t, uint32_t index, float score);
/* Pushes n items (index idx[i], score s[i]) whose indices ascend and are
 * above every index pushed before: the same heap as pushing each in turn,
 * faster, since such an item that only ties the worst kept one ranks after
 * it, so once the heap is full a run of 8 scores none above the worst is
 * passed over at once. */
void tl_topk_push_ascending(tl_topk *t, const uint32_t *idx, const float *s, uint32_t n);
/* Sorts the kept items best first in place (the heap is consumed) and
 * returns how many there are (min(k, items pushed)). */
uint32_t tl_topk_finish(tl_topk *t);

#ifdef __cplusplus
}
#endif
#endif
