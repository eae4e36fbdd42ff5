/* Data that is not MovieLens, for JavaScript: files read by column names
 * (tl_loader_map_interactions / tl_loader_map_items) and string ids turned
 * into the raw ids the other exports take. An empty column name means
 * "no such column". */
#include "handle.h"

static const char *or_null(const char *s) { return s && s[0] ? s : NULL; }

EMSCRIPTEN_KEEPALIVE int tlw_loader_map_interactions(tlw_loader *h, const char *user, const char *item,
                                                     const char *rating, const char *time)
{
    if (!h) return TL_E_ARG;
    return tl_loader_map_interactions(h->loader, user, item, or_null(rating), or_null(time), &h->err);
}

EMSCRIPTEN_KEEPALIVE int tlw_loader_map_items(tlw_loader *h, const char *id, const char *title)
{
    if (!h) return TL_E_ARG;
    return tl_loader_map_items(h->loader, id, title, &h->err);
}

/* 1 when the model's users (which = 0) or movies (1) have string ids. */
EMSCRIPTEN_KEEPALIVE int tlw_model_has_names(const tlw_model *h, int which)
{
    if (!h || !h->ds) return 0;
    return (which ? h->ds->movie_names : h->ds->user_names) != NULL;
}

/* The raw id of the user (which = 0) or movie (1) named `text`, as a
 * double; -1 with the handle's error set when there is none. */
EMSCRIPTEN_KEEPALIVE double tlw_model_find_id(tlw_model *h, int which, const char *text)
{
    if (!h || !h->ds || !text) return -1;
    uint32_t dense;
    if (which) {
        if (tl_dataset_find_movie(h->ds, text, &dense, &h->err) != TL_OK) return -1;
        return h->ds->movies[dense].id;
    }
    if (tl_dataset_find_user(h->ds, text, &dense, &h->err) != TL_OK) return -1;
    return h->ds->user_ids[dense];
}
