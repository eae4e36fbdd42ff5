/* MovieLens field rules: numbers, half-star ratings, titles and years,
 * encodings, and layout detection from the first line. */
#include "check.h"
#include "towerlens/dataset.h"
#include "towerlens/movielens.h"

static tl_num half(const char *s, uint8_t *out) { return tl_parse_half(s, strlen(s), out); }

static void test_ratings(void)
{
    static const struct {
        const char *text;
        tl_num result;
        uint8_t half;
    } cases[] = {
        {"0.5", TL_NUM_OK, 1},
        {"1", TL_NUM_OK, 2},
        {"1.0", TL_NUM_OK, 2},
        {"4.5", TL_NUM_OK, 9},
        {"4.50", TL_NUM_OK, 9},
        {"4.500000", TL_NUM_OK, 9},
        {"5", TL_NUM_OK, 10},
        {"5.0", TL_NUM_OK, 10},
        {"05.0", TL_NUM_OK, 10},
        {"3.000", TL_NUM_OK, 6},
        {"0", TL_NUM_OUT_OF_RANGE, 0},
        {"0.0", TL_NUM_OUT_OF_RANGE, 0},
        {"0.4", TL_NUM_OUT_OF_RANGE, 0},
        {"0.49", TL_NUM_OUT_OF_RANGE, 0},
        {"5.5", TL_NUM_OUT_OF_RANGE, 0},
        {"5.01", TL_NUM_OUT_OF_RANGE, 0},
        {"7.5", TL_NUM_OUT_OF_RANGE, 0},
        {"100", TL_NUM_OUT_OF_RANGE, 0},
        {"99999999999999999999", TL_NUM_OUT_OF_RANGE, 0},
        {"-1", TL_NUM_OUT_OF_RANGE, 0},
        {"-0.5", TL_NUM_OUT_OF_RANGE, 0},
        {"3.7", TL_NUM_NOT_HALF, 0},
        {"4.05", TL_NUM_NOT_HALF, 0},
        {"0.55", TL_NUM_NOT_HALF, 0},
        {"", TL_NUM_EMPTY, 0},
        {"4.", TL_NUM_NOT_NUMBER, 0},
        {".5", TL_NUM_NOT_NUMBER, 0},
        {"4e0", TL_NUM_NOT_NUMBER, 0},
        {" 4", TL_NUM_NOT_NUMBER, 0},
        {"4 ", TL_NUM_NOT_NUMBER, 0},
        {"four", TL_NUM_NOT_NUMBER, 0},
        {"-", TL_NUM_NOT_NUMBER, 0},
        {"+4", TL_NUM_NOT_NUMBER, 0},
        {"4.5.0", TL_NUM_NOT_NUMBER, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t h = 0;
        tl_num r = half(cases[i].text, &h);
        if (r != cases[i].result) fprintf(stderr, "  rating \"%s\"\n", cases[i].text);
        CHECK_INT(r, cases[i].result);
        if (r == TL_NUM_OK) CHECK_INT(h, cases[i].half);
    }
}

static void test_ids_and_timestamps(void)
{
    uint32_t v = 7;
    CHECK_INT(tl_parse_u32("0", 1, &v), TL_NUM_OK);
    CHECK_INT(v, 0);
    CHECK_INT(tl_parse_u32("4294967295", 10, &v), TL_NUM_OK);
    CHECK_INT(v, 4294967295u);
    CHECK_INT(tl_parse_u32("0000000000000042", 16, &v), TL_NUM_OK);
    CHECK_INT(v, 42);
    CHECK_INT(tl_parse_u32("4294967296", 10, &v), TL_NUM_TOO_LARGE);
    CHECK_INT(tl_parse_u32("99999999999999999999999", 23, &v), TL_NUM_TOO_LARGE);
    CHECK_INT(tl_parse_u32("-1", 2, &v), TL_NUM_NEGATIVE);
    CHECK_INT(tl_parse_u32("1.0", 3, &v), TL_NUM_NOT_NUMBER);
    CHECK_INT(tl_parse_u32("1a", 2, &v), TL_NUM_NOT_NUMBER);
    CHECK_INT(tl_parse_u32("", 0, &v), TL_NUM_EMPTY);

    int64_t t = 0;
    CHECK_INT(tl_parse_timestamp("964982703", 9, &t), TL_NUM_OK);
    CHECK_INT(t, 964982703);
    CHECK_INT(tl_parse_timestamp("9223372036854775807", 19, &t), TL_NUM_OK);
    CHECK(t == INT64_MAX);
    CHECK_INT(tl_parse_timestamp("9223372036854775808", 19, &t), TL_NUM_TOO_LARGE);
    CHECK_INT(tl_parse_timestamp("-5", 2, &t), TL_NUM_NEGATIVE);
    CHECK_INT(tl_parse_timestamp("1.5e9", 5, &t), TL_NUM_NOT_NUMBER);
}

static void expect_title(const char *raw, const char *title, int year)
{
    size_t start, len;
    int y;
    tl_ml_split_title(raw, strlen(raw), &start, &len, &y);
    char got[256];
    snprintf(got, sizeof got, "%.*s", (int)len, raw + start);
    if (strcmp(got, title) || y != year) fprintf(stderr, "  title \"%s\"\n", raw);
    CHECK_STR(got, title);
    CHECK_INT(y, year);
}

static void test_titles(void)
{
    expect_title("Toy Story (1995)", "Toy Story", 1995);
    expect_title("Seven (a.k.a. Se7en) (1995)", "Seven (a.k.a. Se7en)", 1995);
    expect_title("City of Lost Children, The (Cit\xC3\xA9 des enfants perdus, La) (1995)",
                 "City of Lost Children, The (Cit\xC3\xA9 des enfants perdus, La)", 1995);
    expect_title("From Dusk Till Dawn 2: Texas Blood Money (1999) ", "From Dusk Till Dawn 2: Texas Blood Money", 1999);
    expect_title("Babylon 5", "Babylon 5", TL_NO_YEAR);
    expect_title("Death Note: Desu n\xC3\xB4to (2006\xE2\x80\x93"
                 "2007)",
                 "Death Note: Desu n\xC3\xB4to", 2006);
    expect_title("Series (2007-)", "Series", 2007);
    expect_title("Series (2007\xE2\x80\x93)", "Series", 2007);
    expect_title("Show (1994-1998)", "Show", 1994);
    expect_title("(500) Days of Summer (2009)", "(500) Days of Summer", 2009);
    expect_title("1984 (1956)", "1984", 1956);
    expect_title("Ocean's Eleven (a.k.a. Ocean's 11)", "Ocean's Eleven (a.k.a. Ocean's 11)", TL_NO_YEAR);
    expect_title("Not a year (19955)", "Not a year (19955)", TL_NO_YEAR);
    expect_title("Not a year (199)", "Not a year (199)", TL_NO_YEAR);
    expect_title("Not a year (1994-98)", "Not a year (1994-98)", TL_NO_YEAR);
    expect_title("Zero (0000)", "Zero (0000)", TL_NO_YEAR);
    expect_title("(1995)", "(1995)", 1995); /* nothing but a year: keep the text */
    expect_title("  spaced (2001)  ", "spaced", 2001);
    expect_title("Tight(2001)", "Tight", 2001);
    expect_title("", "", TL_NO_YEAR);
    expect_title("unknown", "unknown", TL_NO_YEAR);
}

static void test_encodings(void)
{
    CHECK(tl_ml_is_utf8((const uint8_t *)"plain", 5));
    CHECK(tl_ml_is_utf8((const uint8_t *)"caf\xC3\xA9", 5));
    CHECK(tl_ml_is_utf8((const uint8_t *)"\xE2\x80\x93", 3));
    CHECK(tl_ml_is_utf8((const uint8_t *)"\xF0\x9F\x8E\xAC", 4));
    CHECK(!tl_ml_is_utf8((const uint8_t *)"caf\xE9", 4));          /* Latin-1 */
    CHECK(!tl_ml_is_utf8((const uint8_t *)"\xC3", 1));             /* cut short */
    CHECK(!tl_ml_is_utf8((const uint8_t *)"\xC0\xAF", 2));         /* overlong */
    CHECK(!tl_ml_is_utf8((const uint8_t *)"\xED\xA0\x80", 3));     /* surrogate */
    CHECK(!tl_ml_is_utf8((const uint8_t *)"\xF4\x90\x80\x80", 4)); /* above U+10FFFF */
    uint8_t out[32];
    size_t n = tl_ml_latin1_to_utf8((const uint8_t *)"Mis\xE9rables \xC1\xFF", 13, out);
    CHECK_INT(n, 16);
    out[n] = 0;
    CHECK_STR((const char *)out, "Mis\xC3\xA9rables \xC3\x81\xC3\xBF");

    char q[96];
    tl_ml_quote(q, sizeof q, "7.5", 3);
    CHECK_STR(q, "\"7.5\"");
    tl_ml_quote(q, sizeof q, "a\r\n\"b", 5);
    CHECK_STR(q, "\"a\\x0D\\x0A\\x22b\"");
    char longer[100];
    memset(longer, 'x', sizeof longer);
    tl_ml_quote(q, sizeof q, longer, sizeof longer);
    CHECK_INT(strlen(q), 57 + 5);
    CHECK(strstr(q, "...\"") != NULL);
}

static tl_ml_format detect(const char *line, tl_status *st, tl_error *err)
{
    tl_ml_format f = TL_ML_UNKNOWN;
    *st = tl_ml_detect("f", (const uint8_t *)line, strlen(line), &f, NULL, err);
    return f;
}

static void test_detection(void)
{
    static const struct {
        const char *line;
        tl_ml_format format;
    } cases[] = {
        {"userId,movieId,rating,timestamp", TL_ML_RATINGS_CSV},
        {"userId,movieId,rating,timestamp\r\n", TL_ML_RATINGS_CSV},
        {"\"userId\",\"movieId\",\"rating\",\"timestamp\"", TL_ML_RATINGS_CSV},
        {"UserID,MovieID,Rating,Timestamp", TL_ML_RATINGS_CSV},
        {"movieId,title,genres", TL_ML_MOVIES_CSV},
        {"userId,movieId,tag,timestamp", TL_ML_TAGS_CSV},
        {"movieId,imdbId,tmdbId", TL_ML_LINKS_CSV},
        {"1,31,2.5,1260759144", TL_ML_RATINGS_CSV_BARE},
        {"196\t242\t3\t881250949", TL_ML_RATINGS_100K},
        {"1|Toy Story "
         "(1995)|01-Jan-1995||http://us.imdb.com/M/"
         "title-exact?Toy%20Story%20(1995)|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0",
         TL_ML_MOVIES_100K},
        {"1::1193::5::978300760", TL_ML_RATINGS_1M},
        {"1::Toy Story (1995)::Animation|Children's|Comedy", TL_ML_MOVIES_1M},
        {"15::4973::excellent!::1215184630", TL_ML_TAGS_1M},
        {"1::F::1::10::48067", TL_ML_IGNORED},
        {"1|24|M|technician|85711", TL_ML_IGNORED},
        {"unknown|0", TL_ML_IGNORED},
        {"943 users", TL_ML_IGNORED},
        {"administrator", TL_ML_IGNORED},
        {"SUMMARY & USAGE LICENSE", TL_ML_IGNORED},
        {"Summary", TL_ML_IGNORED},
        {"movieId,tagId,relevance", TL_ML_IGNORED},
        {"tagId,tag", TL_ML_IGNORED},
        {"#!/bin/sh", TL_ML_IGNORED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tl_status st;
        tl_error err;
        tl_ml_format f = detect(cases[i].line, &st, &err);
        if (f != cases[i].format) fprintf(stderr, "  detect \"%s\"\n", cases[i].line);
        CHECK_INT(st, TL_OK);
        CHECK_INT(f, cases[i].format);
    }
    tl_status st;
    tl_error err;
    CHECK_INT(detect("userId,movieId,rating", &st, &err), TL_ML_UNKNOWN);
    CHECK_INT(st, TL_E_FORMAT);
    CHECK_CONTAINS(err.message, "f: unrecognised file: the first line is \"userId,movieId,rating\"; expected");
    CHECK_INT(detect("1\t2\t3", &st, &err), TL_ML_UNKNOWN);
    CHECK_INT(st, TL_E_FORMAT);
    CHECK_INT(detect("GIF89a", &st, &err), TL_ML_UNKNOWN);
    CHECK_STR(err.message, "f: this is a GIF image, not a MovieLens text file; expected a ratings, movies, tags or "
                           "links file (CSV, ml-100k or ml-1m layout)");

    const char *what = NULL;
    CHECK(tl_ml_binary((const uint8_t *)"\x1F\x8B\x08", 3, &what));
    CHECK_STR(what, "a gzip archive (decompress it first)");
    CHECK(tl_ml_binary((const uint8_t *)"ab\0cd", 5, &what));
    CHECK(!tl_ml_binary((const uint8_t *)"userId,movieId", 14, &what));

    const tl_ml_layout *l = tl_ml_layout_of(TL_ML_MOVIES_100K);
    CHECK_INT(l->n_fields, 24);
    CHECK_INT(l->sep, '|');
    CHECK_INT(l->kind, TL_FILE_MOVIES);
    CHECK_STR(tl_file_kind_name(TL_FILE_LINKS), "links");
    CHECK_STR(tl_ml_100k_genres[4], "Children's");
    CHECK_STR(tl_ml_100k_genres[18], "Western");
}

int main(void)
{
    test_ratings();
    test_ids_and_timestamps();
    test_titles();
    test_encodings();
    test_detection();
    return check_report("test_movielens");
}
