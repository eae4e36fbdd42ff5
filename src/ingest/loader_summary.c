/* The dataset summary shared by `towerlens stats --json` and the JS API. */
#include "towerlens/buf.h"
#include "towerlens/loader.h"

void tl_dataset_summary_json(const tl_dataset *ds, tl_buf *out)
{
    int lo = 0, hi = 0;
    double sum = 0;
    for (int h = 1; h <= 10; h++) {
        if (!ds->rating_hist[h]) continue;
        if (!lo) lo = h;
        hi = h;
        sum += (double)ds->rating_hist[h] * h * 0.5;
    }
    tl_buf_printf(out, "{\"ratings\":%u,\"users\":%u,\"movies\":%u,\"rated_movies\":%u,\"movies_total\":%u,",
                  ds->n_ratings, ds->n_users, ds->n_catalogue, ds->n_rated_movies, ds->n_movies);
    tl_buf_puts(out, "\"genres\":[");
    for (uint32_t g = 0; g < ds->n_genres; g++) {
        if (g) tl_buf_puts(out, ",");
        tl_buf_json_string(out, ds->genre_names[g]);
    }
    tl_buf_puts(out, "],\"rating_min\":");
    tl_buf_json_number(out, lo * 0.5);
    tl_buf_puts(out, ",\"rating_max\":");
    tl_buf_json_number(out, hi * 0.5);
    tl_buf_puts(out, ",\"rating_mean\":");
    tl_buf_json_number(out, ds->n_ratings ? sum / ds->n_ratings : 0.0);
    tl_buf_puts(out, ",\"rating_histogram\":{");
    for (int h = 1; h <= 10; h++)
        tl_buf_printf(out, "%s\"%d.%d\":%u", h > 1 ? "," : "", h / 2, h % 2 ? 5 : 0, ds->rating_hist[h]);
    tl_buf_puts(out, ds->implicit ? "},\"implicit\":true" : "}"); /* the key only for implicit feedback */
    tl_buf_printf(out, ",\"first_timestamp\":%lld,\"last_timestamp\":%lld,\"tags\":%u,\"warnings\":[",
                  (long long)ds->first_timestamp, (long long)ds->last_timestamp, ds->n_tags);
    for (uint32_t w = 0; w < ds->n_warnings; w++) {
        if (w) tl_buf_puts(out, ",");
        tl_buf_json_string(out, ds->warnings[w]);
    }
    tl_buf_puts(out, "]}");
}
