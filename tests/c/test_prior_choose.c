/* The visitor prior chosen at training (docs/training.md "Visitors",
 * src/models/prior_choose.c): per-rating timestamps kept by the loader
 * (values, the shift for wide ones, none without a time column); on
 * data/demo the choice is deterministic, the same for 1 and 2 threads and
 * natively and in WASM (this test runs in both builds against the same
 * recorded figures), never reads test rows (changing their stars and times
 * leaves it unchanged), falls back to w = 0 without timestamps and with too
 * few users, and is not made for presets without it (tfrs). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eval_fixture.h"
#include "loader_util.h"
#include "towerlens/buf.h"
#include "towerlens/loader.h"
#include "towerlens/split.h"
#include "towerlens/train.h"
#include "train_fixture.h"

static tl_dataset *load_text(const char *name, const char *text, const char *user_col, const char *time_col)
{
    tl_error err;
    tl_dataset *ds = NULL;
    tl_loader *ld = tl_loader_new();
    tl_file_kind kind;
    CHECK_INT(tl_loader_begin(ld, name, &err), TL_OK);
    if (user_col) CHECK_INT(tl_loader_map_interactions(ld, user_col, "item", "rating", time_col, &err), TL_OK);
    /* in small chunks: the fast path and the tokenizer both store times */
    size_t n = strlen(text);
    for (size_t at = 0; at < n; at += 7) {
        size_t len = n - at < 7 ? n - at : 7;
        CHECK_INT(tl_loader_feed(ld, (const uint8_t *)text + at, len, &err), TL_OK);
    }
    CHECK_INT(tl_loader_end(ld, &kind, &err), TL_OK);
    CHECK_INT(tl_loader_finish(ld, &ds, &err), TL_OK);
    tl_loader_free(ld);
    return ds;
}

static void test_timestamps_loaded(void)
{
    /* MovieLens ratings.csv: seconds, kept as they are, in file order */
    tl_dataset *ds = load_text("ratings.csv",
                               "userId,movieId,rating,timestamp\n1,10,4,964982703\n1,20,3.5,50\n"
                               "2,10,5,4000000000\n2,30,1,0\n",
                               NULL, NULL);
    CHECK(ds && ds->r_time);
    if (ds && ds->r_time) {
        const uint32_t want[4] = {964982703u, 50u, 4000000000u, 0u};
        CHECK(memcmp(ds->r_time, want, sizeof want) == 0);
        CHECK_INT(ds->time_shift, 0);
        CHECK(ds->first_timestamp == 0 && ds->last_timestamp == 4000000000);
    }
    tl_dataset_free(ds);

    /* milliseconds: the smallest shift that fits 32 bits, earlier rows
     * shifted along (order kept; ties broken by file order later) */
    ds = load_text("ratings.csv",
                   "userId,movieId,rating,timestamp\n1,1,4,5\n1,2,4,1600000000000\n1,3,4,1600000000511\n"
                   "2,1,3,1600000001024\n",
                   NULL, NULL);
    CHECK(ds && ds->r_time);
    if (ds && ds->r_time) {
        CHECK_INT(ds->time_shift, 9); /* 1.6e12 >> 9 = 3.1e9 < 2^32; >> 8 would not fit */
        const uint32_t want[4] = {0u, (uint32_t)(1600000000000ull >> 9), (uint32_t)(1600000000511ull >> 9),
                                  (uint32_t)(1600000001024ull >> 9)};
        CHECK(memcmp(ds->r_time, want, sizeof want) == 0);
    }
    tl_dataset_free(ds);

    /* ml-1m ratings.dat ("::") keeps them too */
    ds = load_text("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n", NULL, NULL);
    CHECK(ds && ds->r_time && ds->r_time[0] == 978300760u && ds->r_time[1] == 978302109u);
    tl_dataset_free(ds);

    /* a CSV of your own: with a time column kept, without none */
    const char *own = "user,item,rating,ts\nu1,a,4,30\nu1,b,2,10\nu2,a,5,20\n";
    ds = load_text("events.csv", own, "user", "ts");
    CHECK(ds && ds->r_time && ds->r_time[0] == 30u && ds->r_time[1] == 10u && ds->r_time[2] == 20u);
    tl_dataset_free(ds);
    ds = load_text("events.csv", own, "user", NULL);
    CHECK(ds && ds->r_time == NULL && ds->time_shift == 0);
    tl_dataset_free(ds);
}

/* The figures of the choice on data/demo (split seed 42, test fraction
 * 0.2, the default preset at 2 epochs), recorded: the same bits natively
 * and in WASM, for 1 and 2 threads. */
#define DEMO_W3 0.8f
#define DEMO_W10 0.05f
#define DEMO_USERS3 120u
#define DEMO_USERS10 120u
#define DEMO_RECALL3 0.25550974252212633
#define DEMO_NDCG3 0.25966840905042332
#define DEMO_POP_RECALL3 0.19105543819069368
#define DEMO_RECALL10 0.3232968340998526
#define DEMO_NDCG10 0.28501432114845898
#define DEMO_POP_NDCG10 0.15291915667241668

static int run_choice(tl_dataset *ds, const tl_split *sp, const char *preset, uint32_t threads, int expect_choosing,
                      tl_prior_choice *out)
{
    tl_train_config cfg;
    tl_error err;
    CHECK_INT(tl_train_config_preset(&cfg, preset, &err), TL_OK);
    cfg.epochs = 2;
    cfg.threads = threads;
    tl_trainer *tr = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    if (!tr) return 0;
    tl_trainer_prior_choice(tr, out);
    if (expect_choosing) CHECK_INT(out->status, TL_PRIOR_CHOOSING);
    tl_train_progress p;
    /* in small steps: the choice runs within tl_trainer_step before the first batch */
    uint32_t calls = 0;
    do {
        CHECK_INT(tl_trainer_step(tr, 1, 0, &p, &err), TL_OK);
        calls++;
    } while (!p.done && calls < 1000);
    CHECK(p.done);
    tl_trainer_prior_choice(tr, out);
    /* the model holds the chosen weights, and its config says them */
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    uint32_t nt = tl_trainer_tensors(tr, t);
    const tl_tensor *w = tl_tensor_find(t, nt, "visitor_prior");
    if (w) CHECK(w->data[0] == out->w3 && w->data[1] == out->w10);
    CHECK(tl_trainer_config(tr)->visitor_prior_w3 == out->w3 && tl_trainer_config(tr)->visitor_prior_w10 == out->w10);
    tl_trainer_free(tr);
    return 1;
}

static int same_choice(const tl_prior_choice *a, const tl_prior_choice *b)
{
    return a->status == b->status && a->w3 == b->w3 && a->w10 == b->w10 && a->users3 == b->users3 &&
           a->users10 == b->users10 && a->aux_users == b->aux_users && a->aux_rows == b->aux_rows &&
           a->recall3 == b->recall3 && a->ndcg3 == b->ndcg3 && a->recall10 == b->recall10 && a->ndcg10 == b->ndcg10 &&
           a->pop_recall3 == b->pop_recall3 && a->pop_ndcg10 == b->pop_ndcg10;
}

static void test_choice_demo(void)
{
    tl_error err;
    tl_dataset *ds = NULL;
    tl_split *sp = NULL;
    CHECK_INT(load_demo(&ds, &err), TL_OK);
    if (!ds) return;
    CHECK(ds->r_time != NULL);
    tl_split_options so;
    tl_split_options_default(&so);
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    if (!sp) {
        tl_dataset_free(ds);
        return;
    }
    tl_prior_choice one, two, again;
    run_choice(ds, sp, "ials", 1, 1, &one);
    printf("demo: w3 %g w10 %g, users %u / %u, aux %u users %llu rows; k=3 %.17g %.17g (pop %.17g %.17g); "
           "k=10 %.17g %.17g (pop %.17g %.17g)\n",
           (double)one.w3, (double)one.w10, one.users3, one.users10, one.aux_users, (unsigned long long)one.aux_rows,
           one.recall3, one.ndcg3, one.pop_recall3, one.pop_ndcg3, one.recall10, one.ndcg10, one.pop_recall10,
           one.pop_ndcg10);
    CHECK_INT(one.status, TL_PRIOR_CHOSEN);
    CHECK(one.w3 == DEMO_W3);
    CHECK(one.w10 == DEMO_W10);
    CHECK_INT(one.users3, DEMO_USERS3);
    CHECK_INT(one.users10, DEMO_USERS10);
    /* the very bits, natively and in WASM */
    CHECK(one.recall3 == DEMO_RECALL3 && one.ndcg3 == DEMO_NDCG3 && one.pop_recall3 == DEMO_POP_RECALL3);
    CHECK(one.recall10 == DEMO_RECALL10 && one.ndcg10 == DEMO_NDCG10 && one.pop_ndcg10 == DEMO_POP_NDCG10);
    /* the blend chosen is never below popularity on the validation users */
    CHECK(one.recall3 >= one.pop_recall3 && one.ndcg3 >= one.pop_ndcg3);
    CHECK(one.recall10 >= one.pop_recall10 && one.ndcg10 >= one.pop_ndcg10);
    run_choice(ds, sp, "ials", 2, 1, &two);
    CHECK(same_choice(&one, &two));

    /* nesting: the test rows' stars and times are never read */
    for (uint32_t i = 0; i < sp->n_test; i++) {
        uint32_t r = sp->test[i];
        ds->r_half[r] = (uint8_t)(11 - ds->r_half[r]);
        ds->r_time[r] = ds->r_time[r] ^ 0x5a5a5au;
    }
    run_choice(ds, sp, "ials", 1, 1, &again);
    CHECK(same_choice(&one, &again));

    /* without timestamps: w = 0, nothing trained for it */
    uint32_t *times = ds->r_time;
    ds->r_time = NULL;
    run_choice(ds, sp, "ials", 1, 0, &again);
    CHECK_INT(again.status, TL_PRIOR_NO_TIMES);
    CHECK(again.w3 == 0.0f && again.w10 == 0.0f);
    ds->r_time = times;

    /* a preset without the choice keeps its given weights */
    run_choice(ds, sp, "tfrs", 1, 0, &again);
    CHECK_INT(again.status, TL_PRIOR_FIXED);
    CHECK(again.w3 == 0.0f && again.w10 == 0.0f);

    tl_split_free(sp);
    tl_dataset_free(ds);
}

/* Too few users: 30 users with 8 ratings each give 6 validation users. */
static void test_too_few(void)
{
    enum { NU = 30, NM = 40, PER = 8 };
    uint32_t tri[NU * PER * 3];
    uint32_t n = 0;
    for (uint32_t u = 0; u < NU; u++)
        for (uint32_t k = 0; k < PER; k++) {
            tri[3 * n] = u, tri[3 * n + 1] = (u * 7 + k * 3) % NM, tri[3 * n + 2] = 6 + (k % 5);
            n++;
        }
    tl_dataset *ds = fixture_dataset(NU, NM, NM, tri, n);
    ds->r_time = malloc(n * sizeof *ds->r_time);
    for (uint32_t i = 0; i < n; i++) ds->r_time[i] = n - i;
    tl_split *sp = fixture_all_train(n);
    tl_prior_choice c;
    run_choice(ds, sp, "ials", 1, 0, &c);
    CHECK_INT(c.status, TL_PRIOR_TOO_FEW);
    CHECK(c.w3 == 0.0f && c.w10 == 0.0f);
    tl_buf b;
    tl_buf_init(&b);
    tl_prior_choice_describe(&c, &b);
    CHECK_CONTAINS(b.data, "too few validation users");
    tl_buf_free(&b);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

int main(void)
{
    test_timestamps_loaded();
    test_too_few();
    test_choice_demo();
    return check_report("test_prior_choose");
}
