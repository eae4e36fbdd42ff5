/* The blend's time-neighbour part (blend/seq_fit.c, seq_scorer.c): the fit
 * against a reference in double (time order, ties by row, the span, e^-d,
 * 1 / sqrt(n_i n_j)); its scorer's scores, reasons and similar lists from
 * the pairs; corrupt tensors refused; the three-part standardisation
 * against the formula; the weight grid; and a blend trained on data whose
 * order carries taste: the part chosen, the same model on 1 and 2 threads
 * and through a model file. */
#include "check.h"
#include "eval_fixture.h"
#include "models/blend/blend_internal.h"
#include "models/models_internal.h"
#include "towerlens/model_type.h"
#include "towerlens/split.h"
#include "towerlens/store.h"
#include "towerlens/train.h"

/* triples (user, movie, half stars) with times */
static tl_dataset *timed(uint32_t nu, uint32_t nm, const uint32_t *t, const uint32_t *when, uint32_t n)
{
    tl_dataset *ds = fixture_dataset(nu, nm, nm, t, n);
    ds->r_time = malloc((size_t)n * sizeof *ds->r_time);
    memcpy(ds->r_time, when, (size_t)n * sizeof *ds->r_time);
    return ds;
}

/* V in double the slow way: every pair of places of every user */
static void reference(const tl_dataset *ds, double *V)
{
    uint32_t nm = ds->n_movies, n = ds->n_ratings, cnt[64] = {0};
    memset(V, 0, (size_t)nm * nm * sizeof *V);
    for (uint32_t r = 0; r < n; r++) cnt[ds->r_movie[r]]++;
    for (uint32_t u = 0; u < ds->n_users; u++) {
        uint32_t rows[64], k = 0;
        for (uint32_t r = 0; r < n; r++)
            if (ds->r_user[r] == u) rows[k++] = r;
        for (uint32_t a = 0; a < k; a++) /* selection sort by (time, row) */
            for (uint32_t b = a + 1; b < k; b++)
                if (ds->r_time[rows[b]] < ds->r_time[rows[a]] ||
                    (ds->r_time[rows[b]] == ds->r_time[rows[a]] && rows[b] < rows[a])) {
                    uint32_t x = rows[a];
                    rows[a] = rows[b], rows[b] = x;
                }
        for (uint32_t a = 0; a < k; a++)
            for (uint32_t b = a + 1; b < k && b - a <= TL_SEQ_SPAN; b++) {
                uint32_t i = ds->r_movie[rows[a]], j = ds->r_movie[rows[b]];
                if (i == j) continue;
                V[i * nm + j] += exp(-(double)(b - a)), V[j * nm + i] += exp(-(double)(b - a));
            }
    }
    for (uint32_t i = 0; i < nm; i++)
        for (uint32_t j = 0; j < nm; j++)
            if (cnt[i] && cnt[j]) V[i * nm + j] /= sqrt((double)cnt[i] * cnt[j]);
}

/* user 0 rates 12 movies (two share a time: the later row goes second),
 * user 1 five, user 2 one (no pairs) */
static tl_dataset *small_timed(void)
{
    static const uint32_t t[] = {0, 0, 8, 0, 1,  8, 0, 2,  8, 0, 3, 8, 0, 4, 8, 0, 5, 8, 0, 6,  2, 0, 7, 8, 0, 8, 8,
                                 0, 9, 8, 0, 10, 8, 0, 11, 8, 1, 3, 8, 1, 1, 8, 1, 0, 8, 1, 12, 8, 1, 2, 8, 2, 4, 8};
    static const uint32_t when[] = {100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 5, 50, 7, 7, 9, 1, 3, 500};
    return timed(3, 14, t, when, 18);
}

/* small_timed's part fitted on every row, and its reference */
static tl_dataset *fitted(tl__seq *q, double *V, uint32_t **rows)
{
    tl_dataset *ds = small_timed();
    tl_error err;
    *rows = fixture_range(0, ds->n_ratings);
    CHECK_INT(tl__seq_fit(ds, *rows, ds->n_ratings, q, &err), TL_OK);
    reference(ds, V);
    return ds;
}

static void test_fit_reference(void)
{
    tl__seq q;
    tl_error err;
    double V[14 * 14];
    uint32_t *rows;
    tl_dataset *ds = fitted(&q, V, &rows);
    uint32_t nm = ds->n_movies;
    uint32_t want_rows = 0, want_nnz = 0;
    for (uint32_t i = 0; i < nm; i++) {
        uint32_t c = 0;
        for (uint32_t j = 0; j < nm; j++) c += V[i * nm + j] > 0;
        want_rows += c > 0, want_nnz += c;
    }
    CHECK_INT(q.n_rows, want_rows);
    CHECK_INT(q.nnz, want_nnz);
    /* rows and each row's neighbours ascending, values as the reference */
    uint32_t at = 0, worst_ok = 1;
    for (uint32_t r = 0; r < q.n_rows; r++) {
        uint32_t i = (uint32_t)q.movies[r] - 1, c = (uint32_t)q.counts[r];
        CHECK(r == 0 || q.movies[r] > q.movies[r - 1]);
        for (uint32_t k = 0; k < c; k++, at++) {
            uint32_t j = (uint32_t)q.index[at] - 1;
            if (k > 0) CHECK(q.index[at] > q.index[at - 1]);
            if (fabs(q.value[at] - V[i * nm + j]) > 1e-6 * V[i * nm + j]) worst_ok = 0;
        }
    }
    CHECK(worst_ok);
    /* user 0 by time: movies 10 9 8 7 6 5 11 4 3 2 1 0 (5 and 11 tie: row order) */
    CHECK(V[10 * nm + 2] == 0.0);                       /* places 0 and 9: beyond the span (user 1 has no movie 10) */
    CHECK(V[10 * nm + 3] > 0.0);                        /* places 0 and 8 */
    CHECK_NEAR(V[5 * nm + 11], exp(-1.0) / 1.0, 1e-12); /* the tie: adjacent, each rated once */
    tl__seq_free(&q);
    /* no rating times: no part */
    uint32_t *tm = ds->r_time;
    ds->r_time = NULL;
    CHECK_INT(tl__seq_fit(ds, rows, ds->n_ratings, &q, &err), TL_OK);
    CHECK_INT(q.n_rows, 0);
    ds->r_time = tm;
    free(rows);
    tl_dataset_free(ds);
}

static void test_scorer(void)
{
    tl__seq q;
    tl_error err;
    double V[14 * 14];
    uint32_t *rows;
    tl_dataset *ds = fitted(&q, V, &rows);
    uint32_t nm = ds->n_movies;
    tl_tensor t[4];
    uint32_t n = tl__seq_tensors(&q, t);
    tl_scorer *s = NULL;
    CHECK_INT(tl__seq_open(ds, t, n, &s, &err), TL_OK);
    if (!s) return;
    CHECK_INT(s->state_floats, nm);
    /* a profile of movies 3 and 12 (stars do not matter): score_j = V[3][j] + V[12][j] */
    uint32_t pm[2] = {3, 12};
    float ps[2] = {1, 5}, state[14], out[14], contrib[2 * 2], sims[14];
    tl_profile p = {pm, ps, 2};
    CHECK_INT(tl_scorer_user_state(s, 1, &p, state, &err), TL_OK);
    tl_scorer_score(s, state, 1, 2, 10, out, 10);
    for (uint32_t j = 2; j < 12; j++) CHECK_NEAR(out[j - 2], V[3 * nm + j] + V[12 * nm + j], 1e-6);
    /* reasons: each profile movie's V[i][target] */
    uint32_t targets[2] = {1, 13};
    CHECK_INT(tl_scorer_explain(s, state, &p, targets, 2, contrib, &err), TL_OK);
    CHECK_NEAR(contrib[0], V[3 * nm + 1], 1e-6);
    CHECK_NEAR(contrib[1], V[12 * nm + 1], 1e-6);
    CHECK(contrib[2] == 0.0f && contrib[3] == 0.0f); /* movie 13 has no neighbours */
    CHECK_INT(tl_scorer_similar(s, 1, sims, &err), TL_OK);
    for (uint32_t j = 0; j < nm; j++) CHECK_NEAR(sims[j], V[1 * nm + j], 1e-6);
    CHECK_INT(tl_scorer_similar(s, 13, sims, &err), TL_E_STATE);
    tl_scorer_free(s);
    /* opened over data without the fit data's movies 0 and 12 (raw ids 1 and 13): raw 2..12, 14, 15, 16 */
    uint32_t none[3] = {0, 1, 8};
    tl_dataset *less = fixture_dataset(1, 14, 14, none, 1);
    for (uint32_t m = 0; m < 14; m++) less->movies[m].id = m < 11 ? m + 2 : m + 3;
    CHECK_INT(tl__seq_open(less, t, n, &s, &err), TL_OK);
    if (s) {
        uint32_t lm[1] = {2}; /* raw 4: movie 3 of the fit data */
        tl_profile lp = {lm, ps, 1};
        float ls[14];
        CHECK_INT(tl_scorer_user_state(s, 0, &lp, ls, &err), TL_OK);
        for (uint32_t j = 0; j < 11; j++) CHECK_NEAR(ls[j], V[3 * nm + j + 1], 1e-6); /* raw j + 2 */
        CHECK(V[3 * nm + 12] > 0.0); /* its pair with raw 13, dropped */
        CHECK(ls[11] == 0.0f && ls[12] == 0.0f && ls[13] == 0.0f);
        uint32_t none_row[1] = {12}; /* raw 15: no row */
        tl_profile np = {none_row, ps, 1};
        CHECK_INT(tl_scorer_user_state(s, 0, &np, ls, &err), TL_OK);
        for (uint32_t j = 0; j < 14; j++) CHECK(ls[j] == 0.0f);
        tl_scorer_free(s);
    }
    tl_dataset_free(less);
    /* corrupt tensors: a row out of order, counts that do not add up */
    float keep = q.index[1];
    q.index[1] = q.index[0];
    CHECK_INT(tl__seq_open(ds, t, n, &s, &err), TL_E_CORRUPT);
    CHECK(strstr(err.message, "not ascending") != NULL);
    q.index[1] = keep;
    q.counts[0] += 1;
    CHECK_INT(tl__seq_open(ds, t, n, &s, &err), TL_E_CORRUPT);
    CHECK(strstr(err.message, "add up") != NULL);
    q.counts[0] -= 1;
    t[3].rows--;
    CHECK_INT(tl__seq_open(ds, t, n, &s, &err), TL_E_CORRUPT);
    tl__seq_free(&q);
    free(rows);
    tl_dataset_free(ds);
}

static void test_coefficients3(void)
{
    uint32_t t[3] = {0, 0, 8};
    tl_dataset *ds = fixture_dataset(1, 6, 5, t, 1); /* movie 5 is outside the catalogue */
    float a[6] = {1, 2, 3, 4, 10, 1000}, b[6] = {0.5f, -0.25f, TL_EASE_OUTSIDE + 3, 1.5f, 0, -7};
    float c[6] = {0, 0.5f, 2, 0, 1, 99}, ca, cb, cc, ca2, cb2;
    tl__blend_coefficients3(ds, a, b, c, 0.3f, 0.2f, &ca, &cb, &cc);
    double xc[5] = {0, 0.5, 2, 0, 1}, mc = 3.5 / 5, vc = 0;
    for (int i = 0; i < 5; i++) vc += (xc[i] - mc) * (xc[i] - mc);
    CHECK_NEAR(cc, 0.2 / sqrt(vc / 5), 1e-6);
    tl__blend_coefficients(ds, a, b, 0.3f, &ca2, &cb2);
    CHECK(ca == ca2);
    CHECK_NEAR(cb, cb2 * 0.5 / 0.7, 1e-6); /* EASE's weight 1 - 0.3 - 0.2 */
    tl__blend_coefficients3(ds, a, b, c, 0.3f, 0.0f, &ca, &cb, &cc);
    CHECK(ca == ca2 && cb == cb2 && cc == 0.0f); /* wc 0: the 2-part bits */
    float ua, ub, uc, one, zero;
    tl__blend_units(ds, a, b, c, &ua, &ub, &uc); /* each part weighted 1: the same bits */
    tl__blend_coefficients3(ds, a, b, c, 1.0f, 0.0f, &one, &zero, &cc);
    CHECK(ua == one);
    tl__blend_coefficients3(ds, a, b, c, 0.0f, 0.0f, &zero, &one, &cc);
    CHECK(ub == one);
    tl__blend_coefficients3(ds, a, b, c, 0.0f, 1.0f, &zero, &zero, &one);
    CHECK(uc == one && uc > 0.0f);
    tl_dataset_free(ds);
}

static void test_grid(void)
{
    int seen[11][11] = {{0}};
    for (int g = 0; g < TL_BLEND_GRID3; g++) {
        float wa, wc;
        tl__blend_grid_point(g, &wa, &wc);
        int ia = (int)lroundf(wa * 10), ic = (int)lroundf(wc * 10);
        CHECK(ia >= 0 && ic >= 0 && ia + ic <= 10);
        CHECK(wa == (float)ia / 10 && wc == (float)ic / 10);
        if (g < TL_BLEND_GRID) CHECK(ic == 0 && ia == g); /* the 2-part line first, in its order */
        if (ia >= 0 && ic >= 0 && ia + ic <= 10) seen[ia][ic]++;
    }
    for (int ia = 0; ia <= 10; ia++)
        for (int ic = 0; ia + ic <= 10; ic++) CHECK_INT(seen[ia][ic], 1);
}

/* 120 users each rating one of 6 runs of 10 movies, in the run's order, plus a few others: the order carries taste */
static tl_dataset *ordered(void)
{
    uint32_t n = 0, t[3 * 120 * 16], when[120 * 16];
    uint64_t s = 5;
    for (uint32_t u = 0; u < 120; u++) {
        uint32_t run = u % 6, start = (uint32_t)(fixture_lcg(&s) % 4);
        for (uint32_t k = start; k < 10; k++)
            t[3 * n] = u, t[3 * n + 1] = run * 10 + k, t[3 * n + 2] = 8, when[n] = 1000 * u + 10 * k, n++;
        for (uint32_t e = 0; e < 4; e++) { /* popular movies, rated at random times */
            t[3 * n] = u, t[3 * n + 1] = (uint32_t)(fixture_lcg(&s) % 60), t[3 * n + 2] = 6;
            when[n] = 1000 * u + (uint32_t)(fixture_lcg(&s) % 100), n++;
        }
    }
    return timed(120, 60, t, when, n);
}

static tl_trainer *train_blend(const tl_dataset *ds, const tl_split *sp, uint32_t threads)
{
    tl_train_config cfg;
    tl_error err;
    CHECK_INT(tl_train_config_preset(&cfg, "blend", &err), TL_OK);
    cfg.epochs = 3, cfg.dim = 8, cfg.threads = threads, cfg.ease_min_count = 2;
    tl_trainer *tr = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    tl_train_progress p;
    if (tr) CHECK_INT(tl_trainer_step(tr, 0, 0, &p, &err), TL_OK);
    return tr;
}

static void test_blend_with_time(void)
{
    tl_dataset *ds = ordered();
    tl_split_options so;
    tl_split_options_default(&so);
    tl_split *sp = NULL;
    tl_error err;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    tl_trainer *t1 = train_blend(ds, sp, 1), *t2 = train_blend(ds, sp, 2);
    if (!t1 || !t2) return;
    CHECK(tl_trainer_hash(t1) == tl_trainer_hash(t2));
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    uint32_t n = tl_trainer_tensors(t1, t);
    const tl_tensor *w = tl_tensor_find(t, n, "blend.weight"), *wc = tl_tensor_find(t, n, "blend.seq_weight");
    CHECK(w && wc && tl_tensor_find(t, n, "seq.value"));
    if (w && wc) {
        printf("ordered data: w %g, wc %g\n", (double)w->data[0], (double)wc->data[0]);
        CHECK(wc->data[0] > 0.0f && w->data[0] + wc->data[0] <= 1.0f + 1e-6f);
    }
    /* through a model file: the same scores as the trainer's scorer */
    tl_buf b;
    tl_buf_init(&b);
    CHECK_INT(tl_store_write(ds, NULL, "{\"model\":\"blend\"}", NULL, t, n, &b, &err), TL_OK);
    tl_model_file *mf = NULL;
    CHECK_INT(tl_store_read((const uint8_t *)b.data, b.len, "blend.tlm", &mf, &err), TL_OK);
    tl_scorer *live = NULL, *file = NULL;
    CHECK_INT(tl_trainer_open(t1, ds, &live, &err), TL_OK);
    if (mf) CHECK_INT(tl_model_open(mf, &file, &err), TL_OK);
    if (live && file) {
        uint32_t nm = ds->n_movies, pm[3] = {10, 11, 12};
        float ps[3] = {4, 4, 4}, *x1 = malloc((live->state_floats + 1) * sizeof *x1);
        float *x2 = malloc((file->state_floats + 1) * sizeof *x2), s1[60], s2[60];
        tl_profile p = {pm, ps, 3};
        CHECK_INT(live->state_floats, file->state_floats);
        CHECK_INT(tl_scorer_user_state(live, 1, &p, x1, &err), TL_OK);
        CHECK_INT(tl_scorer_user_state(file, 1, &p, x2, &err), TL_OK);
        tl_scorer_score(live, x1, 1, 0, nm, s1, nm);
        tl_scorer_score(file, x2, 1, 0, nm, s2, nm);
        CHECK(!memcmp(s1, s2, sizeof s1));
        /* reasons: c_a x the iALS share + c_b x EASE's + c_c x V[i][j], the parts opened alone */
        tl_scorer *pa = NULL, *pb = NULL, *pc = NULL;
        CHECK_INT(tl__embed_open(ds, NULL, t, n, &pa, &err), TL_OK);
        CHECK_INT(tl__ease_open(ds, NULL, t, n, &pb, &err), TL_OK);
        CHECK_INT(tl__seq_open(ds, t, n, &pc, &err), TL_OK);
        if (pa && pb && pc) {
            uint32_t tg[2] = {13, 40}, k = pa->state_floats + pb->state_floats + pc->state_floats;
            float got[6], ea[6], eb[6], ec[6];
            CHECK_INT(tl_scorer_explain(live, x1, &p, tg, 2, got, &err), TL_OK);
            CHECK_INT(tl_scorer_explain(pa, x1, &p, tg, 2, ea, &err), TL_OK);
            CHECK_INT(tl_scorer_explain(pb, x1 + pa->state_floats, &p, tg, 2, eb, &err), TL_OK);
            CHECK_INT(tl_scorer_explain(pc, x1 + pa->state_floats + pb->state_floats, &p, tg, 2, ec, &err), TL_OK);
            CHECK(x1[k + 2] > 0.0f); /* c_c */
            for (int i = 0; i < 6; i++) CHECK_NEAR(got[i], x1[k] * ea[i] + x1[k + 1] * eb[i] + x1[k + 2] * ec[i], 1e-5);
            CHECK(ec[0] > 0.0f && ec[3] == 0.0f); /* 10 and 13: 3 places apart in one run; 10 and 40: never near */
        }
        if (pa) tl_scorer_free(pa);
        if (pb) tl_scorer_free(pb);
        if (pc) tl_scorer_free(pc);
        /* the movie after the profile's run place ranks above every movie of other runs */
        for (uint32_t j = 0; j < nm; j++)
            if (j / 10 != 1) CHECK(s1[13] > s1[j]);
        free(x1), free(x2);
    }
    if (live) tl_scorer_free(live);
    if (file) tl_scorer_free(file);
    tl_model_file_free(mf);
    tl_buf_free(&b);
    tl_trainer_free(t1), tl_trainer_free(t2);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

int main(void)
{
    test_fit_reference();
    test_scorer();
    test_coefficients3();
    test_grid();
    test_blend_with_time();
    return check_report("test_seq");
}
