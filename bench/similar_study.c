/* Which item-item signal makes the best "similar movies" list (issue 15).
 *
 * Protocol S: for each user with liked (>= 4 stars) movies in both the fit
 * rows and the held-out rows, one fit-liked movie q is drawn (seeded); the
 * catalogue is ranked by sim(q, .), leaving out q and the user's fit movies;
 * relevant = the user's held-out liked movies. Recall@20 (hits / min(20,
 * relevant)) and NDCG@10, averaged over users; beside them the mean
 * ln(1 + train count) of the top 10 (how popular the neighbours are) and the
 * share of the top 10 sharing a genre with q.
 *
 * Validation chooses: iALS (preset ials, the default's part) and EASE are fit on the train rows
 * of split seed 42 minus a seeded 20 % (seed 43), scored on those 20 %; the
 * variant with the highest geometric mean of Recall@20 and NDCG@10 is the
 * choice. Then everything is fit on all train rows and scored on test.
 *
 *   tl_similar_study [DATA] [l2=0.01,0.1,1]
 * DATA defaults to ../shared/data/ml-latest-small (80,000 / 20,000 rows;
 * other data: a 0.2 test fraction). Prints two tables and Toy Story's
 * (movieId 1) ten neighbours by each variant when the movie is there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towerlens/kernels.h"
#include "towerlens/loader.h"
#include "towerlens/model.h"
#include "towerlens/model_type.h"
#include "towerlens/scorer.h"
#include "towerlens/split.h"
#include "towerlens/topk.h"
#include "towerlens/train.h"

#define MAX_L2 8

typedef struct study {
    const tl_dataset *ds;
    tl_embeddings emb;
    tl_scorer *ease;
    double *winv;      /* d x d (G + lambda I)^-1 */
    float *wnorm;      /* sqrt(y_j' W y_j) */
    float *counts;     /* fit rows per movie */
    uint32_t *m_start; /* movie -> its fit rows (CSR) */
    uint32_t *m_rows;
    uint32_t *u_start; /* user -> their fit rows (CSR) */
    uint32_t *u_rows;
} study;

enum { V_COSINE, V_WINNER, V_WCOSINE, V_EASE, V_COOC, V_POPULARITY, N_VARIANTS };
static const char *const variant_names[N_VARIANTS] = {
    "iALS: cosine of movie vectors", "iALS: fold-in of the one movie (y_j' W y_q)",
    "iALS: cosine in the W metric",  "EASE: B column",
    "data: co-rating cosine",        "popularity",
};

static int die(const tl_error *e)
{
    fprintf(stderr, "similar_study: %s\n", e->message);
    return 1;
}

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* CSR of rows by user (by_movie 0) or by movie; start has n_keys + 1 entries */
static void csr(const tl_dataset *ds, const uint32_t *rows, uint32_t n, int by_movie, uint32_t n_keys, uint32_t **start,
                uint32_t **out_rows)
{
    const uint32_t *key = by_movie ? ds->r_movie : ds->r_user;
    uint32_t *s = calloc((size_t)n_keys + 1, sizeof *s), *v = malloc(((size_t)n + 1) * sizeof *v);
    for (uint32_t i = 0; i < n; i++) s[key[rows[i]] + 1]++;
    for (uint32_t k = 0; k < n_keys; k++) s[k + 1] += s[k];
    uint32_t *fill = malloc(((size_t)n_keys + 1) * sizeof *fill);
    memcpy(fill, s, (size_t)n_keys * sizeof *fill);
    for (uint32_t i = 0; i < n; i++) v[fill[key[rows[i]]]++] = rows[i];
    free(fill);
    *start = s, *out_rows = v;
}

/* (G + lambda I)^-1 by Gauss-Jordan in double, G over catalogue movie vectors */
static void inverse_gram(study *st, double l2)
{
    uint32_t d = st->emb.dim, nm = st->ds->n_movies;
    double *a = calloc((size_t)d * 2 * d, sizeof *a);
    for (uint32_t j = 0; j < nm; j++) {
        if (!st->ds->movies[j].in_catalogue) continue;
        const float *y = st->emb.movies + (size_t)j * st->emb.ld_movies;
        for (uint32_t r = 0; r < d; r++)
            for (uint32_t c = 0; c < d; c++) a[r * 2 * d + c] += (double)y[r] * y[c];
    }
    double trace = 0;
    for (uint32_t r = 0; r < d; r++) trace += a[r * 2 * d + r];
    for (uint32_t r = 0; r < d; r++) a[r * 2 * d + r] += l2 * trace / d, a[r * 2 * d + d + r] = 1;
    for (uint32_t p = 0; p < d; p++) {
        double piv = a[p * 2 * d + p];
        for (uint32_t c = 0; c < 2 * d; c++) a[p * 2 * d + c] /= piv;
        for (uint32_t r = 0; r < d; r++) {
            if (r == p) continue;
            double f = a[r * 2 * d + p];
            for (uint32_t c = 0; c < 2 * d; c++) a[r * 2 * d + c] -= f * a[p * 2 * d + c];
        }
    }
    for (uint32_t r = 0; r < d; r++)
        for (uint32_t c = 0; c < d; c++) st->winv[r * d + c] = a[r * 2 * d + d + c];
    free(a);
    for (uint32_t j = 0; j < nm; j++) {
        const float *y = st->emb.movies + (size_t)j * st->emb.ld_movies;
        double q = 0;
        for (uint32_t r = 0; r < d; r++)
            for (uint32_t c = 0; c < d; c++) q += y[r] * st->winv[r * d + c] * y[c];
        st->wnorm[j] = (float)sqrt(q > 0 ? q : 0);
    }
}

static void similarities(study *st, int variant, uint32_t q, float *sims, float *tmp)
{
    const tl_dataset *ds = st->ds;
    uint32_t nm = ds->n_movies, d = st->emb.dim;
    const float *yq = st->emb.movies + (size_t)q * st->emb.ld_movies;
    memset(sims, 0, (size_t)nm * sizeof *sims);
    if (variant == V_COSINE || variant == V_WINNER || variant == V_WCOSINE) {
        float v[256];
        for (uint32_t r = 0; r < d; r++) {
            double acc = 0;
            for (uint32_t c = 0; c < d; c++) acc += st->winv[r * d + c] * yq[c];
            v[r] = variant == V_COSINE ? yq[r] : (float)acc;
        }
        tl_gemv(st->emb.movies, nm, st->emb.ld_movies, v, d, sims);
        for (uint32_t j = 0; j < nm; j++) {
            if (variant == V_COSINE) {
                float a = sqrtf(tl_dot(st->emb.movies + (size_t)j * st->emb.ld_movies,
                                       st->emb.movies + (size_t)j * st->emb.ld_movies, d));
                sims[j] = a > 0 ? sims[j] / a : 0;
            } else if (variant == V_WCOSINE) {
                sims[j] = st->wnorm[j] > 0 ? sims[j] / st->wnorm[j] : 0;
            }
        }
    } else if (variant == V_EASE) {
        tl_error err;
        if (tl_scorer_similar(st->ease, q, sims, &err) != TL_OK) memset(sims, 0, (size_t)nm * sizeof *sims);
    } else if (variant == V_COOC) {
        memset(tmp, 0, (size_t)nm * sizeof *tmp);
        for (uint32_t a = st->m_start[q]; a < st->m_start[q + 1]; a++) {
            uint32_t u = ds->r_user[st->m_rows[a]];
            for (uint32_t b = st->u_start[u]; b < st->u_start[u + 1]; b++) tmp[ds->r_movie[st->u_rows[b]]] += 1;
        }
        for (uint32_t j = 0; j < nm; j++) sims[j] = tmp[j] > 0 ? tmp[j] / sqrtf(st->counts[j] * st->counts[q]) : 0;
    } else {
        for (uint32_t j = 0; j < nm; j++) sims[j] = st->counts[j];
    }
}

typedef struct result {
    double recall, ndcg, pop, genre;
    uint32_t users;
} result;

/* top k of sims over catalogue movies not excluded, best first; ties to the lower index */
static uint32_t top_k(const tl_dataset *ds, const float *sims, const uint8_t *excl, uint32_t k, uint32_t *top)
{
    tl_scored kept[20];
    tl_topk t;
    tl_topk_init(&t, kept, k < 20 ? k : 20);
    for (uint32_t j = 0; j < ds->n_movies; j++)
        if (ds->movies[j].in_catalogue && !excl[j]) tl_topk_push(&t, j, sims[j]);
    uint32_t n = tl_topk_finish(&t);
    for (uint32_t i = 0; i < n; i++) top[i] = kept[i].index;
    return n;
}

static result protocol_s(study *st, int variant, const uint32_t *held, uint32_t n_held, uint64_t seed)
{
    const tl_dataset *ds = st->ds;
    uint32_t nm = ds->n_movies, nu = ds->n_users;
    uint32_t *h_start, *h_rows;
    csr(ds, held, n_held, 0, nu, &h_start, &h_rows);
    float *sims = malloc((size_t)nm * sizeof *sims), *tmp = malloc((size_t)nm * sizeof *tmp);
    uint8_t *excl = calloc(nm, 1), *rel = calloc(nm, 1);
    uint32_t liked[4096], top[20];
    result r = {0};
    for (uint32_t u = 0; u < nu; u++) {
        uint32_t n_rel = 0, n_liked = 0;
        for (uint32_t a = h_start[u]; a < h_start[u + 1]; a++) {
            uint32_t row = h_rows[a];
            if (ds->r_half[row] >= 8 && !rel[ds->r_movie[row]]) rel[ds->r_movie[row]] = 1, n_rel++;
        }
        for (uint32_t a = st->u_start[u]; a < st->u_start[u + 1]; a++) {
            uint32_t row = st->u_rows[a];
            excl[ds->r_movie[row]] = 1;
            if (ds->r_half[row] >= 8 && n_liked < 4096) liked[n_liked++] = ds->r_movie[row];
        }
        if (n_rel > 0 && n_liked > 0) {
            uint32_t q = liked[mix(seed ^ ((uint64_t)u << 20)) % n_liked];
            similarities(st, variant, q, sims, tmp);
            uint32_t n = top_k(ds, sims, excl, 20, top);
            double hits = 0, dcg = 0, idcg = 0, pop = 0, genre = 0;
            for (uint32_t i = 0; i < n; i++) {
                if (rel[top[i]]) {
                    hits += 1;
                    if (i < 10) dcg += 1.0 / log2(i + 2.0);
                }
                if (i < 10) {
                    pop += log(1.0 + st->counts[top[i]]);
                    genre += (ds->movies[top[i]].genres & ds->movies[q].genres) != 0;
                }
            }
            for (uint32_t i = 0; i < n_rel && i < 10; i++) idcg += 1.0 / log2(i + 2.0);
            r.recall += hits / (n_rel < 20 ? n_rel : 20);
            r.ndcg += dcg / idcg;
            r.pop += pop / (n < 10 ? (n ? n : 1) : 10);
            r.genre += genre / (n < 10 ? (n ? n : 1) : 10);
            r.users++;
        }
        for (uint32_t a = h_start[u]; a < h_start[u + 1]; a++) rel[ds->r_movie[h_rows[a]]] = 0;
        for (uint32_t a = st->u_start[u]; a < st->u_start[u + 1]; a++) excl[ds->r_movie[st->u_rows[a]]] = 0;
    }
    if (r.users) r.recall /= r.users, r.ndcg /= r.users, r.pop /= r.users, r.genre /= r.users;
    free(h_start), free(h_rows), free(sims), free(tmp), free(excl), free(rel);
    return r;
}

/* iALS (preset ials) and EASE fit on `fit` rows; sp's train/test are fit/held */
static int fit(study *st, const tl_dataset *ds, tl_split *sp, tl_trainer **def, tl_trainer **ease)
{
    tl_error err;
    const char *presets[2] = {"ials", "ease"};
    tl_trainer **out[2] = {def, ease};
    for (int i = 0; i < 2; i++) {
        tl_train_config cfg;
        if (tl_train_config_preset(&cfg, presets[i], &err) != TL_OK) return die(&err);
        if (tl_trainer_new(ds, sp, &cfg, out[i], &err) != TL_OK) return die(&err);
        tl_train_progress pr;
        if (tl_trainer_step(*out[i], 0, 0, &pr, &err) != TL_OK) return die(&err);
    }
    memset(st, 0, sizeof *st);
    st->ds = ds;
    st->emb = tl_model_embeddings(tl_trainer_model(*def));
    if (tl_trainer_open(*ease, ds, &st->ease, &err) != TL_OK) return die(&err);
    uint32_t d = st->emb.dim, nm = ds->n_movies;
    st->winv = malloc((size_t)d * d * sizeof *st->winv);
    st->wnorm = malloc((size_t)nm * sizeof *st->wnorm);
    st->counts = calloc(nm, sizeof *st->counts);
    for (uint32_t i = 0; i < sp->n_train; i++) st->counts[ds->r_movie[sp->train[i]]] += 1;
    csr(ds, sp->train, sp->n_train, 1, nm, &st->m_start, &st->m_rows);
    csr(ds, sp->train, sp->n_train, 0, ds->n_users, &st->u_start, &st->u_rows);
    return 0;
}

static void study_free(study *st)
{
    tl_scorer_free(st->ease);
    free(st->winv), free(st->wnorm), free(st->counts);
    free(st->m_start), free(st->m_rows), free(st->u_start), free(st->u_rows);
}

/* runs every variant (the W ones once per l2); returns the best row's (variant, l2 index) */
static void table(study *st, const char *title, const uint32_t *held, uint32_t n_held, const double *l2, int n_l2,
                  int *best_v, int *best_l)
{
    printf("\n%s\n\n| similarity | l2 | users | Recall@20 | NDCG@10 | top-10 mean ln(1+count) | top-10 sharing a "
           "genre |\n|---|---|---|---|---|---|---|\n",
           title);
    double best = -1;
    for (int v = 0; v < N_VARIANTS; v++) {
        int uses_w = v == V_WINNER || v == V_WCOSINE;
        for (int l = 0; l < (uses_w ? n_l2 : 1); l++) {
            if (uses_w) inverse_gram(st, l2[l]);
            result r = protocol_s(st, v, held, n_held, 7);
            char l2s[32] = "";
            if (uses_w) snprintf(l2s, sizeof l2s, "%g", l2[l]);
            printf("| %s | %s | %u | %.4f | %.4f | %.2f | %.2f |\n", variant_names[v], l2s, r.users, r.recall, r.ndcg,
                   r.pop, r.genre);
            double g = sqrt(r.recall * r.ndcg);
            if (best_v && v <= V_WCOSINE && g > best) best = g, *best_v = v, *best_l = l;
        }
    }
}

static void neighbours(study *st, uint32_t movie_id, int variant)
{
    uint32_t q;
    tl_error err;
    if (tl_dataset_movie_index(st->ds, movie_id, &q, &err) != TL_OK) return;
    uint32_t nm = st->ds->n_movies, top[10];
    float *sims = malloc((size_t)nm * sizeof *sims), *tmp = malloc((size_t)nm * sizeof *tmp);
    uint8_t *excl = calloc(nm, 1);
    excl[q] = 1;
    similarities(st, variant, q, sims, tmp);
    uint32_t n = top_k(st->ds, sims, excl, 10, top);
    printf("- %s (%s):", tl_movie_title(st->ds, q), variant_names[variant]);
    for (uint32_t i = 0; i < n; i++) printf("%s %s", i ? ";" : "", tl_movie_title(st->ds, top[i]));
    printf("\n");
    free(sims), free(tmp), free(excl);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 && !strchr(argv[1], '=') ? argv[1] : "../shared/data/ml-latest-small";
    double l2[MAX_L2] = {0.01, 0.1, 1};
    int n_l2 = 3;
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "l2=", 3)) {
            n_l2 = 0;
            for (char *s = argv[i] + 3; *s && n_l2 < MAX_L2; s += strcspn(s, ","), s += *s == ',')
                l2[n_l2++] = strtod(s, NULL);
        }
    tl_dataset *ds = NULL;
    tl_error err;
    if (tl_load_paths(&path, 1, &ds, &err) != TL_OK) return die(&err);
    tl_split_options so;
    tl_split_options_default(&so);
    if (ds->n_ratings == 100836) so.train_rows = 80000, so.test_rows = 20000;
    tl_split *sp = NULL;
    if (tl_split_make(ds, &so, &sp, &err) != TL_OK) return die(&err);
    printf("%s: %u train / %u test rows (split seed 42); validation: 20 %% of train (seed 43)\n", path, sp->n_train,
           sp->n_test);

    /* validation: train minus a seeded 20 % */
    uint32_t n = sp->n_train, n_valid = n / 5;
    uint32_t *perm = malloc((size_t)n * sizeof *perm);
    memcpy(perm, sp->train, (size_t)n * sizeof *perm);
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)(mix(43 ^ ((uint64_t)i << 32)) % i), t = perm[i - 1];
        perm[i - 1] = perm[j], perm[j] = t;
    }
    tl_split vs = {.n_train = n - n_valid, .n_test = n_valid, .train = perm + n_valid, .test = perm};
    study st;
    tl_trainer *def = NULL, *ease = NULL;
    if (fit(&st, ds, &vs, &def, &ease)) return 1;
    int bv = V_COSINE, bl = 0;
    table(&st, "validation (fit: train minus 20 %, held: those 20 %)", vs.test, vs.n_test, l2, n_l2, &bv, &bl);
    printf("\nchosen on validation for the iALS model: %s%s%g\n", variant_names[bv], bv == V_COSINE ? "" : ", l2 ",
           bv == V_COSINE ? 0.0 : l2[bl]);
    study_free(&st);
    tl_trainer_free(def), tl_trainer_free(ease);

    if (fit(&st, ds, sp, &def, &ease)) return 1;
    table(&st, "test (fit: train, held: test)", sp->test, sp->n_test, l2, n_l2, NULL, NULL);
    printf("\nToy Story's ten neighbours (fit on train):\n");
    for (int v = 0; v < N_VARIANTS - 1; v++) {
        if (v == V_WINNER || v == V_WCOSINE) inverse_gram(&st, l2[bl]);
        neighbours(&st, 1, v);
    }
    study_free(&st);
    tl_trainer_free(def), tl_trainer_free(ease);
    free(perm);
    tl_split_free(sp);
    tl_dataset_free(ds);
    return 0;
}
