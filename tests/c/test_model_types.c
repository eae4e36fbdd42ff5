/* The model-type table (model_type.h) and the trainer's side of the seam
 * (train.h, tl_train_ops): the table's entries, finding a type by name, by
 * a model file's config (also configs written before types were
 * recorded), the popularity type's counts against a hand count, and
 * thread-count independence through the generic trainer. */
#include <stdint.h>

#include "check.h"
#include "towerlens/buf.h"
#include "towerlens/model_type.h"
#include "towerlens/rng.h"
#include "towerlens/train.h"
#include "train_fixture.h"

static void test_table(void)
{
    const char *names[] = {"ials", "two-tower", "popularity", "ease"};
    for (uint32_t i = 0; i < 4; i++) {
        const tl_model_type *t = tl_model_type_at(i);
        CHECK(t != NULL);
        if (!t) continue;
        CHECK_STR(t->name, names[i]);
        CHECK(t->about && t->about[0]);
        CHECK(t->train != NULL);
        CHECK(tl_model_type_find(names[i]) == t);
        CHECK(tl_model_type_of_loss(t->train->loss) == t);
    }
    /* imported factors open and serve like the others but train elsewhere */
    const tl_model_type *imported = tl_model_type_at(4);
    CHECK(imported && !strcmp(imported->name, "imported") && imported->train == NULL && imported->open);
    const tl_model_type *blend = tl_model_type_at(5); /* the iALS + EASE blend, trainable */
    CHECK(blend && !strcmp(blend->name, "blend") && blend->train && tl_model_type_of_loss(TL_LOSS_BLEND) == blend);
    CHECK(tl_model_type_at(6) == NULL);
    CHECK(tl_model_type_find("slim") == NULL);
    CHECK(tl_model_type_find("") == NULL);
    CHECK(tl_model_type_find(NULL) == NULL);
    CHECK_STR(tl_model_type_of_loss(TL_LOSS_IALS)->name, "ials");
    CHECK_STR(tl_model_type_of_loss(TL_LOSS_INBATCH_SOFTMAX)->name, "two-tower");
    CHECK_STR(tl_model_type_of_loss(TL_LOSS_POPULARITY)->name, "popularity");
    CHECK_STR(tl_model_type_of_loss(TL_LOSS_EASE)->name, "ease");
    CHECK(tl_model_type_of_loss((tl_loss_kind)7) == NULL);
}

static const char *type_of(const char *json)
{
    const tl_model_type *t = tl_model_type_of_config(json);
    return t ? t->name : "(none)";
}

static void test_of_config(void)
{
    /* recorded */
    CHECK_STR(type_of("{\"model\":\"popularity\",\"preset\":\"popularity\"}"), "popularity");
    CHECK_STR(type_of("{\"model\":\"ials\",\"preset\":\"default\",\"loss\":\"ials\"}"), "ials");
    CHECK_STR(type_of("{ \"preset\" : \"x\" , \"model\" : \"two-tower\" }"), "two-tower");
    CHECK_STR(type_of("{\"model\":\"slim\",\"loss\":\"ials\"}"), "(none)"); /* the record wins, unknown */
    CHECK_STR(type_of("{\"model\":7,\"loss\":\"ials\"}"), "(none)");
    CHECK_STR(type_of("{\"model\":null}"), "(none)");
    CHECK_STR(type_of("{\"loss\":null}"), "(none)");
    /* written before types were recorded: the loss tells */
    CHECK_STR(type_of("{\"preset\":\"tfrs\",\"dim\":32,\"loss\":\"in_batch_softmax\",\"optimizer\":\"adagrad\"}"),
              "two-tower");
    CHECK_STR(type_of("{\"preset\":\"default\",\"dim\":64,\"loss\":\"ials\",\"optimizer\":\"cg_als\"}"), "ials");
    CHECK_STR(type_of("{\"preset\":\"tfrs\"}"), "two-tower");
    CHECK_STR(type_of("{}"), "two-tower");
    CHECK_STR(type_of(NULL), "two-tower");
    CHECK_STR(type_of("{\"preset\":\"x\",\"loss\":\"hinge\"}"), "(none)");
    /* imported factors: no model, no loss, the preset says so (nested keys do not count) */
    CHECK_STR(type_of("{\"preset\":\"imported\",\"dim\":8,\"imported\":{\"source\":\"spark\",\"loss\":\"ials\","
                      "\"model\":\"popularity\"}}"),
              "imported");
    /* keys inside strings and arrays do not count */
    CHECK_STR(type_of("{\"preset\":\"\\\"model\\\":\\\"ials\\\"\",\"a\":[{\"model\":\"ials\"}],\"loss\":\"ials\"}"),
              "ials");
    CHECK_STR(type_of("{\"preset\":\"model\",\"x\":\"loss\"}"), "two-tower");
    /* broken JSON never reads past the end */
    CHECK_STR(type_of("{\"model\":\"ials"), "(none)");
    CHECK_STR(type_of("{\"model\""), "two-tower");

    /* every preset's config JSON names its type first, and reads back */
    for (size_t i = 0; tl_train_preset_name(i); i++) {
        for (int rating = 0; rating < 2; rating++) {
            tl_train_config cfg;
            tl_error err;
            CHECK_INT(tl_train_config_preset(&cfg, tl_train_preset_name(i), &err), TL_OK);
            if (rating) tl_train_config_set_rating(&cfg, 1.0f);
            if (tl_train_config_check(&cfg, &err) != TL_OK) {
                CHECK(rating); /* iALS and popularity have no rating head */
                continue;
            }
            const tl_model_type *t = tl_model_type_of_loss(cfg.loss);
            CHECK(t != NULL);
            tl_buf b;
            tl_buf_init(&b);
            tl_train_config_json(&cfg, NULL, &b);
            char want[64];
            snprintf(want, sizeof want, "{\"model\":\"%s\",\"preset\":\"%s\",", t->name, cfg.preset);
            CHECK(!strncmp(b.data, want, strlen(want)));
            CHECK(tl_model_type_of_config(b.data) == t);
            tl_buf_free(&b);
        }
    }
    tl_train_config cfg;
    tl_error err;
    CHECK_INT(tl_train_config_preset(&cfg, "popularity", &err), TL_OK);
    CHECK_STR(tl_model_type_of_loss(cfg.loss)->name, "popularity");
    CHECK_INT(cfg.epochs, 1);
    tl_train_config_set_rating(&cfg, 1.0f);
    CHECK_INT(tl_train_config_check(&cfg, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "popularity model has no rating head");
    CHECK_INT(tl_train_config_preset(&cfg, "default", &err), TL_OK);
    CHECK_STR(tl_model_type_of_loss(cfg.loss)->name, "ials");
    tl_train_config_set_rating(&cfg, 1.0f); /* the default joint model */
    CHECK_STR(tl_model_type_of_loss(cfg.loss)->name, "two-tower");
}

static void test_tensor_find(void)
{
    float x[2] = {1, 2};
    tl_tensor t[2];
    memset(t, 0, sizeof t);
    strcpy(t[0].name, "users");
    strcpy(t[1].name, "popularity");
    t[1].data = x;
    CHECK(tl_tensor_find(t, 2, "popularity") == &t[1]);
    CHECK(tl_tensor_find(t, 2, "users") == &t[0]);
    CHECK(tl_tensor_find(t, 1, "popularity") == NULL);
    CHECK(tl_tensor_find(t, 2, "movies") == NULL);
    CHECK(tl_tensor_find(t, 2, "user") == NULL);
    CHECK(tl_tensor_find(t, 0, "users") == NULL);
    CHECK(tl_tensor_find(t, 2, NULL) == NULL);
}

/* 5 users, 6 movies, 14 rows; movie 5 never rated; rows 3, 9 and 12 are
 * held out (not in the split's train rows). */
static const uint32_t pu[] = {0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 0};
static const uint32_t pm[] = {0, 1, 0, 2, 0, 1, 3, 0, 3, 4, 1, 1, 4, 0};

static tl_split *pop_split(void)
{
    static const uint32_t train[] = {13, 0, 1, 2, 4, 5, 6, 7, 8, 10, 11};
    tl_split *sp = fixture_all_train(14);
    sp->n_train = 11;
    memcpy(sp->train, train, sizeof train);
    return sp;
}

static uint64_t pop_run(const tl_dataset *ds, const tl_split *sp, uint32_t threads, uint32_t epochs,
                        int one_batch_calls, float *counts_out)
{
    tl_train_config cfg;
    tl_error err;
    CHECK_INT(tl_train_config_preset(&cfg, "popularity", &err), TL_OK);
    cfg.threads = threads;
    cfg.epochs = epochs;
    tl_trainer *tr = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    if (!tr) return 0;
    CHECK_STR(tl_trainer_type(tr)->name, "popularity");
    CHECK(tl_trainer_model(tr) == NULL);
    CHECK(tl_trainer_head(tr) == NULL);
    CHECK(tl_trainer_bytes(tr) > 6 * sizeof(float));
    tl_train_progress p;
    int calls = 0;
    do {
        CHECK_INT(tl_trainer_step(tr, one_batch_calls ? 1 : 0, 0, &p, &err), TL_OK);
        calls++;
    } while (!p.done && calls < 100);
    CHECK_INT(calls, one_batch_calls ? (int)epochs : 1);
    CHECK_INT(p.batches_per_epoch, 1);
    CHECK_INT(p.epochs_completed, epochs);
    CHECK_INT(p.examples_seen, 11u * epochs);
    uint32_t n_ep;
    const tl_epoch_record *ep = tl_trainer_epochs(tr, &n_ep);
    CHECK_INT(n_ep, epochs);
    CHECK_NEAR(ep[0].loss, 0.0, 0);
    CHECK_NEAR(ep[0].rating_mse, 0.0, 0);
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    CHECK_INT(tl_trainer_tensors(tr, t), 1);
    CHECK_STR(t[0].name, "popularity");
    CHECK_INT(t[0].rows, 7); /* a row per movie, the out-of-vocabulary row last */
    CHECK_INT(t[0].cols, 1);
    memcpy(counts_out, t[0].data, 7 * sizeof(float));
    uint64_t h = tl_trainer_hash(tr);
    tl_trainer_free(tr);
    return h;
}

static void test_popularity_counts(void)
{
    tl_dataset *ds = fixture_columns(5, 6, 14, pu, pm, NULL);
    tl_split *sp = pop_split();
    /* by hand, over the train rows 13, 0, 1, 2, 4, 5, 6, 7, 8, 10, 11:
     * movie 0: rows 13, 0, 2, 4, 7 = 5; movie 1: rows 1, 5, 10, 11 = 4
     * (user 4 rated it twice: both count); movie 2: row 3 held out = 0;
     * movie 3: rows 6, 8 = 2; movie 4: row 9 and 12 held out = 0;
     * movie 5: never = 0; OOV = 0 */
    const float want[7] = {5, 4, 0, 2, 0, 0, 0};
    float got[7];
    uint64_t h1 = pop_run(ds, sp, 1, 1, 0, got);
    for (int i = 0; i < 7; i++) CHECK_NEAR(got[i], want[i], 0);
    /* the hash: FNV-1a over n_movies and the counts (train.h) */
    uint64_t h = tl_fnv1a64_floats(tl_fnv1a64_u32(TL_FNV_OFFSET, 6), want, 7);
    CHECK(h1 == h);
    /* thread counts, more epochs and one batch per call change nothing */
    CHECK(pop_run(ds, sp, 2, 1, 0, got) == h);
    CHECK(pop_run(ds, sp, 4, 3, 1, got) == h);
    for (int i = 0; i < 7; i++) CHECK_NEAR(got[i], want[i], 0);
    CHECK(pop_run(ds, sp, 0, 2, 0, got) == h);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

/* A seeded random dataset where every user and movie is rated. */
static tl_dataset *random_dataset(uint32_t nu, uint32_t nm, uint32_t n, uint64_t seed)
{
    uint32_t *u = malloc(n * sizeof *u), *m = malloc(n * sizeof *m);
    uint8_t *half = malloc(n);
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (uint32_t i = 0; i < n; i++) {
        u[i] = i < nu ? i : tl_rng_below(&r, nu);
        m[i] = i < nm ? i : tl_rng_below(&r, nm);
        half[i] = (uint8_t)(1 + tl_rng_below(&r, 10));
    }
    tl_dataset *ds = fixture_columns(nu, nm, n, u, m, half);
    free(u);
    free(m);
    free(half);
    return ds;
}

/* Each trainable embedding type through the generic trainer: the hash does
 * not depend on the thread count nor on how the work is cut into calls;
 * tl_trainer_hash is tl_model_hash (XOR the head's when there is one). */
static void test_threads(const char *preset, float rating_weight, uint64_t expect)
{
    tl_dataset *ds = random_dataset(70, 40, 1500, 5);
    tl_split *sp = fixture_all_train(1500);
    uint64_t first = 0;
    for (uint32_t threads = 1; threads <= 3; threads++) {
        tl_train_config cfg;
        tl_error err;
        CHECK_INT(tl_train_config_preset(&cfg, preset, &err), TL_OK);
        tl_train_config_set_rating(&cfg, rating_weight);
        cfg.dim = 8;
        cfg.epochs = 2;
        cfg.batch_size = 200;
        cfg.threads = threads;
        tl_trainer *tr = NULL;
        CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
        if (!tr) continue;
        CHECK(tl_trainer_type(tr) == tl_model_type_of_loss(cfg.loss));
        tl_train_progress p;
        do CHECK_INT(tl_trainer_step(tr, threads == 2 ? 1 : 0, 0, &p, &err), TL_OK);
        while (!p.done);
        CHECK_INT(p.epochs_completed, 2);
        const tl_model *m = tl_trainer_model(tr);
        CHECK(m != NULL);
        uint64_t want = tl_model_hash(m);
        if (tl_trainer_head(tr)) want ^= tl_rating_head_hash(tl_trainer_head(tr));
        CHECK((tl_trainer_head(tr) != NULL) == (rating_weight > 0.0f));
        uint64_t h = tl_trainer_hash(tr);
        CHECK(h == want);
        if (threads == 1) first = h;
        else CHECK(h == first);
        tl_tensor t[TL_TRAINER_MAX_TENSORS];
        uint32_t n = tl_trainer_tensors(tr, t);
        CHECK(n >= 2);
        const tl_tensor *users = tl_tensor_find(t, n, "users");
        CHECK(users && users->data == m->users && users->rows == 71 && users->cols == 8);
        const tl_tensor *movies = tl_tensor_find(t, n, "movies");
        CHECK(movies && movies->data == m->movies && movies->rows == 41 && movies->cols == 8);
        tl_trainer_free(tr);
    }
    printf("%s%s: hash %016llx on 1-3 threads\n", preset, rating_weight > 0.0f ? " + rating head" : "",
           (unsigned long long)first);
    CHECK(first == expect); /* the same natively and in WASM */
    tl_split_free(sp);
    tl_dataset_free(ds);
}

int main(void)
{
    test_table();
    test_of_config();
    test_tensor_find();
    test_popularity_counts();
    test_threads("default", 0.0f, 0x6c811e99d8e84a3full);
    test_threads("tfrs", 0.0f, 0xd1f6e9609e15291full);
    test_threads("tfrs-multitask", 1.0f, 0x9012428fdefbf096ull);
    test_threads("default", 1.0f, 0x4351353048b57585ull);
    return check_report("test_model_types");
}
