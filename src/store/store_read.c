/* Reading the model file: every size is checked against the bytes that
 * remain before anything is allocated, every index against its table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

typedef struct cursor {
    const uint8_t *p;
    size_t left;
    const char *name; /* file name for messages */
    const char *what; /* section being read */
    tl_error *err;
    int failed;
} cursor;

static int truncated(cursor *c)
{
    if (!c->failed)
        tl_fail_at(c->err, TL_E_CORRUPT, c->name, 0, "corrupt model file: the %s section ends early", c->what);
    c->failed = 1;
    return 0;
}

static int take(cursor *c, void *dst, size_t n)
{
    if (c->failed) return 0;
    if (n > c->left) return truncated(c);
    if (dst) memcpy(dst, c->p, n);
    c->p += n;
    c->left -= n;
    return 1;
}

static uint32_t get_u32(cursor *c)
{
    uint8_t b[4] = {0, 0, 0, 0};
    take(c, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(cursor *c)
{
    uint64_t lo = get_u32(c);
    return lo | (uint64_t)get_u32(c) << 32;
}

static uint8_t get_u8(cursor *c)
{
    uint8_t v = 0;
    take(c, &v, 1);
    return v;
}

static int bad(cursor *c, const char *why)
{
    if (!c->failed) tl_fail_at(c->err, TL_E_CORRUPT, c->name, 0, "corrupt model file: %s (%s section)", why, c->what);
    c->failed = 1;
    return 0;
}

/* Room for `count` items of `size` bytes in what remains (overflow-safe). */
static int fits(cursor *c, uint64_t count, uint64_t size)
{
    if (c->failed) return 0;
    if (size && count > c->left / size) return truncated(c);
    return 1;
}

static void *alloc_items(cursor *c, uint64_t count, size_t size)
{
    if (c->failed) return NULL;
    if (count > SIZE_MAX / size - 1) {
        bad(c, "a table too large for this machine");
        return NULL;
    }
    void *p = calloc((size_t)count + 1, size);
    if (!p) {
        tl_fail_at(c->err, TL_E_NOMEM, c->name, 0, "out of memory reading the model file (%s section)", c->what);
        c->failed = 1;
    }
    return p;
}

static int get_name(cursor *c, char *dst, size_t cap)
{
    uint8_t n = get_u8(c);
    if (c->failed) return 0;
    if ((size_t)n >= cap) return bad(c, "a name is too long");
    if (!take(c, dst, n)) return 0;
    dst[n] = '\0';
    return 1;
}

static int read_users(cursor *c, tl_dataset *ds)
{
    c->what = "users";
    uint32_t n = get_u32(c);
    if (!fits(c, n, 8)) return 0;
    ds->user_ids = alloc_items(c, n, sizeof *ds->user_ids);
    ds->user_counts = alloc_items(c, n, sizeof *ds->user_counts);
    if (c->failed) return 0;
    ds->n_users = n;
    for (uint32_t u = 0; u < n; u++) {
        ds->user_ids[u] = get_u32(c);
        if (u && ds->user_ids[u] <= ds->user_ids[u - 1]) return bad(c, "user ids are not ascending");
    }
    for (uint32_t u = 0; u < n; u++) ds->user_counts[u] = get_u32(c);
    return !c->failed;
}

#define MOVIE_RECORD_BYTES 33u

static int read_movies(cursor *c, tl_dataset *ds)
{
    c->what = "movies";
    uint32_t n = get_u32(c);
    uint32_t n_genres = get_u32(c);
    if (c->failed) return 0;
    if (n_genres > TL_MAX_GENRES) return bad(c, "too many genres");
    ds->n_genres = n_genres;
    for (uint32_t g = 0; g < n_genres; g++)
        if (!get_name(c, ds->genre_names[g], TL_GENRE_NAME_MAX)) return 0;
    if (!fits(c, n, MOVIE_RECORD_BYTES)) return 0;
    ds->movies = alloc_items(c, n, sizeof *ds->movies);
    if (c->failed) return 0;
    ds->n_movies = n;
    uint64_t genre_mask = n_genres == 64 ? ~0ULL : ((1ULL << n_genres) - 1);
    for (uint32_t m = 0; m < n; m++) {
        tl_movie *mv = &ds->movies[m];
        mv->id = get_u32(c);
        mv->title = get_u32(c);
        mv->n_ratings = get_u32(c);
        mv->imdb_id = get_u32(c);
        mv->tmdb_id = get_u32(c);
        mv->year = (int16_t)(uint16_t)get_u32(c);
        mv->in_catalogue = get_u8(c);
        mv->genres = get_u64(c);
        if (c->failed) return 0;
        if (m && mv->id <= ds->movies[m - 1].id) return bad(c, "movie ids are not ascending");
        if (mv->in_catalogue > 1) return bad(c, "a catalogue flag is not 0 or 1");
        if (mv->genres & ~genre_mask) return bad(c, "a movie names a genre that does not exist");
        ds->n_catalogue += mv->in_catalogue;
        ds->n_rated_movies += mv->n_ratings > 0;
    }
    uint64_t len = get_u64(c);
    if (!fits(c, len, 1)) return 0;
    if (len == 0 || len > UINT32_MAX) return bad(c, "the title table has an impossible size");
    ds->strings = alloc_items(c, len, 1);
    if (!take(c, ds->strings, (size_t)len)) return 0;
    ds->strings_len = (size_t)len;
    if (ds->strings[len - 1] != '\0') return bad(c, "the title table is not terminated");
    for (uint32_t m = 0; m < n; m++)
        if (ds->movies[m].title >= len) return bad(c, "a title points outside the title table");
    return 1;
}

static int read_seen(cursor *c, tl_model_file *mf)
{
    c->what = "seen";
    uint32_t n = get_u32(c);
    if (c->failed) return 0;
    if (n != mf->ds->n_users) return bad(c, "seen sets do not match the users");
    if (!fits(c, (uint64_t)n + 1, 4)) return 0;
    tl_seen *s = calloc(1, sizeof *s);
    if (!s) return bad(c, "out of memory");
    mf->seen = s;
    s->n_users = n;
    s->offsets = alloc_items(c, (uint64_t)n + 1, sizeof *s->offsets);
    if (c->failed) return 0;
    for (uint32_t u = 0; u <= n; u++) {
        s->offsets[u] = get_u32(c);
        if ((u == 0 && s->offsets[0] != 0) || (u && s->offsets[u] < s->offsets[u - 1]))
            return bad(c, "seen offsets are not increasing from 0");
    }
    uint32_t total = s->offsets[n];
    if (!fits(c, total, 4)) return 0;
    s->movies = alloc_items(c, total, sizeof *s->movies);
    if (c->failed) return 0;
    for (uint32_t i = 0; i < total; i++)
        if ((s->movies[i] = get_u32(c)) >= mf->ds->n_movies) return bad(c, "a seen movie is out of range");
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t i = s->offsets[u] + 1; i < s->offsets[u + 1]; i++)
            if (s->movies[i] <= s->movies[i - 1]) return bad(c, "a user's seen movies are not ascending");
    return !c->failed;
}

static int read_stars(cursor *c, tl_model_file *mf)
{
    c->what = "seen ratings";
    uint32_t n = get_u32(c);
    if (c->failed) return 0;
    if (n != mf->seen->offsets[mf->seen->n_users]) return bad(c, "the seen ratings do not match the seen sets");
    if (!fits(c, n, 1)) return 0;
    mf->seen_half = alloc_items(c, n ? n : 1, 1);
    if (c->failed || !take(c, mf->seen_half, n)) return 0;
    for (uint32_t i = 0; i < n; i++)
        if (mf->seen_half[i] > 10) return bad(c, "a seen rating is outside 0.5-5 stars");
    return 1;
}

static int read_rows(cursor *c, tl_model_rows *r)
{
    c->what = "rows";
    if (!fits(c, 1, TL_ROWS_BYTES)) return 0;
    uint32_t flags = get_u32(c);
    r->train_rows = get_u32(c);
    r->test_rows = get_u32(c);
    r->total_rows = get_u32(c);
    r->seed = get_u64(c);
    r->data_hash = get_u64(c);
    if (flags & ~(TL_ROWS_KNOWN | TL_ROWS_SEEN_ALL)) return bad(c, "unknown flags");
    r->known = (flags & TL_ROWS_KNOWN) != 0;
    r->seen_all = (flags & TL_ROWS_SEEN_ALL) != 0;
    if (r->known && ((uint64_t)r->train_rows + r->test_rows > r->total_rows || r->train_rows == 0))
        return bad(c, "the training rows do not add up");
    return 1;
}

static int read_tensors(cursor *c, tl_model_file *mf)
{
    c->what = "tensors";
    uint32_t n = get_u32(c);
    if (c->failed) return 0;
    if (n > TL_STORE_MAX_TENSORS) return bad(c, "too many tensors");
    for (uint32_t i = 0; i < n; i++) {
        tl_tensor *t = &mf->tensors[i];
        if (!get_name(c, t->name, TL_TENSOR_NAME_MAX)) return 0;
        t->rows = get_u32(c);
        t->cols = get_u32(c);
        uint64_t count = (uint64_t)t->rows * t->cols;
        if (!fits(c, count, 4)) return 0;
        t->data = alloc_items(c, count, sizeof(float));
        if (c->failed) return 0;
        mf->n_tensors = i + 1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        take(c, t->data, (size_t)count * sizeof(float)); /* the file's byte order already */
#else
        for (uint64_t k = 0; k < count; k++) {
            uint32_t bits = get_u32(c);
            memcpy(&t->data[k], &bits, 4);
        }
#endif
    }
    return !c->failed;
}

tl_status tl_store_read(const uint8_t *bytes, size_t n, const char *name, tl_model_file **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "model file: no output pointer given");
    *out = NULL;
    if (!name) name = "model";
    if (!bytes && n) return tl_fail(err, TL_E_ARG, "model file: no bytes given");
    if (n < 8 || memcmp(bytes, TL_STORE_MAGIC, 8) != 0)
        return tl_fail_at(err, TL_E_CORRUPT, name, 0, "not a towerlens model file (it does not start with TLMODEL)");
    if (n < 24) return tl_fail_at(err, TL_E_CORRUPT, name, 0, "corrupt model file: truncated header");
    cursor c = {bytes + 8, n - 16, name, "header", err, 0};
    uint32_t version = get_u32(&c);
    if (version < TL_STORE_MIN_VERSION || version > TL_STORE_VERSION)
        return tl_fail_at(err, TL_E_CORRUPT, name, 0,
                          "model file format version %u; this build of towerlens reads versions %u to %u%s", version,
                          TL_STORE_MIN_VERSION, TL_STORE_VERSION,
                          version > TL_STORE_VERSION ? " (the file was written by a newer towerlens: update it)" : "");
    uint64_t stored = 0;
    for (int i = 7; i >= 0; i--) stored = stored << 8 | bytes[n - 8 + (size_t)i];
    if (stored != tl__store_checksum(bytes, n - 8))
        return tl_fail_at(err, TL_E_CORRUPT, name, 0, "corrupt model file: checksum mismatch (truncated or damaged)");

    tl_model_file *mf = calloc(1, sizeof *mf);
    if (!mf || !(mf->ds = calloc(1, sizeof *mf->ds))) {
        free(mf);
        return tl_fail(err, TL_E_NOMEM, "out of memory reading the model file");
    }
    mf->version = version;
    uint32_t sections = get_u32(&c);
    int have_users = 0, have_movies = 0, have_rows = 0;
    for (uint32_t s = 0; s < sections && !c.failed; s++) {
        c.what = "header";
        uint32_t tag = get_u32(&c);
        get_u32(&c);
        uint64_t len = get_u64(&c);
        if (!fits(&c, len, 1)) break;
        cursor sec = {c.p, (size_t)len, name, "header", err, 0};
        take(&c, NULL, (size_t)len);
        int ok = 1;
        if (tag == TL_TAG_CONF && !mf->config_json) {
            mf->config_json = malloc((size_t)len + 1);
            if (!mf->config_json) ok = bad(&sec, "out of memory");
            else {
                memcpy(mf->config_json, sec.p, (size_t)len);
                mf->config_json[len] = '\0';
            }
        } else if (tag == TL_TAG_USER && !have_users) {
            ok = have_users = read_users(&sec, mf->ds);
        } else if (tag == TL_TAG_MOVI && !have_movies) {
            ok = have_movies = read_movies(&sec, mf->ds);
        } else if (tag == TL_TAG_SEEN && have_users && !mf->seen) {
            ok = read_seen(&sec, mf);
        } else if (tag == TL_TAG_STAR && mf->seen && !mf->seen_half) {
            ok = read_stars(&sec, mf);
        } else if (tag == TL_TAG_TENS && mf->n_tensors == 0) {
            ok = read_tensors(&sec, mf);
        } else if (tag == TL_TAG_ROWS && version >= 2 && !have_rows) {
            ok = have_rows = read_rows(&sec, &mf->rows); /* a format-1 file has none: rows stay unknown */
        } else if (tag == TL_TAG_SIDS && have_users && have_movies && !mf->ds->id_strings) {
            ok = tl__store_read_names(sec.p, sec.left, mf->ds, name, err) == TL_OK;
            if (!ok) sec.failed = c.failed = 1;
        } else if (tag == TL_TAG_USER || tag == TL_TAG_MOVI || tag == TL_TAG_SEEN || tag == TL_TAG_TENS ||
                   tag == TL_TAG_CONF || tag == TL_TAG_ROWS) {
            ok = bad(&sec, "a section is repeated or out of order");
        }
        if (!ok) c.failed = 1;
    }
    if (!c.failed && (!have_users || !have_movies)) bad(&c, "the users or movies section is missing");
    if (!c.failed && !mf->config_json) {
        if ((mf->config_json = malloc(3))) strcpy(mf->config_json, "{}");
        else bad(&c, "out of memory");
    }
    if (c.failed) {
        tl_model_file_free(mf);
        return err ? err->status : TL_E_CORRUPT;
    }
    *out = mf;
    return TL_OK;
}

tl_status tl_store_load_path(const char *path, tl_model_file **out, tl_error *err)
{
    if (!out) return tl_fail(err, TL_E_ARG, "model file: no output pointer given");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return tl_fail_at(err, TL_E_IO, path, 0, "cannot open the model file");
    tl_buf b;
    tl_buf_init(&b);
    char chunk[1 << 16];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) tl_buf_append(&b, chunk, got);
    int read_error = ferror(f);
    fclose(f);
    tl_status st;
    if (read_error) st = tl_fail_at(err, TL_E_IO, path, 0, "cannot read the model file");
    else if (b.failed) st = tl_fail_at(err, TL_E_NOMEM, path, 0, "out of memory reading the model file");
    else st = tl_store_read((const uint8_t *)b.data, b.len, path, out, err);
    tl_buf_free(&b);
    return st;
}

void tl_model_file_free(tl_model_file *mf)
{
    if (!mf) return;
    tl_dataset_free(mf->ds);
    tl_seen_free(mf->seen);
    free(mf->seen_half);
    free(mf->config_json);
    for (uint32_t i = 0; i < mf->n_tensors; i++) free(mf->tensors[i].data);
    free(mf);
}

const tl_tensor *tl_model_file_tensor(const tl_model_file *mf, const char *name)
{
    for (uint32_t i = 0; mf && i < mf->n_tensors; i++)
        if (!strcmp(mf->tensors[i].name, name)) return &mf->tensors[i];
    return NULL;
}
