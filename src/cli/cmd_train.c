/* towerlens train PATH...: split, train the two-tower model step by step,
 * evaluate it beside the popularity baseline, optionally save it. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "args.h"
#include "commands.h"
#include "eval_report.h"
#include "inputs.h"
#include "towerlens.h"

typedef struct train_opts {
    const char *preset, *out, *solver; /* solver: NULL = the preset's */
    const char *visitor_prior;         /* "auto", "off" or "W3,W10"; NULL = the preset's */
    uint32_t cg_steps;
    uint32_t epochs, dim, batch, train_rows, test_rows, eval_rows, eval_users, threads;
    double lr, test_fraction;
    double rating_weight, retrieval_weight; /* the multitask weights */
    uint64_t seed;
    int json;
    cli_inputs in; /* --format csv and its column options */
} train_opts;

/* --visitor-prior auto|off|W3,W10 into the config (range checked with the rest). */
static tl_status parse_visitor_prior(const char *v, tl_train_config *cfg, tl_error *err)
{
    if (!strcmp(v, "auto") || !strcmp(v, "off")) {
        cfg->visitor_prior_auto = !strcmp(v, "auto");
        cfg->visitor_prior_w3 = cfg->visitor_prior_w10 = 0.0f;
        return TL_OK;
    }
    cfg->visitor_prior_auto = 0;
    char *end = NULL;
    double w3 = strtod(v, &end);
    if (end == v || *end != ',') goto bad;
    const char *second = end + 1;
    double w10 = strtod(second, &end);
    if (end == second || *end) goto bad;
    cfg->visitor_prior_w3 = (float)w3;
    cfg->visitor_prior_w10 = (float)w10;
    return TL_OK;
bad:
    return tl_fail(err, TL_E_ARG, "--visitor-prior wants auto, off or two numbers W3,W10 (e.g. 4,3), got \"%s\"", v);
}

/* The --preset value, found before parsing so --help shows that preset's
 * numbers as the defaults. */
static const char *find_preset(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--preset") && i + 1 < argc) return argv[i + 1];
        if (!strncmp(argv[i], "--preset=", 9)) return argv[i] + 9;
    }
    return "default";
}

/* The --rating-weight value, found before parsing for the same reason:
 * `--preset default --rating-weight W` starts from the default joint model
 * (tl_train_config_set_rating). 0 when absent or not a number (the parser
 * reports bad values). */
static double find_rating_weight(int argc, char **argv)
{
    const char *v = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--rating-weight") && i + 1 < argc) v = argv[i + 1];
        if (!strncmp(argv[i], "--rating-weight=", 16)) v = argv[i] + 16;
    }
    if (!v) return 0.0;
    char *end;
    double w = strtod(v, &end);
    return (*end || !(w > 0.0 && w <= 1e6)) ? 0.0 : w;
}

/* Process CPU seconds: the benchmark reports them beside wall time, which a
 * busy shared machine inflates. */
static double cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t peak_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (uint64_t)ru.ru_maxrss * 1024u; /* Linux reports kilobytes */
}

static tl_status run_training(tl_trainer *tr, const train_opts *o, tl_error *err)
{
    const tl_train_config *cfg = tl_trainer_config(tr);
    uint32_t printed = 0;
    int first_printed = 0;
    tl_train_progress p;
    do {
        tl_status st = tl_trainer_step(tr, 1, 0, &p, err);
        if (st != TL_OK) return st;
        if (o->json) continue;
        if (!first_printed && p.examples_seen > 0) { /* the model type's word on its first batch, if any */
            tl_buf note;
            tl_buf_init(&note);
            tl_train_first_batch_note(cfg, &p, &note);
            if (note.len && !note.failed) printf("%s\n", note.data);
            tl_buf_free(&note);
            first_printed = 1;
        }
        uint32_t n;
        const tl_epoch_record *ep = tl_trainer_epochs(tr, &n);
        for (; printed < n; printed++) {
            const tl_epoch_record *e = &ep[printed];
            uint64_t per_epoch = p.examples_seen / (p.epochs_completed ? p.epochs_completed : 1);
            printf("epoch %u/%u  loss %.1f (%s; %.4f per example)  %.2f s  %.0f examples/s", e->epoch, cfg->epochs,
                   e->loss, tl_train_loss_name(cfg), e->loss_per_example, e->seconds,
                   e->seconds > 0 ? (double)per_epoch / e->seconds : 0.0);
            if (cfg->rating_weight > 0.0f) printf("  rating train RMSE %.4f", sqrt(e->rating_mse));
            printf("\n");
            fflush(stdout);
        }
    } while (!p.done);
    return TL_OK;
}

/* The file's seen sets are every rating of each user (train and test rows):
 * serving must never recommend a movie the user rated in any split. */
static tl_status save_model(const char *path, const tl_dataset *ds, const tl_trainer *tr, const char *conf,
                            const tl_model_rows *rows, tl_error *err)
{
    tl_seen *seen = NULL;
    tl_status st = tl_seen_new(ds, NULL, ds->n_ratings, &seen, err);
    if (st != TL_OK) return st;
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    uint32_t n = tl_trainer_tensors(tr, t);
    st = tl_store_save_path(path, ds, seen, conf, rows, t, n, err);
    tl_seen_free(seen);
    return st;
}

static int train_main(const train_opts *o, const tl_arg_list *paths)
{
    tl_error err;
    tl_error_clear(&err);
    tl_dataset *ds = NULL;
    tl_split *sp = NULL;
    tl_trainer *tr = NULL;
    tl_buf conf, out;
    tl_buf_init(&conf);
    tl_buf_init(&out);
    int rc = 1;

    tl_train_config cfg;
    tl_status st = tl_train_config_preset(&cfg, o->preset, &err);
    if (st == TL_OK) {
        tl_train_config_set_rating(&cfg, (float)o->rating_weight);
        cfg.epochs = o->epochs;
        cfg.dim = o->dim;
        cfg.batch_size = o->batch;
        cfg.learning_rate = (float)o->lr;
        cfg.seed = o->seed;
        cfg.retrieval_weight = (float)o->retrieval_weight;
        cfg.threads = o->threads;
        cfg.ials_cg_steps = o->cg_steps;
        if (o->solver) st = tl_train_config_set_solver(&cfg, o->solver, &err);
        if (st == TL_OK && o->visitor_prior) st = parse_visitor_prior(o->visitor_prior, &cfg, &err);
        if (st == TL_OK) st = tl_train_config_check(&cfg, &err);
    }
    if (st == TL_OK) st = cli_load(&o->in, paths->items, paths->n, &ds, &err);
    if (st == TL_OK) {
        tl_split_options so;
        tl_split_options_default(&so);
        so.seed = o->seed;
        so.train_rows = o->train_rows;
        so.test_rows = o->test_rows;
        so.test_fraction = o->test_fraction;
        st = tl_split_make(ds, &so, &sp, &err);
    }
    if (st == TL_OK) st = tl_trainer_new(ds, sp, &cfg, &tr, &err);
    if (st != TL_OK) goto done;

    if (!o->json) { /* the model type describes itself; then what every run shares */
        tl_buf about;
        tl_buf_init(&about);
        tl_train_config_describe(tl_trainer_config(tr), &about);
        char threads[40];
        snprintf(threads, sizeof threads, ", %u thread%s", tl_trainer_threads(tr), tl_plural(tl_trainer_threads(tr)));
        const char *nl = about.failed ? NULL : strchr(about.data ? about.data : "", '\n');
        int head = nl ? (int)(nl - about.data) : (int)about.len;
        printf("training preset %s: %.*s%s; %u train / %u test rows (seed %" PRIu64 "), %u user%s, %u movie%s\n%s%s",
               cfg.preset, head, about.data ? about.data : "", threads, sp->n_train, sp->n_test, cfg.seed, ds->n_users,
               tl_plural(ds->n_users), ds->n_movies, tl_plural(ds->n_movies), nl ? nl + 1 : "", nl ? "\n" : "");
        tl_buf_free(&about);
    }
    double cpu0 = cpu_seconds();
    st = run_training(tr, o, &err);
    double train_cpu = cpu_seconds() - cpu0;
    if (st != TL_OK) goto done;

    eval_report rep;
    memset(&rep, 0, sizeof rep);
    /* types without embedding tables (popularity) are evaluated once they have a scorer */
    int have_metrics = sp->n_test > 0;
    if (have_metrics) {
        /* evaluation on the trainer's threads, or on --threads of its own */
        tl_pool *pool = tl_trainer_pool(tr), *own = NULL;
        if (!pool && tl_pool_new(o->threads, &own, &err) == TL_OK) pool = own;
        tl_scorer *scorer = NULL;
        st = tl_trainer_open(tr, ds, &scorer, &err);
        if (st == TL_OK) st = eval_report_run(ds, sp, scorer, o->eval_rows, o->eval_users, o->seed, pool, &rep, &err);
        tl_scorer_free(scorer);
        tl_pool_free(own);
        if (st != TL_OK) goto done;
    }

    tl_train_config_json(tl_trainer_config(tr), sp, &conf); /* with the visitor prior as chosen */
    tl_prior_choice prior;
    tl_trainer_prior_choice(tr, &prior);
    tl_model_rows rows;
    tl_model_rows_of_split(ds, sp, o->seed, &rows);
    if (o->out) {
        st = save_model(o->out, ds, tr, conf.failed ? "{}" : conf.data, &rows, &err);
        if (st != TL_OK) goto done;
    }

    uint64_t hash = tl_trainer_hash(tr); /* with the rating head's when there is one */
    tl_train_progress p;
    tl_trainer_get_progress(tr, &p);
    uint32_t n_ep;
    const tl_epoch_record *ep = tl_trainer_epochs(tr, &n_ep);
    if (o->json) {
        tl_buf_printf(&out, "{\"config\":%s,\"epochs\":[", conf.failed ? "{}" : conf.data);
        for (uint32_t e = 0; e < n_ep; e++) {
            tl_buf_printf(&out, "%s{\"epoch\":%u,\"loss\":", e ? "," : "", ep[e].epoch);
            tl_buf_json_number(&out, ep[e].loss);
            tl_buf_printf(&out, ",\"loss_per_example\":");
            tl_buf_json_number(&out, ep[e].loss_per_example);
            tl_buf_printf(&out, ",\"seconds\":");
            tl_buf_json_number(&out, ep[e].seconds);
            tl_buf_printf(&out, "}");
        }
        tl_buf_printf(&out, "],\"first_batch_loss\":");
        tl_buf_json_number(&out, p.first_batch_loss);
        tl_buf_printf(&out, ",\"train_seconds\":");
        tl_buf_json_number(&out, p.seconds);
        tl_buf_printf(&out, ",\"threads\":%u,\"train_cpu_seconds\":", tl_trainer_threads(tr));
        tl_buf_json_number(&out, train_cpu);
        tl_buf_printf(&out, ",\"examples_per_second\":");
        tl_buf_json_number(&out, p.examples_per_second);
        tl_buf_puts(&out, ",\"visitor_prior\":");
        tl_prior_choice_json(&prior, &out);
        if (have_metrics) eval_report_json(&rep, &out);
        else tl_buf_puts(&out, ",\"metrics\":null,\"baseline\":null");
        tl_buf_puts(&out, ",\"trained_on\":");
        tl_model_rows_json(&rows, &out);
        tl_buf_printf(&out, ",\"trainer_bytes\":%zu,\"peak_bytes\":%" PRIu64 ",\"model_hash\":\"%016" PRIx64 "\"",
                      tl_trainer_bytes(tr), peak_bytes(), hash);
        if (o->out) {
            tl_buf_printf(&out, ",\"out\":");
            tl_buf_json_string(&out, o->out);
        }
        tl_buf_printf(&out, "}");
        if (out.failed) {
            st = tl_fail(&err, TL_E_NOMEM, "out of memory printing the result");
            goto done;
        }
        printf("%s\n", out.data);
    } else {
        printf("trained in %.2f s (%.0f examples/s); model hash %016" PRIx64 "\n", p.seconds, p.examples_per_second,
               hash);
        tl_buf_reset(&conf);
        tl_prior_choice_describe(&prior, &conf);
        printf("%s\n", conf.failed ? "?" : conf.data);
        tl_buf_reset(&conf);
        tl_model_rows_describe(&rows, &conf);
        printf("trained on %s\n", conf.failed ? "?" : conf.data);
        if (have_metrics) eval_report_print(&rep);
        else if (sp->n_test > 0)
            printf("no held-out metrics: model type %s has no scorer in the trainer yet\n", tl_trainer_type(tr)->name);
        else
            printf("no held-out metrics: every rating trained the model (test share 0), so there is nothing to "
                   "evaluate on; train with --test-fraction F to measure, then on everything to serve\n");
        printf("\npeak memory %.1f MB (trainer buffers %.1f MB)\n", peak_bytes() / 1e6, tl_trainer_bytes(tr) / 1e6);
        if (o->out) printf("saved the model to %s\n", o->out);
    }
    rc = 0;

done:
    if (st != TL_OK) fprintf(stderr, "towerlens train: %s\n", err.message);
    tl_buf_free(&conf);
    tl_buf_free(&out);
    tl_trainer_free(tr);
    tl_split_free(sp);
    tl_dataset_free(ds);
    return rc;
}

/* One preset's main numbers as --help shows them: its model type's own
 * description (tl_train_config_describe), on one line. */
static void preset_numbers(tl_buf *b, const tl_train_config *c)
{
    tl_buf about;
    tl_buf_init(&about);
    tl_train_config_describe(c, &about);
    for (size_t i = 0; i < about.len && !about.failed; i++) {
        if (about.data[i] == '\n') tl_buf_puts(b, "; ");
        else tl_buf_printf(b, "%c", about.data[i]);
    }
    tl_buf_free(&about);
}

/* The --preset help and the synopsis's NAME choice, written from the core's
 * preset table (tl_train_preset_name/about), so a preset added there shows
 * up here with no edit. */
static void preset_texts(tl_buf *help, tl_buf *choice)
{
    for (size_t i = 0; tl_train_preset_name(i); i++) {
        tl_train_config c, joint;
        tl_train_config_preset(&c, tl_train_preset_name(i), NULL);
        tl_buf_printf(help, "%s%s (%s", i ? "; " : "", c.preset, tl_train_preset_about(i));
        if (!strcmp(c.preset, "default")) tl_buf_puts(help, ", used when --preset is not given");
        tl_buf_puts(help, ": ");
        preset_numbers(help, &c);
        joint = c;
        tl_train_config_set_rating(&joint, 1.0f);
        if (joint.loss != c.loss) { /* a rating weight turns it into another model */
            tl_buf_puts(help, "; with --rating-weight W > 0 the default joint model instead: in-batch softmax, ");
            preset_numbers(help, &joint);
        }
        tl_buf_puts(help, ")");
        tl_buf_printf(choice, "%s%s", i ? "|" : "", c.preset);
    }
    tl_buf_puts(help, ". The numbers below are the chosen preset's");
}

int cmd_train(int argc, char **argv)
{
    tl_train_config preset;
    tl_error err;
    train_opts o;
    memset(&o, 0, sizeof o);
    o.preset = find_preset(argc, argv);
    if (tl_train_config_preset(&preset, o.preset, &err) != TL_OK) {
        fprintf(stderr, "towerlens train: --preset: %s\n", err.message);
        return 2;
    }
    double rating_weight = find_rating_weight(argc, argv);
    if (rating_weight > 0.0) tl_train_config_set_rating(&preset, (float)rating_weight);
    o.epochs = preset.epochs;
    o.dim = preset.dim;
    o.batch = preset.batch_size;
    o.lr = preset.learning_rate;
    o.seed = preset.seed;
    o.eval_users = TL_EVAL_SAMPLE_USERS; /* large test sets: a seeded sample (docs/evaluation.md) */
    o.test_fraction = 0.2;
    o.rating_weight = preset.rating_weight;
    o.retrieval_weight = preset.retrieval_weight;
    o.cg_steps = preset.ials_cg_steps;
    tl_arg_list paths = {0};
    tl_buf help, choice, synopsis;
    tl_buf_init(&help);
    tl_buf_init(&choice);
    tl_buf_init(&synopsis);
    preset_texts(&help, &choice);
    tl_buf_printf(&synopsis, "PATH... [--preset %s] [--epochs N] [--dim D] [--batch B] [--lr X] [--seed S]\n",
                  choice.failed ? "NAME" : choice.data);
    tl_buf_puts(&synopsis,
                "       [--threads N] [--solver exact|cg] [--cg-steps N]\n"
                "       [--rating-weight W] [--retrieval-weight W] [--visitor-prior auto|off|W3,W10]\n"
                "       [--train-rows N --test-rows N | --test-fraction F] [--eval-users N] [--eval-rows N]\n"
                "       [--out FILE] [--json]\n"
                "       [--format csv --user-col C --item-col C [--rating-col C] [--time-col C] [--items FILE]]");
    const tl_arg_opt opts[] = {
        {"preset", TL_ARG_STRING, &o.preset, "NAME", help.failed ? "a preset" : help.data, 0, 0},
        {"epochs", TL_ARG_U32, &o.epochs, "N", "training epochs", 1, TL_MAX_EPOCHS},
        {"rating-weight", TL_ARG_DOUBLE, &o.rating_weight, "W",
         "weight of the rating loss (squared error of the rating head, an MLP over the user and movie "
         "embeddings); 0 = no rating head. With --preset default, 1 trains the default joint model",
         0, 1e6},
        {"retrieval-weight", TL_ARG_DOUBLE, &o.retrieval_weight, "W",
         "weight of the retrieval loss (in-batch softmax); 0 with a rating weight trains for ratings only", 0, 1e6},
        {"visitor-prior", TL_ARG_STRING, &o.visitor_prior, "auto|off|W3,W10",
         "the popularity prior in a visitor's fold-in (embedding presets): a visitor with k ratings ranks by "
         "z(u.m) + w(k) z(ln(1 + liked count)), w = W3 at k <= 3, W10 at k >= 10. auto (preset default's "
         "default) chooses W3 and W10 at training on validation users, from their first ratings by time "
         "(needs timestamps; else off); off = 0,0 = the plain fold-in (every other preset's default); "
         "W3,W10 fixes them (docs/training.md \"Visitors\")",
         0, 0},
        {"dim", TL_ARG_U32, &o.dim, "D", "embedding dimension", 1, TL_MAX_DIM},
        {"batch", TL_ARG_U32, &o.batch, "B",
         "batch size (in-batch softmax over B x B logits; for default: row solves per batch)", 1, TL_MAX_BATCH},
        {"threads", TL_ARG_U32, &o.threads, "N",
         "worker threads for training (every preset) and for the evaluation (0 = every core); the model and "
         "the metrics are bit-identical for any N",
         0, TL_MAX_THREADS},
        {"solver", TL_ARG_STRING, &o.solver, "exact|cg",
         "how the default preset's iALS solves each row: exact (Cholesky) or cg (a few conjugate-gradient "
         "steps from the row's current vector; docs/training.md)",
         0, 0},
        {"cg-steps", TL_ARG_U32, &o.cg_steps, "N", "conjugate-gradient steps per row solve with --solver cg", 1,
         TL_MAX_CG_STEPS},
        {"lr", TL_ARG_DOUBLE, &o.lr, "X",
         "Adagrad learning rate of the in-batch softmax presets (tfrs, tfrs-multitask, and default with "
         "--rating-weight); the default preset's iALS solves each row in closed form (exact or CG) and has no learning "
         "rate, so --lr "
         "is ignored there",
         1e-6, 100},
        {"seed", TL_ARG_U64, &o.seed, "S",
         "seed of the split (S; validation S+1), the initialisation (S+2) and the batch order (S+3)", 0, 0},
        {"train-rows", TL_ARG_U32, &o.train_rows, "N",
         "train on the first N rows of the seeded permutation (with --test-rows; 0 = use --test-fraction)", 0,
         UINT32_MAX},
        {"test-rows", TL_ARG_U32, &o.test_rows, "N",
         "test on the next N rows (0 with --train-rows = all the rest; none when --train-rows is every row)", 0,
         UINT32_MAX},
        {"test-fraction", TL_ARG_DOUBLE, &o.test_fraction, "F",
         "test share of the rows when no sizes are given; 0 trains on every rating (no held-out metrics: the "
         "model to serve after measuring on a split)",
         0, TL_MAX_TEST_FRACTION},
        {"eval-users", TL_ARG_U32, &o.eval_users, "N", EVAL_USERS_HELP, 0, UINT32_MAX},
        {"eval-rows", TL_ARG_U32, &o.eval_rows, "N", EVAL_ROWS_HELP, 0, UINT32_MAX},
        {"out", TL_ARG_STRING, &o.out, "FILE", "save the trained model (towerlens model file)", 0, 0},
        {"json", TL_ARG_FLAG, &o.json, NULL,
         "print one JSON object at the end: config, epochs [{epoch, loss, loss_per_example, seconds}], "
         "first_batch_loss, threads (used), metrics.test and baseline.test (top_1, top_5, top_10, top_50, top_100, "
         "recall_at_20, "
         "ndcg_at_10, ndcg_at_100, coverage_at_10; with a rating head also rmse and mae, the baseline's from "
         "the bias baseline), peak_bytes, model_hash",
         0, 0},
        CLI_INPUT_OPTS(o.in),
    };
    const tl_arg_spec spec = {
        "train",
        synopsis.failed ? "PATH... [options]" : synopsis.data,
        "Trains a recommender (default: implicit ALS with rating-value confidence, blended per user with\n"
        "EASE and the time neighbours (movies people rated one after the other) when at most 4096 movies\n"
        "have 5 train ratings and there are at most 1,000,000 train rows;\n"
        "tfrs: the original's two towers, in-batch softmax, Adagrad) on\n"
        "MovieLens files, printing each epoch's loss and time, then evaluates it on the test rows beside a\n"
        "popularity baseline: protocol A (top-K accuracy over the catalogue, the original's FactorizedTopK)\n"
        "and protocol B (Recall@20, NDCG@10/100, Coverage@10 with each user's train movies excluded).\n"
        "The split permutes rating rows with splitmix64(S); train = the first rows, test = the next.\n"
        "With --rating-weight W > 0 a rating head is trained jointly (the original's multitask model) and\n"
        "protocol C (RMSE, MAE on the test rows) is printed beside a bias baseline; `towerlens predict` serves it.\n"
        "The model file records which rows trained it (seed, train / test / total rows); --test-fraction 0\n"
        "trains on every rating, the model to serve once a split has measured it.\n"
        "Same files and options give a bit-identical model (see model_hash).",
        opts,
        sizeof opts / sizeof opts[0],
        &paths,
        "PATH",
        1,
    };
    int r = tl_args_parse(&spec, argc, argv);
    tl_buf_free(&help);
    tl_buf_free(&choice);
    tl_buf_free(&synopsis);
    if (r != TL_ARGS_OK) {
        tl_arg_list_free(&paths);
        return tl_args_exit(r);
    }
    if (o.test_rows && !o.train_rows) {
        fprintf(stderr, "towerlens train: --test-rows needs --train-rows (or use --test-fraction)\n");
        tl_arg_list_free(&paths);
        return 2;
    }
    int rc = train_main(&o, &paths);
    tl_arg_list_free(&paths);
    return rc;
}
