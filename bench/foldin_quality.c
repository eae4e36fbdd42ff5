/* The fold-in quality check of the serving issue on ml-latest-small: train
 * preset tfrs on the split 80000/20000 (seed 42), then compare protocol B
 * Recall@20 of folded-in vectors (from 10, and 3, train ratings per user) with the
 * trained vectors, for each fold-in variant. Prints a table.
 * Usage: foldin_quality [DATA_DIR] [EPOCHS] [PRESET] [SOLVER (exact|cg, preset default)] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "towerlens/eval.h"
#include "towerlens/index.h"
#include "towerlens/loader.h"
#include "towerlens/split.h"
#include "towerlens/train.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int fail(const tl_error *err)
{
    fprintf(stderr, "foldin_quality: %s\n", err->message);
    return 1;
}

int main(int argc, char **argv)
{
    const char *paths[1] = {argc > 1 ? argv[1] : "../shared/data/ml-latest-small"};
    tl_dataset *ds = NULL;
    tl_error err;
    if (tl_load_paths(paths, 1, &ds, &err) != TL_OK) return fail(&err);
    tl_split_options so;
    tl_split_options_default(&so);
    so.train_rows = ds->n_ratings >= 100000 ? 80000 : 0;
    so.test_rows = ds->n_ratings >= 100000 ? 20000 : 0;
    so.seed = 42;
    tl_split *sp = NULL;
    if (tl_split_make(ds, &so, &sp, &err) != TL_OK) return fail(&err);
    tl_train_config cfg;
    if (tl_train_config_preset(&cfg, argc > 3 ? argv[3] : "tfrs", &err) != TL_OK) return fail(&err);
    if (argc > 2 && strtoul(argv[2], NULL, 10) > 0) cfg.epochs = (uint32_t)strtoul(argv[2], NULL, 10);
    if (argc > 4 && tl_ials_solver_parse(argv[4], &cfg.ials_solver, &err) != TL_OK) return fail(&err);
    tl_trainer *tr = NULL;
    if (tl_trainer_new(ds, sp, &cfg, &tr, &err) != TL_OK) return fail(&err);
    double t0 = now();
    tl_train_progress pr;
    if (tl_trainer_step(tr, 0, 0, &pr, &err) != TL_OK) return fail(&err);
    tl_embeddings e = tl_model_embeddings(tl_trainer_model(tr));
    tl_scorer *sc = NULL;
    if (tl_embed_scorer_new(ds, &e, &sc, &err) != TL_OK) return 1;
    tl_metrics m;
    if (tl_eval_retrieval(ds, sp->train, sp->n_train, sp->test, sp->n_test, &e, NULL, &m, &err) != TL_OK)
        return fail(&err);
    printf("%s: %u train / %u test rows; preset %s, %u epochs in %.1f s: test top-100 %.4f, Recall@20 %.4f\n\n",
           paths[0], sp->n_train, sp->n_test, cfg.preset, cfg.epochs, now() - t0, m.top[4], m.recall_at_20);

    printf("| fold-in from train ratings | users | Recall@20 trained | Recall@20 fold-in | ratio | "
           "NDCG@10 trained | NDCG@10 fold-in | seconds |\n|---|---|---|---|---|---|---|---|\n");
    struct {
        const char *name;
        tl_foldin_method method;
        int popularity;
        uint32_t given;
    } variants[] = {
        {"softmax, uniform negatives (default)", TL_FOLDIN_SOFTMAX, 0, 10},
        {"least squares", TL_FOLDIN_LSQ, 0, 10},
        {"softmax, popularity-weighted negatives", TL_FOLDIN_SOFTMAX, 1, 10},
        {"softmax (default), from 3 ratings", TL_FOLDIN_SOFTMAX, 0, 3},
        {"least squares, from 3 ratings", TL_FOLDIN_LSQ, 0, 3},
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        tl_foldin_options fo;
        tl_foldin_options_default(&fo);
        fo.method = variants[i].method;
        fo.popularity_negatives = variants[i].popularity;
        tl_foldin_report r;
        t0 = now();
        if (tl_eval_foldin(ds, sp->train, sp->n_train, sp->test, sp->n_test, sc, &fo, variants[i].given, 0, 42, &r,
                           &err) != TL_OK)
            return fail(&err);
        printf("| %s | %u | %.4f | %.4f | %.3f | %.4f | %.4f | %.1f |\n", variants[i].name, r.users, r.recall_trained,
               r.recall_foldin, r.ratio, r.ndcg10_trained, r.ndcg10_foldin, now() - t0);
    }
    tl_trainer_free(tr);
    tl_split_free(sp);
    tl_dataset_free(ds);
    return 0;
}
