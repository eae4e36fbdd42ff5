/* A model file's scorer, through its type's table entry (model_type.h). */
#include <stdlib.h>
#include <string.h>

#include "towerlens/model_type.h"
#include "towerlens/store.h"
#include "towerlens/train.h"

tl_status tl_model_open(const tl_model_file *mf, tl_scorer **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "model: no output pointer given");
    *out = NULL;
    if (!mf) return tl_fail(err, TL_E_ARG, "model: no model file given");
    const tl_model_type *type = tl_model_type_of_config(mf->config_json);
    if (!type || !type->open)
        return tl_fail(err, TL_E_CORRUPT, "model: the file's model type is unknown to this build (config %.80s)",
                       mf->config_json);
    tl_status st = type->open(mf->ds, mf->config_json, mf->tensors, mf->n_tensors, out, err);
    if (st == TL_OK) (*out)->type = type->name;
    return st;
}

tl_embeddings tl_model_file_embeddings(const tl_model_file *mf)
{
    const tl_tensor *u = tl_model_file_tensor(mf, "users"), *m = tl_model_file_tensor(mf, "movies");
    if (!u || !m || u->cols != m->cols) return (tl_embeddings){0};
    return (tl_embeddings){u->data, m->data, u->cols, u->cols, m->cols};
}

static int listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (strcmp(*names, name) == 0) return 1;
    return 0;
}

/* t's rows re-indexed to n dense ids of the data (raw ids read with
 * id_stride), looked up in the model's dataset; unknown ids take the last row. */
static float *align_rows(const tl_tensor *t, uint32_t n, const uint32_t *raw_ids, size_t id_stride,
                         tl_status (*lookup)(const tl_dataset *, uint32_t, uint32_t *, tl_error *),
                         const tl_dataset *model_ds, uint32_t *unknown)
{
    float *out = malloc(((size_t)n + 1) * t->cols * sizeof *out);
    if (!out) return NULL;
    *unknown = 0;
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t row = t->rows - 1, raw;
        if (i < n) {
            memcpy(&raw, (const char *)raw_ids + (size_t)i * id_stride, sizeof raw);
            if (lookup(model_ds, raw, &row, NULL) != TL_OK) row = t->rows - 1, (*unknown)++;
        }
        memcpy(out + (size_t)i * t->cols, t->data + (size_t)row * t->cols, t->cols * sizeof *out);
    }
    return out;
}

tl_status tl_model_align(const tl_model_file *mf, tl_dataset *ds, tl_aligned_model *out, tl_error *err)
{
    *out = (tl_aligned_model){0};
    const tl_model_type *type = tl_model_type_of_config(mf->config_json);
    if (!type) return tl_fail(err, TL_E_CORRUPT, "model: the file's model type is unknown to this build");
    tl_model_file *a = calloc(1, sizeof *a);
    if (!a) return tl_fail(err, TL_E_NOMEM, "out of memory aligning the model with the data");
    *a = *mf; /* borrowed config and rows; tensors replaced below */
    a->ds = ds;
    a->seen = NULL;
    out->mf = a;
    for (uint32_t i = 0; i < mf->n_tensors; i++) {
        const tl_tensor *t = &mf->tensors[i];
        uint32_t unknown = 0;
        float *data = NULL;
        if (listed(type->user_tables, t->name)) {
            data =
                align_rows(t, ds->n_users, ds->user_ids, sizeof *ds->user_ids, tl_dataset_user_index, mf->ds, &unknown);
            if (data) out->unknown_users = unknown, a->tensors[i].rows = ds->n_users + 1;
        } else if (listed(type->movie_tables, t->name)) {
            data = align_rows(t, ds->n_movies, &ds->movies[0].id, sizeof *ds->movies, tl_dataset_movie_index, mf->ds,
                              &unknown);
            if (data) out->unknown_movies = unknown, a->tensors[i].rows = ds->n_movies + 1;
        } else {
            continue; /* shared with mf */
        }
        if (!data) {
            tl_aligned_model_free(out);
            return tl_fail(err, TL_E_NOMEM, "out of memory aligning the model with the data");
        }
        a->tensors[i].data = data;
        out->owned[i] = 1;
    }
    return TL_OK;
}

void tl_aligned_model_free(tl_aligned_model *a)
{
    if (!a || !a->mf) return;
    for (uint32_t i = 0; i < a->mf->n_tensors; i++)
        if (a->owned[i]) free(a->mf->tensors[i].data);
    free(a->mf);
    *a = (tl_aligned_model){0};
}

tl_status tl_trainer_open(const tl_trainer *tr, const tl_dataset *ds, tl_scorer **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "model: no output pointer given");
    *out = NULL;
    if (!tr || !ds) return tl_fail(err, TL_E_ARG, "model: no trainer or dataset given");
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    uint32_t n = tl_trainer_tensors(tr, t);
    const tl_model_type *type = tl_trainer_type(tr);
    tl_status st = type->open(ds, NULL, t, n, out, err);
    if (st == TL_OK) (*out)->type = type->name;
    return st;
}

int tl_trainer_predicts_ratings(const tl_trainer *tr) { return tr && tl_trainer_head(tr) ? 1 : 0; }
