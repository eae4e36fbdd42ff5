/* Internals of the streaming loader, shared by loader*.c (not installed). */
#ifndef TL_INGEST_LOADER_INTERNAL_H
#define TL_INGEST_LOADER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/csv.h"
#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/loader.h"
#include "towerlens/movielens.h"

/* Raw id -> uint32 value (0 = absent). MovieLens ids are small and dense,
 * so ids below direct_cap live in an array indexed by id; the others in an
 * open-addressing hash. The array grows to cover new ids while it stays
 * within TL_IDMAP_DIRECT_LIMIT entries and 64 entries per id stored (at least
 * 64K), so sparse huge ids cost hash entries, not megabytes. Invariant: every
 * hashed id is >= direct_cap. */
#define TL_IDMAP_DIRECT_LIMIT (1u << 22)
#define TL_IDMAP_DIRECT_MIN (1u << 16)

typedef struct tl__idmap {
    uint32_t *direct;
    uint32_t direct_cap;
    uint32_t *keys, *vals; /* hash part, key slot empty when its value is 0 */
    uint32_t hcap, hcount;
    uint32_t count; /* ids stored */
} tl__idmap;

void tl__idmap_free(tl__idmap *m);
/* The value slot for id, created (0) when absent; NULL when out of memory.
 * A created slot must be set non-zero before the next call. */
uint32_t *tl__idmap_slot(tl__idmap *m, uint32_t id);
/* The value slot for id, or NULL when absent. */
uint32_t *tl__idmap_find(const tl__idmap *m, uint32_t id);
static inline uint32_t tl__idmap_get(const tl__idmap *m, uint32_t id)
{
    if (id < m->direct_cap) return m->direct[id];
    uint32_t *v = tl__idmap_find(m, id);
    return v ? *v : 0;
}
/* Ids with a non-zero value, ascending (caller frees); NULL when out of memory. */
uint32_t *tl__idmap_sorted_ids(const tl__idmap *m, uint32_t *n);

/* A column of raw ids turned into dense indices (ascending id order). */
typedef struct tl__dense {
    uint32_t n;       /* distinct ids */
    uint32_t *ids;    /* the distinct ids, ascending */
    uint32_t *counts; /* rows per dense index */
    uint32_t runs;    /* rows whose id differs from the row before (+1 for the first) */
} tl__dense;

/* Replaces every id in col (all <= max_id) by its dense index, in linear
 * time; 0 when out of memory (col is then unchanged). */
int tl__dense_renumber(uint32_t *col, uint32_t n, uint32_t max_id, tl__dense *out);
void tl__dense_free(tl__dense *d);

/* A movie as listed in a movies file. */
typedef struct tl__cat_entry {
    uint32_t id;
    uint32_t title; /* offset into the strings */
    uint32_t line;
    uint32_t file_no;
    int16_t year;
    uint64_t genres;
} tl__cat_entry;

typedef struct tl__link_entry {
    uint32_t id, imdb, tmdb, line, file_no;
} tl__link_entry;

#define TL_MAX_RATINGS (UINT32_MAX - 1u)

/* Interned id strings: each distinct string gets a code 1, 2, ... in the
 * order first seen (loader_strtab.c). */
typedef struct tl__strtab {
    char *bytes; /* NUL-terminated strings, back to back */
    size_t len, cap;
    uint32_t *off; /* code - 1 -> offset into bytes */
    uint32_t n, off_cap;
    uint32_t *slots; /* open addressing: code, 0 = empty */
    uint32_t n_slots;
} tl__strtab;

void tl__strtab_free(tl__strtab *t);
/* The code of s[0..n) (1..), added when new; 0 when out of memory or past 4 GiB. */
uint32_t tl__strtab_intern(tl__strtab *t, const char *s, size_t n);
static inline const char *tl__strtab_str(const tl__strtab *t, uint32_t code) { return t->bytes + t->off[code - 1]; }

/* Columns of a mapped file, in this order (interactions: user, item, rating,
 * time; items: id, title). */
#define TL_MAP_COLS 4
#define TL_MAP_NAME_MAX 64

struct tl_loader {
    /* a failure is sticky: every later call reports it again */
    tl_status failed;
    tl_error failure;
    int finished;

    /* the file being read */
    int in_file;
    char name[256];
    uint32_t file_no;
    uint64_t line;       /* lines completed in the current file */
    tl_file_kind expect; /* TL_FILE_UNKNOWN = any kind */
    uint64_t size_hint;  /* bytes of the current file, 0 = unknown */
    int detected;
    const tl_ml_layout *layout;
    const char *what; /* what detection recognised, for messages */
    uint8_t *head;    /* bytes before detection: the first non-blank line so far */
    size_t head_len, head_cap;
    int head_at_start;  /* the head starts at the file's first byte (a BOM may be there) */
    int header_pending; /* the next non-blank record is the header */
    int csv_ready;
    tl_csv csv;

    /* ratings, raw ids until finish */
    uint32_t n_ratings, r_cap;
    uint32_t r_ready; /* rows [0, r_ready) of the columns are paged in (see tl__prefault) */
    uint8_t *r_block; /* owns the four columns below (see tl__loader_reserve_ratings) */
    uint32_t *r_user, *r_movie;
    uint32_t *r_time; /* timestamp >> time_shift (tl_dataset.r_time) */
    uint8_t *r_half;
    uint32_t n_timed;             /* rows that had a timestamp: the column is kept when every row had one */
    uint32_t time_shift;          /* smallest shift that fits every timestamp so far in 32 bits */
    uint32_t max_user, max_movie; /* largest raw ids: dense indices are built in tl_loader_finish */
    uint32_t hist[11];
    int64_t ts_min, ts_max;

    /* catalogue */
    tl__idmap cat_index; /* movie id -> entry index + 1 */
    tl__cat_entry *cat;
    uint32_t n_cat, cat_cap;
    char *strings; /* starts with "" at offset 0 */
    size_t strings_len, strings_cap;
    uint32_t n_genres;
    char genre_names[TL_MAX_GENRES][TL_GENRE_NAME_MAX];

    /* links */
    tl__idmap link_index; /* movie id -> entry index + 1 */
    tl__link_entry *links;
    uint32_t n_links, links_cap;

    uint32_t n_tags;
    uint32_t files_of_kind[TL_FILE_IGNORED + 1];
    char fed[400]; /* "movies.csv (movies), ..." for the no-ratings message */

    /* files read by column names (loader_generic.c) */
    tl_file_kind map_kind;                       /* the current file: TL_FILE_RATINGS or TL_FILE_MOVIES when mapped */
    char map_name[TL_MAP_COLS][TL_MAP_NAME_MAX]; /* wanted columns; "" = not mapped */
    int map_col[TL_MAP_COLS];                    /* their positions in the header */
    uint32_t map_fields;                         /* fields of the current file's header */
    tl__strtab user_tab, item_tab;               /* ids of mapped files, as strings */
    uint32_t mapped_ratings, mapped_items, implicit_files; /* mapped files read */

    uint8_t *scratch; /* Latin-1 -> UTF-8 conversions */
    size_t scratch_cap;
};

/* Records the failure (sticky) and returns it. */
tl_status tl__loader_fail(tl_loader *ld, tl_error *err, tl_status status, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Rows of each kind, from the general tokenizer path. `line` is where the record starts. */
tl_status tl__loader_rating_row(tl_loader *ld, uint64_t line, tl_error *err);
tl_status tl__loader_movie_row(tl_loader *ld, uint64_t line, tl_error *err);
tl_status tl__loader_link_row(tl_loader *ld, uint64_t line, tl_error *err);
tl_status tl__loader_tag_row(tl_loader *ld, uint64_t line, tl_error *err);

/* Field readers and row storage shared by loader_rows.c and loader_generic.c. */
tl_status tl__loader_read_rating(tl_loader *ld, tl_error *err, uint64_t line, const char *s, size_t n, uint8_t *half);
tl_status tl__loader_read_timestamp(tl_loader *ld, tl_error *err, uint64_t line, const char *s, size_t n, int64_t *out);
tl_status tl__loader_as_utf8(tl_loader *ld, tl_error *err, uint64_t line, const char **s, size_t *n);
tl_status tl__loader_push_rating(tl_loader *ld, tl_error *err, uint64_t line, uint32_t u, uint32_t m, uint8_t half,
                                 int has_ts, int64_t ts);
/* A catalogue entry for id; `slot` is its fresh (zero) cat_index slot. */
tl_status tl__loader_push_movie(tl_loader *ld, tl_error *err, uint64_t line, uint32_t id, uint32_t *slot,
                                const char *title, size_t title_n, uint64_t genres);

/* Mapped files (loader_generic.c): the header line, a data row, and at
 * finish the ids turned from codes into numbers (all plain numbers) or
 * string ranks, then the strings handed to the dataset. */
tl_status tl__loader_mapped_header(tl_loader *ld, uint64_t line, tl_error *err);
tl_status tl__loader_mapped_row(tl_loader *ld, uint64_t line, tl_error *err);
tl_status tl__loader_resolve_ids(tl_loader *ld, tl_error *err);
tl_status tl__loader_attach_names(tl_loader *ld, tl_dataset *ds, tl_error *err);
void tl__loader_free_mapped(tl_loader *ld);

/* Pages in [p, p + bytes) for writing with one system call where the OS
 * offers it (Linux MADV_POPULATE_WRITE), instead of one page fault per
 * page; the contents are unchanged. Advice only: without it, or on failure,
 * the pages fault in on first touch as usual. */
void tl__prefault(void *p, size_t bytes);
/* malloc (zeroed when `zero`) of count * size bytes, paged in with
 * tl__prefault: for arrays about to be written whole. NULL when the size
 * overflows or memory is short. At least one byte is allocated. */
void *tl__alloc_paged(size_t count, size_t size, int zero);

/* Make room for `more` ratings; 0 when the count limit or memory says no. */
int tl__loader_reserve_ratings(tl_loader *ld, uint32_t more);
/* Hands the ratings columns over (the loader keeps none): returns the block
 * that owns them, trimmed, and where each column now starts; *time is NULL
 * unless every row had a timestamp (then its column is dropped). */
uint8_t *tl__loader_take_columns(tl_loader *ld, uint32_t **user, uint32_t **movie, uint32_t **time, uint8_t **half);
/* Stores row n's timestamp (n < n_ratings), widening time_shift (and
 * shifting the rows so far) when ts does not fit 32 bits at the current one. */
void tl__loader_set_time(tl_loader *ld, uint32_t n, int64_t ts);

#endif
