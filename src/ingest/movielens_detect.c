/* Which MovieLens layout a file has, from its first line. */
#include <stdio.h>
#include <string.h>

#include "towerlens/movielens.h"

static const tl_ml_layout layouts[] = {
    {TL_ML_UNKNOWN, TL_FILE_UNKNOWN, "unknown", ',', 0, 1, 0, 0, ""},
    {TL_ML_RATINGS_CSV, TL_FILE_RATINGS, "ratings.csv", ',', 0, 1, 1, 4, "userId,movieId,rating,timestamp"},
    {TL_ML_RATINGS_CSV_BARE, TL_FILE_RATINGS, "ratings.csv without a header", ',', 0, 1, 0, 4,
     "userId,movieId,rating,timestamp"},
    {TL_ML_MOVIES_CSV, TL_FILE_MOVIES, "movies.csv", ',', 0, 1, 1, 3, "movieId,title,genres"},
    {TL_ML_TAGS_CSV, TL_FILE_TAGS, "tags.csv", ',', 0, 1, 1, 4, "userId,movieId,tag,timestamp"},
    {TL_ML_LINKS_CSV, TL_FILE_LINKS, "links.csv", ',', 0, 1, 1, 3, "movieId,imdbId,tmdbId"},
    {TL_ML_RATINGS_100K, TL_FILE_RATINGS, "ml-100k u.data", '\t', 0, 0, 0, 4,
     "user id, item id, rating, timestamp (tab separated)"},
    {TL_ML_MOVIES_100K, TL_FILE_MOVIES, "ml-100k u.item", '|', 0, 0, 0, 24,
     "movie id|title|release date|video release date|IMDb URL|19 genre flags"},
    {TL_ML_RATINGS_1M, TL_FILE_RATINGS, "ml-1m ratings.dat", ':', 1, 0, 0, 4, "UserID::MovieID::Rating::Timestamp"},
    {TL_ML_MOVIES_1M, TL_FILE_MOVIES, "ml-1m movies.dat", ':', 1, 0, 0, 3, "MovieID::Title::Genres"},
    {TL_ML_TAGS_1M, TL_FILE_TAGS, "tags.dat", ':', 1, 0, 0, 4, "UserID::MovieID::Tag::Timestamp"},
    {TL_ML_IGNORED, TL_FILE_IGNORED, "unused MovieLens file", ',', 0, 0, 0, 0, ""},
    /* fields per line come from the header */
    {TL_ML_MAPPED_RATINGS, TL_FILE_RATINGS, "interactions CSV read by column names", ',', 0, 1, 1, 0, ""},
    {TL_ML_MAPPED_ITEMS, TL_FILE_MOVIES, "items CSV read by column names", ',', 0, 1, 1, 0, ""},
};

const tl_ml_layout *tl_ml_layout_of(tl_ml_format format)
{
    if ((unsigned)format >= sizeof layouts / sizeof layouts[0]) return &layouts[0];
    return &layouts[format];
}

const char *tl_file_kind_name(tl_file_kind kind)
{
    switch (kind) {
        case TL_FILE_RATINGS: return "ratings";
        case TL_FILE_MOVIES: return "movies";
        case TL_FILE_TAGS: return "tags";
        case TL_FILE_LINKS: return "links";
        case TL_FILE_IGNORED: return "unused";
        case TL_FILE_UNKNOWN: break;
    }
    return "unknown";
}

int tl_ml_binary(const uint8_t *p, size_t n, const char **what)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *what;
    } sigs[] = {
        {"\x89PNG", 4, "a PNG image"},
        {"\xFF\xD8\xFF", 3, "a JPEG image"},
        {"GIF8", 4, "a GIF image"},
        {"%PDF", 4, "a PDF document"},
        {"PK\x03\x04", 4, "a ZIP archive (unzip it and give the files inside)"},
        {"\x1F\x8B", 2, "a gzip archive (decompress it first)"},
        {"\xFD"
         "7zXZ",
         5, "an xz archive (decompress it first)"},
        {"7z\xBC\xAF", 4, "a 7-Zip archive (extract it first)"},
        {"\xD0\xCF\x11\xE0", 4, "an old Microsoft Office document (export it as CSV)"},
        {"\x7F"
         "ELF",
         4, "a program (ELF executable)"},
        {"\xFF\xFE", 2, "UTF-16 text (save it as UTF-8)"},
        {"\xFE\xFF", 2, "UTF-16 text (save it as UTF-8)"},
    };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (n >= sigs[i].len && memcmp(p, sigs[i].magic, sigs[i].len) == 0) {
            if (what) *what = sigs[i].what;
            return 1;
        }
    }
    if (memchr(p, 0, n)) {
        if (what) *what = "binary data (it contains NUL bytes)";
        return 1;
    }
    return 0;
}

/* Up to `max` fields split at `sep` (doubled when `dbl`), trimmed of spaces
 * and surrounding quotes; returns the number of fields (max+1 when more). */
typedef struct span {
    const char *s;
    size_t n;
} span;

static size_t split(const char *s, size_t n, char sep, int dbl, span *out, size_t max)
{
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        int at_sep = i < n && s[i] == sep && (!dbl || (i + 1 < n && s[i + 1] == sep));
        if (i == n || at_sep) {
            if (count == max) return max + 1;
            out[count].s = s + start;
            out[count].n = i - start;
            count++;
            if (dbl && at_sep) i++;
            start = i + 1;
        }
    }
    return count;
}

static span trim(span f)
{
    while (f.n && (f.s[0] == ' ' || f.s[0] == '"')) f.s++, f.n--;
    while (f.n && (f.s[f.n - 1] == ' ' || f.s[f.n - 1] == '"')) f.n--;
    return f;
}

static int eq_nocase(span f, const char *word)
{
    size_t n = strlen(word);
    if (f.n != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char a = f.s[i], b = word[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
        if (a != b) return 0;
    }
    return 1;
}

static int header_is(const span *f, size_t count, const char *const *names, size_t n_names)
{
    if (count != n_names) return 0;
    for (size_t i = 0; i < n_names; i++)
        if (!eq_nocase(trim(f[i]), names[i])) return 0;
    return 1;
}

static int is_u32(span f)
{
    uint32_t v;
    return tl_parse_u32(f.s, f.n, &v) == TL_NUM_OK;
}
static int is_ts(span f)
{
    int64_t v;
    return tl_parse_timestamp(f.s, f.n, &v) == TL_NUM_OK;
}
static int is_half(span f)
{
    uint8_t v;
    return tl_parse_half(f.s, f.n, &v) == TL_NUM_OK;
}
static int is_sex(span f) { return f.n == 1 && (f.s[0] == 'M' || f.s[0] == 'F'); }

static int starts_nocase(const char *s, size_t n, const char *word)
{
    size_t m = strlen(word);
    return n >= m && eq_nocase((span){s, m}, word);
}

static int contains_nocase(const char *s, size_t n, const char *word)
{
    size_t m = strlen(word);
    for (size_t i = 0; i + m <= n; i++)
        if (eq_nocase((span){s + i, m}, word)) return 1;
    return 0;
}

static tl_status found(tl_ml_format *out, const char **what, tl_ml_format f, const char *desc)
{
    *out = f;
    if (what) *what = desc;
    return TL_OK;
}

tl_status tl_ml_detect(const char *file, const uint8_t *line, size_t n, tl_ml_format *out, const char **what,
                       tl_error *err)
{
    static const char *const h_ratings[] = {"userId", "movieId", "rating", "timestamp"};
    static const char *const h_movies[] = {"movieId", "title", "genres"};
    static const char *const h_tags[] = {"userId", "movieId", "tag", "timestamp"};
    static const char *const h_links[] = {"movieId", "imdbId", "tmdbId"};
    static const char *const h_genome_scores[] = {"movieId", "tagId", "relevance"};
    static const char *const h_genome_tags[] = {"tagId", "tag"};
    const char *s = (const char *)line;
    const char *bin;
    span f[26];
    size_t k;

    *out = TL_ML_UNKNOWN;
    if (what) *what = NULL;
    if (tl_ml_binary(line, n, &bin))
        return tl_fail_at(err, TL_E_FORMAT, file, 0,
                          "this is %s, not a MovieLens text file; expected a ratings, movies, tags or links "
                          "file (CSV, ml-100k or ml-1m layout)",
                          bin);
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n')) n--;

    int has_tab = memchr(s, '\t', n) != NULL;
    int has_dcolon = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == ':' && s[i + 1] == ':') has_dcolon = 1;

    if (has_tab) {
        k = split(s, n, '\t', 0, f, 4);
        if (k == 4 && is_u32(f[0]) && is_u32(f[1]) && is_half(f[2]) && is_ts(f[3]))
            return found(out, what, TL_ML_RATINGS_100K, "ml-100k ratings (u.data)");
    }
    if (has_dcolon) {
        k = split(s, n, ':', 1, f, 5);
        if (k == 4 && is_u32(f[0]) && is_u32(f[1]) && is_half(f[2]) && is_ts(f[3]))
            return found(out, what, TL_ML_RATINGS_1M, "ml-1m ratings (ratings.dat)");
        if (k == 4 && is_u32(f[0]) && is_u32(f[1]) && is_ts(f[3]))
            return found(out, what, TL_ML_TAGS_1M, "ml-10m tags (tags.dat)");
        if (k == 3 && is_u32(f[0])) return found(out, what, TL_ML_MOVIES_1M, "ml-1m movies (movies.dat)");
        if (k == 5 && is_u32(f[0]) && is_sex(f[1])) return found(out, what, TL_ML_IGNORED, "ml-1m users (users.dat)");
    }
    if (memchr(s, '|', n)) {
        k = split(s, n, '|', 0, f, 25);
        if (k == 24 && is_u32(f[0])) return found(out, what, TL_ML_MOVIES_100K, "ml-100k movies (u.item)");
        if (k == 5 && is_u32(f[0]) && is_u32(f[1]) && is_sex(f[2]))
            return found(out, what, TL_ML_IGNORED, "ml-100k users (u.user)");
        if (k == 2 && is_u32(f[1])) return found(out, what, TL_ML_IGNORED, "ml-100k genre list (u.genre)");
    }
    if (!has_tab && !has_dcolon) {
        k = split(s, n, ',', 0, f, 5);
        if (header_is(f, k, h_ratings, 4)) return found(out, what, TL_ML_RATINGS_CSV, "ratings (ratings.csv)");
        if (header_is(f, k, h_movies, 3)) return found(out, what, TL_ML_MOVIES_CSV, "movies (movies.csv)");
        if (header_is(f, k, h_tags, 4)) return found(out, what, TL_ML_TAGS_CSV, "tags (tags.csv)");
        if (header_is(f, k, h_links, 3)) return found(out, what, TL_ML_LINKS_CSV, "links (links.csv)");
        if (header_is(f, k, h_genome_scores, 3))
            return found(out, what, TL_ML_IGNORED, "tag genome scores (genome-scores.csv)");
        if (header_is(f, k, h_genome_tags, 2))
            return found(out, what, TL_ML_IGNORED, "tag genome tags (genome-tags.csv)");
        if (k == 4 && is_u32(f[0]) && is_u32(f[1]) && is_half(f[2]) && is_ts(f[3]))
            return found(out, what, TL_ML_RATINGS_CSV_BARE, "ratings without a header line");
    }
    /* plain text that ships with MovieLens */
    if (starts_nocase(s, n, "summary") || contains_nocase(s, n, "movielens") || contains_nocase(s, n, "grouplens"))
        return found(out, what, TL_ML_IGNORED, "a MovieLens README");
    if (n >= 2 && s[0] == '#' && s[1] == '!') return found(out, what, TL_ML_IGNORED, "a script");
    k = split(s, n, ' ', 0, f, 3);
    if (k == 2 && is_u32(f[0]) && (eq_nocase(f[1], "users") || eq_nocase(f[1], "items") || eq_nocase(f[1], "ratings")))
        return found(out, what, TL_ML_IGNORED, "ml-100k counts (u.info)");
    if (eq_nocase((span){s, n}, "administrator"))
        return found(out, what, TL_ML_IGNORED, "ml-100k occupation list (u.occupation)");

    char shown[80];
    tl_ml_quote(shown, sizeof shown, s, n);
    return tl_fail_at(err, TL_E_FORMAT, file, 0,
                      "unrecognised file: the first line is %s; expected a MovieLens ratings "
                      "(userId,movieId,rating,timestamp), movies (movieId,title,genres), tags "
                      "(userId,movieId,tag,timestamp) or links (movieId,imdbId,tmdbId) CSV file with "
                      "that header, or ml-100k u.data/u.item, or ml-1m ratings.dat/movies.dat",
                      shown);
}
