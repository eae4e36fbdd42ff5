/* Imported factors serve like every dot-product model (embed_scorer.c), but
 * a visitor is folded in the way their training implies when the model file
 * records it (Spark ALS or implicit ALS: imported_foldin.c); otherwise with
 * towerlens' own fold-in. */
#include <stdlib.h>

#include "models/embed/embed_internal.h"
#include "models/models_internal.h"
#include "towerlens/imported.h"

typedef struct imported_scorer {
    tl__embed_scorer e; /* first: a tl_scorer * is an imported_scorer * */
    tl_import_foldin als;
} imported_scorer;

static tl_status fold_in(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                         tl_error *err)
{
    (void)opt;
    const imported_scorer *im = (const imported_scorer *)s;
    return tl_import_foldin_solve(s->ds, &im->e.emb, &im->als, p->movies, p->stars, p->n, state, err);
}

static void release(tl_scorer *s)
{
    tl__embed_scorer_release((tl__embed_scorer *)s);
    free(s);
}

tl_status tl__imported_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                            tl_scorer **out, tl_error *err)
{
    *out = NULL;
    tl_embeddings emb;
    tl_status st = tl__embed_tables(ds, t, n_t, &emb, err);
    if (st != TL_OK) return st;
    imported_scorer *im = calloc(1, sizeof *im);
    if (!im) return tl_fail(err, TL_E_NOMEM, "scorer: out of memory");
    st = tl__embed_scorer_init(&im->e, ds, &emb, err);
    if (st != TL_OK) {
        free(im);
        return st;
    }
    im->e.ops.free = release; /* e.ops: the dot-product scorer's, with this fold-in when recorded */
    if (tl_import_foldin_from_config(config_json, &im->als)) im->e.ops.fold_in = fold_in;
    *out = &im->e.base;
    return TL_OK;
}
