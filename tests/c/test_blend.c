/* The blend model type (blend/): the per-user standardisation against the
 * formula in double, scores = w z(iALS) + (1 - w) z(EASE) from the two
 * types trained alone, visitors served by the iALS part bit for bit, the
 * weight chosen on validation (in the grid, the same for any thread count),
 * similar movies by EASE's B column, and the model file round trip. */
#include "check.h"
#include "eval_fixture.h"
#include "models/blend/blend_internal.h"
#include "towerlens/ease.h"
#include "towerlens/foldin.h"
#include "towerlens/model_type.h"
#include "towerlens/split.h"
#include "towerlens/store.h"
#include "towerlens/train.h"

/* users and movies in 3 taste groups, liked within the group */
static tl_dataset *taste_dataset(uint32_t n_users, uint32_t n_movies, uint64_t seed)
{
    uint64_t s = seed;
    uint32_t n = 0, *t = malloc((size_t)3 * n_users * n_movies * sizeof *t);
    for (uint32_t u = 0; u < n_users; u++)
        for (uint32_t mv = 0; mv < n_movies; mv++) {
            uint32_t p = u % 3 == mv % 3 ? 300 : 60 + (mv < 10 ? 200 : 0);
            if (fixture_lcg(&s) % 1000 >= p) continue;
            t[3 * n] = u, t[3 * n + 1] = mv,
                  t[3 * n + 2] = u % 3 == mv % 3 ? 8 + fixture_lcg(&s) % 3 : 2 + fixture_lcg(&s) % 6;
            n++;
        }
    tl_dataset *ds = fixture_dataset(n_users, n_movies, n_movies - 2, t, n);
    free(t);
    return ds;
}

static void test_coefficients(void)
{
    uint32_t t[3] = {0, 0, 8};
    tl_dataset *ds = fixture_dataset(1, 6, 5, t, 1); /* movie 5 is outside the catalogue */
    float a[6] = {1, 2, 3, 4, 10, 1000}, b[6] = {0.5f, -0.25f, TL_EASE_OUTSIDE + 3, 1.5f, 0, -7};
    float ca, cb;
    tl__blend_coefficients(ds, a, b, 0.3f, &ca, &cb);
    /* population sds over the 5 catalogue movies; EASE's outside movie counts as 0 */
    double ma = (1 + 2 + 3 + 4 + 10) / 5.0, va = 0, mb = (0.5 - 0.25 + 0 + 1.5 + 0) / 5.0, vb = 0;
    double xa[5] = {1, 2, 3, 4, 10}, xb[5] = {0.5, -0.25, 0, 1.5, 0};
    for (int i = 0; i < 5; i++) va += (xa[i] - ma) * (xa[i] - ma), vb += (xb[i] - mb) * (xb[i] - mb);
    CHECK_NEAR(ca, 0.3 / sqrt(va / 5), 1e-7);
    CHECK_NEAR(cb, 0.7 / sqrt(vb / 5), 1e-6);
    float flat[6] = {2, 2, 2, 2, 2, 9};
    tl__blend_coefficients(ds, flat, b, 0.3f, &ca, &cb); /* a constant part weighs nothing */
    CHECK(ca == 0.0f && cb > 0.0f);
    tl_dataset_free(ds);
}

static tl_trainer *train(const tl_dataset *ds, const tl_split *sp, const char *preset, float w, uint32_t threads)
{
    tl_train_config cfg;
    tl_error err;
    CHECK_INT(tl_train_config_preset(&cfg, preset, &err), TL_OK);
    cfg.epochs = 4;
    cfg.dim = 8;
    cfg.threads = threads;
    cfg.ease_min_count = 2;
    if (!strcmp(preset, "blend")) cfg.blend_weight = w;
    tl_trainer *tr = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    tl_train_progress p;
    CHECK_INT(tl_trainer_step(tr, 0, 0, &p, &err), TL_OK);
    return tr;
}

static tl_profile user_profile(const tl_dataset *ds, const tl_split *sp, uint32_t u, uint32_t *mv, float *st)
{
    uint32_t n = 0;
    for (uint32_t r = 0; r < ds->n_ratings; r++) /* file order, as the evaluation's profiles */
        for (uint32_t i = 0; i < sp->n_train; i++)
            if (sp->train[i] == r && ds->r_user[r] == u)
                mv[n] = ds->r_movie[r], st[n++] = tl_rating_value(ds->r_half[r]);
    return (tl_profile){mv, st, n};
}

/* blend(w) scores = w z(iALS) + (1 - w) z(EASE) up to a constant per user */
static void test_scores_match_parts(void)
{
    tl_dataset *ds = taste_dataset(60, 40, 7);
    tl_split_options so;
    tl_split_options_default(&so);
    tl_split *sp = NULL;
    tl_error err;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    tl_trainer *tb = train(ds, sp, "blend", 0.4f, 1), *ti = train(ds, sp, "default", 0, 1),
               *te = train(ds, sp, "ease", 0, 1);
    tl_scorer *b = NULL, *a = NULL, *e = NULL;
    CHECK_INT(tl_trainer_open(tb, ds, &b, &err), TL_OK);
    CHECK_INT(tl_trainer_open(ti, ds, &a, &err), TL_OK);
    CHECK_INT(tl_trainer_open(te, ds, &e, &err), TL_OK);
    CHECK(!strcmp(b->type, "blend") && b->needs_profile);
    uint32_t nm = ds->n_movies, mv[64];
    float st[64], sb[64], sa[64], se[64], state[256], xa[64], xe[64];
    double worst = 0;
    for (uint32_t u = 0; u < ds->n_users; u++) {
        tl_profile p = user_profile(ds, sp, u, mv, st);
        CHECK_INT(tl_scorer_user_state(b, u, &p, state, &err), TL_OK);
        tl_scorer_score(b, state, 1, 0, nm, sb, nm);
        CHECK_INT(tl_scorer_user_state(a, u, &p, xa, &err), TL_OK);
        CHECK_INT(tl_scorer_user_state(e, u, &p, xe, &err), TL_OK);
        tl_scorer_score(a, xa, 1, 0, nm, sa, nm);
        tl_scorer_score(e, xe, 1, 0, nm, se, nm);
        double n = 0, ma = 0, me = 0, va = 0, ve = 0;
        for (uint32_t j = 0; j < nm; j++) {
            if (se[j] < TL_EASE_FLOOR) se[j] = 0;
            if (!ds->movies[j].in_catalogue) continue;
            n++, ma += sa[j], me += se[j];
        }
        ma /= n, me /= n;
        for (uint32_t j = 0; j < nm; j++)
            if (ds->movies[j].in_catalogue) va += (sa[j] - ma) * (sa[j] - ma), ve += (se[j] - me) * (se[j] - me);
        double za0 = 0, off = 0;
        for (uint32_t j = 0; j < nm; j++) {
            double z = 0.4 * (sa[j] - ma) / sqrt(va / n) + 0.6 * (se[j] - me) / sqrt(ve / n);
            if (j == 0) za0 = z, off = sb[0];
            double d = fabs((sb[j] - off) - (z - za0));
            if (d > worst) worst = d;
        }
    }
    CHECK(worst < 1e-4);
    /* a visitor: the iALS part's fold-in, bit for bit */
    uint32_t pm[3] = {0, 3, 6};
    float ps[3] = {5, 4.5f, 1};
    tl_profile vp = {pm, ps, 3};
    tl_foldin_options fo;
    tl_foldin_options_default(&fo);
    CHECK_INT(tl_scorer_fold_in(b, &vp, &fo, state, &err), TL_OK);
    CHECK_INT(tl_scorer_fold_in(a, &vp, &fo, xa, &err), TL_OK);
    tl_scorer_score(b, state, 1, 0, nm, sb, nm);
    tl_scorer_score(a, xa, 1, 0, nm, sa, nm);
    CHECK(!memcmp(sa, sb, nm * sizeof *sa));
    /* similar movies: EASE's B column */
    float s1[64], s2[64];
    CHECK_INT(tl_scorer_similar(b, 3, s1, &err), TL_OK);
    CHECK_INT(tl_scorer_similar(e, 3, s2, &err), TL_OK);
    CHECK(!memcmp(s1, s2, nm * sizeof *s1));
    tl_scorer_free(a), tl_scorer_free(b), tl_scorer_free(e);
    tl_trainer_free(tb), tl_trainer_free(ti), tl_trainer_free(te);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

/* the weight chosen on validation: on the grid, the same model for 1 and 2 threads, saved and opened again */
static void test_choice(void)
{
    tl_dataset *ds = taste_dataset(90, 40, 11);
    tl_split_options so;
    tl_split_options_default(&so);
    tl_split *sp = NULL;
    tl_error err;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    tl_trainer *t1 = train(ds, sp, "blend", -1, 1), *t2 = train(ds, sp, "blend", -1, 2);
    CHECK(tl_trainer_hash(t1) == tl_trainer_hash(t2));
    tl_tensor t[TL_TRAINER_MAX_TENSORS];
    uint32_t n = tl_trainer_tensors(t1, t);
    const tl_tensor *w = tl_tensor_find(t, n, "blend.weight");
    CHECK(w && w->rows == 1 && w->cols == 1);
    if (w) {
        float g = w->data[0] * (TL_BLEND_GRID - 1);
        CHECK(w->data[0] >= 0 && w->data[0] <= 1 && fabsf(g - roundf(g)) < 1e-5f);
    }
    CHECK(tl_tensor_find(t, n, "ease.B") && tl_tensor_find(t, n, "users") && tl_tensor_find(t, n, "liked"));
    tl_train_config bad;
    CHECK_INT(tl_train_config_preset(&bad, "blend", &err), TL_OK);
    bad.blend_weight = 1.5f;
    tl_trainer *none = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &bad, &none, &err), TL_E_ARG);
    CHECK(strstr(err.message, "blend weight") != NULL);
    tl_trainer_free(t1), tl_trainer_free(t2);
    tl_split_free(sp);
    tl_dataset_free(ds);
}

int main(void)
{
    test_coefficients();
    test_scores_match_parts();
    test_choice();
    return check_report("test_blend");
}
