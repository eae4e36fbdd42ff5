/* Writing the model file (layout in store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static void put_bytes(tl_buf *b, const void *p, size_t n) { tl_buf_append(b, (const char *)p, n); }

static void put_u8(tl_buf *b, uint8_t v) { put_bytes(b, &v, 1); }

static void put_u32(tl_buf *b, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put_bytes(b, le, 4);
}

static void put_u64(tl_buf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

/* Short strings (genre and tensor names): u8 length + bytes. */
static void put_name(tl_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > 255) n = 255;
    put_u8(b, (uint8_t)n);
    put_bytes(b, s, n);
}

/* Starts a section; returns the offset of its length field for end_section. */
static size_t begin_section(tl_buf *b, uint32_t tag)
{
    put_u32(b, tag);
    put_u32(b, 0);
    size_t at = b->len;
    put_u64(b, 0);
    return at;
}

static void end_section(tl_buf *b, size_t at)
{
    if (b->failed) return;
    uint64_t len = (uint64_t)(b->len - at - 8);
    for (int i = 0; i < 8; i++) b->data[at + (size_t)i] = (char)(uint8_t)(len >> (8 * i));
}

/* Floats are written as their IEEE bits, so a round trip is bit-exact. */
static void put_floats(tl_buf *b, const float *f, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the file's byte order already: one append instead of one per float */
    put_bytes(b, f, n * sizeof *f);
#else
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &f[i], 4);
        put_u32(b, bits);
    }
#endif
}

static void write_users(tl_buf *b, const tl_dataset *ds)
{
    size_t at = begin_section(b, TL_TAG_USER);
    put_u32(b, ds->n_users);
    for (uint32_t u = 0; u < ds->n_users; u++) put_u32(b, ds->user_ids[u]);
    for (uint32_t u = 0; u < ds->n_users; u++) put_u32(b, ds->user_counts ? ds->user_counts[u] : 0);
    end_section(b, at);
}

static void write_movies(tl_buf *b, const tl_dataset *ds)
{
    size_t at = begin_section(b, TL_TAG_MOVI);
    put_u32(b, ds->n_movies);
    put_u32(b, ds->n_genres);
    for (uint32_t g = 0; g < ds->n_genres; g++) put_name(b, ds->genre_names[g]);
    for (uint32_t m = 0; m < ds->n_movies; m++) {
        const tl_movie *mv = &ds->movies[m];
        put_u32(b, mv->id);
        put_u32(b, mv->title);
        put_u32(b, mv->n_ratings);
        put_u32(b, mv->imdb_id);
        put_u32(b, mv->tmdb_id);
        put_u32(b, (uint32_t)(uint16_t)mv->year);
        put_u8(b, mv->in_catalogue);
        put_u64(b, mv->genres);
    }
    put_u64(b, (uint64_t)ds->strings_len);
    put_bytes(b, ds->strings, ds->strings_len);
    end_section(b, at);
}

static void write_seen(tl_buf *b, const tl_seen *s)
{
    size_t at = begin_section(b, TL_TAG_SEEN);
    put_u32(b, s->n_users);
    for (uint32_t u = 0; u <= s->n_users; u++) put_u32(b, s->offsets[u]);
    for (uint32_t i = 0; i < s->offsets[s->n_users]; i++) put_u32(b, s->movies[i]);
    end_section(b, at);
}

static void write_stars(tl_buf *b, const tl_seen *s, const uint8_t *half)
{
    size_t at = begin_section(b, TL_TAG_STAR);
    put_u32(b, s->offsets[s->n_users]);
    put_bytes(b, half, s->offsets[s->n_users]);
    end_section(b, at);
}

static void write_tensors(tl_buf *b, const tl_tensor *t, uint32_t n)
{
    size_t at = begin_section(b, TL_TAG_TENS);
    put_u32(b, n);
    for (uint32_t i = 0; i < n; i++) {
        put_name(b, t[i].name);
        put_u32(b, t[i].rows);
        put_u32(b, t[i].cols);
        put_floats(b, t[i].data, (size_t)t[i].rows * t[i].cols);
    }
    end_section(b, at);
}

static void write_rows(tl_buf *b, const tl_model_rows *r)
{
    size_t at = begin_section(b, TL_TAG_ROWS);
    put_u32(b, (r && r->known ? TL_ROWS_KNOWN : 0u) | (r && r->seen_all ? TL_ROWS_SEEN_ALL : 0u));
    put_u32(b, r ? r->train_rows : 0);
    put_u32(b, r ? r->test_rows : 0);
    put_u32(b, r ? r->total_rows : 0);
    put_u64(b, r ? r->seed : 0);
    put_u64(b, r ? r->data_hash : 0);
    end_section(b, at);
}

tl_status tl_store_write(const tl_dataset *ds, const tl_seen *seen, const char *config_json, const tl_model_rows *rows,
                         const tl_tensor *tensors, uint32_t n_tensors, tl_buf *out, tl_error *err)
{
    return tl_store_write_rated(ds, seen, NULL, config_json, rows, tensors, n_tensors, out, err);
}

tl_status tl_store_write_rated(const tl_dataset *ds, const tl_seen *seen, const uint8_t *seen_half,
                               const char *config_json, const tl_model_rows *rows, const tl_tensor *tensors,
                               uint32_t n_tensors, tl_buf *out, tl_error *err)
{
    if (!ds || !out || (n_tensors && !tensors))
        return tl_fail(err, TL_E_ARG, "model file: missing dataset, tensors or output buffer");
    if (n_tensors > TL_STORE_MAX_TENSORS)
        return tl_fail(err, TL_E_ARG, "model file: %u tensors, at most %u", n_tensors, TL_STORE_MAX_TENSORS);
    for (uint32_t i = 0; i < n_tensors; i++)
        if (strlen(tensors[i].name) >= TL_TENSOR_NAME_MAX || !tensors[i].data)
            return tl_fail(err, TL_E_ARG, "model file: tensor %u has no data or a name over %d bytes", i,
                           TL_TENSOR_NAME_MAX - 1);
    if (seen && seen->n_users != ds->n_users)
        return tl_fail(err, TL_E_ARG, "model file: seen sets cover %u users, the dataset has %u", seen->n_users,
                       ds->n_users);

    uint8_t *own_half = NULL;
    if (seen && !seen_half && ds->n_ratings > 0) {
        tl_status st = tl_seen_half(ds, seen, &own_half, err);
        if (st != TL_OK) return st;
        seen_half = own_half;
    }
    int stars = seen && seen_half;

    tl_buf_reset(out);
    put_bytes(out, TL_STORE_MAGIC, 8);
    put_u32(out, TL_STORE_VERSION);
    put_u32(out, (seen ? 6u : 5u) + (uint32_t)stars + (uint32_t)tl__store_has_names(ds));

    size_t at = begin_section(out, TL_TAG_CONF);
    const char *conf = config_json ? config_json : "{}";
    put_bytes(out, conf, strlen(conf));
    end_section(out, at);
    write_users(out, ds);
    write_movies(out, ds);
    if (seen) write_seen(out, seen);
    if (stars) write_stars(out, seen, seen_half);
    free(own_half);
    write_tensors(out, tensors, n_tensors);
    write_rows(out, rows);
    if (tl__store_has_names(ds)) tl__store_write_names(out, ds);

    if (!out->failed) put_u64(out, tl__store_checksum((const uint8_t *)out->data, out->len));
    if (out->failed) return tl_fail(err, TL_E_NOMEM, "model file: out of memory while writing");
    return TL_OK;
}

tl_status tl_store_save_path(const char *path, const tl_dataset *ds, const tl_seen *seen, const char *config_json,
                             const tl_model_rows *rows, const tl_tensor *tensors, uint32_t n_tensors, tl_error *err)
{
    tl_buf b;
    tl_buf_init(&b);
    tl_status st = tl_store_write(ds, seen, config_json, rows, tensors, n_tensors, &b, err);
    if (st != TL_OK) {
        tl_buf_free(&b);
        return st;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        tl_buf_free(&b);
        return tl_fail_at(err, TL_E_IO, path, 0, "cannot create the model file");
    }
    size_t len = b.len, wrote = fwrite(b.data, 1, len, f);
    int closed = fclose(f);
    tl_buf_free(&b);
    if (wrote != len || closed != 0)
        return tl_fail_at(err, TL_E_IO, path, 0, "cannot write the model file (disk full?)");
    return TL_OK;
}
