/* The visitor prior's w3 and w10 chosen at training (docs/training.md
 * "Visitors: a popularity prior in the fold-in", "The chosen rule"):
 *
 * 1. validation users: the users with >= 6 train rows, shuffled with
 *    splitmix64(S + 5); the first 20 % of them (at most TL_PRIOR_MAX_USERS,
 *    and at most TL_PRIOR_FOLD_BUDGET / catalogue size but at least
 *    TL_PRIOR_MIN_USERS: a fold-in costs about the catalogue's size);
 * 2. an auxiliary model of the same type and options on the train rows of
 *    the other users (a seeded sample of those users when they hold more
 *    than TL_PRIOR_AUX_MAX_ROWS rows); liked counts L_j and popularity
 *    counts from those rows;
 * 3. each validation user with >= k + 3 train rows is folded into it from
 *    their first k train rows by time (ties: file order) with their stars,
 *    as serving folds in (the scorer's fold_in, default options);
 *    relevant = their later catalogue movies rated >= 4, not in the
 *    profile; users without one are not counted;
 * 4. for every w of the grid the catalogue outside the profile is ranked
 *    as serving ranks it (u . m_j + c p_j, c = w sd_s / sd_p:
 *    embed_prior.c), and by popularity; Recall@20 and NDCG@10 averaged
 *    over users; w_k = the first grid w with the largest
 *    min(Recall@20 / popularity's, NDCG@10 / popularity's).
 *
 * The fold-ins run on the trainer's pool, FOLD_CHUNK users per call, each
 * user's sums kept apart and added in user order afterwards.
 * Only rows of the split's train part are read (never test rows). Every sum
 * runs in a fixed order (users in dealt order, movies ascending), so the
 * choice is the same for any thread count and natively and in WASM (the
 * auxiliary model is bit-identical like any model). */
#include "models/prior_choose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/models_internal.h"
#include "models/rank_metrics.h"
#include "towerlens/buf.h"
#include "towerlens/foldin.h"
#include "towerlens/kernels.h"
#include "towerlens/rng.h"

static const float grid[] = {0.0f, 0.05f, 0.1f, 0.15f, 0.2f, 0.25f, 0.3f,  0.35f, 0.4f, 0.45f, 0.5f,
                             0.6f, 0.7f,  0.8f, 0.9f,  1.0f, 1.1f,  1.2f,  1.35f, 1.5f, 1.75f, 2.0f,
                             2.5f, 3.0f,  4.0f, 5.0f,  6.0f, 8.0f,  10.0f, 12.0f, 16.0f};
#define N_GRID (sizeof grid / sizeof *grid)
#define N_K 2
static const uint32_t ks[N_K] = {3, 10};
#define TOP 20

enum phase { PHASE_TRAIN, PHASE_FOLD, PHASE_DONE };

/* A worker's scratch for one validation user at a time. */
typedef struct fold_scratch {
    float *scores, *state;
    uint8_t *mark; /* 1 profile, 2 relevant */
    uint32_t *uniq;
    float *stars;
} fold_scratch;

/* One validation user's sums at one k, added into the totals in user order. */
typedef struct user_sums {
    double rec[N_GRID], ndcg[N_GRID], pop_rec, pop_ndcg;
    int counted;
    tl_status st;
    tl_error err;
} user_sums;

/* validation users per call of the pool (then the deadline is checked) */
#define FOLD_CHUNK 8u

struct tl__prior_chooser {
    tl_prior_choice res;
    enum phase phase;
    tl_train_config cfg; /* the auxiliary model's */
    const tl_train_ops *ops;
    const tl_model_type *type;
    void *aux; /* the auxiliary model's training state */
    uint32_t bpe, epoch, batch;
    tl_dataset *vocab; /* the vocabularies the scorer reads (no ratings) */
    tl_scorer *scorer;

    /* validation users: their train rows sorted by time, back to back */
    uint32_t n_val, next_val;
    uint32_t *val_start; /* n_val + 1 */
    uint32_t *val_movie;
    uint8_t *val_half;

    /* per movie */
    uint32_t n_movies, n_cat;
    uint32_t *cat;       /* catalogue movies, ascending */
    float *prior;        /* ln(1 + L_j), as the scorer computes it */
    uint32_t *pop_order; /* catalogue movies by aux rating count descending, then index */
    /* the fold-ins run on the pool: a scratch per worker, sums per task */
    uint32_t n_workers;
    fold_scratch *ws;
    user_sums *chunk; /* FOLD_CHUNK x N_K */
    int warm;         /* the scorer's lazy caches filled before the workers read it */

    /* sums over users, per k: [k][w] */
    double rec[N_K][N_GRID], ndcg[N_K][N_GRID], pop_rec[N_K], pop_ndcg[N_K];
    uint32_t users[N_K];
    double seconds;
};

void tl__prior_chooser_free(tl__prior_chooser *c)
{
    if (!c) return;
    if (c->scorer) tl_scorer_free(c->scorer);
    if (c->aux) c->ops->free(c->aux);
    tl_dataset_free(c->vocab);
    free(c->val_start), free(c->val_movie), free(c->val_half);
    free(c->cat), free(c->prior), free(c->pop_order);
    for (uint32_t w = 0; c->ws && w < c->n_workers; w++) {
        fold_scratch *f = &c->ws[w];
        free(f->scores), free(f->state), free(f->mark), free(f->uniq), free(f->stars);
    }
    free(c->ws), free(c->chunk);
    free(c);
}

size_t tl__prior_chooser_bytes(const tl__prior_chooser *c)
{
    if (!c) return 0;
    size_t b = sizeof *c + (size_t)c->n_movies * (4 + 4 + 4) + (size_t)c->n_workers * c->n_movies * (4 + 1) +
               FOLD_CHUNK * N_K * sizeof(user_sums) + (size_t)c->n_val * 4;
    if (c->val_start) b += (size_t)c->val_start[c->n_val] * 5;
    if (c->aux) b += c->ops->bytes(c->aux);
    if (c->scorer) b += tl_scorer_bytes(c->scorer);
    return b;
}

static tl_status nomem(tl__prior_chooser *c, tl_error *err)
{
    tl__prior_chooser_free(c);
    return tl_fail(err, TL_E_NOMEM, "out of memory choosing the visitor prior");
}

/* A copy of the vocabularies and catalogue without ratings: what a scorer
 * reads, so the dataset may be freed after tl_trainer_new. */
static tl_dataset *vocab_copy(const tl_dataset *ds)
{
    tl_dataset *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->n_users = ds->n_users;
    v->n_movies = ds->n_movies;
    v->n_catalogue = ds->n_catalogue;
    v->n_rated_movies = ds->n_rated_movies;
    v->implicit = ds->implicit;
    v->movies = malloc(((size_t)ds->n_movies + 1) * sizeof *v->movies);
    if (!v->movies) {
        free(v);
        return NULL;
    }
    memcpy(v->movies, ds->movies, (size_t)ds->n_movies * sizeof *v->movies);
    return v;
}

/* Sorts rows [a, b) by (time, row) in place: insertion sort for short
 * runs, else a merge sort through tmp. */
static int before(const tl_dataset *ds, uint32_t x, uint32_t y)
{
    uint32_t tx = ds->r_time[x], ty = ds->r_time[y];
    return tx < ty || (tx == ty && x < y);
}

static void sort_rows(const tl_dataset *ds, uint32_t *r, uint32_t n, uint32_t *tmp)
{
    if (n <= 16) {
        for (uint32_t i = 1; i < n; i++) {
            uint32_t x = r[i], j = i;
            while (j > 0 && before(ds, x, r[j - 1])) r[j] = r[j - 1], j--;
            r[j] = x;
        }
        return;
    }
    uint32_t h = n / 2;
    sort_rows(ds, r, h, tmp);
    sort_rows(ds, r + h, n - h, tmp);
    uint32_t i = 0, j = h, o = 0;
    while (i < h && j < n) tmp[o++] = before(ds, r[j], r[i]) ? r[j++] : r[i++];
    while (i < h) tmp[o++] = r[i++];
    while (j < n) tmp[o++] = r[j++];
    memcpy(r, tmp, (size_t)n * sizeof *r);
}

/* popularity order: count descending, then index ascending (merge sort) */
static int pop_before(const float *count, uint32_t x, uint32_t y)
{
    return count[x] > count[y] || (count[x] == count[y] && x < y);
}

static void sort_pop(const float *count, uint32_t *r, uint32_t n, uint32_t *tmp)
{
    if (n < 2) return;
    uint32_t h = n / 2;
    sort_pop(count, r, h, tmp);
    sort_pop(count, r + h, n - h, tmp);
    uint32_t i = 0, j = h, o = 0;
    while (i < h && j < n) tmp[o++] = pop_before(count, r[j], r[i]) ? r[j++] : r[i++];
    while (i < h) tmp[o++] = r[i++];
    while (j < n) tmp[o++] = r[j++];
    memcpy(r, tmp, (size_t)n * sizeof *r);
}

tl_status tl__prior_chooser_new(const tl_dataset *ds, const tl_split *split, const tl_train_config *cfg,
                                const tl_train_ops *ops, tl_pool *pool, tl__prior_chooser **out, tl_error *err)
{
    *out = NULL;
    tl__prior_chooser *c = calloc(1, sizeof *c);
    if (!c) return tl_fail(err, TL_E_NOMEM, "out of memory choosing the visitor prior");
    c->ops = ops;
    c->type = tl_model_type_of_loss(cfg->loss);
    c->phase = PHASE_DONE;
    c->res.status = TL_PRIOR_CHOSEN;
    if (!ds->r_time) {
        c->res.status = TL_PRIOR_NO_TIMES;
        *out = c;
        return TL_OK;
    }
    const uint32_t nu = ds->n_users, nm = ds->n_movies;
    uint32_t *count = calloc((size_t)nu + 1, sizeof *count);
    uint32_t *order = malloc(((size_t)nu + 1) * sizeof *order);
    uint8_t *role = calloc((size_t)nu + 1, 1); /* 1 validation, 2 auxiliary */
    if (!count || !order || !role) {
        free(count), free(order), free(role);
        return nomem(c, err);
    }
    for (uint32_t i = 0; i < split->n_train; i++) count[ds->r_user[split->train[i]]]++;
    tl_permutation(order, nu, cfg->seed + 5);
    uint32_t eligible = 0;
    for (uint32_t u = 0; u < nu; u++) eligible += count[u] >= 6;
    uint32_t want = (uint32_t)((eligible + 2) / 5); /* 20 %, rounded */
    if (want > TL_PRIOR_MAX_USERS) want = TL_PRIOR_MAX_USERS;
    /* a fold-in costs about the catalogue's size: keep users x catalogue
     * within TL_PRIOR_FOLD_BUDGET (never below TL_PRIOR_MIN_USERS) */
    uint32_t afford = ds->n_catalogue ? TL_PRIOR_FOLD_BUDGET / ds->n_catalogue : want;
    if (afford < TL_PRIOR_MIN_USERS) afford = TL_PRIOR_MIN_USERS;
    if (want > afford) want = afford;
    uint64_t val_rows = 0, aux_rows = 0;
    for (uint32_t i = 0; i < nu && c->n_val < want; i++) {
        uint32_t u = order[i];
        if (count[u] < 6) continue;
        role[u] = 1;
        c->n_val++;
        val_rows += count[u];
    }
    uint32_t aux_users = 0;
    for (uint32_t i = 0; i < nu && aux_rows < TL_PRIOR_AUX_MAX_ROWS; i++) {
        uint32_t u = order[i];
        if (role[u] || count[u] == 0) continue;
        role[u] = 2;
        aux_users++;
        aux_rows += count[u];
    }
    free(order);
    if (c->n_val < TL_PRIOR_MIN_USERS || aux_rows == 0) {
        free(count), free(role);
        c->res.status = TL_PRIOR_TOO_FEW;
        *out = c;
        return TL_OK;
    }
    c->res.aux_users = aux_users;
    c->res.aux_rows = aux_rows;

    /* the validation users' rows (in dealt order: users ascending by index,
     * which is the order their rows are summed in) and the auxiliary rows */
    c->val_start = calloc((size_t)c->n_val + 1, sizeof *c->val_start);
    uint32_t *slot = calloc((size_t)nu + 1, sizeof *slot); /* user -> validation index + 1 */
    uint32_t *vrows = malloc((size_t)(val_rows ? val_rows : 1) * sizeof *vrows);
    uint32_t *tmp = malloc((size_t)(val_rows ? val_rows : 1) * sizeof *tmp);
    uint32_t *arows = malloc((size_t)aux_rows * sizeof *arows);
    float *liked = calloc((size_t)nm + 1, sizeof *liked), *pop = calloc((size_t)nm + 1, sizeof *pop);
    if (!c->val_start || !slot || !vrows || !tmp || !arows || !liked || !pop) goto fail;
    {
        uint32_t v = 0;
        for (uint32_t u = 0; u < nu; u++)
            if (role[u] == 1) {
                slot[u] = ++v;
                c->val_start[v] = c->val_start[v - 1] + count[u];
            }
        uint32_t *fill = calloc((size_t)c->n_val + 1, sizeof *fill);
        if (!fill) goto fail;
        uint32_t na = 0;
        for (uint32_t i = 0; i < split->n_train; i++) { /* split order */
            uint32_t r = split->train[i], u = ds->r_user[r];
            if (role[u] == 1) {
                uint32_t s = slot[u] - 1;
                vrows[c->val_start[s] + fill[s]++] = r;
            } else if (role[u] == 2) {
                arows[na++] = r;
                uint32_t m = ds->r_movie[r];
                pop[m] += 1.0f;
                if (ds->implicit || ds->r_half[r] >= 8) liked[m] += 1.0f;
            }
        }
        free(fill);
        for (uint32_t s = 0; s < c->n_val; s++)
            sort_rows(ds, vrows + c->val_start[s], c->val_start[s + 1] - c->val_start[s], tmp);
    }
    c->val_movie = malloc((size_t)(val_rows ? val_rows : 1) * sizeof *c->val_movie);
    c->val_half = malloc((size_t)(val_rows ? val_rows : 1));
    if (!c->val_movie || !c->val_half) goto fail;
    for (uint64_t i = 0; i < val_rows; i++) {
        c->val_movie[i] = ds->r_movie[vrows[i]];
        c->val_half[i] = ds->r_half[vrows[i]];
    }

    /* per movie: the prior as the scorer computes it, the popularity order */
    c->n_movies = nm;
    c->cat = malloc(((size_t)ds->n_catalogue + 1) * sizeof *c->cat);
    c->prior = malloc(((size_t)nm + 1) * sizeof *c->prior);
    c->pop_order = malloc(((size_t)ds->n_catalogue + 1) * sizeof *c->pop_order);
    c->n_workers = pool ? tl_pool_threads(pool) : 1;
    c->ws = calloc(c->n_workers, sizeof *c->ws);
    c->chunk = calloc(FOLD_CHUNK * N_K, sizeof *c->chunk);
    c->vocab = vocab_copy(ds);
    if (!c->cat || !c->prior || !c->pop_order || !c->ws || !c->chunk || !c->vocab) goto fail;
    for (uint32_t w = 0; w < c->n_workers; w++) {
        fold_scratch *f = &c->ws[w];
        f->scores = malloc(((size_t)nm + 1) * sizeof *f->scores);
        f->state = malloc(((size_t)cfg->dim + 16) * sizeof *f->state);
        f->mark = calloc((size_t)nm + 1, 1);
        f->uniq = malloc(16 * sizeof *f->uniq);
        f->stars = malloc(16 * sizeof *f->stars);
        if (!f->scores || !f->state || !f->mark || !f->uniq || !f->stars) goto fail;
    }
    for (uint32_t m = 0; m < nm; m++) {
        c->prior[m] = (float)tl_log(1.0 + (double)liked[m]);
        if (ds->movies[m].in_catalogue) c->cat[c->n_cat++] = m;
    }
    memcpy(c->pop_order, c->cat, (size_t)c->n_cat * sizeof *c->cat);
    {
        uint32_t *t2 = malloc(((size_t)c->n_cat + 1) * sizeof *t2);
        if (!t2) goto fail;
        sort_pop(pop, c->pop_order, c->n_cat, t2);
        free(t2);
    }

    /* the auxiliary model: the same options, no prior, on the auxiliary rows */
    c->cfg = *cfg;
    c->cfg.visitor_prior_auto = 0;
    c->cfg.visitor_prior_w3 = c->cfg.visitor_prior_w10 = 0.0f;
    tl_split aux_split = {0};
    aux_split.n_train = (uint32_t)aux_rows;
    aux_split.train = arows;
    tl_status st = ops->create(ds, &aux_split, &c->cfg, pool, &c->aux, err);
    if (st != TL_OK) {
        c->aux = NULL;
        free(count), free(role), free(slot), free(vrows), free(tmp), free(arows), free(liked), free(pop);
        tl__prior_chooser_free(c);
        return st;
    }
    c->bpe = ops->batches_per_epoch(c->aux);
    c->phase = PHASE_TRAIN;
    free(count), free(role), free(slot), free(vrows), free(tmp), free(arows), free(liked), free(pop);
    *out = c;
    return TL_OK;
fail:
    free(count), free(role), free(slot), free(vrows), free(tmp), free(arows), free(liked), free(pop);
    return nomem(c, err);
}

/* Top TOP of the catalogue outside the profile (mark 1) by s_j + c p_j
 * (float, as the scorer adds it), ties to the lower index; the user's
 * Recall@20 and NDCG@10 (relevant: mark 2, n_rel of them). */
static void rank_blend(const tl__prior_chooser *c, const fold_scratch *f, float cw, uint32_t n_rel, double *rec,
                       double *ndcg)
{
    tl_scored kept[TOP];
    tl_topk t;
    tl_topk_init(&t, kept, TOP);
    for (uint32_t i = 0; i < c->n_cat; i++) {
        uint32_t m = c->cat[i];
        if (f->mark[m] != 1) tl_topk_push(&t, m, cw != 0.0f ? f->scores[m] + cw * c->prior[m] : f->scores[m]);
    }
    uint32_t best_m[TOP], n = tl_topk_finish(&t);
    for (uint32_t i = 0; i < n; i++) best_m[i] = kept[i].index;
    double r, g;
    tl__rank_metrics(best_m, n, f->mark, 2, n_rel, &r, &g);
    *rec = r, *ndcg = g;
}

/* Popularity's Recall@20 and NDCG@10 for the user (the profile left out). */
static void rank_popularity(const tl__prior_chooser *c, const fold_scratch *f, uint32_t n_rel, double *rec,
                            double *ndcg)
{
    uint32_t top[TOP], n = 0;
    for (uint32_t i = 0; i < c->n_cat && n < TOP; i++)
        if (f->mark[c->pop_order[i]] != 1) top[n++] = c->pop_order[i];
    double r, g;
    tl__rank_metrics(top, n, f->mark, 2, n_rel, &r, &g);
    *rec = r, *ndcg = g;
}

/* The population sds of the scores and of the prior over the catalogue
 * outside the profile, exactly as embed_prior.c computes them. */
static void spreads(const tl__prior_chooser *c, const fold_scratch *f, double *sd_s, double *sd_p)
{
    double n = 0, ms = 0, mp = 0, vs = 0, vp = 0;
    *sd_s = *sd_p = 0;
    for (uint32_t i = 0; i < c->n_cat; i++) {
        uint32_t m = c->cat[i];
        if (f->mark[m] == 1) continue;
        n += 1, ms += f->scores[m], mp += c->prior[m];
    }
    if (!(n > 0)) return;
    ms /= n, mp /= n;
    for (uint32_t i = 0; i < c->n_cat; i++) {
        uint32_t m = c->cat[i];
        if (f->mark[m] == 1) continue;
        double a = f->scores[m] - ms, b = c->prior[m] - mp;
        vs += a * a, vp += b * b;
    }
    *sd_s = sqrt(vs / n);
    *sd_p = sqrt(vp / n);
}

/* One validation user at profile size k (index ki): fold in, score, rank
 * into *out (out->counted 0: not counted), with worker scratch f. Reads c
 * and the scorer only, so users run on the pool's threads. */
static tl_status one_user(const tl__prior_chooser *c, fold_scratch *f, uint32_t v, uint32_t ki, user_sums *out,
                          tl_error *err)
{
    const uint32_t k = ks[ki], a = c->val_start[v], b = c->val_start[v + 1];
    out->counted = 0;
    if (b - a < k + 3) return TL_OK;
    /* the profile as the index folds in: each movie once, its last rating */
    uint32_t n = 0;
    for (uint32_t i = a + k; i-- > a;) {
        uint32_t m = c->val_movie[i];
        if (f->mark[m] == 1) continue;
        f->mark[m] = 1;
        f->uniq[n] = m;
        f->stars[n] = 0.5f * (float)c->val_half[i];
        n++;
    }
    uint32_t n_rel = 0;
    for (uint32_t i = a + k; i < b; i++) {
        uint32_t m = c->val_movie[i];
        if (f->mark[m] || c->val_half[i] < 8 || !c->vocab->movies[m].in_catalogue) continue;
        f->mark[m] = 2;
        n_rel++;
    }
    tl_status st = TL_OK;
    if (n_rel > 0) {
        tl_profile p = {f->uniq, f->stars, n};
        tl_foldin_options opt;
        tl_foldin_options_default(&opt);
        st = tl_scorer_fold_in(c->scorer, &p, &opt, f->state, err);
        if (st == TL_OK) {
            tl_scorer_score(c->scorer, f->state, 1, 0, c->n_movies, f->scores, c->n_movies);
            double sd_s, sd_p;
            spreads(c, f, &sd_s, &sd_p);
            for (uint32_t g = 0; g < N_GRID; g++) {
                float cw = 0.0f;
                int prior_only = 0;
                if (grid[g] > 0 && sd_p >= 1e-12) {
                    if (sd_s >= 1e-12) cw = (float)((double)grid[g] * sd_s / sd_p);
                    else prior_only = 1;
                }
                if (prior_only) { /* u = 0, c = 1: the scorer's scores are 0 + p_j (grid[0] = 0 ranked before) */
                    for (uint32_t i = 0; i < c->n_cat; i++) f->scores[c->cat[i]] = 0.0f;
                    cw = 1.0f;
                }
                rank_blend(c, f, cw, n_rel, &out->rec[g], &out->ndcg[g]);
            }
            rank_popularity(c, f, n_rel, &out->pop_rec, &out->pop_ndcg);
            out->counted = 1;
        }
    }
    for (uint32_t i = a; i < b; i++) f->mark[c->val_movie[i]] = 0;
    return st;
}

/* Task t of a chunk: user next_val + t / N_K at k index t % N_K. */
static void fold_task(void *ctx, uint32_t t, uint32_t worker)
{
    tl__prior_chooser *c = ctx;
    user_sums *out = &c->chunk[t];
    out->st = one_user(c, &c->ws[worker], c->next_val + t / N_K, t % N_K, out, &out->err);
}

/* Runs the next chunk of validation users on the pool and adds their sums
 * into the totals in user order, then k order: the order of one thread. */
static tl_status fold_chunk(tl__prior_chooser *c, tl_pool *pool, tl_error *err)
{
    if (!c->warm) { /* a first fold-in fills the scorer's lazy caches (fold-in moments) before threads share it */
        tl_profile p = {&c->val_movie[0], NULL, 1};
        tl_foldin_options opt;
        tl_foldin_options_default(&opt);
        tl_status st = tl_scorer_fold_in(c->scorer, &p, &opt, c->ws[0].state, err);
        if (st != TL_OK) return st;
        c->warm = 1;
    }
    uint32_t users = c->n_val - c->next_val < FOLD_CHUNK ? c->n_val - c->next_val : FOLD_CHUNK;
    if (pool) tl_pool_run(pool, users * N_K, fold_task, c);
    else
        for (uint32_t t = 0; t < users * N_K; t++) fold_task(c, t, 0);
    for (uint32_t t = 0; t < users * N_K; t++) {
        const user_sums *u = &c->chunk[t];
        if (u->st != TL_OK) {
            *err = u->err;
            return u->st;
        }
        if (!u->counted) continue;
        uint32_t ki = t % N_K;
        for (uint32_t g = 0; g < N_GRID; g++) c->rec[ki][g] += u->rec[g], c->ndcg[ki][g] += u->ndcg[g];
        c->pop_rec[ki] += u->pop_rec, c->pop_ndcg[ki] += u->pop_ndcg;
        c->users[ki]++;
    }
    c->next_val += users;
    return TL_OK;
}

static void decide(tl__prior_chooser *c)
{
    float w[N_K] = {0.0f, 0.0f};
    int any = 0;
    for (uint32_t ki = 0; ki < N_K; ki++) {
        double nu = c->users[ki] ? (double)c->users[ki] : 1.0;
        double pr = c->pop_rec[ki] / nu, pn = c->pop_ndcg[ki] / nu;
        uint32_t best = 0;
        if (c->users[ki] >= TL_PRIOR_MIN_USERS) {
            any = 1;
            double best_v = -1;
            for (uint32_t g = 0; g < N_GRID; g++) {
                double rr = c->rec[ki][g] / nu / (pr > 1e-12 ? pr : 1e-12);
                double rn = c->ndcg[ki][g] / nu / (pn > 1e-12 ? pn : 1e-12);
                double v = rr < rn ? rr : rn;
                if (v > best_v) best_v = v, best = g;
            }
            w[ki] = grid[best];
        }
        double *rec = ki == 0 ? &c->res.recall3 : &c->res.recall10, *nd = ki == 0 ? &c->res.ndcg3 : &c->res.ndcg10;
        double *prp = ki == 0 ? &c->res.pop_recall3 : &c->res.pop_recall10;
        double *pnp = ki == 0 ? &c->res.pop_ndcg3 : &c->res.pop_ndcg10;
        *rec = c->rec[ki][best] / nu, *nd = c->ndcg[ki][best] / nu, *prp = pr, *pnp = pn;
    }
    c->res.w3 = w[0];
    c->res.w10 = w[1];
    c->res.users3 = c->users[0];
    c->res.users10 = c->users[1];
    if (!any) c->res.status = TL_PRIOR_TOO_FEW;
}

tl_status tl__prior_chooser_step(tl__prior_chooser *c, tl_pool *pool, tl_clock_fn clock, void *clock_ctx,
                                 double deadline_ms, int *done, tl_error *err)
{
    double t0 = clock(clock_ctx);
    tl_status st = TL_OK;
    while (c->phase == PHASE_TRAIN) {
        tl_train_batch b;
        if (c->ops->step(c->aux, pool, c->batch, clock, clock_ctx, deadline_ms, &b) && ++c->batch == c->bpe) {
            tl_epoch_record e = {0};
            e.epoch = ++c->epoch;
            if (c->ops->end_epoch) c->ops->end_epoch(c->aux, c->epoch, &e);
            c->batch = 0;
            if (c->epoch == c->cfg.epochs) {
                tl_tensor t[TL_TRAINER_MAX_TENSORS];
                uint32_t n = c->ops->tensors(c->aux, t);
                st = c->type->open(c->vocab, NULL, t, n, &c->scorer, err);
                if (st != TL_OK) {
                    c->scorer = NULL;
                    goto out;
                }
                c->phase = PHASE_FOLD;
            }
        }
        if (clock(clock_ctx) >= deadline_ms) goto out;
    }
    while (c->phase == PHASE_FOLD) {
        if (c->next_val == c->n_val) {
            decide(c);
            c->phase = PHASE_DONE;
            tl_scorer_free(c->scorer);
            c->scorer = NULL;
            c->ops->free(c->aux);
            c->aux = NULL;
            break;
        }
        st = fold_chunk(c, pool, err);
        if (st != TL_OK) goto out;
        if (clock(clock_ctx) >= deadline_ms) goto out;
    }
out:
    c->seconds += (clock(clock_ctx) - t0) / 1e3;
    c->res.seconds = c->seconds;
    *done = c->phase == PHASE_DONE;
    return st;
}

void tl__prior_chooser_result(const tl__prior_chooser *c, tl_prior_choice *out)
{
    *out = c->res;
    if (c->phase != PHASE_DONE) out->status = TL_PRIOR_CHOOSING;
}

void tl_prior_choice_describe(const tl_prior_choice *c, tl_buf *b)
{
    switch (c->status) {
        case TL_PRIOR_FIXED:
            if (c->w3 == 0.0f && c->w10 == 0.0f) tl_buf_puts(b, "visitor prior: off (the plain fold-in)");
            else tl_buf_printf(b, "visitor prior: w3 %g, w10 %g (given)", (double)c->w3, (double)c->w10);
            return;
        case TL_PRIOR_NO_TIMES:
            tl_buf_puts(b, "visitor prior: off (the ratings have no timestamps to choose it by)");
            return;
        case TL_PRIOR_TOO_FEW:
            tl_buf_printf(b,
                          "visitor prior: off (too few validation users to choose it: fewer than %u with 6+ ratings)",
                          TL_PRIOR_MIN_USERS);
            return;
        case TL_PRIOR_CHOOSING: tl_buf_puts(b, "visitor prior: not chosen yet"); return;
        case TL_PRIOR_CHOSEN: break;
    }
    tl_buf_printf(b, "visitor prior: w3 %g, w10 %g, chosen on validation users (auxiliary model on %u users",
                  (double)c->w3, (double)c->w10, c->aux_users);
    tl_buf_printf(b, "); k = 3: %u users, Recall@20 / NDCG@10 %.3f / %.3f vs popularity %.3f / %.3f", c->users3,
                  c->recall3, c->ndcg3, c->pop_recall3, c->pop_ndcg3);
    tl_buf_printf(b, "; k = 10: %u users, %.3f / %.3f vs %.3f / %.3f", c->users10, c->recall10, c->ndcg10,
                  c->pop_recall10, c->pop_ndcg10);
}

/* ,"key":{"recall":r,"ndcg":n,"popularity_recall":pr,"popularity_ndcg":pn} */
static void json_k(tl_buf *b, const char *key, double r, double n, double pr, double pn)
{
    tl_buf_printf(b, ",\"%s\":{\"recall\":", key);
    tl_buf_json_number(b, r);
    tl_buf_puts(b, ",\"ndcg\":");
    tl_buf_json_number(b, n);
    tl_buf_puts(b, ",\"popularity_recall\":");
    tl_buf_json_number(b, pr);
    tl_buf_puts(b, ",\"popularity_ndcg\":");
    tl_buf_json_number(b, pn);
    tl_buf_puts(b, "}");
}

void tl_prior_choice_json(const tl_prior_choice *c, tl_buf *b)
{
    static const char *const names[] = {"fixed", "chosen", "no-timestamps", "too-few-users", "choosing"};
    tl_buf_puts(b, "{\"status\":");
    tl_buf_json_string(b, (unsigned)c->status < 5 ? names[c->status] : "?");
    tl_buf_printf(b, ",\"w3\":%.9g,\"w10\":%.9g", (double)c->w3, (double)c->w10);
    if (c->status == TL_PRIOR_CHOSEN) {
        tl_buf_printf(b, ",\"users3\":%u,\"users10\":%u,\"aux_users\":%u,\"aux_rows\":%llu", c->users3, c->users10,
                      c->aux_users, (unsigned long long)c->aux_rows);
        json_k(b, "k3", c->recall3, c->ndcg3, c->pop_recall3, c->pop_ndcg3);
        json_k(b, "k10", c->recall10, c->ndcg10, c->pop_recall10, c->pop_ndcg10);
        tl_buf_puts(b, ",\"seconds\":");
        tl_buf_json_number(b, c->seconds);
    }
    tl_buf_puts(b, "}");
}
