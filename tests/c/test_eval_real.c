/* Popularity on ml-latest-small with the split (80000/20000, seed
 * 42) must give the reference numbers: top-100 0.155, Recall@20 0.172,
 * NDCG@10 0.176. Skips when the shared copy is absent. */
#include "check.h"
#include "popularity_fixture.h"
#include "towerlens/eval.h"
#include "towerlens/loader.h"
#include "towerlens/split.h"

int main(void)
{
    char dir[1024];
    if (!check_shared_small(dir, sizeof dir)) return check_report("test_eval_real");
    const char *paths[1] = {dir};
    tl_dataset *ds = NULL;
    tl_error err;
    CHECK_INT(tl_load_paths(paths, 1, &ds, &err), TL_OK);
    if (!ds) {
        fprintf(stderr, "%s\n", err.message);
        return check_report("test_eval_real");
    }
    CHECK_INT(ds->n_ratings, 100836);
    CHECK_INT(ds->n_catalogue, 9742);
    tl_split_options so;
    tl_split_options_default(&so);
    so.train_rows = 80000;
    so.test_rows = 20000;
    so.seed = 42;
    tl_split *sp = NULL;
    CHECK_INT(tl_split_make(ds, &so, &sp, &err), TL_OK);
    if (!sp) {
        fprintf(stderr, "%s\n", err.message);
        tl_dataset_free(ds);
        return check_report("test_eval_real");
    }
    CHECK_INT(sp->train[0], 40466);
    float *users = NULL, *movies = NULL;
    CHECK_INT(popularity_tables(ds, sp->train, sp->n_train, &users, &movies, &err), TL_OK);
    tl_embeddings e = {users, movies, 1, 1, 1};
    tl_metrics m;
    CHECK_INT(tl_eval_retrieval(ds, sp->train, sp->n_train, sp->test, sp->n_test, &e, NULL, &m, &err), TL_OK);
    printf("popularity: top-1 %.5f top-5 %.5f top-10 %.5f top-50 %.5f top-100 %.5f recall@20 %.5f "
           "ndcg@10 %.5f ndcg@100 %.5f coverage@10 %.5f (%u users)\n",
           m.top[0], m.top[1], m.top[2], m.top[3], m.top[4], m.recall_at_20, m.ndcg_at_10, m.ndcg_at_100,
           m.coverage_at_10, m.users_evaluated);
    CHECK_NEAR(m.top[4], 0.155, 0.0015);
    CHECK_NEAR(m.recall_at_20, 0.172, 0.0015);
    CHECK_NEAR(m.ndcg_at_10, 0.176, 0.0015);
    /* exact values of this implementation, so a change in behaviour shows */
    CHECK_NEAR(m.top[4], 0.1547, 1e-12);
    CHECK_NEAR(m.top[0], 0.00285, 1e-12);
    CHECK_INT(m.users_evaluated, 610);
    CHECK_INT(m.rows_evaluated, 20000);
    free(users), free(movies);
    tl_split_free(sp);
    tl_dataset_free(ds);
    return check_report("test_eval_real");
}
