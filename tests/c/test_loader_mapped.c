/* Files that are not MovieLens: interactions CSVs read by column names
 * (any order, quoted fields, tab separated), string ids, implicit feedback,
 * items files, the model file's SIDS section, and errors with file:line. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "loader_util.h"
#include "towerlens/buf.h"
#include "towerlens/results.h"
#include "towerlens/store.h"

typedef struct mapped_file {
    const char *name, *text;
    int items; /* read with tl_loader_map_items */
} mapped_file;

typedef struct cols {
    const char *user, *item, *rating, *time, *id, *title;
} cols;

static const cols DEFAULT_COLS = {"user_id", "item_id", NULL, NULL, "item_id", "title"};

/* Feeds each file in chunks of `chunk` bytes (0 = whole). */
static tl_status load_mapped_mem(const mapped_file *files, size_t n, const cols *c, size_t chunk, tl_dataset **out,
                                 tl_error *err)
{
    *out = NULL;
    tl_error_clear(err);
    tl_loader *ld = tl_loader_new();
    tl_status st = TL_OK;
    for (size_t f = 0; f < n && !st; f++) {
        st = tl_loader_begin(ld, files[f].name, err);
        if (!st && files[f].items) st = tl_loader_map_items(ld, c->id, c->title, err);
        else if (!st && files[f].items == 0)
            st = tl_loader_map_interactions(ld, c->user, c->item, c->rating, c->time, err);
        size_t len = strlen(files[f].text), step = chunk ? chunk : (len ? len : 1);
        for (size_t off = 0; !st && off < len; off += step)
            st = tl_loader_feed(ld, (const uint8_t *)files[f].text + off, len - off < step ? len - off : step, err);
        tl_file_kind kind;
        if (!st) st = tl_loader_end(ld, &kind, err);
    }
    if (!st) st = tl_loader_finish(ld, out, err);
    tl_loader_free(ld);
    return st;
}

static tl_status load_one(const char *text, const cols *c, size_t chunk, tl_dataset **out, tl_error *err)
{
    mapped_file f = {"events.csv", text, 0};
    return load_mapped_mem(&f, 1, c, chunk, out, err);
}

/* Columns by name in another order, quoted ids with commas and quotes,
 * string ids in byte order, the same dataset whatever the chunk size. */
static void test_columns_by_name(void)
{
    const char *text = "ts,rating,item,user,extra\n"
                       "100,4.5,sku-77,u2,x\n"
                       "101,3,\"sku,1\",u1,\"a \"\"quoted\"\" note\"\n"
                       "102,5,sku-77,u1,\n"
                       "\n"
                       "99,1,sku-3,u10,y\n";
    cols c = {"user", "item", "rating", "ts", NULL, NULL};
    tl_dataset *ds = NULL, *again = NULL;
    tl_error err;
    CHECK_INT(load_one(text, &c, 0, &ds, &err), TL_OK);
    if (!ds) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    CHECK_INT(ds->n_ratings, 4);
    CHECK_INT(ds->n_users, 3);
    CHECK_INT(ds->n_movies, 3);
    CHECK_INT(ds->implicit, 0);
    CHECK_INT(ds->first_timestamp, 99);
    CHECK_INT(ds->last_timestamp, 102);
    CHECK(ds->user_names && ds->movie_names);
    /* byte order: u1 < u10 < u2; "sku,1" < sku-3 < sku-77 */
    CHECK_STR(tl_dataset_user_name(ds, 0), "u1");
    CHECK_STR(tl_dataset_user_name(ds, 1), "u10");
    CHECK_STR(tl_dataset_user_name(ds, 2), "u2");
    CHECK_STR(tl_dataset_movie_name(ds, 0), "sku,1");
    CHECK_STR(tl_dataset_movie_name(ds, 2), "sku-77");
    CHECK_INT(ds->user_ids[2], 3); /* raw id = rank + 1 */
    /* row 0: u2 rated sku-77 4.5 */
    CHECK_INT(ds->r_user[0], 2);
    CHECK_INT(ds->r_movie[0], 2);
    CHECK_INT(ds->r_half[0], 9);
    CHECK_INT(ds->r_movie[1], 0);
    CHECK_INT(ds->movies[2].n_ratings, 2);
    uint32_t idx = 99;
    CHECK_INT(tl_dataset_find_user(ds, "u10", &idx, &err), TL_OK);
    CHECK_INT(idx, 1);
    CHECK_INT(tl_dataset_find_movie(ds, "sku,1", &idx, &err), TL_OK);
    CHECK_INT(idx, 0);
    CHECK_INT(tl_dataset_find_user(ds, "u3", &idx, &err), TL_E_NOTFOUND);
    CHECK_CONTAINS(err.message, "unknown user \"u3\"");
    for (size_t chunk = 1; chunk <= 7; chunk += 3) {
        CHECK_INT(load_one(text, &c, chunk, &again, &err), TL_OK);
        char msg[160];
        const char *d = again ? dataset_diff(ds, again, msg, sizeof msg) : "no dataset";
        CHECK(d == NULL);
        if (again) CHECK_INT(memcmp(ds->id_strings, again->id_strings, ds->id_strings_len), 0);
        tl_dataset_free(again);
        again = NULL;
    }
    /* results JSON gives the string back */
    tl_buf b;
    tl_buf_init(&b);
    tl_movie_json(ds, 0, &b);
    CHECK_CONTAINS(b.data, "\"movieId\":\"sku,1\"");
    tl_buf_free(&b);
    tl_dataset_free(ds);
}

/* A file without a rating column: every row is a 5-star positive; plain
 * number ids stay numbers (no string table), as MovieLens ids. */
static void test_implicit_numeric(void)
{
    const char *text = "user_id\titem_id\ttimestamp\n7\t300\t5\n7\t20\t6\n3\t300\t7\n";
    cols c = DEFAULT_COLS;
    c.time = "timestamp";
    tl_dataset *ds = NULL;
    tl_error err;
    CHECK_INT(load_one(text, &c, 0, &ds, &err), TL_OK);
    if (!ds) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    CHECK_INT(ds->implicit, 1);
    CHECK_INT(ds->rating_hist[10], 3);
    CHECK(ds->user_names == NULL && ds->movie_names == NULL && ds->id_strings == NULL);
    CHECK_INT(ds->user_ids[0], 3);
    CHECK_INT(ds->user_ids[1], 7);
    CHECK_INT(ds->movies[0].id, 20);
    CHECK_INT(ds->movies[1].id, 300);
    tl_buf b;
    tl_buf_init(&b);
    tl_dataset_summary_json(ds, &b);
    CHECK_CONTAINS(b.data, "\"implicit\":true");
    tl_buf_reset(&b);
    tl_movie_json(ds, 1, &b);
    CHECK_CONTAINS(b.data, "\"movieId\":300,");
    tl_buf_free(&b);
    tl_dataset_free(ds);

    /* "007" is not a plain number: the item ids stay strings, the users numbers */
    CHECK_INT(load_one("user_id,item_id\n1,007\n2,7\n", &DEFAULT_COLS, 0, &ds, &err), TL_OK);
    if (ds) {
        CHECK(ds->user_names == NULL && ds->movie_names != NULL);
        CHECK_STR(tl_dataset_movie_name(ds, 0), "007");
        CHECK_INT(ds->first_timestamp, 0);
        tl_dataset_free(ds);
    }
}

static void test_items_file(void)
{
    mapped_file files[] = {
        {"events.csv", "user_id,item_id\nann,b\nann,a\nbob,a\n", 0},
        {"titles.csv", "title,item_id\nThe Apple (1999),a\n\"Banana, ripe\",b\nCherry,c\n", 1},
    };
    tl_dataset *ds = NULL;
    tl_error err;
    CHECK_INT(load_mapped_mem(files, 2, &DEFAULT_COLS, 0, &ds, &err), TL_OK);
    if (!ds) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    CHECK_INT(ds->n_movies, 3);
    CHECK_INT(ds->n_catalogue, 3);
    CHECK_INT(ds->n_rated_movies, 2);
    CHECK_STR(tl_dataset_movie_name(ds, 2), "c");
    CHECK_STR(tl_movie_title(ds, 0), "The Apple");
    CHECK_INT(ds->movies[0].year, 1999);
    CHECK_STR(tl_movie_title(ds, 1), "Banana, ripe");
    CHECK_INT(ds->movies[2].n_ratings, 0);
    tl_dataset_free(ds);

    mapped_file dup[] = {files[0], {"titles.csv", "item_id,title\na,A\na,B\n", 1}};
    CHECK_INT(load_mapped_mem(dup, 2, &DEFAULT_COLS, 0, &ds, &err), TL_E_PARSE);
    CHECK_STR(err.message, "titles.csv:3: item \"a\" is listed twice (first on line 2)");
}

static void test_errors(void)
{
    tl_dataset *ds = NULL;
    tl_error err;
    cols c = {"user", "item", "rating", NULL, NULL, NULL};
    CHECK_INT(load_one("userId,movieId,stars\n1,2,3\n", &c, 0, &ds, &err), TL_E_FORMAT);
    CHECK_STR(err.message,
              "events.csv:1: no columns \"user\", \"item\", \"rating\" in the header; its columns are: \"userId\", "
              "\"movieId\", \"stars\"");
    CHECK_INT(load_one("user,item,rating\nu1,i1,4\nu2,,4\n", &c, 0, &ds, &err), TL_E_PARSE);
    CHECK_STR(err.message, "events.csv:3: item is empty");
    CHECK_INT(load_one("user,item,rating\nu1,i1,4\nu2,i2,7\n", &c, 0, &ds, &err), TL_E_PARSE);
    CHECK_STR(err.message, "events.csv:3: rating \"7\" is outside 0.5-5");
    CHECK_INT(load_one("user,item,rating\nu1,i1,4\nu2,i2\n", &c, 3, &ds, &err), TL_E_PARSE);
    CHECK_STR(err.message, "events.csv:3: expected 3 fields (as the header has) but found 2");
    CHECK_INT(load_one("user,item,rating\n\"u1,i1,4\n", &c, 0, &ds, &err), TL_E_PARSE);
    CHECK_CONTAINS(err.message, "events.csv:2:");
    CHECK_INT(load_one("user,item,user\nu1,i1,u2\n", &c, 0, &ds, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "names column \"user\" twice");
    cols t = {"user", "item", NULL, "when", NULL, NULL};
    CHECK_INT(load_one("user,item,when\nu1,i1,2024-01-01\n", &t, 0, &ds, &err), TL_E_PARSE);
    CHECK_STR(err.message, "events.csv:2: timestamp \"2024-01-01\" is not a whole number of seconds");
    CHECK_INT(load_one("user,item,rating\n", &c, 0, &ds, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "no ratings");

    /* mixing with MovieLens files */
    const char *ml = "userId,movieId,rating,timestamp\n1,2,4,5\n";
    tl_loader *ld = tl_loader_new();
    tl_file_kind kind;
    CHECK_INT(tl_loader_begin(ld, "ratings.csv", &err), TL_OK);
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)ml, strlen(ml), &err), TL_OK);
    CHECK_INT(tl_loader_end(ld, &kind, &err), TL_OK);
    CHECK_INT(tl_loader_begin(ld, "events.csv", &err), TL_OK);
    CHECK_INT(tl_loader_map_interactions(ld, "u", "i", NULL, NULL, &err), TL_OK);
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)"u,i\na,b\n", 8, &err), TL_OK);
    CHECK_INT(tl_loader_end(ld, &kind, &err), TL_OK);
    CHECK_INT(kind, TL_FILE_RATINGS);
    CHECK_INT(tl_loader_finish(ld, &ds, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "cannot be combined with MovieLens ratings files");
    tl_loader_free(ld);

    /* mapping after feeding, or without names, is refused */
    ld = tl_loader_new();
    CHECK_INT(tl_loader_begin(ld, "x.csv", &err), TL_OK);
    CHECK_INT(tl_loader_map_interactions(ld, "", "i", NULL, NULL, &err), TL_E_ARG);
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)"u,", 2, &err), TL_OK);
    CHECK_INT(tl_loader_map_interactions(ld, "u", "i", NULL, NULL, &err), TL_E_STATE);
    tl_loader_free(ld);
}

/* MovieLens files are still detected exactly as before, with or without a
 * mapped file next to them (a mapped ratings file + movies.csv works when the
 * item ids are numbers). */
static void test_movielens_beside(void)
{
    tl_loader *ld = tl_loader_new();
    tl_error err;
    tl_file_kind kind;
    const char *movies = "movieId,title,genres\n2,Jumanji (1995),Adventure\n";
    const char *events = "who,what\nann,2\nbob,2\nbob,3\n";
    CHECK_INT(tl_loader_begin(ld, "movies.csv", &err), TL_OK);
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)movies, strlen(movies), &err), TL_OK);
    CHECK_INT(tl_loader_end(ld, &kind, &err), TL_OK);
    CHECK_INT(kind, TL_FILE_MOVIES);
    CHECK_INT(tl_loader_begin(ld, "events.csv", &err), TL_OK);
    CHECK_INT(tl_loader_map_interactions(ld, "who", "what", NULL, NULL, &err), TL_OK);
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)events, strlen(events), &err), TL_OK);
    CHECK_INT(tl_loader_end(ld, &kind, &err), TL_OK);
    tl_dataset *ds = NULL;
    CHECK_INT(tl_loader_finish(ld, &ds, &err), TL_OK);
    if (ds) {
        CHECK(ds->user_names != NULL && ds->movie_names == NULL);
        CHECK_INT(ds->n_movies, 2);
        CHECK_STR(tl_movie_title(ds, 0), "Jumanji");
        CHECK_INT(ds->movies[0].n_ratings, 2);
        CHECK_INT(ds->n_catalogue, 1);
        tl_dataset_free(ds);
    }
    tl_loader_free(ld);
}

/* The SIDS section: names and the implicit flag survive a model file;
 * damaged names are a CORRUPT error, not a crash. */
static void test_store_names(void)
{
    tl_dataset *ds = NULL;
    tl_error err;
    CHECK_INT(load_one("user_id,item_id\nu2,x\nu1,y\nu1,x\n", &DEFAULT_COLS, 0, &ds, &err), TL_OK);
    if (!ds) return;
    float users[3 * 2] = {1, 2, 3, 4, 5, 6}, movies[3 * 2] = {1, 0, 0, 1, 0, 0};
    tl_tensor t[2] = {{"users", 3, 2, users}, {"movies", 3, 2, movies}};
    tl_buf b;
    tl_buf_init(&b);
    CHECK_INT(tl_store_write(ds, NULL, NULL, NULL, t, 2, &b, &err), TL_OK);
    tl_model_file *mf = NULL;
    CHECK_INT(tl_store_read((const uint8_t *)b.data, b.len, "m.tlm", &mf, &err), TL_OK);
    if (mf) {
        CHECK_INT(mf->ds->implicit, 1);
        CHECK_STR(tl_dataset_user_name(mf->ds, 1), "u2");
        CHECK_STR(tl_dataset_movie_name(mf->ds, 1), "y");
        uint32_t idx = 9;
        CHECK_INT(tl_dataset_find_movie(mf->ds, "y", &idx, &err), TL_OK);
        CHECK_INT(idx, 1);
        tl_model_file_free(mf);
    }
    /* swap the two user names: no longer in byte order -> corrupt (checksum fixed up) */
    char *at = NULL;
    for (size_t i = 0; !at && i + 6 <= b.len; i++)
        if (memcmp(b.data + i, "u1\0u2\0", 6) == 0) at = b.data + i;
    CHECK(at != NULL);
    if (at) {
        memcpy(at, "u2\0u1\0", 6);
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i + 8 < b.len; i++) h = (h ^ (uint8_t)b.data[i]) * 0x100000001b3ULL;
        for (int i = 0; i < 8; i++) b.data[b.len - 8 + (size_t)i] = (char)(uint8_t)(h >> (8 * i));
        CHECK_INT(tl_store_read((const uint8_t *)b.data, b.len, "m.tlm", &mf, &err), TL_E_CORRUPT);
        CHECK_CONTAINS(err.message, "user ids are damaged");
    }
    tl_buf_free(&b);
    tl_dataset_free(ds);
}

int main(void)
{
    test_columns_by_name();
    test_implicit_numeric();
    test_items_file();
    test_errors();
    test_movielens_beside();
    test_store_names();
    return check_report("test_loader_mapped");
}
