/* Protocol B for one user: score the catalogue, drop the user's train
 * movies, keep the best 100 with a heap, then Recall@20 and NDCG@10/100
 * with binary relevance against the ideal ordering. */
#include <math.h>
#include <stdlib.h>

#include "eval_internal.h"
#include "towerlens/kernels.h"

tl_status tl_ranker_init(tl_ranker *r, const tl_dataset *ds, const tl_seen *seen, const uint32_t *cat,
                         uint32_t n_cat, tl_error *err)
{
    *r = (tl_ranker){0};
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
        tl_ranker_free(r);
        return tl_fail(err, TL_E_NOMEM, "evaluation: out of memory ranking %u movies", ds->n_movies);
    }
    for (int i = 0; i < TL_EVAL_TOP_B; i++) r->discount[i] = 1.0 / log2((double)i + 2.0);
    return TL_OK;
}

void tl_ranker_free(tl_ranker *r)
{
    free(r->scores);
    free(r->excluded);
    free(r->relevant);
    free(r->covered);
    *r = (tl_ranker){0};
}

/* tl_gemv scores each group of 8 rows alike and the last rows % 8 with
 * tl_dot, so chunks that start at multiples of 8 give the same floats. */
#define SCORE_CHUNK 512

void tl_eval_score_users(const tl_dataset *ds, const tl_embeddings *emb, const uint32_t *users, uint32_t n,
                         float *scores)
{
    size_t n_movies = ds->n_movies;
    for (size_t c = 0; c < n_movies; c += SCORE_CHUNK) {
        size_t rows = n_movies - c < SCORE_CHUNK ? n_movies - c : SCORE_CHUNK;
        const float *chunk = emb->movies + c * emb->ld_movies;
        for (uint32_t j = 0; j < n; j++)
            tl_gemv(chunk, rows, emb->ld_movies, emb->users + (size_t)users[j] * emb->ld_users, emb->dim,
                    scores + j * n_movies + c);
    }
}

/* scores == NULL: score with user_vec here, only when the user has a
 * rankable relevant movie */
static int rank_user(tl_ranker *r, const float *scores, const tl_embeddings *emb, const float *user_vec,
                     uint32_t user, const uint32_t *rel, uint32_t n_rel, tl_user_metrics *m)
{
    const tl_dataset *ds = r->ds;
    uint32_t stamp = ++r->stamp;
    uint32_t n_seen = 0;
    const uint32_t *seen = r->seen ? tl_seen_movies(r->seen, user, &n_seen) : NULL;
    for (uint32_t i = 0; i < n_seen; i++) r->excluded[seen[i]] = stamp;

    uint32_t n_relevant = 0; /* distinct and rankable */
    for (uint32_t i = 0; i < n_rel; i++) {
        uint32_t mv = rel[i];
        if (mv >= ds->n_movies || !ds->movies[mv].in_catalogue || r->excluded[mv] == stamp ||
            r->relevant[mv] == stamp)
            continue;
        r->relevant[mv] = stamp;
        n_relevant++;
    }
    if (n_relevant == 0) return 0;
    if (!scores) {
        tl_gemv(emb->movies, ds->n_movies, emb->ld_movies, user_vec, emb->dim, r->scores);
        scores = r->scores;
    }

    tl_topk top;
    tl_topk_init(&top, r->top, TL_EVAL_TOP_B);
    for (uint32_t i = 0; i < r->n_cat; i++) {
        uint32_t mv = r->cat[i];
        if (r->excluded[mv] != stamp) tl_topk_push(&top, mv, scores[mv]);
    }
    uint32_t n_top = tl_topk_finish(&top);

    uint32_t hits20 = 0;
    double dcg10 = 0, dcg100 = 0, idcg10 = 0, idcg100 = 0;
    for (uint32_t i = 0; i < n_top; i++) {
        uint32_t mv = r->top[i].index;
        if (i < 10 && !r->covered[mv]) {
            r->covered[mv] = 1;
            r->n_covered++;
        }
        if (r->relevant[mv] != stamp) continue;
        if (i < 20) hits20++;
        if (i < 10) dcg10 += r->discount[i];
        dcg100 += r->discount[i];
    }
    for (uint32_t i = 0; i < n_relevant && i < TL_EVAL_TOP_B; i++) {
        if (i < 10) idcg10 += r->discount[i];
        idcg100 += r->discount[i];
    }
    m->recall_at_20 = (double)hits20 / (n_relevant < 20 ? n_relevant : 20);
    m->ndcg_at_10 = dcg10 / idcg10;
    m->ndcg_at_100 = dcg100 / idcg100;
    return 1;
}

int tl_ranker_user(tl_ranker *r, const tl_embeddings *emb, const float *user_vec, uint32_t user,
                   const uint32_t *rel, uint32_t n_rel, tl_user_metrics *m)
{
    return rank_user(r, NULL, emb, user_vec, user, rel, n_rel, m);
}

int tl_ranker_user_scored(tl_ranker *r, const float *scores, uint32_t user, const uint32_t *rel, uint32_t n_rel,
                          tl_user_metrics *m)
{
    return rank_user(r, scores, NULL, NULL, user, rel, n_rel, m);
}
