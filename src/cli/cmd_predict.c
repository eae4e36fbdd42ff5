/* towerlens predict --model FILE --user U --movie M: the rating head's
 * predicted rating for a user and a movie of a saved multitask model. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "serve_common.h"
#include "towerlens.h"

static int fail(const char *msg)
{
    fprintf(stderr, "towerlens predict: %s\n", msg);
    return 1;
}

int cmd_predict(int argc, char **argv)
{
    const char *model = NULL, *user_text = NULL, *movie_text = NULL;
    int json = 0;
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE",
         "a model file with a rating head (`towerlens train --rating-weight W --out FILE`, W > 0) (required)", 0, 0},
        {"user", TL_ARG_STRING, &user_text, "U", "the raw userId (required)", 0, 0},
        {"movie", TL_ARG_STRING, &movie_text, "M", "the raw movieId (required)", 0, 0},
        {"json", TL_ARG_FLAG, &json, NULL,
         "print {\"userId\", \"movieId\", \"title\", \"year\", \"rating\" (clipped to 0.5-5), \"raw\" (the head's "
         "output before clipping)}",
         0, 0},
    };
    const tl_arg_spec spec = {
        "predict",
        "--model FILE --user U --movie M [--json]",
        "Predicts the rating a user of the training data would give a movie, with the rating head of a\n"
        "multitask model (an MLP over the user's and the movie's embeddings, plus biases when the model has\n"
        "them), clipped to the rating scale 0.5-5 as protocol C scores it.",
        opts,
        sizeof opts / sizeof opts[0],
        NULL,
        NULL,
        0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r != TL_ARGS_OK) return tl_args_exit(r);
    if (!model || !user_text || !movie_text) {
        fprintf(stderr, "towerlens predict: --model FILE, --user U and --movie M are required (see --help)\n");
        return 2;
    }
    uint32_t user_id, movie_id;
    if (serve_parse_id("predict", "--user", user_text, &user_id) ||
        serve_parse_id("predict", "--movie", movie_text, &movie_id))
        return 2;

    tl_error err;
    tl_error_clear(&err);
    tl_model_file *mf = NULL;
    tl_scorer *scorer = NULL;
    int rc = 1;
    if (tl_store_load_path(model, &mf, &err) != TL_OK) return fail(err.message);
    if (tl_model_open(mf, &scorer, &err) != TL_OK) {
        rc = fail(err.message);
        goto out;
    }
    if (!tl_scorer_predicts_ratings(scorer)) {
        fprintf(stderr,
                "towerlens predict: %s has no rating head (a retrieval-only %s model); train one with "
                "--rating-weight above 0, e.g. --preset tfrs-multitask or --preset default --rating-weight 1\n",
                model, scorer->type);
        goto out;
    }
    uint32_t user, movie;
    if (tl_dataset_user_index(mf->ds, user_id, &user, &err) != TL_OK ||
        tl_dataset_movie_index(mf->ds, movie_id, &movie, &err) != TL_OK) {
        rc = fail(err.message);
        goto out;
    }
    float raw = 0.0f;
    if (tl_scorer_predict(scorer, &user, &movie, 1, &raw, &err) != TL_OK) {
        rc = fail(err.message);
        goto out;
    }
    if (raw != raw) {
        rc = fail("the rating head predicts NaN: the model file holds a diverged model");
        goto out;
    }
    float rating = tl_rating_clip(raw);
    const tl_movie *mv = &mf->ds->movies[movie];
    if (json) {
        tl_buf b;
        tl_buf_init(&b);
        tl_buf_printf(&b, "{\"userId\":%u,\"movieId\":%u,\"title\":", user_id, movie_id);
        tl_buf_json_string(&b, tl_movie_title(mf->ds, movie));
        tl_buf_printf(&b, ",\"year\":");
        if (mv->year == TL_NO_YEAR) tl_buf_printf(&b, "null");
        else tl_buf_printf(&b, "%d", mv->year);
        tl_buf_printf(&b, ",\"rating\":");
        tl_buf_json_number(&b, rating);
        tl_buf_printf(&b, ",\"raw\":");
        tl_buf_json_number(&b, raw);
        tl_buf_printf(&b, "}");
        if (b.failed) {
            tl_buf_free(&b);
            rc = fail("out of memory printing the result");
            goto out;
        }
        printf("%s\n", b.data);
        tl_buf_free(&b);
    } else {
        const char *title = tl_movie_title(mf->ds, movie);
        printf("user %u, movie %u (%s", user_id, movie_id, *title ? title : "untitled");
        if (mv->year != TL_NO_YEAR) printf(", %d", mv->year);
        printf("): predicted rating %.2f", rating);
        if (rating != raw) printf(" (head output %.3f, clipped to 0.5-5)", raw);
        printf("\n");
    }
    rc = 0;
out:
    tl_scorer_free(scorer);
    tl_model_file_free(mf);
    return rc;
}
