/* Saved models keep working: the committed model file of every released
 * format version (tests/fixtures/models/vN-*.tlm, never regenerated) loads
 * with this build and gives its real answers: version, training-rows
 * record, seen sets, config, tensors and a user's top-3. Also the
 * training-rows record on the data it names (tl_model_rows_check_heldout). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "towerlens/index.h"
#include "towerlens/loader.h"
#include "towerlens/model_type.h"
#include "towerlens/split.h"
#include "towerlens/store.h"

static tl_model_file *load_fixture(const char *file)
{
    const char *src = getenv("TL_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/models/%s", src ? src : ".", file);
    tl_model_file *mf = NULL;
    tl_error err;
    tl_error_clear(&err);
    CHECK_INT(tl_store_load_path(path, &mf, &err), TL_OK);
    if (!mf) fprintf(stderr, "%s\n", err.message);
    return mf;
}

/* Raw user 1's top-3 (raw movie ids, seen movies left out) must be a, b, c
 * with the first score `score`. */
static void check_top3(const tl_model_file *mf, uint32_t a, uint32_t b, uint32_t c, float score)
{
    tl_index *idx = NULL;
    tl_error err;
    tl_embeddings emb = tl_model_file_embeddings(mf);
    CHECK_INT(tl_index_new_embeddings(mf->ds, &emb, &idx, &err), TL_OK);
    uint32_t u = 0, n = 0;
    CHECK_INT(tl_dataset_user_index(mf->ds, 1, &u, &err), TL_OK);
    tl_scored out[3];
    CHECK_INT(tl_index_recommend(idx, u, mf->seen, 3, NULL, out, &n, &err), TL_OK);
    CHECK_INT(n, 3);
    const uint32_t want[3] = {a, b, c};
    for (uint32_t i = 0; i < n; i++) CHECK_INT(mf->ds->movies[out[i].index].id, want[i]);
    if (n) CHECK(fabsf(out[0].score - score) < 1e-6f);
    tl_index_free(idx);
}

/* Raw ids of raw user 1's seen movies, as "1,6". */
static void seen_of_user1(const tl_model_file *mf, char *buf, size_t cap)
{
    uint32_t u = 0, n = 0;
    tl_dataset_user_index(mf->ds, 1, &u, NULL);
    const uint32_t *m = tl_seen_movies(mf->seen, u, &n);
    buf[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%u", i ? "," : "", mf->ds->movies[m[i]].id);
    }
}

static void test_v1_default(void)
{
    tl_model_file *mf = load_fixture("v1-default.tlm");
    if (!mf) return;
    CHECK_INT(mf->version, 1);
    CHECK_INT(mf->rows.known, 0);
    CHECK_INT(mf->rows.seen_all, 0);
    CHECK_CONTAINS(mf->config_json, "\"preset\":\"default\"");
    CHECK_CONTAINS(mf->config_json, "\"split\":{\"train\":7,\"test\":2}");
    CHECK_INT(mf->ds->n_users, 4);
    CHECK_INT(mf->ds->n_movies, 12);
    const tl_tensor *u = tl_model_file_tensor(mf, "users"), *m = tl_model_file_tensor(mf, "movies");
    CHECK(u && m);
    if (u && m) {
        CHECK_INT(u->rows, 5);
        CHECK_INT(u->cols, 64);
        CHECK_INT(m->rows, 13);
    }
    char seen[64];
    CHECK(mf->seen != NULL);
    if (!mf->seen) goto out;
    seen_of_user1(mf, seen, sizeof seen);
    CHECK_STR(seen, "1,6"); /* format 1: the train split only (movie 3 was a test row) */
    /* 3: what a format-1 file cannot know, user 1 rated it in the test rows */
    check_top3(mf, 50, 3, 60, 0.131259203f);
out:
    tl_model_file_free(mf);
}

static void test_v1_multitask(void)
{
    tl_model_file *mf = load_fixture("v1-tfrs-multitask.tlm");
    if (!mf) return;
    CHECK_INT(mf->version, 1);
    CHECK_INT(mf->rows.known, 0);
    CHECK_CONTAINS(mf->config_json, "\"preset\":\"tfrs\",\"dim\":32");
    CHECK_CONTAINS(mf->config_json, "\"rating_head\":{\"type\":\"mlp\"");
    CHECK(tl_model_file_tensor(mf, "head.w1") != NULL);
    const tl_tensor *u = tl_model_file_tensor(mf, "users");
    CHECK(u && u->cols == 32 && u->rows == 5);
    check_top3(mf, 80, 60, 100, 0.0247674212f);
    tl_model_file_free(mf);
}

static void test_v2_default(void)
{
    tl_model_file *mf = load_fixture("v2-default.tlm");
    if (!mf) return;
    CHECK_INT(mf->version, 2);
    CHECK_INT(mf->rows.known, 1);
    CHECK_INT(mf->rows.seen_all, 1);
    CHECK_INT(mf->rows.train_rows, 7);
    CHECK_INT(mf->rows.test_rows, 2);
    CHECK_INT(mf->rows.total_rows, 9);
    CHECK_INT(mf->rows.seed, 42);
    CHECK_CONTAINS(mf->config_json, "\"preset\":\"default\"");
    tl_buf b;
    tl_buf_init(&b);
    tl_model_rows_json(&mf->rows, &b);
    CHECK_STR(b.data, "{\"ratings\":7,\"totalRatings\":9,\"testRatings\":2,\"seed\":42,\"all\":false}");
    tl_buf_reset(&b);
    tl_model_rows_describe(&mf->rows, &b);
    CHECK_STR(b.data, "7 of 9 ratings (split seed 42, 2 held out)");
    tl_buf_free(&b);
    char seen[64];
    CHECK(mf->seen != NULL);
    if (!mf->seen) goto out;
    seen_of_user1(mf, seen, sizeof seen);
    CHECK_STR(seen, "1,3,6"); /* every rating of user 1, test rows included */
    check_top3(mf, 50, 60, 70, 0.131259203f);

    /* the record against the data it names: same split passes; another seed,
     * other data or a model of every rating is refused */
    const char *src = getenv("TL_SOURCE_DIR");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/small", src ? src : ".");
    const char *paths[1] = {dir};
    tl_dataset *ds = NULL;
    tl_error err;
    CHECK_INT(tl_load_paths(paths, 1, &ds, &err), TL_OK);
    if (!ds) goto out;
    CHECK(tl_dataset_rows_hash(ds) == mf->rows.data_hash);
    tl_split_options so;
    tl_split_options_default(&so);
    tl_split *sp = NULL;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    CHECK_INT(tl_model_rows_check_heldout(&mf->rows, ds, sp, 42, &err), TL_OK);
    tl_split_free(sp);
    so.seed = 43;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    CHECK_INT(tl_model_rows_check_heldout(&mf->rows, ds, sp, 43, &err), TL_E_STATE);
    CHECK_CONTAINS(err.message, "trained on another split (seed 42, 7 train / 2 test rows)");
    tl_model_rows all = mf->rows;
    all.train_rows = 9;
    all.test_rows = 0;
    CHECK_INT(tl_model_rows_check_heldout(&all, ds, sp, 43, &err), TL_E_STATE);
    CHECK_CONTAINS(err.message, "trained on all 9 ratings, so it has no held-out rows");
    tl_model_rows other = mf->rows;
    other.data_hash ^= 1;
    CHECK_INT(tl_model_rows_check_heldout(&other, ds, sp, 42, &err), TL_E_STATE);
    CHECK_CONTAINS(err.message, "trained on other ratings");
    tl_model_rows unknown;
    memset(&unknown, 0, sizeof unknown);
    CHECK_INT(tl_model_rows_check_heldout(&unknown, ds, sp, 43, &err), TL_OK);
    tl_split_free(sp);
    tl_dataset_free(ds);
out:
    tl_model_file_free(mf);
}

/* A format-1 file read and written again becomes format 2 that still says
 * its seen sets are the train split's and its rows are unknown. */
static void test_v1_rewritten(void)
{
    tl_model_file *mf = load_fixture("v1-default.tlm");
    if (!mf) return;
    tl_buf b;
    tl_buf_init(&b);
    tl_error err;
    CHECK_INT(tl_store_write(mf->ds, mf->seen, mf->config_json, &mf->rows, mf->tensors, mf->n_tensors, &b, &err),
              TL_OK);
    tl_model_file *again = NULL;
    CHECK_INT(tl_store_read((const uint8_t *)b.data, b.len, "again", &again, &err), TL_OK);
    if (again) {
        CHECK_INT(again->version, TL_STORE_VERSION);
        CHECK_INT(again->rows.known, 0);
        CHECK_INT(again->rows.seen_all, 0);
        CHECK_INT(again->seen->offsets[again->seen->n_users], mf->seen->offsets[mf->seen->n_users]);
    }
    tl_model_file_free(again);
    tl_buf_free(&b);
    tl_model_file_free(mf);
}

int main(void)
{
    test_v1_default();
    test_v1_multitask();
    test_v2_default();
    test_v1_rewritten();
    return check_report("test_store_versions");
}
