/* EASE scoring, explanations and similar movies (ease.h). */
#include <stdlib.h>
#include <string.h>

#include "ease_internal.h"
#include "towerlens/kernels.h"

void tl_ease_get_info(const tl_ease_model *m, tl_ease_info *out)
{
    *out = (tl_ease_info){0};
    if (!m) return;
    out->n_movies = m->n_movies;
    out->n_items = m->n_items;
    out->n_users = m->n_users;
    out->min_count = m->min_count;
    out->lambda = m->opt.lambda;
    out->low_weight = m->opt.low_weight;
    out->values = m->opt.values;
    out->model_bytes = sizeof *m + (size_t)m->n_items * m->n_items * sizeof(float) +
                       ((size_t)m->n_movies * 2 + m->n_items) * sizeof(uint32_t);
    out->peak_bytes = m->peak_bytes;
}

uint32_t tl_ease_item_of(const tl_ease_model *m, uint32_t movie)
{
    return movie < m->n_movies ? m->item_of_movie[movie] : TL_EASE_NONE;
}

uint32_t tl_ease_movie_of(const tl_ease_model *m, uint32_t item)
{
    return item < m->n_items ? m->movie_of_item[item] : UINT32_MAX;
}

float tl_ease_weight(const tl_ease_model *m, uint32_t from_movie, uint32_t to_movie)
{
    uint32_t i = tl_ease_item_of(m, from_movie), j = tl_ease_item_of(m, to_movie);
    if (i == TL_EASE_NONE || j == TL_EASE_NONE) return 0.0f;
    return m->B[(size_t)i * m->n_items + j];
}

/* Checks a profile and fills x (n_items floats, zeroed here). */
static tl_status profile_x(const tl_ease_model *m, const uint32_t *movies, const uint8_t *half, uint32_t n, float *x,
                           uint8_t *mark, tl_error *err)
{
    if (n && (!movies || !half)) return tl_fail(err, TL_E_ARG, "EASE: a profile of %u ratings without its arrays", n);
    memset(x, 0, (size_t)m->n_items * sizeof *x);
    memset(mark, 0, m->n_movies);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t mv = movies[k];
        if (mv >= m->n_movies)
            return tl_fail(err, TL_E_ARG, "EASE: profile movie index %u is past the %u movies", mv, m->n_movies);
        if (half[k] < 1 || half[k] > 10)
            return tl_fail(err, TL_E_ARG, "EASE: rating %u half stars of movie index %u is outside 1..10",
                           (unsigned)half[k], mv);
        if (mark[mv]) return tl_fail(err, TL_E_ARG, "EASE: movie index %u is in the profile twice", mv);
        mark[mv] = 1;
        uint32_t it = m->item_of_movie[mv];
        if (it != TL_EASE_NONE) x[it] = m->value[half[k]];
    }
    return TL_OK;
}

tl_status tl_ease_score(const tl_ease_model *m, const uint32_t *movies, const uint8_t *half, uint32_t n, float *scores,
                        tl_error *err)
{
    if (!m || !scores) return tl_fail(err, TL_E_ARG, "EASE: no model or no score array given");
    size_t ni = m->n_items;
    float *x = malloc(ni * sizeof *x), *s = calloc(ni, sizeof *s);
    uint8_t *mark = malloc(m->n_movies ? m->n_movies : 1);
    tl_status st = x && s && mark ? TL_OK : tl_fail(err, TL_E_NOMEM, "EASE: out of memory scoring");
    if (st == TL_OK) st = profile_x(m, movies, half, n, x, mark, err);
    if (st == TL_OK) {
        /* s = sum_i x_i B[i][*], items i ascending */
        for (size_t i = 0; i < ni; i++)
            if (x[i] != 0.0f) tl_axpy(x[i], m->B + i * ni, s, ni);
        for (uint32_t mv = 0; mv < m->n_movies; mv++) {
            uint32_t it = m->item_of_movie[mv];
            if (it != TL_EASE_NONE) {
                scores[mv] = s[it] < TL_EASE_FLOOR ? TL_EASE_FLOOR : s[it];
            } else {
                uint32_t c = m->train_count[mv] < (1u << 18) ? m->train_count[mv] : (1u << 18);
                scores[mv] = TL_EASE_OUTSIDE + (float)c;
            }
        }
    }
    free(x), free(s), free(mark);
    return st;
}

tl_status tl_ease_explain(const tl_ease_model *m, const uint32_t *movies, const uint8_t *half, uint32_t n,
                          uint32_t movie, tl_ease_reason *out, uint32_t *n_out, tl_error *err)
{
    if (!m || !out || !n_out) return tl_fail(err, TL_E_ARG, "EASE: no model or no output given");
    *n_out = 0;
    if (movie >= m->n_movies)
        return tl_fail(err, TL_E_ARG, "EASE: movie index %u is past the %u movies", movie, m->n_movies);
    float *x = malloc((size_t)m->n_items * sizeof *x);
    uint8_t *mark = malloc(m->n_movies ? m->n_movies : 1);
    tl_status st = x && mark ? TL_OK : tl_fail(err, TL_E_NOMEM, "EASE: out of memory explaining");
    if (st == TL_OK) st = profile_x(m, movies, half, n, x, mark, err);
    uint32_t target = m->item_of_movie[movie < m->n_movies ? movie : 0];
    if (st == TL_OK && target != TL_EASE_NONE) {
        uint32_t k = 0;
        for (uint32_t p = 0; p < n; p++) {
            uint32_t it = m->item_of_movie[movies[p]];
            if (half[p] < 8 || it == TL_EASE_NONE || movies[p] == movie) continue;
            float c = x[it] * m->B[(size_t)it * m->n_items + target];
            if (!(c > 0.0f)) continue;
            tl_ease_reason r = {movies[p], half[p], c};
            /* insertion into the best TL_EASE_MAX_REASONS, larger first, ties to the lower index */
            uint32_t pos = k;
            while (pos > 0 &&
                   (out[pos - 1].contribution < c || (out[pos - 1].contribution == c && out[pos - 1].movie > r.movie)))
                pos--;
            if (pos >= TL_EASE_MAX_REASONS) continue;
            uint32_t last = k < TL_EASE_MAX_REASONS ? k : TL_EASE_MAX_REASONS - 1;
            for (uint32_t q = last; q > pos; q--) out[q] = out[q - 1];
            out[pos] = r;
            if (k < TL_EASE_MAX_REASONS) k++;
        }
        *n_out = k;
    }
    free(x), free(mark);
    return st;
}

tl_status tl_ease_similar(const tl_ease_model *m, uint32_t movie, uint32_t k, tl_scored *out, uint32_t *n_out,
                          tl_error *err)
{
    if (!m || !n_out || (k && !out)) return tl_fail(err, TL_E_ARG, "EASE: no model or no output given");
    *n_out = 0;
    if (movie >= m->n_movies)
        return tl_fail(err, TL_E_ARG, "EASE: movie index %u is past the %u movies", movie, m->n_movies);
    uint32_t it = m->item_of_movie[movie];
    if (it == TL_EASE_NONE || k == 0) return TL_OK;
    size_t ni = m->n_items;
    tl_topk top;
    tl_topk_init(&top, out, k);
    for (uint32_t j = 0; j < ni; j++) /* column it: B[j][it] */
        if (j != it) tl_topk_push(&top, m->movie_of_item[j], m->B[j * ni + it]);
    *n_out = tl_topk_finish(&top);
    return TL_OK;
}
