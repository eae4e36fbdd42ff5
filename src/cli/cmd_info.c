/* towerlens info --model FILE [--json]: what a model file holds and which
 * ratings trained it. */
#include <stdio.h>

#include "args.h"
#include "commands.h"
#include "towerlens.h"

/* What serving leaves out for each user (the seen sets), in words. */
static const char *seen_words(const tl_model_file *mf)
{
    if (!mf->seen) return "none (recommend needs --include-seen)";
    return mf->rows.seen_all ? "every rating of each user (train and test rows)"
                             : "the train split's ratings only (an older model file: a movie rated in the test rows "
                               "can still be recommended)";
}

int cmd_info(int argc, char **argv)
{
    const char *model = NULL;
    int json = 0;
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"json", TL_ARG_FLAG, &json, NULL,
         "print {format_version, trained_on: {ratings, totalRatings, testRatings, seed, all} or null, seen, "
         "users, movies, catalogue, dim, config}",
         0, 0},
    };
    const tl_arg_spec spec = {
        "info",
        "--model FILE [--json]",
        "Describes a model file: its format version, which ratings trained it (all of them, or a split's\n"
        "train share; not recorded by format 1), what serving leaves out as seen, its sizes and config.",
        opts,
        sizeof opts / sizeof opts[0],
        NULL,
        NULL,
        0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r == TL_ARGS_OK && !model) {
        fprintf(stderr, "towerlens info: --model FILE is required (see --help)\n");
        r = TL_ARGS_ERROR;
    }
    if (r != TL_ARGS_OK) return tl_args_exit(r);
    tl_error err;
    tl_error_clear(&err);
    tl_model_file *mf = NULL;
    if (tl_store_load_path(model, &mf, &err) != TL_OK) {
        fprintf(stderr, "towerlens info: %s\n", err.message);
        return 1;
    }
    const tl_embeddings emb = tl_model_file_embeddings(mf);
    tl_buf b;
    tl_buf_init(&b);
    if (json) {
        tl_buf_printf(&b, "{\"format_version\":%u,\"trained_on\":", mf->version);
        tl_model_rows_json(&mf->rows, &b);
        tl_buf_printf(&b, ",\"seen\":%s,\"users\":%u,\"movies\":%u,\"catalogue\":%u,\"dim\":%u,\"config\":%s}",
                      !mf->seen           ? "null"
                      : mf->rows.seen_all ? "\"all\""
                                          : "\"train\"",
                      mf->ds->n_users, mf->ds->n_movies, mf->ds->n_catalogue, emb.dim, mf->config_json);
    } else {
        tl_buf_printf(&b, "model file   %s (format %u)\ntrained on   ", model, mf->version);
        tl_model_rows_describe(&mf->rows, &b);
        tl_buf_printf(
            &b, "\nseen         %s\nsizes        %u user%s, %u movie%s (%u in the catalogue), d=%u\nconfig       %s",
            seen_words(mf), mf->ds->n_users, tl_plural(mf->ds->n_users), mf->ds->n_movies, tl_plural(mf->ds->n_movies),
            mf->ds->n_catalogue, emb.dim, mf->config_json);
    }
    int rc = 0;
    if (b.failed) {
        fprintf(stderr, "towerlens info: out of memory\n");
        rc = 1;
    } else {
        printf("%s\n", b.data);
    }
    tl_buf_free(&b);
    tl_model_file_free(mf);
    return rc;
}
