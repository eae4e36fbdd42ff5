/* towerlens generate: synthetic MovieLens ratings with learnable tastes.
 *
 * The hidden model (generate_model.h): movies belong to one or two of a few
 * dozen taste topics, each with a genre theme, and have a power-law
 * popularity and a quality. A user has an activity level (log-normal, at
 * least 20 ratings when the totals allow), one to four favourite topics,
 * a few favourite genres, a rating bias, an active period and a habit of
 * using half stars. Each rating picks a movie from the user's topics (most
 * of the time), genres or the global popularity table, never the same
 * movie twice, never before its release; its value is
 *   3.57 + user bias + movie quality + taste match + noise
 * rounded to whole or half stars. Users are streamed one at a time. */
#include <stdlib.h>
#include <string.h>

#include "generate_model.h"
#include "generate_random.h"
#include "towerlens/generate.h"

#define GEN_MIN_USER_RATINGS 20u
#define GEN_MAX_USER_TOPICS 4
#define GEN_MAX_USER_GENRES 4

void tl_generate_options_default(tl_generate_options *opt)
{
    opt->users = 600;
    opt->movies = 3000;
    opt->ratings = 50000;
    opt->seed = 1;
}

tl_status tl_generate_check(const tl_generate_options *opt, tl_error *err)
{
    if (!opt) return tl_fail(err, TL_E_ARG, "no options given");
    if (opt->users == 0) return tl_fail(err, TL_E_ARG, "--users must be at least 1");
    if (opt->movies == 0) return tl_fail(err, TL_E_ARG, "--movies must be at least 1");
    if (opt->users > TL_GEN_MAX_USERS)
        return tl_fail(err, TL_E_LIMIT, "--users %u is over the limit of %u", opt->users, TL_GEN_MAX_USERS);
    if (opt->movies > TL_GEN_MAX_MOVIES)
        return tl_fail(err, TL_E_LIMIT, "--movies %u is over the limit of %u", opt->movies, TL_GEN_MAX_MOVIES);
    if (opt->ratings < opt->users)
        return tl_fail(err, TL_E_ARG, "--ratings %llu is fewer than --users %u: every user needs at least one rating",
                       (unsigned long long)opt->ratings, opt->users);
    uint64_t pairs = (uint64_t)opt->users * opt->movies;
    if (opt->ratings > pairs)
        return tl_fail(err, TL_E_ARG,
                       "--ratings %llu is more than --users x --movies = %llu (a user rates a movie at most once)",
                       (unsigned long long)opt->ratings, (unsigned long long)pairs);
    if (opt->ratings > TL_GEN_MAX_RATINGS)
        return tl_fail(err, TL_E_LIMIT, "--ratings %llu is over the limit of %llu", (unsigned long long)opt->ratings,
                       (unsigned long long)TL_GEN_MAX_RATINGS);
    return TL_OK;
}

/* ---- activity: how many ratings each user gets, summing exactly to R ---- */

/* Log-normal weights (sigma 1.45 matches ml-latest-small's median 71 and
 * mean 165 over a floor of 20), shared out in proportion, capped at the
 * catalogue size (water-filling), remainders handed out one by one. */
static tl_status allocate_counts(const tl_generate_options *opt, uint32_t *count, tl_error *err)
{
    const uint32_t n = opt->users, m = opt->movies;
    double *w = malloc((size_t)n * sizeof *w);
    uint8_t *capped = calloc(n, 1);
    if (!w || !capped) {
        free(w);
        free(capped);
        return tl_fail(err, TL_E_NOMEM, "out of memory for %u users", n);
    }
    uint64_t base = opt->ratings / n;
    if (base > GEN_MIN_USER_RATINGS) base = GEN_MIN_USER_RATINGS;
    if (base > m) base = m;
    /* nobody rates more than about a third of the catalogue (ml-25m's most
     * active user rated half of it) unless the totals leave no choice */
    uint32_t cap = m / 3 > base ? m / 3 - (uint32_t)base : 0;
    if ((uint64_t)cap * n < opt->ratings - base * n) cap = m - (uint32_t)base;
    for (uint32_t u = 0; u < n; u++) {
        gen_rng r;
        gen_rng_seed(&r, opt->seed, GEN_STREAM_ACTIVITY, u);
        w[u] = gen_exp(1.45 * gen_normal(&r));
        count[u] = 0;
    }
    double rem = (double)(opt->ratings - base * n);
    for (;;) {
        double total = 0.0, newly = 0.0;
        for (uint32_t u = 0; u < n; u++)
            if (!capped[u]) total += w[u];
        if (total <= 0.0) break;
        for (uint32_t u = 0; u < n; u++) {
            if (!capped[u] && rem * w[u] / total >= (double)cap) {
                capped[u] = 1;
                count[u] = cap;
                newly += (double)cap;
            }
        }
        if (newly == 0.0) {
            for (uint32_t u = 0; u < n; u++)
                if (!capped[u]) count[u] = (uint32_t)(rem * w[u] / total);
            break;
        }
        rem -= newly;
    }
    uint64_t given = 0, target = opt->ratings - base * n;
    for (uint32_t u = 0; u < n; u++) given += count[u];
    /* rounding of rem * w / total could in principle overshoot by a few */
    for (uint32_t u = 0; given > target && u < n; u++)
        if (!capped[u] && count[u] > 0) {
            count[u]--;
            given--;
        }
    uint64_t left = target - given;
    for (uint32_t u = 0; left > 0 && u < n; u++) {
        uint32_t add = cap - count[u];
        if (add > left) add = (uint32_t)left;
        if (add > 1 && !capped[u]) add = 1; /* spread the rounding remainder */
        count[u] += add;
        left -= add;
    }
    for (uint32_t u = 0; left > 0 && u < n; u++) { /* only when nearly every pair is rated */
        uint32_t add = cap - count[u];
        if (add > left) add = (uint32_t)left;
        count[u] += add;
        left -= add;
    }
    for (uint32_t u = 0; u < n; u++) count[u] += (uint32_t)base;
    free(w);
    free(capped);
    return TL_OK;
}

/* ---- one user's hidden taste and habits ---- */

typedef struct gen_user {
    uint32_t count, t0, t1;
    double bias, half_stars, p_popular, p_genre;
    uint32_t n_topics, n_genres;
    uint8_t topic[GEN_MAX_USER_TOPICS];
    double topic_w[GEN_MAX_USER_TOPICS];
    uint8_t genre[GEN_MAX_USER_GENRES];
    double genre_w[GEN_MAX_USER_GENRES];
} gen_user;

/* When users joined, 1996..2023: MovieLens's early years and its 2015-2018
 * revival are the busiest. */
static const uint8_t start_year_weight[28] = {9, 6, 4, 5, 10, 4, 3, 3, 4, 5, 4, 4, 3, 3,
                                              3, 3, 3, 3, 3,  6, 8, 7, 6, 4, 4, 3, 3, 2};

static uint32_t draw_start(gen_rng *r)
{
    uint32_t total = 0;
    for (int i = 0; i < 28; i++) total += start_year_weight[i];
    uint32_t pick = gen_below(r, total), year = 1996;
    for (int i = 0; i < 28; i++, year++) {
        if (pick < start_year_weight[i]) break;
        pick -= start_year_weight[i];
    }
    return gen_year_start(year) + gen_below(r, 365u * 86400u);
}

static int pick_weighted(gen_rng *r, const double *w, uint32_t n)
{
    double x = gen_unit(r);
    for (uint32_t i = 0; i + 1 < n; i++) {
        if (x < w[i]) return (int)i;
        x -= w[i];
    }
    return (int)n - 1;
}

static void add_genre(gen_user *u, uint8_t g, double weight)
{
    for (uint32_t i = 0; i < u->n_genres; i++)
        if (u->genre[i] == g) {
            u->genre_w[i] += weight;
            return;
        }
    if (u->n_genres < GEN_MAX_USER_GENRES) {
        u->genre[u->n_genres] = g;
        u->genre_w[u->n_genres++] = weight;
    }
}

static void draw_user(gen_rng *r, const gen_world *w, uint32_t count, gen_user *u)
{
    memset(u, 0, sizeof *u);
    u->count = count;
    uint32_t want = 1 + (count > 300);
    want += gen_chance(r, 0.55); /* one draw per statement: operand order is unspecified in C */
    want += gen_chance(r, 0.25);
    if (want > w->n_topics) want = w->n_topics;
    double total = 0.0;
    for (int tries = 0; u->n_topics < want && tries < 32; tries++) {
        uint8_t t = (uint8_t)gen_alias_draw(&w->topics, r);
        int dup = 0;
        for (uint32_t i = 0; i < u->n_topics; i++) dup |= u->topic[i] == t;
        if (dup) continue;
        u->topic[u->n_topics] = t;
        u->topic_w[u->n_topics] = 0.25 + gen_unit(r);
        total += u->topic_w[u->n_topics++];
    }
    for (uint32_t i = 0; i < u->n_topics; i++) u->topic_w[i] /= total;

    /* favourite genres: the lead genre of each favourite topic, plus one
     * more of the user's own */
    for (uint32_t i = 0; i < u->n_topics; i++)
        add_genre(u, gen_themes[w->topic_theme[u->topic[i]]].genre[0], 0.8 * u->topic_w[i]);
    uint32_t pick = gen_below(r, 1000);
    for (uint8_t g = 0; g < G_NONE; g++) {
        if (pick < gen_genre_permille[g] || g + 1 == G_NONE) {
            add_genre(u, g, 0.2);
            break;
        }
        pick -= gen_genre_permille[g];
    }
    total = 0.0;
    for (uint32_t i = 0; i < u->n_genres; i++) total += u->genre_w[i];
    for (uint32_t i = 0; i < u->n_genres; i++) u->genre_w[i] /= total;

    u->p_popular = 0.05 + 0.15 * gen_unit(r);
    u->p_genre = 0.10;
    u->bias = 0.35 * gen_normal(r);
    u->half_stars = gen_chance(r, 0.8) ? 0.85 + 0.15 * gen_unit(r) : 0.0;

    /* active period: an evening, a season or years; heavy raters stay longer */
    u->t0 = draw_start(r);
    double x = gen_unit(r), span;
    if (count > 200) x = 0.5 + 0.5 * x;
    if (x < 0.45) span = 3600.0 + (double)gen_below(r, 86400);
    else if (x < 0.75) span = 86400.0 * (1.0 + (double)gen_below(r, 90));
    else span = gen_exp(gen_log(86400.0) + gen_unit(r) * (gen_log(8.0 * 365.0 * 86400.0) - gen_log(86400.0)));
    double end = (double)u->t0 + span;
    u->t1 = end > (double)GEN_LAST_TIME ? GEN_LAST_TIME : (uint32_t)end;
}

/* How well movie m fits the user's topics (0..1) and genres (0..1). */
static double topic_match(const gen_user *u, const gen_movie *m)
{
    double s = 0.0;
    for (uint32_t i = 0; i < u->n_topics; i++) s += u->topic_w[i] * gen_membership(m, u->topic[i]);
    return s;
}

static double genre_match(const gen_user *u, const gen_movie *m)
{
    double s = 0.0;
    for (uint32_t i = 0; i < u->n_genres; i++)
        if (m->genres & (1u << u->genre[i])) s += u->genre_w[i];
    return s;
}

static uint32_t draw_movie(gen_rng *r, const gen_world *w, const gen_user *u)
{
    double x = gen_unit(r);
    if (x < u->p_popular) return gen_alias_draw(&w->popular, r);
    if (x < u->p_popular + u->p_genre) {
        int i = pick_weighted(r, u->genre_w, u->n_genres);
        if (w->by_genre[u->genre[i]].n) return gen_alias_draw(&w->by_genre[u->genre[i]], r);
        return gen_alias_draw(&w->popular, r);
    }
    int i = pick_weighted(r, u->topic_w, u->n_topics);
    return gen_alias_draw(&w->by_topic[u->topic[i]], r);
}

/* ---- per-user scratch space, sized for the largest possible user ---- */

typedef struct gen_scratch {
    uint64_t *seen;    /* bitmap over movies */
    uint32_t *chosen;  /* the user's movies */
    uint32_t *session; /* session start times, ascending */
    uint64_t *rated;   /* bitmap: movies rated by anyone, for the report */
} gen_scratch;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void insertion_sort(uint32_t *a, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint32_t v = a[i], j = i;
        for (; j > 0 && a[j - 1] > v; j--) a[j] = a[j - 1];
        a[j] = v;
    }
}

/* The chosen movies in index order (= movieId order): small sets by
 * insertion, sets that are dense in the catalogue by reading the bitmap. */
static void sort_chosen(gen_scratch *s, uint32_t k, uint32_t n_movies)
{
    const uint32_t words = (n_movies + 63) / 64;
    if (k <= 48) {
        insertion_sort(s->chosen, k);
    } else if (words <= 16u * k) {
        uint32_t j = 0;
        for (uint32_t wi = 0; wi < words; wi++)
            for (uint64_t bits = s->seen[wi]; bits; bits &= bits - 1)
                s->chosen[j++] = wi * 64 + (uint32_t)__builtin_ctzll(bits);
    } else {
        qsort(s->chosen, k, sizeof *s->chosen, cmp_u32);
    }
}

static inline int seen_test_set(uint64_t *seen, uint32_t m)
{
    uint64_t bit = 1ull << (m & 63);
    int was = (seen[m >> 6] & bit) != 0;
    seen[m >> 6] |= bit;
    return was;
}

/* k distinct movies: sampled by taste while that works, then (for users who
 * rate a large part of the catalogue) the most popular ones not yet taken. */
static void choose_movies(gen_rng *r, const gen_world *w, const gen_user *u, gen_scratch *s)
{
    uint32_t k = 0;
    uint64_t tries = 0, budget = 8ull * u->count + 200;
    while (k < u->count && tries++ < budget) {
        uint32_t m = draw_movie(r, w, u);
        uint64_t bit = 1ull << (m & 63);
        if (s->seen[m >> 6] & bit) continue; /* the small bitmap first: most misses are repeats */
        if (w->release[m] > u->t1) continue;
        s->seen[m >> 6] |= bit;
        s->chosen[k++] = m;
    }
    for (int pass = 0; pass < 2 && k < u->count; pass++)
        for (uint32_t j = 0; j < w->n_movies && k < u->count; j++) {
            uint32_t m = w->by_popularity[j];
            if (pass == 0 && w->release[m] > u->t1) continue;
            if (!seen_test_set(s->seen, m)) s->chosen[k++] = m;
        }
    sort_chosen(s, k, w->n_movies);
}

static uint32_t draw_sessions(gen_rng *r, const gen_user *u, uint32_t *session)
{
    uint32_t n = 1 + u->count / 25, width = u->t1 - u->t0;
    if (width / 3600 + 1 < n) n = width / 3600 + 1;
    session[0] = u->t0;
    for (uint32_t i = 1; i < n; i++) session[i] = u->t0 + gen_below(r, width + 1);
    if (n <= 48) insertion_sort(session, n);
    else qsort(session, n, sizeof *session, cmp_u32);
    return n;
}

/* A time within the user's sessions, not before the movie came out. */
static uint32_t rating_time(gen_rng *r, const gen_user *u, const uint32_t *session, uint32_t n_sessions,
                            uint32_t release)
{
    uint64_t t;
    uint32_t lo = 0, hi = n_sessions;
    while (lo < hi) { /* first session starting at or after the release */
        uint32_t mid = lo + (hi - lo) / 2;
        if (session[mid] < release) lo = mid + 1;
        else hi = mid;
    }
    if (lo < n_sessions) {
        uint32_t pick = lo + gen_below(r, n_sessions - lo);
        t = (uint64_t)session[pick] + gen_below(r, 3 * 3600);
    } else if (release <= u->t1) {
        t = (uint64_t)release + gen_below(r, u->t1 - release + 1);
    } else { /* a forced pick of a movie newer than the user's period */
        t = (uint64_t)release + gen_below(r, 30 * 86400);
    }
    return t > GEN_LAST_TIME ? GEN_LAST_TIME : (uint32_t)t;
}

/* Rating in half stars (1..10). */
static uint32_t rating_value(gen_rng *r, const gen_user *u, const gen_movie *m, uint32_t time)
{
    double score = 3.57 + u->bias + m->quality + 1.1 * (topic_match(u, m) - 0.35) + 0.4 * (genre_match(u, m) - 0.3) +
                   0.7 * gen_noise(r);
    if (gen_chance(r, 0.07)) score -= 1.0 + 1.5 * gen_unit(r); /* a real disappointment */
    if (time < GEN_HALF_STARS_FROM || !gen_chance(r, u->half_stars)) {
        double whole = floor(score + 0.5);
        if (whole < 1.0) whole = 1.0;
        if (whole > 5.0) whole = 5.0;
        return 2u * (uint32_t)whole;
    }
    double half = floor(2.0 * score + 0.5);
    if (half < 1.0) half = 1.0;
    if (half > 10.0) half = 10.0;
    return (uint32_t)half;
}

static const char *const rating_text[11] = {"", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"};

/* Tags: about one user in ten tags, some of what they rated, with words
 * that fit the movie's genres; the tags stream is separate so ratings.csv
 * is the same with or without --tags. */
static uint64_t write_tags(gen_rng *r, gen_out *o, uint32_t user_id, const gen_movie *m, uint32_t time, double rate)
{
    if (!gen_chance(r, rate)) return 0;
    const char *used[3] = {NULL, NULL, NULL};
    uint32_t want = 1, n = 0;
    want += gen_chance(r, 0.3);
    want += gen_chance(r, 0.1);
    for (uint32_t tries = 0; n < want && tries < 6; tries++) {
        const gen_wordlist *l = &gen_genre_tags[G_NONE];
        if (gen_chance(r, 0.7)) {
            uint32_t gs[GEN_N_GENRES], ng = 0;
            for (uint32_t g = 0; g < G_NONE; g++)
                if (m->genres & (1u << g)) gs[ng++] = g;
            if (ng) l = &gen_genre_tags[gs[gen_below(r, ng)]];
        }
        const char *tag = l->w[gen_below(r, l->n)];
        if (tag == used[0] || tag == used[1] || (n && !strcmp(tag, used[n - 1]))) continue;
        used[n++] = tag;
        uint64_t t = (uint64_t)time + gen_below(r, 3600);
        gen_out_u64(o, user_id);
        gen_out_char(o, ',');
        gen_out_u64(o, m->id);
        gen_out_char(o, ',');
        gen_out_field(o, tag);
        gen_out_char(o, ',');
        gen_out_u64(o, t > GEN_LAST_TIME ? GEN_LAST_TIME : t);
        gen_out_char(o, '\n');
    }
    return n;
}

static tl_status sink_failed(const gen_out *o, tl_error *err)
{
    return tl_fail(err, TL_E_IO, "%s: writing failed after %llu bytes", o->name, (unsigned long long)o->bytes);
}

typedef struct gen_outputs {
    gen_out ratings, movies, tags, links;
} gen_outputs;

tl_status tl_generate(const tl_generate_options *opt, const tl_generate_sinks *sinks, tl_generate_report *report,
                      tl_error *err)
{
    tl_status st = tl_generate_check(opt, err);
    if (st != TL_OK) return st;
    if (!sinks || !sinks->ratings.write || !sinks->movies.write)
        return tl_fail(err, TL_E_ARG, "generate needs sinks for ratings.csv and movies.csv");

    gen_outputs *out = malloc(sizeof *out);
    uint32_t *count = malloc((size_t)opt->users * sizeof *count);
    gen_scratch s = {0};
    gen_world w;
    memset(&w, 0, sizeof w);
    if (!out || !count) {
        st = tl_fail(err, TL_E_NOMEM, "out of memory for %u users", opt->users);
        goto done;
    }
    gen_out_init(&out->ratings, sinks->ratings, "ratings.csv");
    gen_out_init(&out->movies, sinks->movies, "movies.csv");
    gen_out_init(&out->tags, sinks->tags, "tags.csv");
    gen_out_init(&out->links, sinks->links, "links.csv");

    st = gen_world_build(&w, opt, &out->movies, &out->links, err);
    if (st != TL_OK) goto done;
    if (gen_out_flush(&out->movies)) {
        st = sink_failed(&out->movies, err);
        goto done;
    }
    if (gen_out_flush(&out->links)) {
        st = sink_failed(&out->links, err);
        goto done;
    }
    st = allocate_counts(opt, count, err);
    if (st != TL_OK) goto done;

    s.seen = calloc(((size_t)opt->movies + 63) / 64, sizeof *s.seen);
    s.chosen = malloc((size_t)opt->movies * sizeof *s.chosen);
    s.session = malloc(((size_t)opt->movies / 25 + 2) * sizeof *s.session);
    s.rated = calloc(((size_t)opt->movies + 63) / 64, sizeof *s.rated);
    if (!s.seen || !s.chosen || !s.session || !s.rated) {
        st = tl_fail(err, TL_E_NOMEM, "out of memory for a catalogue of %u movies", opt->movies);
        goto done;
    }

    gen_out_str(&out->ratings, "userId,movieId,rating,timestamp\n");
    gen_out_str(&out->tags, "userId,movieId,tag,timestamp\n");
    uint64_t n_tags = 0, n_rows = 0;
    const int tagging = gen_out_enabled(&out->tags);
    for (uint32_t ui = 0; ui < opt->users; ui++) {
        gen_rng r, rt = {{0, 0, 0, 0}};
        gen_user u;
        gen_rng_seed(&r, opt->seed, GEN_STREAM_USER, ui);
        draw_user(&r, &w, count[ui], &u);
        choose_movies(&r, &w, &u, &s);
        uint32_t n_sessions = draw_sessions(&r, &u, s.session);
        double tag_rate = 0.0;
        if (tagging) {
            gen_rng_seed(&rt, opt->seed, GEN_STREAM_TAGS, ui);
            if (gen_chance(&rt, u.count > 200 ? 0.25 : 0.08)) {
                double x = gen_unit(&rt);
                tag_rate = 0.03 + 0.4 * x * gen_unit(&rt);
            }
        }
        const uint32_t user_id = ui + 1;
        for (uint32_t j = 0; j < u.count; j++) {
            const uint32_t mi = s.chosen[j];
            const gen_movie *m = &w.movies[mi];
            uint32_t time = rating_time(&r, &u, s.session, n_sessions, w.release[mi]);
            uint32_t half = rating_value(&r, &u, m, time);
            gen_out_u64(&out->ratings, user_id);
            gen_out_char(&out->ratings, ',');
            gen_out_u64(&out->ratings, m->id);
            gen_out_char(&out->ratings, ',');
            gen_out_write(&out->ratings, rating_text[half], 3);
            gen_out_char(&out->ratings, ',');
            gen_out_u64(&out->ratings, time);
            gen_out_char(&out->ratings, '\n');
            s.rated[mi >> 6] |= 1ull << (mi & 63);
            n_rows++;
            s.seen[mi >> 6] = 0; /* clear the bitmap as we go */
            if (tag_rate > 0.0) n_tags += write_tags(&rt, &out->tags, user_id, m, time, tag_rate);
        }
        if (out->ratings.failed) break;
        if (out->tags.failed) break;
    }
    if (gen_out_flush(&out->ratings)) {
        st = sink_failed(&out->ratings, err);
        goto done;
    }
    if (gen_out_flush(&out->tags)) {
        st = sink_failed(&out->tags, err);
        goto done;
    }

    if (report) {
        memset(report, 0, sizeof *report);
        report->ratings = n_rows;
        report->tags = n_tags;
        report->users = opt->users;
        report->movies = opt->movies;
        report->min_user_ratings = UINT32_MAX;
        for (uint32_t ui = 0; ui < opt->users; ui++) {
            if (count[ui] < report->min_user_ratings) report->min_user_ratings = count[ui];
            if (count[ui] > report->max_user_ratings) report->max_user_ratings = count[ui];
        }
        for (uint32_t mi = 0; mi < opt->movies; mi++) report->rated_movies += (s.rated[mi >> 6] >> (mi & 63)) & 1;
        report->max_movie_id = w.movies[opt->movies - 1].id;
        report->bytes_ratings = out->ratings.bytes;
        report->bytes_movies = out->movies.bytes;
        report->bytes_tags = out->tags.bytes;
        report->bytes_links = out->links.bytes;
    }

done:
    gen_world_free(&w);
    free(s.seen);
    free(s.chosen);
    free(s.session);
    free(s.rated);
    free(count);
    free(out);
    return st;
}
