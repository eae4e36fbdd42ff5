/* The model file's optional SIDS section: the string ids of a dataset read
 * by column names (dataset.h), and whether its feedback was implicit.
 * Payload: u32 flags (1 = user names, 2 = movie names, 4 = implicit), u64
 * byte count, then NUL-terminated strings: the users' in dense order (when
 * flag 1), then the movies' (when flag 2). Readers that do not know the tag
 * skip it and see the ranks as numeric ids. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define NAMES_USERS 1u
#define NAMES_MOVIES 2u
#define NAMES_IMPLICIT 4u

int tl__store_has_names(const tl_dataset *ds) { return ds->user_names || ds->movie_names || ds->implicit; }

static void put_le(tl_buf *b, uint64_t v, int bytes)
{
    char le[8];
    for (int i = 0; i < bytes; i++) le[i] = (char)(uint8_t)(v >> (8 * i));
    tl_buf_append(b, le, (size_t)bytes);
}

static void put_names(tl_buf *b, const tl_dataset *ds, const uint32_t *names, uint32_t n)
{
    for (uint32_t i = 0; names && i < n; i++) {
        const char *s = ds->id_strings + names[i];
        tl_buf_append(b, s, strlen(s) + 1);
    }
}

static uint64_t names_bytes(const tl_dataset *ds, const uint32_t *names, uint32_t n)
{
    uint64_t total = 0;
    for (uint32_t i = 0; names && i < n; i++) total += strlen(ds->id_strings + names[i]) + 1;
    return total;
}

void tl__store_write_names(tl_buf *b, const tl_dataset *ds)
{
    uint32_t flags =
        (ds->user_names ? NAMES_USERS : 0) | (ds->movie_names ? NAMES_MOVIES : 0) | (ds->implicit ? NAMES_IMPLICIT : 0);
    uint64_t bytes = names_bytes(ds, ds->user_names, ds->n_users) + names_bytes(ds, ds->movie_names, ds->n_movies);
    put_le(b, TL_TAG_SIDS, 4);
    put_le(b, 0, 4);
    put_le(b, 4 + 8 + bytes, 8);
    put_le(b, flags, 4);
    put_le(b, bytes, 8);
    put_names(b, ds, ds->user_names, ds->n_users);
    put_names(b, ds, ds->movie_names, ds->n_movies);
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* n names from `blob` at *at, each non-empty and after the one before in
 * byte order (dense order is string order); offsets into the blob. */
static uint32_t *read_list(const char *blob, size_t len, size_t *at, uint32_t n)
{
    uint32_t *names = malloc(((size_t)n + 1) * sizeof *names);
    if (!names) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        const char *s = blob + *at, *end = memchr(s, '\0', len - *at);
        if (!end || end == s || (i && strcmp(blob + names[i - 1], s) >= 0)) {
            free(names);
            return NULL;
        }
        names[i] = (uint32_t)*at;
        *at += (size_t)(end - s) + 1;
    }
    return names;
}

tl_status tl__store_read_names(const uint8_t *p, size_t n, tl_dataset *ds, const char *name, tl_error *err)
{
    if (n < 12) return tl_fail_at(err, TL_E_CORRUPT, name, 0, "corrupt model file: the ids section ends early");
    uint32_t flags = (uint32_t)get_le(p, 4);
    uint64_t bytes = get_le(p + 4, 8);
    if (bytes != n - 12 || bytes > UINT32_MAX)
        return tl_fail_at(err, TL_E_CORRUPT, name, 0, "corrupt model file: the ids section has a wrong length");
    ds->implicit = (flags & NAMES_IMPLICIT) != 0;
    if (!(flags & (NAMES_USERS | NAMES_MOVIES))) return TL_OK;
    ds->id_strings = malloc((size_t)bytes + 1);
    if (!ds->id_strings) return tl_fail(err, TL_E_NOMEM, "out of memory reading the model file's ids");
    memcpy(ds->id_strings, p + 12, (size_t)bytes);
    ds->id_strings[bytes] = '\0';
    ds->id_strings_len = (size_t)bytes;
    size_t at = 0;
    if ((flags & NAMES_USERS) && !(ds->user_names = read_list(ds->id_strings, (size_t)bytes, &at, ds->n_users)))
        return tl_fail_at(err, TL_E_CORRUPT, name, 0, "corrupt model file: the user ids are damaged (ids section)");
    if ((flags & NAMES_MOVIES) && !(ds->movie_names = read_list(ds->id_strings, (size_t)bytes, &at, ds->n_movies)))
        return tl_fail_at(err, TL_E_CORRUPT, name, 0, "corrupt model file: the movie ids are damaged (ids section)");
    if (at != bytes)
        return tl_fail_at(err, TL_E_CORRUPT, name, 0, "corrupt model file: the ids section has bytes left over");
    return TL_OK;
}
