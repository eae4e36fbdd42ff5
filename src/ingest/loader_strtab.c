/* Interned id strings for files read by column names: a string's code is
 * its position in first-seen order (1, 2, ...), found again by an
 * open-addressing hash (FNV-1a) over the codes. */
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

void tl__strtab_free(tl__strtab *t)
{
    free(t->bytes);
    free(t->off);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static int same(const tl__strtab *t, uint32_t code, const char *s, size_t n)
{
    const char *have = tl__strtab_str(t, code);
    return strncmp(have, s, n) == 0 && have[n] == '\0';
}

/* Doubles the slots (kept at most half full) and re-inserts every code. */
static int grow_slots(tl__strtab *t)
{
    uint32_t n_slots = t->n_slots ? t->n_slots * 2 : 1024;
    if (n_slots < t->n_slots) return 0;
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots) return 0;
    for (uint32_t c = 1; c <= t->n; c++) {
        const char *s = tl__strtab_str(t, c);
        uint32_t i = hash(s, strlen(s)) & (n_slots - 1);
        while (slots[i]) i = (i + 1) & (n_slots - 1);
        slots[i] = c;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return 1;
}

uint32_t tl__strtab_intern(tl__strtab *t, const char *s, size_t n)
{
    if ((t->n + 1) * 2 > t->n_slots && !grow_slots(t)) return 0;
    uint32_t i = hash(s, n) & (t->n_slots - 1);
    for (; t->slots[i]; i = (i + 1) & (t->n_slots - 1))
        if (same(t, t->slots[i], s, n)) return t->slots[i];
    if (n + 1 > UINT32_MAX - t->len || t->n == UINT32_MAX - 1) return 0;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1) cap *= 2;
        char *b = realloc(t->bytes, cap);
        if (!b) return 0;
        t->bytes = b;
        t->cap = cap;
    }
    if (t->n == t->off_cap) {
        uint32_t cap = t->off_cap ? t->off_cap * 2 : 1024;
        uint32_t *o = realloc(t->off, (size_t)cap * sizeof *o);
        if (!o) return 0;
        t->off = o;
        t->off_cap = cap;
    }
    memcpy(t->bytes + t->len, s, n);
    t->bytes[t->len + n] = '\0';
    t->off[t->n++] = (uint32_t)t->len;
    t->len += n + 1;
    t->slots[i] = t->n;
    return t->n;
}
