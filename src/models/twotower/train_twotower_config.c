/* The two-tower type's training options: their checks and config JSON. */
#include <inttypes.h>
#include <math.h>

#include "models/models_internal.h"
#include "towerlens/buf.h"
#include "towerlens/train.h"

tl_status tl__twotower_config_check(const tl_train_config *c, tl_error *err)
{
    if (c->optimizer != TL_OPT_ADAGRAD) return tl_fail(err, TL_E_ARG, "unknown optimizer %d", (int)c->optimizer);
    if (!(c->learning_rate > 0.0f && c->learning_rate <= 100.0f))
        return tl_fail(err, TL_E_ARG, "learning rate %g is outside (0, 100]", (double)c->learning_rate);
    if (!(c->adagrad_initial >= 0.0f && isfinite(c->adagrad_initial)))
        return tl_fail(err, TL_E_ARG, "Adagrad initial accumulator %g must be >= 0", (double)c->adagrad_initial);
    if (!(c->adagrad_epsilon >= 0.0f && isfinite(c->adagrad_epsilon)))
        return tl_fail(err, TL_E_ARG, "Adagrad epsilon %g must be >= 0", (double)c->adagrad_epsilon);
    if (c->adagrad_initial == 0.0f && c->adagrad_epsilon == 0.0f)
        return tl_fail(err, TL_E_ARG,
                       "Adagrad needs an initial accumulator or an epsilon above 0 (it divides by their root)");
    if (!(c->init_range >= 0.0f && c->init_range <= 1.0f))
        return tl_fail(err, TL_E_ARG, "initialisation range %g is outside 0-1", (double)c->init_range);
    if (!(c->retrieval_weight >= 0.0f && c->retrieval_weight <= 1e6f))
        return tl_fail(err, TL_E_ARG, "retrieval weight %g is outside 0-1e6", (double)c->retrieval_weight);
    if (!(c->rating_weight >= 0.0f && c->rating_weight <= 1e6f))
        return tl_fail(err, TL_E_ARG, "rating weight %g is outside 0-1e6", (double)c->rating_weight);
    if (c->retrieval_weight == 0.0f && c->rating_weight == 0.0f)
        return tl_fail(err, TL_E_ARG, "the retrieval and rating weights are both 0: there is nothing to train");
    if (c->rating_weight > 0.0f) return tl_head_config_check(&c->head, err);
    return TL_OK;
}

void tl__twotower_config_json(const tl_train_config *c, const tl_split *split, tl_buf *b)
{
    tl_buf_printf(b,
                  ",\"dim\":%u,\"batch_size\":%u,\"epochs\":%u,\"loss\":\"in_batch_softmax\",\"optimizer\":\"adagrad\"",
                  c->dim, c->batch_size, c->epochs);
    tl__config_json_float(b, "learning_rate", c->learning_rate);
    tl__config_json_float(b, "adagrad_initial", c->adagrad_initial);
    tl__config_json_float(b, "adagrad_epsilon", c->adagrad_epsilon);
    tl__config_json_float(b, "init_range", c->init_range);
    tl_buf_printf(b, ",\"seed\":%" PRIu64 ",\"reshuffle_each_epoch\":%s", c->seed,
                  c->reshuffle_each_epoch ? "true" : "false");
    if (split) tl_buf_printf(b, ",\"split\":{\"train\":%u,\"test\":%u}", split->n_train, split->n_test);
    tl__config_json_float(b, "retrieval_weight", c->retrieval_weight);
    tl__config_json_float(b, "rating_weight", c->rating_weight);
    if (c->rating_weight > 0.0f) {
        tl_buf_puts(b, ",\"rating_head\":");
        tl_head_config_json(&c->head, c->learning_rate, c->adagrad_initial, b);
    }
}
