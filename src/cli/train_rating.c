/* The rating head's part of `towerlens train` (train_rating.h). */
#include "train_rating.h"

#include <stdlib.h>

#include "towerlens.h"

tl_status train_rating_eval_head(const tl_rating_head *h, const tl_embeddings *emb, const tl_dataset *ds,
                                 const tl_split *sp, tl_metrics *model, tl_metrics *baseline, tl_error *err)
{
    if (sp->n_test == 0) return TL_OK;
    float *pred = malloc((size_t)sp->n_test * sizeof(float));
    if (!pred) return tl_fail(err, TL_E_NOMEM, "out of memory for %u rating predictions", sp->n_test);
    tl_status st = tl_rating_predict_rows(h, emb, ds, sp->test, sp->n_test, pred, err);
    if (st == TL_OK) st = tl_eval_rating(ds, sp->test, sp->n_test, pred, model, err);
    free(pred);
    if (st != TL_OK) return st;
    tl_bias_config bc;
    tl_bias_config_default(&bc);
    return tl_eval_bias_baseline(ds, sp->train, sp->n_train, sp->test, sp->n_test, &bc, baseline, err);
}

tl_status train_rating_eval(const tl_dataset *ds, const tl_split *sp, const tl_trainer *tr, tl_metrics *model,
                            tl_metrics *baseline, tl_error *err)
{
    const tl_rating_head *h = tl_trainer_head(tr);
    if (!h) return TL_OK;
    tl_embeddings emb = tl_model_embeddings(tl_trainer_model(tr));
    return train_rating_eval_head(h, &emb, ds, sp, model, baseline, err);
}

