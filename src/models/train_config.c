/* Training presets and their range checks. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/models_internal.h"
#include "towerlens/buf.h"
#include "towerlens/ease.h"
#include "towerlens/model_type.h"
#include "towerlens/train.h"

static void preset_tfrs(tl_train_config *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->preset, "tfrs");
    c->dim = 32;
    c->batch_size = 8192;
    c->epochs = 3;
    c->loss = TL_LOSS_INBATCH_SOFTMAX;
    c->optimizer = TL_OPT_ADAGRAD;
    c->learning_rate = 0.1f;
    c->adagrad_initial = 0.1f;
    c->adagrad_epsilon = 1e-7f;
    c->init_range = 0.05f;
    c->seed = 42;
    c->reshuffle_each_epoch = 0;
    c->block_rows = 0;
    c->retrieval_weight = 1.0f;
    c->rating_weight = 0.0f; /* no rating head */
    tl_head_config_original(&c->head);
}

/* The original's multitask model (TFRS "Multi-task recommenders"). */
static void preset_tfrs_multitask(tl_train_config *c)
{
    preset_tfrs(c);
    strcpy(c->preset, "tfrs-multitask");
    c->dim = 64;
    c->batch_size = 1000;
    c->rating_weight = 1.0f;
    c->retrieval_weight = 1.0f;
    tl_head_config_original(&c->head);
}

/* Each movie's train rating count: the model type "popularity". */
static void preset_popularity(tl_train_config *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->preset, "popularity");
    c->loss = TL_LOSS_POPULARITY;
    c->dim = 1;                   /* unused */
    c->batch_size = TL_MAX_BATCH; /* unused: one batch of every train row per epoch */
    c->epochs = 1;
    c->seed = 42; /* the split's */
    tl_head_config_original(&c->head);
}

/* EASE (ease.h): the item-item model in closed form, lambda and min_count
 * as chosen on validation (docs/training.md "EASE"). */
static void preset_ease(tl_train_config *c)
{
    preset_popularity(c);
    strcpy(c->preset, "ease");
    c->loss = TL_LOSS_EASE;
    c->ease_lambda = TL_EASE_DEFAULT_LAMBDA;
    c->ease_min_count = TL_EASE_DEFAULT_MIN_COUNT;
}

static void preset_default(tl_train_config *c)
{
    preset_tfrs(c); /* the Adagrad fields stay as tfrs' (unused) */
    strcpy(c->preset, "default");
    c->loss = TL_LOSS_IALS;
    c->dim = 64;
    c->epochs = 8;
    c->batch_size = 4096;
    c->ials_unobserved = 0.1f;
    c->ials_reg = 0.02f;
    c->ials_confidence = 0.5f;
    c->ials_solver = TL_IALS_CG; /* within 1 % of exact on ml-latest-small (docs/training.md) */
    c->ials_cg_steps = 3;
    c->visitor_prior_auto = 1;        /* w3, w10 chosen at training on validation users (docs/training.md "Visitors") */
    tl_head_config_default(&c->head); /* used with rating_weight > 0 */
    c->ease_lambda = TL_EASE_DEFAULT_LAMBDA; /* the blend's, when the data's shape picks it */
    c->ease_min_count = TL_EASE_DEFAULT_MIN_COUNT;
    c->blend_weight = -1.0f;
    c->by_shape = 1;
}

/* The default's iALS at every shape (the scalable path by name). */
static void preset_ials(tl_train_config *c)
{
    preset_default(c);
    strcpy(c->preset, "ials");
    c->by_shape = 0;
}

int tl_train_config_for_shape(tl_train_config *c, const tl_dataset *ds, const tl_split *split)
{
    if (!c->by_shape || c->loss != TL_LOSS_IALS || c->rating_weight != 0.0f || !ds || !ds->movies || !split) return 0;
    if (split->n_train > TL_SHAPE_BLEND_MAX_RATINGS || c->ease_min_count < 1) return 0;
    uint32_t *count = calloc((size_t)ds->n_movies + 1, sizeof *count), items = 0;
    if (!count) return 0; /* iALS needs no more memory than it had */
    for (uint32_t i = 0; i < split->n_train; i++)
        if (split->train[i] < ds->n_ratings) count[ds->r_movie[split->train[i]]]++;
    for (uint32_t m = 0; m < ds->n_movies; m++) items += count[m] >= c->ease_min_count;
    free(count);
    if (items < TL_SHAPE_BLEND_MIN_ITEMS || items > TL_EASE_DEFAULT_MAX_ITEMS) return 0;
    c->loss = TL_LOSS_BLEND;
    return 1;
}

/* iALS (the default's), EASE (the ease preset's) and, with rating times,
 * the time neighbours, blended per user with the weights chosen on
 * validation rows (docs/training.md "Blend"). */
static void preset_blend(tl_train_config *c)
{
    preset_default(c);
    strcpy(c->preset, "blend");
    c->loss = TL_LOSS_BLEND;
    c->by_shape = 0;
}

/* THE list of presets, read by everything that names them: the CLI's
 * --preset help (cmd_train.c), the JS API's presets() (tlw_presets_json),
 * and -- through tests/node/shared-lists.test.mjs, which parses this table --
 * towerlens.d.ts, the page's model choice and docs/js-api.md. One row each:
 * name, one line about it, the function that sets its defaults. */
static const struct {
    const char *name;
    const char *about;
    void (*defaults)(tl_train_config *c);
} presets[] = {
    {"tfrs", "the original TFRS notebook's retrieval model: two towers, in-batch softmax, Adagrad", preset_tfrs},
    {"default", "the default model: iALS with rating confidence, blended with EASE on small catalogues",
     preset_default},
    {"tfrs-multitask", "the original's multitask model: the tfrs towers plus a rating head", preset_tfrs_multitask},
    {"popularity", "every movie scored by its number of train ratings: the baseline as a model", preset_popularity},
    {"ease", "EASE: an item-item matrix in closed form, each movie scored from the movies a user rated", preset_ease},
    {"blend",
     "iALS, EASE and (with rating times) the time neighbours blended per user, the weights chosen on validation rows",
     preset_blend},
    {"ials", "the default's iALS at every data shape (the default becomes the blend on small data)", preset_ials},
};
#define N_PRESETS (sizeof presets / sizeof *presets)

const char *tl_train_preset_name(size_t i) { return i < N_PRESETS ? presets[i].name : NULL; }

const char *tl_train_preset_about(size_t i) { return i < N_PRESETS ? presets[i].about : NULL; }

tl_status tl_train_config_preset(tl_train_config *cfg, const char *preset, tl_error *err)
{
    if (!preset) preset = "tfrs";
    for (size_t i = 0; i < N_PRESETS; i++) {
        if (!strcmp(preset, presets[i].name)) {
            presets[i].defaults(cfg);
            return TL_OK;
        }
    }
    char known[256];
    size_t used = 0;
    known[0] = '\0';
    for (size_t i = 0; i < N_PRESETS && used < sizeof known; i++) {
        int n = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", presets[i].name);
        if (n < 0) break;
        used += (size_t)n;
    }
    return tl_fail(err, TL_E_ARG, "unknown preset \"%s\" (known: %s)", preset, known);
}

void tl_train_config_set_rating(tl_train_config *c, float rating_weight)
{
    c->rating_weight = rating_weight;
    if (strcmp(c->preset, "default") || !(rating_weight > 0.0f)) return;
    /* the default joint model (docs/rating.md): the step-wise softmax
     * trainer, whose batches the head shares, with its own schedule */
    c->loss = TL_LOSS_INBATCH_SOFTMAX;
    c->dim = 32;
    c->batch_size = 256;
    c->epochs = 5;
    c->learning_rate = 0.1f;
    c->retrieval_weight = 1.0f;
    c->visitor_prior_auto = 0; /* not chosen for the joint model: an auxiliary softmax model would double its cost */
    tl_head_config_default(&c->head);
}

tl_status tl_ials_solver_parse(const char *name, tl_ials_solver *out, tl_error *err)
{
    if (name && !strcmp(name, "exact")) *out = TL_IALS_EXACT;
    else if (name && !strcmp(name, "cg")) *out = TL_IALS_CG;
    else return tl_fail(err, TL_E_ARG, "unknown iALS solver \"%s\" (known: exact, cg)", name ? name : "");
    return TL_OK;
}

const char *tl_ials_solver_name(tl_ials_solver s) { return s == TL_IALS_CG ? "cg" : "exact"; }

tl_status tl_train_config_check(const tl_train_config *c, tl_error *err)
{
    if (c->dim < 1 || c->dim > TL_MAX_DIM)
        return tl_fail(err, TL_E_ARG, "dimension %u is outside 1-%d", c->dim, TL_MAX_DIM);
    if (c->batch_size < 1 || c->batch_size > TL_MAX_BATCH)
        return tl_fail(err, TL_E_ARG, "batch size %u is outside 1-%u", c->batch_size, TL_MAX_BATCH);
    if (c->epochs < 1 || c->epochs > TL_MAX_EPOCHS)
        return tl_fail(err, TL_E_ARG, "epochs %u is outside 1-%u", c->epochs, TL_MAX_EPOCHS);
    if (!(c->visitor_prior_w3 >= 0.0f && c->visitor_prior_w3 <= 1e3f) ||
        !(c->visitor_prior_w10 >= 0.0f && c->visitor_prior_w10 <= 1e3f))
        return tl_fail(err, TL_E_ARG, "visitor prior weights %g, %g are outside 0-1000", (double)c->visitor_prior_w3,
                       (double)c->visitor_prior_w10);
    if (c->visitor_prior_auto != 0 && c->visitor_prior_auto != 1)
        return tl_fail(err, TL_E_ARG, "visitor_prior_auto %d is not 0 or 1", c->visitor_prior_auto);
    if (c->threads > TL_MAX_THREADS)
        return tl_fail(err, TL_E_ARG, "threads %u is outside 0-%u (0 = every core)", c->threads, TL_MAX_THREADS);
    const tl_model_type *type = tl_model_type_of_loss(c->loss);
    if (!type) return tl_fail(err, TL_E_ARG, "unknown loss %d", (int)c->loss);
    return type->train->check(c, err);
}

/* floats with the 7 digits they hold: 0.1f prints 0.1, not 0.100000001 */
void tl__config_json_float(tl_buf *b, const char *key, float v)
{
    if (isfinite(v)) tl_buf_printf(b, ",\"%s\":%.7g", key, (double)v);
    else tl_buf_printf(b, ",\"%s\":null", key);
}

void tl_train_config_json(const tl_train_config *c, const tl_split *split, tl_buf *b)
{
    const tl_model_type *type = tl_model_type_of_loss(c->loss);
    tl_buf_puts(b, "{\"model\":");
    tl_buf_json_string(b, type ? type->name : "?");
    tl_buf_puts(b, ",\"preset\":");
    tl_buf_json_string(b, c->preset);
    if (type) type->train->config_json(c, split, b);
    if (c->visitor_prior_auto) { /* chosen at training: the chosen weights once the trainer has them */
        tl_buf_puts(b, ",\"visitor_prior\":{\"auto\":true,\"w3\":");
        tl_buf_printf(b, "%.9g,\"w10\":%.9g}", (double)c->visitor_prior_w3, (double)c->visitor_prior_w10);
    } else if (c->visitor_prior_w3 != 0.0f ||
               c->visitor_prior_w10 != 0.0f) { /* only when on: older configs unchanged */
        tl_buf_puts(b, ",\"visitor_prior\":{\"w3\":");
        tl_buf_printf(b, "%.9g,\"w10\":%.9g}", (double)c->visitor_prior_w3, (double)c->visitor_prior_w10);
    }
    tl_buf_puts(b, "}");
}

void tl_train_config_describe(const tl_train_config *cfg, tl_buf *out)
{
    const tl_model_type *t = tl_model_type_of_loss(cfg->loss);
    if (t && t->train->describe) t->train->describe(cfg, out);
}

void tl_train_first_batch_note(const tl_train_config *cfg, const tl_train_progress *p, tl_buf *out)
{
    const tl_model_type *t = tl_model_type_of_loss(cfg->loss);
    if (t && t->train->first_batch_note) t->train->first_batch_note(cfg, p, out);
}

const char *tl_train_loss_name(const tl_train_config *cfg)
{
    const tl_model_type *t = tl_model_type_of_loss(cfg->loss);
    return t && t->train->loss_name ? t->train->loss_name : "loss";
}

tl_status tl_train_config_set_solver(tl_train_config *cfg, const char *name, tl_error *err)
{
    if (cfg->loss != TL_LOSS_IALS)
        return tl_fail(err, TL_E_ARG, "solver: only the default preset's iALS has a solver choice (not %s)",
                       cfg->preset);
    return tl_ials_solver_parse(name, &cfg->ials_solver, err);
}
