/* The trained model as the named tensors a model file holds. */
#include <string.h>

#include "towerlens/train.h"

static void table(tl_tensor *t, const char *name, uint32_t rows, uint32_t cols, float *data)
{
    memset(t, 0, sizeof *t);
    strcpy(t->name, name);
    t->rows = rows;
    t->cols = cols;
    t->data = data;
}

uint32_t tl_trainer_tensors(const tl_trainer *tr, tl_tensor *out)
{
    const tl_model *m = tl_trainer_model(tr);
    table(&out[0], "users", m->n_users + 1, m->dim, m->users);
    table(&out[1], "movies", m->n_movies + 1, m->dim, m->movies);
    const tl_rating_head *head = tl_trainer_head(tr);
    return 2 + (head ? tl_rating_head_tensors(head, out + 2) : 0);
}
