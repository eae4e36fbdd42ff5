/* Presenting ranked movies: the JSON both the CLI (`--json`) and the WASM API
 * return, and the filters people type (genre names, year ranges). */
#ifndef TOWERLENS_RESULTS_H
#define TOWERLENS_RESULTS_H

#include <stdint.h>

#include "towerlens/buf.h"
#include "towerlens/dataset.h"
#include "towerlens/error.h"
#include "towerlens/seen.h"
#include "towerlens/topk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* {"items":[{"movieId":1,"title":"Toy Story","year":1995,"genres":["Adventure",...],
 *  "score":1.25,"ratings":215,"imdbId":114709,"tmdbId":862}, ...]} best first;
 * year, imdbId and tmdbId are null when unknown. */
void tl_results_json(const tl_dataset *ds, const tl_scored *items, uint32_t n, tl_buf *out);

/* The same with each item's "because you rated" reasons (index.h): item i
 * gets "because":[{"movieId","title","rating"}, ...] from reasons[i * max
 * ...], n_reasons[i] of them, largest share first ("rating" is null when
 * unknown). reasons / n_reasons NULL: no "because" key (tl_results_json). */
struct tl_reason;
void tl_results_json_because(const tl_dataset *ds, const tl_scored *items, uint32_t n, const struct tl_reason *reasons,
                             const uint32_t *n_reasons, uint32_t max, tl_buf *out);

/* One movie as the JSON object above, without "score". */
void tl_movie_json(const tl_dataset *ds, uint32_t movie, tl_buf *out);

/* The catalogue (movies listed in the movies file, ascending movieId) as a
 * JSON array of the objects above: what a title search looks through. */
void tl_catalogue_json(const tl_dataset *ds, tl_buf *out);

/* Orders for tl_user_ratings_json. */
typedef enum tl_rating_order {
    TL_RATING_ORDER_BEST = 0, /* highest rating first; ties: more-rated movie first, then lower movieId */
    TL_RATING_ORDER_FILE = 1  /* the order of the ratings file */
} tl_rating_order;

/* The ratings of raw user `user_id` in the dataset's rating rows as a JSON
 * array of movie objects (above) with "rating" added, in `order`, at most
 * `limit` of them (0 = all). With `seen` (the seen sets of a model trained
 * on this dataset's vocabularies) only the user's seen movies count: what
 * the model trained on. TL_E_NOTFOUND naming the id when the dataset has no
 * such user; TL_E_NOMEM when the buffer failed. */
tl_status tl_user_ratings_json(const tl_dataset *ds, const tl_seen *seen, uint32_t user_id, uint32_t limit,
                               tl_rating_order order, tl_buf *out, tl_error *err);

/* Adds the bit of genre `name` (case-insensitive) to *mask; TL_E_NOTFOUND
 * listing the known genres when the dataset has no such genre. */
tl_status tl_genre_mask_add(const tl_dataset *ds, const char *name, uint64_t *mask, tl_error *err);

/* "1990-1999", "1990-" or "-1999" or "1995" -> inclusive bounds (0 = open). */
tl_status tl_parse_year_range(const char *text, int *year_min, int *year_max, tl_error *err);

#ifdef __cplusplus
}
#endif
#endif
