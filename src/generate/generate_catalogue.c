/* The movie catalogue behind generated data: ids with gaps, release years,
 * taste topics, genres drawn from each topic's theme, power-law popularity
 * and a quality offset. Writes movies.csv and links.csv as it goes. */
#include <stdlib.h>
#include <string.h>

#include "generate_model.h"
#include "generate_random.h"

/* Popularity of the movie at rank r (0 = most popular): a power law with an
 * offset that flattens the head, as MovieLens's most-rated movies are seen
 * by about half the users rather than by all. */
#define GEN_POP_EXPONENT 1.2
#define GEN_POP_OFFSET_SHARE 0.004

static uint32_t topic_count(uint32_t n_movies)
{
    uint32_t k = n_movies / 100;
    if (k < 12) k = 12;
    if (k > GEN_MAX_TOPICS) k = GEN_MAX_TOPICS;
    return k;
}

/* Release year from the position in id order: the first quarter is the
 * back catalogue (mostly 1980s-1990s, some classics), the rest arrives year
 * by year up to 2023 with some old films added late, as in MovieLens. */
static uint16_t draw_year(gen_rng *r, double f)
{
    double y;
    if (f < 0.25 || gen_chance(r, 0.15)) {
        double u = gen_unit(r);
        y = 1995.0 - 80.0 * u * u * u;
    } else {
        y = 1996.0 + (f - 0.25) / 0.75 * 28.0 + 3.0 * gen_normal(r) - 2.0;
    }
    if (y > 2023.0) y = 2023.0;
    if (y < 1902.0) y = 1902.0;
    return (uint16_t)y;
}

static uint32_t draw_genres(gen_rng *r, const gen_movie *m, const uint16_t *topic_theme)
{
    if (gen_chance(r, 0.0035)) return 1u << G_NONE;
    const gen_theme *th = &gen_themes[topic_theme[m->topic[0]]];
    uint32_t g = 0;
    for (uint32_t i = 0; i < th->n; i++)
        if (gen_below(r, 100) < th->percent[i]) g |= 1u << th->genre[i];
    if (!g) g = 1u << th->genre[0];
    if (m->topic[1] != GEN_NO_TOPIC && gen_chance(r, 0.6)) g |= 1u << gen_themes[topic_theme[m->topic[1]]].genre[0];
    if (gen_chance(r, 0.12)) {
        /* one background genre, by how common it is in MovieLens */
        uint32_t total = 0, pick;
        for (int k = 0; k < G_NONE; k++) total += gen_genre_permille[k];
        pick = gen_below(r, total);
        for (int k = 0; k < G_NONE; k++) {
            if (pick < gen_genre_permille[k]) {
                g |= 1u << k;
                break;
            }
            pick -= gen_genre_permille[k];
        }
    }
    return g;
}

typedef struct rank_key {
    double key;
    uint32_t movie;
} rank_key;

static int cmp_rank_key(const void *a, const void *b)
{
    const rank_key *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->movie < y->movie ? -1 : x->movie > y->movie;
}

static void write_movie_row(gen_out *o, const gen_movie *m, const char *title)
{
    gen_out_u64(o, m->id);
    gen_out_char(o, ',');
    gen_out_field(o, title);
    gen_out_char(o, ',');
    int first = 1;
    for (int g = 0; g < GEN_N_GENRES; g++) {
        if (!(m->genres & (1u << g))) continue;
        if (!first) gen_out_char(o, '|');
        gen_out_str(o, gen_genre_names[g]);
        first = 0;
    }
    gen_out_char(o, '\n');
}

/* links.csv with made-up ids: imdbId increasing (7+ digits, zero padded),
 * tmdbId increasing, a few left empty as in MovieLens. */
static void write_links(gen_out *o, const gen_world *w, uint64_t seed)
{
    gen_rng r;
    gen_rng_seed(&r, seed, GEN_STREAM_LINKS, 0);
    gen_out_str(o, "movieId,imdbId,tmdbId\n");
    for (uint32_t i = 0; i < w->n_movies; i++) {
        uint64_t imdb = 10000u + (uint64_t)i * 37u + gen_below(&r, 37);
        uint64_t tmdb = 2u + (uint64_t)i * 9u + gen_below(&r, 9);
        gen_out_u64(o, w->movies[i].id);
        gen_out_char(o, ',');
        gen_out_u64_padded(o, imdb, 7);
        gen_out_char(o, ',');
        if (!gen_chance(&r, 0.001)) gen_out_u64(o, tmdb);
        gen_out_char(o, '\n');
    }
}

void gen_world_free(gen_world *w)
{
    free(w->movies);
    free(w->by_popularity);
    free(w->release);
    gen_alias_free(&w->popular);
    gen_alias_free(&w->topics);
    for (uint32_t t = 0; t < GEN_MAX_TOPICS; t++) gen_alias_free(&w->by_topic[t]);
    for (int g = 0; g < GEN_N_GENRES; g++) gen_alias_free(&w->by_genre[g]);
    memset(w, 0, sizeof *w);
}

/* Alias tables over a subset of movies: per topic and per genre. */
static int build_subset_tables(gen_world *w, const double *pop, double *weight, uint32_t *items)
{
    const uint32_t n = w->n_movies;
    for (uint32_t t = 0; t < w->n_topics; t++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            double share = gen_membership(&w->movies[i], t);
            if (share > 0.0) {
                items[k] = i;
                weight[k++] = pop[i] * share;
            }
        }
        if (k && gen_alias_build(&w->by_topic[t], weight, items, k)) return -1;
    }
    for (int g = 0; g < GEN_N_GENRES; g++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (w->movies[i].genres & (1u << g)) {
                items[k] = i;
                weight[k++] = pop[i];
            }
        }
        if (k && gen_alias_build(&w->by_genre[g], weight, items, k)) return -1;
    }
    return 0;
}

tl_status gen_world_build(gen_world *w, const tl_generate_options *opt, gen_out *movies, gen_out *links, tl_error *err)
{
    memset(w, 0, sizeof *w);
    const uint32_t n = opt->movies;
    gen_rng r, rt;
    gen_rng_seed(&r, opt->seed, GEN_STREAM_CATALOGUE, 0);
    gen_rng_seed(&rt, opt->seed, GEN_STREAM_TITLES, 0);

    w->n_movies = n;
    w->n_topics = topic_count(n);
    w->movies = calloc(n, sizeof *w->movies);
    w->by_popularity = malloc((size_t)n * sizeof *w->by_popularity);
    w->release = malloc((size_t)n * sizeof *w->release);
    double *pop = malloc((size_t)n * sizeof *pop);
    double *weight = malloc((size_t)n * sizeof *weight);
    double *quality = weight; /* the draft qualities use the weight buffer until ranks are known */
    uint32_t *items = malloc((size_t)n * sizeof *items);
    rank_key *keys = malloc((size_t)n * sizeof *keys);
    if (!w->movies || !w->by_popularity || !w->release || !pop || !weight || !items || !keys) goto nomem;

    /* topics: every theme once, then repeats of themes for big catalogues
     * (two topics with one theme share genres but not fans) */
    double topic_size[GEN_MAX_TOPICS];
    for (uint32_t t = 0; t < w->n_topics; t++) {
        w->topic_theme[t] = (uint16_t)(t < gen_n_themes ? t : gen_below(&r, gen_n_themes));
        topic_size[t] = (double)gen_themes[w->topic_theme[t]].size * (0.6 + 0.8 * gen_unit(&r));
    }
    gen_alias topic_by_size;
    if (gen_alias_build(&topic_by_size, topic_size, NULL, w->n_topics)) goto nomem;

    uint32_t id = 0, jump_at = n >= 10 ? n - n / 5 : UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        gen_movie *m = &w->movies[i];
        double f = (double)i / (double)n;
        /* ids: mostly consecutive, gaps widening with time, and a jump past
         * 100000 for the newest fifth, like MovieLens's recent additions */
        uint32_t gap = gen_chance(&r, 0.8) ? 0 : gen_below(&r, f < 0.5 ? 4 : 40);
        id += 1 + gap;
        if (i == jump_at && id < 100000) id = 100000 + gen_below(&r, 1000);
        m->id = id;
        m->year = draw_year(&r, f);
        w->release[i] = gen_year_start(m->year < 1970 ? 1970 : m->year) + gen_below(&r, 365u * 86400u);
        m->topic[0] = (uint8_t)gen_alias_draw(&topic_by_size, &r);
        m->topic[1] = GEN_NO_TOPIC;
        if (gen_chance(&r, 0.3) && w->n_topics > 1) {
            uint8_t t2 = (uint8_t)gen_alias_draw(&topic_by_size, &r);
            if (t2 != m->topic[0]) m->topic[1] = t2;
        }
        m->genres = draw_genres(&r, m, w->topic_theme);
        /* older ids tend to be the well-known films */
        keys[i].key = gen_unit(&r) + 0.5 * f;
        keys[i].movie = i;
        quality[i] = 0.3 * gen_normal(&r);
    }
    gen_alias_free(&topic_by_size);

    qsort(keys, n, sizeof *keys, cmp_rank_key);
    double offset = (double)n * GEN_POP_OFFSET_SHARE;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = keys[k].movie;
        w->by_popularity[k] = i;
        pop[i] = 1.0 / gen_pow((double)k + 1.0 + offset, GEN_POP_EXPONENT);
        /* well-liked films get watched more: popular ones rate a bit higher */
        w->movies[i].quality = (float)(quality[i] + 0.25 * (1.0 - 2.0 * (double)k / (double)n));
    }
    free(keys);
    keys = NULL;

    if (gen_alias_build(&w->popular, pop, NULL, n)) goto nomem;
    if (build_subset_tables(w, pop, weight, items)) goto nomem;
    double topic_mass[GEN_MAX_TOPICS] = {0};
    for (uint32_t i = 0; i < n; i++)
        for (int j = 0; j < 2; j++)
            if (w->movies[i].topic[j] != GEN_NO_TOPIC)
                topic_mass[w->movies[i].topic[j]] += pop[i] * gen_membership(&w->movies[i], w->movies[i].topic[j]);
    if (gen_alias_build(&w->topics, topic_mass, NULL, w->n_topics)) goto nomem;
    free(pop);
    free(weight);
    free(items);
    pop = weight = NULL;
    items = NULL;

    gen_out_str(movies, "movieId,title,genres\n");
    char title[512];
    for (uint32_t i = 0; i < n; i++) {
        gen_title(&rt, &w->movies[i], title, sizeof title);
        write_movie_row(movies, &w->movies[i], title);
    }
    if (gen_out_enabled(links)) write_links(links, w, opt->seed);
    return TL_OK;

nomem:
    free(pop);
    free(weight);
    free(items);
    free(keys);
    gen_world_free(w);
    return tl_fail(err, TL_E_NOMEM, "out of memory building a catalogue of %u movies", n);
}
