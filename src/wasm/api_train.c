/* Training for JavaScript: a trainer handle owns the split and the step-wise
 * trainer (train.h). JS calls tlw_trainer_step with a time budget, yields to
 * its event loop, and calls again, reading progress as JSON between calls. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "towerlens.h"

EMSCRIPTEN_KEEPALIVE tlw_trainer *tlw_trainer_alloc(void) { return calloc(1, sizeof(tlw_trainer)); }

EMSCRIPTEN_KEEPALIVE void tlw_trainer_free(tlw_trainer *h)
{
    if (!h) return;
    tl_trainer_free(h->tr);
    tl_split_free(h->split);
    free(h);
}

/* The iALS solver ("exact" or "cg"; NULL or "" keeps the preset's) and CG
 * steps (0 = the preset's), before tlw_trainer_init. */
EMSCRIPTEN_KEEPALIVE int tlw_trainer_set_solver(tlw_trainer *h, const char *solver, uint32_t cg_steps)
{
    if (!h) return TL_E_ARG;
    if (h->tr) return tl_fail(&h->err, TL_E_STATE, "set the solver before the trainer is set up");
    tl_ials_solver known;
    if (solver && *solver && tl_ials_solver_parse(solver, &known, &h->err) != TL_OK) return h->err.status;
    snprintf(h->solver, sizeof h->solver, "%s", solver ? solver : "");
    h->has_solver = 1;
    h->cg_steps = cg_steps;
    return TL_OK;
}

/* The visitor prior (train.h, docs/training.md "Visitors"), before
 * tlw_trainer_init: mode 0 = the preset's (auto for "default"), 1 = chosen
 * at training, 2 = off, 3 = w3 and w10 as given. */
EMSCRIPTEN_KEEPALIVE int tlw_trainer_set_visitor_prior(tlw_trainer *h, int mode, double w3, double w10)
{
    if (!h) return TL_E_ARG;
    if (h->tr) return tl_fail(&h->err, TL_E_STATE, "set the visitor prior before the trainer is set up");
    if (mode < 0 || mode > 3) return tl_fail(&h->err, TL_E_ARG, "visitor prior mode %d is not 0-3", mode);
    h->prior_mode = mode;
    h->prior_w3 = (float)w3;
    h->prior_w10 = (float)w10;
    return TL_OK;
}

/* Numbers <= 0 (seed < 0) keep the preset's value; train_rows > 0 selects
 * take/skip sizes, otherwise test_fraction (< 0: 0.2; 0: train on every
 * rating, no held-out rows; at most TL_MAX_TEST_FRACTION). threads: the
 * trainer's worker threads (0 = every core); the threaded module has a
 * fixed pool of Web Workers (web/lib/core.js sizes it and keeps the count
 * within it), the single-threaded one runs every count serially. */
EMSCRIPTEN_KEEPALIVE int tlw_trainer_init(tlw_trainer *h, const tlw_dataset *ds, const char *preset, uint32_t dim,
                                          uint32_t batch, uint32_t epochs, double lr, double seed, uint32_t train_rows,
                                          uint32_t test_rows, double test_fraction, uint32_t threads)
{
    if (!h) return TL_E_ARG;
    if (h->tr) return tl_fail(&h->err, TL_E_STATE, "this trainer was already set up");
    if (!ds) return tl_fail(&h->err, TL_E_ARG, "training needs a dataset");
    tl_train_config cfg;
    tl_status st = tl_train_config_preset(&cfg, preset && *preset ? preset : "tfrs", &h->err);
    if (st != TL_OK) return st;
    if (h->has_weights) { /* tlw_trainer_set_weights (api_rating.c) */
        tl_train_config_set_rating(&cfg, h->rating_weight);
        cfg.retrieval_weight = h->retrieval_weight;
    }
    if (h->has_solver) { /* the config knows which types have a solver (train.h) */
        tl_train_config def;
        tl_train_config_preset(&def, cfg.preset, NULL);
        st = tl_train_config_set_solver(&cfg, *h->solver ? h->solver : tl_ials_solver_name(def.ials_solver), &h->err);
        if (st != TL_OK) return st;
        if (h->cg_steps) cfg.ials_cg_steps = h->cg_steps;
    }
    if (h->prior_mode) {
        cfg.visitor_prior_auto = h->prior_mode == 1;
        cfg.visitor_prior_w3 = h->prior_mode == 3 ? h->prior_w3 : 0.0f;
        cfg.visitor_prior_w10 = h->prior_mode == 3 ? h->prior_w10 : 0.0f;
    }
    cfg.threads = threads;
    if (dim) cfg.dim = dim;
    if (batch) cfg.batch_size = batch;
    if (epochs) cfg.epochs = epochs;
    if (lr > 0) cfg.learning_rate = (float)lr;
    if (seed >= 0) {
        if (seed > 9007199254740991.0 || seed != (double)(uint64_t)seed)
            return tl_fail(&h->err, TL_E_ARG, "seed %g must be a whole number from 0 to 2^53 - 1", seed);
        cfg.seed = (uint64_t)seed;
    }
    st = tl_train_config_check(&cfg, &h->err);
    if (st != TL_OK) return st;
    tl_split_options so;
    tl_split_options_default(&so);
    so.seed = cfg.seed;
    so.train_rows = train_rows;
    so.test_rows = test_rows;
    if (test_fraction >= 0) {
        if (!(test_fraction <= TL_MAX_TEST_FRACTION))
            return tl_fail(&h->err, TL_E_ARG, "test fraction %g is outside 0-%g (0 = train on every rating)",
                           test_fraction, TL_MAX_TEST_FRACTION);
        so.test_fraction = test_fraction;
    }
    st = tl_split_make(ds->ds, &so, &h->split, &h->err);
    if (st == TL_OK) st = tl_trainer_new(ds->ds, h->split, &cfg, &h->tr, &h->err);
    if (st != TL_OK) {
        tl_split_free(h->split);
        h->split = NULL;
        return st;
    }
    h->n_ratings = ds->ds->n_ratings;
    return TL_OK;
}

EMSCRIPTEN_KEEPALIVE int tlw_trainer_step(tlw_trainer *h, uint32_t max_batches, double max_ms)
{
    if (!h) return TL_E_ARG;
    if (!h->tr) return tl_fail(&h->err, TL_E_STATE, "the trainer was not set up");
    return tl_trainer_step(h->tr, max_batches, max_ms, NULL, &h->err);
}

static void number(tl_buf *b, const char *key, double v)
{
    tl_buf_printf(b, ",\"%s\":", key);
    tl_buf_json_number(b, v);
}

/* {"epoch","batch","batches_per_epoch","epochs","epochs_completed",
 *  "examples_seen","running_loss","epoch_loss","last_batch_loss",
 *  "first_batch_loss","seconds","examples_per_second"[,"rating_mse"],"done",
 *  "train_rows","test_rows","visitor_prior" (tl_prior_choice_json),
 *  "history":[{epoch,loss,loss_per_example,seconds[,rating_mse]}]}
 * (rating_mse: the rating head's training mean squared error, with a head)
 * as a malloc'd string (free() it); NULL with the error on the handle. */
EMSCRIPTEN_KEEPALIVE char *tlw_trainer_progress_json(tlw_trainer *h)
{
    if (!h) return NULL;
    if (!h->tr) {
        tl_fail(&h->err, TL_E_STATE, "the trainer was not set up");
        return NULL;
    }
    tl_train_progress p;
    tl_trainer_get_progress(h->tr, &p);
    tl_buf b;
    tl_buf_init(&b);
    tl_buf_printf(&b, "{\"epoch\":%u,\"batch\":%u,\"batches_per_epoch\":%u,\"epochs\":%u,\"epochs_completed\":%u",
                  p.epoch, p.batch, p.batches_per_epoch, p.epochs, p.epochs_completed);
    number(&b, "examples_seen", (double)p.examples_seen);
    number(&b, "running_loss", p.running_loss);
    number(&b, "epoch_loss", p.epoch_loss);
    number(&b, "last_batch_loss", p.last_batch_loss);
    number(&b, "first_batch_loss", p.first_batch_loss);
    number(&b, "seconds", p.seconds);
    number(&b, "examples_per_second", p.examples_per_second);
    int head = tl_trainer_predicts_ratings(h->tr);
    if (head) number(&b, "rating_mse", p.rating_mse);
    tl_buf_printf(&b, ",\"done\":%s,\"train_rows\":%u,\"test_rows\":%u,\"visitor_prior\":", p.done ? "true" : "false",
                  h->split->n_train, h->split->n_test);
    tl_prior_choice prior;
    tl_trainer_prior_choice(h->tr, &prior);
    tl_prior_choice_json(&prior, &b);
    tl_buf_puts(&b, ",\"history\":[");
    uint32_t n;
    const tl_epoch_record *ep = tl_trainer_epochs(h->tr, &n);
    for (uint32_t e = 0; e < n; e++) {
        tl_buf_printf(&b, "%s{\"epoch\":%u", e ? "," : "", ep[e].epoch);
        number(&b, "loss", ep[e].loss);
        number(&b, "loss_per_example", ep[e].loss_per_example);
        number(&b, "seconds", ep[e].seconds);
        if (head) number(&b, "rating_mse", ep[e].rating_mse);
        tl_buf_printf(&b, "}");
    }
    tl_buf_printf(&b, "]}");
    if (b.failed) {
        tl_buf_free(&b);
        tl_fail(&h->err, TL_E_NOMEM, "out of memory writing training progress");
        return NULL;
    }
    return tl_buf_take(&b);
}

/* The model's FNV-1a hash as 16 hex digits (tl_model_hash): equal to the
 * native CLI's model_hash for the same files and options. */
EMSCRIPTEN_KEEPALIVE const char *tlw_trainer_model_hash(tlw_trainer *h)
{
    if (!h || !h->tr) return "";
    snprintf(h->hash, sizeof h->hash, "%016" PRIx64, tl_trainer_hash(h->tr));
    return h->hash;
}

/* Threads the trainer runs on (tl_trainer_threads): 1 in the single-threaded
 * module. */
EMSCRIPTEN_KEEPALIVE uint32_t tlw_trainer_threads(const tlw_trainer *h)
{
    return h && h->tr ? tl_trainer_threads(h->tr) : 0;
}

EMSCRIPTEN_KEEPALIVE double tlw_trainer_bytes(const tlw_trainer *h)
{
    return h && h->tr ? (double)tl_trainer_bytes(h->tr) : 0;
}

static tl_status check_dataset(tlw_trainer *h, const tlw_dataset *ds)
{
    if (!h->tr) return tl_fail(&h->err, TL_E_STATE, "the trainer was not set up");
    if (!ds || ds->ds->n_ratings != h->n_ratings)
        return tl_fail(&h->err, TL_E_ARG, "pass the dataset this trainer was made from");
    if (h->split->n_test == 0)
        return tl_fail(&h->err, TL_E_STATE,
                       "there are no held-out rows to evaluate on: this trainer trains on all %u ratings (test "
                       "fraction 0); measure with a test share, then train on everything to serve",
                       h->split->n_train);
    return TL_OK;
}

/* The model, and popularity when with_baseline, on one set-up (its passes
 * over the rows paid once), on the trainer's threads. */
static tl_status evaluate(tlw_trainer *h, const tlw_dataset *ds, int with_baseline, tl_eval_options *eo,
                          tl_metrics *model, tl_metrics *baseline)
{
    const tl_split *sp = h->split;
    eo->pool = tl_trainer_pool(h->tr);
    tl_eval_setup *setup = NULL;
    tl_status st = tl_eval_setup_new(ds->ds, sp->train, sp->n_train, sp->test, sp->n_test, eo, &setup, &h->err);
    tl_scorer *sc = NULL, *popularity = NULL;
    float *counts = NULL;
    if (st == TL_OK) st = tl_trainer_open(h->tr, ds->ds, &sc, &h->err);
    if (st == TL_OK) st = tl_eval_setup_run(setup, sc, model, &h->err);
    if (st == TL_OK && with_baseline) {
        st = tl_popularity_counts(ds->ds, sp->train, sp->n_train, &counts, &h->err);
        if (st == TL_OK) st = tl_popularity_scorer_new(ds->ds, counts, &popularity, &h->err);
        if (st == TL_OK) st = tl_eval_setup_run(setup, popularity, baseline, &h->err);
    }
    tl_eval_setup_free(setup);
    tl_scorer_free(sc);
    tl_scorer_free(popularity);
    free(counts);
    return st;
}

/* The shape `towerlens train --json` prints: {"metrics":{"test":{...}},
 * "baseline":{"name":"popularity","test":{...}} (null without the baseline;
 * with a rating head both tests add rmse and mae, the baseline's from the
 * bias baseline, and the baseline says "rating_name":"bias"),
 * "evaluated":{"rows","users","rows_total","users_total","sampled","max_rows","max_users","seed"}}
 * (tl_eval_coverage_json) on the split's test rows, as a
 * malloc'd string; NULL with the error on the handle. */
EMSCRIPTEN_KEEPALIVE char *tlw_trainer_evaluate_json(tlw_trainer *h, const tlw_dataset *ds, int with_baseline,
                                                     uint32_t max_rows, uint32_t max_users, double seed)
{
    if (!h || check_dataset(h, ds) != TL_OK) return NULL;
    tl_eval_options eo;
    tl_eval_options_default(&eo);
    eo.max_rows = max_rows;
    eo.max_users = max_users;
    /* like the CLI: the sample's seed defaults to the trainer's seed */
    eo.seed = seed >= 0 ? (uint64_t)seed : tl_trainer_config(h->tr)->seed;
    tl_metrics mm, pm;
    if (evaluate(h, ds, with_baseline, &eo, &mm, &pm) != TL_OK) return NULL;
    /* a rating head adds protocol C (rmse, mae), the baseline's from the bias baseline */
    if (tl_trainer_predicts_ratings(h->tr) &&
        tlw_trainer_rating_metrics(h, ds, &mm, with_baseline ? &pm : NULL) != TL_OK)
        return NULL;
    tl_buf b;
    tl_buf_init(&b);
    tl_buf_puts(&b, "{\"metrics\":{\"test\":");
    tl_metrics_json(&mm, &b);
    tl_buf_puts(&b, "},\"baseline\":");
    if (with_baseline) {
        tl_buf_puts(&b, mm.has_rating ? "{\"name\":\"popularity\",\"rating_name\":\"bias\",\"test\":"
                                      : "{\"name\":\"popularity\",\"test\":");
        tl_metrics_json(&pm, &b);
        tl_buf_puts(&b, "}");
    } else {
        tl_buf_puts(&b, "null");
    }
    tl_buf_puts(&b, ",\"evaluated\":");
    tl_eval_coverage_json(&mm, &eo, &b);
    tl_buf_puts(&b, "}");
    if (b.failed) {
        tl_buf_free(&b);
        tl_fail(&h->err, TL_E_NOMEM, "out of memory writing metrics");
        return NULL;
    }
    return tl_buf_take(&b);
}

/* {"tfrs":{"about","epochs","batchSize","dim","learningRate","seed","testFraction"},
 *  "default":{...}} as a malloc'd string; NULL when out of memory. */
EMSCRIPTEN_KEEPALIVE char *tlw_presets_json(void)
{
    tl_buf b;
    tl_buf_init(&b);
    tl_buf_puts(&b, "{");
    for (size_t i = 0; tl_train_preset_name(i); i++) {
        tl_train_config c;
        tl_train_config_preset(&c, tl_train_preset_name(i), NULL);
        tl_buf_printf(&b, "%s\"%s\":{\"about\":", i ? "," : "", c.preset);
        tl_buf_json_string(&b, tl_train_preset_about(i));
        tl_buf_printf(&b,
                      ",\"epochs\":%u,\"batchSize\":%u,\"dim\":%u,\"learningRate\":%.7g,\"seed\":%" PRIu64
                      ",\"testFraction\":0.2}",
                      c.epochs, c.batch_size, c.dim, (double)c.learning_rate, c.seed);
    }
    tl_buf_puts(&b, "}");
    if (b.failed) {
        tl_buf_free(&b);
        return NULL;
    }
    return tl_buf_take(&b);
}

/* The model file (store.h) of the trainer's model as it is now, into `out`
 * (handle.h). Model.save() and Trainer.modelFile() in JS both come here. */
tl_status tlw_trainer_write_model(const tlw_trainer *h, const tl_dataset *ds, const tl_seen *all_seen, tl_buf *out,
                                  tl_error *err)
{
    const tl_train_config *c = tl_trainer_config(h->tr);
    tl_seen *seen = NULL;
    tl_status st = all_seen ? TL_OK : tl_seen_new(ds, NULL, ds->n_ratings, &seen, err);
    if (st != TL_OK) return st;
    tl_buf conf;
    tl_buf_init(&conf);
    tl_train_config_json(c, h->split, &conf);
    tl_model_rows rows;
    tl_model_rows_of_split(ds, h->split, c->seed, &rows);
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    uint32_t n = tl_trainer_tensors(h->tr, t);
    tl_buf_reset(out);
    if (conf.failed) st = tl_fail(err, TL_E_NOMEM, "out of memory writing the training config");
    else st = tl_store_write(ds, all_seen ? all_seen : seen, conf.data, &rows, t, n, out, err);
    tl_buf_free(&conf);
    tl_seen_free(seen);
    return st;
}
