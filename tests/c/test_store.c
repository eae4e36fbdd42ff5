#define _GNU_SOURCE
#include <unistd.h>

#include "check.h"
#include "store/store_internal.h"
#include "towerlens/seen.h"
#include "towerlens/store.h"

/* A small hand-built dataset: 3 users, 4 movies (one outside the catalogue). */
static tl_dataset *make_dataset(void)
{
    tl_dataset *ds = calloc(1, sizeof *ds);
    static const uint32_t users[] = {5, 9, 12}, ru[] = {0, 0, 1, 2, 2, 2}, rm[] = {0, 1, 1, 0, 2, 3};
    ds->n_users = 3;
    ds->user_ids = malloc(sizeof users);
    memcpy(ds->user_ids, users, sizeof users);
    ds->user_counts = calloc(3, sizeof(uint32_t));
    ds->n_ratings = 6;
    ds->r_user = malloc(sizeof ru);
    ds->r_movie = malloc(sizeof rm);
    ds->r_half = malloc(6);
    memcpy(ds->r_user, ru, sizeof ru);
    memcpy(ds->r_movie, rm, sizeof rm);
    memset(ds->r_half, 8, 6);
    const char titles[] = "Toy Story\0Heat, the \"Movie\"\0Am\xC3\xA9lie\0Orphan";
    ds->strings_len = sizeof titles;
    ds->strings = malloc(sizeof titles);
    memcpy(ds->strings, titles, sizeof titles);
    ds->n_movies = 4;
    ds->movies = calloc(4, sizeof(tl_movie));
    static const uint32_t ids[] = {1, 6, 2571, 99999}, offs[] = {0, 10, 28, 35};
    for (int m = 0; m < 4; m++) {
        ds->movies[m].id = ids[m];
        ds->movies[m].title = offs[m];
        ds->movies[m].year = (int16_t)(m == 3 ? 0 : 1990 + m);
        ds->movies[m].in_catalogue = m != 3;
        ds->movies[m].genres = (uint64_t)m;
        ds->movies[m].imdb_id = 100u + (uint32_t)m;
    }
    for (int i = 0; i < 6; i++) ds->user_counts[ru[i]]++, ds->movies[rm[i]].n_ratings++;
    ds->n_catalogue = 3;
    ds->n_rated_movies = 4;
    ds->n_genres = 2;
    strcpy(ds->genre_names[0], "Comedy");
    strcpy(ds->genre_names[1], "(no genres listed)");
    return ds;
}

static void fill(float *f, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        f[i] = (float)(int)(seed >> 9) * 1e-7f - 0.3f;
    }
}

typedef struct fixture {
    tl_dataset *ds;
    tl_seen *seen;
    float users[4 * 3], movies[5 * 3];
    tl_tensor t[2];
    tl_buf bytes;
} fixture;

static void fixture_init(fixture *fx)
{
    tl_error err;
    fx->ds = make_dataset();
    static const uint32_t train[] = {0, 1, 3, 4};
    CHECK_INT(tl_seen_new(fx->ds, train, 4, &fx->seen, &err), TL_OK);
    fill(fx->users, 12, 1);
    fill(fx->movies, 15, 2);
    fx->t[0] = (tl_tensor){"users", 4, 3, fx->users};
    fx->t[1] = (tl_tensor){"movies", 5, 3, fx->movies};
    tl_buf_init(&fx->bytes);
    CHECK_INT(tl_store_write(fx->ds, fx->seen, "{\"preset\":\"tfrs\"}", NULL, fx->t, 2, &fx->bytes, &err), TL_OK);
}

static void fixture_free(fixture *fx)
{
    tl_buf_free(&fx->bytes);
    tl_seen_free(fx->seen);
    tl_dataset_free(fx->ds);
}

static void test_round_trip(void)
{
    fixture fx;
    fixture_init(&fx);
    tl_error err;
    tl_model_file *mf = NULL;
    CHECK_INT(tl_store_read((const uint8_t *)fx.bytes.data, fx.bytes.len, "m.tlm", &mf, &err), TL_OK);
    if (!mf) return;
    CHECK_STR(mf->config_json, "{\"preset\":\"tfrs\"}");
    CHECK_INT(mf->ds->n_users, 3);
    CHECK_INT(mf->ds->user_ids[2], 12);
    CHECK_INT(mf->ds->user_counts[2], 3);
    CHECK_INT(mf->ds->n_movies, 4);
    CHECK_INT(mf->ds->n_catalogue, 3);
    CHECK_INT(mf->ds->n_rated_movies, 4);
    CHECK_INT(mf->ds->n_ratings, 0);
    CHECK_STR(tl_movie_title(mf->ds, 1), "Heat, the \"Movie\"");
    CHECK_STR(tl_movie_title(mf->ds, 2), "Am\xC3\xA9lie");
    CHECK_INT(mf->ds->movies[2].year, 1992);
    CHECK_INT(mf->ds->movies[3].in_catalogue, 0);
    CHECK_INT(mf->ds->movies[3].imdb_id, 103);
    CHECK_STR(mf->ds->genre_names[1], "(no genres listed)");
    CHECK(memcmp(mf->ds->movies, fx.ds->movies, 4 * sizeof(tl_movie)) == 0);
    CHECK(mf->seen && tl_seen_contains(mf->seen, 2, 2) && !tl_seen_contains(mf->seen, 2, 3));
    const tl_tensor *u = tl_model_file_tensor(mf, "users"), *m = tl_model_file_tensor(mf, "movies");
    CHECK(u && m && u->rows == 4 && m->rows == 5 && u->cols == 3);
    if (u && m) {
        CHECK(memcmp(u->data, fx.users, sizeof fx.users) == 0); /* bit-exact */
        CHECK(memcmp(m->data, fx.movies, sizeof fx.movies) == 0);
    }
    /* writing what was read gives the same bytes */
    tl_buf again;
    tl_buf_init(&again);
    CHECK_INT(tl_store_write_rated(mf->ds, mf->seen, mf->seen_half, mf->config_json, NULL, mf->tensors, mf->n_tensors,
                                   &again, &err),
              TL_OK);
    CHECK(again.len == fx.bytes.len && memcmp(again.data, fx.bytes.data, again.len) == 0);
    tl_buf_free(&again);
    tl_model_file_free(mf);
    fixture_free(&fx);
}

static void test_damage(void)
{
    fixture fx;
    fixture_init(&fx);
    tl_error err;
    tl_model_file *mf = NULL;
    const uint8_t *b = (const uint8_t *)fx.bytes.data;
    /* every truncation is an error, never a crash */
    int all_failed = 1;
    for (size_t n = 0; n < fx.bytes.len; n++) {
        if (tl_store_read(b, n, "m.tlm", &mf, &err) == TL_OK) all_failed = 0, tl_model_file_free(mf);
        CHECK(mf == NULL || all_failed == 0);
    }
    CHECK(all_failed);
    tl_store_read(b, fx.bytes.len - 1, "m.tlm", &mf, &err);
    CHECK_CONTAINS(err.message, "m.tlm: corrupt model file: checksum mismatch");
    /* every single flipped byte is detected */
    uint8_t *copy = malloc(fx.bytes.len);
    int detected = 1;
    for (size_t i = 0; i < fx.bytes.len; i++) {
        memcpy(copy, b, fx.bytes.len);
        copy[i] ^= 0x5A;
        if (tl_store_read(copy, fx.bytes.len, "m.tlm", &mf, &err) == TL_OK) detected = 0, tl_model_file_free(mf);
    }
    CHECK(detected);
    /* a foreign file */
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    CHECK_INT(tl_store_read(png, sizeof png, "photo.png", &mf, &err), TL_E_CORRUPT);
    CHECK_STR(err.message, "photo.png: not a towerlens model file (it does not start with TLMODEL)");
    /* damage behind a valid checksum is caught by validation: a title offset
     * pointing past the title table (the first movie record's title field) */
    memcpy(copy, b, fx.bytes.len);
    const uint8_t *movi = (const uint8_t *)memmem(copy, fx.bytes.len, "MOVI", 4);
    CHECK(movi != NULL);
    if (movi) {
        size_t rec = (size_t)(movi - copy) + 16 + 8 + (1 + 6) + (1 + 18) + 4; /* header, counts, genre names, id */
        copy[rec + 3] = 0x7F;
        uint64_t h = tl__store_checksum(copy, fx.bytes.len - 8);
        for (int i = 0; i < 8; i++) copy[fx.bytes.len - 8 + (size_t)i] = (uint8_t)(h >> (8 * i));
        CHECK_INT(tl_store_read(copy, fx.bytes.len, "m.tlm", &mf, &err), TL_E_CORRUPT);
        CHECK_CONTAINS(err.message, "a title points outside the title table");
    }
    /* a format version from the future */
    memcpy(copy, b, fx.bytes.len);
    copy[8] = TL_STORE_VERSION + 1;
    CHECK_INT(tl_store_read(copy, fx.bytes.len, "m.tlm", &mf, &err), TL_E_CORRUPT);
    CHECK_CONTAINS(err.message, "format version 3; this build of towerlens reads versions 1 to 2");
    CHECK_CONTAINS(err.message, "newer towerlens");
    copy[8] = 0;
    CHECK_INT(tl_store_read(copy, fx.bytes.len, "m.tlm", &mf, &err), TL_E_CORRUPT);
    CHECK_CONTAINS(err.message, "format version 0; this build of towerlens reads versions 1 to 2");
    free(copy);
    fixture_free(&fx);
}

static void test_files(void)
{
    fixture fx;
    fixture_init(&fx);
    tl_error err;
    char path[] = "/tmp/tl_store_testXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    CHECK_INT(tl_store_save_path(path, fx.ds, fx.seen, NULL, NULL, fx.t, 2, &err), TL_OK);
    tl_model_file *mf = NULL;
    CHECK_INT(tl_store_load_path(path, &mf, &err), TL_OK);
    CHECK(mf && !strcmp(mf->config_json, "{}"));
    tl_model_file_free(mf);
    remove(path);
    CHECK_INT(tl_store_load_path("/nonexistent/model.tlm", &mf, &err), TL_E_IO);
    CHECK_STR(err.message, "/nonexistent/model.tlm: cannot open the model file");
    fixture_free(&fx);
}

int main(void)
{
    test_round_trip();
    test_damage();
    test_files();
    return check_report("test_store");
}
