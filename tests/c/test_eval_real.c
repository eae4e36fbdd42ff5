/* Popularity on ml-latest-small with the split (80000/20000, seed
 * 42) must give the reference numbers: top-100 0.155, Recall@20 0.172,
 * NDCG@10 0.176. Skips when the shared copy is absent. */
#include "check.h"
#include "towerlens/eval.h"
#include "towerlens/loader.h"

/* The split's documented permutation (split.h): splitmix64 + Fisher-Yates. */
static void permute(uint32_t *v, uint32_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (uint32_t i = 0; i < n; i++) v[i] = i;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        uint32_t j = (uint32_t)(z % (i + 1)), t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

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
    uint32_t *perm = malloc(ds->n_ratings * sizeof *perm);
    permute(perm, ds->n_ratings, 42);
    CHECK_INT(perm[0], 40466);
    float *users = NULL, *movies = NULL;
    CHECK_INT(tl_popularity_embeddings(ds, perm, 80000, &users, &movies, &err), TL_OK);
    tl_embeddings e = {users, movies, 1, 1, 1};
    tl_metrics m;
    CHECK_INT(tl_eval_retrieval(ds, perm, 80000, perm + 80000, 20000, &e, NULL, &m, &err), TL_OK);
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
    free(users), free(movies), free(perm);
    tl_dataset_free(ds);
    return check_report("test_eval_real");
}
