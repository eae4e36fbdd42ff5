/* The blend model type's scorer (preset "blend", docs/training.md "Blend"):
 * an iALS part (the dot-product scorer, embed/) and an EASE part (ease/)
 * over one model file, each standardised per user over the catalogue:
 *     score_j = w z(a_j) + (1 - w) z(b_j)
 * with z(x) = (x - mean) / sd over the catalogue movies (population sd,
 * double, ascending dense index) and b_j = 0 for movies outside EASE's item
 * set (EASE knows nothing of them). A ranking ignores constants, so a
 * known user's state is [state_a | state_b | c_a | c_b] with c_a = w / sd_a,
 * c_b = (1 - w) / sd_b, and a movie scores c_a a_j + c_b b_j (shown scores
 * are these, not z-scores). Visitors are folded in by the iALS part alone
 * (c_a = 1, c_b = 0: the same bits as the iALS model, visitor prior
 * included), the better of the two for a few ratings (docs/training.md).
 * w = 1 (a trainer's before it chose w) serves the iALS part's own scores.
 * similar = EASE's B column, the iALS cosine for a movie outside its items;
 * a reason's weight = c_a (iALS reason) + c_b (EASE reason) + c_c (time
 * reason).
 * With rating times and weights chosen on validation a third part joins:
 * the time neighbours (seq_fit.c), standardised the same way with weight
 * wc ("blend.seq_weight"), EASE's weight then 1 - w - wc; its state is its
 * score of every movie. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/blend/blend_internal.h"
#include "models/models_internal.h"
#include "towerlens/ease.h"
#include "towerlens/foldin.h"

typedef struct blend_scorer {
    tl_scorer base;
    tl_scorer *a, *b; /* the iALS and EASE parts (owned); b NULL: a trainer before its EASE fit (w 1) */
    tl_scorer *c;     /* the time-neighbour part (owned); NULL: none (no times, or a fixed weight) */
    const float *w;   /* the iALS part's weight, 0-1 (borrowed: a trainer chooses it at the end) */
    const float *wc;  /* the time part's weight (borrowed), w + wc <= 1; EASE's is 1 - w - wc */
} blend_scorer;

static const float no_weight = 0.0f;

static uint32_t na(const blend_scorer *s) { return s->a->state_floats; }
static uint32_t nb(const blend_scorer *s) { return s->b ? s->b->state_floats : 0; }
static uint32_t nc(const blend_scorer *s) { return s->c ? s->c->state_floats : 0; }
/* the three coefficients' place in a state */
static uint32_t coef_at(const blend_scorer *s) { return na(s) + nb(s) + nc(s); }

/* EASE's score of a movie outside its item set carries its train count
 * below TL_EASE_FLOOR (ease.h); for the blend such a movie's EASE score is 0. */
static float ease_part(float v) { return v < TL_BLEND_EASE_OUTSIDE ? 0.0f : v; }

/* The parts' population sds over the catalogue (c NULL: sd[2] = 0). */
static void part_sds(const tl_dataset *ds, const float *a, const float *b, const float *c, double sd[3])
{
    double n = 0, ma = 0, mb = 0, mc = 0, va = 0, vb = 0, vc = 0;
    for (uint32_t j = 0; j < ds->n_movies; j++) {
        if (!ds->movies[j].in_catalogue) continue;
        n += 1, ma += a[j], mb += ease_part(b[j]);
        if (c) mc += c[j];
    }
    if (n > 0) ma /= n, mb /= n, mc /= n;
    for (uint32_t j = 0; j < ds->n_movies; j++) {
        if (!ds->movies[j].in_catalogue) continue;
        double da = a[j] - ma, db = ease_part(b[j]) - mb, dc = c ? c[j] - mc : 0.0;
        va += da * da, vb += db * db, vc += dc * dc;
    }
    sd[0] = n > 0 ? sqrt(va / n) : 0, sd[1] = n > 0 ? sqrt(vb / n) : 0, sd[2] = n > 0 ? sqrt(vc / n) : 0;
}

/* w / sd as the blend weighs a part; an sd below 1e-12 weighs 0 */
static float weigh(double w, double sd) { return sd > 1e-12 ? (float)(w / sd) : 0.0f; }

void tl__blend_coefficients3(const tl_dataset *ds, const float *a, const float *b, const float *c, float wa, float wc,
                             float *ca, float *cb, float *cc)
{
    double sd[3];
    part_sds(ds, a, b, c, sd);
    *ca = weigh(wa, sd[0]), *cb = weigh(1.0 - wa - wc, sd[1]), *cc = weigh(wc, sd[2]);
}

void tl__blend_units(const tl_dataset *ds, const float *a, const float *b, const float *c, float *ua, float *ub,
                     float *uc)
{
    double sd[3];
    part_sds(ds, a, b, c, sd);
    *ua = weigh(1.0, sd[0]), *ub = weigh(1.0, sd[1]), *uc = weigh(1.0, sd[2]);
}

void tl__blend_coefficients(const tl_dataset *ds, const float *a, const float *b, float w, float *ca, float *cb)
{
    float unused;
    tl__blend_coefficients3(ds, a, b, NULL, w, 0.0f, ca, cb, &unused);
}

static tl_status user_state(const tl_scorer *s, uint32_t user, const tl_profile *train, float *state, tl_error *err)
{
    const blend_scorer *e = (const blend_scorer *)s;
    uint32_t nm = s->ds->n_movies, k = coef_at(e);
    float *sa = state, *sb = state + na(e), *sc = sb + nb(e);
    tl_status st = e->a->ops->user_state(e->a, user, train, sa, err);
    if (st == TL_OK && e->b) st = e->b->ops->user_state(e->b, user, train, sb, err);
    if (st == TL_OK && e->c) st = e->c->ops->user_state(e->c, user, train, sc, err);
    if (st != TL_OK) return st;
    if (!e->b || (*e->w == 1.0f && *e->wc == 0.0f)) { /* the iALS part alone: its own scores */
        state[k] = 1.0f, state[k + 1] = 0.0f, state[k + 2] = 0.0f;
        return TL_OK;
    }
    float *a = malloc(((size_t)nm + 1) * 3 * sizeof *a);
    if (!a) return tl_fail(err, TL_E_NOMEM, "blend: out of memory scoring user %u", user);
    float *b = a + nm + 1, *c = e->c ? b + nm + 1 : NULL;
    e->a->ops->score(e->a, sa, 1, 0, nm, a, nm);
    e->b->ops->score(e->b, sb, 1, 0, nm, b, nm);
    if (c) e->c->ops->score(e->c, sc, 1, 0, nm, c, nm);
    tl__blend_coefficients3(s->ds, a, b, c, *e->w, *e->wc, &state[k], &state[k + 1], &state[k + 2]);
    free(a);
    return TL_OK;
}

static tl_status fold_in(tl_scorer *s, const tl_profile *p, const struct tl_foldin_options *opt, float *state,
                         tl_error *err)
{
    blend_scorer *e = (blend_scorer *)s;
    tl_status st = e->a->ops->fold_in(e->a, p, opt, state, err);
    if (st != TL_OK) return st;
    uint32_t k = coef_at(e);
    memset(state + na(e), 0, (size_t)(nb(e) + nc(e)) * sizeof *state);
    state[k] = 1.0f, state[k + 1] = 0.0f, state[k + 2] = 0.0f;
    return TL_OK;
}

/* The parts' states of n users side by side, for one call of a part's score. */
static void gather(const float *states, uint32_t n, uint32_t stride, uint32_t off, uint32_t len, float *out)
{
    for (uint32_t u = 0; u < n; u++) memcpy(out + (size_t)u * len, states + (size_t)u * stride + off, len * 4u);
}

static void score(const tl_scorer *s, const float *states, uint32_t n, uint32_t m0, uint32_t n_m, float *out,
                  size_t ldo)
{
    const blend_scorer *e = (const blend_scorer *)s;
    uint32_t sf = s->state_floats, la = na(e), lb = nb(e), k = coef_at(e);
    int any_b = 0;
    for (uint32_t u = 0; u < n; u++) any_b |= states[(size_t)u * sf + k + 1] != 0.0f;
    size_t need = (size_t)n * la + (any_b ? (size_t)n * lb + (size_t)n * n_m : 0);
    float *buf = calloc(need ? need : 1, sizeof *buf);
    if (!buf) { /* no error path here: unrankable scores rather than wrong ones */
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t j = 0; j < n_m; j++) out[(size_t)u * ldo + j] = -INFINITY;
        return;
    }
    float *xa = buf, *xb = buf + (size_t)n * la, *bs = xb + (size_t)n * lb;
    gather(states, n, sf, 0, la, xa);
    e->a->ops->score(e->a, xa, n, m0, n_m, out, ldo); /* the iALS part in place */
    if (any_b) {
        gather(states, n, sf, la, lb, xb);
        e->b->ops->score(e->b, xb, n, m0, n_m, bs, n_m);
    }
    for (uint32_t u = 0; u < n; u++) {
        const float *st = states + (size_t)u * sf;
        float ca = st[k], cb = st[k + 1], cc = st[k + 2];
        float *o = out + (size_t)u * ldo;
        if (cb == 0.0f && ca == 1.0f && cc == 0.0f) continue; /* a visitor: the iALS part's own scores */
        const float *b = bs + (size_t)u * n_m;
        for (uint32_t j = 0; j < n_m; j++) o[j] = ca * o[j] + (cb != 0.0f ? cb * ease_part(b[j]) : 0.0f);
        if (cc != 0.0f) { /* the time part's state is its score of every movie */
            const float *c = st + la + lb + m0;
            for (uint32_t j = 0; j < n_m; j++) o[j] += cc * c[j];
        }
    }
    free(buf);
}

static tl_status similar(tl_scorer *s, uint32_t movie, float *sims, tl_error *err)
{
    blend_scorer *e = (blend_scorer *)s;
    if (e->b && e->b->ops->similar(e->b, movie, sims, err) == TL_OK) return TL_OK;
    return e->a->ops->similar(e->a, movie, sims, err);
}

/* Each part's shares (scorer.h) weighted as the score weighs the part:
 * c_a times the iALS share plus c_b times the EASE share x_i B[i][j] plus
 * c_c times the time part's V[i][j]. */
static tl_status explain(tl_scorer *s, const float *state, const tl_profile *p, const uint32_t *targets,
                         uint32_t n_targets, float *contrib, tl_error *err)
{
    blend_scorer *e = (blend_scorer *)s;
    uint32_t k = coef_at(e);
    float ca = state[k], cb = state[k + 1], cc = state[k + 2];
    size_t n = (size_t)n_targets * p->n;
    tl_status st = e->a->ops->explain(e->a, state, p, targets, n_targets, contrib, err);
    if (st != TL_OK) return st;
    for (size_t i = 0; i < n; i++) contrib[i] *= ca;
    if ((cb == 0.0f && cc == 0.0f) || n == 0) return TL_OK;
    float *t = malloc(n * sizeof *t);
    if (!t) return tl_fail(err, TL_E_NOMEM, "explain: out of memory for %u movies x %u rated", n_targets, p->n);
    if (cb != 0.0f) st = e->b->ops->explain(e->b, state + na(e), p, targets, n_targets, t, err);
    for (size_t i = 0; cb != 0.0f && st == TL_OK && i < n; i++) contrib[i] += cb * t[i];
    if (cc != 0.0f && st == TL_OK) st = e->c->ops->explain(e->c, state + na(e) + nb(e), p, targets, n_targets, t, err);
    for (size_t i = 0; cc != 0.0f && st == TL_OK && i < n; i++) contrib[i] += cc * t[i];
    free(t);
    return st;
}

static void refresh(tl_scorer *s)
{
    blend_scorer *e = (blend_scorer *)s;
    if (e->a->ops->refresh) e->a->ops->refresh(e->a);
    if (e->b && e->b->ops->refresh) e->b->ops->refresh(e->b);
}

static size_t bytes(const tl_scorer *s)
{
    const blend_scorer *e = (const blend_scorer *)s;
    return sizeof *e + e->a->ops->bytes(e->a) + (e->b ? e->b->ops->bytes(e->b) : 0) +
           (e->c ? e->c->ops->bytes(e->c) : 0);
}

static void blend_free(tl_scorer *s)
{
    blend_scorer *e = (blend_scorer *)s;
    if (e->a) e->a->ops->free(e->a);
    if (e->b) e->b->ops->free(e->b);
    if (e->c) e->c->ops->free(e->c);
    free(e);
}

static const tl_scorer_ops blend_ops = {
    .user_state = user_state,
    .fold_in = fold_in,
    .score = score,
    .similar = similar,
    .explain = explain,
    .predict = NULL,
    .refresh = refresh,
    .bytes = bytes,
    .free = blend_free,
};

tl_status tl__blend_open(const tl_dataset *ds, const char *config_json, const tl_tensor *t, uint32_t n_t,
                         tl_scorer **out, tl_error *err)
{
    *out = NULL;
    const tl_tensor *w = tl_tensor_find(t, n_t, "blend.weight");
    if (!w) return tl_fail(err, TL_E_CORRUPT, "model: the blend has no \"blend.weight\" tensor");
    if ((size_t)w->rows * w->cols != 1 || !(w->data[0] >= 0.0f && w->data[0] <= 1.0f))
        return tl_fail(err, TL_E_CORRUPT, "model: the blend weight is not one number in 0-1");
    blend_scorer *e = calloc(1, sizeof *e);
    if (!e) return tl_fail(err, TL_E_NOMEM, "out of memory opening the blend");
    tl_status st = tl__embed_open(ds, config_json, t, n_t, &e->a, err);
    /* a trainer before its EASE fit has no EASE tensors yet and weight 1: the iALS part alone */
    int no_ease = !tl_tensor_find(t, n_t, "ease.items") && w->data[0] == 1.0f;
    if (st == TL_OK && !no_ease) st = tl__ease_open(ds, config_json, t, n_t, &e->b, err);
    /* the time part and its weight: absent in files from before it, or without rating times */
    const tl_tensor *wc = tl_tensor_find(t, n_t, "blend.seq_weight");
    e->wc = &no_weight;
    if (st == TL_OK && wc) {
        if ((size_t)wc->rows * wc->cols != 1 || !(wc->data[0] >= 0.0f && wc->data[0] + w->data[0] <= 1.0f + 1e-6f))
            st = tl_fail(err, TL_E_CORRUPT, "model: the blend's time weight is not one number in 0-1 - w");
        else e->wc = wc->data;
    }
    if (st == TL_OK && e->b && tl__seq_present(t, n_t)) st = tl__seq_open(ds, t, n_t, &e->c, err);
    if (st == TL_OK && *e->wc != 0.0f && !e->c)
        st = tl_fail(err, TL_E_CORRUPT, "model: the blend weighs a time part it does not have");
    if (st != TL_OK) {
        blend_free(&e->base);
        return st;
    }
    e->w = w->data;
    e->base = (tl_scorer){.ops = &blend_ops,
                          .type = "blend",
                          .similarity = "EASE weight of each movie in its score (movies outside EASE's item set: "
                                        "cosine of the iALS movie vectors)",
                          .ds = ds,
                          .state_floats = coef_at(e) + 3,
                          .needs_profile = 1,
                          .emb = e->a->emb};
    *out = &e->base;
    return TL_OK;
}
