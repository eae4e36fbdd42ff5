/* Input options -> tl_load_paths (MovieLens) or tl_load_mapped (own CSV). */
#include "inputs.h"

#include <string.h>

#include "towerlens.h"

tl_status cli_load(const cli_inputs *in, const char *const *paths, size_t n_paths, tl_dataset **out, tl_error *err)
{
    int mapped_opts =
        in->user_col || in->item_col || in->rating_col || in->time_col || in->items || in->item_id_col || in->title_col;
    int csv = in->format && strcmp(in->format, "csv") == 0;
    if (in->format && !csv && strcmp(in->format, "movielens") != 0)
        return tl_fail(err, TL_E_ARG, "--format must be movielens or csv, got \"%s\"", in->format);
    if (!csv && mapped_opts) {
        if (in->format)
            return tl_fail(err, TL_E_ARG, "the column options (--user-col, --items, ...) need --format csv");
        csv = 1; /* a column option says what the file is */
    }
    if (!csv) return tl_load_paths(paths, n_paths, out, err);
    tl_mapped_input m = {paths,        n_paths,   in->user_col,    in->item_col, in->rating_col,
                         in->time_col, in->items, in->item_id_col, in->title_col};
    return tl_load_mapped(&m, out, err);
}
