/* Raw id -> value map: a direct array for small ids, a hash for the rest. */
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

void tl__idmap_free(tl__idmap *m)
{
    free(m->direct);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static uint32_t hash_pos(uint32_t id, uint32_t mask) { return (id * 2654435761u) & mask; }

/* Rebuilds the hash with `cap` slots, moving ids below direct_cap into the array. */
static int hash_rebuild(tl__idmap *m, uint32_t cap)
{
    uint32_t *keys = NULL, *vals = NULL;
    if (cap) {
        keys = calloc(cap, sizeof *keys);
        vals = calloc(cap, sizeof *vals);
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return 0;
        }
    }
    uint32_t count = 0;
    for (uint32_t i = 0; i < m->hcap; i++) {
        if (!m->vals[i]) continue;
        uint32_t id = m->keys[i];
        if (id < m->direct_cap) {
            m->direct[id] = m->vals[i];
            continue;
        }
        uint32_t p = hash_pos(id, cap - 1);
        while (vals[p]) p = (p + 1) & (cap - 1);
        keys[p] = id;
        vals[p] = m->vals[i];
        count++;
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->hcap = cap;
    m->hcount = count;
    return 1;
}

uint32_t *tl__idmap_find(const tl__idmap *m, uint32_t id)
{
    if (id < m->direct_cap) return &m->direct[id];
    if (!m->hcap) return NULL;
    uint32_t p = hash_pos(id, m->hcap - 1);
    while (m->vals[p]) {
        if (m->keys[p] == id) return &m->vals[p];
        p = (p + 1) & (m->hcap - 1);
    }
    return NULL;
}

/* Grows the array to cover id when the budget allows; 0 = use the hash. */
static int grow_direct(tl__idmap *m, uint32_t id, int *nomem)
{
    if (id >= TL_IDMAP_DIRECT_LIMIT) return 0;
    uint32_t cap = m->direct_cap ? m->direct_cap : 1024;
    while (cap <= id) cap *= 2; /* stays <= TL_IDMAP_DIRECT_LIMIT */
    uint64_t budget = ((uint64_t)m->count + 1) * 64;
    if (cap > TL_IDMAP_DIRECT_MIN && cap > budget) return 0;
    uint32_t *d = realloc(m->direct, (size_t)cap * sizeof *d);
    if (!d) {
        *nomem = 1;
        return 0;
    }
    memset(d + m->direct_cap, 0, (size_t)(cap - m->direct_cap) * sizeof *d);
    m->direct = d;
    m->direct_cap = cap;
    if (m->hcount && !hash_rebuild(m, m->hcap)) { /* same size: only moves ids into the array */
        *nomem = 1;
        return 0;
    }
    return 1;
}

uint32_t *tl__idmap_slot(tl__idmap *m, uint32_t id)
{
    uint32_t *v;
    if (id >= m->direct_cap) {
        int nomem = 0;
        if (!grow_direct(m, id, &nomem) && nomem) return NULL;
    }
    if (id < m->direct_cap) {
        v = &m->direct[id];
        if (!*v) m->count++;
        return v;
    }
    v = tl__idmap_find(m, id);
    if (v) return v;
    if ((m->hcount + 1) * 2 > m->hcap) {
        uint32_t cap = m->hcap ? m->hcap * 2 : 1024;
        if (cap == 0 || cap > (uint32_t)(SIZE_MAX / sizeof(uint32_t)) || !hash_rebuild(m, cap)) return NULL;
    }
    uint32_t p = hash_pos(id, m->hcap - 1);
    while (m->vals[p]) p = (p + 1) & (m->hcap - 1);
    m->keys[p] = id;
    m->hcount++;
    m->count++;
    return &m->vals[p]; /* 0 until the caller sets it; the slot counts as taken from here on */
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

uint32_t *tl__idmap_sorted_ids(const tl__idmap *m, uint32_t *n)
{
    size_t count = 0;
    for (uint32_t i = 0; i < m->direct_cap; i++) count += m->direct[i] != 0;
    for (uint32_t i = 0; i < m->hcap; i++) count += m->vals[i] != 0;
    uint32_t *ids = malloc((count ? count : 1) * sizeof *ids);
    if (!ids) return NULL;
    size_t k = 0;
    for (uint32_t i = 0; i < m->direct_cap; i++)
        if (m->direct[i]) ids[k++] = i;
    size_t hashed = k; /* every hashed id is above every direct one */
    for (uint32_t i = 0; i < m->hcap; i++)
        if (m->vals[i]) ids[k++] = m->keys[i];
    qsort(ids + hashed, k - hashed, sizeof *ids, cmp_u32);
    *n = (uint32_t)k;
    return ids;
}
