/* towerlens eval --model FILE PATH...: evaluate a saved model on MovieLens
 * files with the same split options as train, beside popularity. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "eval_report.h"
#include "inputs.h"
#include "towerlens.h"

int cmd_eval(int argc, char **argv)
{
    const char *model = NULL;
    uint32_t train_rows = 0, test_rows = 0, eval_rows = 0, threads = 0,
             eval_users = TL_EVAL_SAMPLE_USERS; /* large test sets: a seeded sample (docs/evaluation.md) */
    double test_fraction = 0.2;
    uint64_t seed = 42;
    int json = 0;
    tl_arg_list paths = {0};
    cli_inputs in = {0};
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"seed", TL_ARG_U64, &seed, "S", "seed of the split (as in train)", 0, 0},
        {"train-rows", TL_ARG_U32, &train_rows, "N",
         "the first N rows of the seeded permutation are train (with --test-rows; 0 = use --test-fraction)", 0,
         UINT32_MAX},
        {"test-rows", TL_ARG_U32, &test_rows, "N", "test on the next N rows (0 with --train-rows = all the rest)", 0,
         UINT32_MAX},
        {"test-fraction", TL_ARG_DOUBLE, &test_fraction, "F", "test share of the rows when no sizes are given", 0,
         TL_MAX_TEST_FRACTION},
        {"eval-users", TL_ARG_U32, &eval_users, "N", EVAL_USERS_HELP, 0, UINT32_MAX},
        {"eval-rows", TL_ARG_U32, &eval_rows, "N", EVAL_ROWS_HELP, 0, UINT32_MAX},
        {"threads", TL_ARG_U32, &threads, "N",
         "worker threads scoring the users (0 = every core); the metrics are bit-identical for any N", 0,
         TL_POOL_MAX_THREADS},
        {"json", TL_ARG_FLAG, &json, NULL,
         "print one JSON object: metrics.test and baseline.test (top_1 ... coverage_at_10), evaluated, unknown_users, "
         "unknown_movies, eval_threads, eval_seconds",
         0, 0},
        CLI_INPUT_OPTS(in),
    };
    const tl_arg_spec spec = {
        "eval",
        "--model FILE PATH... [--seed S] [--train-rows N --test-rows N | --test-fraction F]\n"
        "       [--eval-users N] [--eval-rows N] [--threads N] [--json]",
        "Evaluates a saved model on MovieLens files beside popularity: protocol A (top-K accuracy over the\n"
        "catalogue) and protocol B (Recall@20, NDCG@10/100, Coverage@10, each user's train movies excluded).\n"
        "The split is made exactly as `towerlens train` makes it: with the same files and split options as\n"
        "at training time, the numbers equal the ones train printed. Users and movies are matched by raw id;\n"
        "ids the model has never seen score with its out-of-vocabulary rows (and are counted).\n"
        "A model whose file records that it trained on every rating, or on another split or data, is refused:\n"
        "its test rows would not be held out.",
        opts,
        sizeof opts / sizeof opts[0],
        &paths,
        "PATH",
        1,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r == TL_ARGS_OK && !model) {
        fprintf(stderr, "towerlens eval: --model FILE is required (see --help)\n");
        r = TL_ARGS_ERROR;
    }
    if (r == TL_ARGS_OK && test_rows && !train_rows) {
        fprintf(stderr, "towerlens eval: --test-rows needs --train-rows (or use --test-fraction)\n");
        r = TL_ARGS_ERROR;
    }
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&paths);
        return tl_args_exit(r);
    }

    tl_error err;
    tl_error_clear(&err);
    tl_model_file *mf = NULL;
    tl_dataset *ds = NULL;
    tl_split *sp = NULL;
    tl_pool *pool = NULL;
    tl_aligned_model aligned = {0};
    tl_scorer *scorer = NULL;
    tl_buf out;
    tl_buf_init(&out);
    int rc = 1;
    tl_status st = tl_store_load_path(model, &mf, &err);
    if (st == TL_OK) st = cli_load(&in, paths.items, paths.n, &ds, &err);
    if (st == TL_OK) st = tl_dataset_same_names(mf->ds, ds, &err); /* string ids line up by rank only then */
    if (st == TL_OK) {
        tl_split_options so;
        tl_split_options_default(&so);
        so.seed = seed;
        so.train_rows = train_rows;
        so.test_rows = test_rows;
        so.test_fraction = test_fraction;
        st = tl_split_make(ds, &so, &sp, &err);
    }
    if (st == TL_OK && sp->n_test == 0)
        st = tl_fail(&err, TL_E_ARG, "this split has no test rows to evaluate on (test fraction 0)");
    if (st == TL_OK) st = tl_model_rows_check_heldout(&mf->rows, ds, sp, seed, &err);
    if (st != TL_OK) goto done;
    if (!mf->rows.known && !json)
        printf("note: this model file (format %u) does not record which rows trained it; the metrics are held out "
               "only if it was trained with this split (the same files, --seed and split options)\n",
               mf->version);
    eval_report rep;
    st = tl_model_align(mf, ds, &aligned, &err);
    if (st == TL_OK) st = tl_model_open(aligned.mf, &scorer, &err);
    if (st == TL_OK) st = tl_pool_new(threads, &pool, &err);
    if (st == TL_OK) st = eval_report_run(ds, sp, scorer, eval_rows, eval_users, seed, pool, &rep, &err);
    if (st != TL_OK) goto done;
    if (json) {
        tl_buf_puts(&out, "{\"model\":");
        tl_buf_json_string(&out, model);
        tl_buf_printf(&out, ",\"train_rows\":%u,\"test_rows\":%u,\"trained_on\":", sp->n_train, sp->n_test);
        tl_model_rows_json(&mf->rows, &out);
        eval_report_json(&rep, &out);
        tl_buf_printf(&out, ",\"unknown_users\":%u,\"unknown_movies\":%u}", aligned.unknown_users,
                      aligned.unknown_movies);
        if (out.failed) {
            st = tl_fail(&err, TL_E_NOMEM, "out of memory printing the result");
            goto done;
        }
        printf("%s\n", out.data);
    } else {
        printf("model %s on %u train / %u test rows (seed %" PRIu64 ")\n", model, sp->n_train, sp->n_test, seed);
        if (aligned.unknown_users || aligned.unknown_movies)
            printf("%u user%s and %u movie%s of the data are not in the model: they use its out-of-vocabulary rows\n",
                   aligned.unknown_users, tl_plural(aligned.unknown_users), aligned.unknown_movies,
                   tl_plural(aligned.unknown_movies));
        eval_report_print(&rep);
    }
    rc = 0;
done:
    if (st != TL_OK) fprintf(stderr, "towerlens eval: %s\n", err.message);
    tl_buf_free(&out);
    tl_pool_free(pool);
    tl_scorer_free(scorer);
    tl_aligned_model_free(&aligned);
    tl_split_free(sp);
    tl_dataset_free(ds);
    tl_model_file_free(mf);
    tl_arg_list_free(&paths);
    return rc;
}
