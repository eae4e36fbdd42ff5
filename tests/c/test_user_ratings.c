/* The catalogue and a user's own ratings as JSON (results.h): what the JS
 * API's dataset.movies() and dataset.userRatings() return. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "towerlens/results.h"

/* Users 10 and 20; movies 1 (Heat), 2 (Alien), 3 (not in the catalogue).
 * User 10 rates 2:4, 1:5, 3:4 in file order; movie 2 has more ratings than 3. */
static tl_dataset *small(void)
{
    tl_dataset *ds = calloc(1, sizeof *ds);
    const char titles[] = "Heat\0Alien\0";
    ds->strings = malloc(sizeof titles);
    memcpy(ds->strings, titles, sizeof titles);
    ds->strings_len = sizeof titles;
    ds->n_genres = 1;
    strcpy(ds->genre_names[0], "Thriller");
    ds->n_movies = 3;
    ds->movies = calloc(3, sizeof(tl_movie));
    ds->movies[0] = (tl_movie){.id = 1, .title = 0, .n_ratings = 2, .year = 1995, .in_catalogue = 1, .genres = 1};
    ds->movies[1] = (tl_movie){.id = 2, .title = 5, .n_ratings = 2, .year = 1979, .in_catalogue = 1, .imdb_id = 78748};
    ds->movies[2] = (tl_movie){.id = 3, .title = 10, .n_ratings = 1, .year = TL_NO_YEAR};
    ds->n_catalogue = 2;
    ds->n_users = 2;
    ds->user_ids = malloc(2 * sizeof(uint32_t));
    ds->user_counts = malloc(2 * sizeof(uint32_t));
    ds->user_ids[0] = 10, ds->user_ids[1] = 20;
    ds->user_counts[0] = 3, ds->user_counts[1] = 2;
    static const uint32_t users[] = {0, 1, 0, 1, 0}, movies[] = {1, 0, 0, 1, 2};
    static const uint8_t half[] = {8, 3, 10, 9, 8};
    ds->n_ratings = 5;
    ds->r_user = malloc(sizeof users);
    ds->r_movie = malloc(sizeof movies);
    ds->r_half = malloc(sizeof half);
    memcpy(ds->r_user, users, sizeof users);
    memcpy(ds->r_movie, movies, sizeof movies);
    memcpy(ds->r_half, half, sizeof half);
    return ds;
}

static void test_catalogue(void)
{
    tl_dataset *ds = small();
    tl_buf b;
    tl_buf_init(&b);
    tl_catalogue_json(ds, &b);
    CHECK_STR(b.data, "[{\"movieId\":1,\"title\":\"Heat\",\"year\":1995,\"genres\":[\"Thriller\"],\"ratings\":2,"
                      "\"imdbId\":null,\"tmdbId\":null},"
                      "{\"movieId\":2,\"title\":\"Alien\",\"year\":1979,\"genres\":[],\"ratings\":2,"
                      "\"imdbId\":78748,\"tmdbId\":null}]");
    tl_buf_free(&b);
    tl_dataset_free(ds);
}

static void test_user_ratings(void)
{
    tl_dataset *ds = small();
    tl_error err;
    tl_buf b;
    tl_buf_init(&b);
    CHECK_INT(tl_user_ratings_json(ds, NULL, 10, 0, TL_RATING_ORDER_BEST, &b, &err), TL_OK);
    /* 5 first; 4 and 4 tie: movie 2 has more ratings than movie 3 */
    CHECK_STR(b.data, "[{\"movieId\":1,\"title\":\"Heat\",\"year\":1995,\"genres\":[\"Thriller\"],\"ratings\":2,"
                      "\"imdbId\":null,\"tmdbId\":null,\"rating\":5},"
                      "{\"movieId\":2,\"title\":\"Alien\",\"year\":1979,\"genres\":[],\"ratings\":2,"
                      "\"imdbId\":78748,\"tmdbId\":null,\"rating\":4},"
                      "{\"movieId\":3,\"title\":\"\",\"year\":null,\"genres\":[],\"ratings\":1,"
                      "\"imdbId\":null,\"tmdbId\":null,\"rating\":4}]");
    tl_buf_reset(&b);
    CHECK_INT(tl_user_ratings_json(ds, NULL, 10, 2, TL_RATING_ORDER_FILE, &b, &err), TL_OK);
    CHECK_CONTAINS(b.data, "[{\"movieId\":2,");
    CHECK_CONTAINS(b.data, "\"rating\":4},{\"movieId\":1,");
    CHECK(strstr(b.data, "\"movieId\":3") == NULL); /* limit 2 */
    tl_buf_reset(&b);
    CHECK_INT(tl_user_ratings_json(ds, NULL, 20, 1, TL_RATING_ORDER_BEST, &b, &err), TL_OK);
    CHECK_CONTAINS(b.data, "\"movieId\":2,");
    CHECK_CONTAINS(b.data, "\"rating\":4.5}]");
    tl_buf_reset(&b);
    CHECK_INT(tl_user_ratings_json(ds, NULL, 15, 0, TL_RATING_ORDER_BEST, &b, &err), TL_E_NOTFOUND);
    CHECK_CONTAINS(err.message, "15");
    /* only the seen movies (a model's train rows): rows 0 and 4 of user 10, 1 of user 20 */
    static const uint32_t train[] = {0, 1, 4};
    tl_seen *seen = NULL;
    CHECK_INT(tl_seen_new(ds, train, 3, &seen, &err), TL_OK);
    tl_buf_reset(&b);
    CHECK_INT(tl_user_ratings_json(ds, seen, 10, 0, TL_RATING_ORDER_BEST, &b, &err), TL_OK);
    CHECK_CONTAINS(b.data, "[{\"movieId\":2,");
    CHECK_CONTAINS(b.data, "\"rating\":4},{\"movieId\":3,");
    CHECK(strstr(b.data, "\"movieId\":1,") == NULL); /* rated 5, but a test row */
    tl_buf_reset(&b);
    CHECK_INT(tl_user_ratings_json(ds, seen, 20, 0, TL_RATING_ORDER_BEST, &b, &err), TL_OK);
    CHECK_CONTAINS(b.data, "[{\"movieId\":1,");
    CHECK_CONTAINS(b.data, "\"rating\":1.5}]");
    tl_seen_free(seen);
    tl_buf_free(&b);
    tl_dataset_free(ds);
}

int main(void)
{
    test_catalogue();
    test_user_ratings();
    return check_report("test_user_ratings");
}
