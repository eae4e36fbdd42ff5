/* Streaming loader: file lifecycle, layout detection, and the two paths a
 * line can take. Simple unquoted rating lines go through a hand-written
 * parser straight from the caller's chunk; everything else (headers, quoted
 * or odd lines, lines cut by a chunk boundary, other kinds of file) goes
 * through the RFC 4180 tokenizer and the row handlers of loader_rows.c.
 * The fast path only ever accepts lines the general path reads the same
 * way, and leaves every error to the general path, so chunking never
 * changes the dataset or the message. */
#define _DEFAULT_SOURCE /* madvise */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_internal.h"

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#endif

tl_loader *tl_loader_new(void)
{
    tl_loader *ld = calloc(1, sizeof *ld);
    if (!ld) return NULL;
    ld->strings = malloc(4096);
    if (!ld->strings) {
        free(ld);
        return NULL;
    }
    ld->strings[0] = '\0'; /* offset 0: the empty title of movies outside the catalogue */
    ld->strings_len = 1;
    ld->strings_cap = 4096;
    ld->ts_min = INT64_MAX;
    ld->ts_max = INT64_MIN;
    return ld;
}

void tl_loader_free(tl_loader *ld)
{
    if (!ld) return;
    tl_csv_free(&ld->csv);
    free(ld->head);
    free(ld->r_block);
    tl__idmap_free(&ld->cat_index);
    free(ld->cat);
    free(ld->strings);
    tl__idmap_free(&ld->link_index);
    free(ld->links);
    free(ld->scratch);
    tl__loader_free_mapped(ld);
    free(ld);
}

tl_status tl__loader_fail(tl_loader *ld, tl_error *err, tl_status status, uint64_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tl_fail_v(&ld->failure, status, ld->name, line, fmt, ap);
    va_end(ap);
    ld->failed = status;
    if (err) *err = ld->failure;
    return status;
}

/* Refuses calls after a failure or out of order. */
static tl_status check_state(tl_loader *ld, int want_file, const char *call, tl_error *err)
{
    if (ld->failed) {
        if (err) *err = ld->failure;
        return ld->failed;
    }
    if (ld->finished)
        return tl_fail(err, TL_E_STATE, "%s: the loader has already built its dataset; use a new loader", call);
    if (want_file && !ld->in_file)
        return tl_fail(err, TL_E_STATE, "%s: no file was begun (call tl_loader_begin)", call);
    if (!want_file && ld->in_file)
        return tl_fail(err, TL_E_STATE, "%s: the file %s was not ended (call tl_loader_end)", call, ld->name);
    return TL_OK;
}

tl_status tl_loader_begin(tl_loader *ld, const char *name, tl_error *err)
{
    if (!ld) return tl_fail(err, TL_E_ARG, "tl_loader_begin: no loader");
    tl_status st = check_state(ld, 0, "tl_loader_begin", err);
    if (st) return st;
    snprintf(ld->name, sizeof ld->name, "%s", name && name[0] ? name : "(unnamed file)");
    ld->in_file = 1;
    ld->file_no++;
    ld->line = 0;
    ld->expect = TL_FILE_UNKNOWN;
    ld->size_hint = 0;
    ld->detected = 0;
    ld->layout = tl_ml_layout_of(TL_ML_UNKNOWN);
    ld->what = NULL;
    ld->head_len = 0;
    ld->head_at_start = 1;
    ld->header_pending = 0;
    ld->map_kind = TL_FILE_UNKNOWN;
    if (ld->csv_ready) tl_csv_free(&ld->csv);
    ld->csv_ready = 0;
    return TL_OK;
}

tl_status tl_loader_expect(tl_loader *ld, tl_file_kind kind, tl_error *err)
{
    if (!ld) return tl_fail(err, TL_E_ARG, "tl_loader_expect: no loader");
    tl_status st = check_state(ld, 1, "tl_loader_expect", err);
    if (st) return st;
    if (ld->detected) return tl_fail(err, TL_E_STATE, "tl_loader_expect: call it before feeding %s", ld->name);
    ld->expect = kind;
    return TL_OK;
}

tl_status tl_loader_size_hint(tl_loader *ld, uint64_t bytes, tl_error *err)
{
    if (!ld) return tl_fail(err, TL_E_ARG, "tl_loader_size_hint: no loader");
    tl_status st = check_state(ld, 1, "tl_loader_size_hint", err);
    if (st) return st;
    ld->size_hint = bytes;
    return TL_OK;
}

static const char *expected_text(tl_file_kind kind)
{
    switch (kind) {
        case TL_FILE_RATINGS:
            return "a ratings file (ratings.csv with userId,movieId,rating,timestamp, ml-100k u.data or ml-1m "
                   "ratings.dat)";
        case TL_FILE_MOVIES:
            return "a movies file (movies.csv with movieId,title,genres, ml-100k u.item or ml-1m movies.dat)";
        case TL_FILE_TAGS: return "a tags file (tags.csv with userId,movieId,tag,timestamp)";
        case TL_FILE_LINKS: return "a links file (links.csv with movieId,imdbId,tmdbId)";
        default: return "a MovieLens ratings, movies, tags or links file";
    }
}

static void note_fed(tl_loader *ld)
{
    size_t used = strlen(ld->fed);
    if (used + 2 >= sizeof ld->fed) return;
    snprintf(ld->fed + used, sizeof ld->fed - used, "%s%s (%s)", used ? ", " : "", ld->name,
             tl_file_kind_name(ld->layout->kind));
}

/* A file mapped by column names: its layout is given, not detected; the
 * header line decides the separator (a tab when it has tabs and no comma). */
static tl_status mapped_detected(tl_loader *ld, const uint8_t *line, size_t n, tl_error *err)
{
    if (ld->expect != TL_FILE_UNKNOWN && ld->expect != ld->map_kind)
        return tl__loader_fail(ld, err, TL_E_FORMAT, 0, "this file is read by column names as a %s file; expected %s",
                               tl_file_kind_name(ld->map_kind), expected_text(ld->expect));
    int rating_less = ld->map_kind == TL_FILE_RATINGS && !ld->map_name[2][0];
    ld->layout = tl_ml_layout_of(ld->map_kind == TL_FILE_RATINGS ? TL_ML_MAPPED_RATINGS : TL_ML_MAPPED_ITEMS);
    ld->what = ld->layout->name;
    ld->detected = 1;
    ld->header_pending = 1;
    ld->files_of_kind[ld->map_kind]++;
    if (ld->map_kind == TL_FILE_RATINGS) ld->mapped_ratings++;
    else ld->mapped_items++;
    ld->implicit_files += rating_less;
    note_fed(ld);
    uint8_t sep = memchr(line, '\t', n) && !memchr(line, ',', n) ? '\t' : ',';
    tl_csv_init(&ld->csv, sep, 0, 1, 0);
    ld->csv_ready = 1;
    return TL_OK;
}

/* The first non-blank line is known: decide the layout and set up the tokenizer. */
static tl_status on_detected(tl_loader *ld, const uint8_t *line, size_t n, tl_error *err)
{
    if (ld->map_kind != TL_FILE_UNKNOWN) return mapped_detected(ld, line, n, err);
    tl_ml_format fmt;
    const char *what;
    tl_error derr;
    tl_error_clear(&derr);
    tl_status st = tl_ml_detect(ld->name, line, n, &fmt, &what, &derr);
    if (st) {
        ld->failure = derr;
        if (ld->expect != TL_FILE_UNKNOWN) {
            size_t len = strlen(ld->failure.message);
            snprintf(ld->failure.message + len, sizeof ld->failure.message - len, " (here %s was expected)",
                     expected_text(ld->expect));
        }
        ld->failed = st;
        if (err) *err = ld->failure;
        return st;
    }
    ld->layout = tl_ml_layout_of(fmt);
    ld->what = what;
    if (ld->expect != TL_FILE_UNKNOWN && ld->layout->kind != ld->expect) {
        if (ld->layout->kind == TL_FILE_IGNORED)
            return tl__loader_fail(ld, err, TL_E_FORMAT, 0, "this is %s, which towerlens does not use; expected %s",
                                   what, expected_text(ld->expect));
        return tl__loader_fail(ld, err, TL_E_FORMAT, 0, "this is a %s file (%s layout); expected %s",
                               tl_file_kind_name(ld->layout->kind), ld->layout->name, expected_text(ld->expect));
    }
    ld->detected = 1;
    ld->header_pending = ld->layout->has_header;
    ld->files_of_kind[ld->layout->kind]++;
    note_fed(ld);
    if (ld->layout->kind == TL_FILE_RATINGS && ld->size_hint) {
        /* ratings lines are 20-30 bytes; a failed reservation is not an error here */
        uint64_t rows = ld->size_hint / 20 + 1024;
        if (rows < TL_MAX_RATINGS - ld->n_ratings) (void)tl__loader_reserve_ratings(ld, (uint32_t)rows);
    }
    if (ld->layout->kind != TL_FILE_IGNORED) {
        tl_csv_init(&ld->csv, ld->layout->sep, ld->layout->double_sep, ld->layout->quoting, 0);
        ld->csv_ready = 1;
    }
    return TL_OK;
}

static tl_status csv_failure(tl_loader *ld, tl_error *err)
{
    const tl_csv *c = &ld->csv;
    uint64_t line = ld->line + 1 + c->error_newlines;
    switch (c->error) {
        case TL_CSV_E_TOO_LONG:
            return tl__loader_fail(ld, err, TL_E_LIMIT, line, "line is longer than 1 MiB, the limit%s",
                                   c->error_in_quotes
                                       ? " (inside a quoted field that starts here: a missing closing quote?)"
                                       : "; is this really a MovieLens file?");
        case TL_CSV_E_NOMEM: return tl__loader_fail(ld, err, TL_E_NOMEM, line, "out of memory while reading a line");
        default: return tl__loader_fail(ld, err, TL_E_PARSE, line, "%s", tl_csv_error_text(c->error));
    }
}

/* A complete record from the tokenizer. */
static tl_status on_record(tl_loader *ld, tl_error *err)
{
    uint64_t line = ld->line + 1;
    ld->line += 1 + ld->csv.newlines;
    if (tl_csv_blank(&ld->csv)) return TL_OK;
    if (ld->header_pending) {
        ld->header_pending = 0;
        return ld->map_kind != TL_FILE_UNKNOWN ? tl__loader_mapped_header(ld, line, err) : TL_OK;
    }
    size_t nf = tl_csv_count(&ld->csv);
    if (ld->map_kind != TL_FILE_UNKNOWN) {
        if (nf != ld->map_fields)
            return tl__loader_fail(ld, err, TL_E_PARSE, line, "expected %u fields (as the header has) but found %zu",
                                   ld->map_fields, nf);
        return tl__loader_mapped_row(ld, line, err);
    }
    if (nf != ld->layout->n_fields) {
        const char *hint = "";
        if (ld->layout->format == TL_ML_MOVIES_CSV && nf > 3) hint = " (a title with commas must be in quotes)";
        return tl__loader_fail(ld, err, TL_E_PARSE, line, "expected %u fields (%s) but found %zu%s",
                               ld->layout->n_fields, ld->layout->columns, nf, hint);
    }
    switch (ld->layout->kind) {
        case TL_FILE_RATINGS: return tl__loader_rating_row(ld, line, err);
        case TL_FILE_MOVIES: return tl__loader_movie_row(ld, line, err);
        case TL_FILE_LINKS: return tl__loader_link_row(ld, line, err);
        case TL_FILE_TAGS: return tl__loader_tag_row(ld, line, err);
        default: return TL_OK;
    }
}

/* The three ratings columns share one block: [user u32 x cap][movie u32 x
 * cap][half u8 x cap], written once, front to back. A block of 512 KiB or
 * more starts on a 2 MiB boundary and is advised as huge pages: on Linux one
 * fault then maps 2 MiB instead of 4 KiB. On virtual machines those faults,
 * and the hypervisor's first touch of each page table entry after a change,
 * cost more than parsing the rows (ml-latest-small: 258 faults, half of a
 * 4.5 ms load). Elsewhere the block grows by realloc. */
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(__EMSCRIPTEN__)
#define HUGE_BYTES ((size_t)2 << 20)
#define HUGE_MIN ((size_t)512 << 10)
#endif

static int on_huge_pages(size_t bytes)
{
#ifdef HUGE_BYTES
    return bytes >= HUGE_MIN && bytes <= SIZE_MAX - HUGE_BYTES;
#else
    (void)bytes;
    return 0;
#endif
}

static size_t round_to_huge(size_t bytes)
{
#ifdef HUGE_BYTES
    return (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
#else
    return bytes;
#endif
}

/* A block for on_huge_pages(bytes): 2 MiB aligned and padded, advised. */
static uint8_t *alloc_huge_columns(size_t bytes)
{
#ifdef HUGE_BYTES
    size_t padded = round_to_huge(bytes);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_BYTES, padded) != 0) return NULL;
    (void)madvise(p, padded, MADV_HUGEPAGE);
    return p;
#else
    (void)bytes;
    return NULL;
#endif
}

uint8_t *tl__loader_take_columns(tl_loader *ld, uint32_t **user, uint32_t **movie, uint32_t **time, uint8_t **half)
{
    const size_t n = ld->n_ratings, cap = ld->r_cap;
    const int timed = n > 0 && ld->n_timed == n;
    uint8_t *block = ld->r_block;
    size_t movie_at, time_at, half_at, keep;
    if (on_huge_pages(cap * 13)) {
        /* the columns stay where they are (the unused rest of each was never
         * touched, so it holds no memory; nor was the time column without
         * times) and only whole huge pages past the last one are cut off:
         * splitting one would remap every page in it, and closing the
         * columns up would touch new memory */
        movie_at = cap * 4;
        time_at = cap * 8;
        half_at = cap * 12;
        keep = round_to_huge(half_at + n);
    } else {
        /* elsewhere (WebAssembly memory is never given back) the columns
         * close up to 13 bytes a rating (9 without times) and the block
         * shrinks to that */
        movie_at = n * 4;
        time_at = n * 8;
        half_at = timed ? n * 12 : n * 8;
        memmove(block + movie_at, block + cap * 4, n * sizeof(uint32_t));
        if (timed) memmove(block + time_at, block + cap * 8, n * sizeof(uint32_t));
        memmove(block + half_at, block + cap * 12, n);
        keep = half_at + n;
    }
    if (keep < cap * 13) {
        uint8_t *shrunk = realloc(block, keep ? keep : 1);
        if (shrunk) block = shrunk;
    }
    *user = (uint32_t *)(void *)block;
    *movie = (uint32_t *)(void *)(block + movie_at);
    *time = timed ? (uint32_t *)(void *)(block + time_at) : NULL;
    *half = block + half_at;
    ld->r_block = NULL;
    ld->r_user = ld->r_movie = ld->r_time = NULL;
    ld->r_half = NULL;
    ld->r_cap = 0;
    return block;
}

void tl__loader_set_time(tl_loader *ld, uint32_t n, int64_t ts)
{
    uint64_t t = (uint64_t)ts; /* never negative: the parser refuses that */
    if ((t >> ld->time_shift) > UINT32_MAX) {
        uint32_t shift = ld->time_shift;
        while ((t >> shift) > UINT32_MAX) shift++;
        /* the rows so far had values that fit the old shift: shift them on
         * (a monotone map, so their order is kept) */
        for (uint32_t k = 0; k < n; k++) ld->r_time[k] >>= shift - ld->time_shift;
        ld->time_shift = shift;
    }
    ld->r_time[n] = (uint32_t)(t >> ld->time_shift);
    ld->n_timed++;
}

void tl__prefault(void *p, size_t bytes)
{
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels answer EINVAL */
#endif
    const uintptr_t page = 4096;
    if (!p || bytes < 4 * page) return; /* a call costs about what a few faults do */
    uintptr_t start = (uintptr_t)p & ~(page - 1), end = ((uintptr_t)p + bytes + page - 1) & ~(page - 1);
    (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)bytes;
#endif
}

void *tl__alloc_paged(size_t count, size_t size, int zero)
{
    if (size && count > SIZE_MAX / size) return NULL;
    size_t bytes = count * size;
    void *p = malloc(bytes ? bytes : 1);
    if (!p) return NULL;
    tl__prefault(p, bytes);
    if (zero) memset(p, 0, bytes);
    return p;
}

int tl__loader_reserve_ratings(tl_loader *ld, uint32_t more)
{
    if (more > TL_MAX_RATINGS - ld->n_ratings) return 0;
    uint32_t need = ld->n_ratings + more;
    if (need <= ld->r_cap) return 1;
    uint64_t cap = (uint64_t)ld->r_cap + ld->r_cap / 2 + 1024; /* 1.5x keeps the peak near 12 bytes/rating */
    if (cap < need) cap = need;
    if (cap > TL_MAX_RATINGS) cap = TL_MAX_RATINGS;
    if (cap > SIZE_MAX / 13) return 0;
    const size_t n = ld->n_ratings, old_cap = ld->r_cap, new_bytes = (size_t)cap * 13;
    uint8_t *block;
    if (on_huge_pages(new_bytes)) {
        block = alloc_huge_columns(new_bytes);
        if (!block) return 0;
        if (n) { /* the rows so far move to the new block, column by column */
            memcpy(block, ld->r_user, n * sizeof(uint32_t));
            memcpy(block + (size_t)cap * 4, ld->r_movie, n * sizeof(uint32_t));
            memcpy(block + (size_t)cap * 8, ld->r_time, n * sizeof(uint32_t));
            memcpy(block + (size_t)cap * 12, ld->r_half, n);
        }
        free(ld->r_block);
    } else {
        /* realloc may grow in place (the top of WASM's heap), and the peak
         * stays one block: then the half, time and movie columns move up,
         * in that order (a column's new place can cover the old place of
         * the one after it) */
        block = realloc(ld->r_block, new_bytes);
        if (!block) return 0;
        memmove(block + (size_t)cap * 12, block + old_cap * 12, n);
        memmove(block + (size_t)cap * 8, block + old_cap * 8, n * sizeof(uint32_t));
        memmove(block + (size_t)cap * 4, block + old_cap * 4, n * sizeof(uint32_t));
    }
    ld->r_block = block;
    ld->r_user = (uint32_t *)(void *)block;
    ld->r_movie = (uint32_t *)(void *)(block + (size_t)cap * 4);
    ld->r_time = (uint32_t *)(void *)(block + (size_t)cap * 8);
    ld->r_half = block + (size_t)cap * 12;
    ld->r_cap = (uint32_t)cap;
    ld->r_ready = n;
    return 1;
}

/* The fast path: parses as many simple rating lines as it can
 * ("digits SEP digits SEP d[.d[000]] SEP digits" then LF or CRLF) and
 * returns where it stopped: at a line it leaves to the tokenizer (quoted,
 * malformed, out of range, leading zeros beyond the digit caps, ...) or
 * FAST_MARGIN bytes before the end. The digit caps bound a line at 53
 * bytes, so inside the margin no byte needs an end-of-chunk check; the
 * last lines of a chunk take the general path. (Reading digits 8 bytes at a
 * time was tried: slower here, the lengths predict well.) */
#define FAST_MARGIN 64
#define FAST_WINDOW 8192 /* rows paged in at a time, at least (1/64 of the reservation when more) */

#define PARSE_DIGITS(var, max_digits)         \
    do {                                      \
        uint32_t d_ = (uint32_t)*q - '0';     \
        if (d_ > 9) goto out;                 \
        var = d_;                             \
        q++;                                  \
        for (int k_ = 1;; k_++) {             \
            d_ = (uint32_t)*q - '0';          \
            if (d_ > 9) break;                \
            if (k_ == (max_digits)) goto out; \
            var = var * 10 + d_;              \
            q++;                              \
        }                                     \
    } while (0)

#define PARSE_SEP()                       \
    do {                                  \
        if (*q++ != sep) goto out;        \
        if (dbl && *q++ != sep) goto out; \
    } while (0)

static const uint8_t *fast_ratings(tl_loader *ld, const uint8_t *p, const uint8_t *end)
{
    const uint8_t sep = ld->layout->sep;
    const int dbl = ld->layout->double_sep;
    while (end - p >= FAST_MARGIN) {
        /* use the room there is; grow only when it runs out (no line is
         * shorter than 8 bytes, so a chunk needs at most (end - p) / 8) */
        size_t est = (size_t)(end - p) / 8 + 1;
        uint32_t want = est > 65536 ? 65536 : (uint32_t)est;
        if (ld->r_cap - ld->n_ratings < want && ld->r_cap - ld->n_ratings < 4096 &&
            !tl__loader_reserve_ratings(ld, want))
            return p; /* the general path reports it */
        uint32_t room = ld->r_cap - ld->n_ratings;
        uint32_t n = ld->n_ratings, stop = n + (room < want ? room : want);
        if (n >= ld->r_ready) {
            /* page in the next rows' columns in one go each (faults are
             * dear on virtual machines); never more than a window ahead */
            uint32_t window = ld->r_cap / 64 > FAST_WINDOW ? ld->r_cap / 64 : FAST_WINDOW;
            if (window > room) window = room;
            tl__prefault(ld->r_user + n, (size_t)window * sizeof *ld->r_user);
            tl__prefault(ld->r_movie + n, (size_t)window * sizeof *ld->r_movie);
            tl__prefault(ld->r_time + n, (size_t)window * sizeof *ld->r_time);
            tl__prefault(ld->r_half + n, window);
            ld->r_ready = n + window;
        }
        if (stop > ld->r_ready) stop = ld->r_ready;
        uint32_t *ru = ld->r_user, *rm = ld->r_movie, *rt = ld->r_time;
        uint8_t *rh = ld->r_half;
        const uint32_t shift = ld->time_shift;
        uint32_t max_u = ld->max_user, max_m = ld->max_movie;
        uint32_t *hist = ld->hist;
        int64_t ts_min = ld->ts_min, ts_max = ld->ts_max;
        const uint8_t *limit = end - FAST_MARGIN;
        uint64_t lines = 0;
        while (n < stop && p <= limit) {
            const uint8_t *q = p;
            uint64_t u, m, ts;
            uint32_t half;
            PARSE_DIGITS(u, 10);
            PARSE_SEP();
            PARSE_DIGITS(m, 10);
            PARSE_SEP();
            /* rating: one digit, optionally ".0" or ".5" and up to three more zeros */
            half = ((uint32_t)*q - '0') * 2;
            if (half > 18) goto out;
            q++;
            if (*q == '.') {
                q++;
                if (*q == '5') half++;
                else if (*q != '0') goto out;
                q++;
                for (int k = 0; *q == '0'; k++, q++)
                    if (k == 3) goto out;
            }
            if (half - 1 > 9) goto out; /* 0.5 .. 5.0 */
            PARSE_SEP();
            PARSE_DIGITS(ts, 18);
            if (*q == '\r') q++;
            if (*q++ != '\n') goto out;
            if (u > UINT32_MAX || m > UINT32_MAX) goto out;
            if ((ts >> shift) > UINT32_MAX) goto out; /* the general path widens the shift */

            if (u > max_u) max_u = (uint32_t)u;
            if (m > max_m) max_m = (uint32_t)m;
            ru[n] = (uint32_t)u;
            rm[n] = (uint32_t)m;
            rh[n] = (uint8_t)half;
            rt[n] = (uint32_t)(ts >> shift);
            n++;
            hist[half]++;
            if ((int64_t)ts < ts_min) ts_min = (int64_t)ts;
            if ((int64_t)ts > ts_max) ts_max = (int64_t)ts;
            lines++;
            p = q;
        }
    out:
        ld->n_ratings = n;
        ld->max_user = max_u;
        ld->max_movie = max_m;
        ld->ts_min = ts_min;
        ld->ts_max = ts_max;
        ld->n_timed += (uint32_t)lines;
        ld->line += lines;
        if (n < stop) return p; /* a line for the general path, or the margin */
    }
    return p;
}

/* Bytes of a detected file, from the current position. */
static tl_status process(tl_loader *ld, const uint8_t *p, size_t n, tl_error *err)
{
    if (ld->layout->kind == TL_FILE_IGNORED) return TL_OK;
    const uint8_t *end = p + n;
    const int fast = ld->layout->kind == TL_FILE_RATINGS && ld->map_kind == TL_FILE_UNKNOWN;
    while (p < end) {
        if (fast && !ld->header_pending && tl_csv_idle(&ld->csv)) {
            p = fast_ratings(ld, p, end);
            if (p == end) break;
        }
        size_t used;
        tl_csv_result r = tl_csv_push(&ld->csv, p, (size_t)(end - p), &used);
        p += used;
        if (r == TL_CSV_RECORD) {
            tl_status st = on_record(ld, err);
            if (st) return st;
        } else if (r == TL_CSV_ERROR) {
            return csv_failure(ld, err);
        }
    }
    return TL_OK;
}

static int head_append(tl_loader *ld, const uint8_t *p, size_t n)
{
    if (ld->head_len + n > ld->head_cap) {
        size_t cap = ld->head_cap ? ld->head_cap : 4096;
        while (cap < ld->head_len + n) cap *= 2;
        uint8_t *h = realloc(ld->head, cap);
        if (!h) return 0;
        ld->head = h;
        ld->head_cap = cap;
    }
    memcpy(ld->head + ld->head_len, p, n);
    ld->head_len += n;
    return 1;
}

static int blank(const uint8_t *s, size_t n)
{
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
    return n == 0;
}

/* A UTF-8 byte-order mark can only start the file: drop it once the first
 * line is whole (or the file ends). */
static void drop_bom(tl_loader *ld)
{
    if (!ld->head_at_start) return;
    ld->head_at_start = 0;
    if (ld->head_len >= 3 && ld->head[0] == 0xEF && ld->head[1] == 0xBB && ld->head[2] == 0xBF) {
        memmove(ld->head, ld->head + 3, ld->head_len - 3);
        ld->head_len -= 3;
    }
}

/* Before detection: collect bytes until the first non-blank line is whole
 * (blank lines before it are counted and dropped, so they cost no memory).
 * Returns how much of the chunk was taken (all of it, or up to that line). */
static tl_status detect_feed(tl_loader *ld, const uint8_t *p, size_t n, size_t *taken, tl_error *err)
{
    size_t i = 0;
    *taken = 0;
    while (i < n && !ld->detected) {
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        size_t k = nl ? (size_t)(nl - (p + i)) + 1 : n - i;
        size_t before = ld->head_len;
        if (!head_append(ld, p + i, k))
            return tl__loader_fail(ld, err, TL_E_NOMEM, 0, "out of memory while reading the first line");
        i += k;
        const char *bin;
        if (memchr(ld->head + before, 0, k) ||
            (ld->head_at_start && before < 8 && tl_ml_binary(ld->head, ld->head_len, &bin))) {
            if (tl_ml_binary(ld->head, ld->head_len, &bin))
                return tl__loader_fail(ld, err, TL_E_FORMAT, 0, "this is %s, not a MovieLens text file; expected %s",
                                       bin, expected_text(ld->expect));
        }
        if (ld->head_len > TL_CSV_MAX_RECORD_DEFAULT)
            return tl__loader_fail(ld, err, TL_E_LIMIT, ld->line + 1,
                                   "the first line is longer than 1 MiB, the limit; is this really a MovieLens file?");
        if (!nl) break;
        drop_bom(ld);
        if (blank(ld->head, ld->head_len)) {
            ld->line++;
            ld->head_len = 0;
            continue;
        }
        tl_status st = on_detected(ld, ld->head, ld->head_len, err);
        if (st) return st;
    }
    *taken = i;
    return TL_OK;
}

/* Hands the collected bytes to the detected layout. */
static tl_status flush_head(tl_loader *ld, tl_error *err)
{
    if (ld->head_len == 0) return TL_OK;
    tl_status st = process(ld, ld->head, ld->head_len, err);
    ld->head_len = 0;
    return st;
}

tl_status tl_loader_feed(tl_loader *ld, const uint8_t *bytes, size_t n, tl_error *err)
{
    if (!ld) return tl_fail(err, TL_E_ARG, "tl_loader_feed: no loader");
    tl_status st = check_state(ld, 1, "tl_loader_feed", err);
    if (st) return st;
    if (n == 0) return TL_OK;
    if (!bytes) return tl_fail(err, TL_E_ARG, "tl_loader_feed: no bytes");
    if (!ld->detected) {
        size_t taken;
        st = detect_feed(ld, bytes, n, &taken, err);
        if (st) return st;
        if (!ld->detected) return TL_OK;
        st = flush_head(ld, err);
        if (st) return st;
        bytes += taken;
        n -= taken;
    }
    return process(ld, bytes, n, err);
}

tl_status tl_loader_end(tl_loader *ld, tl_file_kind *kind, tl_error *err)
{
    if (kind) *kind = TL_FILE_UNKNOWN;
    if (!ld) return tl_fail(err, TL_E_ARG, "tl_loader_end: no loader");
    tl_status st = check_state(ld, 1, "tl_loader_end", err);
    if (st) return st;
    if (!ld->detected) {
        drop_bom(ld);
        if (ld->head_len == 0 || blank(ld->head, ld->head_len))
            return tl__loader_fail(ld, err, TL_E_FORMAT, 0, "the file is empty; expected %s",
                                   expected_text(ld->expect));
        st = on_detected(ld, ld->head, ld->head_len, err);
        if (st) return st;
        st = flush_head(ld, err);
        if (st) return st;
    }
    if (ld->layout->kind != TL_FILE_IGNORED) {
        tl_csv_result r = tl_csv_finish(&ld->csv);
        if (r == TL_CSV_ERROR) return csv_failure(ld, err);
        if (r == TL_CSV_RECORD) {
            st = on_record(ld, err);
            if (st) return st;
        }
        tl_csv_free(&ld->csv);
        ld->csv_ready = 0;
    }
    ld->in_file = 0;
    if (kind) *kind = ld->layout->kind;
    return TL_OK;
}
