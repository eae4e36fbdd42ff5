/* The visitor prior of the dot-product fold-in (docs/training.md "Visitors"):
 * the blend ranks like z(u . m_j) + w(k) z(ln(1 + L_j)) computed directly in
 * double; w = 0 and files without the "liked" tensor fold in and score with
 * today's bits; known users' scores are unchanged with the prior on; the
 * tensors round-trip through the model file; training writes the counts. */
#include <math.h>

#include "check.h"
#include "eval_fixture.h"
#include "models/models_internal.h"
#include "towerlens/buf.h"
#include "towerlens/foldin.h"
#include "towerlens/model_type.h"
#include "towerlens/rating.h"
#include "towerlens/store.h"
#include "towerlens/train.h"
#include "train_fixture.h"

enum { D = 4, NU = 3, NM = 40, NCAT = 38 };

typedef struct fixture {
    tl_dataset *ds;
    float users[(NU + 1) * D], movies[(NM + 1) * D], liked[NM + 1], w[2];
    tl_tensor t[4];
} fixture;

static void fixture_init(fixture *f, float w3, float w10)
{
    f->ds = fixture_dataset(NU, NM, NCAT, NULL, 0);
    fixture_random_floats(f->users, (NU + 1) * D, 3, 1.0f);
    fixture_random_floats(f->movies, (NM + 1) * D, 5, 1.0f);
    uint64_t s = 11;
    for (uint32_t m = 0; m < NM; m++) f->liked[m] = (float)(fixture_lcg(&s) % 60);
    f->liked[NM] = 0.0f;
    f->w[0] = w3;
    f->w[1] = w10;
    tl__tensor_set(&f->t[0], "users", NU + 1, D, f->users);
    tl__tensor_set(&f->t[1], "movies", NM + 1, D, f->movies);
    tl__tensor_set(&f->t[2], "liked", NM + 1, 1, f->liked);
    tl__tensor_set(&f->t[3], "visitor_prior", 1, 2, f->w);
}

/* The scorer of the "ials" type over the first n tensors. */
static tl_scorer *open_n(const fixture *f, uint32_t n)
{
    tl_scorer *sc = NULL;
    tl_error err;
    CHECK_INT(tl_model_type_find("ials")->open(f->ds, NULL, f->t, n, &sc, &err), TL_OK);
    return sc;
}

static void fold(tl_scorer *sc, const uint32_t *movies, const float *stars, uint32_t k, float *state)
{
    tl_foldin_options opt;
    tl_foldin_options_default(&opt);
    tl_profile p = {movies, stars, k};
    tl_error err;
    CHECK_INT(tl_scorer_fold_in(sc, &p, &opt, state, &err), TL_OK);
}

static const uint32_t profile[12] = {4, 9, 17, 22, 30, 1, 36, 12, 27, 5, 33, 20};
static const float stars[12] = {5, 4, 4.5f, 2, 3.5f, 5, 1, 4, 3, 4.5f, 5, 2.5f};

/* The ranking of the catalogue movies outside the profile, highest first. */
static uint32_t rank_scores(const float *scores, const uint32_t *prof, uint32_t k, uint32_t *order)
{
    fixture_ranked r[NM];
    uint32_t n = 0;
    for (uint32_t m = 0; m < NCAT; m++) {
        int in = 0;
        for (uint32_t i = 0; i < k; i++) in |= prof[i] == m;
        if (!in) r[n++] = (fixture_ranked){scores[m], m};
    }
    qsort(r, n, sizeof *r, fixture_ranked_cmp);
    for (uint32_t i = 0; i < n; i++) order[i] = r[i].i;
    return n;
}

/* The blend as the study defines it, in double. */
static void reference(const fixture *f, const float *u, uint32_t k, double w, double *score)
{
    double s[NM], p[NM], n = 0, ms = 0, mp = 0, vs = 0, vp = 0;
    int in[NM] = {0};
    for (uint32_t i = 0; i < k; i++) in[profile[i]] = 1;
    for (uint32_t m = 0; m < NM; m++) {
        s[m] = 0;
        for (int a = 0; a < D; a++) s[m] += (double)u[a] * f->movies[m * D + a];
        p[m] = log(1.0 + f->liked[m]);
        if (m < NCAT && !in[m]) n++, ms += s[m], mp += p[m];
    }
    ms /= n, mp /= n;
    for (uint32_t m = 0; m < NCAT; m++)
        if (!in[m]) vs += (s[m] - ms) * (s[m] - ms), vp += (p[m] - mp) * (p[m] - mp);
    double sds = sqrt(vs / n), sdp = sqrt(vp / n);
    for (uint32_t m = 0; m < NM; m++) score[m] = (s[m] - ms) / sds + w * (p[m] - mp) / sdp;
}

static void test_blend_matches_formula(void)
{
    fixture f;
    fixture_init(&f, 4.0f, 1.5f);
    tl_scorer *plain = open_n(&f, 2), *blend = open_n(&f, 4);
    CHECK_INT(plain->state_floats, D);
    CHECK_INT(blend->state_floats, D + 1);
    const uint32_t ks[] = {1, 3, 6, 10, 12};
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
        uint32_t k = ks[t];
        double w = k <= 3 ? 4.0 : k >= 10 ? 1.5 : 4.0 + (1.5 - 4.0) * log(k / 3.0) / log(10.0 / 3.0);
        float u0[D], st[D + 1], scores[NM];
        fold(plain, profile, stars, k, u0);
        fold(blend, profile, stars, k, st);
        /* the vector is the plain fold-in's, bit for bit; c is the blend */
        CHECK(memcmp(u0, st, sizeof u0) == 0);
        CHECK(st[D] > 0.0f);
        tl_scorer_score(blend, st, 1, 0, NM, scores, NM);
        double ref[NM];
        reference(&f, st, k, w, ref);
        float reff[NM];
        for (uint32_t m = 0; m < NM; m++) reff[m] = (float)ref[m];
        uint32_t got[NM], want[NM];
        uint32_t n = rank_scores(scores, profile, k, got);
        CHECK_INT(rank_scores(reff, profile, k, want), n);
        CHECK_INT(n, NCAT - k);
        CHECK(memcmp(got, want, n * sizeof *got) == 0);
        /* and the prior changes the ranking (the test has teeth) */
        float plain_scores[NM];
        tl_scorer_score(plain, u0, 1, 0, NM, plain_scores, NM);
        uint32_t before[NM];
        rank_scores(plain_scores, profile, k, before);
        CHECK(memcmp(got, before, n * sizeof *got) != 0);
    }
    tl_scorer_free(plain);
    tl_scorer_free(blend);
    tl_dataset_free(f.ds);
}

static void test_bits_unchanged(void)
{
    fixture f;
    fixture_init(&f, 0.0f, 0.0f);
    tl_scorer *old = open_n(&f, 2), *off = open_n(&f, 4);
    CHECK_INT(off->state_floats, D);
    float a[D], b[D];
    fold(old, profile, stars, 5, a);
    fold(off, profile, stars, 5, b);
    CHECK(memcmp(a, b, sizeof a) == 0);
    float sa[NM], sb[NM];
    tl_scorer_score(old, a, 1, 0, NM, sa, NM);
    tl_scorer_score(off, b, 1, 0, NM, sb, NM);
    CHECK(memcmp(sa, sb, sizeof sa) == 0);

    /* prior on (w3 only): known users' states end in c = 0 and score as before */
    f.w[0] = 3.0f;
    tl_scorer *on = open_n(&f, 4);
    CHECK_INT(on->state_floats, D + 1);
    tl_error err;
    float ka[NU * D], kb[NU * (D + 1)], ska[NU * NM], skb[NU * NM];
    for (uint32_t u = 0; u < NU; u++) {
        CHECK_INT(tl_scorer_user_state(old, u, NULL, ka + u * D, &err), TL_OK);
        CHECK_INT(tl_scorer_user_state(on, u, NULL, kb + u * (D + 1), &err), TL_OK);
        CHECK(kb[u * (D + 1) + D] == 0.0f);
    }
    tl_scorer_score(old, ka, NU, 0, NM, ska, NM); /* several states: the gemm path */
    tl_scorer_score(on, kb, NU, 0, NM, skb, NM);
    CHECK(memcmp(ska, skb, sizeof ska) == 0);
    tl_scorer_score(on, kb + (D + 1), 1, 3, NM - 3, skb, NM); /* one state, an offset block */
    CHECK(memcmp(ska + NM + 3, skb, (NM - 3) * sizeof *skb) == 0);
    /* w(12) = w10 = 0: c = 0, the fold-in's scores are today's */
    float c[D + 1], sc12[NM], sa12[NM], a12[D];
    fold(on, profile, stars, 12, c);
    fold(old, profile, stars, 12, a12);
    CHECK(c[D] == 0.0f);
    CHECK(memcmp(c, a12, sizeof a12) == 0);
    tl_scorer_score(on, c, 1, 0, NM, sc12, NM);
    tl_scorer_score(old, a12, 1, 0, NM, sa12, NM);
    CHECK(memcmp(sc12, sa12, sizeof sa12) == 0);
    tl_scorer_free(old);
    tl_scorer_free(off);
    tl_scorer_free(on);
    tl_dataset_free(f.ds);
}

/* Through a model file: an old one (no "liked") folds in as before; the
 * new tensors come back bit for bit and fold in like the tensors did. */
static void test_store_round_trip(void)
{
    fixture f;
    fixture_init(&f, 2.5f, 1.0f);
    tl_error err;
    for (uint32_t n_t = 2; n_t <= 4; n_t += 2) {
        tl_buf b;
        tl_buf_init(&b);
        CHECK_INT(tl_store_write(f.ds, NULL, "{\"model\":\"ials\"}", NULL, f.t, n_t, &b, &err), TL_OK);
        tl_model_file *mf = NULL;
        CHECK_INT(tl_store_read((const uint8_t *)b.data, b.len, "test", &mf, &err), TL_OK);
        if (!mf) {
            tl_buf_free(&b);
            continue;
        }
        tl_scorer *direct = open_n(&f, n_t), *read = NULL;
        CHECK_INT(tl_model_open(mf, &read, &err), TL_OK);
        if (read) {
            CHECK_INT(read->state_floats, n_t == 2 ? D : D + 1);
            float x[D + 1] = {0}, y[D + 1] = {0};
            fold(direct, profile, stars, 4, x);
            fold(read, profile, stars, 4, y);
            CHECK(memcmp(x, y, sizeof x) == 0);
        }
        const tl_tensor *liked = tl_model_file_tensor(mf, "liked"), *w = tl_model_file_tensor(mf, "visitor_prior");
        if (n_t == 2) {
            CHECK(liked == NULL);
        } else {
            CHECK(liked && liked->rows == NM + 1 && liked->cols == 1 &&
                  memcmp(liked->data, f.liked, sizeof f.liked) == 0);
            CHECK(w && w->rows == 1 && w->cols == 2 && w->data[0] == 2.5f && w->data[1] == 1.0f);
        }
        tl_scorer_free(direct);
        tl_scorer_free(read);
        tl_model_file_free(mf);
        tl_buf_free(&b);
    }
    /* a misshapen "liked" is refused naming it */
    f.t[2].rows = NM;
    tl_scorer *bad = NULL;
    CHECK_INT(tl_model_type_find("ials")->open(f.ds, NULL, f.t, 4, &bad, &err), TL_E_CORRUPT);
    CHECK(strstr(err.message, "liked") != NULL);
    tl_dataset_free(f.ds);
}

/* Training writes L_j = the movie's train rows rated >= 4 stars, and w3, w10. */
static void test_training_writes_counts(void)
{
    /* (user, movie, half stars) */
    static const uint32_t tri[] = {0, 0, 8,  0, 1, 10, 0, 2, 7, 1, 0, 9, 1, 2, 8,  1, 3, 2,
                                   2, 0, 10, 2, 1, 6,  2, 3, 8, 3, 0, 8, 3, 4, 10, 3, 1, 8};
    const uint32_t n = sizeof tri / sizeof *tri / 3;
    tl_dataset *ds = fixture_dataset(4, 6, 6, tri, n);
    tl_split *sp = fixture_all_train(n);
    sp->n_train = n - 1; /* the last row (movie 1, 4 stars) is not trained on */
    const float want[7] = {4, 1, 1, 1, 1, 0, 0};
    const char *presets[] = {"default", "tfrs"};
    for (int i = 0; i < 2; i++) {
        tl_train_config cfg;
        tl_error err;
        CHECK_INT(tl_train_config_preset(&cfg, presets[i], &err), TL_OK);
        cfg.dim = 2;
        cfg.epochs = 1;
        cfg.batch_size = 4;
        cfg.threads = 1;
        cfg.visitor_prior_w3 = 4.0f;
        cfg.visitor_prior_w10 = 3.0f;
        cfg.visitor_prior_auto = 0; /* given, not chosen */
        tl_trainer *tr = NULL;
        CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
        if (!tr) continue;
        tl_tensor t[TL_TRAINER_MAX_TENSORS];
        uint32_t nt = tl_trainer_tensors(tr, t);
        const tl_tensor *liked = tl_tensor_find(t, nt, "liked"), *w = tl_tensor_find(t, nt, "visitor_prior");
        CHECK(liked && liked->rows == 7 && liked->cols == 1 && memcmp(liked->data, want, sizeof want) == 0);
        CHECK(w && w->data[0] == 4.0f && w->data[1] == 3.0f);
        tl_scorer *sc = NULL;
        CHECK_INT(tl_trainer_open(tr, ds, &sc, &err), TL_OK);
        CHECK(sc && sc->state_floats == 3);
        tl_scorer_free(sc);
        tl_trainer_free(tr);
        /* out of range weights are refused naming them */
        cfg.visitor_prior_w3 = -1.0f;
        CHECK_INT(tl_train_config_check(&cfg, &err), TL_E_ARG);
        CHECK(strstr(err.message, "visitor prior") != NULL);
    }
    /* the largest model (a rating head of TL_HEAD_MAX_HIDDEN layers) still fits a model file */
    tl_train_config cfg;
    tl_error err;
    CHECK_INT(tl_train_config_preset(&cfg, "tfrs-multitask", &err), TL_OK);
    cfg.dim = 2;
    cfg.epochs = 1;
    cfg.threads = 1;
    cfg.head.n_hidden = TL_HEAD_MAX_HIDDEN;
    cfg.head.biases = 1;
    for (uint32_t i = 0; i < TL_HEAD_MAX_HIDDEN; i++) cfg.head.hidden[i] = 2;
    tl_trainer *tr = NULL;
    CHECK_INT(tl_trainer_new(ds, sp, &cfg, &tr, &err), TL_OK);
    if (tr) {
        tl_tensor t[TL_TRAINER_MAX_TENSORS];
        uint32_t nt = tl_trainer_tensors(tr, t);
        CHECK(nt > 16);
        tl_buf b;
        tl_buf_init(&b);
        CHECK_INT(tl_store_write(ds, NULL, "{\"model\":\"two-tower\"}", NULL, t, nt, &b, &err), TL_OK);
        tl_model_file *mf = NULL;
        CHECK_INT(tl_store_read((const uint8_t *)b.data, b.len, "test", &mf, &err), TL_OK);
        CHECK(mf && mf->n_tensors == nt);
        tl_model_file_free(mf);
        tl_buf_free(&b);
        tl_trainer_free(tr);
    }
    tl_split_free(sp);
    tl_dataset_free(ds);
}

int main(void)
{
    test_blend_matches_formula();
    test_bits_unchanged();
    test_store_round_trip();
    test_training_writes_counts();
    return check_report("test_visitor_prior");
}
