/* towerlens generate: exact counts, MovieLens format, determinism, skew, and
 * a taste signal that simple scorers can learn. The files are written to
 * memory and read back with a small RFC 4180 parser of the test's own. */
#include <stdint.h>

#include "check.h"
#include "towerlens/buf.h"
#include "towerlens/dataset.h"
#include "towerlens/generate.h"
#include "towerlens/loader.h"

/* ---- generating into memory ---- */

typedef struct gen_files {
    tl_buf ratings, movies, tags, links;
    tl_generate_report rep;
} gen_files;

static int buf_sink(void *ctx, const void *data, size_t n)
{
    tl_buf *b = ctx;
    tl_buf_append(b, data, n);
    return b->failed ? -1 : 0;
}

static tl_status generate(uint32_t users, uint32_t movies, uint64_t ratings, uint64_t seed, int extras, gen_files *f,
                          tl_error *err)
{
    memset(f, 0, sizeof *f);
    tl_generate_options opt = {users, movies, ratings, seed};
    tl_generate_sinks s = {{buf_sink, &f->ratings}, {buf_sink, &f->movies}, {NULL, NULL}, {NULL, NULL}};
    if (extras) {
        s.tags = (tl_sink){buf_sink, &f->tags};
        s.links = (tl_sink){buf_sink, &f->links};
    }
    tl_error_clear(err);
    return tl_generate(&opt, &s, &f->rep, err);
}

static void files_free(gen_files *f)
{
    tl_buf_free(&f->ratings);
    tl_buf_free(&f->movies);
    tl_buf_free(&f->tags);
    tl_buf_free(&f->links);
}

static int same_bytes(const tl_buf *a, const tl_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* ---- a tiny RFC 4180 reader: rows of unquoted fields ---- */

typedef struct csv {
    size_t rows;    /* including the header */
    size_t *first;  /* index of a row's first field; first[rows] = n_fields */
    size_t *offset; /* byte offset of a row in the text; offset[rows] = length */
    char **field;
    uint8_t *quoted; /* the field was quoted in the file */
    size_t n_fields;
    int ok;
} csv;

static void csv_free(csv *c)
{
    for (size_t i = 0; i < c->n_fields; i++) free(c->field[i]);
    free(c->field);
    free(c->quoted);
    free(c->first);
    free(c->offset);
    memset(c, 0, sizeof *c);
}

static void csv_parse(const char *s, size_t n, csv *c)
{
    memset(c, 0, sizeof *c);
    size_t cap_f = 1024, cap_r = 256;
    c->field = malloc(cap_f * sizeof *c->field);
    c->quoted = malloc(cap_f);
    c->first = malloc((cap_r + 1) * sizeof *c->first);
    c->offset = malloc((cap_r + 1) * sizeof *c->offset);
    char *tmp = malloc(n + 1);
    size_t i = 0;
    c->ok = 1;
    while (i < n && c->ok) {
        if (c->rows == cap_r) {
            cap_r *= 2;
            c->first = realloc(c->first, (cap_r + 1) * sizeof *c->first);
            c->offset = realloc(c->offset, (cap_r + 1) * sizeof *c->offset);
        }
        c->first[c->rows] = c->n_fields;
        c->offset[c->rows++] = i;
        for (;;) { /* one field */
            size_t len = 0;
            int q = 0;
            if (s[i] == '"') {
                q = 1;
                i++;
                for (;;) {
                    if (i >= n) {
                        c->ok = 0; /* unterminated quote */
                        break;
                    }
                    if (s[i] == '"') {
                        if (i + 1 < n && s[i + 1] == '"') {
                            tmp[len++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    tmp[len++] = s[i++];
                }
            } else {
                while (i < n && s[i] != ',' && s[i] != '\n') {
                    if (s[i] == '"' || s[i] == '\r') c->ok = 0; /* stray quote, CR */
                    tmp[len++] = s[i++];
                }
            }
            if (c->n_fields == cap_f) {
                cap_f *= 2;
                c->field = realloc(c->field, cap_f * sizeof *c->field);
                c->quoted = realloc(c->quoted, cap_f);
            }
            c->field[c->n_fields] = malloc(len + 1);
            memcpy(c->field[c->n_fields], tmp, len);
            c->field[c->n_fields][len] = '\0';
            c->quoted[c->n_fields++] = (uint8_t)q;
            if (i < n && s[i] == ',') {
                i++;
                continue;
            }
            if (i < n && s[i] == '\n') {
                i++;
                break;
            }
            if (i >= n) {
                c->ok = 0; /* the generator always ends with a newline */
                break;
            }
            c->ok = 0; /* text after a closing quote */
            break;
        }
    }
    c->first[c->rows] = c->n_fields;
    c->offset[c->rows] = n;
    free(tmp);
}

static size_t csv_width(const csv *c, size_t row) { return c->first[row + 1] - c->first[row]; }
static const char *csv_get(const csv *c, size_t row, size_t col) { return c->field[c->first[row] + col]; }

static uint64_t to_u64(const char *s)
{
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return UINT64_MAX;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

/* "4.0" -> 8 half stars; 0 when not d.0 / d.5 within 0.5..5.0 */
static int half_stars(const char *s)
{
    if (strlen(s) != 3 || s[1] != '.' || s[0] < '0' || s[0] > '5' || (s[2] != '0' && s[2] != '5')) return 0;
    int h = 2 * (s[0] - '0') + (s[2] == '5');
    return h >= 1 && h <= 10 ? h : 0;
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int extra = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ? 2 : (*p >> 3) == 30 ? 3 : -1;
        if (extra < 0) return 0;
        p++;
        for (int k = 0; k < extra; k++, p++)
            if ((*p & 0xC0) != 0x80) return 0;
    }
    return 1;
}

/* ---- the parsed data set ---- */

typedef struct rating_row {
    uint32_t user, movie; /* user: dense 0..N-1; movie: dense index into movies.csv order */
    uint32_t half, time;
} rating_row;

typedef struct dataset {
    uint32_t n_users, n_movies;
    size_t n;
    rating_row *r;
    uint32_t *movie_id; /* dense -> movieId (ascending in movies.csv) */
    uint32_t *genres;   /* bit mask over the 20 labels */
    int *year;          /* from " (YYYY)" at the end of the title, 0 when none */
} dataset;

static const char *const genre_labels[20] = {"Action", "Adventure",   "Animation", "Children", "Comedy",
                                             "Crime",  "Documentary", "Drama",     "Fantasy",  "Film-Noir",
                                             "Horror", "IMAX",        "Musical",   "Mystery",  "Romance",
                                             "Sci-Fi", "Thriller",    "War",       "Western",  "(no genres listed)"};

static uint32_t movie_index(const dataset *d, uint32_t id)
{
    uint32_t lo = 0, hi = d->n_movies;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (d->movie_id[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < d->n_movies && d->movie_id[lo] == id ? lo : UINT32_MAX;
}

static void dataset_free(dataset *d)
{
    free(d->r);
    free(d->movie_id);
    free(d->genres);
    free(d->year);
    memset(d, 0, sizeof *d);
}

/* Parses and checks format facts; returns 0 when the files could not be read. */
static int read_dataset(const gen_files *f, uint32_t users, dataset *d)
{
    memset(d, 0, sizeof *d);
    csv m, r;
    csv_parse(f->movies.data, f->movies.len, &m);
    csv_parse(f->ratings.data, f->ratings.len, &r);
    CHECK(m.ok);
    CHECK(r.ok);
    if (!m.ok || !r.ok || m.rows < 2 || r.rows < 2) {
        csv_free(&m);
        csv_free(&r);
        return 0;
    }
    CHECK_STR(csv_get(&m, 0, 0), "movieId");
    CHECK_STR(csv_get(&m, 0, 1), "title");
    CHECK_STR(csv_get(&m, 0, 2), "genres");
    CHECK_STR(csv_get(&r, 0, 0), "userId");
    CHECK_STR(csv_get(&r, 0, 3), "timestamp");

    d->n_users = users;
    d->n_movies = (uint32_t)(m.rows - 1);
    d->movie_id = calloc(d->n_movies, sizeof *d->movie_id);
    d->genres = calloc(d->n_movies, sizeof *d->genres);
    d->year = calloc(d->n_movies, sizeof *d->year);
    int ids_ascending = 1, genres_ok = 1, utf8_ok = 1, roundtrip_ok = 1;
    tl_buf line;
    tl_buf_init(&line);
    for (uint32_t i = 0; i < d->n_movies; i++) {
        size_t row = i + 1;
        CHECK_INT(csv_width(&m, row), 3);
        uint64_t id = to_u64(csv_get(&m, row, 0));
        d->movie_id[i] = (uint32_t)id;
        if (id == 0 || id > UINT32_MAX || (i && d->movie_id[i] <= d->movie_id[i - 1])) ids_ascending = 0;
        const char *title = csv_get(&m, row, 1);
        utf8_ok &= valid_utf8(title) && *title;
        size_t tl = strlen(title);
        if (tl >= 7 && title[tl - 1] == ')' && title[tl - 6] == '(') d->year[i] = atoi(title + tl - 5);
        /* genres: known labels, alphabetical, "(no genres listed)" alone */
        char gbuf[512];
        snprintf(gbuf, sizeof gbuf, "%s", csv_get(&m, row, 2));
        int last = -1;
        for (char *tok = strtok(gbuf, "|"); tok; tok = strtok(NULL, "|")) {
            int g = -1;
            for (int k = 0; k < 20; k++)
                if (!strcmp(tok, genre_labels[k])) g = k;
            if (g <= last) genres_ok = 0;
            if (g >= 0) d->genres[i] |= 1u << g;
            last = g;
        }
        if (!d->genres[i] || ((d->genres[i] & (1u << 19)) && d->genres[i] != (1u << 19))) genres_ok = 0;
        /* quoting round trip: re-encoding the parsed fields gives the line */
        tl_buf_reset(&line);
        tl_buf_printf(&line, "%s,", csv_get(&m, row, 0));
        if (strpbrk(title, ",\"")) {
            tl_buf_puts(&line, "\"");
            for (const char *p = title; *p; p++) {
                if (*p == '"') tl_buf_puts(&line, "\""); /* doubled */
                tl_buf_append(&line, p, 1);
            }
            tl_buf_puts(&line, "\"");
        } else {
            tl_buf_puts(&line, title);
        }
        tl_buf_printf(&line, ",%s\n", csv_get(&m, row, 2));
        size_t raw_len = m.offset[row + 1] - m.offset[row];
        if (line.len != raw_len || memcmp(line.data, f->movies.data + m.offset[row], raw_len)) roundtrip_ok = 0;
    }
    tl_buf_free(&line);
    CHECK(ids_ascending);
    CHECK(genres_ok);
    CHECK(utf8_ok);
    CHECK(roundtrip_ok);

    d->n = r.rows - 1;
    d->r = calloc(d->n, sizeof *d->r);
    int fields_ok = 1, values_ok = 1, users_ok = 1, movies_ok = 1, quoted = 0;
    for (size_t i = 0; i < d->n; i++) {
        size_t row = i + 1;
        if (csv_width(&r, row) != 4) {
            fields_ok = 0;
            continue;
        }
        for (int k = 0; k < 4; k++) quoted |= r.quoted[r.first[row] + k];
        uint64_t u = to_u64(csv_get(&r, row, 0)), id = to_u64(csv_get(&r, row, 1));
        uint64_t t = to_u64(csv_get(&r, row, 3));
        int h = half_stars(csv_get(&r, row, 2));
        if (u < 1 || u > users) users_ok = 0;
        uint32_t mi = id > UINT32_MAX ? UINT32_MAX : movie_index(d, (uint32_t)id);
        if (mi == UINT32_MAX) movies_ok = 0;
        if (!h || t < 820454400u || t > 1704067199u) values_ok = 0;
        d->r[i] = (rating_row){(uint32_t)(u - 1), mi == UINT32_MAX ? 0 : mi, (uint32_t)h, (uint32_t)t};
    }
    CHECK(fields_ok);
    CHECK(!quoted);
    CHECK(users_ok);
    CHECK(movies_ok);
    CHECK(values_ok);
    csv_free(&m);
    csv_free(&r);
    return fields_ok && users_ok && movies_ok;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- tests ---- */

static void test_options(void)
{
    tl_generate_options opt;
    tl_error err;
    tl_generate_options_default(&opt);
    CHECK_INT(opt.users, 600);
    CHECK_INT(opt.movies, 3000);
    CHECK_INT(opt.ratings, 50000);
    CHECK_INT(tl_generate_check(&opt, &err), TL_OK);

    opt = (tl_generate_options){20, 20, 401, 1};
    CHECK_INT(tl_generate_check(&opt, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "--ratings 401 is more than --users x --movies = 400");
    opt = (tl_generate_options){20, 20, 19, 1};
    CHECK_INT(tl_generate_check(&opt, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "every user needs at least one rating");
    opt = (tl_generate_options){0, 20, 19, 1};
    CHECK_INT(tl_generate_check(&opt, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "--users must be at least 1");
    opt = (tl_generate_options){5, 0, 19, 1};
    CHECK_INT(tl_generate_check(&opt, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "--movies must be at least 1");
    opt = (tl_generate_options){TL_GEN_MAX_USERS + 1, 10, 1ull << 40, 1};
    CHECK_INT(tl_generate_check(&opt, &err), TL_E_LIMIT);
    CHECK_CONTAINS(err.message, "--users");
    opt = (tl_generate_options){4000000, 4000, 5000000000ull, 1};
    CHECK_INT(tl_generate_check(&opt, &err), TL_E_LIMIT);
    CHECK_CONTAINS(err.message, "--ratings 5000000000 is over the limit");

    /* missing sinks and failing sinks are errors, not crashes */
    tl_generate_options ok = {10, 10, 50, 3};
    tl_generate_sinks none = {{NULL, NULL}, {NULL, NULL}, {NULL, NULL}, {NULL, NULL}};
    CHECK_INT(tl_generate(&ok, &none, NULL, &err), TL_E_ARG);
    tl_buf b;
    tl_buf_init(&b);
    tl_generate_sinks failing = {{buf_sink, &b}, {buf_sink, &b}, {NULL, NULL}, {NULL, NULL}};
    b.failed = 1; /* every append fails */
    CHECK_INT(tl_generate(&ok, &failing, NULL, &err), TL_E_IO);
    CHECK_CONTAINS(err.message, "movies.csv: writing failed");
    tl_buf_free(&b);
}

static void test_determinism(void)
{
    gen_files a, b, c, plain;
    tl_error err;
    CHECK_INT(generate(600, 3000, 50000, 1, 1, &a, &err), TL_OK);
    CHECK_INT(generate(600, 3000, 50000, 1, 1, &b, &err), TL_OK);
    CHECK_INT(generate(600, 3000, 50000, 2, 1, &c, &err), TL_OK);
    CHECK_INT(generate(600, 3000, 50000, 1, 0, &plain, &err), TL_OK);
    CHECK(same_bytes(&a.ratings, &b.ratings));
    CHECK(same_bytes(&a.movies, &b.movies));
    CHECK(same_bytes(&a.tags, &b.tags));
    CHECK(same_bytes(&a.links, &b.links));
    CHECK(!same_bytes(&a.ratings, &c.ratings));
    CHECK(!same_bytes(&a.movies, &c.movies));
    /* tags and links draw from their own streams: ratings do not change */
    CHECK(same_bytes(&a.ratings, &plain.ratings));
    CHECK(same_bytes(&a.movies, &plain.movies));
    CHECK_INT(plain.tags.len, 0);
    CHECK_INT(a.rep.bytes_ratings, a.ratings.len);
    CHECK_INT(a.rep.bytes_tags, a.tags.len);

    /* the committed demo set is exactly what this core generates */
    const char *src = getenv("TL_SOURCE_DIR");
    const char *names[4] = {"ratings.csv", "movies.csv", "tags.csv", "links.csv"};
    const tl_buf *bufs[4] = {&a.ratings, &a.movies, &a.tags, &a.links};
    for (int k = 0; k < 4; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/data/demo/%s", src ? src : ".", names[k]);
        FILE *fp = fopen(path, "rb");
        CHECK(fp != NULL);
        if (!fp) continue;
        tl_buf file;
        tl_buf_init(&file);
        char chunk[65536];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) tl_buf_append(&file, chunk, got);
        fclose(fp);
        if (!same_bytes(&file, bufs[k]))
            fprintf(stderr, "data/demo/%s differs from the generator's output\n", names[k]);
        CHECK(same_bytes(&file, bufs[k]));
        tl_buf_free(&file);
    }
    files_free(&a);
    files_free(&b);
    files_free(&c);
    files_free(&plain);
}

static void test_demo_structure(void)
{
    gen_files f;
    tl_error err;
    dataset d;
    CHECK_INT(generate(600, 3000, 50000, 1, 1, &f, &err), TL_OK);
    if (!read_dataset(&f, 600, &d)) {
        files_free(&f);
        return;
    }
    /* exact counts */
    CHECK_INT(d.n, 50000);
    CHECK_INT(d.n_movies, 3000);
    CHECK_INT(f.rep.ratings, 50000);
    uint32_t *per_user = calloc(d.n_users, sizeof *per_user), *per_movie = calloc(d.n_movies, sizeof *per_movie);
    uint32_t hist[11] = {0};
    for (size_t i = 0; i < d.n; i++) {
        per_user[d.r[i].user]++;
        per_movie[d.r[i].movie]++;
        hist[d.r[i].half]++;
    }
    uint32_t users_seen = 0, min_u = UINT32_MAX, rated = 0;
    for (uint32_t u = 0; u < d.n_users; u++) {
        users_seen += per_user[u] > 0;
        if (per_user[u] < min_u) min_u = per_user[u];
    }
    for (uint32_t m = 0; m < d.n_movies; m++) rated += per_movie[m] > 0;
    CHECK_INT(users_seen, 600);
    CHECK(min_u >= 20); /* MovieLens's floor */
    CHECK_INT(f.rep.min_user_ratings, min_u);
    CHECK_INT(f.rep.rated_movies, rated);

    /* movie ids have gaps (and a jump past 100000, like recent MovieLens ids) */
    CHECK(d.movie_id[d.n_movies - 1] > 100000);
    CHECK_INT(f.rep.max_movie_id, d.movie_id[d.n_movies - 1]);

    /* rows sorted by (user, movie) like MovieLens, so duplicates are adjacent */
    int sorted = 1, dup = 0, before_release = 0;
    for (size_t i = 1; i < d.n; i++) {
        const rating_row *p = &d.r[i - 1], *q = &d.r[i];
        if (q->user < p->user || (q->user == p->user && q->movie < p->movie)) sorted = 0;
        if (q->user == p->user && q->movie == p->movie) dup++;
    }
    for (size_t i = 0; i < d.n; i++) {
        int year = d.year[d.r[i].movie];
        /* 31556952 s per Gregorian year; a rating never precedes the film's year */
        if (year >= 1970 && (int64_t)d.r[i].time < (int64_t)(year - 1970) * 31556952 - 86400) before_release++;
    }
    CHECK(sorted);
    CHECK_INT(dup, 0);
    CHECK_INT(before_release, 0);

    /* popularity: top 10% of movies hold > 40% of ratings (MovieLens: 60%) */
    uint32_t *sorted_counts = malloc(d.n_movies * sizeof *sorted_counts);
    memcpy(sorted_counts, per_movie, d.n_movies * sizeof *sorted_counts);
    qsort(sorted_counts, d.n_movies, sizeof *sorted_counts, cmp_u32);
    uint64_t top = 0;
    for (uint32_t k = 0; k < d.n_movies / 10; k++) top += sorted_counts[d.n_movies - 1 - k];
    double top_share = (double)top / (double)d.n;
    printf("top 10%% of movies hold %.1f%% of ratings; most-rated movie %u; %u of %u movies rated\n", 100.0 * top_share,
           sorted_counts[d.n_movies - 1], rated, d.n_movies);
    CHECK(top_share > 0.40);
    CHECK(top_share < 0.80);
    /* activity: heavy-tailed (MovieLens: median 71, max 2698 of 610 users) */
    memcpy(sorted_counts, per_user, d.n_users * sizeof *sorted_counts);
    qsort(sorted_counts, d.n_users, sizeof *sorted_counts, cmp_u32);
    uint32_t median = sorted_counts[d.n_users / 2], max_u = sorted_counts[d.n_users - 1];
    printf("ratings per user: min %u, median %u, max %u\n", min_u, median, max_u);
    CHECK(max_u >= 8 * median);
    CHECK(max_u <= d.n_movies / 2);
    free(sorted_counts);

    /* ratings: half stars used, 4.0 and 3.0 the two most common values */
    printf("rating histogram (%%):");
    for (int h = 1; h <= 10; h++) printf(" %.1f:%.1f", h * 0.5, 100.0 * hist[h] / (double)d.n);
    printf("\n");
    for (int h = 1; h <= 10; h++)
        if (h != 6 && h != 8) CHECK(hist[h] < hist[6] && hist[h] < hist[8]);
    CHECK(hist[1] > 0);
    CHECK(hist[7] > d.n / 20);
    uint64_t sum = 0;
    for (int h = 1; h <= 10; h++) sum += (uint64_t)h * hist[h];
    double mean = 0.5 * (double)sum / (double)d.n;
    CHECK(mean > 3.3 && mean < 3.7);

    /* genres: all 20 MovieLens labels occur */
    uint32_t all = 0;
    for (uint32_t m = 0; m < d.n_movies; m++) all |= d.genres[m];
    CHECK_INT(all, (1u << 20) - 1);

    /* titles: the awkward cases a reader must handle */
    int commas = 0, quotes = 0, non_ascii = 0, cjk = 0, no_year = 0;
    csv m;
    csv_parse(f.movies.data, f.movies.len, &m);
    for (size_t row = 1; row < m.rows; row++) {
        const char *t = csv_get(&m, row, 1);
        commas += strchr(t, ',') != NULL;
        quotes += strchr(t, '"') != NULL;
        int hi = 0;
        for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
            hi |= *p >= 0x80;
            cjk |= *p == 0xE6 || *p == 0xE7 || *p == 0xE8 || *p == 0xE9; /* common CJK ideographs */
        }
        non_ascii += hi;
        no_year += d.year[row - 1] == 0;
    }
    printf("titles: %d with commas, %d with quotes, %d non-ASCII, %d without a plain year\n", commas, quotes, non_ascii,
           no_year);
    CHECK(commas > 100);
    CHECK(quotes > 20);
    CHECK(non_ascii > 100);
    CHECK(cjk);
    CHECK(no_year > 0 && no_year < 100);
    csv_free(&m);

    /* tags: only on movies the user rated; links: one row per movie */
    csv t, l;
    csv_parse(f.tags.data, f.tags.len, &t);
    csv_parse(f.links.data, f.links.len, &l);
    CHECK(t.ok);
    CHECK(l.ok);
    CHECK_STR(csv_get(&t, 0, 2), "tag");
    CHECK(t.rows > 500);
    CHECK_INT(f.rep.tags, t.rows - 1);
    int tags_ok = 1;
    for (size_t row = 1; row < t.rows; row++) {
        uint32_t u = (uint32_t)to_u64(csv_get(&t, row, 0)), mi = movie_index(&d, (uint32_t)to_u64(csv_get(&t, row, 1)));
        int found = 0;
        for (size_t i = 0; i < d.n && !found; i++) found = d.r[i].user == u - 1 && d.r[i].movie == mi;
        if (!found || !*csv_get(&t, row, 2)) tags_ok = 0;
        if (row > 40) break; /* a sample: the search is linear */
    }
    CHECK(tags_ok);
    CHECK_INT(l.rows - 1, d.n_movies);
    CHECK_STR(csv_get(&l, 0, 1), "imdbId");
    int links_ok = 1;
    for (size_t row = 1; row < l.rows; row++) {
        if (to_u64(csv_get(&l, row, 0)) != d.movie_id[row - 1]) links_ok = 0;
        if (strlen(csv_get(&l, row, 1)) < 7) links_ok = 0;
    }
    CHECK(links_ok);
    csv_free(&t);
    csv_free(&l);

    free(per_user);
    free(per_movie);
    dataset_free(&d);
    files_free(&f);
}

/* Extreme shapes: one rating per user, every pair rated, one movie. */
static void test_edge_shapes(void)
{
    struct {
        uint32_t u, m;
        uint64_t r;
    } shapes[] = {{50, 40, 50}, {7, 5, 35}, {30, 1, 30}, {1, 200, 150}, {300, 60, 9000}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        gen_files f;
        tl_error err;
        dataset d;
        CHECK_INT(generate(shapes[s].u, shapes[s].m, shapes[s].r, 5, 1, &f, &err), TL_OK);
        if (read_dataset(&f, shapes[s].u, &d)) {
            CHECK_INT(d.n, shapes[s].r);
            CHECK_INT(d.n_movies, shapes[s].m);
            uint32_t *per_user = calloc(d.n_users, sizeof *per_user);
            int dup = 0;
            for (size_t i = 0; i < d.n; i++) {
                per_user[d.r[i].user]++;
                if (i && d.r[i].user == d.r[i - 1].user && d.r[i].movie == d.r[i - 1].movie) dup++;
            }
            uint32_t min_u = UINT32_MAX, max_u = 0;
            for (uint32_t u = 0; u < d.n_users; u++) {
                if (per_user[u] < min_u) min_u = per_user[u];
                if (per_user[u] > max_u) max_u = per_user[u];
            }
            CHECK(min_u >= 1);
            CHECK(max_u <= shapes[s].m);
            CHECK_INT(dup, 0);
            free(per_user);
            dataset_free(&d);
        }
        files_free(&f);
    }
}

/* ---- the hidden taste is learnable without the trainer ----
 * Each user's ratings in time order: the first 80% train, the rest test.
 * Recall@20 over unseen movies (relevant = the user's test movies) for
 * popularity, a genre-affinity scorer and item co-occurrence (cosine). */

typedef struct split_user {
    uint32_t *train, n_train, *test, n_test;
} split_user;

static int cmp_time(const void *a, const void *b)
{
    const rating_row *x = a, *y = b;
    return x->time < y->time ? -1 : x->time > y->time ? 1 : (x->movie < y->movie ? -1 : x->movie > y->movie);
}

static double recall_at_20(const double *score, const uint8_t *seen, const split_user *su, uint32_t n_movies,
                           uint8_t *relevant)
{
    uint32_t top[20];
    uint32_t k = 0;
    for (uint32_t m = 0; m < n_movies; m++) {
        if (seen[m]) continue;
        /* insert into the top list (ties: lower index first) */
        uint32_t pos = k < 20 ? k : 20;
        while (pos > 0 && score[top[pos - 1]] < score[m]) pos--;
        if (pos >= 20) continue;
        if (k < 20) k++;
        for (uint32_t j = k - 1; j > pos; j--) top[j] = top[j - 1];
        top[pos] = m;
    }
    for (uint32_t j = 0; j < su->n_test; j++) relevant[su->test[j]] = 1;
    uint32_t hits = 0;
    for (uint32_t j = 0; j < k; j++) hits += relevant[top[j]];
    for (uint32_t j = 0; j < su->n_test; j++) relevant[su->test[j]] = 0;
    return (double)hits / (double)(su->n_test < 20 ? su->n_test : 20);
}

static void test_taste_is_learnable(void)
{
    gen_files f;
    tl_error err;
    dataset d;
    CHECK_INT(generate(600, 3000, 50000, 1, 0, &f, &err), TL_OK);
    if (!read_dataset(&f, 600, &d)) {
        files_free(&f);
        return;
    }
    const uint32_t nm = d.n_movies, nu = d.n_users;
    /* rows are grouped by user: split each group by time */
    split_user *su = calloc(nu, sizeof *su);
    uint32_t *store = malloc(d.n * sizeof *store);
    size_t used = 0;
    for (size_t i = 0; i < d.n;) {
        size_t j = i;
        while (j < d.n && d.r[j].user == d.r[i].user) j++;
        qsort(d.r + i, j - i, sizeof *d.r, cmp_time);
        uint32_t n = (uint32_t)(j - i), n_train = (uint32_t)((n * 4 + 4) / 5);
        split_user *s = &su[d.r[i].user];
        s->train = store + used;
        s->n_train = n_train;
        s->test = store + used + n_train;
        s->n_test = n - n_train;
        for (uint32_t k = 0; k < n; k++) store[used + k] = d.r[i + k].movie;
        used += n;
        i = j;
    }
    double *pop = calloc(nm, sizeof *pop);
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t k = 0; k < su[u].n_train; k++) pop[su[u].train[k]] += 1.0;
    /* co-occurrence counts over train rows */
    uint16_t *co = calloc((size_t)nm * nm, sizeof *co);
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t a = 0; a < su[u].n_train; a++)
            for (uint32_t b = 0; b < su[u].n_train; b++)
                if (a != b) co[(size_t)su[u].train[a] * nm + su[u].train[b]]++;

    double *score = malloc(nm * sizeof *score), *inv_norm = malloc(nm * sizeof *inv_norm);
    for (uint32_t m = 0; m < nm; m++) inv_norm[m] = pop[m] > 0 ? 1.0 / sqrt(pop[m]) : 0.0;
    uint8_t *seen = calloc(nm, 1), *relevant = calloc(nm, 1);
    double r_pop = 0, r_genre = 0, r_co = 0;
    uint32_t n_eval = 0;
    for (uint32_t u = 0; u < nu; u++) {
        const split_user *s = &su[u];
        if (!s->n_test) continue;
        n_eval++;
        for (uint32_t k = 0; k < s->n_train; k++) seen[s->train[k]] = 1;
        r_pop += recall_at_20(pop, seen, s, nm, relevant);

        /* genre affinity: share of the user's train movies with each genre,
         * averaged over a movie's genres, times popularity */
        double share[20] = {0};
        for (uint32_t k = 0; k < s->n_train; k++)
            for (int g = 0; g < 20; g++)
                if (d.genres[s->train[k]] & (1u << g)) share[g] += 1.0 / s->n_train;
        for (uint32_t m = 0; m < nm; m++) {
            double a = 0;
            int ng = 0;
            for (int g = 0; g < 20; g++)
                if (d.genres[m] & (1u << g)) a += share[g], ng++;
            score[m] = (1.0 + pop[m]) * (0.02 + a / (ng ? ng : 1));
        }
        r_genre += recall_at_20(score, seen, s, nm, relevant);

        /* item co-occurrence, cosine-normalised */
        memset(score, 0, nm * sizeof *score);
        for (uint32_t k = 0; k < s->n_train; k++) {
            const uint16_t *row = co + (size_t)s->train[k] * nm;
            double w = inv_norm[s->train[k]];
            for (uint32_t m = 0; m < nm; m++) score[m] += w * row[m];
        }
        for (uint32_t m = 0; m < nm; m++) score[m] *= inv_norm[m];
        r_co += recall_at_20(score, seen, s, nm, relevant);
        for (uint32_t k = 0; k < s->n_train; k++) seen[s->train[k]] = 0;
    }
    r_pop /= n_eval;
    r_genre /= n_eval;
    r_co /= n_eval;
    printf("Recall@20 on the last 20%% of each user's ratings (%u users): popularity %.4f, "
           "genre affinity %.4f (x%.2f), item co-occurrence %.4f (x%.2f)\n",
           n_eval, r_pop, r_genre, r_genre / r_pop, r_co, r_co / r_pop);
    CHECK(r_pop > 0.05);
    CHECK(r_genre > 1.15 * r_pop);
    CHECK(r_co > 1.4 * r_pop);

    free(score);
    free(inv_norm);
    free(seen);
    free(relevant);
    free(co);
    free(pop);
    free(store);
    free(su);
    dataset_free(&d);
    files_free(&f);
}

/* The project's own streaming loader reads the generated files, fed in odd
 * chunk sizes, without a warning, and agrees with this test's parser. */
static void test_loader_reads_it(void)
{
    gen_files f;
    tl_error err;
    dataset d;
    CHECK_INT(generate(600, 3000, 50000, 1, 1, &f, &err), TL_OK);
    if (!read_dataset(&f, 600, &d)) {
        files_free(&f);
        return;
    }
    tl_loader *ld = tl_loader_new();
    CHECK(ld != NULL);
    if (!ld) return;
    const char *names[4] = {"movies.csv", "links.csv", "tags.csv", "ratings.csv"};
    const tl_buf *bufs[4] = {&f.movies, &f.links, &f.tags, &f.ratings};
    const tl_file_kind kinds[4] = {TL_FILE_MOVIES, TL_FILE_LINKS, TL_FILE_TAGS, TL_FILE_RATINGS};
    int fed = 1;
    for (int k = 0; k < 4 && fed; k++) {
        tl_file_kind kind = TL_FILE_UNKNOWN;
        fed = tl_loader_begin(ld, names[k], &err) == TL_OK;
        for (size_t at = 0; fed && at < bufs[k]->len; at += 4093) {
            size_t n = bufs[k]->len - at < 4093 ? bufs[k]->len - at : 4093;
            fed = tl_loader_feed(ld, (const uint8_t *)bufs[k]->data + at, n, &err) == TL_OK;
        }
        fed = fed && tl_loader_end(ld, &kind, &err) == TL_OK;
        CHECK_INT(kind, kinds[k]);
    }
    if (!fed) fprintf(stderr, "loader: %s\n", err.message);
    CHECK(fed);
    tl_dataset *ds = NULL;
    CHECK_INT(tl_loader_finish(ld, &ds, &err), TL_OK);
    tl_loader_free(ld);
    if (!ds) {
        dataset_free(&d);
        files_free(&f);
        return;
    }
    CHECK_INT(ds->n_ratings, 50000);
    CHECK_INT(ds->n_users, 600);
    CHECK_INT(ds->n_movies, 3000);
    CHECK_INT(ds->n_catalogue, 3000);
    CHECK_INT(ds->n_rated_movies, f.rep.rated_movies);
    CHECK_INT(ds->n_genres, 20);
    CHECK_INT(ds->n_tags, f.rep.tags);
    CHECK_INT(ds->n_warnings, 0);
    uint32_t hist[11] = {0};
    for (size_t i = 0; i < d.n; i++) hist[d.r[i].half]++;
    for (int h = 1; h <= 10; h++) CHECK_INT(ds->rating_hist[h], hist[h]);

    /* titles and years: "Title (1994)" -> "Title", 1994 */
    csv m;
    csv_parse(f.movies.data, f.movies.len, &m);
    int titles_ok = 1, years_ok = 1, ids_ok = 1, links_ok = 1;
    for (uint32_t i = 0; i < ds->n_movies && i + 1 < m.rows; i++) {
        const char *raw = csv_get(&m, i + 1, 1);
        size_t len = strlen(raw);
        if (ds->movies[i].id != d.movie_id[i]) ids_ok = 0;
        if (ds->movies[i].imdb_id == 0) links_ok = 0;
        if (d.year[i]) {
            if (ds->movies[i].year != d.year[i]) years_ok = 0;
            if (strlen(tl_movie_title(ds, i)) != len - 7 || strncmp(tl_movie_title(ds, i), raw, len - 7)) titles_ok = 0;
        }
    }
    csv_free(&m);
    CHECK(ids_ok);
    CHECK(links_ok);
    CHECK(years_ok);
    CHECK(titles_ok);
    tl_dataset_free(ds);
    dataset_free(&d);
    files_free(&f);
}

int main(void)
{
    test_options();
    test_determinism();
    test_demo_structure();
    test_edge_shapes();
    test_loader_reads_it();
    test_taste_is_learnable();
    return check_report("test_generate");
}
