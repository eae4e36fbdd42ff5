/* "Because you rated" (index.h tl_index_because): hand-made models where
 * it is known which liked movies drive a score. The dot-product explain
 * against an independent solve of the least-squares fold-in's system and
 * against that fold-in's own score; imported factors' against their
 * Spark fold-in's score; EASE's shares against x_i B[i][j];
 * popularity has none; low ratings are never reasons; the seen ratings a
 * model file keeps (STAR) for known users. */
#include <math.h>

#include "check.h"
#include "eval_fixture.h"
#include "towerlens.h"

#define D 3
#define NM 8

/* 0 = x, 1 = y, 2 = z, 3 = -x, 4 = the target (mostly x), 5 = x again (a
 * twin of 0), 6 = the diagonal, 7 = another target (mostly z); OOV last. */
static const float movies_f[(NM + 1) * D] = {1, 0, 0, 0, 1,    0,    0,    0, 1,    -1,   0, 0, 0.9f, 0.3f,
                                             0, 1, 0, 0, 0.5f, 0.5f, 0.5f, 0, 0.2f, 0.9f, 0, 0, 0};
static const float users_f[3 * D] = {0};

/* The profile: 5 and 0 at 5 stars (listed 5 first), 1 at 4.5, 2 at 5, 3 at
 * 1 star, 6 at 3 stars. */
static const uint32_t prof_m[] = {5, 0, 1, 2, 3, 6};
static const float prof_s[] = {5, 5, 4.5f, 5, 1, 3};

/* contrib_i = c_i p_i y_t^T A^-1 y_i with A = G + lambda I + sum (c_i - 1)
 * y_i y_i^T (every movie in the catalogue), by Gauss-Jordan in double. */
static void reference(uint32_t target, double *out, uint32_t n)
{
    double A[D][D] = {{0}}, tr = 0, inv[D][D] = {{0}};
    for (uint32_t m = 0; m < NM; m++)
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++) A[a][b] += (double)movies_f[m * D + a] * movies_f[m * D + b];
    for (int a = 0; a < D; a++) tr += A[a][a];
    for (int a = 0; a < D; a++) A[a][a] += 10.0 * tr / D, inv[a][a] = 1; /* TL_FOLDIN_LSQ_L2 */
    double w[16];
    for (uint32_t i = 0; i < n; i++) {
        double t = (prof_s[i] - 2.5) / 2.5, c = 1 + 10 * fabs(t); /* alpha 10 */
        w[i] = t > 0 ? c : t < 0 ? -c : 0;
        const float *y = movies_f + prof_m[i] * D;
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++) A[a][b] += (c - 1) * y[a] * y[b];
    }
    for (int c = 0; c < D; c++) {
        double p = A[c][c];
        for (int j = 0; j < D; j++) A[c][j] /= p, inv[c][j] /= p;
        for (int r = 0; r < D; r++) {
            if (r == c) continue;
            double f = A[r][c];
            for (int j = 0; j < D; j++) A[r][j] -= f * A[c][j], inv[r][j] -= f * inv[c][j];
        }
    }
    const float *yt = movies_f + target * D;
    for (uint32_t i = 0; i < n; i++) {
        const float *y = movies_f + prof_m[i] * D;
        double s = 0;
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++) s += yt[a] * inv[a][b] * y[b];
        out[i] = w[i] * s;
    }
}

static void test_dot_product(void)
{
    tl_dataset *ds = fixture_dataset(2, NM, NM, NULL, 0);
    tl_embeddings e = {users_f, movies_f, D, D, D};
    tl_index *idx = NULL;
    tl_error err;
    CHECK_INT(tl_index_new_embeddings(ds, &e, &idx, &err), TL_OK);
    if (!idx) return;
    tl_scorer *sc = tl_index_scorer(idx);
    const uint32_t n = 6;
    tl_profile p = {prof_m, prof_s, n};

    /* the shares are the least-squares fold-in's terms ... */
    uint32_t targets[2] = {4, 7};
    float contrib[2 * 6];
    CHECK_INT(tl_scorer_explain(sc, users_f, &p, targets, 2, contrib, &err), TL_OK);
    for (uint32_t t = 0; t < 2; t++) {
        double want[6];
        reference(targets[t], want, n);
        for (uint32_t i = 0; i < n; i++) CHECK_NEAR(contrib[t * n + i], want[i], 1e-5 * (1 + fabs(want[i])));
    }
    /* ... adding up to that fold-in's score exactly */
    tl_foldin_options lsq;
    tl_foldin_options_default(&lsq);
    lsq.method = TL_FOLDIN_LSQ;
    float u[D];
    CHECK_INT(tl_index_foldin(idx, prof_m, prof_s, n, &lsq, u, &err), TL_OK);
    for (uint32_t t = 0; t < 2; t++) {
        double sum = 0, score = 0;
        for (uint32_t i = 0; i < n; i++) sum += contrib[t * n + i];
        for (int a = 0; a < D; a++) score += (double)u[a] * movies_f[targets[t] * D + a];
        CHECK_NEAR(sum, score, 1e-5 * (1 + fabs(score)));
    }
    /* the disliked -x movie adds to the x-heavy target (its share is > 0),
     * and so does the 3-star diagonal one (above neutral 2.5, below liked) */
    CHECK(contrib[4] > 0.0f && contrib[4] > contrib[2]);
    CHECK(contrib[5] > 0.0f);

    /* the reasons for 4: the x movies (a tie: the lower index first), then
     * y; never the 1-star -x movie; at most 3. For 7 (mostly z): z, then y */
    tl_scored items[2] = {{4, 0}, {7, 0}};
    tl_reason r[2 * TL_REASONS_MAX];
    uint32_t nr[2] = {9, 9};
    CHECK_INT(tl_index_because(idx, u, &p, items, 2, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 3);
    CHECK_INT(r[0].movie, 0);
    CHECK_INT(r[1].movie, 5);
    CHECK_INT(r[2].movie, 1);
    CHECK(r[0].contribution == r[1].contribution && r[1].contribution > r[2].contribution);
    CHECK(r[0].stars == 5.0f && r[2].stars == 4.5f);
    CHECK(r[0].contribution == contrib[1]);
    CHECK_INT(nr[1], 2);
    CHECK_INT(r[3].movie, 2);
    CHECK_INT(r[4].movie, 1);
    for (uint32_t i = 0; i < 2; i++)
        for (uint32_t k = 0; k < nr[i]; k++)
            CHECK(r[i * 3 + k].movie != 3 && r[i * 3 + k].movie != 6 && r[i * 3 + k].stars >= 4.0f);

    /* the 1-star movie alone: a positive share, still no reason */
    tl_profile low = {&prof_m[4], &prof_s[4], 1};
    CHECK_INT(tl_scorer_explain(sc, u, &low, targets, 1, contrib, &err), TL_OK);
    CHECK(contrib[0] > 0.0f);
    CHECK_INT(tl_index_because(idx, u, &low, items, 1, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 0);
    /* max 1; max 0; without stars every movie is liked (implicit) */
    CHECK_INT(tl_index_because(idx, u, &p, items, 1, 1, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 1);
    CHECK_INT(r[0].movie, 0);
    CHECK_INT(tl_index_because(idx, u, &p, items, 1, 0, NULL, nr, &err), TL_OK);
    CHECK_INT(nr[0], 0);
    tl_profile implicit = {prof_m, NULL, n};
    CHECK_INT(tl_index_because(idx, u, &implicit, items, 1, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 3);
    CHECK(r[0].stars == 0.0f);
    /* the ranked movie is never its own reason */
    tl_scored self = {0, 0};
    CHECK_INT(tl_index_because(idx, u, &p, &self, 1, TL_REASONS_MAX, r, nr, &err), TL_OK);
    for (uint32_t k = 0; k < nr[0]; k++) CHECK(r[k].movie != 0);
    /* bad input */
    tl_scored far = {NM, 0};
    CHECK_INT(tl_index_because(idx, u, &p, &far, 1, TL_REASONS_MAX, r, nr, &err), TL_E_ARG);
    uint32_t bad_m = NM + 3;
    tl_profile bad = {&bad_m, NULL, 1};
    CHECK_INT(tl_index_because(idx, u, &bad, items, 1, TL_REASONS_MAX, r, nr, &err), TL_E_ARG);
    CHECK_INT(tl_scorer_explain(sc, u, &p, &bad_m, 1, contrib, &err), TL_E_ARG);
    tl_index_free(idx);
    tl_dataset_free(ds);
}

/* EASE from hand-made tensors: 5 items (movies 0-4), movie 5 outside. */
/* A model file of tensors t written to *bytes (caller frees) and read back
 * into *mf, opened as *sc behind an index; NULL (checks failed) on error. */
static tl_index *open_written(const tl_dataset *ds, const char *config, const tl_tensor *t, uint32_t n,
                              const char *name, tl_buf *bytes, tl_model_file **mf, tl_scorer **sc)
{
    tl_error err;
    tl_index *idx = NULL;
    tl_buf_init(bytes);
    CHECK_INT(tl_store_write(ds, NULL, config, NULL, t, n, bytes, &err), TL_OK);
    CHECK_INT(tl_store_read((const uint8_t *)bytes->data, bytes->len, name, mf, &err), TL_OK);
    if (*mf) CHECK_INT(tl_model_open(*mf, sc, &err), TL_OK);
    if (*sc) CHECK_INT(tl_index_new((*mf)->ds, *sc, &idx, &err), TL_OK);
    return idx;
}

static void test_ease(void)
{
    tl_dataset *ds = fixture_dataset(1, 6, 6, NULL, 0);
    float ids[5] = {1, 2, 3, 4, 5}, B[25] = {0}, counts[7] = {3, 3, 3, 3, 3, 1, 0}, values[10];
    for (int h = 1; h <= 10; h++) values[h - 1] = 0.1f * (float)h; /* x = stars / 5 */
    B[0 * 5 + 4] = 0.2f, B[1 * 5 + 4] = 0.3f, B[2 * 5 + 4] = 2.0f, B[3 * 5 + 4] = -0.1f;
    B[0 * 5 + 1] = 0.7f, B[3 * 5 + 1] = 0.05f;
    tl_tensor t[4] = {
        {"ease.items", 5, 1, ids}, {"ease.B", 5, 5, B}, {"ease.counts", 7, 1, counts}, {"ease.values", 10, 1, values}};
    tl_buf bytes;
    tl_error err;
    tl_model_file *mf = NULL;
    tl_scorer *sc = NULL;
    tl_index *idx = open_written(ds, "{\"model\":\"ease\"}", t, 4, "ease.tlm", &bytes, &mf, &sc);
    if (!idx) return;
    CHECK_STR(sc->type, "ease");
    /* 0 at 5 stars, 1 at 4, 2 at 1 star (x 0.2, B 2.0: the largest share), 3 at 4.5, 5 outside */
    const uint32_t pm[5] = {0, 1, 2, 3, 5};
    const float ps[5] = {5, 4, 1, 4.5f, 5};
    tl_profile p = {pm, ps, 5};
    float state[5];
    CHECK_INT(tl_index_foldin(idx, pm, ps, 5, NULL, state, &err), TL_OK);
    uint32_t targets[2] = {4, 1};
    float c[10];
    CHECK_INT(tl_scorer_explain(sc, state, &p, targets, 2, c, &err), TL_OK);
    /* x_i B[i][j], bit for bit */
    const float *x = values; /* x by half stars: values[h - 1] */
    CHECK(c[0] == x[9] * B[0 * 5 + 4] && c[1] == x[7] * B[1 * 5 + 4] && c[2] == x[1] * B[2 * 5 + 4]);
    CHECK(c[3] == x[8] * B[3 * 5 + 4] && c[4] == 0.0f && c[3] < 0.0f);
    CHECK(c[5] == x[9] * B[0 * 5 + 1] && c[6] == 0.0f && c[8] == x[8] * B[3 * 5 + 1]);
    CHECK(c[2] > c[1] && c[1] > c[0]); /* the 1-star movie's share is the largest */
    /* the shares add up to the score */
    float scores[6];
    tl_scorer_score(sc, state, 1, 0, 6, scores, 6);
    CHECK_NEAR(scores[4], (double)c[0] + c[1] + c[2] + c[3], 1e-6);
    tl_scored items[2] = {{4, scores[4]}, {1, scores[1]}};
    tl_reason r[2 * TL_REASONS_MAX];
    uint32_t nr[2];
    CHECK_INT(tl_index_because(idx, state, &p, items, 2, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 2); /* never the 1-star movie 2; 3's share is negative */
    CHECK_INT(r[0].movie, 1);
    CHECK_INT(r[1].movie, 0);
    CHECK(r[0].contribution == c[1] && r[0].stars == 4.0f);
    CHECK_INT(nr[1], 2); /* for movie 1: 0 then 3; 1 itself is not its own reason */
    CHECK_INT(r[3].movie, 0);
    CHECK_INT(r[4].movie, 3);
    /* a target outside the item set has none */
    tl_scored outside = {5, 0};
    CHECK_INT(tl_index_because(idx, state, &p, &outside, 1, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 0);
    tl_index_free(idx);
    tl_scorer_free(sc);
    tl_model_file_free(mf);
    tl_buf_free(&bytes);
    tl_dataset_free(ds);
}

/* Imported factors with a recorded Spark fold-in: the shares are that
 * system's terms and add up to its fold-in's score. */
static void test_imported(void)
{
    static const char *configs[2] = {"{\"preset\":\"imported\",\"foldin\":{\"method\":\"als\",\"reg\":0.1}}",
                                     "{\"preset\":\"imported\",\"foldin\":{\"method\":\"ials\",\"reg\":0.05,"
                                     "\"alpha\":2}}"};
    tl_dataset *ds = fixture_dataset(2, NM, NM, NULL, 0);
    float users[3 * D] = {0}, movies[(NM + 1) * D];
    memcpy(movies, movies_f, sizeof movies);
    tl_tensor t[2] = {{"users", 3, D, users}, {"movies", NM + 1, D, movies}};
    for (int c = 0; c < 2; c++) {
        tl_buf bytes;
        tl_error err;
        tl_model_file *mf = NULL;
        tl_scorer *sc = NULL;
        tl_index *idx = open_written(ds, configs[c], t, 2, "imp.tlm", &bytes, &mf, &sc);
        if (!idx) return;
        CHECK_STR(sc->type, "imported");
        const uint32_t n = 6;
        tl_profile p = {prof_m, prof_s, n};
        float u[D], contrib[2 * 6];
        uint32_t targets[2] = {4, 7};
        CHECK_INT(tl_index_foldin(idx, prof_m, prof_s, n, NULL, u, &err), TL_OK);
        CHECK_INT(tl_scorer_explain(sc, u, &p, targets, 2, contrib, &err), TL_OK);
        for (uint32_t q = 0; q < 2; q++) {
            double sum = 0, score = 0;
            for (uint32_t i = 0; i < n; i++) sum += contrib[q * n + i];
            for (int a = 0; a < D; a++) score += (double)u[a] * movies_f[targets[q] * D + a];
            CHECK_NEAR(sum, score, 1e-5 * (1 + fabs(score)));
        }
        /* explicit ALS: every rating pulls towards its movie, the 1-star one too; never a reason */
        if (c == 0) CHECK(contrib[4] != 0.0f);
        tl_scored items[2] = {{4, 0}, {7, 0}};
        tl_reason r[2 * TL_REASONS_MAX];
        uint32_t nr[2];
        CHECK_INT(tl_index_because(idx, u, &p, items, 2, TL_REASONS_MAX, r, nr, &err), TL_OK);
        CHECK(nr[0] > 0 && nr[1] > 0);
        for (uint32_t i = 0; i < 2; i++)
            for (uint32_t k = 0; k < nr[i]; k++) CHECK(r[i * 3 + k].stars >= 4.0f && r[i * 3 + k].contribution > 0);
        CHECK_INT(r[0].movie, 0); /* the x movies drive the x-heavy target */
        CHECK_INT(r[1].movie, 5);
        tl_index_free(idx);
        tl_scorer_free(sc);
        tl_model_file_free(mf);
        tl_buf_free(&bytes);
    }
    tl_dataset_free(ds);
}

static void test_popularity(void)
{
    tl_dataset *ds = fixture_dataset(1, 4, 4, NULL, 0);
    float counts[5] = {4, 3, 2, 1, 0};
    tl_scorer *sc = NULL;
    tl_index *idx = NULL;
    tl_error err;
    CHECK_INT(tl_popularity_scorer_new(ds, counts, &sc, &err), TL_OK);
    CHECK_INT(tl_index_new(ds, sc, &idx, &err), TL_OK);
    if (!idx) return;
    const uint32_t pm[2] = {1, 2};
    const float ps[2] = {5, 5};
    tl_profile p = {pm, ps, 2};
    tl_scored items[2] = {{0, 4}, {3, 1}};
    tl_reason r[2 * TL_REASONS_MAX];
    uint32_t nr[2] = {7, 7};
    CHECK_INT(tl_index_because(idx, NULL, &p, items, 2, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 0);
    CHECK_INT(nr[1], 0);
    tl_index_free(idx);
    tl_scorer_free(sc);
    tl_dataset_free(ds);
}

/* Known users: the seen movies' ratings (highest of a repeated pair), kept
 * by the model file (STAR), give the reasons; without them, none. */
static void test_known_user(void)
{
    /* user 0: 0 at 1 star then 5 stars, 1 at 4.5, 3 at 1 star, 2 at 3; user 1: 4 */
    const uint32_t tr[] = {0, 0, 2, 0, 1, 9, 0, 3, 2, 0, 0, 10, 0, 2, 6, 1, 4, 8};
    tl_dataset *ds = fixture_dataset(2, NM, NM, tr, 6);
    tl_seen *seen = NULL;
    uint8_t *half = NULL;
    tl_error err;
    CHECK_INT(tl_seen_new(ds, NULL, 6, &seen, &err), TL_OK);
    CHECK_INT(tl_seen_half(ds, seen, &half, &err), TL_OK);
    if (!half) return;
    CHECK_INT(seen->offsets[1], 4); /* 0, 1, 2, 3 */
    CHECK_INT(half[0], 10);
    CHECK_INT(half[1], 9);
    CHECK_INT(half[2], 6);
    CHECK_INT(half[3], 2);
    CHECK_INT(half[4], 8);
    /* the model file keeps them */
    float users[3 * D] = {1, 0.2f, 0, 0, 1, 0, 0, 0, 0}, movies[(NM + 1) * D];
    memcpy(movies, movies_f, sizeof movies);
    tl_tensor t[2] = {{"users", 3, D, users}, {"movies", NM + 1, D, movies}};
    tl_buf bytes, again;
    tl_buf_init(&bytes), tl_buf_init(&again);
    tl_model_file *mf = NULL;
    CHECK_INT(tl_store_write(ds, seen, NULL, NULL, t, 2, &bytes, &err), TL_OK);
    CHECK_INT(tl_store_read((const uint8_t *)bytes.data, bytes.len, "m.tlm", &mf, &err), TL_OK);
    if (!mf) return;
    CHECK(mf->seen_half && !memcmp(mf->seen_half, half, 5));
    CHECK_INT(tl_store_write_rated(mf->ds, mf->seen, mf->seen_half, NULL, NULL, t, 2, &again, &err), TL_OK);
    CHECK(again.len == bytes.len && !memcmp(again.data, bytes.data, bytes.len));
    tl_index *idx = NULL;
    CHECK_INT(tl_index_new_embeddings(mf->ds, &(tl_embeddings){users, movies_f, D, D, D}, &idx, &err), TL_OK);
    if (!idx) return;
    tl_scored items[1] = {{4, 0}};
    tl_reason r[TL_REASONS_MAX];
    uint32_t nr[1];
    CHECK_INT(tl_index_because_user(idx, 0, mf->seen, mf->seen_half, items, 1, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 2); /* 0 (5 stars), 1 (4.5); never 3 (1 star) nor 2 (3 stars) */
    CHECK_INT(r[0].movie, 0);
    CHECK(r[0].stars == 5.0f);
    CHECK_INT(r[1].movie, 1);
    CHECK(r[1].stars == 4.5f);
    CHECK_INT(tl_index_because_user(idx, 0, mf->seen, NULL, items, 1, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 0); /* stars unknown: nothing is known to be liked */
    CHECK_INT(tl_index_because_user(idx, 1, mf->seen, mf->seen_half, items, 1, TL_REASONS_MAX, r, nr, &err), TL_OK);
    CHECK_INT(nr[0], 0); /* user 1 rated only the target */
    CHECK_INT(tl_index_because_user(idx, 2, mf->seen, mf->seen_half, items, 1, TL_REASONS_MAX, r, nr, &err), TL_E_ARG);
    tl_index_free(idx);
    tl_model_file_free(mf);
    tl_buf_free(&bytes), tl_buf_free(&again);
    free(half);
    tl_seen_free(seen);
    tl_dataset_free(ds);
}

int main(void)
{
    test_dot_product();
    test_ease();
    test_imported();
    test_popularity();
    test_known_user();
    return check_report("test_because");
}
