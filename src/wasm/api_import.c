/* Importing factors trained elsewhere (import.h) for JavaScript: the files'
 * bytes go in, model-file bytes come out; JS then loads the
 * bytes as any model file (tl.importModel in web/lib/import.js). */
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "towerlens.h"

typedef struct tlw_import {
    tl_error err; /* first, as in every handle */
    tl_buf model; /* the model file (the summary is in its config: "imported") */
} tlw_import;

EMSCRIPTEN_KEEPALIVE tlw_import *tlw_import_alloc(void)
{
    tlw_import *h = calloc(1, sizeof *h);
    if (h) tl_buf_init(&h->model);
    return h;
}

EMSCRIPTEN_KEEPALIVE void tlw_import_free(tlw_import *h)
{
    if (!h) return;
    tl_buf_free(&h->model);
    free(h);
}

/* One input file: bytes, size (a double: JS numbers), name for messages. */
typedef struct tlw_file {
    const uint8_t *p;
    double n;
    const char *name;
} tlw_file;

static int size_ok(tlw_import *h, const tlw_file *f)
{
    if (f->n >= 0 && f->n <= (double)SIZE_MAX) return 1;
    tl_fail(&h->err, TL_E_ARG, "import: %s has an impossible size", f->name ? f->name : "a file");
    return 0;
}

/* Six files, in three parallel arrays (bytes, sizes, names): movie factors,
 * movie ids, user factors, user ids, movies, links (bytes NULL = not
 * given). foldin: 0 default, 1 als, 2 ials. */
EMSCRIPTEN_KEEPALIVE int tlw_import_run(tlw_import *h, const uint8_t *const *bytes, const double *sizes,
                                        const char *const *names, double max_user_bytes, int foldin, float reg,
                                        float alpha, int skip_unknown, const char *source)
{
    if (!h) return TL_E_ARG;
    tl_error_clear(&h->err);
    tlw_file files[6];
    for (int i = 0; i < 6; i++) files[i] = (tlw_file){bytes[i], sizes[i], names[i]};
    for (int i = 0; i < 6; i++)
        if (files[i].p && !size_ok(h, &files[i])) return h->err.status;
    const tlw_file *mf = &files[0], *mi = &files[1], *uf = &files[2], *ui = &files[3], *mv = &files[4], *ln = &files[5];
    if (!mf->p || !mv->p) return tl_fail(&h->err, TL_E_ARG, "import: movie factors and a movies file are required");
    if (!(foldin >= 0 && foldin <= 2)) return tl_fail(&h->err, TL_E_ARG, "import: unknown fold-in %d", foldin);
    tl_import_options opt;
    tl_import_options_default(&opt);
    opt.max_user_bytes = max_user_bytes >= 0 && max_user_bytes < 1.8e19 ? (uint64_t)max_user_bytes : 0;
    opt.foldin = (tl_import_foldin_kind)foldin;
    opt.reg = reg, opt.alpha = alpha, opt.skip_unknown = skip_unknown;
    opt.source = source && *source ? source : opt.foldin != TL_IMPORT_FOLDIN_DEFAULT ? "spark-als" : "external";

    tl_factors movies = {0}, users = {0};
    int have_users = 0;
    tl_dataset *cat = NULL;
    char skipped[sizeof h->err.message];
    tl_status st = tl_factors_read(mf->p, (size_t)mf->n, mf->name, mi->p, (size_t)mi->n, mi->name,
                                   TL_IMPORT_MAX_TABLE_BYTES, &movies, &h->err);
    if (st == TL_OK && uf->p) {
        uint64_t budget =
            opt.max_user_bytes < TL_IMPORT_MAX_TABLE_BYTES ? opt.max_user_bytes : TL_IMPORT_MAX_TABLE_BYTES;
        st = tl_factors_read(uf->p, (size_t)uf->n, uf->name, ui->p, (size_t)ui->n, ui->name, budget, &users, &h->err);
        if (st == TL_E_LIMIT) { /* over the budget: skipped, visitors are folded in */
            memcpy(skipped, h->err.message, sizeof skipped);
            opt.users_skipped = skipped;
            tl_error_clear(&h->err);
            st = TL_OK;
        } else {
            have_users = st == TL_OK;
        }
    }
    if (st == TL_OK)
        st = tl_import_catalogue(mv->p, (size_t)mv->n, mv->name, ln->p, (size_t)ln->n, ln->name, &cat, &h->err);
    if (st == TL_OK) st = tl_import_build(cat, &movies, have_users ? &users : NULL, &opt, &h->model, NULL, &h->err);
    tl_factors_free(&movies);
    tl_factors_free(&users);
    return st;
}

EMSCRIPTEN_KEEPALIVE const uint8_t *tlw_import_model_bytes(tlw_import *h) { return (const uint8_t *)h->model.data; }
EMSCRIPTEN_KEEPALIVE double tlw_import_model_size(tlw_import *h) { return (double)h->model.len; }
