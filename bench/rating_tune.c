/* One rating configuration trained and scored: the tool behind the tuning
 * in docs/rating.md. Validation mode (the default) trains on the train rows
 * minus the validation rows (seed S+1, 10%) and scores the validation rows
 * after every epoch; eval=test trains on all train rows and scores test.
 *
 *   rating_tune DATA [key=value]...
 *   keys: preset dim batch epochs lr seed rw (rating weight) tw (retrieval weight)
 *         hidden=256,128|none biases warm red=mean|sum l2w l2b l2e hlr hinit breg_u breg_m
 *         train_rows test_rows eval=valid|test top=N (protocol A top-100 on N sampled rows)
 *         baseline_only=1 (only the bias baseline) biter (its iterations)
 * Prints one line per epoch and a final summary line starting "RESULT". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include "towerlens/eval.h"
#include "towerlens/eval_rating.h"
#include "towerlens/loader.h"
#include "towerlens/split.h"
#include "towerlens/train.h"

static int die(const tl_error *e)
{
    fprintf(stderr, "rating_tune: %s\n", e->message);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: rating_tune DATA [key=value]...\n");
        return 2;
    }
    const char *preset = "default";
    for (int i = 2; i < argc; i++)
        if (!strncmp(argv[i], "preset=", 7)) preset = argv[i] + 7;
    tl_error err;
    tl_error_clear(&err);
    tl_train_config cfg;
    if (tl_train_config_preset(&cfg, preset, &err) != TL_OK) return die(&err);
    if (cfg.rating_weight == 0.0f) tl_train_config_set_rating(&cfg, 1.0f); /* the default joint model */
    uint32_t train_rows = 80000, test_rows = 20000, top_rows = 0;
    int test_mode = 0, baseline_only = 0;
    for (int i = 2; i < argc; i++) {
        char key[32];
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq - argv[i] >= 31) {
            fprintf(stderr, "bad argument %s\n", argv[i]);
            return 2;
        }
        memcpy(key, argv[i], (size_t)(eq - argv[i]));
        key[eq - argv[i]] = 0;
        const char *v = eq + 1;
        double x = atof(v);
        if (!strcmp(key, "preset")) continue;
        else if (!strcmp(key, "dim")) cfg.dim = (uint32_t)x;
        else if (!strcmp(key, "batch")) cfg.batch_size = (uint32_t)x;
        else if (!strcmp(key, "epochs")) cfg.epochs = (uint32_t)x;
        else if (!strcmp(key, "lr")) cfg.learning_rate = (float)x;
        else if (!strcmp(key, "seed")) cfg.seed = strtoull(v, NULL, 10);
        else if (!strcmp(key, "rw")) cfg.rating_weight = (float)x;
        else if (!strcmp(key, "tw")) cfg.retrieval_weight = (float)x;
        else if (!strcmp(key, "biases")) cfg.head.biases = (int)x;
        else if (!strcmp(key, "warm")) cfg.head.warm_start = (int)x;
        else if (!strcmp(key, "red")) cfg.head.reduction = !strcmp(v, "sum") ? TL_RATING_SUM : TL_RATING_MEAN;
        else if (!strcmp(key, "l2w")) cfg.head.l2_weights = (float)x;
        else if (!strcmp(key, "l2b")) cfg.head.l2_biases = (float)x;
        else if (!strcmp(key, "l2e")) cfg.head.l2_embeddings = (float)x;
        else if (!strcmp(key, "hlr")) cfg.head.learning_rate = (float)x;
        else if (!strcmp(key, "hinit")) cfg.head.adagrad_initial = (float)x;
        else if (!strcmp(key, "breg_u")) cfg.head.baseline.reg_user = (float)x;
        else if (!strcmp(key, "breg_m")) cfg.head.baseline.reg_movie = (float)x;
        else if (!strcmp(key, "train_rows")) train_rows = (uint32_t)x;
        else if (!strcmp(key, "test_rows")) test_rows = (uint32_t)x;
        else if (!strcmp(key, "top")) top_rows = (uint32_t)x;
        else if (!strcmp(key, "eval")) test_mode = !strcmp(v, "test");
        else if (!strcmp(key, "baseline_only")) baseline_only = (int)x;
        else if (!strcmp(key, "biter")) cfg.head.baseline.iterations = (uint32_t)x;
        else if (!strcmp(key, "hidden")) {
            cfg.head.n_hidden = 0;
            if (strcmp(v, "none"))
                for (const char *p = v; *p && cfg.head.n_hidden < TL_HEAD_MAX_HIDDEN;) {
                    char *end;
                    cfg.head.hidden[cfg.head.n_hidden++] = (uint32_t)strtoul(p, &end, 10);
                    p = *end == ',' ? end + 1 : end;
                }
        } else {
            fprintf(stderr, "unknown key %s\n", key);
            return 2;
        }
    }
    const char *path = argv[1];
    tl_dataset *ds = NULL;
    tl_split *sp = NULL;
    if (tl_load_paths(&path, 1, &ds, &err) != TL_OK) return die(&err);
    tl_split_options so;
    tl_split_options_default(&so);
    so.seed = cfg.seed;
    so.train_rows = train_rows;
    so.test_rows = test_rows;
    so.valid_fraction = test_mode ? 0.0 : 0.1;
    if (tl_split_make(ds, &so, &sp, &err) != TL_OK) return die(&err);
    const uint32_t *eval_rows = test_mode ? sp->test : sp->valid;
    uint32_t n_eval = test_mode ? sp->n_test : sp->n_valid;

    tl_metrics base;
    memset(&base, 0, sizeof base);
    if (tl_eval_bias_baseline(ds, sp->train, sp->n_train, eval_rows, n_eval, &cfg.head.baseline, &base, &err) != TL_OK)
        return die(&err);
    if (baseline_only) {
        printf("BASELINE reg_user %g reg_movie %g iterations %u | %s_rmse %.4f mae %.4f\n",
               (double)cfg.head.baseline.reg_user, (double)cfg.head.baseline.reg_movie, cfg.head.baseline.iterations,
               test_mode ? "test" : "valid", base.rmse, base.mae);
        return 0;
    }
    tl_trainer *tr = NULL;
    if (tl_trainer_new(ds, sp, &cfg, &tr, &err) != TL_OK) return die(&err);
    float *pred = malloc(n_eval * sizeof(float));
    double t0 = bench_now(), train_s = 0, best = 1e9;
    uint32_t best_epoch = 0;
    tl_metrics m;
    memset(&m, 0, sizeof m);
    for (uint32_t e = 1; e <= cfg.epochs; e++) {
        double ts = bench_now();
        tl_train_progress p;
        do {
            if (tl_trainer_step(tr, 1, 0, &p, &err) != TL_OK) return die(&err);
        } while (p.epochs_completed < e);
        train_s += bench_now() - ts;
        tl_embeddings emb = tl_model_embeddings(tl_trainer_model(tr));
        if (tl_rating_predict_rows(tl_trainer_head(tr), &emb, ds, eval_rows, n_eval, pred, &err) != TL_OK ||
            tl_eval_rating(ds, eval_rows, n_eval, pred, &m, &err) != TL_OK)
            return die(&err);
        uint32_t n;
        const tl_epoch_record *ep = tl_trainer_epochs(tr, &n);
        printf("epoch %u  train_mse %.4f  %s_rmse %.4f  mae %.4f  loss %.1f\n", e, ep[n - 1].rating_mse,
               test_mode ? "test" : "valid", m.rmse, m.mae, ep[n - 1].loss);
        fflush(stdout);
        if (m.rmse < best) {
            best = m.rmse;
            best_epoch = e;
        }
    }
    double top100 = -1;
    if (top_rows) {
        tl_eval_options eo;
        tl_eval_options_default(&eo);
        eo.protocol_b = 0;
        eo.max_rows = top_rows;
        tl_metrics r;
        tl_embeddings emb = tl_model_embeddings(tl_trainer_model(tr));
        if (tl_eval_retrieval(ds, sp->train, sp->n_train, eval_rows, n_eval, &emb, &eo, &r, &err) != TL_OK)
            return die(&err);
        top100 = r.top[4];
    }
    printf("RESULT");
    for (int i = 2; i < argc; i++) printf(" %s", argv[i]);
    printf(" | %s_rmse %.4f mae %.4f best %.4f@%u baseline %.4f top100 %.4f train_s %.2f total_s %.2f cpu_s %.2f\n",
           test_mode ? "test" : "valid", m.rmse, m.mae, best, best_epoch, base.rmse, top100, train_s, bench_now() - t0,
           (double)clock() / CLOCKS_PER_SEC);
    free(pred);
    tl_trainer_free(tr);
    tl_split_free(sp);
    tl_dataset_free(ds);
    return 0;
}
