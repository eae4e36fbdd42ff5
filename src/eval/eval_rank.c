/* Protocol B for one user: score the catalogue, drop the user's train
 * movies, keep the best 100 with a heap, then Recall@20 and NDCG@10/100
 * with binary relevance against the ideal ordering. */
#include <math.h>
#include <stdlib.h>

#include "eval_internal.h"
#include "towerlens/kernels.h"

tl_status tl__ranker_init(tl__ranker *r, const tl_dataset *ds, const tl_seen *seen, const uint32_t *cat, uint32_t n_cat,
                          tl_error *err)
{
    *r = (tl__ranker){0};
    r->ds = ds;
    r->seen = seen;
    r->cat = cat;
    r->n_cat = n_cat;
    size_t n = ds->n_movies ? ds->n_movies : 1;
    r->scores = malloc(n * sizeof *r->scores);
    r->excluded = calloc(n, sizeof *r->excluded);
    r->relevant = calloc(n, sizeof *r->relevant);
    r->covered = calloc(n, sizeof *r->covered);
    if (!r->scores || !r->excluded || !r->relevant || !r->covered) {
        tl__ranker_free(r);
        return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory ranking %u movies", ds->n_movies);
    }
    tl__eval_discounts(r->discount);
    return TL_OK;
}

void tl__ranker_free(tl__ranker *r)
{
    free(r->scores);
    free(r->excluded);
    free(r->relevant);
    free(r->covered);
    *r = (tl__ranker){0};
}

/* Marks the user's seen and relevant movies; the count of rankable relevant ones. */
static uint32_t mark_user(tl__ranker *r, uint32_t user, const uint32_t *rel, uint32_t n_rel)
{
    const tl_dataset *ds = r->ds;
    uint32_t stamp = ++r->stamp;
    uint32_t n_seen = 0;
    const uint32_t *seen = r->seen ? tl_seen_movies(r->seen, user, &n_seen) : NULL;
    for (uint32_t i = 0; i < n_seen; i++) r->excluded[seen[i]] = stamp;

    uint32_t n_relevant = 0; /* distinct and rankable */
    for (uint32_t i = 0; i < n_rel; i++) {
        uint32_t mv = rel[i];
        if (mv >= ds->n_movies || !ds->movies[mv].in_catalogue || r->excluded[mv] == stamp || r->relevant[mv] == stamp)
            continue;
        r->relevant[mv] = stamp;
        n_relevant++;
    }
    return n_relevant;
}

/* Ranks the catalogue by scores and fills m (n_relevant > 0). */
static void rank_user(tl__ranker *r, const float *scores, uint32_t n_relevant, tl__user_metrics *m)
{
    uint32_t stamp = r->stamp;
    tl_topk top;
    tl_topk_init(&top, r->top, TL_EVAL_TOP_B);
    for (uint32_t i = 0; i < r->n_cat; i++) {
        uint32_t mv = r->cat[i];
        if (r->excluded[mv] != stamp) tl_topk_push(&top, mv, scores[mv]);
    }
    uint32_t n_top = tl_topk_finish(&top);

    uint8_t rel_top[TL_EVAL_TOP_B];
    for (uint32_t i = 0; i < n_top; i++) {
        uint32_t mv = r->top[i].index;
        rel_top[i] = r->relevant[mv] == stamp;
        if (i < 10 && !r->covered[mv]) {
            r->covered[mv] = 1;
            r->n_covered++;
        }
    }
    tl__eval_user_metrics(n_top, rel_top, n_relevant, r->discount, m);
}

int tl__ranker_user(tl__ranker *r, const tl_scorer *sc, const float *state, uint32_t user, const uint32_t *rel,
                    uint32_t n_rel, tl__user_metrics *m)
{
    uint32_t n_relevant = mark_user(r, user, rel, n_rel);
    if (n_relevant == 0) return 0;
    /* scored only when the user has a rankable relevant movie */
    tl_scorer_score(sc, state, 1, 0, r->ds->n_movies, r->scores, r->ds->n_movies);
    rank_user(r, r->scores, n_relevant, m);
    return 1;
}

int tl__ranker_user_scores(tl__ranker *r, const float *scores, uint32_t user, const uint32_t *rel, uint32_t n_rel,
                           tl__user_metrics *m)
{
    uint32_t n_relevant = mark_user(r, user, rel, n_rel);
    if (n_relevant == 0) return 0;
    rank_user(r, scores, n_relevant, m);
    return 1;
}

void tl__eval_discounts(double *discount)
{
    for (int i = 0; i < TL_EVAL_TOP_B; i++) discount[i] = 1.0 / log2((double)i + 2.0);
}

void tl__eval_user_metrics(uint32_t n_top, const uint8_t *rel, uint32_t n_relevant, const double *discount,
                           tl__user_metrics *m)
{
    uint32_t hits20 = 0;
    double dcg10 = 0, dcg100 = 0, idcg10 = 0, idcg100 = 0;
    for (uint32_t i = 0; i < n_top; i++) {
        if (!rel[i]) continue;
        if (i < 20) hits20++;
        if (i < 10) dcg10 += discount[i];
        dcg100 += discount[i];
    }
    for (uint32_t i = 0; i < n_relevant && i < TL_EVAL_TOP_B; i++) {
        if (i < 10) idcg10 += discount[i];
        idcg100 += discount[i];
    }
    m->recall_at_20 = (double)hits20 / (n_relevant < 20 ? n_relevant : 20);
    m->ndcg_at_10 = dcg10 / idcg10;
    m->ndcg_at_100 = dcg100 / idcg100;
}
