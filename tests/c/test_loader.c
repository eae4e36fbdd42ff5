/* The streaming loader end to end: fixtures in every layout, chunk sizes,
 * file order, bad input, limits, and the real ml-latest-small numbers. */
#include "check.h"
#include "ingest/loader_internal.h"
#include "loader_util.h"
#include "towerlens/buf.h"
#include "towerlens/loader.h"

static const size_t chunk_sizes[] = {1, 2, 3, 7, 4096, 0};
#define N_CHUNKS (sizeof chunk_sizes / sizeof chunk_sizes[0])

static char fixture_dir[1024];

static const char *fixture(const char *rel)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/%s", fixture_dir, rel);
    return path;
}

/* Loads the given fixture files (in this order) with every chunk size and
 * checks that all datasets are identical; returns the whole-chunk one. */
static tl_dataset *load_all_chunkings(const char *const *rels, size_t n)
{
    mem_file files[8];
    uint8_t *data[8];
    char names[8][64];
    for (size_t i = 0; i < n; i++) {
        data[i] = read_whole(fixture(rels[i]), &files[i].n);
        CHECK(data[i] != NULL);
        if (!data[i]) return NULL;
        snprintf(names[i], sizeof names[i], "%s", rels[i]);
        files[i].name = names[i];
        files[i].bytes = data[i];
    }
    tl_dataset *whole = NULL;
    tl_error err;
    tl_status st = load_mem(files, n, 0, &whole, &err);
    CHECK_INT(st, TL_OK);
    if (st) fprintf(stderr, "  %s\n", err.message);
    for (size_t c = 0; whole && c + 1 < N_CHUNKS; c++) {
        tl_dataset *ds = NULL;
        st = load_mem(files, n, chunk_sizes[c], &ds, &err);
        CHECK_INT(st, TL_OK);
        char msg[256];
        const char *diff = ds ? dataset_diff(whole, ds, msg, sizeof msg) : "failed";
        if (diff) fprintf(stderr, "  chunk %zu: %s\n", chunk_sizes[c], diff);
        CHECK(diff == NULL);
        tl_dataset_free(ds);
    }
    for (size_t i = 0; i < n; i++) free(data[i]);
    return whole;
}

static const tl_movie *movie(const tl_dataset *ds, uint32_t id)
{
    uint32_t j;
    if (tl_dataset_movie_index(ds, id, &j, NULL) != TL_OK) return NULL;
    return &ds->movies[j];
}

static int genre_index(const tl_dataset *ds, const char *name)
{
    for (uint32_t g = 0; g < ds->n_genres; g++)
        if (!strcmp(ds->genre_names[g], name)) return (int)g;
    return -1;
}

static int has_genre(const tl_dataset *ds, const tl_movie *m, const char *name)
{
    int g = genre_index(ds, name);
    return g >= 0 && (m->genres >> g & 1);
}

static void test_small_fixture(void)
{
    const char *rels[] = {"small/ratings.csv", "small/movies.csv", "small/links.csv", "small/tags.csv",
                          "small/README.txt"};
    tl_dataset *ds = load_all_chunkings(rels, 5);
    if (!ds) return;
    CHECK_INT(ds->n_ratings, 9);
    CHECK_INT(ds->n_users, 4);
    CHECK_INT(ds->user_ids[0], 1);
    CHECK_INT(ds->user_ids[3], 10);
    CHECK_INT(ds->user_counts[0], 3); /* user 1 */
    CHECK_INT(ds->user_counts[1], 3); /* user 2 */
    CHECK_INT(ds->n_movies, 12);      /* 11 listed + 999 rated only */
    CHECK_INT(ds->n_catalogue, 11);
    CHECK_INT(ds->n_rated_movies, 6);
    CHECK_INT(ds->n_tags, 3);
    CHECK_INT(ds->first_timestamp, 964981247);
    CHECK_INT(ds->last_timestamp, 1445715000);
    CHECK_INT(ds->rating_hist[1], 1);
    CHECK_INT(ds->rating_hist[10], 2);
    CHECK_INT(ds->rating_hist[9], 1);
    /* file order: row 2 is user 1, movie 6, 5 stars (a quoted field) */
    CHECK_INT(ds->user_ids[ds->r_user[2]], 1);
    CHECK_INT(ds->movies[ds->r_movie[2]].id, 6);
    CHECK_INT(ds->r_half[2], 10);
    CHECK_INT(ds->movies[ds->r_movie[8]].id, 6); /* the last line had no final newline */

    const tl_movie *m = movie(ds, 1);
    CHECK(m && !strcmp(tl_movie_title(ds, (uint32_t)(m - ds->movies)), "Toy Story"));
    CHECK(m && m->year == 1995 && m->imdb_id == 114709 && m->tmdb_id == 862 && m->n_ratings == 3);
    CHECK(m && has_genre(ds, m, "Animation") && has_genre(ds, m, "Fantasy") && !has_genre(ds, m, "Drama"));
    m = movie(ds, 3);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "American President, The");
    CHECK(m && m->tmdb_id == 0 && m->imdb_id == 112346);
    m = movie(ds, 6);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Seven (a.k.a. Se7en)");
    CHECK(m && m->year == 1995);
    m = movie(ds, 50);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Usual Suspects, The \"Director's\" Cut");
    m = movie(ds, 60);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Line\nBreak");
    CHECK(m && m->year == 2001 && m->n_ratings == 0 && m->in_catalogue);
    m = movie(ds, 70);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Babylon 5");
    CHECK(m && m->year == TL_NO_YEAR);
    m = movie(ds, 80);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Death Note: Desu n\xC3\xB4to");
    CHECK(m && m->year == 2006 && has_genre(ds, m, "(no genres listed)"));
    m = movie(ds, 90);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "From Dusk Till Dawn 2: Texas Blood Money");
    CHECK(m && m->year == 1999);
    m = movie(ds, 100);
    CHECK(m && m->year == 2007);
    m = movie(ds, 110);
    CHECK(m && m->year == 1994);
    m = movie(ds, 999);
    CHECK(m && !m->in_catalogue && m->n_ratings == 1 && tl_movie_title(ds, (uint32_t)(m - ds->movies))[0] == '\0');

    /* genres sorted by name */
    CHECK_INT(ds->n_genres, 13);
    CHECK_STR(ds->genre_names[0], "(no genres listed)");
    CHECK_STR(ds->genre_names[1], "Adventure");
    for (uint32_t g = 1; g < ds->n_genres; g++) CHECK(strcmp(ds->genre_names[g - 1], ds->genre_names[g]) < 0);

    CHECK_INT(ds->n_warnings, 3);
    CHECK_STR(ds->warnings[0],
              "1 rating of 1 movie that is not in the movies file (kept; this movie has no title or genres)");
    CHECK_STR(ds->warnings[1], "1 rating repeats an earlier (user, movie) pair (all kept)");
    CHECK_CONTAINS(ds->warnings[2], "1 links line names movies");

    /* the same files in another order give the same dataset */
    const char *reordered[] = {"small/links.csv", "small/tags.csv", "small/movies.csv", "small/ratings.csv"};
    tl_dataset *ds2 = load_all_chunkings(reordered, 4);
    char msg[256];
    CHECK(ds2 && dataset_diff(ds, ds2, msg, sizeof msg) == NULL);
    tl_dataset_free(ds2);

    tl_buf b;
    tl_buf_init(&b);
    tl_dataset_summary_json(ds, &b);
    CHECK_CONTAINS(b.data, "\"ratings\":9,\"users\":4,\"movies\":11,\"rated_movies\":6,");
    CHECK_CONTAINS(b.data, "\"rating_min\":0.5,\"rating_max\":5,");
    CHECK_CONTAINS(b.data, "\"first_timestamp\":964981247,\"last_timestamp\":1445715000,\"tags\":3,");
    CHECK_CONTAINS(b.data, "\"genres\":[\"(no genres listed)\",\"Adventure\",");
    CHECK_CONTAINS(b.data, "\"warnings\":[\"1 rating of 1 movie that is");
    tl_buf_free(&b);
    tl_dataset_free(ds);
}

static void test_without_movies_file(void)
{
    tl_dataset *ds = NULL;
    tl_error err;
    CHECK_INT(load_str("r.csv", "userId,movieId,rating,timestamp\n5,20,3,1\n5,10,4,2\n", 0, &ds, &err), TL_OK);
    if (!ds) return;
    CHECK_INT(ds->n_movies, 2);
    CHECK_INT(ds->n_catalogue, 2); /* every rated movie is in the catalogue */
    CHECK_INT(ds->movies[0].id, 10);
    CHECK_INT(ds->r_movie[0], 1); /* dense index by ascending id, not by first appearance */
    CHECK_INT(ds->n_warnings, 0);
    tl_dataset_free(ds);
}

static void test_ml100k(void)
{
    const char *rels[] = {"ml-100k/u.item",  "ml-100k/u.data", "ml-100k/u.user",
                          "ml-100k/u.genre", "ml-100k/u.info", "ml-100k/README"};
    tl_dataset *ds = load_all_chunkings(rels, 6);
    if (!ds) return;
    CHECK_INT(ds->n_ratings, 6);
    CHECK_INT(ds->n_users, 3);
    CHECK_INT(ds->n_catalogue, 6);
    CHECK_INT(ds->n_rated_movies, 5);
    CHECK_INT(ds->n_warnings, 0);
    const tl_movie *m = movie(ds, 1533);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "\xC3\x81 k\xC3\xB6ldum klaka (Cold Fever)");
    CHECK(m && m->year == 1994 && has_genre(ds, m, "Comedy") && has_genre(ds, m, "Drama"));
    m = movie(ds, 267);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "unknown");
    CHECK(m && m->year == TL_NO_YEAR && has_genre(ds, m, "unknown"));
    m = movie(ds, 1);
    CHECK(m && has_genre(ds, m, "Animation") && has_genre(ds, m, "Children's") && m->n_ratings == 2);
    CHECK_INT(ds->rating_hist[2], 1); /* "1" star */
    tl_dataset_free(ds);

    /* a folder contributes only u.data and u.item (not u1.base) */
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/ml-100k", fixture_dir);
    const char *paths[] = {dir};
    tl_error err;
    CHECK_INT(tl_load_paths(paths, 1, &ds, &err), TL_OK);
    CHECK(ds && ds->n_ratings == 6 && ds->n_catalogue == 6);
    tl_dataset_free(ds);
}

static void test_ml1m(void)
{
    const char *rels[] = {"ml-1m/ratings.dat", "ml-1m/movies.dat", "ml-1m/users.dat"};
    tl_dataset *ds = load_all_chunkings(rels, 3);
    if (!ds) return;
    CHECK_INT(ds->n_ratings, 6);
    CHECK_INT(ds->n_users, 3);
    CHECK_INT(ds->n_catalogue, 7);
    const tl_movie *m = movie(ds, 3116);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Mis\xC3\xA9rables, Les");
    m = movie(ds, 2906);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Star Wars: Episode IV - A New Hope");
    CHECK(m && m->year == 1977 && has_genre(ds, m, "Sci-Fi"));
    CHECK(genre_index(ds, "Children's") >= 0);
    CHECK_INT(ds->rating_hist[10], 2);
    tl_dataset_free(ds);
}

static void test_file_kinds(void)
{
    static const struct {
        const char *rel;
        tl_file_kind kind;
    } cases[] = {
        {"small/ratings.csv", TL_FILE_RATINGS}, {"small/movies.csv", TL_FILE_MOVIES},
        {"small/tags.csv", TL_FILE_TAGS},       {"small/links.csv", TL_FILE_LINKS},
        {"small/README.txt", TL_FILE_IGNORED},  {"ml-100k/u.data", TL_FILE_RATINGS},
        {"ml-100k/u.item", TL_FILE_MOVIES},     {"ml-100k/u.user", TL_FILE_IGNORED},
        {"ml-100k/u.genre", TL_FILE_IGNORED},   {"ml-100k/u.info", TL_FILE_IGNORED},
        {"ml-100k/README", TL_FILE_IGNORED},    {"ml-1m/ratings.dat", TL_FILE_RATINGS},
        {"ml-1m/movies.dat", TL_FILE_MOVIES},   {"ml-1m/users.dat", TL_FILE_IGNORED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = 0;
        uint8_t *bytes = read_whole(fixture(cases[i].rel), &n);
        tl_loader *ld = tl_loader_new();
        tl_error err;
        tl_file_kind kind = TL_FILE_UNKNOWN;
        CHECK_INT(tl_loader_begin(ld, cases[i].rel, &err), TL_OK);
        CHECK_INT(tl_loader_feed(ld, bytes, n, &err), TL_OK);
        CHECK_INT(tl_loader_end(ld, &kind, &err), TL_OK);
        if (kind != cases[i].kind) fprintf(stderr, "  %s\n", cases[i].rel);
        CHECK_INT(kind, cases[i].kind);
        tl_loader_free(ld);
        free(bytes);
    }
}

/* Every chunking of a bad input gives the same status and message. */
static void expect_error(const char *name, const char *text, size_t len, tl_status want, const char *message)
{
    for (size_t c = 0; c < N_CHUNKS; c++) {
        mem_file f = {name, (const uint8_t *)text, len};
        tl_dataset *ds = NULL;
        tl_error err;
        tl_status st = load_mem(&f, 1, chunk_sizes[c], &ds, &err);
        if (st != want || strcmp(err.message, message))
            fprintf(stderr, "  chunk %zu: got [%s] %s\n", chunk_sizes[c], tl_status_name(st), err.message);
        CHECK_INT(st, want);
        CHECK_STR(err.message, message);
        CHECK(ds == NULL);
    }
}
#define EXPECT_ERROR(name, text, want, message) expect_error(name, text, sizeof(text) - 1, want, message)

static void test_bad_input(void)
{
    const char *H = "userId,movieId,rating,timestamp\n";
    (void)H;
#define R "userId,movieId,rating,timestamp\n"
    EXPECT_ERROR("ratings.csv", R "1,1,4.0,1\n1,2,7.5,2\n", TL_E_PARSE,
                 "ratings.csv:3: rating \"7.5\" is outside 0.5-5");
    EXPECT_ERROR("ratings.csv", R "1,1,0,1\n", TL_E_PARSE, "ratings.csv:2: rating \"0\" is outside 0.5-5");
    EXPECT_ERROR("ratings.csv", R "1,1,5.5,1\n", TL_E_PARSE, "ratings.csv:2: rating \"5.5\" is outside 0.5-5");
    EXPECT_ERROR("ratings.csv", R "1,1,-1,1\n", TL_E_PARSE, "ratings.csv:2: rating \"-1\" is outside 0.5-5");
    EXPECT_ERROR("ratings.csv", R "1,1,3.7,1\n", TL_E_PARSE, "ratings.csv:2: rating \"3.7\" is not a multiple of 0.5");
    EXPECT_ERROR("ratings.csv", R "1,1,4.05,1\n", TL_E_PARSE,
                 "ratings.csv:2: rating \"4.05\" is not a multiple of 0.5");
    EXPECT_ERROR("ratings.csv", R "1,1,four,1\n", TL_E_PARSE, "ratings.csv:2: rating \"four\" is not a number");
    EXPECT_ERROR("ratings.csv", R "1,1,,1\n", TL_E_PARSE, "ratings.csv:2: rating is empty");
    EXPECT_ERROR("ratings.csv", R "1,1,4\n", TL_E_PARSE,
                 "ratings.csv:2: expected 4 fields (userId,movieId,rating,timestamp) but found 3");
    EXPECT_ERROR("ratings.csv", R "1,1,4,5,6\r\n", TL_E_PARSE,
                 "ratings.csv:2: expected 4 fields (userId,movieId,rating,timestamp) but found 5");
    EXPECT_ERROR("ratings.csv", R "x1,1,4,5\n", TL_E_PARSE, "ratings.csv:2: userId \"x1\" is not a number");
    EXPECT_ERROR("ratings.csv", R "-3,1,4,5\n", TL_E_PARSE, "ratings.csv:2: userId \"-3\" is negative");
    EXPECT_ERROR("ratings.csv", R "1,4294967296,4,5\n", TL_E_PARSE,
                 "ratings.csv:2: movieId \"4294967296\" is too large (the largest id is 4294967295)");
    EXPECT_ERROR("ratings.csv", R "1,,4,5\n", TL_E_PARSE, "ratings.csv:2: movieId is empty");
    EXPECT_ERROR("ratings.csv", R "1,2,4,1.5e9\n", TL_E_PARSE,
                 "ratings.csv:2: timestamp \"1.5e9\" is not a whole number of seconds");
    EXPECT_ERROR("ratings.csv", R "1,2,4,-5\n", TL_E_PARSE, "ratings.csv:2: timestamp \"-5\" is negative");
    EXPECT_ERROR("ratings.csv", R "1,2,4,99999999999999999999\n", TL_E_PARSE,
                 "ratings.csv:2: timestamp \"99999999999999999999\" is too large");
    EXPECT_ERROR("ratings.csv", R "1,2,4,\n", TL_E_PARSE, "ratings.csv:2: timestamp is empty");
    EXPECT_ERROR("ratings.csv", R "1,2,4,5 \n", TL_E_PARSE,
                 "ratings.csv:2: timestamp \"5 \" is not a whole number of seconds");
    EXPECT_ERROR("ratings.csv", R "1,2,4,5\n1,2,4,\"5\n", TL_E_PARSE, "ratings.csv:3: unterminated quoted field");
    EXPECT_ERROR(
        "ratings.csv", R "1,2\"x,4,5\n", TL_E_PARSE,
        "ratings.csv:2: quote inside an unquoted field (a field with quotes must be quoted, with each quote doubled)");
    EXPECT_ERROR("ratings.csv", R "1,\"2\"x,4,5\n", TL_E_PARSE, "ratings.csv:2: unexpected text after a closing quote");
    EXPECT_ERROR("ratings.csv", R "1,2,4,5\n1,2\0,4,5\n", TL_E_PARSE,
                 "ratings.csv:3: NUL byte: this is binary data, not a text file");
    EXPECT_ERROR("ratings.csv", R, TL_E_FORMAT,
                 "no ratings: the ratings file has a header but no data lines (input: ratings.csv (ratings))");
    /* blank lines before the header count as lines; a BOM only starts the file */
    EXPECT_ERROR("ratings.csv", "\n\r\n" R "1,1,9,1\n", TL_E_PARSE, "ratings.csv:4: rating \"9\" is outside 0.5-5");
    EXPECT_ERROR("ratings.csv", "\xEF\xBB\xBF\r\n" R "1,1,9,1\n", TL_E_PARSE,
                 "ratings.csv:3: rating \"9\" is outside 0.5-5");
    EXPECT_ERROR("ratings.csv", "\xEF\xBB\xBF" R "1,1,9,1", TL_E_PARSE, "ratings.csv:2: rating \"9\" is outside 0.5-5");
#undef R
    EXPECT_ERROR(
        "x.csv", "\n\xEF\xBB\xBFuserId,movieId,rating,timestamp\n", TL_E_FORMAT,
        "x.csv: unrecognised file: the first line is \"\xEF\xBB\xBFuserId,movieId,rating,timestamp\"; expected "
        "a MovieLens ratings (userId,movieId,rating,timestamp), movies (movieId,title,genres), tags "
        "(userId,movieId,tag,timestamp) or links (movieId,imdbId,tmdbId) CSV file with that header, or "
        "ml-100k u.data/u.item, or ml-1m ratings.dat/movies.dat");
    EXPECT_ERROR("movies.csv",
                 "movieId,title,genres\n1,Toy Story (1995),Comedy\n2,\"Jumanji (1995),Fantasy\n3,Heat,Action\n",
                 TL_E_PARSE, "movies.csv:3: unterminated quoted field");
    EXPECT_ERROR(
        "movies.csv", "movieId,title,genres\n1,American President, The (1995),Comedy\n", TL_E_PARSE,
        "movies.csv:2: expected 3 fields (movieId,title,genres) but found 4 (a title with commas must be in quotes)");
    EXPECT_ERROR("movies.csv", "movieId,title,genres\n1,A,Comedy\n1,B,Drama\n", TL_E_PARSE,
                 "movies.csv:3: movie 1 is listed twice (first on line 2)");
    EXPECT_ERROR("movies.csv", "movieId,title,genres\n1,A,Comedy||Drama\n", TL_E_PARSE,
                 "movies.csv:2: empty genre name in the genre list");
    EXPECT_ERROR("links.csv", "movieId,imdbId,tmdbId\n1,abc,\n", TL_E_PARSE,
                 "links.csv:2: imdbId \"abc\" is not a number");
    EXPECT_ERROR("tags.csv", "userId,movieId,tag,timestamp\n1,2,x,y\n", TL_E_PARSE,
                 "tags.csv:2: timestamp \"y\" is not a whole number of seconds");
    EXPECT_ERROR("u.data", "1\t2\t3\t4\n1\t2\t9\t4\n", TL_E_PARSE, "u.data:2: rating \"9\" is outside 0.5-5");
    EXPECT_ERROR("u.item", "1|Toy Story (1995)|01-Jan-1995||x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|2\n", TL_E_PARSE,
                 "u.item:1: genre flag 19 (Western) is \"2\"; expected 0 or 1");
    EXPECT_ERROR("ratings.dat", "1::2::3::4\n1::2::3\n", TL_E_PARSE,
                 "ratings.dat:2: expected 4 fields (UserID::MovieID::Rating::Timestamp) but found 3");

    /* wrong files */
    EXPECT_ERROR("empty.csv", "", TL_E_FORMAT,
                 "empty.csv: the file is empty; expected a MovieLens ratings, movies, tags or links file");
    EXPECT_ERROR("blank.csv", "\xEF\xBB\xBF\r\n\n", TL_E_FORMAT,
                 "blank.csv: the file is empty; expected a MovieLens ratings, movies, tags or links file");
    EXPECT_ERROR("x.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", TL_E_FORMAT,
                 "x.png: this is a PNG image, not a MovieLens text file; expected a MovieLens ratings, movies, tags or "
                 "links file");
    EXPECT_ERROR("ml.zip", "PK\x03\x04\x14\0\0\0", TL_E_FORMAT,
                 "ml.zip: this is a ZIP archive (unzip it and give the files inside), not a MovieLens text file; "
                 "expected a MovieLens ratings, movies, tags or links file");
    EXPECT_ERROR("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Comedy\n", TL_E_FORMAT,
                 "no ratings file among the input (movies.csv (movies)); expected a ratings file: "
                 "ratings.csv (userId,movieId,rating,timestamp), ml-100k u.data or ml-1m ratings.dat");
    EXPECT_ERROR("data.csv", "id,name,score\n1,a,2\n", TL_E_FORMAT,
                 "data.csv: unrecognised file: the first line is \"id,name,score\"; expected a MovieLens ratings "
                 "(userId,movieId,rating,timestamp), movies (movieId,title,genres), tags "
                 "(userId,movieId,tag,timestamp) or links (movieId,imdbId,tmdbId) CSV file with that header, or "
                 "ml-100k u.data/u.item, or ml-1m ratings.dat/movies.dat");
}

static void test_limits(void)
{
    /* a line over 1 MiB */
    size_t big = ((size_t)1 << 20) + 100;
    char *text = malloc(big + 64);
    strcpy(text, "userId,movieId,rating,timestamp\n1,1,4,1\n1,1,4,");
    size_t len = strlen(text);
    memset(text + len, '7', big);
    text[len + big] = '\n';
    text[len + big + 1] = '\0';
    expect_error("ratings.csv", text, len + big + 1, TL_E_LIMIT,
                 "ratings.csv:3: line is longer than 1 MiB, the limit; is this really a MovieLens file?");
    /* an unterminated quote that runs on */
    strcpy(text, "movieId,title,genres\n1,\"A");
    len = strlen(text);
    memset(text + len, 'a', big);
    text[len + big] = '\0';
    expect_error("movies.csv", text, len + big, TL_E_LIMIT,
                 "movies.csv:2: line is longer than 1 MiB, the limit (inside a quoted field that starts here: a "
                 "missing closing quote?)");
    /* a first line over 1 MiB */
    memset(text, 'x', big);
    expect_error("x.txt", text, big, TL_E_LIMIT,
                 "x.txt:1: the first line is longer than 1 MiB, the limit; is this really a MovieLens file?");
    /* megabytes of blank lines before the header cost no memory and count as lines */
    size_t blanks = (size_t)3 << 19; /* more than the 1 MiB line limit */
    text = realloc(text, blanks + 64);
    memset(text, '\n', blanks);
    strcpy(text + blanks, "userId,movieId,rating,timestamp\n1,1,4,x\n");
    char want[128];
    snprintf(want, sizeof want, "r.csv:%zu: timestamp \"x\" is not a whole number of seconds", blanks + 2);
    expect_error("r.csv", text, strlen(text), TL_E_PARSE, want);
    free(text);

    /* 65 genre labels */
    tl_buf b;
    tl_buf_init(&b);
    tl_buf_puts(&b, "movieId,title,genres\n");
    for (int i = 0; i < 65; i++) tl_buf_printf(&b, "%d,M%d,G%02d\n", i + 1, i, i);
    expect_error("movies.csv", b.data, b.len, TL_E_LIMIT,
                 "movies.csv:66: genre \"G64\" would be genre number 65; at most 64 genres are supported");
    tl_buf_free(&b);
}

static void test_huge_ids_and_order(void)
{
    tl_dataset *ds = NULL;
    tl_error err;
    const char *text = "userId,movieId,rating,timestamp\n"
                       "4000000000,3000000000,4,10\n"
                       "7,3000000000,3,11\n"
                       "4294967295,5,2,12\n"
                       "4000000000,5,1,13\n"
                       "7,3000000000,5,14\n"; /* a duplicate, user 7 not contiguous */
    for (size_t c = 0; c < N_CHUNKS; c++) {
        CHECK_INT(load_str("ratings.csv", text, chunk_sizes[c], &ds, &err), TL_OK);
        if (!ds) continue;
        CHECK_INT(ds->n_users, 3);
        CHECK_INT(ds->user_ids[0], 7);
        CHECK_INT(ds->user_ids[1], 4000000000u);
        CHECK_INT(ds->user_ids[2], 4294967295u);
        CHECK_INT(ds->n_movies, 2);
        CHECK_INT(ds->movies[1].id, 3000000000u);
        CHECK_INT(ds->r_user[0], 1);
        CHECK_INT(ds->r_movie[0], 1);
        CHECK_INT(ds->r_user[2], 2);
        CHECK_INT(ds->n_warnings, 1);
        CHECK_STR(ds->warnings[0], "1 rating repeats an earlier (user, movie) pair (all kept)");
        tl_dataset_free(ds);
    }
}

/* Enough ratings for the columns' block to pass 512 KiB, where it moves to
 * huge pages natively (and the columns stay in place at the end): loaded
 * growing without a size hint, with one (a single reservation), and in
 * 4 KiB chunks, every row must come back as written. */
static void test_large_columns(void)
{
    const uint32_t n = 150000;
    tl_buf b;
    tl_buf_init(&b);
    tl_buf_puts(&b, "userId,movieId,rating,timestamp\n");
    for (uint32_t i = 0; i < n; i++)
        tl_buf_printf(&b, "%u,%u,%u.%u,%u\n", i / 60 + 1, (i * 7919u) % 6000 + 1, i % 4 + 1, i % 2 ? 5 : 0,
                      1000000 + i);
    tl_dataset *ds[3] = {NULL, NULL, NULL};
    tl_error err;
    CHECK_INT(load_str("ratings.csv", b.data, 0, &ds[0], &err), TL_OK);
    CHECK_INT(load_str("ratings.csv", b.data, 4096, &ds[1], &err), TL_OK);
    tl_loader *ld = tl_loader_new();
    tl_file_kind kind;
    CHECK_INT(tl_loader_begin(ld, "ratings.csv", &err), TL_OK);
    CHECK_INT(tl_loader_size_hint(ld, b.len, &err), TL_OK);
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)b.data, b.len, &err), TL_OK);
    CHECK_INT(tl_loader_end(ld, &kind, &err), TL_OK);
    CHECK_INT(tl_loader_finish(ld, &ds[2], &err), TL_OK);
    tl_loader_free(ld);
    for (int k = 0; k < 3; k++) {
        if (!ds[k]) continue;
        CHECK_INT(ds[k]->n_ratings, n);
        CHECK(ds[k]->r_block != NULL);
        uint32_t wrong = 0;
        for (uint32_t i = 0; i < ds[k]->n_ratings; i++) {
            uint32_t half = (i % 4 + 1) * 2 + (i % 2);
            wrong += ds[k]->user_ids[ds[k]->r_user[i]] != i / 60 + 1 ||
                     ds[k]->movies[ds[k]->r_movie[i]].id != (i * 7919u) % 6000 + 1 || ds[k]->r_half[i] != half;
        }
        CHECK_INT(wrong, 0);
        if (k > 0 && ds[0]) {
            char msg[256];
            const char *diff = dataset_diff(ds[0], ds[k], msg, sizeof msg);
            CHECK_STR(diff ? diff : "same", "same");
        }
    }
    for (int k = 0; k < 3; k++) tl_dataset_free(ds[k]);
    tl_buf_free(&b);
}

/* The id map: sparse huge ids stay in the hash, the array grows with the
 * number of ids and takes the hashed ids it comes to cover. */
static void test_idmap(void)
{
    tl__idmap m;
    memset(&m, 0, sizeof m);
    uint32_t ids[] = {5, 70000, 3000000, 4000000000u, 4194304};
    for (size_t i = 0; i < 5; i++) *tl__idmap_slot(&m, ids[i]) = (uint32_t)i + 1;
    CHECK(m.direct_cap <= TL_IDMAP_DIRECT_MIN); /* 5 ids do not buy a 4M-entry array */
    CHECK_INT(m.hcount, 4);
    for (uint32_t id = 100; id < 2200; id++) *tl__idmap_slot(&m, id) = id;
    *tl__idmap_slot(&m, 70001) = 7; /* 2103 ids: now 131072 entries are within budget */
    CHECK_INT(m.direct_cap, 131072);
    CHECK_INT(m.hcount, 3);
    for (size_t i = 0; i < 5; i++) CHECK_INT(tl__idmap_get(&m, ids[i]), i + 1);
    CHECK_INT(tl__idmap_get(&m, 70001), 7);
    CHECK_INT(tl__idmap_get(&m, 1500), 1500);
    CHECK_INT(tl__idmap_get(&m, 6), 0);
    CHECK(tl__idmap_find(&m, 123456789) == NULL);
    uint32_t n = 0;
    uint32_t *sorted = tl__idmap_sorted_ids(&m, &n);
    CHECK_INT(n, 2106);
    for (uint32_t i = 1; sorted && i < n; i++) CHECK(sorted[i - 1] < sorted[i]);
    CHECK(sorted && sorted[0] == 5 && sorted[n - 1] == 4000000000u && sorted[n - 3] == 3000000);
    free(sorted);
    tl__idmap_free(&m);
}

/* Dense renumbering at finish: the bit-table path (small max id) and the
 * hash path (sparse huge ids) give the same ascending indices, counts and
 * runs. */
static void check_dense(const uint32_t *raw, uint32_t n, uint32_t max_id, const uint32_t *want_idx,
                        const uint32_t *want_ids, const uint32_t *want_counts, uint32_t want_n, uint32_t want_runs)
{
    uint32_t col[16];
    memcpy(col, raw, n * sizeof *col);
    tl__dense d;
    memset(&d, 0, sizeof d);
    CHECK(tl__dense_renumber(col, n, max_id, &d));
    CHECK_INT(d.n, want_n);
    CHECK_INT(d.runs, want_runs);
    for (uint32_t i = 0; i < n; i++) CHECK_INT(col[i], want_idx[i]);
    for (uint32_t k = 0; k < want_n && d.ids && d.counts; k++) {
        CHECK_INT(d.ids[k], want_ids[k]);
        CHECK_INT(d.counts[k], want_counts[k]);
    }
    tl__dense_free(&d);
}

static void test_dense_renumber(void)
{
    /* bit table: max id 40 */
    const uint32_t small[] = {40, 3, 3, 17, 40, 0};
    const uint32_t small_idx[] = {3, 1, 1, 2, 3, 0}, small_ids[] = {0, 3, 17, 40}, small_counts[] = {1, 2, 1, 2};
    check_dense(small, 6, 40, small_idx, small_ids, small_counts, 4, 5);
    /* hash fallback: ids up to 2^32 - 1 over 5 rows */
    const uint32_t huge[] = {4294967295u, 7, 3000000000u, 7, 4294967295u};
    const uint32_t huge_idx[] = {2, 0, 1, 0, 2}, huge_ids[] = {7, 3000000000u, 4294967295u}, huge_counts[] = {2, 1, 2};
    check_dense(huge, 5, 4294967295u, huge_idx, huge_ids, huge_counts, 3, 5);
    /* no rows */
    tl__dense d;
    memset(&d, 0, sizeof d);
    uint32_t none[1] = {0};
    CHECK(tl__dense_renumber(none, 0, 0, &d));
    CHECK_INT(d.n, 0);
    tl__dense_free(&d);
}

static void test_loader_states(void)
{
    tl_loader *ld = tl_loader_new();
    tl_error err;
    tl_dataset *ds = NULL;
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)"x", 1, &err), TL_E_STATE);
    CHECK_INT(tl_loader_begin(ld, "a.csv", &err), TL_OK);
    CHECK_INT(tl_loader_begin(ld, "b.csv", &err), TL_E_STATE);
    CHECK_INT(tl_loader_expect(ld, TL_FILE_RATINGS, &err), TL_OK);
    const char *movies = "movieId,title,genres\n1,A,B\n";
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)movies, strlen(movies), &err), TL_E_FORMAT);
    CHECK_STR(err.message, "a.csv: this is a movies file (movies.csv layout); expected a ratings file "
                           "(ratings.csv with userId,movieId,rating,timestamp, ml-100k u.data or ml-1m ratings.dat)");
    /* the failure is sticky */
    tl_error_clear(&err);
    CHECK_INT(tl_loader_finish(ld, &ds, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "this is a movies file");
    tl_loader_free(ld);

    /* a new loader after an error works */
    ld = tl_loader_new();
    const char *r = "userId,movieId,rating,timestamp\n1,2,3,4\n";
    CHECK_INT(tl_loader_begin(ld, "r.csv", &err), TL_OK);
    CHECK_INT(tl_loader_expect(ld, TL_FILE_RATINGS, &err), TL_OK);
    CHECK_INT(tl_loader_feed(ld, (const uint8_t *)r, strlen(r), &err), TL_OK);
    CHECK_INT(tl_loader_finish(ld, &ds, &err), TL_E_STATE);
    tl_file_kind kind;
    CHECK_INT(tl_loader_end(ld, &kind, &err), TL_OK);
    CHECK_INT(kind, TL_FILE_RATINGS);
    CHECK_INT(tl_loader_finish(ld, &ds, &err), TL_OK);
    CHECK(ds && ds->n_ratings == 1);
    tl_dataset *again = NULL;
    CHECK_INT(tl_loader_finish(ld, &again, &err), TL_E_STATE);
    CHECK(again == NULL);
    tl_loader_free(ld);
    tl_dataset_free(ds);

    ld = tl_loader_new();
    CHECK_INT(tl_loader_finish(ld, &ds, &err), TL_E_FORMAT);
    CHECK_STR(err.message, "no files were given; expected a ratings file: ratings.csv "
                           "(userId,movieId,rating,timestamp), ml-100k u.data or ml-1m ratings.dat");
    tl_loader_free(ld);
}

static void test_paths_errors(void)
{
    tl_dataset *ds = NULL;
    tl_error err;
    const char *missing[] = {"/nonexistent/ratings.csv"};
    CHECK_INT(tl_load_paths(missing, 1, &ds, &err), TL_E_IO);
    CHECK_STR(err.message, "/nonexistent/ratings.csv: cannot open: No such file or directory");
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/bad", fixture_dir);
    const char *bad_dir[] = {dir};
    CHECK_INT(tl_load_paths(bad_dir, 1, &ds, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "this folder holds no MovieLens data files");
    const char *png[] = {fixture("bad/image.png")};
    CHECK_INT(tl_load_paths(png, 1, &ds, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "image.png: this is a PNG image");
    const char *bin[] = {fixture("bad/binary.bin")};
    CHECK_INT(tl_load_paths(bin, 1, &ds, &err), TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "binary.bin: this is binary data (it contains NUL bytes)");
    CHECK(ds == NULL);
}

static void test_ml_latest_small(void)
{
    char dir[1024];
    if (!check_shared_small(dir, sizeof dir)) return;
    static const char *names[] = {"ratings.csv", "movies.csv", "links.csv", "tags.csv", "README.txt"};
    mem_file files[5];
    uint8_t *data[5];
    char paths[5][1200];
    for (int i = 0; i < 5; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, names[i]);
        data[i] = read_whole(paths[i], &files[i].n);
        CHECK(data[i] != NULL);
        if (!data[i]) return;
        files[i].name = names[i];
        files[i].bytes = data[i];
    }
    tl_dataset *ds = NULL;
    tl_error err;
    CHECK_INT(load_mem(files, 5, 0, &ds, &err), TL_OK);
    if (!ds) return;
    CHECK_INT(ds->n_ratings, 100836);
    CHECK_INT(ds->n_users, 610);
    CHECK_INT(ds->n_catalogue, 9742);
    CHECK_INT(ds->n_rated_movies, 9724);
    CHECK_INT(ds->n_movies, 9742);
    CHECK_INT(ds->n_genres, 20);
    CHECK(genre_index(ds, "(no genres listed)") == 0);
    int lo = 0, hi = 0;
    for (int h = 1; h <= 10; h++)
        if (ds->rating_hist[h]) {
            if (!lo) lo = h;
            hi = h;
        }
    CHECK_INT(lo, 1);
    CHECK_INT(hi, 10);
    CHECK_INT(ds->n_tags, 3683);
    CHECK_INT(ds->n_warnings, 0);
    CHECK_INT(ds->user_counts[0], 232);
    CHECK_INT(ds->first_timestamp, 828124615);
    CHECK_INT(ds->last_timestamp, 1537799250);
    const tl_movie *m = movie(ds, 356);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Forrest Gump");
    CHECK(m && m->year == 1994 && m->n_ratings == 329 && m->imdb_id == 109830 && m->tmdb_id == 13);
    CHECK(m && has_genre(ds, m, "War") && !has_genre(ds, m, "Action"));
    m = movie(ds, 171749);
    CHECK_STR(m ? tl_movie_title(ds, (uint32_t)(m - ds->movies)) : NULL, "Death Note: Desu n\xC3\xB4to");
    CHECK(m && m->year == 2006);
    CHECK_INT(ds->movies[ds->n_movies - 1].id, 193609);

    for (size_t c = 0; c + 1 < N_CHUNKS; c++) {
        tl_dataset *other = NULL;
        CHECK_INT(load_mem(files, 5, chunk_sizes[c], &other, &err), TL_OK);
        char msg[256];
        const char *diff = other ? dataset_diff(ds, other, msg, sizeof msg) : "failed";
        if (diff) fprintf(stderr, "  chunk %zu: %s\n", chunk_sizes[c], diff);
        CHECK(diff == NULL);
        tl_dataset_free(other);
    }
    /* the folder path gives the same dataset */
    const char *p[] = {dir};
    tl_dataset *other = NULL;
    CHECK_INT(tl_load_paths(p, 1, &other, &err), TL_OK);
    char msg[256];
    CHECK(other && dataset_diff(ds, other, msg, sizeof msg) == NULL);
    tl_dataset_free(other);
    tl_dataset_free(ds);
    for (int i = 0; i < 5; i++) free(data[i]);
}

int main(void)
{
    const char *src = getenv("TL_SOURCE_DIR");
    snprintf(fixture_dir, sizeof fixture_dir, "%s/tests/fixtures", src ? src : ".");
    test_small_fixture();
    test_without_movies_file();
    test_ml100k();
    test_ml1m();
    test_file_kinds();
    test_bad_input();
    test_limits();
    test_huge_ids_and_order();
    test_large_columns();
    test_idmap();
    test_dense_renumber();
    test_loader_states();
    test_paths_errors();
    test_ml_latest_small();
    return check_report("test_loader");
}
