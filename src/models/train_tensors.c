/* Trained weights as the named tensors a model file holds. */
#include <stdio.h>
#include <string.h>

#include "towerlens/train.h"
#include "models/models_internal.h"

void tl_tensor_set(tl_tensor *t, const char *name, uint32_t rows, uint32_t cols, float *data)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rows = rows;
    t->cols = cols;
    t->data = data;
}

uint32_t tl_model_tensors(const tl_model *m, tl_tensor *out)
{
    tl_tensor_set(&out[0], "users", m->n_users + 1, m->dim, m->users);
    tl_tensor_set(&out[1], "movies", m->n_movies + 1, m->dim, m->movies);
    return 2;
}
