/* Bounded min-heap: the root is the worst kept item, so a new item only
 * enters when it beats the root. */
#include "towerlens/topk.h"

#include <stdlib.h>

void tl_topk_init(tl_topk *t, tl_scored *storage, uint32_t k)
{
    t->items = storage;
    t->k = k;
    t->n = 0;
}

/* "a is worse than b": the heap property keeps the worst at the root. */
static inline int worse(const tl_scored *a, const tl_scored *b)
{
    return tl_scored_before(b->score, b->index, a->score, a->index);
}

static void sift_down(tl_scored *h, uint32_t n, uint32_t i)
{
    tl_scored x = h[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && worse(&h[c + 1], &h[c])) c++;
        if (!worse(&h[c], &x)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

void tl_topk_push(tl_topk *t, uint32_t index, float score)
{
    if (t->k == 0 || score != score) return; /* NaN is never kept */
    tl_scored x = {index, score};
    if (t->n < t->k) {
        uint32_t i = t->n++;
        while (i > 0) {
            uint32_t p = (i - 1) / 2;
            if (!worse(&x, &t->items[p])) break;
            t->items[i] = t->items[p];
            i = p;
        }
        t->items[i] = x;
        return;
    }
    if (!worse(&t->items[0], &x)) return; /* the fast path: most items lose to the root */
    t->items[0] = x;
    sift_down(t->items, t->n, 0);
}

void tl_topk_push_ascending(tl_topk *t, const uint32_t *idx, const float *s, uint32_t n)
{
    uint32_t q = 0;
    for (; q < n && t->n < t->k; q++) tl_topk_push(t, idx[q], s[q]);
    if (q == n || t->k == 0) return;
    float worst = t->items[0].score; /* NaN is never above it: never kept, as tl_topk_push */
    for (; q + 8 <= n; q += 8) {
        const float *x = s + q;
        int any = (x[0] > worst) | (x[1] > worst) | (x[2] > worst) | (x[3] > worst) | (x[4] > worst) | (x[5] > worst) |
                  (x[6] > worst) | (x[7] > worst);
        for (uint32_t i = 0; any && i < 8; i++)
            if (x[i] > worst) tl_topk_push(t, idx[q + i], x[i]), worst = t->items[0].score;
    }
    for (; q < n; q++)
        if (s[q] > worst) tl_topk_push(t, idx[q], s[q]), worst = t->items[0].score;
}

uint32_t tl_topk_finish(tl_topk *t)
{
    /* heap sort: repeatedly move the worst to the end, leaving best first */
    uint32_t n = t->n;
    for (uint32_t end = n; end > 1; end--) {
        tl_scored w = t->items[0];
        t->items[0] = t->items[end - 1];
        t->items[end - 1] = w;
        sift_down(t->items, end - 1, 0);
    }
    t->n = 0;
    return n;
}
