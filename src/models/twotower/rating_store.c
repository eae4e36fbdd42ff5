/* The rating head in model files: named tensors "head.*" (rating.h). */
#include <stdio.h>
#include <string.h>

#include "towerlens/model_type.h"
#include "towerlens/rating.h"

static void set_tensor(tl_tensor *t, const char *name, uint32_t rows, uint32_t cols, float *data)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rows = rows;
    t->cols = cols;
    t->data = data;
}

uint32_t tl_rating_head_tensors(tl_rating_head *h, tl_tensor *out)
{
    uint32_t n = 0;
    char name[TL_TENSOR_NAME_MAX];
    for (uint32_t l = 0; l < h->n_layers; l++) {
        snprintf(name, sizeof name, "head.w%u", l + 1);
        set_tensor(&out[n++], name, h->width[l], h->width[l + 1], h->w[l]);
        snprintf(name, sizeof name, "head.b%u", l + 1);
        set_tensor(&out[n++], name, 1, h->width[l + 1], h->b[l]);
    }
    if (h->has_biases) {
        set_tensor(&out[n++], "head.user_bias", h->n_users + 1, 1, h->user_bias);
        set_tensor(&out[n++], "head.movie_bias", h->n_movies + 1, 1, h->movie_bias);
        set_tensor(&out[n++], "head.mean", 1, 1, &h->mean);
    }
    return n;
}

static tl_status damaged(tl_error *err, const char *tensor, const char *why)
{
    return tl_fail(err, TL_E_CORRUPT, "model file: rating head tensor \"%s\" %s", tensor, why);
}

tl_status tl_rating_head_from_file(const tl_model_file *mf, tl_rating_head **out, tl_error *err)
{
    tl_embeddings emb = tl_model_file_embeddings(mf);
    return tl_rating_head_from_tensors(mf->ds, mf->tensors, mf->n_tensors, emb.dim, out, err);
}

tl_status tl_rating_head_from_tensors(const tl_dataset *ds, const tl_tensor *tensors, uint32_t n_tensors, uint32_t dim,
                                      tl_rating_head **out, tl_error *err)
{
    *out = NULL;
    const tl_tensor *w[TL_HEAD_MAX_HIDDEN + 2], *b[TL_HEAD_MAX_HIDDEN + 2];
    char name[TL_TENSOR_NAME_MAX];
    uint32_t n_layers = 0;
    for (;;) {
        snprintf(name, sizeof name, "head.w%u", n_layers + 1);
        const tl_tensor *t = tl_tensor_find(tensors, n_tensors, name);
        if (!t) break;
        if (n_layers == TL_HEAD_MAX_HIDDEN + 1) return damaged(err, name, "is one Dense layer too many");
        w[n_layers] = t;
        snprintf(name, sizeof name, "head.b%u", n_layers + 1);
        b[n_layers] = tl_tensor_find(tensors, n_tensors, name);
        if (!b[n_layers]) return damaged(err, name, "is missing");
        n_layers++;
    }
    const tl_tensor *ub = tl_tensor_find(tensors, n_tensors, "head.user_bias"),
                    *mb = tl_tensor_find(tensors, n_tensors, "head.movie_bias"),
                    *mean = tl_tensor_find(tensors, n_tensors, "head.mean");
    if (n_layers == 0) {
        if (ub || mb || mean) return damaged(err, "head.w1", "is missing but the head's biases are present");
        return TL_OK; /* a retrieval-only model */
    }
    if (w[0]->rows != 2 * dim) return damaged(err, "head.w1", "does not take the concatenated embeddings as input");
    tl_head_config cfg;
    tl_head_config_original(&cfg);
    cfg.n_hidden = n_layers - 1;
    for (uint32_t l = 0; l < n_layers; l++) {
        snprintf(name, sizeof name, "head.w%u", l + 1);
        uint32_t cols = w[l]->cols;
        if (cols < 1 || cols > TL_HEAD_MAX_WIDTH) return damaged(err, name, "has an impossible width");
        if (l + 1 < n_layers && w[l + 1]->rows != cols) return damaged(err, name, "does not chain with the next layer");
        if (l + 1 == n_layers && cols != 1)
            return damaged(err, name, "is the output layer but has more than one column");
        if (l + 1 < n_layers) cfg.hidden[l] = cols;
        if (b[l]->rows != 1 || b[l]->cols != cols) {
            snprintf(name, sizeof name, "head.b%u", l + 1);
            return damaged(err, name, "does not match its kernel");
        }
    }
    cfg.biases = ub || mb || mean;
    if (cfg.biases) {
        if (!ub || !mb || !mean)
            return damaged(err, !ub ? "head.user_bias" : !mb ? "head.movie_bias" : "head.mean", "is missing");
        if (ub->rows != ds->n_users + 1 || ub->cols != 1)
            return damaged(err, "head.user_bias", "does not match the users");
        if (mb->rows != ds->n_movies + 1 || mb->cols != 1)
            return damaged(err, "head.movie_bias", "does not match the movies");
        if (mean->rows != 1 || mean->cols != 1) return damaged(err, "head.mean", "is not one number");
    }
    tl_rating_head *h = NULL;
    tl_status st = tl_rating_head_new(&cfg, dim, ds->n_users, ds->n_movies, 0, &h, err);
    if (st != TL_OK) return st;
    for (uint32_t l = 0; l < n_layers; l++) {
        memcpy(h->w[l], w[l]->data, (size_t)w[l]->rows * w[l]->cols * sizeof(float));
        memcpy(h->b[l], b[l]->data, (size_t)b[l]->cols * sizeof(float));
    }
    if (cfg.biases) {
        memcpy(h->user_bias, ub->data, ((size_t)h->n_users + 1) * sizeof(float));
        memcpy(h->movie_bias, mb->data, ((size_t)h->n_movies + 1) * sizeof(float));
        h->mean = mean->data[0];
    }
    *out = h;
    return TL_OK;
}
