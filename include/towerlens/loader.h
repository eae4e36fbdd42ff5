/* Streaming MovieLens ingest: files are fed in chunks of any size; the kind
 * of each file (ratings, movies, tags, links; CSV, ml-100k, ml-1m layouts)
 * is detected from its header or content, never from its name. */
#ifndef TOWERLENS_LOADER_H
#define TOWERLENS_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "towerlens/dataset.h"
#include "towerlens/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tl_file_kind {
    TL_FILE_UNKNOWN = 0,
    TL_FILE_RATINGS, /* ratings.csv, u.data, ratings.dat */
    TL_FILE_MOVIES,  /* movies.csv, u.item, movies.dat */
    TL_FILE_TAGS,    /* tags.csv, tags.dat */
    TL_FILE_LINKS,   /* links.csv */
    TL_FILE_IGNORED  /* recognised but not used (README.txt, u.user, genome files) */
} tl_file_kind;

typedef struct tl_loader tl_loader;

tl_loader *tl_loader_new(void);
void tl_loader_free(tl_loader *ld);

/* Start a file. `name` is used in messages ("ratings.csv:12: ..."). */
tl_status tl_loader_begin(tl_loader *ld, const char *name, tl_error *err);
/* Optional, right after tl_loader_begin: the current file must be of this
 * kind (e.g. the page's "ratings" slot); another kind is a TL_E_FORMAT error
 * naming what was expected. TL_FILE_UNKNOWN accepts any kind (the default). */
tl_status tl_loader_expect(tl_loader *ld, tl_file_kind kind, tl_error *err);
/* Optional, after tl_loader_begin: the current file's size in bytes when
 * known (File.size, fstat). A ratings file then gets its memory reserved
 * once (about size/20 ratings; untouched pages cost no RAM) instead of
 * growing by copies; the reservation is trimmed in tl_loader_finish. */
tl_status tl_loader_size_hint(tl_loader *ld, uint64_t bytes, tl_error *err);
/* Optional, right after tl_loader_begin: the current file is a CSV with a
 * header whose columns are picked by name (not a MovieLens layout): an
 * interactions file with columns `user` and `item` and optionally `rating`
 * (MovieLens stars, 0.5 to 5 in halves) and `time` (whole seconds). Without
 * a rating column every row is a positive interaction (implicit feedback),
 * stored as 5 stars. Ids are strings kept as given; a vocabulary whose ids
 * are all plain numbers (digits, no leading zero) keeps numeric ids, any
 * other gets a string table in the dataset (dataset.h). The separator is a
 * comma, or a tab when the header holds tabs and no comma. A header without
 * a wanted column is a TL_E_FORMAT error naming the columns it has. */
tl_status tl_loader_map_interactions(tl_loader *ld, const char *user, const char *item, const char *rating,
                                     const char *time, tl_error *err);
/* Optional, right after tl_loader_begin: the current file is an items file
 * with a header: column `id` holds the item ids of a mapped interactions
 * file, column `title` their titles (a trailing "(1995)" becomes the year). */
tl_status tl_loader_map_items(tl_loader *ld, const char *id, const char *title, tl_error *err);
/* Feed the next chunk of the current file; any size, including 1 byte. */
tl_status tl_loader_feed(tl_loader *ld, const uint8_t *bytes, size_t n, tl_error *err);
/* End the current file; reports its detected kind. */
tl_status tl_loader_end(tl_loader *ld, tl_file_kind *kind, tl_error *err);
/* Build the dataset from everything fed (needs at least one ratings file).
 * The loader may be freed afterwards; the dataset owns its memory.
 * After any error the loader keeps reporting it: free it and use a new one. */
tl_status tl_loader_finish(tl_loader *ld, tl_dataset **out, tl_error *err);

/* Convenience for the CLI and tests: files or folders (a folder contributes
 * the MovieLens files it holds), read in chunks. */
tl_status tl_load_paths(const char *const *paths, size_t n_paths, tl_dataset **out, tl_error *err);

/* tl_load_paths for files that are not MovieLens: `interactions` read with
 * tl_loader_map_interactions(columns), then `items` (may be NULL) with
 * tl_loader_map_items. Column names that are NULL default to
 * user_id, item_id, (no rating), (no time), item_id, title. */
typedef struct tl_mapped_input {
    const char *const *interactions;
    size_t n_interactions;
    const char *user_col, *item_col, *rating_col, *time_col;
    const char *items;
    const char *item_id_col, *title_col;
} tl_mapped_input;
tl_status tl_load_mapped(const tl_mapped_input *in, tl_dataset **out, tl_error *err);

/* "ratings", "movies", "tags", "links", "unused", "unknown" */
const char *tl_file_kind_name(tl_file_kind kind);

/* The summary object printed by `towerlens stats --json` and returned by the
 * JS API: ratings, users, movies, rated_movies, genres, rating_min,
 * rating_max, first_timestamp, last_timestamp, warnings, ... */
struct tl_buf;
void tl_dataset_summary_json(const tl_dataset *ds, struct tl_buf *out);

#ifdef __cplusplus
}
#endif
#endif
