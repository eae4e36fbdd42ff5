/* Which rating rows trained a model (tl_model_rows, store.h): made from a
 * split, checked before held-out metrics, described for people and JSON. */
#include <inttypes.h>

#include "towerlens/store.h"

uint64_t tl_dataset_rows_hash(const tl_dataset *ds)
{
    /* FNV-1a style over 32-bit words: one mix per field keeps 25M rows cheap */
    uint64_t h = 0xcbf29ce484222325ULL;
    const uint64_t prime = 0x100000001b3ULL;
    for (uint32_t i = 0; i < ds->n_ratings; i++) {
        h = (h ^ ds->user_ids[ds->r_user[i]]) * prime;
        h = (h ^ ds->movies[ds->r_movie[i]].id) * prime;
        h = (h ^ ds->r_half[i]) * prime;
    }
    return (h ^ ds->n_ratings) * prime;
}

void tl_model_rows_of_split(const tl_dataset *ds, const tl_split *sp, uint64_t seed, tl_model_rows *out)
{
    out->known = 1;
    out->seen_all = 1;
    out->seed = seed;
    out->data_hash = tl_dataset_rows_hash(ds);
    out->train_rows = sp->n_train;
    out->test_rows = sp->n_test;
    out->total_rows = ds->n_ratings;
}

tl_status tl_model_rows_check_heldout(const tl_model_rows *r, const tl_dataset *ds, const tl_split *sp, uint64_t seed,
                                      tl_error *err)
{
    if (!r->known) return TL_OK;
    if (r->train_rows == r->total_rows)
        return tl_fail(err, TL_E_STATE,
                       "the model was trained on all %u ratings, so it has no held-out rows: its metrics on any "
                       "split would count ratings it trained on. Evaluate a model trained with a test share "
                       "(train --test-fraction F), then train on everything to serve",
                       r->total_rows);
    if (r->total_rows != ds->n_ratings || r->data_hash != tl_dataset_rows_hash(ds))
        return tl_fail(err, TL_E_STATE,
                       "the model was trained on other ratings (%u rows, not these %u or not in this order), so "
                       "this split's test rows may be among its training rows; evaluate on the files it was "
                       "trained on",
                       r->total_rows, ds->n_ratings);
    if (r->seed != seed || r->train_rows != sp->n_train || r->test_rows != sp->n_test)
        return tl_fail(err, TL_E_STATE,
                       "the model was trained on another split (seed %" PRIu64 ", %u train / %u test rows) than "
                       "this one (seed %" PRIu64 ", %u / %u), so its test rows may be among the model's training "
                       "rows; pass the split options it was trained with (--seed %" PRIu64 ")",
                       r->seed, r->train_rows, r->test_rows, seed, sp->n_train, sp->n_test, r->seed);
    return TL_OK;
}

void tl_model_rows_describe(const tl_model_rows *r, tl_buf *b)
{
    if (!r->known) tl_buf_puts(b, "its training rows are not recorded (an older model file)");
    else if (r->train_rows == r->total_rows)
        tl_buf_printf(b, "all %u rating%s", r->total_rows, tl_plural(r->total_rows));
    else
        tl_buf_printf(b, "%u of %u rating%s (split seed %" PRIu64 ", %u held out)", r->train_rows, r->total_rows,
                      tl_plural(r->total_rows), r->seed, r->test_rows);
}

void tl_model_rows_json(const tl_model_rows *r, tl_buf *b)
{
    if (!r->known) {
        tl_buf_puts(b, "null");
        return;
    }
    tl_buf_printf(b, "{\"ratings\":%u,\"totalRatings\":%u,\"testRatings\":%u,\"seed\":%" PRIu64 ",\"all\":%s}",
                  r->train_rows, r->total_rows, r->test_rows, r->seed,
                  r->train_rows == r->total_rows ? "true" : "false");
}
