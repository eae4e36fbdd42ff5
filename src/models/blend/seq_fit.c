/* The blend's time-neighbour part, fitted (blend_internal.h, docs/training.md
 * "Blend"). Each user's train ratings are put in time order (ties by row);
 * two movies rated d places apart (1 <= d <= TL_SEQ_SPAN) add e^-d to their
 * pair, summed over every user: S[i][j]. Kept: V[i][j] = S[i][j] /
 * sqrt(n_i n_j), n = the movie's train ratings, every pair (no top-k: the
 * study kept all, bench/RESULTS.md). Rows are built one movie at a time,
 * its occurrences in ascending place order and each row's neighbours in
 * ascending dense index: the same bits for any thread count and in WASM. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/blend/blend_internal.h"
#include "models/models_internal.h"

typedef struct when {
    uint32_t t, row;
} when;

static int by_time(const void *a, const void *b)
{
    const when *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

void tl__seq_free(tl__seq *q)
{
    if (!q) return;
    free(q->block);
    memset(q, 0, sizeof *q);
}

/* The places of every user's ratings in time order: movie[p], the user's
 * first place lo[p] and end hi[p] for place p; occ: places by movie. */
typedef struct places {
    uint32_t *movie, *lo, *hi, *occ_start, *occ;
} places;

static void places_free(places *p) { free(p->movie), free(p->lo), free(p->hi), free(p->occ_start), free(p->occ); }

static tl_status make_places(const tl_dataset *ds, const uint32_t *rows, uint32_t n, places *p, tl_error *err)
{
    uint32_t nu = ds->n_users, nm = ds->n_movies;
    memset(p, 0, sizeof *p);
    uint32_t *start = calloc((size_t)nu + 1, sizeof *start);
    when *w = malloc(((size_t)n + 1) * sizeof *w);
    p->movie = malloc(((size_t)n + 1) * sizeof *p->movie);
    p->lo = malloc(((size_t)n + 1) * sizeof *p->lo);
    p->hi = malloc(((size_t)n + 1) * sizeof *p->hi);
    p->occ_start = calloc((size_t)nm + 1, sizeof *p->occ_start);
    p->occ = malloc(((size_t)n + 1) * sizeof *p->occ);
    if (!start || !w || !p->movie || !p->lo || !p->hi || !p->occ_start || !p->occ) {
        free(start), free(w), places_free(p);
        return tl_fail(err, TL_E_NOMEM, "blend: out of memory ordering %u ratings by time", n);
    }
    for (uint32_t i = 0; i < n; i++) start[ds->r_user[rows[i]] + 1]++;
    for (uint32_t u = 0; u < nu; u++) start[u + 1] += start[u];
    for (uint32_t i = 0; i < n; i++) { /* start[u] runs ahead while filling, then is shifted back */
        uint32_t r = rows[i];
        w[start[ds->r_user[r]]++] = (when){ds->r_time[r], r};
    }
    for (uint32_t u = nu; u > 0; u--) start[u] = start[u - 1];
    start[0] = 0;
    for (uint32_t u = 0; u < nu; u++) {
        uint32_t a = start[u], b = start[u + 1];
        qsort(w + a, b - a, sizeof *w, by_time);
        for (uint32_t k = a; k < b; k++) {
            p->movie[k] = ds->r_movie[w[k].row];
            p->lo[k] = a, p->hi[k] = b;
            p->occ_start[p->movie[k] + 1]++;
        }
    }
    for (uint32_t m = 0; m < nm; m++) p->occ_start[m + 1] += p->occ_start[m];
    uint32_t *fill = malloc(((size_t)nm + 1) * sizeof *fill);
    if (!fill) {
        free(start), free(w), places_free(p);
        return tl_fail(err, TL_E_NOMEM, "blend: out of memory ordering %u ratings by time", n);
    }
    memcpy(fill, p->occ_start, (size_t)nm * sizeof *fill);
    for (uint32_t k = 0; k < n; k++) p->occ[fill[p->movie[k]]++] = k;
    free(fill), free(start), free(w);
    return TL_OK;
}

/* Row i's pairs into acc; hit: a bit per neighbour, touched: the
 * neighbours in first-touch order. */
static uint32_t row_pairs(const places *p, uint32_t i, const float *decay, float *acc, uint64_t *hit, uint32_t *touched)
{
    uint32_t nt = 0;
    for (uint32_t o = p->occ_start[i]; o < p->occ_start[i + 1]; o++) {
        uint32_t k = p->occ[o];
        for (uint32_t d = 1; d <= TL_SEQ_SPAN; d++) {
            uint32_t side[2], ns = 0;
            if (k >= p->lo[k] + d) side[ns++] = k - d;
            if (k + d < p->hi[k]) side[ns++] = k + d;
            for (uint32_t s = 0; s < ns; s++) {
                uint32_t j = p->movie[side[s]];
                if (j == i) continue;
                if (!(hit[j >> 6] >> (j & 63) & 1)) hit[j >> 6] |= 1ull << (j & 63), touched[nt++] = j;
                acc[j] += decay[d];
            }
        }
    }
    return nt;
}

tl_status tl__seq_fit(const tl_dataset *ds, const uint32_t *rows, uint32_t n, tl__seq *out, tl_error *err)
{
    memset(out, 0, sizeof *out);
    if (!ds->r_time || !ds->movies) return TL_OK; /* no times: no part */
    uint32_t nm = ds->n_movies;
    places p;
    tl_status st = make_places(ds, rows, n, &p, err);
    if (st != TL_OK) return st;
    /* e^-d as floats, written out: no libm in the model's bits (glibc and WASM's may differ in an ulp) */
    static const float decay[TL_SEQ_SPAN + 1] = {1.0f,           0.36787945f,     0.135335281f,
                                                 0.0497870669f,  0.0183156393f,   0.006737947f,
                                                 0.00247875229f, 0.000911881973f, 0.000335462624f};
    float *acc = calloc((size_t)nm + 1, sizeof *acc);
    size_t words = ((size_t)nm + 63) / 64;
    uint64_t *hit = calloc(words + 1, sizeof *hit);
    uint32_t *touched = malloc(((size_t)nm + 1) * sizeof *touched);
    uint32_t *count = calloc((size_t)nm + 1, sizeof *count);
    if (!acc || !hit || !touched || !count) st = tl_fail(err, TL_E_NOMEM, "blend: out of memory for time neighbours");
    /* pass 1: the rows' sizes */
    size_t nnz = 0;
    uint32_t n_rows = 0;
    for (uint32_t i = 0; st == TL_OK && i < nm; i++) {
        uint32_t nt = row_pairs(&p, i, decay, acc, hit, touched);
        for (uint32_t t = 0; t < nt; t++) acc[touched[t]] = 0.0f, hit[touched[t] >> 6] = 0;
        count[i] = nt, nnz += nt, n_rows += nt > 0;
    }
    int over = nnz > TL_SEQ_MAX_PAIRS; /* beyond the budget: no part (the 2-part blend), not a failure */
    if (st == TL_OK && !over) {
        out->block = malloc(((size_t)n_rows * 2 + nnz * 2 + 1) * sizeof(float));
        if (!out->block) st = tl_fail(err, TL_E_NOMEM, "blend: out of memory for %zu time-neighbour pairs", nnz);
    }
    if (st == TL_OK && !over) {
        out->n_rows = n_rows, out->nnz = (uint32_t)nnz;
        out->movies = out->block, out->counts = out->movies + n_rows;
        out->index = out->counts + n_rows, out->value = out->index + nnz;
        size_t at = 0;
        uint32_t r = 0;
        for (uint32_t i = 0; i < nm; i++) {
            if (!count[i]) continue;
            uint32_t nt = row_pairs(&p, i, decay, acc, hit, touched);
            float ni = (float)(p.occ_start[i + 1] - p.occ_start[i]);
            /* the neighbours in ascending order: the set bits, word by word (no sort) */
            for (size_t w = 0; w < words; w++) {
                for (uint64_t x = hit[w]; x; x &= x - 1) {
                    uint32_t j = (uint32_t)(w * 64 + (uint32_t)__builtin_ctzll(x));
                    float nj = (float)(p.occ_start[j + 1] - p.occ_start[j]);
                    out->index[at] = (float)ds->movies[j].id;
                    out->value[at++] = acc[j] / sqrtf(ni * nj);
                    acc[j] = 0.0f;
                }
                hit[w] = 0;
            }
            out->movies[r] = (float)ds->movies[i].id, out->counts[r++] = (float)nt;
        }
    }
    free(acc), free(hit), free(touched), free(count);
    places_free(&p);
    if (st != TL_OK) tl__seq_free(out);
    return st;
}

uint32_t tl__seq_tensors(const tl__seq *q, tl_tensor *out)
{
    if (q->n_rows == 0) return 0;
    tl__tensor_set(&out[0], "seq.movies", q->n_rows, 1, q->movies);
    tl__tensor_set(&out[1], "seq.counts", q->n_rows, 1, q->counts);
    tl__tensor_set(&out[2], "seq.index", q->nnz, 1, q->index);
    tl__tensor_set(&out[3], "seq.value", q->nnz, 1, q->value);
    return 4;
}
