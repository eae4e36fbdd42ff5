/* Protocols A and B for the plan's users, in blocks on the thread pool.
 *
 * A block of EVAL_USERS users is scored by the model's scorer (scorer.h)
 * against chunks of EVAL_CHUNK movies (every score the same bits however
 * users and movies are blocked), and each user's chunk of scores is scanned at once
 * with that user's own heaps, so scores never leave the cache:
 * - protocol A keeps the 100 best catalogue scores above the user's lowest
 *   test score (nothing at or below it is above any of its test movies);
 *   each test row is then a binary search in them (fewer than 100 movies
 *   score above s exactly when s is at least the 100th best, and then all
 *   of them are kept);
 * - protocol B keeps the 100 best catalogue movies the user has not seen.
 * The scan (tl_find_above) skips the scores that cannot beat the heap's
 * worst; a heap keeps the same items whatever order they come in, since
 * equal scores rank the lower movie index first.
 *
 * Each block writes only its users' outputs (hits per block, metrics and
 * top 10 per user); they are summed in user order afterwards, as one
 * thread would, so every number is the same for any thread count. */
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"
#include "towerlens/kernels.h"

#define EVAL_USERS 64  /* users per block (one pool task) */
#define EVAL_CHUNK 256 /* movies per chunk: 64 KB of a d = 64 table */
#define KEEP_A 100     /* protocol A: the largest K */

static const uint32_t top_ks[5] = {1, 5, 10, 50, 100};

/* One user's scan state within a block. */
typedef struct user_scan {
    uint32_t p; /* position in the plan */
    int do_a, do_b;
    float floor_a; /* protocol A: lowest test score */
    tl_topk a, b;
    const uint32_t *seen; /* protocol B: sorted seen movies, walked along the scan */
    uint32_t n_seen, seen_at;
    uint32_t n_relevant;
} user_scan;

typedef struct worker {
    float *users;     /* EVAL_USERS x state_floats: the block's user states */
    float *scores;    /* EVAL_USERS x EVAL_CHUNK */
    tl_scored *heaps; /* EVAL_USERS x (KEEP_A + TL_EVAL_TOP_B) */
    user_scan scan[EVAL_USERS];
} worker;

typedef struct run_ctx {
    const tl_dataset *ds;
    const tl__eval_plan *plan;
    const tl_scorer *sc;
    worker *workers;
    double discount[TL_EVAL_TOP_B];
    float *a_scores;           /* per protocol A row (plan->a_rows order): its test score */
    uint32_t *rel;             /* per test row (plan->test order): position p's sorted relevant movies first */
    uint64_t (*hits)[5];       /* per block */
    tl__user_metrics *metrics; /* per position */
    uint8_t *counted;          /* per position: protocol B ranked the user */
    uint32_t (*top10)[10];     /* per position: its top 10 (coverage) */
    uint8_t *n_top10;
} run_ctx;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* How many of the n best-first scores are strictly above s. */
static uint32_t count_above(const tl_scored *best, uint32_t n, float s)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (best[mid].score > s) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Protocol A's set-up of one user: its rows' scores (one movie at a time,
 * the same floats the block scores give) and the lowest of them. 0 when no
 * row has a score (NaN rows are misses): nothing to scan for. */
static int prepare_a(run_ctx *c, user_scan *us, const float *state)
{
    const tl_dataset *ds = c->ds;
    uint32_t a = c->plan->a_off[us->p], b = c->plan->a_off[us->p + 1];
    int any = 0;
    for (uint32_t r = a; r < b; r++) {
        float s;
        tl_scorer_score(c->sc, state, 1, ds->r_movie[c->plan->a_rows[r]], 1, &s, 1);
        c->a_scores[r] = s;
        if (s != s) continue;
        if (!any || s < us->floor_a) us->floor_a = s;
        any = 1;
    }
    return any;
}

/* Protocol B's set-up: the user's relevant movies (distinct test movies in
 * the catalogue and not seen), sorted into its part of c->rel. 0 when there
 * is none: the user is skipped. */
static int prepare_b(run_ctx *c, user_scan *us, uint32_t user)
{
    const tl_dataset *ds = c->ds;
    const tl__eval_plan *plan = c->plan;
    uint32_t a = plan->test_off[us->p], b = plan->test_off[us->p + 1];
    us->seen = tl_seen_movies(plan->seen, user, &us->n_seen);
    us->seen_at = 0;
    uint32_t *rel = c->rel + a, n = 0;
    for (uint32_t r = a; r < b; r++) {
        uint32_t mv = ds->r_movie[plan->test[r]];
        if (ds->movies[mv].in_catalogue && !tl_sorted_contains(us->seen, us->n_seen, mv)) rel[n++] = mv;
    }
    qsort(rel, n, sizeof *rel, cmp_u32);
    uint32_t d = 0;
    for (uint32_t i = 0; i < n; i++)
        if (d == 0 || rel[d - 1] != rel[i]) rel[d++] = rel[i];
    us->n_relevant = d;
    return d > 0;
}

/* Offers movies base .. base + n - 1 (scores s) to heap t: with floor, only
 * scores above it; with seen, not the user's seen movies. Once t is full
 * only a score above its worst can enter (a later movie never wins a tie). */
static void scan(tl_topk *t, const float *s, uint32_t base, uint32_t n, const float *floor, const tl_movie *movies,
                 user_scan *seen)
{
    uint32_t i = 0;
    while (i < n) {
        if (t->n == t->k) i += (uint32_t)tl_find_above(s + i, n - i, t->items[0].score);
        else if (floor) i += (uint32_t)tl_find_above(s + i, n - i, *floor);
        if (i == n) break;
        uint32_t mv = base + i;
        int ok = movies[mv].in_catalogue;
        if (ok && seen) {
            while (seen->seen_at < seen->n_seen && seen->seen[seen->seen_at] < mv) seen->seen_at++;
            ok = !(seen->seen_at < seen->n_seen && seen->seen[seen->seen_at] == mv);
        }
        if (ok) tl_topk_push(t, mv, s[i]); /* NaN is never kept */
        i++;
    }
}

static void finish_a(run_ctx *c, user_scan *us, uint64_t *hits)
{
    uint32_t n_best = tl_topk_finish(&us->a);
    const tl_scored *best = us->a.items;
    for (uint32_t r = c->plan->a_off[us->p]; r < c->plan->a_off[us->p + 1]; r++) {
        float s = c->a_scores[r];
        if (s != s) continue;                                         /* a NaN test score is a miss */
        if (n_best == KEEP_A && s < best[KEEP_A - 1].score) continue; /* 100 or more above */
        uint32_t above = count_above(best, n_best, s);
        for (int k = 0; k < 5; k++) hits[k] += above < top_ks[k];
    }
}

static void finish_b(run_ctx *c, user_scan *us)
{
    uint32_t n_top = tl_topk_finish(&us->b);
    const uint32_t *rel = c->rel + c->plan->test_off[us->p];
    uint8_t is_rel[TL_EVAL_TOP_B];
    for (uint32_t i = 0; i < n_top; i++) {
        uint32_t mv = us->b.items[i].index;
        is_rel[i] = (uint8_t)tl_sorted_contains(rel, us->n_relevant, mv);
        if (i < 10) c->top10[us->p][i] = mv;
    }
    c->n_top10[us->p] = (uint8_t)(n_top < 10 ? n_top : 10);
    tl__eval_user_metrics(n_top, is_rel, us->n_relevant, c->discount, &c->metrics[us->p]);
    c->counted[us->p] = 1;
}

static void block_task(void *ctx, uint32_t task, uint32_t wi)
{
    run_ctx *c = ctx;
    const tl_dataset *ds = c->ds;
    const tl_scorer *sc = c->sc;
    const tl__eval_plan *plan = c->plan;
    worker *w = &c->workers[wi];
    const size_t sf = sc->state_floats;
    uint32_t p0 = task * EVAL_USERS, p1 = p0 + EVAL_USERS < plan->n ? p0 + EVAL_USERS : plan->n;
    uint32_t na = 0; /* users of the block with something to rank */
    for (uint32_t p = p0; p < p1; p++) {
        user_scan *us = &w->scan[na];
        uint32_t user = plan->user[p];
        float *state = w->users + (size_t)na * sf;
        uint32_t n_train = 0;
        const uint32_t *train = plan->seen ? tl_seen_movies(plan->seen, user, &n_train) : NULL;
        tl_profile prof = {train, NULL, n_train};
        /* a state that cannot be made (only on a broken model) ranks nothing */
        if (sc->ops->user_state(sc, user, &prof, state, NULL) != TL_OK) continue;
        us->p = p;
        us->do_a = plan->a_off && plan->a_off[p + 1] > plan->a_off[p] && prepare_a(c, us, state);
        us->do_b = plan->seen && prepare_b(c, us, user);
        if (!us->do_a && !us->do_b) continue;
        tl_scored *h = w->heaps + (size_t)na * (KEEP_A + TL_EVAL_TOP_B);
        tl_topk_init(&us->a, h, KEEP_A);
        tl_topk_init(&us->b, h + KEEP_A, TL_EVAL_TOP_B);
        na++;
    }
    for (uint32_t c0 = 0; na && c0 < ds->n_movies; c0 += EVAL_CHUNK) {
        uint32_t rows = ds->n_movies - c0 < EVAL_CHUNK ? ds->n_movies - c0 : EVAL_CHUNK;
        tl_scorer_score(sc, w->users, na, c0, rows, w->scores, EVAL_CHUNK);
        for (uint32_t j = 0; j < na; j++) {
            user_scan *us = &w->scan[j];
            const float *s = w->scores + (size_t)j * EVAL_CHUNK;
            if (us->do_a) scan(&us->a, s, c0, rows, &us->floor_a, ds->movies, NULL);
            if (us->do_b) scan(&us->b, s, c0, rows, NULL, ds->movies, us);
        }
    }
    for (int k = 0; k < 5; k++) c->hits[task][k] = 0;
    for (uint32_t j = 0; j < na; j++) {
        user_scan *us = &w->scan[j];
        if (us->do_a) finish_a(c, us, c->hits[task]);
        if (us->do_b) finish_b(c, us);
    }
}

static void free_workers(worker *w, uint32_t n)
{
    for (uint32_t i = 0; w && i < n; i++) {
        free(w[i].users);
        free(w[i].scores);
        free(w[i].heaps);
    }
    free(w);
}

tl_status tl__eval_run(const tl_dataset *ds, const tl__eval_plan *plan, const tl_scorer *sc, uint32_t n_cat,
                       tl_pool *pool, tl_metrics *out, tl_error *err)
{
    uint32_t n = plan->n, n_blocks = (n + EVAL_USERS - 1) / EVAL_USERS;
    uint32_t n_workers = pool ? tl_pool_threads(pool) : 1;
    run_ctx c = {.ds = ds, .plan = plan, .sc = sc};
    tl__eval_discounts(c.discount);
    size_t n_a = plan->a_off ? plan->a_off[n] : 0, n_test = plan->test_off[n];
    c.workers = calloc(n_workers, sizeof *c.workers);
    c.a_scores = malloc((n_a ? n_a : 1) * sizeof *c.a_scores);
    c.rel = malloc((n_test ? n_test : 1) * sizeof *c.rel);
    c.hits = calloc(n_blocks ? n_blocks : 1, sizeof *c.hits);
    c.metrics = calloc(n ? n : 1, sizeof *c.metrics);
    c.counted = calloc(n ? n : 1, 1);
    c.top10 = calloc(n ? n : 1, sizeof *c.top10);
    c.n_top10 = calloc(n ? n : 1, 1);
    uint8_t *covered = calloc(ds->n_movies ? ds->n_movies : 1, 1);
    int ok = c.workers && c.a_scores && c.rel && c.hits && c.metrics && c.counted && c.top10 && c.n_top10 && covered;
    for (uint32_t i = 0; ok && i < n_workers; i++) {
        worker *w = &c.workers[i];
        w->users = malloc(((size_t)EVAL_USERS * sc->state_floats + 1) * sizeof *w->users);
        w->scores = malloc((size_t)EVAL_USERS * EVAL_CHUNK * sizeof *w->scores);
        w->heaps = malloc((size_t)EVAL_USERS * (KEEP_A + TL_EVAL_TOP_B) * sizeof *w->heaps);
        ok = w->users && w->scores && w->heaps;
    }
    tl_status st = TL_OK;
    if (!ok) st = tl_fail(err, TL_E_NOMEM, "evaluation: out of memory scoring %u users", n);
    if (st == TL_OK) {
        if (pool) tl_pool_run(pool, n_blocks, block_task, &c);
        else
            for (uint32_t t = 0; t < n_blocks; t++) block_task(&c, t, 0);
        if (plan->a_off) {
            uint64_t hits[5] = {0};
            for (uint32_t t = 0; t < n_blocks; t++)
                for (int k = 0; k < 5; k++) hits[k] += c.hits[t][k];
            for (int k = 0; k < 5; k++) out->top[k] = n_a ? (double)hits[k] / n_a : 0.0;
        }
        if (plan->seen) {
            double recall = 0, ndcg10 = 0, ndcg100 = 0;
            uint32_t counted = 0, n_covered = 0;
            for (uint32_t p = 0; p < n; p++) { /* in user order, as one thread sums them */
                if (!c.counted[p]) continue;
                recall += c.metrics[p].recall_at_20;
                ndcg10 += c.metrics[p].ndcg_at_10;
                ndcg100 += c.metrics[p].ndcg_at_100;
                counted++;
                for (uint32_t i = 0; i < c.n_top10[p]; i++) {
                    n_covered += !covered[c.top10[p][i]];
                    covered[c.top10[p][i]] = 1;
                }
            }
            out->users_evaluated = counted;
            if (counted) {
                out->recall_at_20 = recall / counted;
                out->ndcg_at_10 = ndcg10 / counted;
                out->ndcg_at_100 = ndcg100 / counted;
            }
            out->coverage_at_10 = (double)n_covered / n_cat;
        }
    }
    free_workers(c.workers, n_workers);
    free(c.a_scores);
    free(c.rel);
    free(c.hits);
    free(c.metrics);
    free(c.counted);
    free(c.top10);
    free(c.n_top10);
    free(covered);
    return st;
}
