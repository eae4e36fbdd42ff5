/* Importing factors: hand-written tables serve the top-k computed by hand,
 * CSV and .npy (float32 and float64) give the same model, every kind of bad
 * factor file is a located error, users over the budget are skipped, and
 * the Spark ALS fold-in solves its normal equations. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "towerlens/import.h"
#include "towerlens/index.h"
#include "towerlens/model_type.h"
#include "towerlens/store.h"

static const char MOVIES[] = "movieId,title,genres\n"
                             "1,East (1990),Drama\n"
                             "2,North (1991),Comedy\n"
                             "3,Northeast (1992),Drama|Comedy\n"
                             "4,West (1993),Horror\n"
                             "5,Diagonal (1994),Drama\n"
                             "6,No Factors (1995),Drama\n";

/* unsorted on purpose; 3 = (0.6, 0.8), 5 = (0.5, 0.5) */
static const char MOVIE_FACTORS[] = "movieId,e0,e1\n"
                                    "3,0.6,0.8\n"
                                    "1,1,0\n"
                                    "2,0,1\n"
                                    "4,-1,0\n"
                                    "5,0.5,0.5\n";

static const char USER_FACTORS[] = "userId,e0,e1\n20,0,1\n10,1,0.2\n";

#define B(s) (const uint8_t *)(s), strlen(s)

static tl_status read_csv(const char *text, const char *name, uint64_t max, tl_factors *f, tl_error *err)
{
    return tl_factors_read(B(text), name, NULL, 0, NULL, max, f, err);
}

/* Builds a model from CSV texts (users may be NULL) and reads it back. */
static tl_status import_texts(const char *movie_factors, const char *user_factors, const tl_import_options *opt,
                              tl_model_file **mf, tl_import_summary *sum, tl_error *err)
{
    tl_factors m, u;
    tl_status st = read_csv(movie_factors, "mf.csv", TL_IMPORT_MAX_TABLE_BYTES, &m, err);
    if (st != TL_OK) return st;
    if (user_factors && (st = read_csv(user_factors, "uf.csv", TL_IMPORT_MAX_TABLE_BYTES, &u, err)) != TL_OK) {
        tl_factors_free(&m);
        return st;
    }
    tl_dataset *cat;
    st = tl_import_catalogue(B(MOVIES), "movies.csv", NULL, 0, NULL, &cat, err);
    tl_buf model;
    tl_buf_init(&model);
    if (st == TL_OK) st = tl_import_build(cat, &m, user_factors ? &u : NULL, opt, &model, sum, err);
    if (st == TL_OK) st = tl_store_read((const uint8_t *)model.data, model.len, "imported.tlm", mf, err);
    tl_buf_free(&model);
    tl_factors_free(&m);
    if (user_factors) tl_factors_free(&u);
    return st;
}

static uint32_t movie_id(const tl_model_file *mf, uint32_t dense) { return mf->ds->movies[dense].id; }

static void test_hand_topk(void)
{
    tl_error err;
    tl_model_file *mf = NULL;
    tl_import_summary sum;
    CHECK_INT(import_texts(MOVIE_FACTORS, USER_FACTORS, NULL, &mf, &sum, &err), TL_OK);
    if (!mf) return;
    CHECK_INT(sum.movies, 5);
    CHECK_INT(sum.users, 2);
    CHECK_INT(sum.dim, 2);
    CHECK_INT(sum.movies_without_factors, 1); /* movie 6 */
    CHECK_STR(sum.users_skipped, "");
    CHECK_INT(mf->ds->n_movies, 5);
    CHECK_INT(mf->ds->n_catalogue, 5);
    CHECK_STR(tl_movie_title(mf->ds, 2), "Northeast");
    CHECK_INT(mf->ds->movies[2].year, 1992);
    CHECK_CONTAINS(mf->config_json, "\"preset\":\"imported\"");
    CHECK_CONTAINS(mf->config_json, "\"movie_factors\":\"mf.csv\"");
    const tl_tensor *mt = tl_model_file_tensor(mf, "movies");
    CHECK_INT(mt->rows, 6); /* 5 + the out-of-vocabulary row */
    CHECK_NEAR(mt->data[2 * 2 + 1], 0.8f, 0);
    CHECK_NEAR(mt->data[5 * 2], 0.0f, 0);

    tl_embeddings emb = tl_model_file_embeddings(mf);
    tl_index *idx = NULL;
    CHECK_INT(tl_index_new_embeddings(mf->ds, &emb, &idx, &err), TL_OK);
    tl_scored out[5];
    uint32_t n = 0, u;
    /* user 10 = (1, 0.2): 1 -> 1.0, 3 -> 0.76, 5 -> 0.6, 2 -> 0.2, 4 -> -1 */
    CHECK_INT(tl_dataset_user_index(mf->ds, 10, &u, &err), TL_OK);
    CHECK_INT(tl_index_recommend(idx, u, NULL, 5, NULL, out, &n, &err), TL_OK);
    CHECK_INT(n, 5);
    const uint32_t want10[5] = {1, 3, 5, 2, 4};
    const float score10[5] = {1.0f, 0.76f, 0.6f, 0.2f, -1.0f};
    for (uint32_t i = 0; i < 5; i++) {
        CHECK_INT(movie_id(mf, out[i].index), want10[i]);
        CHECK_NEAR(out[i].score, score10[i], 1e-6);
    }
    /* user 20 = (0, 1): 2, 3, 5 */
    CHECK_INT(tl_dataset_user_index(mf->ds, 20, &u, &err), TL_OK);
    CHECK_INT(tl_index_recommend(idx, u, NULL, 3, NULL, out, &n, &err), TL_OK);
    CHECK_INT(movie_id(mf, out[0].index), 2);
    CHECK_INT(movie_id(mf, out[1].index), 3);
    CHECK_INT(movie_id(mf, out[2].index), 5);
    /* similar to 1 by cosine: 5 (0.707), 3 (0.6), 2 (0) */
    CHECK_INT(tl_index_similar(idx, 0, 3, NULL, out, &n, &err), TL_OK);
    CHECK_INT(movie_id(mf, out[0].index), 5);
    CHECK_NEAR(out[0].score, 0.70710678, 1e-6);
    CHECK_INT(movie_id(mf, out[1].index), 3);
    CHECK_NEAR(out[1].score, 0.6, 1e-6);
    tl_index_free(idx);
    tl_model_file_free(mf);
}

/* A .npy file in memory: header for descr/shape, then raw bytes. */
static size_t npy(uint8_t *out, const char *descr, const char *shape, const void *data, size_t n, const char *order)
{
    char dict[160];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, order, shape);
    size_t total = 10 + (size_t)len + 1, pad = (64 - total % 64) % 64, hlen = (size_t)len + pad + 1;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (uint8_t)hlen, out[9] = (uint8_t)(hlen >> 8);
    memcpy(out + 10, dict, (size_t)len);
    memset(out + 10 + len, ' ', pad);
    out[10 + len + pad] = '\n';
    memcpy(out + 10 + hlen, data, n);
    return 10 + hlen + n;
}

static void test_npy_matches_csv(void)
{
    tl_error err;
    tl_factors csv, f4, f8;
    CHECK_INT(read_csv(MOVIE_FACTORS, "mf.csv", TL_IMPORT_MAX_TABLE_BYTES, &csv, &err), TL_OK);
    const float v4[10] = {0.6f, 0.8f, 1, 0, 0, 1, -1, 0, 0.5f, 0.5f};
    const double v8[10] = {0.6, 0.8, 1, 0, 0, 1, -1, 0, 0.5, 0.5};
    const uint32_t ids[5] = {3, 1, 2, 4, 5};
    const int64_t ids64[5] = {3, 1, 2, 4, 5};
    uint8_t t4[256], t8[256], i4[256], i8[256];
    size_t n4 = npy(t4, "<f4", "(5, 2)", v4, sizeof v4, "False"), n8 = npy(t8, "<f8", "(5, 2)", v8, sizeof v8, "False");
    size_t ni4 = npy(i4, "<u4", "(5,)", ids, sizeof ids, "False"),
           ni8 = npy(i8, "<i8", "(5,)", ids64, sizeof ids64, "False");
    CHECK_INT(tl_factors_read(t4, n4, "m.npy", i4, ni4, "ids.npy", TL_IMPORT_MAX_TABLE_BYTES, &f4, &err), TL_OK);
    CHECK_INT(tl_factors_read(t8, n8, "m8.npy", i8, ni8, "ids8.npy", TL_IMPORT_MAX_TABLE_BYTES, &f8, &err), TL_OK);
    CHECK_INT(f4.rows, 5);
    CHECK_INT(f8.dim, 2);
    CHECK(!memcmp(csv.ids, f4.ids, 5 * 4) && !memcmp(csv.ids, f8.ids, 5 * 4));
    CHECK(!memcmp(csv.data, f4.data, 10 * 4) && !memcmp(csv.data, f8.data, 10 * 4));
    CHECK_INT(csv.ids[0], 1); /* sorted by id */
    tl_factors_free(&f4), tl_factors_free(&f8);
    /* ids as text (header + one per line) */
    CHECK_INT(tl_factors_read(t4, n4, "m.npy", B("movieId\n3\n1\n2\n4\n5\n"), "ids.txt", TL_IMPORT_MAX_TABLE_BYTES, &f4,
                              &err),
              TL_OK);
    CHECK(!memcmp(csv.data, f4.data, 10 * 4));
    tl_factors_free(&f4), tl_factors_free(&csv);
}

/* The reader fails with `status` and a message containing `where` and `why`. */
static void bad_csv(const char *text, tl_status status, const char *where, const char *why)
{
    tl_error err;
    tl_error_clear(&err);
    tl_factors f;
    tl_status st = read_csv(text, "f.csv", TL_IMPORT_MAX_TABLE_BYTES, &f, &err);
    CHECK_INT(st, status);
    CHECK_CONTAINS(err.message, where);
    CHECK_CONTAINS(err.message, why);
    if (st == TL_OK) tl_factors_free(&f);
}

static void test_bad_csv(void)
{
    bad_csv("id,e0,e1\n1,0.5,0.5\n2,0.5\n", TL_E_PARSE, "f.csv:3: ", "1 factors, expected 2 as in line 2");
    bad_csv("id,e0,e1\n1,0.5,0.5\n2,0.5,0.1,0.3\n", TL_E_PARSE, "f.csv:3: ", "3 factors, expected 2");
    bad_csv("1,0.5,0.5\n2,nan,0.5\n", TL_E_PARSE, "f.csv:2: ", "value 1 (e0) \"nan\" is not a finite number");
    bad_csv("1,0.5,inf\n", TL_E_PARSE, "f.csv:1: ", "value 2 (e1) \"inf\" is not a finite");
    bad_csv("1,0.5,1e39\n", TL_E_PARSE, "f.csv:1: ", "beyond float32");
    bad_csv("1,0.5,abc\n", TL_E_PARSE, "f.csv:1: ", "\"abc\" is not a number");
    bad_csv("1,0.5,\n", TL_E_PARSE, "f.csv:1: ", "is empty");
    bad_csv("id,e0\n1,0.5\n-2,0.5\n", TL_E_PARSE, "f.csv:3: ", "id \"-2\" is negative");
    bad_csv("id,e0\n1,0.5\n2,0.25\n\n1,0.75\n", TL_E_PARSE, "f.csv:5: ", "id 1 appears again (first at line 2)");
    bad_csv("id,e0,e1\n1,0.5\n", TL_E_PARSE, "f.csv:2: ", "2 columns, the header (line 1) names 3");
    bad_csv("id,e0\n", TL_E_FORMAT, "f.csv: ", "no factor rows");
    bad_csv("", TL_E_FORMAT, "f.csv: ", "no factor rows");
    bad_csv("1\n", TL_E_PARSE, "f.csv:1: ", "a row needs an id and at least one factor");
    /* a dimension over TL_MAX_DIM */
    static char wide[8 * 1100];
    size_t w = (size_t)snprintf(wide, sizeof wide, "1");
    for (int i = 0; i < 1025; i++) w += (size_t)snprintf(wide + w, sizeof wide - w, ",0");
    bad_csv(wide, TL_E_LIMIT, "f.csv:1: ", "1025 factors per row, at most 1024");
    /* a table over its byte limit: stops at the row that passes it */
    tl_error err;
    tl_factors f;
    CHECK_INT(read_csv("1,1,1\n2,1,1\n3,1,1\n4,1,1\n", "f.csv", 3 * 2 * 4, &f, &err), TL_E_LIMIT);
    CHECK_CONTAINS(err.message, "f.csv:3: the table passes its limit");
    CHECK_INT(tl_factors_read((const uint8_t *)"1,\0\n", 4, "f.csv", NULL, 0, NULL, 1 << 20, &f, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "f.csv: holds NUL bytes");
}

static void bad_npy(const uint8_t *t, size_t n, const uint8_t *ids, size_t ni, tl_status status, const char *why)
{
    tl_error err;
    tl_error_clear(&err);
    tl_factors f;
    tl_status st = tl_factors_read(t, n, "m.npy", ids, ni, "ids.npy", TL_IMPORT_MAX_TABLE_BYTES, &f, &err);
    CHECK_INT(st, status);
    CHECK_CONTAINS(err.message, why);
    if (st == TL_OK) tl_factors_free(&f);
}

static void test_bad_npy(void)
{
    const float v[6] = {1, 2, 3, 4, 5, 6};
    const uint32_t ids[3] = {7, 8, 9}, dup[3] = {7, 8, 7};
    uint8_t t[256], i[256], j[256];
    size_t ni = npy(i, "<u4", "(3,)", ids, sizeof ids, "False");
    size_t n = npy(t, "<f4", "(3, 2)", v, sizeof v, "False");
    bad_npy(t, n - 5, i, ni, TL_E_FORMAT, "m.npy: row 2 (byte 144): truncated: the data ends after 19 of the 24 bytes");
    bad_npy(t, n, i, ni - 4, TL_E_FORMAT, "ids.npy: row 2 (byte 136): truncated");
    n = npy(t, "<f4", "(3, 2)", v, sizeof v, "False");
    uint8_t longer[300];
    memcpy(longer, t, n), memset(longer + n, 0, 4);
    bad_npy(longer, n + 4, i, ni, TL_E_FORMAT, "m.npy: byte 152: 4 bytes after the last row");
    n = npy(t, "<i4", "(3, 2)", v, sizeof v, "False");
    bad_npy(t, n, i, ni, TL_E_FORMAT, "m.npy: dtype '<i4'; expected little-endian float32");
    n = npy(t, ">f4", "(3, 2)", v, sizeof v, "False");
    bad_npy(t, n, i, ni, TL_E_FORMAT, "dtype '>f4'");
    n = npy(t, "<f4", "(3, 2)", v, sizeof v, "True");
    bad_npy(t, n, i, ni, TL_E_FORMAT, "Fortran");
    n = npy(t, "<f4", "(6,)", v, sizeof v, "False");
    bad_npy(t, n, i, ni, TL_E_FORMAT, "a 1-D array; expected 2-D");
    n = npy(t, "<f4", "(3, 2)", v, sizeof v, "False");
    t[12] = 'x'; /* breaks the dict */
    bad_npy(t, n, i, ni, TL_E_FORMAT, "m.npy: not a .npy file this reader takes");
    n = npy(t, "<f4", "(3, 2)", v, sizeof v, "Maybe");
    bad_npy(t, n, i, ni, TL_E_FORMAT, "'fortran_order' is not True or False");
    n = npy(t, "<f4", "(3, 2000)", v, sizeof v, "False");
    bad_npy(t, n, i, ni, TL_E_LIMIT, "2000 factors per row; 1 to 1024");
    n = npy(t, "<f4", "(300000000, 1000)", v, sizeof v, "False");
    bad_npy(t, n, i, ni, TL_E_LIMIT, "300000000 rows of 1000 factors need");
    const float nanv[6] = {1, 2, 3, NAN, 5, 6};
    n = npy(t, "<f4", "(3, 2)", nanv, sizeof nanv, "False");
    bad_npy(t, n, i, ni, TL_E_PARSE, "m.npy: row 1 (byte 140): value 2 (e1) is NaN");
    const double big[6] = {1, 2, 3, 4, 1e300, 6};
    n = npy(t, "<f8", "(3, 2)", big, sizeof big, "False");
    bad_npy(t, n, i, ni, TL_E_PARSE, "row 2 (byte 160): value 1 (e0) is beyond float32");
    n = npy(t, "<f4", "(3, 2)", v, sizeof v, "False");
    size_t nj = npy(j, "<u4", "(3,)", dup, sizeof dup, "False");
    bad_npy(t, n, j, nj, TL_E_PARSE, "ids.npy: row 2: id 7 appears again (first at row 0)");
    nj = npy(j, "<u4", "(2,)", dup, 8, "False");
    bad_npy(t, n, j, nj, TL_E_FORMAT, "ids.npy: 2 ids, but m.npy has 3 rows");
    const int32_t neg[3] = {1, -5, 2};
    nj = npy(j, "<i4", "(3,)", neg, sizeof neg, "False");
    bad_npy(t, n, j, nj, TL_E_PARSE, "ids.npy: row 1 (byte 132): id -5 is outside");
    bad_npy(t, n, NULL, 0, TL_E_ARG, "give its ids file too");
    bad_npy(t, n, B("7\n8\nx9\n"), TL_E_PARSE, "ids.npy:3: id \"x9\" is not a whole number");
    tl_error err;
    tl_factors f;
    CHECK_INT(tl_factors_read(B("1,2\n"), "f.csv", i, ni, "ids.npy", TL_IMPORT_MAX_TABLE_BYTES, &f, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "an ids file goes with a .npy table only");
}

static void test_build_errors_and_budget(void)
{
    tl_error err;
    tl_model_file *mf = NULL;
    tl_import_summary sum;
    /* an id the movies file does not list: an error by default ... */
    const char *unknown = "movieId,e0,e1\n1,1,0\n99,0,1\n";
    CHECK_INT(import_texts(unknown, NULL, NULL, &mf, &sum, &err), TL_E_NOTFOUND);
    CHECK_CONTAINS(err.message, "mf.csv:3: movie id 99 is not in the movies file");
    /* ... skipped and counted on request */
    tl_import_options opt;
    tl_import_options_default(&opt);
    opt.skip_unknown = 1;
    CHECK_INT(import_texts(unknown, NULL, &opt, &mf, &sum, &err), TL_OK);
    CHECK_INT(sum.movies, 1);
    CHECK_INT(sum.unknown_ids_skipped, 1);
    CHECK_INT(sum.first_unknown_id, 99);
    CHECK_INT(sum.movies_without_factors, 5);
    CHECK_INT(mf ? mf->ds->n_users : 99, 0);
    tl_model_file_free(mf), mf = NULL;
    /* user and movie factors of different widths */
    CHECK_INT(import_texts(MOVIE_FACTORS, "userId,e0,e1,e2\n10,1,2,3\n", NULL, &mf, &sum, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "uf.csv:2: 3 factors per row, but the movie factors (mf.csv) have 2");
    /* users over the budget are skipped with the reason, not an error */
    opt.skip_unknown = 0;
    opt.max_user_bytes = 8;
    CHECK_INT(import_texts(MOVIE_FACTORS, USER_FACTORS, &opt, &mf, &sum, &err), TL_OK);
    CHECK_INT(sum.users, 0);
    CHECK_CONTAINS(sum.users_skipped, "uf.csv: 2 users x 2 factors need 0.0 MB, over the budget");
    if (mf) {
        CHECK_CONTAINS(mf->config_json, "\"users_skipped\":\"uf.csv: 2 users");
        CHECK_INT(tl_model_file_tensor(mf, "users")->rows, 1);
    }
    tl_model_file_free(mf), mf = NULL;
    /* a movies file that is not one */
    tl_dataset *cat = NULL;
    CHECK_INT(
        tl_import_catalogue(B("userId,movieId,rating,timestamp\n1,2,3,4\n"), "movies.csv", NULL, 0, NULL, &cat, &err),
        TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "movies.csv");
}

/* Spark ALS fold-in: the solution satisfies its normal equations. */
static void test_als_foldin(void)
{
    tl_error err;
    tl_model_file *mf = NULL;
    tl_import_options opt;
    tl_import_options_default(&opt);
    opt.foldin = TL_IMPORT_FOLDIN_ALS;
    opt.reg = 0.5f;
    CHECK_INT(import_texts(MOVIE_FACTORS, NULL, &opt, &mf, NULL, &err), TL_OK);
    if (!mf) return;
    tl_import_foldin f;
    CHECK_INT(tl_import_foldin_from_config(mf->config_json, &f), 1);
    CHECK_INT(f.kind, TL_IMPORT_FOLDIN_ALS);
    CHECK_NEAR(f.reg, 0.5, 0);
    tl_embeddings emb = tl_model_file_embeddings(mf);
    /* explicit, rated 1 -> 4 and 2 -> 2 (dense 0 and 1: orthonormal
     * vectors): (I + 0.5 * 2 I) u = (4, 2), u = (2, 1) */
    const uint32_t rated[3] = {1, 0, 1};
    const float r[3] = {5.0f, 4.0f, 2.0f}; /* movie 2 given twice: the last rating (2) wins */
    float u[2];
    CHECK_INT(tl_import_foldin_solve(mf->ds, &emb, &f, rated, r, 3, u, &err), TL_OK);
    CHECK_NEAR(u[0], 2.0, 1e-6);
    CHECK_NEAR(u[1], 1.0, 1e-6);
    /* implicit with alpha 2: A = M^T M + 2*4 m1 m1^T + 2*2 m2 m2^T + 0.5*2 I,
     * M^T M = [[2.61, 0.73], [0.73, 1.89]]; b = 9 m1 + 5 m2 = (9, 5) */
    f.kind = TL_IMPORT_FOLDIN_IALS;
    f.alpha = 2.0f;
    CHECK_INT(tl_import_foldin_solve(mf->ds, &emb, &f, rated, r, 3, u, &err), TL_OK);
    double a00 = 2.61 + 8 + 1, a01 = 0.73, a11 = 1.89 + 4 + 1, det = a00 * a11 - a01 * a01;
    CHECK_NEAR(u[0], (a11 * 9 - a01 * 5) / det, 1e-5);
    CHECK_NEAR(u[1], (a00 * 5 - a01 * 9) / det, 1e-5);
    /* singular without regularisation and with fewer movies than factors */
    f.kind = TL_IMPORT_FOLDIN_ALS;
    f.reg = 0;
    CHECK_INT(tl_import_foldin_solve(mf->ds, &emb, &f, rated, r, 1, u, &err), TL_E_STATE);
    CHECK_CONTAINS(err.message, "singular");
    CHECK_INT(tl_import_foldin_from_config("{\"preset\":\"default\"}", &f), 0);
    CHECK_INT(tl_import_foldin_from_config("{\"foldin\":{\"method\":\"softmax\"}}", &f), 0);
    tl_model_file_free(mf);
}

/* ---- a reference ALS-WR (Spark's algorithm, written out plainly) ---- */
#define REF_USERS 12
#define REF_ITEMS 5 /* movies 1-5 of MOVIES */
#define REF_RANK 3

static int ref_rated(int u, int i) { return (u * 7 + i * 3) % 4 != 0; }
static double ref_rating(int u, int i) { return 1 + (u + 2 * i) % 5; }

/* Gaussian elimination with partial pivoting: A x = b (A is n x n, destroyed). */
static void ref_solve(double A[REF_RANK][REF_RANK], double b[REF_RANK], double x[REF_RANK])
{
    for (int c = 0; c < REF_RANK; c++) {
        int p = c;
        for (int r = c + 1; r < REF_RANK; r++)
            if (fabs(A[r][c]) > fabs(A[p][c])) p = r;
        for (int k = 0; k < REF_RANK; k++) {
            double t = A[c][k];
            A[c][k] = A[p][k], A[p][k] = t;
        }
        double t = b[c];
        b[c] = b[p], b[p] = t;
        for (int r = c + 1; r < REF_RANK; r++) {
            double f = A[r][c] / A[c][c];
            for (int k = c; k < REF_RANK; k++) A[r][k] -= f * A[c][k];
            b[r] -= f * b[c];
        }
    }
    for (int c = REF_RANK; c-- > 0;) {
        double t = b[c];
        for (int k = c + 1; k < REF_RANK; k++) t -= A[c][k] * x[k];
        x[c] = t / A[c][c];
    }
}

/* One side's least squares for row `who` against the other side's factors
 * (`other`, n_other rows): Spark's explicit or implicit normal equations
 * with regParam scaled by the row's rating count. */
static void ref_row(const float *other, int n_other, int who, int users_side, int implicit, double reg, double alpha,
                    float *out)
{
    double A[REF_RANK][REF_RANK] = {{0}}, b[REF_RANK] = {0}, x[REF_RANK];
    int n = 0;
    for (int j = 0; j < n_other; j++) {
        const float *y = other + j * REF_RANK;
        int u = users_side ? who : j, i = users_side ? j : who;
        if (implicit)
            for (int a = 0; a < REF_RANK; a++)
                for (int c = 0; c < REF_RANK; c++) A[a][c] += (double)y[a] * y[c]; /* YtY */
        if (!ref_rated(u, i)) continue;
        double r = ref_rating(u, i), w = implicit ? alpha * r : 1, t = implicit ? 1 + alpha * r : r;
        n++;
        for (int a = 0; a < REF_RANK; a++) {
            for (int c = 0; c < REF_RANK; c++) A[a][c] += w * y[a] * y[c];
            b[a] += t * y[a];
        }
    }
    for (int a = 0; a < REF_RANK; a++) A[a][a] += reg * n;
    ref_solve(A, b, x);
    for (int a = 0; a < REF_RANK; a++) out[a] = (float)x[a];
}

/* Trains the reference ALS (items then users each iteration, as Spark), then
 * folds every user's ratings in against the final item factors: Spark's last
 * half-iteration, so each user's trained vector must come back. */
static void check_spark_fixed_point(int implicit)
{
    const double reg = 0.1, alpha = 2.0;
    float items[REF_ITEMS * REF_RANK], users[REF_USERS * REF_RANK];
    for (int i = 0; i < REF_ITEMS * REF_RANK; i++) items[i] = 0.05f + 0.1f * (float)((i * 3) % 7);
    for (int it = 0; it < 8; it++) {
        for (int u = 0; u < REF_USERS; u++) ref_row(items, REF_ITEMS, u, 1, implicit, reg, alpha, users + u * REF_RANK);
        for (int i = 0; i < REF_ITEMS; i++) ref_row(users, REF_USERS, i, 0, implicit, reg, alpha, items + i * REF_RANK);
    }
    for (int u = 0; u < REF_USERS; u++) ref_row(items, REF_ITEMS, u, 1, implicit, reg, alpha, users + u * REF_RANK);
    /* the item factors as CSV for movies 1..5 (MOVIES' catalogue), %.9g: exact floats */
    char csv[1024];
    size_t len = (size_t)snprintf(csv, sizeof csv, "movieId,e0,e1,e2\n");
    for (int i = 0; i < REF_ITEMS; i++)
        len += (size_t)snprintf(csv + len, sizeof csv - len, "%d,%.9g,%.9g,%.9g\n", i + 1, items[i * 3],
                                items[i * 3 + 1], items[i * 3 + 2]);

    tl_error err;
    tl_model_file *mf = NULL;
    tl_import_options opt;
    tl_import_options_default(&opt);
    opt.foldin = implicit ? TL_IMPORT_FOLDIN_IALS : TL_IMPORT_FOLDIN_ALS;
    opt.reg = (float)reg, opt.alpha = (float)alpha;
    CHECK_INT(import_texts(csv, NULL, &opt, &mf, NULL, &err), TL_OK);
    if (!mf) return;
    tl_import_foldin f;
    CHECK_INT(tl_import_foldin_from_config(mf->config_json, &f), 1);
    tl_embeddings emb = tl_model_file_embeddings(mf);
    double worst = 0;
    for (int u = 0; u < REF_USERS; u++) {
        uint32_t movies[REF_ITEMS];
        float ratings[REF_ITEMS], vec[REF_RANK];
        uint32_t n = 0;
        for (int i = 0; i < REF_ITEMS; i++)
            if (ref_rated(u, i)) movies[n] = (uint32_t)i, ratings[n++] = (float)ref_rating(u, i);
        CHECK_INT(tl_import_foldin_solve(mf->ds, &emb, &f, movies, ratings, n, vec, &err), TL_OK);
        for (int a = 0; a < REF_RANK; a++) {
            double d = fabs(vec[a] - users[u * REF_RANK + a]) / (fabs(users[u * REF_RANK + a]) + 1e-3);
            if (d > worst) worst = d;
        }
    }
    CHECK(worst < 1e-5);
    if (!(worst < 1e-5))
        fprintf(stderr, "spark fixed point (%s): worst relative difference %g\n", implicit ? "implicit" : "explicit",
                worst);
    tl_model_file_free(mf);
}

static void test_spark_fixed_point(void)
{
    check_spark_fixed_point(0);
    check_spark_fixed_point(1);
}

int main(void)
{
    test_hand_topk();
    test_npy_matches_csv();
    test_bad_csv();
    test_bad_npy();
    test_build_errors_and_budget();
    test_als_foldin();
    test_spark_fixed_point();
    return check_report("test_import");
}
