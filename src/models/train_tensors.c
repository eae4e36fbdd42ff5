/* Trained weights as the named tensors a model file holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/models_internal.h"
#include "towerlens/store.h"
#include "towerlens/train.h"

_Static_assert(TL_TRAINER_MAX_TENSORS <= TL_STORE_MAX_TENSORS, "a trained model's tensors must fit a model file");

void tl__tensor_set(tl_tensor *t, const char *name, uint32_t rows, uint32_t cols, float *data)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rows = rows;
    t->cols = cols;
    t->data = data;
}

uint32_t tl__model_tensors(const tl_model *m, tl_tensor *out)
{
    tl__tensor_set(&out[0], "users", m->n_users + 1, m->dim, m->users);
    tl__tensor_set(&out[1], "movies", m->n_movies + 1, m->dim, m->movies);
    return 2;
}

tl_status tl__liked_block(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg, float **out,
                          tl_error *err)
{
    *out = NULL;
    float *b = calloc((size_t)ds->n_movies + 3, sizeof *b);
    if (!b) return tl_fail(err, TL_E_NOMEM, "out of memory for the liked counts of %u movies", ds->n_movies);
    for (uint32_t i = 0; i < split->n_train; i++) {
        uint32_t r = split->train[i];
        if (r < ds->n_ratings && (ds->implicit || ds->r_half[r] >= 8)) b[ds->r_movie[r]] += 1.0f;
    }
    b[ds->n_movies] = 0.0f; /* the out-of-vocabulary movie */
    b[ds->n_movies + 1] = cfg->visitor_prior_w3;
    b[ds->n_movies + 2] = cfg->visitor_prior_w10;
    *out = b;
    return TL_OK;
}

uint32_t tl__liked_tensors(float *block, uint32_t n_movies, tl_tensor *out)
{
    tl__tensor_set(&out[0], "liked", n_movies + 1, 1, block);
    tl__tensor_set(&out[1], "visitor_prior", 1, 2, block + (size_t)n_movies + 1);
    return 2;
}

void tl__liked_set_weights(float *block, uint32_t n_movies, float w3, float w10)
{
    block[(size_t)n_movies + 1] = w3;
    block[(size_t)n_movies + 2] = w10;
}
