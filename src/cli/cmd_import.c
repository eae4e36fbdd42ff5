/* towerlens import: a model file from movie factors trained elsewhere (Spark
 * ALS and the like) and a movies file; user factors only within a budget.
 * Factor files are mapped, not read, so a large file costs no memory until
 * its rows are parsed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "towerlens.h"

typedef struct mapped {
    const uint8_t *p;
    size_t n;
    void *map; /* what munmap takes back (NULL for an empty file) */
} mapped;

static int map_file(const char *path, mapped *m)
{
    m->p = NULL, m->n = 0, m->map = NULL;
    if (!path) return 0;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "towerlens import: %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        return 1;
    }
    m->n = (size_t)st.st_size;
    if (m->n) {
        void *p = mmap(NULL, m->n, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            fprintf(stderr, "towerlens import: %s: cannot read: %s\n", path, strerror(errno));
            close(fd);
            return 1;
        }
        m->p = p;
        m->map = p;
    } else {
        m->p = (const uint8_t *)""; /* an empty file: the readers say so */
    }
    close(fd);
    return 0;
}

static void unmap(mapped *m)
{
    if (m->map) munmap(m->map, m->n);
    m->p = NULL, m->n = 0, m->map = NULL;
}

typedef struct import_args {
    const char *movie_factors, *movie_ids, *user_factors, *user_ids, *movies, *links, *out, *foldin, *source;
    uint32_t max_user_mb;
    double reg, alpha;
    int skip_unknown, json;
} import_args;

static int run_import(const import_args *a)
{
    tl_import_options opt;
    tl_import_options_default(&opt);
    opt.max_user_bytes = (uint64_t)a->max_user_mb << 20;
    opt.skip_unknown = a->skip_unknown;
    opt.reg = (float)a->reg;
    opt.alpha = (float)a->alpha;
    opt.foldin = !strcmp(a->foldin, "als")    ? TL_IMPORT_FOLDIN_ALS
                 : !strcmp(a->foldin, "ials") ? TL_IMPORT_FOLDIN_IALS
                                              : TL_IMPORT_FOLDIN_DEFAULT;
    opt.source = a->source ? a->source : opt.foldin != TL_IMPORT_FOLDIN_DEFAULT ? "spark-als" : "external";

    mapped mf = {0}, mi = {0}, uf = {0}, ui = {0}, mv = {0}, ln = {0};
    tl_factors movies = {0}, users = {0};
    tl_dataset *cat = NULL;
    tl_buf model;
    tl_buf_init(&model);
    tl_import_summary sum;
    tl_error err;
    tl_error_clear(&err);
    int rc = 1, have_users = 0;
    char skipped[sizeof err.message];
    skipped[0] = '\0';
    if (map_file(a->movie_factors, &mf) || map_file(a->movie_ids, &mi) || map_file(a->movies, &mv) ||
        map_file(a->links, &ln))
        goto done;
    if (tl_factors_read(mf.p, mf.n, a->movie_factors, a->movie_ids ? mi.p : NULL, mi.n, a->movie_ids,
                        TL_IMPORT_MAX_TABLE_BYTES, &movies, &err) != TL_OK)
        goto fail;
    unmap(&mf), unmap(&mi);
    if (a->user_factors) {
        if (map_file(a->user_factors, &uf) || map_file(a->user_ids, &ui)) goto done;
        uint64_t budget =
            opt.max_user_bytes < TL_IMPORT_MAX_TABLE_BYTES ? opt.max_user_bytes : TL_IMPORT_MAX_TABLE_BYTES;
        tl_status st = tl_factors_read(uf.p, uf.n, a->user_factors, a->user_ids ? ui.p : NULL, ui.n, a->user_ids,
                                       budget, &users, &err);
        if (st == TL_E_LIMIT) { /* over the budget: not an error, visitors are folded in */
            snprintf(skipped, sizeof skipped, "%s", err.message);
            opt.users_skipped = skipped;
            tl_error_clear(&err);
        } else if (st != TL_OK) {
            goto fail;
        } else {
            have_users = 1;
        }
        unmap(&uf), unmap(&ui);
    }
    if (tl_import_catalogue(mv.p, mv.n, a->movies, a->links ? ln.p : NULL, ln.n, a->links, &cat, &err) != TL_OK)
        goto fail;
    tl_status st = tl_import_build(cat, &movies, have_users ? &users : NULL, &opt, &model, &sum, &err);
    cat = NULL; /* consumed */
    if (st != TL_OK) goto fail;
    FILE *f = fopen(a->out, "wb");
    if (!f || fwrite(model.data, 1, model.len, f) != model.len || fclose(f) != 0) {
        fprintf(stderr, "towerlens import: %s: cannot write the model file: %s\n", a->out, strerror(errno));
        if (f) fclose(f);
        goto done;
    }
    if (a->json) {
        tl_buf js;
        tl_buf_init(&js);
        tl_import_summary_json(&sum, opt.foldin, &js);
        printf("%s\n", js.failed ? "{}" : js.data);
        tl_buf_free(&js);
    } else {
        printf("imported %u movies x %u factors", sum.movies, sum.dim);
        if (sum.users) printf(" and %u users", sum.users);
        printf(" -> %s (%zu bytes)\n", a->out, sum.bytes);
        if (sum.movies_without_factors)
            printf("%u movies of %s have no factors and are not served\n", sum.movies_without_factors, a->movies);
        if (sum.users_skipped[0])
            printf("user factors skipped: %s; every visitor is served by fold-in\n", sum.users_skipped);
        if (opt.foldin != TL_IMPORT_FOLDIN_DEFAULT)
            printf("fold-in: Spark ALS%s normal equations, reg %g x each visitor's rating count\n",
                   opt.foldin == TL_IMPORT_FOLDIN_IALS ? " implicitPrefs (alpha recorded)" : "", opt.reg);
    }
    if (sum.unknown_ids_skipped)
        fprintf(stderr,
                "towerlens import: warning: %u factor rows name movies %s does not list (the first: %u); "
                "left out\n",
                sum.unknown_ids_skipped, a->movies, sum.first_unknown_id);
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "towerlens import: %s\n", err.message);
done:
    unmap(&mf), unmap(&mi), unmap(&uf), unmap(&ui), unmap(&mv), unmap(&ln);
    tl_factors_free(&movies);
    tl_factors_free(&users);
    tl_dataset_free(cat);
    tl_buf_free(&model);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    import_args a = {0};
    a.max_user_mb = 256;
    a.reg = 0.1;
    a.alpha = 1.0;
    a.foldin = "default";
    const tl_arg_opt opts[] = {
        {"movie-factors", TL_ARG_STRING, &a.movie_factors, "FILE",
         "movie factors: CSV `movieId,e0,e1,...` (what `towerlens export` writes) or a 2-D float32/float64 .npy "
         "(required)",
         0, 0},
        {"movie-ids", TL_ARG_STRING, &a.movie_ids, "FILE",
         "the movie id of each .npy row: a 1-D integer .npy or text, one id per line (only with a .npy)", 0, 0},
        {"user-factors", TL_ARG_STRING, &a.user_factors, "FILE",
         "user factors in the same layouts; kept only within --max-user-mb, else skipped with a message", 0, 0},
        {"user-ids", TL_ARG_STRING, &a.user_ids, "FILE", "the user id of each .npy row of --user-factors", 0, 0},
        {"movies", TL_ARG_STRING, &a.movies, "FILE",
         "the catalogue: movies.csv (movieId,title,genres), or u.item / movies.dat (required)", 0, 0},
        {"links", TL_ARG_STRING, &a.links, "FILE", "links.csv for IMDb and TMDB ids (optional)", 0, 0},
        {"max-user-mb", TL_ARG_U32, &a.max_user_mb, "N",
         "memory budget for the user table in MiB (the model file and a browser tab hold it); 0 = never keep users", 0,
         1024},
        {"foldin", TL_ARG_STRING, &a.foldin, "default|als|ials",
         "how `foldin` solves a visitor's vector: default = towerlens' softmax fold-in; als / ials = Spark ALS's "
         "explicit / implicitPrefs normal equations with --reg (and --alpha), recorded in the model",
         0, 0},
        {"reg", TL_ARG_DOUBLE, &a.reg, "R", "Spark's regParam (ALS-WR: multiplied by the visitor's rating count)", 0,
         1e6},
        {"alpha", TL_ARG_DOUBLE, &a.alpha, "A", "Spark's alpha (implicitPrefs: confidence 1 + alpha * rating)", 0, 1e6},
        {"source", TL_ARG_STRING, &a.source, "TEXT",
         "where the factors came from, recorded in the model config (default spark-als with --foldin als|ials, else "
         "external)",
         0, 0},
        {"skip-unknown", TL_ARG_FLAG, &a.skip_unknown, NULL,
         "leave out factor rows whose movie id the movies file does not list (counted in a warning); by default "
         "such a row is an error",
         0, 0},
        {"out", TL_ARG_STRING, &a.out, "FILE", "the model file to write (required)", 0, 0},
        {"json", TL_ARG_FLAG, &a.json, NULL,
         "print {movies, dim, users, users_skipped, unknown_ids_skipped, first_unknown_id, movies_without_factors, "
         "foldin, bytes}",
         0, 0},
    };
    const tl_arg_spec spec = {
        "import",
        "--movie-factors FILE [--movie-ids FILE] [--user-factors FILE [--user-ids FILE]] --movies FILE "
        "[--links FILE] [--max-user-mb N] [--foldin default|als|ials] [--reg R] [--alpha A] [--skip-unknown] "
        "--out FILE [--json]",
        "Builds a model file from factors trained elsewhere (e.g. Spark MLlib ALS's itemFactors and userFactors):\n"
        "movies with factors and a row in the movies file are served by recommend --user (imported users),\n"
        "similar and foldin; movies of the movies file without factors are left out. See docs/spark.md.",
        opts,
        sizeof opts / sizeof opts[0],
        NULL,
        NULL,
        0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r != TL_ARGS_OK) return tl_args_exit(r);
    if (!a.movie_factors || !a.movies || !a.out) {
        fprintf(stderr,
                "towerlens import: --movie-factors FILE, --movies FILE and --out FILE are required (see --help)\n");
        return 2;
    }
    if (strcmp(a.foldin, "default") && strcmp(a.foldin, "als") && strcmp(a.foldin, "ials")) {
        fprintf(stderr, "towerlens import: --foldin must be default, als or ials, got \"%s\"\n", a.foldin);
        return 2;
    }
    if ((a.user_ids && !a.user_factors)) {
        fprintf(stderr, "towerlens import: --user-ids goes with --user-factors\n");
        return 2;
    }
    return run_import(&a);
}
