/* Issue 15, known users (protocol B): does a third part added to the blend
 * (iALS d 64 + EASE λ 200, min_count 5; src/models/blend/) close the gap to
 * 0.365 / 0.375? Candidates, each standardised per user over the catalogue
 * as the blend's parts are (z-scores; population sd in double):
 *   rp3    RP3beta (Paudel et al. 2017): W[i][j] = sum_u P_iu^a P_uj^a / pop_j^b
 *          over binary train pairs (P_iu = 1 / pop_i, P_uj = 1 / deg_u), the
 *          diagonal 0, the top k of each row i kept; score_j = sum_{i rated} W[i][j]
 *   uknn   user-kNN: cosine of binary user vectors, the user's k nearest users
 *          v, score_j = sum_v cos(u, v)^p [v rated j]
 *   ease2  a second EASE (binary, min_count 5) at another λ
 *   tpop   time-local popularity: log(1 + ratings of j near the user's rating
 *          times, weekly bins, kernel e^(-days / h)); mode 1: 1 when j's first
 *          rating is at most h days after the user's last, else 0
 *   tknn   time neighbours: S[i][j] = sum over users of e^(-d / tau) for i and
 *          j rated d places apart (mode 1) or d seconds apart (mode 0) in the
 *          user's time order, d <= 8 tau; score_j = sum_i S[i][j] / sqrt(n_i n_j),
 *          only the top `keep` of each row (0: all). With tau 1, mode 1, keep 0
 *          it is the product's third part (src/models/blend/seq_fit.c)
 * Everything is chosen on validation rows, never on test: for split seed S
 * the validation rows are the train rows' seeded 10 % (seed S + 1, carved as
 * train_blend.c's create_validation does), and the parts are refit on the
 * rest (the "fit" rows). Validation = protocol B on the fit rows: every user
 * with validation rows (at most TL_BLEND_MAX_VALID_USERS, a seeded sample as
 * blend_choose.c), the fit movies not ranked, relevant = the validation
 * movies; mean Recall@20 x mean NDCG@10, the first best on ties.
 *
 * Stage 1 (the first split seed's validation only): each candidate's
 * parameter grid; each setting is scored alone and inside the best 3-part
 * blend of the weight simplex (step 0.1: w_a iALS, w_b EASE, w_c the part,
 * 66 points, the 2-part points w_c = 0 first, then w_c ascending, w_a
 * ascending); the setting whose best 3-part blend scores highest is kept.
 * Stage 2 (every split seed): the blend's weight and each candidate's 3
 * weights are chosen on that seed's validation; then the parts are fit on
 * all train rows and the test rows report (never choose): iALS, EASE, the
 * 2-part blend, each candidate alone and in its 3-part blend, and the
 * 4-part blend (iALS, EASE, rp3, uknn: step 0.1 simplex, 286 points)
 * when both rp3 and uknn run.
 *
 * The iALS and EASE parts are the blend's own: preset "blend" through the
 * generic trainer (fixed weight, so it trains no validation parts of its
 * own; visitor prior off, it does not touch known users), once on the fit
 * rows (in ascending row order, as the blend's validation parts) and once on
 * the train rows; their scorers come from the trainer's tensors. The 2-part
 * weight is chosen by the same grid, sums and formula as tl__blend_choose,
 * and the test scores are the served blend scorer's (c_a = w / sd_a,
 * c_b = (1 - w) / sd_b in double, then float), so the 2-part figures are the
 * product's (0.3596 / 0.3682 over seeds 42, 1, 2, 3, 4); the program checks
 * the 2-part test figures against tl_eval_setup_run on tl__blend_open.
 *
 *   tl_blend3_study DATA [seeds=42,1,2,3,4] [parts=rp3,uknn,ease2,tpop,tknn]
 *                   [rp3_alpha=..] [rp3_beta=..] [rp3_k=..] [rp3_norm=..] [knn_k=..] [knn_p=..] [ease2_lam=..]
 *                   [tpop_h=7,30,90,365] [tpop_mode=0,1] [tknn_tau=1,3,10,30] [tknn_mode=1] [tknn_keep=0]
 *                   [train_rows=80000] [test_rows=20000] [oracle=1]
 * Defaults: rp3_alpha=0.5,0.75,1 rp3_beta=0,0.35,0.5,0.65,0.8,1 rp3_k=100,400 rp3_norm=0,1
 * (1: each row of W divided by its sum after the top k, as Dacrema et al.'s
 * normalize_similarity)
 * knn_k=20,40,80,160,320 knn_p=1,2 ease2_lam=50,100,400,1000. A grid given
 * with one value skips stage 1 for that part. oracle=1 (default) adds
 * the upper bound: every grid point scored on test and the best reported,
 * clearly not a choice (it reads test), only how far any weight choice
 * could take each blend. One thread throughout. DATA
 * missing: a message and exit 0 (skipped). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_clock.h"
#include "bench_list.h"
#include "eval/eval_internal.h"
#include "models/blend/blend_internal.h"
#include "models/models_internal.h"
#include "models/rank_metrics.h"
#include "towerlens/ease.h"
#include "towerlens/eval.h"
#include "towerlens/loader.h"
#include "towerlens/model_type.h"
#include "towerlens/rng.h"
#include "towerlens/split.h"
#include "towerlens/topk.h"
#include "towerlens/train.h"

#define MAX_VALUES BENCH_MAX_VALUES
#define GRID 10 /* weight steps of 0.1 */
#define VALID_SHARE 10

typedef struct list {
    double v[MAX_VALUES];
    int n;
} list;

static int parse_list(const char *s, list *l) { return bench_parse_list(s, l->v, &l->n); }

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "blend3_study: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "blend3_study: out of memory (%zu x %zu bytes)\n", n, size);
        exit(1);
    }
    return p;
}

static void check(tl_status st, const tl_error *e)
{
    if (st != TL_OK) {
        fprintf(stderr, "blend3_study: %s\n", e->message);
        exit(1);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- one side: the rows a model fits on and the rows that judge it ------ */

typedef struct side {
    const tl_dataset *ds;
    uint32_t *fit, n_fit;   /* rows the parts fit on */
    uint32_t *held, n_held; /* validation or test rows */
    /* fit rows by user, in the given row order: movies and stars (profiles) */
    uint32_t *f_start, *f_movie;
    float *f_stars;
    uint32_t *h_start, *h_movie; /* held rows by user */
    /* binary fit pairs, distinct: movies of a user ascending, users of a movie ascending */
    uint32_t *u_start, *u_movie, *m_start, *m_user;
    /* the blend's parts (preset "blend", fixed weight) */
    tl_trainer *tr;
    tl_scorer *a, *b;
    double blend_fit_s, blend_fit_cpu_s;
} side;

static void by_user(const tl_dataset *ds, const uint32_t *rows, uint32_t n, uint32_t **start, uint32_t **movie,
                    float **stars)
{
    uint32_t nu = ds->n_users;
    uint32_t *s = xcalloc((size_t)nu + 1, sizeof *s), *m = xmalloc((size_t)n * sizeof *m);
    float *st = stars ? xmalloc((size_t)n * sizeof *st) : NULL;
    uint32_t *fill = xmalloc(((size_t)nu + 1) * sizeof *fill);
    for (uint32_t i = 0; i < n; i++) s[ds->r_user[rows[i]] + 1]++;
    for (uint32_t u = 0; u < nu; u++) s[u + 1] += s[u];
    memcpy(fill, s, (size_t)nu * sizeof *fill);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = fill[ds->r_user[rows[i]]]++;
        m[k] = ds->r_movie[rows[i]];
        if (st) st[k] = tl_rating_value(ds->r_half[rows[i]]);
    }
    free(fill);
    *start = s, *movie = m;
    if (stars) *stars = st;
}

static void side_lists(side *s)
{
    const tl_dataset *ds = s->ds;
    uint32_t nu = ds->n_users, nm = ds->n_movies;
    by_user(ds, s->fit, s->n_fit, &s->f_start, &s->f_movie, &s->f_stars);
    by_user(ds, s->held, s->n_held, &s->h_start, &s->h_movie, NULL);
    /* distinct movies per user, ascending */
    s->u_start = xcalloc((size_t)nu + 1, sizeof *s->u_start);
    s->u_movie = xmalloc((size_t)s->n_fit * sizeof *s->u_movie);
    uint32_t k = 0;
    for (uint32_t u = 0; u < nu; u++) {
        uint32_t a = s->f_start[u], b = s->f_start[u + 1], k0 = k;
        memcpy(s->u_movie + k, s->f_movie + a, (size_t)(b - a) * sizeof *s->u_movie);
        qsort(s->u_movie + k, b - a, sizeof *s->u_movie, cmp_u32);
        for (uint32_t i = 0; i < b - a; i++)
            if (k == k0 || s->u_movie[k - 1] != s->u_movie[k0 + i]) s->u_movie[k++] = s->u_movie[k0 + i];
        s->u_start[u + 1] = k;
    }
    /* users per movie, ascending (users visited in order) */
    s->m_start = xcalloc((size_t)nm + 1, sizeof *s->m_start);
    s->m_user = xmalloc(((size_t)k + 1) * sizeof *s->m_user);
    for (uint32_t i = 0; i < k; i++) s->m_start[s->u_movie[i] + 1]++;
    for (uint32_t m = 0; m < nm; m++) s->m_start[m + 1] += s->m_start[m];
    uint32_t *fill = xmalloc(((size_t)nm + 1) * sizeof *fill);
    memcpy(fill, s->m_start, (size_t)nm * sizeof *fill);
    for (uint32_t u = 0; u < nu; u++)
        for (uint32_t i = s->u_start[u]; i < s->u_start[u + 1]; i++) s->m_user[fill[s->u_movie[i]]++] = u;
    free(fill);
}

/* the blend's iALS and EASE parts: preset "blend" on the side's fit rows */
static void side_blend_parts(side *s, uint64_t seed)
{
    tl_error err;
    tl_error_clear(&err);
    tl_train_config cfg;
    check(tl_train_config_preset(&cfg, "blend", &err), &err);
    cfg.seed = seed;
    cfg.threads = 1;
    cfg.blend_weight = 0.5f;     /* fixed: no validation parts inside */
    cfg.visitor_prior_auto = 0;  /* the visitors' fold-in prior: no effect on known users */
    cfg.visitor_prior_w3 = 0.0f; /* (the served model's iALS and EASE are the same bits either way) */
    cfg.visitor_prior_w10 = 0.0f;
    tl_split sp = {.n_train = s->n_fit, .n_test = 0, .n_valid = 0, .train = s->fit, .test = NULL, .valid = NULL};
    double t0 = bench_now(), c0 = bench_cpu_now();
    check(tl_trainer_new(s->ds, &sp, &cfg, &s->tr, &err), &err);
    tl_train_progress p;
    check(tl_trainer_step(s->tr, 0, 0, &p, &err), &err);
    s->blend_fit_s = bench_now() - t0, s->blend_fit_cpu_s = bench_cpu_now() - c0;
    tl_tensor t[2 * TL_TRAINER_MAX_TENSORS];
    uint32_t n = tl_trainer_tensors(s->tr, t);
    check(tl__embed_open(s->ds, NULL, t, n, &s->a, &err), &err);
    check(tl__ease_open(s->ds, NULL, t, n, &s->b, &err), &err);
}

static void side_free(side *s)
{
    if (s->a) tl_scorer_free(s->a);
    if (s->b) tl_scorer_free(s->b);
    tl_trainer_free(s->tr);
    free(s->fit), free(s->held);
    free(s->f_start), free(s->f_movie), free(s->f_stars), free(s->h_start), free(s->h_movie);
    free(s->u_start), free(s->u_movie), free(s->m_start), free(s->m_user);
    memset(s, 0, sizeof *s);
}

static uint32_t *copy_rows(const uint32_t *r, uint32_t n)
{
    uint32_t *c = xmalloc((size_t)n * sizeof *c);
    memcpy(c, r, (size_t)n * sizeof *c);
    return c;
}

/* validation: train_blend.c's create_validation (the train rows shuffled
 * with seed S + 1, the first 10 % held out; both parts in ascending row order) */
static void make_validation(const tl_dataset *ds, const tl_split *sp, uint64_t seed, side *s)
{
    uint32_t n = sp->n_train, n_val = (uint32_t)((uint64_t)n * VALID_SHARE / 100);
    uint32_t *perm = copy_rows(sp->train, n);
    tl_shuffle_u32(perm, n, seed + 1);
    uint8_t *is_val = xcalloc((size_t)ds->n_ratings + 1, 1), *in_train = xcalloc((size_t)ds->n_ratings + 1, 1);
    for (uint32_t i = 0; i < n_val; i++) is_val[perm[i]] = 1;
    for (uint32_t i = 0; i < n; i++) in_train[sp->train[i]] = 1;
    memset(s, 0, sizeof *s);
    s->ds = ds;
    s->fit = xmalloc((size_t)n * sizeof *s->fit);
    s->held = xmalloc((size_t)n_val * sizeof *s->held);
    for (uint32_t r = 0; r < ds->n_ratings; r++)
        if (in_train[r] && !is_val[r]) s->fit[s->n_fit++] = r;
    for (uint32_t r = 0; r < ds->n_ratings; r++)
        if (is_val[r]) s->held[s->n_held++] = r;
    free(perm), free(is_val), free(in_train);
    side_lists(s);
}

static void make_test(const tl_dataset *ds, const tl_split *sp, side *s)
{
    memset(s, 0, sizeof *s);
    s->ds = ds;
    s->fit = copy_rows(sp->train, sp->n_train), s->n_fit = sp->n_train;
    s->held = copy_rows(sp->test, sp->n_test), s->n_held = sp->n_test;
    side_lists(s);
}

/* ---- RP3beta -------------------------------------------------------------- */

typedef struct rp3 {
    double alpha, beta;
    uint32_t k;
    uint32_t *start, *idx; /* row i (dense movie): its kept j's */
    float *val;
    size_t nnz;
} rp3;

static void rp3_fit(const side *s, double alpha, double beta, uint32_t k, int norm, rp3 *out)
{
    const tl_dataset *ds = s->ds;
    uint32_t nu = ds->n_users, nm = ds->n_movies;
    memset(out, 0, sizeof *out);
    out->alpha = alpha, out->beta = beta, out->k = k;
    double *pu = xmalloc((size_t)nu * sizeof *pu), *pi = xmalloc((size_t)nm * sizeof *pi);
    double *pen = xmalloc((size_t)nm * sizeof *pen), *acc = xcalloc(nm, sizeof *acc);
    for (uint32_t u = 0; u < nu; u++) {
        uint32_t d = s->u_start[u + 1] - s->u_start[u];
        pu[u] = d ? pow((double)d, -alpha) : 0;
    }
    for (uint32_t m = 0; m < nm; m++) {
        uint32_t d = s->m_start[m + 1] - s->m_start[m];
        pi[m] = d ? pow((double)d, -alpha) : 0;
        pen[m] = d ? pow((double)d, -beta) : 0;
    }
    uint32_t *touched = xmalloc((size_t)nm * sizeof *touched);
    uint8_t *is_t = xcalloc(nm, 1);
    tl_scored *heap = xmalloc((size_t)k * sizeof *heap);
    out->start = xcalloc((size_t)nm + 1, sizeof *out->start);
    size_t cap = (size_t)nm * k;
    out->idx = xmalloc(cap * sizeof *out->idx);
    out->val = xmalloc(cap * sizeof *out->val);
    for (uint32_t i = 0; i < nm; i++) {
        uint32_t nt = 0;
        for (uint32_t q = s->m_start[i]; q < s->m_start[i + 1]; q++) {
            uint32_t u = s->m_user[q];
            for (uint32_t r = s->u_start[u]; r < s->u_start[u + 1]; r++) {
                uint32_t j = s->u_movie[r];
                if (!is_t[j]) is_t[j] = 1, touched[nt++] = j;
                acc[j] += pu[u];
            }
        }
        tl_topk tk;
        tl_topk_init(&tk, heap, k);
        for (uint32_t t = 0; t < nt; t++) {
            uint32_t j = touched[t];
            if (j != i) tl_topk_push(&tk, j, (float)(pi[i] * acc[j] * pen[j]));
            acc[j] = 0, is_t[j] = 0;
        }
        uint32_t n = tl_topk_finish(&tk);
        double sum = 0;
        for (uint32_t t = 0; t < n; t++) sum += heap[t].score;
        for (uint32_t t = 0; t < n; t++) {
            out->idx[out->nnz] = heap[t].index;
            out->val[out->nnz++] = norm && sum > 0 ? (float)(heap[t].score / sum) : heap[t].score;
        }
        out->start[i + 1] = (uint32_t)out->nnz;
    }
    free(pu), free(pi), free(pen), free(acc), free(touched), free(is_t), free(heap);
}

static void rp3_free(rp3 *r) { free(r->start), free(r->idx), free(r->val); }

static void rp3_score(const rp3 *r, const side *s, uint32_t u, float *out)
{
    uint32_t nm = s->ds->n_movies;
    memset(out, 0, (size_t)nm * sizeof *out);
    for (uint32_t q = s->u_start[u]; q < s->u_start[u + 1]; q++) {
        uint32_t i = s->u_movie[q];
        for (uint32_t t = r->start[i]; t < r->start[i + 1]; t++) out[r->idx[t]] += r->val[t];
    }
}

/* ---- user-kNN --------------------------------------------------------------- */

typedef struct uknn {
    uint32_t k;
    double p;
    uint32_t *count; /* n_users scratch */
    tl_scored *heap;
} uknn;

static void uknn_init(uknn *m, const side *s, uint32_t k, double p)
{
    m->k = k, m->p = p;
    m->count = xcalloc(s->ds->n_users, sizeof *m->count);
    m->heap = xmalloc((size_t)k * sizeof *m->heap);
}

static void uknn_free(uknn *m) { free(m->count), free(m->heap); }

static void uknn_score(uknn *m, const side *s, uint32_t u, float *out)
{
    const tl_dataset *ds = s->ds;
    uint32_t nu = ds->n_users, nm = ds->n_movies;
    memset(out, 0, (size_t)nm * sizeof *out);
    uint32_t du = s->u_start[u + 1] - s->u_start[u];
    if (!du) return;
    for (uint32_t q = s->u_start[u]; q < s->u_start[u + 1]; q++) {
        uint32_t i = s->u_movie[q];
        for (uint32_t t = s->m_start[i]; t < s->m_start[i + 1]; t++) m->count[s->m_user[t]]++;
    }
    tl_topk tk;
    tl_topk_init(&tk, m->heap, m->k);
    for (uint32_t v = 0; v < nu; v++) {
        uint32_t c = m->count[v];
        m->count[v] = 0;
        if (v == u || !c) continue;
        double dv = s->u_start[v + 1] - s->u_start[v];
        tl_topk_push(&tk, v, (float)((double)c / sqrt((double)du * dv)));
    }
    uint32_t n = tl_topk_finish(&tk);
    for (uint32_t t = 0; t < n; t++) {
        uint32_t v = m->heap[t].index;
        float w = (float)pow((double)m->heap[t].score, m->p);
        for (uint32_t q = s->u_start[v]; q < s->u_start[v + 1]; q++) out[s->u_movie[q]] += w;
    }
}

/* ---- a second EASE ------------------------------------------------------------ */

static tl_ease_model *ease2_fit(const side *s, double lambda, double *secs, double *cpu)
{
    tl_error err;
    tl_error_clear(&err);
    tl_ease_options o;
    tl_ease_options_default(&o);
    o.lambda = (float)lambda;
    tl_ease_model *m = NULL;
    double t0 = bench_now(), c0 = bench_cpu_now();
    check(tl_ease_fit(s->ds, s->fit, s->n_fit, &o, &m, &err), &err);
    if (secs) *secs = bench_now() - t0;
    if (cpu) *cpu = bench_cpu_now() - c0;
    return m;
}

static void ease2_score(const tl_ease_model *m, const side *s, uint32_t u, uint32_t *pm, uint8_t *ph, float *out)
{
    tl_error err;
    uint32_t n = 0;
    for (uint32_t q = s->u_start[u]; q < s->u_start[u + 1]; q++) pm[n] = s->u_movie[q], ph[n++] = 10;
    check(tl_ease_score(m, pm, ph, n, out, &err), &err);
    for (uint32_t j = 0; j < s->ds->n_movies; j++)
        if (out[j] < TL_BLEND_EASE_OUTSIDE) out[j] = 0.0f;
}

/* ---- time-local popularity ------------------------------------------------ */

/* tpop: how often movie j was rated (by anyone, fit rows) near the times the
 * user rated, in weekly bins: score_j = log(1 + sum_b H[b][j] K_u[b]) with
 * K_u[b] = sum over the user's fit ratings r of exp(-|b - bin(r)| 7 / h),
 * divided by the user's rating count (h: the bandwidth in days). mode 1: the
 * movie's "availability": 1 when its first fit rating is at most h days after
 * the user's last fit rating, else 0. */
#define TP_WEEK 604800u
typedef struct tpop {
    double h;
    int mode;
    uint32_t nb, t0;
    float *H;           /* [nb][nm] */
    uint32_t *first;    /* first fit-rating bin of each movie (UINT32_MAX: none) */
    uint32_t *ub_start; /* the user's fit bins */
    uint32_t *ub;
    float *K, *ku;
} tpop;

static void tpop_fit(tpop *t, const side *s, double h, int mode)
{
    const tl_dataset *ds = s->ds;
    uint32_t nm = ds->n_movies, nu = ds->n_users, week = TP_WEEK >> ds->time_shift;
    memset(t, 0, sizeof *t);
    t->h = h, t->mode = mode;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t i = 0; i < s->n_fit; i++) {
        uint32_t x = ds->r_time[s->fit[i]];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
    }
    t->t0 = lo, t->nb = (hi - lo) / week + 1;
    t->H = xcalloc((size_t)t->nb * nm, sizeof *t->H);
    t->first = xmalloc((size_t)nm * sizeof *t->first);
    for (uint32_t j = 0; j < nm; j++) t->first[j] = UINT32_MAX;
    t->ub_start = xcalloc((size_t)nu + 1, sizeof *t->ub_start);
    t->ub = xmalloc((size_t)s->n_fit * sizeof *t->ub);
    for (uint32_t i = 0; i < s->n_fit; i++) t->ub_start[ds->r_user[s->fit[i]] + 1]++;
    for (uint32_t u = 0; u < nu; u++) t->ub_start[u + 1] += t->ub_start[u];
    uint32_t *fill = xmalloc(((size_t)nu + 1) * sizeof *fill);
    memcpy(fill, t->ub_start, (size_t)nu * sizeof *fill);
    for (uint32_t i = 0; i < s->n_fit; i++) {
        uint32_t r = s->fit[i], b = (ds->r_time[r] - lo) / week, j = ds->r_movie[r];
        t->H[(size_t)b * nm + j] += 1.0f;
        if (b < t->first[j]) t->first[j] = b;
        t->ub[fill[ds->r_user[r]]++] = b;
    }
    free(fill);
    t->K = xmalloc((size_t)t->nb * sizeof *t->K);
    for (uint32_t d = 0; d < t->nb; d++) t->K[d] = (float)exp(-(double)d * 7.0 / h);
    t->ku = xmalloc((size_t)t->nb * sizeof *t->ku);
}

static void tpop_free(tpop *t) { free(t->H), free(t->first), free(t->ub_start), free(t->ub), free(t->K), free(t->ku); }

static void tpop_score(tpop *t, const side *s, uint32_t u, float *out)
{
    uint32_t nm = s->ds->n_movies, a = t->ub_start[u], e = t->ub_start[u + 1];
    if (t->mode == 1) {
        uint32_t last = 0;
        for (uint32_t q = a; q < e; q++)
            if (t->ub[q] > last) last = t->ub[q];
        uint32_t lim = last + (uint32_t)(t->h / 7.0);
        for (uint32_t j = 0; j < nm; j++) out[j] = t->first[j] <= lim ? 1.0f : 0.0f;
        return;
    }
    memset(t->ku, 0, (size_t)t->nb * sizeof *t->ku);
    float inv = e > a ? 1.0f / (float)(e - a) : 0.0f;
    for (uint32_t q = a; q < e; q++)
        for (uint32_t b = 0; b < t->nb; b++) t->ku[b] += inv * t->K[b > t->ub[q] ? b - t->ub[q] : t->ub[q] - b];
    memset(out, 0, (size_t)nm * sizeof *out);
    for (uint32_t b = 0; b < t->nb; b++) {
        float k = t->ku[b];
        if (k < 1e-4f) continue;
        const float *hb = t->H + (size_t)b * nm;
        for (uint32_t j = 0; j < nm; j++) out[j] += k * hb[j];
    }
    for (uint32_t j = 0; j < nm; j++) out[j] = logf(1.0f + out[j]);
}

/* ---- time-neighbour item co-occurrence ------------------------------------ */

/* tknn: S[i][j] = sum over users of exp(-d / tau) for every pair of the
 * user's fit ratings of i and j, d = their distance in seconds (mode 0) or in
 * places of the user's ratings sorted by time (mode 1); pairs with d > 8 tau
 * skipped. score_j = sum over the user's movies i of S[i][j] / sqrt(n_i n_j)
 * (n: fit ratings of the movie). Dense nm x nm: a study only. */
typedef struct tknn {
    uint32_t nm;
    float *S, *inv;
} tknn;

typedef struct tk_ev {
    uint32_t t, m;
} tk_ev;

static int cmp_ev(const void *a, const void *b)
{
    const tk_ev *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t ? 1 : (x->m > y->m) - (x->m < y->m);
}

static void tknn_fit(tknn *k, const side *s, double tau, int mode, uint32_t keep)
{
    const tl_dataset *ds = s->ds;
    uint32_t nm = ds->n_movies, nu = ds->n_users;
    k->nm = nm;
    k->S = xcalloc((size_t)nm * nm, sizeof *k->S);
    k->inv = xcalloc(nm, sizeof *k->inv);
    uint32_t *start = xcalloc((size_t)nu + 1, sizeof *start);
    for (uint32_t i = 0; i < s->n_fit; i++) start[ds->r_user[s->fit[i]] + 1]++;
    for (uint32_t u = 0; u < nu; u++) start[u + 1] += start[u];
    tk_ev *ev = xmalloc(((size_t)s->n_fit + 1) * sizeof *ev);
    uint32_t *fill = xmalloc(((size_t)nu + 1) * sizeof *fill);
    memcpy(fill, start, (size_t)nu * sizeof *fill);
    for (uint32_t i = 0; i < s->n_fit; i++) {
        uint32_t r = s->fit[i];
        ev[fill[ds->r_user[r]]++] = (tk_ev){ds->r_time[r], ds->r_movie[r]};
        k->inv[ds->r_movie[r]] += 1.0f;
    }
    for (uint32_t j = 0; j < nm; j++) k->inv[j] = k->inv[j] > 0 ? 1.0f / sqrtf(k->inv[j]) : 0.0f;
    double lim = 8 * tau;
    for (uint32_t u = 0; u < nu; u++) {
        tk_ev *e = ev + start[u];
        uint32_t n = start[u + 1] - start[u];
        qsort(e, n, sizeof *e, cmp_ev);
        for (uint32_t a = 0; a < n; a++)
            for (uint32_t b = a + 1; b < n; b++) {
                double d = mode ? (double)(b - a) : (double)(e[b].t - e[a].t);
                if (d > lim) break;
                float w = (float)exp(-d / tau);
                k->S[(size_t)e[a].m * nm + e[b].m] += w;
                k->S[(size_t)e[b].m * nm + e[a].m] += w;
            }
    }
    free(start), free(ev), free(fill);
    if (keep) { /* the top keep of each row by S[i][j] / sqrt(n_i n_j) (the same ranking as S / sqrt(n_j)) */
        tl_scored *heap = xmalloc((size_t)keep * sizeof *heap);
        for (uint32_t i = 0; i < nm; i++) {
            float *row = k->S + (size_t)i * nm;
            tl_topk tk;
            tl_topk_init(&tk, heap, keep);
            for (uint32_t j = 0; j < nm; j++)
                if (row[j] > 0) tl_topk_push(&tk, j, row[j] * k->inv[j]);
            uint32_t n = tl_topk_finish(&tk);
            float *kept = xcalloc(nm, sizeof *kept);
            for (uint32_t t = 0; t < n; t++) kept[heap[t].index] = row[heap[t].index];
            memcpy(row, kept, (size_t)nm * sizeof *row);
            free(kept);
        }
        free(heap);
    }
}

static void tknn_free(tknn *k) { free(k->S), free(k->inv); }

static void tknn_score(const tknn *k, const side *s, uint32_t u, float *out)
{
    uint32_t nm = k->nm;
    memset(out, 0, (size_t)nm * sizeof *out);
    for (uint32_t q = s->u_start[u]; q < s->u_start[u + 1]; q++) {
        uint32_t i = s->u_movie[q];
        const float *row = k->S + (size_t)i * nm;
        float c = k->inv[i];
        for (uint32_t j = 0; j < nm; j++) out[j] += c * row[j];
    }
    for (uint32_t j = 0; j < nm; j++) out[j] *= k->inv[j];
}

/* ---- a third part, whichever it is ----------------------------------------------- */

enum { P_RP3, P_UKNN, P_EASE2, P_TPOP, P_TKNN, N_PARTS };
static const char *const part_names[N_PARTS] = {"rp3", "uknn", "ease2", "tpop", "tknn"};

typedef struct part {
    int kind;
    rp3 r;
    uknn kn;
    tl_ease_model *e;
    tpop tp;
    tknn tk;
    uint32_t *pm; /* ease2 profile scratch */
    uint8_t *ph;
    double fit_s, fit_cpu_s;
    size_t bytes;
} part;

typedef struct setting {
    double x, y, z, w; /* rp3: alpha, beta, k, row-normalised (0/1); uknn: k, p; ease2: lambda */
} setting;

static void setting_str(int kind, const setting *st, char *buf, size_t n)
{
    if (kind == P_RP3) snprintf(buf, n, "alpha %g, beta %g, k %g, norm %g", st->x, st->y, st->z, st->w);
    else if (kind == P_UKNN) snprintf(buf, n, "k %g, p %g", st->x, st->y);
    else if (kind == P_TPOP) snprintf(buf, n, "h %g days, mode %g", st->x, st->y);
    else if (kind == P_TKNN) snprintf(buf, n, "tau %g, mode %g, keep %g", st->x, st->y, st->z);
    else snprintf(buf, n, "lambda %g", st->x);
}

static void part_fit(part *p, int kind, const setting *st, const side *s)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    double t0 = bench_now(), c0 = bench_cpu_now();
    if (kind == P_RP3) {
        rp3_fit(s, st->x, st->y, (uint32_t)st->z, st->w != 0, &p->r);
        p->bytes = p->r.nnz * (sizeof *p->r.idx + sizeof *p->r.val) + ((size_t)s->ds->n_movies + 1) * 4;
    } else if (kind == P_UKNN) {
        uknn_init(&p->kn, s, (uint32_t)st->x, st->y);
        /* the model is the binary fit pairs by user and by movie */
        p->bytes = ((size_t)s->u_start[s->ds->n_users] * 2 + (size_t)s->ds->n_users + s->ds->n_movies + 2) * 4;
    } else if (kind == P_TKNN) {
        tknn_fit(&p->tk, s, st->x, (int)st->y, (uint32_t)st->z);
        p->bytes = (size_t)s->ds->n_movies * s->ds->n_movies * 4;
    } else if (kind == P_TPOP) {
        tpop_fit(&p->tp, s, st->x, (int)st->y);
        p->bytes = (size_t)p->tp.nb * s->ds->n_movies * 4;
    } else {
        p->e = ease2_fit(s, st->x, NULL, NULL);
        tl_ease_info info;
        tl_ease_get_info(p->e, &info);
        p->bytes = info.model_bytes;
        p->pm = xmalloc((size_t)s->n_fit * sizeof *p->pm);
        p->ph = xmalloc((size_t)s->n_fit);
    }
    p->fit_s = bench_now() - t0, p->fit_cpu_s = bench_cpu_now() - c0;
}

static void part_score(part *p, const side *s, uint32_t u, float *out)
{
    if (p->kind == P_RP3) rp3_score(&p->r, s, u, out);
    else if (p->kind == P_UKNN) uknn_score(&p->kn, s, u, out);
    else if (p->kind == P_TPOP) tpop_score(&p->tp, s, u, out);
    else if (p->kind == P_TKNN) tknn_score(&p->tk, s, u, out);
    else ease2_score(p->e, s, u, p->pm, p->ph, out);
}

static void part_free(part *p)
{
    if (p->kind == P_RP3) rp3_free(&p->r);
    else if (p->kind == P_UKNN) uknn_free(&p->kn);
    else if (p->kind == P_TPOP) tpop_free(&p->tp);
    else if (p->kind == P_TKNN) tknn_free(&p->tk);
    else tl_ease_free(p->e), free(p->pm), free(p->ph);
    memset(p, 0, sizeof *p);
}

/* population sd over the catalogue in double, ascending movies (tl__blend_coefficients' formula) */
static double catalogue_sd(const tl_dataset *ds, const float *x)
{
    double n = 0, m = 0, v = 0;
    for (uint32_t j = 0; j < ds->n_movies; j++)
        if (ds->movies[j].in_catalogue) n += 1, m += x[j];
    if (n > 0) m /= n;
    for (uint32_t j = 0; j < ds->n_movies; j++)
        if (ds->movies[j].in_catalogue) {
            double d = x[j] - m;
            v += d * d;
        }
    return n > 0 ? sqrt(v / n) : 0;
}

static float coef(double w, double sd) { return sd > 1e-12 ? (float)(w / sd) : 0.0f; }

static float ease_part(float v) { return v < TL_BLEND_EASE_OUTSIDE ? 0.0f : v; }

/* ---- validation: users, cached iALS / EASE scores, the weight grids ------------- */

typedef struct valid {
    const side *s;
    uint32_t n; /* users scored */
    uint32_t *user;
    float *a, *b;   /* n x n_movies: iALS, EASE (0 outside its items) */
    float *ca, *cb; /* 1 / sd as tl__blend_choose computes them */
    uint32_t *cat, n_cat;
    uint8_t *mark;
} valid;

static void valid_init(valid *v, const side *s, uint64_t seed)
{
    const tl_dataset *ds = s->ds;
    uint32_t nu = ds->n_users, nm = ds->n_movies, n_cand = 0;
    tl_error err;
    tl_error_clear(&err);
    memset(v, 0, sizeof *v);
    v->s = s;
    uint32_t *cand = xmalloc((size_t)nu * sizeof *cand);
    for (uint32_t u = 0; u < nu; u++)
        if (s->h_start[u + 1] > s->h_start[u]) cand[n_cand++] = u;
    if (n_cand > TL_BLEND_MAX_VALID_USERS) { /* blend_choose.c's sample */
        tl_shuffle_u32(cand, n_cand, seed);
        n_cand = TL_BLEND_MAX_VALID_USERS;
        qsort(cand, n_cand, sizeof *cand, cmp_u32);
    }
    v->cat = xmalloc((size_t)nm * sizeof *v->cat);
    for (uint32_t j = 0; j < nm; j++)
        if (ds->movies[j].in_catalogue) v->cat[v->n_cat++] = j;
    v->mark = xcalloc(nm, 1);
    v->user = xmalloc((size_t)n_cand * sizeof *v->user);
    v->a = xmalloc((size_t)n_cand * nm * sizeof *v->a);
    v->b = xmalloc((size_t)n_cand * nm * sizeof *v->b);
    v->ca = xmalloc((size_t)n_cand * sizeof *v->ca);
    v->cb = xmalloc((size_t)n_cand * sizeof *v->cb);
    float *xa = xmalloc((size_t)(s->a->state_floats + 1) * sizeof *xa);
    float *xb = xmalloc((size_t)(s->b->state_floats + 1) * sizeof *xb);
    for (uint32_t c = 0; c < n_cand; c++) {
        uint32_t u = cand[c], f0 = s->f_start[u], f1 = s->f_start[u + 1];
        /* relevant: validation movies not among the fit movies, in the catalogue */
        for (uint32_t i = f0; i < f1; i++) v->mark[s->f_movie[i]] = 1;
        uint32_t n_rel = 0;
        for (uint32_t i = s->h_start[u]; i < s->h_start[u + 1]; i++) {
            uint32_t m = s->h_movie[i];
            if (!v->mark[m] && ds->movies[m].in_catalogue) n_rel++;
        }
        for (uint32_t i = f0; i < f1; i++) v->mark[s->f_movie[i]] = 0;
        if (!n_rel) continue;
        tl_profile p = {s->f_movie + f0, s->f_stars + f0, f1 - f0};
        check(s->a->ops->user_state(s->a, u, &p, xa, &err), &err);
        check(s->b->ops->user_state(s->b, u, &p, xb, &err), &err);
        float *sa = v->a + (size_t)v->n * nm, *sb = v->b + (size_t)v->n * nm;
        s->a->ops->score(s->a, xa, 1, 0, nm, sa, nm);
        s->b->ops->score(s->b, xb, 1, 0, nm, sb, nm);
        float unused;
        tl__blend_units(ds, sa, sb, NULL, &v->ca[v->n], &v->cb[v->n], &unused);
        for (uint32_t j = 0; j < nm; j++) sb[j] = ease_part(sb[j]);
        v->user[v->n++] = u;
    }
    free(cand), free(xa), free(xb);
}

static void valid_free(valid *v)
{
    free(v->user), free(v->a), free(v->b), free(v->ca), free(v->cb), free(v->cat), free(v->mark);
}

/* marks user u's fit movies 1 and relevant validation movies 2; returns the relevant count */
static uint32_t mark_user(valid *v, uint32_t u)
{
    const side *s = v->s;
    uint32_t n_rel = 0;
    for (uint32_t i = s->f_start[u]; i < s->f_start[u + 1]; i++) v->mark[s->f_movie[i]] = 1;
    for (uint32_t i = s->h_start[u]; i < s->h_start[u + 1]; i++) {
        uint32_t m = s->h_movie[i];
        if (!v->mark[m] && s->ds->movies[m].in_catalogue) v->mark[m] = 2, n_rel++;
    }
    return n_rel;
}

static void unmark_user(valid *v, uint32_t u)
{
    const side *s = v->s;
    for (uint32_t i = s->f_start[u]; i < s->f_start[u + 1]; i++) v->mark[s->f_movie[i]] = 0;
    for (uint32_t i = s->h_start[u]; i < s->h_start[u + 1]; i++) v->mark[s->h_movie[i]] = 0;
}

static void rank_sum(valid *v, const float *sc, uint32_t n_rel, double *r_sum, double *n_sum)
{
    tl_scored top[20];
    uint32_t ranked[20], n = tl__rank_top(sc, v->cat, v->n_cat, v->mark, 1, 20, top);
    for (uint32_t i = 0; i < n; i++) ranked[i] = top[i].index;
    double r, nd;
    tl__rank_metrics(ranked, n, v->mark, 2, n_rel, &r, &nd);
    *r_sum += r, *n_sum += nd;
}

/* The simplex of up to 4 weights in steps of 1/GRID: w[0] iALS, w[1] EASE,
 * w[2..] the extra parts. Order: the extra parts' steps ascending (the
 * last part outermost), then w_a ascending; w_b is the rest. The first
 * GRID + 1 points are the 2-part blend's grid in tl__blend_choose's order. */
typedef struct grid {
    int n, parts; /* points; extra parts (0-2) */
    int g[400][4];
} grid;

static void grid_make(grid *gr, int extra)
{
    gr->n = 0, gr->parts = extra;
    for (int s3 = 0; s3 <= (extra >= 2 ? GRID : 0); s3++)
        for (int s2 = 0; s2 <= (extra >= 1 ? GRID - s3 : 0); s2++)
            for (int g0 = 0; g0 <= GRID - s2 - s3; g0++) {
                int *p = gr->g[gr->n++];
                p[0] = g0, p[2] = s2, p[3] = s3, p[1] = GRID - g0 - s2 - s3;
            }
}

static grid g2, g3, g4; /* 2, 3 and 4 parts */

typedef struct grid_result {
    double r[400], nd[400];
    int best, best2; /* the best point, the best with no extra part */
    uint32_t users;
} grid_result;

static void grid_pick(const grid *gr, grid_result *res)
{
    double best = -1, best2 = -1;
    for (int i = 0; i < gr->n; i++) {
        double rn = res->r[i] * res->nd[i];
        if (rn > best) best = rn, res->best = i;
        if (gr->g[i][2] == 0 && gr->g[i][3] == 0 && rn > best2) best2 = rn, res->best2 = i;
    }
}

/* Every validation user ranked at every grid point with the extra parts
 * (n_extra of them, NULL-free); alone (when not NULL) gets each extra part
 * ranked by itself. */
static void valid_grid(valid *v, part **extra, int n_extra, const grid *gr, grid_result *res, double *alone_r,
                       double *alone_n)
{
    const tl_dataset *ds = v->s->ds;
    uint32_t nm = ds->n_movies;
    float *c[2] = {NULL, NULL}, cc[2] = {0, 0};
    for (int e = 0; e < n_extra; e++) c[e] = xmalloc((size_t)nm * sizeof *c[e]);
    float *sc = xmalloc((size_t)nm * sizeof *sc);
    memset(res, 0, sizeof *res);
    for (int e = 0; e < n_extra; e++)
        if (alone_r) alone_r[e] = 0, alone_n[e] = 0;
    for (uint32_t k = 0; k < v->n; k++) {
        uint32_t u = v->user[k];
        for (int e = 0; e < n_extra; e++) {
            part_score(extra[e], v->s, u, c[e]);
            cc[e] = coef(1.0, catalogue_sd(ds, c[e]));
        }
        uint32_t n_rel = mark_user(v, u);
        const float *a = v->a + (size_t)k * nm, *b = v->b + (size_t)k * nm;
        for (int i = 0; i < gr->n; i++) {
            const int *g = gr->g[i];
            float wa = (float)g[0] / GRID, w2 = (float)g[2] / GRID, w3 = (float)g[3] / GRID;
            float wb = 1.0f - wa - w2 - w3;
            float fa = wa * v->ca[k], fb = wb * v->cb[k], f2 = w2 * cc[0], f3 = w3 * cc[1];
            if (n_extra == 0)
                for (uint32_t j = 0; j < nm; j++) sc[j] = fa * a[j] + fb * b[j];
            else if (n_extra == 1)
                for (uint32_t j = 0; j < nm; j++) sc[j] = fa * a[j] + fb * b[j] + f2 * c[0][j];
            else
                for (uint32_t j = 0; j < nm; j++) sc[j] = fa * a[j] + fb * b[j] + f2 * c[0][j] + f3 * c[1][j];
            rank_sum(v, sc, n_rel, &res->r[i], &res->nd[i]);
        }
        if (alone_r)
            for (int e = 0; e < n_extra; e++) rank_sum(v, c[e], n_rel, &alone_r[e], &alone_n[e]);
        unmark_user(v, u);
    }
    res->users = v->n;
    for (int i = 0; i < gr->n; i++) res->r[i] /= v->n, res->nd[i] /= v->n;
    for (int e = 0; e < n_extra; e++)
        if (alone_r) alone_r[e] /= v->n, alone_n[e] /= v->n;
    grid_pick(gr, res);
    for (int e = 0; e < n_extra; e++) free(c[e]);
    free(sc);
}

static void weights_str(const int *g, int extra, char *buf, size_t n)
{
    if (extra == 0) snprintf(buf, n, "%.1f / %.1f", g[0] / 10.0, g[1] / 10.0);
    else if (extra == 1) snprintf(buf, n, "%.1f / %.1f / %.1f", g[0] / 10.0, g[1] / 10.0, g[2] / 10.0);
    else snprintf(buf, n, "%.1f / %.1f / %.1f / %.1f", g[0] / 10.0, g[1] / 10.0, g[2] / 10.0, g[3] / 10.0);
}

/* ---- test ------------------------------------------------------------------------ */

/* What the test table reports per split seed. */
enum { T_IALS, T_EASE, T_BLEND2, T_ALONE0, T_BLEND3_0 = T_ALONE0 + N_PARTS, T_BLEND4 = T_BLEND3_0 + N_PARTS, N_T };

typedef struct test_out {
    double r[N_T], nd[N_T];
    int has[N_T];
    uint32_t users;
    double score_s[N_PARTS]; /* scoring every test user (part_score) */
} test_out;

/* Every grid point on test: NOT a choice, only the upper bound of any
 * weight choice (how far the best weights could go). Rows: each part's
 * 3-part grid, then the 2-part grid, then the 4-part grid. */
#define O_2 N_PARTS
#define O_4 (N_PARTS + 1)
#define N_ORACLE (N_PARTS + 2)
typedef struct oracle {
    double r[N_ORACLE][400], nd[N_ORACLE][400];
    int on[N_ORACLE];
} oracle;

static void oracle_add(tl__ranker *rk, oracle *o, int row, int pt, const float *sc, uint32_t u, const uint32_t *rel,
                       uint32_t n_rel)
{
    tl__user_metrics um;
    tl__ranker_user_scores(rk, sc, u, rel, n_rel, &um);
    o->r[row][pt] += um.recall_at_20, o->nd[row][pt] += um.ndcg_at_10;
}

/* Ranks every test user's scores with the project's ranker (tl__ranker_user_scores:
 * seen = train rows, relevant = the user's test movies). w2 = the 2-part
 * weight of iALS; g3[k] = part k's 3-part grid point (NULL when it did not
 * run); g4 the 4-part point over rp3 and uknn (NULL: none). */
static void test_run(const side *s, part **parts, const int (*g3s)[4], const int *g4s, float w2, test_out *out,
                     oracle *orc)
{
    const tl_dataset *ds = s->ds;
    uint32_t nm = ds->n_movies;
    tl_error err;
    tl_error_clear(&err);
    uint32_t *cat = NULL, n_cat = 0;
    tl_seen *seen = NULL;
    tl__ranker rk;
    check(tl__eval_catalogue(ds, &cat, &n_cat, &err), &err);
    check(tl_seen_new(ds, s->fit, s->n_fit, &seen, &err), &err);
    check(tl__ranker_init(&rk, ds, seen, cat, n_cat, &err), &err);
    float *a = xmalloc((size_t)nm * sizeof *a), *b = xmalloc((size_t)nm * sizeof *b);
    float *c[N_PARTS], sc_sd[N_PARTS];
    for (int k = 0; k < N_PARTS; k++) c[k] = parts[k] ? xmalloc((size_t)nm * sizeof *c[k]) : NULL;
    float *sc = xmalloc((size_t)nm * sizeof *sc);
    float *xa = xmalloc((size_t)(s->a->state_floats + 1) * sizeof *xa);
    float *xb = xmalloc((size_t)(s->b->state_floats + 1) * sizeof *xb);
    uint32_t *rel = xmalloc(((size_t)s->n_held + 1) * sizeof *rel);
    memset(out, 0, sizeof *out);
    double users[N_T] = {0};
    for (uint32_t u = 0; u < ds->n_users; u++) {
        uint32_t h0 = s->h_start[u], h1 = s->h_start[u + 1];
        if (h0 == h1) continue;
        memcpy(rel, s->h_movie + h0, (size_t)(h1 - h0) * sizeof *rel);
        uint32_t f0 = s->f_start[u], f1 = s->f_start[u + 1];
        tl_profile p = {s->f_movie + f0, s->f_stars + f0, f1 - f0};
        check(s->a->ops->user_state(s->a, u, &p, xa, &err), &err);
        check(s->b->ops->user_state(s->b, u, &p, xb, &err), &err);
        s->a->ops->score(s->a, xa, 1, 0, nm, a, nm);
        s->b->ops->score(s->b, xb, 1, 0, nm, b, nm);
        float ca, cb;
        tl__blend_coefficients(ds, a, b, w2, &ca, &cb); /* the served blend's factors */
        tl__user_metrics um;
        /* iALS and EASE alone (EASE's own scores: outside movies by count below every item) */
        int ok = tl__ranker_user_scores(&rk, a, u, rel, h1 - h0, &um);
        if (!ok) continue; /* no rankable relevant movie: every model skips the user */
        out->r[T_IALS] += um.recall_at_20, out->nd[T_IALS] += um.ndcg_at_10, users[T_IALS]++;
        tl__ranker_user_scores(&rk, b, u, rel, h1 - h0, &um);
        out->r[T_EASE] += um.recall_at_20, out->nd[T_EASE] += um.ndcg_at_10, users[T_EASE]++;
        for (uint32_t j = 0; j < nm; j++) b[j] = ease_part(b[j]);
        for (uint32_t j = 0; j < nm; j++) sc[j] = ca * a[j] + (cb != 0.0f ? cb * b[j] : 0.0f);
        tl__ranker_user_scores(&rk, sc, u, rel, h1 - h0, &um);
        out->r[T_BLEND2] += um.recall_at_20, out->nd[T_BLEND2] += um.ndcg_at_10, users[T_BLEND2]++;
        double sda = catalogue_sd(ds, a), sdb = catalogue_sd(ds, b);
        for (int k = 0; k < N_PARTS; k++) {
            if (!parts[k]) continue;
            double t0 = bench_now();
            part_score(parts[k], s, u, c[k]);
            out->score_s[k] += bench_now() - t0;
            double sdc = catalogue_sd(ds, c[k]);
            sc_sd[k] = (float)sdc;
            tl__ranker_user_scores(&rk, c[k], u, rel, h1 - h0, &um);
            out->r[T_ALONE0 + k] += um.recall_at_20, out->nd[T_ALONE0 + k] += um.ndcg_at_10;
            users[T_ALONE0 + k]++;
            const int *g = g3s[k];
            double wa = (float)g[0] / GRID, w3 = (float)g[2] / GRID;
            float fa = coef(wa, sda), fb = coef(1.0 - wa - w3, sdb), fc = coef(w3, sdc);
            for (uint32_t j = 0; j < nm; j++) sc[j] = fa * a[j] + fb * b[j] + fc * c[k][j];
            tl__ranker_user_scores(&rk, sc, u, rel, h1 - h0, &um);
            out->r[T_BLEND3_0 + k] += um.recall_at_20, out->nd[T_BLEND3_0 + k] += um.ndcg_at_10;
            users[T_BLEND3_0 + k]++;
        }
        if (g4s && parts[P_RP3] && parts[P_UKNN]) {
            double wa = (float)g4s[0] / GRID, w3 = (float)g4s[2] / GRID, w4 = (float)g4s[3] / GRID;
            float fa = coef(wa, sda), fb = coef(1.0 - wa - w3 - w4, sdb);
            float f3 = coef(w3, catalogue_sd(ds, c[P_RP3])), f4 = coef(w4, catalogue_sd(ds, c[P_UKNN]));
            for (uint32_t j = 0; j < nm; j++) sc[j] = fa * a[j] + fb * b[j] + f3 * c[P_RP3][j] + f4 * c[P_UKNN][j];
            tl__ranker_user_scores(&rk, sc, u, rel, h1 - h0, &um);
            out->r[T_BLEND4] += um.recall_at_20, out->nd[T_BLEND4] += um.ndcg_at_10, users[T_BLEND4]++;
        }
        if (orc) { /* every grid point (the upper bound, not a choice) */
            uint32_t nr = h1 - h0;
            orc->on[O_2] = 1;
            for (int i = 0; i < g2.n; i++) {
                double wa = (float)g2.g[i][0] / GRID;
                float fa = coef(wa, sda), fb = coef(1.0 - wa, sdb);
                for (uint32_t j = 0; j < nm; j++) sc[j] = fa * a[j] + fb * b[j];
                oracle_add(&rk, orc, O_2, i, sc, u, rel, nr);
            }
            double sdk[N_PARTS] = {0};
            for (int k = 0; k < N_PARTS; k++) {
                if (!parts[k]) continue;
                sdk[k] = catalogue_sd(ds, c[k]);
                orc->on[k] = 1;
                for (int i = 0; i < g3.n; i++) {
                    double wa = (float)g3.g[i][0] / GRID, w3 = (float)g3.g[i][2] / GRID;
                    float fa = coef(wa, sda), fb = coef(1.0 - wa - w3, sdb), fc = coef(w3, sdk[k]);
                    for (uint32_t j = 0; j < nm; j++) sc[j] = fa * a[j] + fb * b[j] + fc * c[k][j];
                    oracle_add(&rk, orc, k, i, sc, u, rel, nr);
                }
            }
            if (parts[P_RP3] && parts[P_UKNN]) {
                orc->on[O_4] = 1;
                for (int i = 0; i < g4.n; i++) {
                    double wa = (float)g4.g[i][0] / GRID, w3 = (float)g4.g[i][2] / GRID, w4 = (float)g4.g[i][3] / GRID;
                    float fa = coef(wa, sda), fb = coef(1.0 - wa - w3 - w4, sdb);
                    float f3 = coef(w3, sdk[P_RP3]), f4 = coef(w4, sdk[P_UKNN]);
                    for (uint32_t j = 0; j < nm; j++)
                        sc[j] = fa * a[j] + fb * b[j] + f3 * c[P_RP3][j] + f4 * c[P_UKNN][j];
                    oracle_add(&rk, orc, O_4, i, sc, u, rel, nr);
                }
            }
        }
    }
    if (orc)
        for (int row = 0; row < N_ORACLE; row++)
            for (int i = 0; i < 400; i++) orc->r[row][i] /= users[T_BLEND2], orc->nd[row][i] /= users[T_BLEND2];
    (void)sc_sd;
    for (int t = 0; t < N_T; t++)
        if (users[t] > 0) out->r[t] /= users[t], out->nd[t] /= users[t], out->has[t] = 1;
    out->users = (uint32_t)users[T_IALS];
    tl__ranker_free(&rk);
    tl_seen_free(seen);
    free(cat), free(a), free(b), free(sc), free(xa), free(xb), free(rel);
    for (int k = 0; k < N_PARTS; k++) free(c[k]);
}

/* The 2-part figures by the project's own evaluation: tl__blend_open over the
 * served parts' tensors with weight w, tl_eval_setup_run (as `towerlens train`). */
static void check_blend(const side *s, float w, double *recall, double *ndcg)
{
    tl_error err;
    tl_error_clear(&err);
    tl_tensor t[2 * TL_TRAINER_MAX_TENSORS];
    uint32_t n = tl_trainer_tensors(s->tr, t);
    float wt = w;
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, "blend.weight")) t[i].data = &wt;
    tl_scorer *sc = NULL;
    check(tl__blend_open(s->ds, NULL, t, n, &sc, &err), &err);
    tl_eval_options eo;
    tl_eval_options_default(&eo);
    tl_eval_setup *setup = NULL;
    tl_metrics m;
    check(tl_eval_setup_new(s->ds, s->fit, s->n_fit, s->held, s->n_held, &eo, &setup, &err), &err);
    check(tl_eval_setup_run(setup, sc, &m, &err), &err);
    *recall = m.recall_at_20, *ndcg = m.ndcg_at_10;
    tl_eval_setup_free(setup);
    tl_scorer_free(sc);
}

static tl_split *make_split(const tl_dataset *ds, uint64_t seed, uint32_t train_rows, uint32_t test_rows)
{
    tl_error err;
    tl_error_clear(&err);
    tl_split_options so;
    tl_split_options_default(&so);
    so.seed = seed, so.train_rows = train_rows, so.test_rows = test_rows;
    tl_split *sp = NULL;
    check(tl_split_make(ds, &so, &sp, &err), &err);
    return sp;
}

/* ---- stage 1: each part's settings on the first seed's validation --------------------- */

static int stage1(int kind, const setting *set, int n_set, valid *v, const grid *gr, setting *chosen)
{
    if (n_set == 1) {
        *chosen = set[0];
        return 0;
    }
    printf("\n%s on validation (split seed's fit rows; %u users): alone, and the best 3-part blend "
           "(w iALS / EASE / %s)\n\n| setting | alone Recall@20 | alone NDCG@10 | 3-part weights | Recall@20 | "
           "NDCG@10 | R x N | fit s |\n|---|---|---|---|---|---|---|---|\n",
           part_names[kind], v->n, part_names[kind]);
    double best = -1;
    int bi = 0;
    for (int i = 0; i < n_set; i++) {
        part p;
        part_fit(&p, kind, &set[i], v->s);
        part *pp = &p;
        grid_result res;
        double ar, an;
        valid_grid(v, &pp, 1, gr, &res, &ar, &an);
        char ss[80], ws[64];
        setting_str(kind, &set[i], ss, sizeof ss);
        weights_str(gr->g[res.best], 1, ws, sizeof ws);
        double rn = res.r[res.best] * res.nd[res.best];
        printf("| %s | %.4f | %.4f | %s | %.4f | %.4f | %.5f | %.2f |\n", ss, ar, an, ws, res.r[res.best],
               res.nd[res.best], rn, p.fit_s);
        fflush(stdout);
        if (rn > best) best = rn, bi = i;
        part_free(&p);
    }
    *chosen = set[bi];
    char ss[80];
    setting_str(kind, chosen, ss, sizeof ss);
    printf("\nchosen for %s: %s\n", part_names[kind], ss);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(
            stderr,
            "usage: tl_blend3_study DATA [seeds=42,1,2,3,4] [parts=rp3,uknn,ease2,tpop,tknn] [rp3_alpha=..] "
            "[rp3_beta=..] [rp3_k=..] [rp3_norm=0,1] [knn_k=..] [knn_p=..] [ease2_lam=..] [tpop_h=..] [tpop_mode=..] "
            "[tknn_tau=..] [tknn_mode=..] [tknn_keep=..] [train_rows=N] "
            "[test_rows=N] [oracle=1]\n");
        return 2;
    }
    list seeds = {{42, 1, 2, 3, 4}, 5}, ra = {{0.5, 0.75, 1}, 3}, rb = {{0, 0.35, 0.5, 0.65, 0.8, 1}, 6},
         rk = {{100, 400}, 2}, rn = {{0, 1}, 2}, kk = {{20, 40, 80, 160, 320}, 5}, kp = {{1, 2}, 2},
         el = {{50, 100, 400, 1000}, 4}, th = {{7, 30, 90, 365}, 4}, tm = {{0, 1}, 2}, kt = {{1, 3, 10, 30}, 4},
         km = {{1}, 1}, kq = {{0}, 1};
    int use[N_PARTS] = {1, 1, 1, 1, 1};
    uint32_t train_rows = 80000, test_rows = 20000;
    int oracle_on = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int ok = 1;
        if (!strncmp(a, "seeds=", 6)) ok = parse_list(a + 6, &seeds);
        else if (!strncmp(a, "rp3_alpha=", 10)) ok = parse_list(a + 10, &ra);
        else if (!strncmp(a, "rp3_beta=", 9)) ok = parse_list(a + 9, &rb);
        else if (!strncmp(a, "rp3_k=", 6)) ok = parse_list(a + 6, &rk);
        else if (!strncmp(a, "rp3_norm=", 9)) ok = parse_list(a + 9, &rn);
        else if (!strncmp(a, "knn_k=", 6)) ok = parse_list(a + 6, &kk);
        else if (!strncmp(a, "knn_p=", 6)) ok = parse_list(a + 6, &kp);
        else if (!strncmp(a, "ease2_lam=", 10)) ok = parse_list(a + 10, &el);
        else if (!strncmp(a, "tpop_h=", 7)) ok = parse_list(a + 7, &th);
        else if (!strncmp(a, "tpop_mode=", 10)) ok = parse_list(a + 10, &tm);
        else if (!strncmp(a, "tknn_tau=", 9)) ok = parse_list(a + 9, &kt);
        else if (!strncmp(a, "tknn_mode=", 10)) ok = parse_list(a + 10, &km);
        else if (!strncmp(a, "tknn_keep=", 10)) ok = parse_list(a + 10, &kq);
        else if (!strncmp(a, "train_rows=", 11)) train_rows = (uint32_t)strtoul(a + 11, NULL, 10);
        else if (!strncmp(a, "test_rows=", 10)) test_rows = (uint32_t)strtoul(a + 10, NULL, 10);
        else if (!strncmp(a, "oracle=", 7)) oracle_on = atoi(a + 7) != 0;
        else if (!strncmp(a, "parts=", 6)) {
            for (int k = 0; k < N_PARTS; k++) use[k] = strstr(a + 6, part_names[k]) != NULL;
        } else ok = 0;
        if (!ok) {
            fprintf(stderr, "blend3_study: bad argument %s\n", a);
            return 2;
        }
    }
    const char *path = argv[1];
    struct stat stt;
    if (stat(path, &stt) != 0) {
        printf("blend3_study: %s not found, skipped\n", path);
        return 0;
    }
    tl_error err;
    tl_error_clear(&err);
    tl_dataset *ds = NULL;
    check(tl_load_paths(&path, 1, &ds, &err), &err);
    double t_start = bench_now(), c_start = bench_cpu_now();

    /* the settings grids */
    setting *sets[N_PARTS];
    int n_sets[N_PARTS] = {0};
    sets[P_RP3] = xmalloc((size_t)ra.n * rb.n * rk.n * rn.n * sizeof(setting));
    for (int x = 0; x < ra.n; x++)
        for (int y = 0; y < rb.n; y++)
            for (int z = 0; z < rk.n; z++)
                for (int w = 0; w < rn.n; w++)
                    sets[P_RP3][n_sets[P_RP3]++] = (setting){ra.v[x], rb.v[y], rk.v[z], rn.v[w]};
    sets[P_UKNN] = xmalloc((size_t)kk.n * kp.n * sizeof(setting));
    for (int x = 0; x < kk.n; x++)
        for (int y = 0; y < kp.n; y++) sets[P_UKNN][n_sets[P_UKNN]++] = (setting){kk.v[x], kp.v[y], 0, 0};
    sets[P_EASE2] = xmalloc((size_t)el.n * sizeof(setting));
    for (int x = 0; x < el.n; x++) sets[P_EASE2][n_sets[P_EASE2]++] = (setting){el.v[x], 0, 0, 0};
    sets[P_TPOP] = xmalloc((size_t)th.n * tm.n * sizeof(setting));
    for (int x = 0; x < th.n; x++)
        for (int y = 0; y < tm.n; y++) sets[P_TPOP][n_sets[P_TPOP]++] = (setting){th.v[x], tm.v[y], 0, 0};
    sets[P_TKNN] = xmalloc((size_t)kt.n * km.n * kq.n * sizeof(setting));
    for (int x = 0; x < kt.n; x++)
        for (int y = 0; y < km.n; y++)
            for (int z = 0; z < kq.n; z++) sets[P_TKNN][n_sets[P_TKNN]++] = (setting){kt.v[x], km.v[y], kq.v[z], 0};

    grid_make(&g2, 0), grid_make(&g3, 1), grid_make(&g4, 2);
    int four = use[P_RP3] && use[P_UKNN];

    /* stage 1 on the first seed's validation */
    setting chosen[N_PARTS] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    {
        uint64_t s0 = (uint64_t)seeds.v[0];
        tl_split *sp = make_split(ds, s0, train_rows, test_rows);
        side vs;
        make_validation(ds, sp, s0, &vs);
        side_blend_parts(&vs, s0);
        valid v;
        valid_init(&v, &vs, s0 + 1);
        printf("%s: split seed %llu, %u train / %u test rows; validation: %u of the train rows (seed %llu), "
               "the parts fit on the other %u; %u validation users\n",
               path, (unsigned long long)s0, sp->n_train, sp->n_test, vs.n_held, (unsigned long long)s0 + 1, vs.n_fit,
               v.n);
        for (int k = 0; k < N_PARTS; k++)
            if (use[k]) stage1(k, sets[k], n_sets[k], &v, &g3, &chosen[k]);
        valid_free(&v);
        side_free(&vs);
        tl_split_free(sp);
        printf("\nstage 1: %.0f s\n", bench_now() - t_start);
    }

    /* stage 2: every seed */
    printf("\nvalidation choices per split seed (weights iALS / EASE [/ part]; validation Recall@20 / NDCG@10)\n\n"
           "| split seed | 2-part | %s | %s | %s | %s | %s | 4-part (rp3, uknn) |\n|---|---|---|---|---|---|---|---|\n",
           part_names[0], part_names[1], part_names[2], part_names[3], part_names[4]);
    test_out outs[MAX_VALUES];
    static oracle orcs[MAX_VALUES];
    double cost_fit[N_PARTS] = {0}, cost_cpu[N_PARTS] = {0}, cost_vfit[N_PARTS] = {0}, cost_vcpu[N_PARTS] = {0},
           cost_choose[N_PARTS] = {0}, cost_choose2 = 0, blend_fit = 0, blend_cpu = 0;
    size_t bytes[N_PARTS] = {0};
    double check_r[MAX_VALUES], check_n[MAX_VALUES];
    float w2s[MAX_VALUES];
    for (int si = 0; si < seeds.n; si++) {
        uint64_t S = (uint64_t)seeds.v[si];
        tl_split *sp = make_split(ds, S, train_rows, test_rows);
        side vs, ts;
        make_validation(ds, sp, S, &vs);
        side_blend_parts(&vs, S);
        valid v;
        valid_init(&v, &vs, S + 1);
        char row[1024];
        int off = snprintf(row, sizeof row, "| %llu |", (unsigned long long)S);
        /* the 2-part weight, as tl__blend_choose */
        grid_result r2;
        double t0 = bench_now();
        valid_grid(&v, NULL, 0, &g2, &r2, NULL, NULL);
        cost_choose2 += bench_now() - t0;
        float w2 = (float)g2.g[r2.best][0] / GRID;
        w2s[si] = w2;
        off += snprintf(row + off, sizeof row - (size_t)off, " %.1f (%.4f / %.4f) |", (double)w2, r2.r[r2.best],
                        r2.nd[r2.best]);
        part vparts[N_PARTS];
        int g3s[N_PARTS][4] = {{0}};
        for (int k = 0; k < N_PARTS; k++) {
            if (!use[k]) {
                off += snprintf(row + off, sizeof row - (size_t)off, " |");
                continue;
            }
            part_fit(&vparts[k], k, &chosen[k], &vs);
            cost_vfit[k] += vparts[k].fit_s, cost_vcpu[k] += vparts[k].fit_cpu_s;
            part *pp = &vparts[k];
            grid_result r3;
            t0 = bench_now();
            valid_grid(&v, &pp, 1, &g3, &r3, NULL, NULL);
            cost_choose[k] += bench_now() - t0;
            memcpy(g3s[k], g3.g[r3.best], sizeof g3s[k]);
            char ws[64];
            weights_str(g3s[k], 1, ws, sizeof ws);
            off +=
                snprintf(row + off, sizeof row - (size_t)off, " %s (%.4f / %.4f) |", ws, r3.r[r3.best], r3.nd[r3.best]);
        }
        int g4s[4] = {0};
        if (four) {
            part *pp[2] = {&vparts[P_RP3], &vparts[P_UKNN]};
            grid_result r4;
            valid_grid(&v, pp, 2, &g4, &r4, NULL, NULL);
            memcpy(g4s, g4.g[r4.best], sizeof g4s);
            char ws[64];
            weights_str(g4s, 2, ws, sizeof ws);
            off +=
                snprintf(row + off, sizeof row - (size_t)off, " %s (%.4f / %.4f) |", ws, r4.r[r4.best], r4.nd[r4.best]);
        } else off += snprintf(row + off, sizeof row - (size_t)off, " |");
        printf("%s\n", row);
        fflush(stdout);
        for (int k = 0; k < N_PARTS; k++)
            if (use[k]) part_free(&vparts[k]);
        valid_free(&v);
        blend_fit += vs.blend_fit_s, blend_cpu += vs.blend_fit_cpu_s;
        side_free(&vs);

        /* test: the parts on every train row */
        make_test(ds, sp, &ts);
        side_blend_parts(&ts, S);
        blend_fit += ts.blend_fit_s, blend_cpu += ts.blend_fit_cpu_s;
        part tparts[N_PARTS];
        part *pp[N_PARTS] = {NULL, NULL, NULL, NULL, NULL};
        for (int k = 0; k < N_PARTS; k++)
            if (use[k]) {
                part_fit(&tparts[k], k, &chosen[k], &ts);
                pp[k] = &tparts[k];
                cost_fit[k] += tparts[k].fit_s, cost_cpu[k] += tparts[k].fit_cpu_s, bytes[k] = tparts[k].bytes;
            }
        memset(&orcs[si], 0, sizeof orcs[si]);
        test_run(&ts, pp, (const int(*)[4])g3s, four ? g4s : NULL, w2, &outs[si], oracle_on ? &orcs[si] : NULL);
        check_blend(&ts, w2, &check_r[si], &check_n[si]);
        for (int k = 0; k < N_PARTS; k++)
            if (use[k]) part_free(&tparts[k]);
        side_free(&ts);
        tl_split_free(sp);
    }

    /* the test table */
    static const char *const tnames[N_T] = {"iALS (d 64)",
                                            "EASE",
                                            "2-part blend (the product)",
                                            "rp3 alone",
                                            "uknn alone",
                                            "ease2 alone",
                                            "tpop alone",
                                            "tknn alone",
                                            "iALS+EASE+rp3",
                                            "iALS+EASE+uknn",
                                            "iALS+EASE+ease2",
                                            "iALS+EASE+tpop",
                                            "iALS+EASE+tknn",
                                            "iALS+EASE+rp3+uknn"};
    printf("\nTEST (reports only; every weight and setting chosen on validation). Recall@20 / NDCG@10, %u users\n\n"
           "| model |",
           outs[0].users);
    for (int si = 0; si < seeds.n; si++) printf(" %g |", seeds.v[si]);
    printf(" mean | vs 2-part |\n|---|");
    for (int si = 0; si < seeds.n; si++) printf("---|");
    printf("---|---|\n");
    double m2r = 0, m2n = 0;
    for (int si = 0; si < seeds.n; si++) m2r += outs[si].r[T_BLEND2] / seeds.n, m2n += outs[si].nd[T_BLEND2] / seeds.n;
    for (int t = 0; t < N_T; t++) {
        if (!outs[0].has[t]) continue;
        printf("| %s |", tnames[t]);
        double mr = 0, mn = 0;
        for (int si = 0; si < seeds.n; si++) {
            printf(" %.4f / %.4f |", outs[si].r[t], outs[si].nd[t]);
            mr += outs[si].r[t] / seeds.n, mn += outs[si].nd[t] / seeds.n;
        }
        printf(" **%.4f / %.4f** | %+.1f %% / %+.1f %% |\n", mr, mn, 100 * (mr / m2r - 1), 100 * (mn / m2n - 1));
    }
    printf("\n2-part check by tl_eval_setup_run on tl__blend_open (the CLI's evaluation):");
    for (int si = 0; si < seeds.n; si++)
        printf(" %g: w %.1f %.4f / %.4f%s", seeds.v[si], (double)w2s[si], check_r[si], check_n[si],
               check_r[si] == outs[si].r[T_BLEND2] && check_n[si] == outs[si].nd[T_BLEND2] ? " (same)" : " (DIFFERS)");
    printf("\ntarget 0.365 / 0.375\n");

    if (oracle_on) {
        static const char *const onames[N_ORACLE] = {"iALS+EASE+rp3",     "iALS+EASE+uknn", "iALS+EASE+ease2",
                                                     "iALS+EASE+tpop",    "iALS+EASE+tknn", "2-part blend",
                                                     "iALS+EASE+rp3+uknn"};
        const grid *og[N_ORACLE] = {&g3, &g3, &g3, &g3, &g3, &g2, &g4};
        printf("\nUPPER BOUND, weights chosen ON TEST (not a choice: how far any weight choice could go). Per seed: "
               "the best grid point by Recall@20 x NDCG@10 (weights iALS / EASE / part(s)); then the mean of those, "
               "and the one point best over all seeds (mean Recall@20 x mean NDCG@10)\n\n| blend |");
        for (int si = 0; si < seeds.n; si++) printf(" %g |", seeds.v[si]);
        printf(" mean of per-seed best | best fixed point |\n|---|");
        for (int si = 0; si < seeds.n; si++) printf("---|");
        printf("---|---|\n");
        for (int row = 0; row < N_ORACLE; row++) {
            if (!orcs[0].on[row]) continue;
            const grid *gr = og[row];
            int extra = row == O_2 ? 0 : row == O_4 ? 2 : 1;
            printf("| %s |", onames[row]);
            double mr = 0, mn = 0;
            for (int si = 0; si < seeds.n; si++) {
                int bi = 0;
                for (int i = 1; i < gr->n; i++)
                    if (orcs[si].r[row][i] * orcs[si].nd[row][i] > orcs[si].r[row][bi] * orcs[si].nd[row][bi]) bi = i;
                char ws[64];
                weights_str(gr->g[bi], extra, ws, sizeof ws);
                printf(" %.4f / %.4f (%s) |", orcs[si].r[row][bi], orcs[si].nd[row][bi], ws);
                mr += orcs[si].r[row][bi] / seeds.n, mn += orcs[si].nd[row][bi] / seeds.n;
            }
            int fi = 0;
            double fbest = -1, fr = 0, fn = 0;
            for (int i = 0; i < gr->n; i++) {
                double r = 0, nd = 0;
                for (int si = 0; si < seeds.n; si++)
                    r += orcs[si].r[row][i] / seeds.n, nd += orcs[si].nd[row][i] / seeds.n;
                if (r * nd > fbest) fbest = r * nd, fi = i, fr = r, fn = nd;
            }
            char ws[64];
            weights_str(gr->g[fi], extra, ws, sizeof ws);
            printf(" **%.4f / %.4f** | %.4f / %.4f (%s) |\n", mr, mn, fr, fn, ws);
        }
    }

    printf("\nCOST (native, one thread, nice 19; means over seeds)\n\n| part | setting | fit on train s (CPU s) | "
           "fit on fit rows s (CPU s) | 3-weight choice s | scoring %u test users s | model MB "
           "|\n|---|---|---|---|---|---|---|\n",
           outs[0].users);
    printf("| iALS + EASE (preset blend, fixed w) | | %.2f (%.2f) per fit, mean of both sides | | 2-part choice "
           "%.2f | | |\n",
           blend_fit / (2 * seeds.n), blend_cpu / (2 * seeds.n), cost_choose2 / seeds.n);
    for (int k = 0; k < N_PARTS; k++) {
        if (!use[k]) continue;
        char ss[80];
        setting_str(k, &chosen[k], ss, sizeof ss);
        double sc_s = 0;
        for (int si = 0; si < seeds.n; si++) sc_s += outs[si].score_s[k] / seeds.n;
        printf("| %s | %s | %.3f (%.3f) | %.3f (%.3f) | %.2f | %.3f | %.1f |\n", part_names[k], ss,
               cost_fit[k] / seeds.n, cost_cpu[k] / seeds.n, cost_vfit[k] / seeds.n, cost_vcpu[k] / seeds.n,
               cost_choose[k] / seeds.n, sc_s, bytes[k] / 1e6);
    }
    printf("\npeak RSS of the process: %.0f MB; total %.0f s wall, %.0f s CPU\n", bench_peak_rss_mb(),
           bench_now() - t_start, bench_cpu_now() - c_start);
    for (int k = 0; k < N_PARTS; k++) free(sets[k]);
    tl_dataset_free(ds);
    return 0;
}
