/* Files that are not MovieLens: a CSV with a header whose columns are named
 * by the caller (user, item, optional rating and time; or an items file's
 * id and title). Ids are interned as strings while reading; at finish a
 * vocabulary of plain numbers becomes numeric ids (the dataset then looks
 * exactly like a MovieLens one), any other becomes the ranks of its strings
 * in byte order, with the strings handed to the dataset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

enum { COL_USER = 0, COL_ITEM = 1, COL_RATING = 2, COL_TIME = 3 };
enum { COL_ID = 0, COL_TITLE = 1 };

static tl_status map_begin(tl_loader *ld, tl_file_kind kind, const char *const names[TL_MAP_COLS], const char *call,
                           tl_error *err)
{
    if (!ld) return tl_fail(err, TL_E_ARG, "%s: no loader", call);
    if (ld->failed) {
        if (err) *err = ld->failure;
        return ld->failed;
    }
    if (!ld->in_file) return tl_fail(err, TL_E_STATE, "%s: no file was begun (call tl_loader_begin)", call);
    if (ld->detected || ld->head_len) return tl_fail(err, TL_E_STATE, "%s: call it before feeding %s", call, ld->name);
    for (int c = 0; c < TL_MAP_COLS; c++) {
        const char *n = names[c] ? names[c] : "";
        if (strlen(n) >= TL_MAP_NAME_MAX)
            return tl_fail(err, TL_E_ARG, "%s: column name \"%.20s...\" is longer than %d bytes", call, n,
                           TL_MAP_NAME_MAX - 1);
        snprintf(ld->map_name[c], TL_MAP_NAME_MAX, "%s", n);
        ld->map_col[c] = -1;
    }
    if (!ld->map_name[0][0] || !ld->map_name[1][0])
        return tl_fail(err, TL_E_ARG, "%s: the %s columns must be named", call,
                       kind == TL_FILE_RATINGS ? "user and item" : "item id and title");
    ld->map_kind = kind;
    return TL_OK;
}

tl_status tl_loader_map_interactions(tl_loader *ld, const char *user, const char *item, const char *rating,
                                     const char *time, tl_error *err)
{
    const char *names[TL_MAP_COLS] = {user, item, rating, time};
    return map_begin(ld, TL_FILE_RATINGS, names, "tl_loader_map_interactions", err);
}

tl_status tl_loader_map_items(tl_loader *ld, const char *id, const char *title, tl_error *err)
{
    const char *names[TL_MAP_COLS] = {id, title, NULL, NULL};
    return map_begin(ld, TL_FILE_MOVIES, names, "tl_loader_map_items", err);
}

void tl__loader_free_mapped(tl_loader *ld)
{
    tl__strtab_free(&ld->user_tab);
    tl__strtab_free(&ld->item_tab);
}

/* "user_id, item_id, ts" for a message (quoted and shortened by tl_ml_quote). */
static void header_names(const tl_csv *c, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < tl_csv_count(c) && used + 8 < cap; i++) {
        size_t n;
        const char *s = tl_csv_field(c, i, &n);
        char q[96];
        tl_ml_quote(q, sizeof q, s, n);
        int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", q);
        if (w < 0 || (size_t)w >= cap - used) break;
        used += (size_t)w;
    }
}

tl_status tl__loader_mapped_header(tl_loader *ld, uint64_t line, tl_error *err)
{
    const tl_csv *c = &ld->csv;
    size_t nf = tl_csv_count(c);
    char missing[4 * (TL_MAP_NAME_MAX + 4)] = "";
    int n_missing = 0;
    for (int k = 0; k < TL_MAP_COLS; k++) {
        if (!ld->map_name[k][0]) continue;
        for (size_t i = 0; i < nf; i++) {
            size_t n;
            const char *s = tl_csv_field(c, i, &n);
            if (n == strlen(ld->map_name[k]) && memcmp(s, ld->map_name[k], n) == 0) {
                if (ld->map_col[k] >= 0)
                    return tl__loader_fail(ld, err, TL_E_FORMAT, line, "the header names column \"%s\" twice",
                                           ld->map_name[k]);
                ld->map_col[k] = (int)i;
            }
        }
        if (ld->map_col[k] < 0) {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, "%s\"%s\"", n_missing ? ", " : "", ld->map_name[k]);
            n_missing++;
        }
    }
    if (n_missing) {
        char found[512];
        header_names(c, found, sizeof found);
        return tl__loader_fail(ld, err, TL_E_FORMAT, line, "no column%s %s in the header; its columns are: %s",
                               n_missing > 1 ? "s" : "", missing, found);
    }
    ld->map_fields = (uint32_t)nf;
    return TL_OK;
}

/* A non-empty id field (its column name in messages). */
static tl_status read_text_id(tl_loader *ld, tl_error *err, uint64_t line, int col, tl__strtab *tab, uint32_t *code)
{
    size_t n;
    const char *s = tl_csv_field(&ld->csv, (size_t)ld->map_col[col], &n);
    if (n == 0) return tl__loader_fail(ld, err, TL_E_PARSE, line, "%s is empty", ld->map_name[col]);
    if (!tl_ml_is_utf8((const uint8_t *)s, n)) {
        char q[96];
        tl_ml_quote(q, sizeof q, s, n);
        return tl__loader_fail(ld, err, TL_E_PARSE, line, "%s %s is not UTF-8 text", ld->map_name[col], q);
    }
    *code = tl__strtab_intern(tab, s, n);
    if (!*code) return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory storing ids");
    return TL_OK;
}

static tl_status interaction_row(tl_loader *ld, uint64_t line, tl_error *err)
{
    uint32_t u, m;
    uint8_t half = 10; /* implicit feedback: a positive, stored as 5 stars */
    int64_t ts = 0;
    size_t n;
    const char *s;
    tl_status st;
    if ((st = read_text_id(ld, err, line, COL_USER, &ld->user_tab, &u))) return st;
    if ((st = read_text_id(ld, err, line, COL_ITEM, &ld->item_tab, &m))) return st;
    if (ld->map_col[COL_RATING] >= 0) {
        s = tl_csv_field(&ld->csv, (size_t)ld->map_col[COL_RATING], &n);
        if ((st = tl__loader_read_rating(ld, err, line, s, n, &half))) return st;
    }
    if (ld->map_col[COL_TIME] >= 0) {
        s = tl_csv_field(&ld->csv, (size_t)ld->map_col[COL_TIME], &n);
        if ((st = tl__loader_read_timestamp(ld, err, line, s, n, &ts))) return st;
    }
    return tl__loader_push_rating(ld, err, line, u, m, half, ld->map_col[COL_TIME] >= 0, ts);
}

static tl_status item_row(tl_loader *ld, uint64_t line, tl_error *err)
{
    uint32_t code;
    tl_status st = read_text_id(ld, err, line, COL_ID, &ld->item_tab, &code);
    if (st) return st;
    uint32_t *slot = tl__idmap_slot(&ld->cat_index, code);
    if (!slot) return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory indexing items");
    if (*slot) {
        const tl__cat_entry *first = &ld->cat[*slot - 1];
        if (first->file_no == ld->file_no)
            return tl__loader_fail(ld, err, TL_E_PARSE, line, "item \"%s\" is listed twice (first on line %u)",
                                   tl__strtab_str(&ld->item_tab, code), first->line);
        return tl__loader_fail(ld, err, TL_E_PARSE, line, "item \"%s\" is also listed in another items file",
                               tl__strtab_str(&ld->item_tab, code));
    }
    size_t n;
    const char *title = tl_csv_field(&ld->csv, (size_t)ld->map_col[COL_TITLE], &n);
    return tl__loader_push_movie(ld, err, line, code, slot, title, n, 0);
}

tl_status tl__loader_mapped_row(tl_loader *ld, uint64_t line, tl_error *err)
{
    return ld->map_kind == TL_FILE_RATINGS ? interaction_row(ld, line, err) : item_row(ld, line, err);
}

/* ---- finish: codes -> raw ids ---- */

typedef struct named {
    const char *s;
    uint32_t code;
} named;

static int cmp_named(const void *a, const void *b) { return strcmp(((const named *)a)->s, ((const named *)b)->s); }

/* Digits without a leading zero that fit 32 bits: the id a MovieLens file would give. */
static int plain_number(const char *s, uint32_t *v)
{
    size_t n = strlen(s);
    if (n > 1 && s[0] == '0') return 0;
    return tl_parse_u32(s, n, v) == TL_NUM_OK;
}

/* raw[code - 1] for every code: the number itself when every id is a plain
 * number (*numeric = 1), else the rank + 1 in byte order. NULL when out of
 * memory. `order` (may be NULL) receives the codes in byte order. */
static uint32_t *raw_ids(const tl__strtab *t, int *numeric, uint32_t **order)
{
    uint32_t *raw = malloc(((size_t)t->n + 1) * sizeof *raw);
    if (!raw) return NULL;
    *numeric = 1;
    for (uint32_t c = 1; c <= t->n && *numeric; c++) *numeric = plain_number(tl__strtab_str(t, c), &raw[c - 1]);
    if (order) *order = NULL;
    if (*numeric) return raw;
    named *byname = malloc(((size_t)t->n + 1) * sizeof *byname);
    if (!byname) {
        free(raw);
        return NULL;
    }
    for (uint32_t c = 1; c <= t->n; c++) byname[c - 1] = (named){tl__strtab_str(t, c), c};
    qsort(byname, t->n, sizeof *byname, cmp_named);
    for (uint32_t r = 0; r < t->n; r++) raw[byname[r].code - 1] = r + 1;
    if (order && (*order = malloc(((size_t)t->n + 1) * sizeof **order)) != NULL)
        for (uint32_t r = 0; r < t->n; r++) (*order)[r] = byname[r].code;
    free(byname);
    return raw;
}

static uint32_t remap(uint32_t *col, uint32_t n, const uint32_t *raw)
{
    uint32_t max = 0;
    for (uint32_t k = 0; k < n; k++) {
        col[k] = raw[col[k] - 1];
        if (col[k] > max) max = col[k];
    }
    return max;
}

static tl_status fail_mix(tl_loader *ld, tl_error *err, const char *what)
{
    ld->name[0] = '\0';
    return tl__loader_fail(ld, err, TL_E_FORMAT, 0, "%s", what);
}

static tl_status nomem(tl_loader *ld, tl_error *err)
{
    return tl__loader_fail(ld, err, TL_E_NOMEM, 0, "out of memory resolving ids");
}

tl_status tl__loader_resolve_ids(tl_loader *ld, tl_error *err)
{
    if (!ld->mapped_ratings && !ld->mapped_items) return TL_OK;
    uint32_t ml_ratings = ld->files_of_kind[TL_FILE_RATINGS] - ld->mapped_ratings;
    uint32_t ml_movies = ld->files_of_kind[TL_FILE_MOVIES] - ld->mapped_items;
    if (ld->mapped_ratings && ml_ratings)
        return fail_mix(ld, err,
                        "an interactions file read by column names cannot be combined with MovieLens "
                        "ratings files");
    if (ld->mapped_items && !ld->mapped_ratings)
        return fail_mix(ld, err, "an items file read by column names needs an interactions file read by column names");
    if (ld->mapped_items && ml_movies)
        return fail_mix(ld, err, "an items file read by column names cannot be combined with a MovieLens movies file");
    if (ld->implicit_files && ld->implicit_files != ld->mapped_ratings)
        return fail_mix(ld, err, "some interactions files have a rating column and others do not");

    int numeric;
    uint32_t *raw = raw_ids(&ld->user_tab, &numeric, NULL);
    if (!raw) return nomem(ld, err);
    ld->max_user = remap(ld->r_user, ld->n_ratings, raw);
    free(raw);

    raw = raw_ids(&ld->item_tab, &numeric, NULL);
    if (!raw) return nomem(ld, err);
    if (!numeric && (ml_movies || ld->files_of_kind[TL_FILE_LINKS] || ld->files_of_kind[TL_FILE_TAGS])) {
        free(raw);
        return fail_mix(ld, err,
                        "the item ids are not all numbers, so MovieLens movies, links or tags files cannot "
                        "describe them; give titles in an items file read by column names");
    }
    ld->max_movie = remap(ld->r_movie, ld->n_ratings, raw);
    if (ld->mapped_items) { /* the catalogue was indexed by code: index it by raw id */
        tl__idmap_free(&ld->cat_index);
        memset(&ld->cat_index, 0, sizeof ld->cat_index);
        for (uint32_t i = 0; i < ld->n_cat; i++) {
            ld->cat[i].id = raw[ld->cat[i].id - 1];
            uint32_t *slot = tl__idmap_slot(&ld->cat_index, ld->cat[i].id);
            if (!slot) {
                free(raw);
                return nomem(ld, err);
            }
            *slot = i + 1;
        }
    }
    free(raw);
    return TL_OK;
}

/* names[dense] = offset of the string in `bytes` (after `base`), for a
 * vocabulary of string ids whose dense order is its byte order. */
static uint32_t *dense_names(const tl__strtab *t, uint32_t n_dense, size_t base)
{
    int numeric;
    uint32_t *order = NULL;
    uint32_t *raw = raw_ids(t, &numeric, &order);
    free(raw);
    if (numeric || !order) return NULL;
    if (n_dense != t->n) {
        free(order);
        return NULL;
    }
    for (uint32_t r = 0; r < t->n; r++) order[r] = (uint32_t)base + t->off[order[r] - 1];
    return order;
}

static int all_numbers(const tl__strtab *t)
{
    uint32_t v;
    for (uint32_t c = 1; c <= t->n; c++)
        if (!plain_number(tl__strtab_str(t, c), &v)) return 0;
    return 1;
}

tl_status tl__loader_attach_names(tl_loader *ld, tl_dataset *ds, tl_error *err)
{
    ds->implicit = ld->mapped_ratings && ld->implicit_files == ld->mapped_ratings;
    if (!ld->mapped_ratings) return TL_OK;
    int users_named = !all_numbers(&ld->user_tab), items_named = !all_numbers(&ld->item_tab);
    if (!users_named && !items_named) return TL_OK;
    size_t ulen = users_named ? ld->user_tab.len : 0, ilen = items_named ? ld->item_tab.len : 0;
    if (ulen + ilen > UINT32_MAX) return tl__loader_fail(ld, err, TL_E_LIMIT, 0, "ids take more than 4 GiB");
    ds->id_strings = malloc(ulen + ilen + 1);
    if (!ds->id_strings) return nomem(ld, err);
    if (ulen) memcpy(ds->id_strings, ld->user_tab.bytes, ulen);
    if (ilen) memcpy(ds->id_strings + ulen, ld->item_tab.bytes, ilen);
    ds->id_strings_len = ulen + ilen;
    if (users_named && !(ds->user_names = dense_names(&ld->user_tab, ds->n_users, 0))) return nomem(ld, err);
    if (items_named && !(ds->movie_names = dense_names(&ld->item_tab, ds->n_movies, ulen))) return nomem(ld, err);
    return TL_OK;
}
