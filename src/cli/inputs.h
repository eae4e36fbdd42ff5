/* The input options of the commands that read data (stats, train, eval):
 * MovieLens files (detected) by default, or with --format csv a CSV with a
 * header read by column names, plus an optional items file for titles. */
#ifndef TL_CLI_INPUTS_H
#define TL_CLI_INPUTS_H

#include <stddef.h>

#include "args.h"
#include "towerlens.h"

typedef struct cli_inputs {
    const char *format; /* NULL or "movielens", or "csv" */
    const char *user_col, *item_col, *rating_col, *time_col;
    const char *items, *item_id_col, *title_col;
} cli_inputs;

#define CLI_INPUT_OPTS(in)                                                                                            \
    {"format",                                                                                                        \
     TL_ARG_STRING,                                                                                                   \
     &(in).format,                                                                                                    \
     "F",                                                                                                             \
     "movielens (MovieLens files, detected; the default) or csv (your own interactions: a CSV with a header, "        \
     "columns picked by the options below; docs/own-data.md)",                                                        \
     0,                                                                                                               \
     0},                                                                                                              \
        {"user-col", TL_ARG_STRING, &(in).user_col, "NAME", "with --format csv: the user id column (user_id)", 0, 0}, \
        {"item-col", TL_ARG_STRING, &(in).item_col, "NAME", "with --format csv: the item id column (item_id)", 0, 0}, \
        {"rating-col",                                                                                                \
         TL_ARG_STRING,                                                                                               \
         &(in).rating_col,                                                                                            \
         "NAME",                                                                                                      \
         "with --format csv: the rating column (0.5-5 stars); without it every row is a positive (implicit "          \
         "feedback)",                                                                                                 \
         0,                                                                                                           \
         0},                                                                                                          \
        {"time-col",                                                                                                  \
         TL_ARG_STRING,                                                                                               \
         &(in).time_col,                                                                                              \
         "NAME",                                                                                                      \
         "with --format csv: a timestamp column (whole seconds), optional",                                           \
         0,                                                                                                           \
         0},                                                                                                          \
        {"items", TL_ARG_STRING, &(in).items, "FILE", "with --format csv: a CSV of item titles (optional)", 0, 0},    \
        {"item-id-col",                                                                                               \
         TL_ARG_STRING,                                                                                               \
         &(in).item_id_col,                                                                                           \
         "NAME",                                                                                                      \
         "the item id column of --items (default: the --item-col name)",                                              \
         0,                                                                                                           \
         0},                                                                                                          \
    {                                                                                                                 \
        "title-col", TL_ARG_STRING, &(in).title_col, "NAME", "the title column of --items (title)", 0, 0              \
    }

/* Loads the dataset the options and paths describe. */
tl_status cli_load(const cli_inputs *in, const char *const *paths, size_t n_paths, tl_dataset **out, tl_error *err);

#endif
