#include "check.h"
#include "towerlens/results.h"

static tl_dataset *two_movies(void)
{
    tl_dataset *ds = calloc(1, sizeof *ds);
    const char titles[] = "Heat\0<img src=x onerror=alert(1)>";
    ds->strings = malloc(sizeof titles);
    memcpy(ds->strings, titles, sizeof titles);
    ds->strings_len = sizeof titles;
    ds->n_movies = 2;
    ds->movies = calloc(2, sizeof(tl_movie));
    ds->movies[0] = (tl_movie){.id = 6,
                               .title = 0,
                               .n_ratings = 3,
                               .imdb_id = 113277,
                               .tmdb_id = 949,
                               .year = 1995,
                               .in_catalogue = 1,
                               .genres = 3};
    ds->movies[1] = (tl_movie){.id = 7, .title = 5, .year = TL_NO_YEAR, .in_catalogue = 1};
    ds->n_genres = 2;
    strcpy(ds->genre_names[0], "Action");
    strcpy(ds->genre_names[1], "Crime");
    return ds;
}

static void test_json(void)
{
    tl_dataset *ds = two_movies();
    tl_scored items[2] = {{1, 2.5f}, {0, -0.25f}};
    tl_buf b;
    tl_buf_init(&b);
    tl_results_json(ds, items, 2, &b);
    CHECK_STR(b.data,
              "{\"items\":[{\"movieId\":7,\"title\":\"<img src=x onerror=alert(1)>\",\"year\":null,\"genres\":[],"
              "\"ratings\":0,\"imdbId\":null,\"tmdbId\":null,\"score\":2.5},"
              "{\"movieId\":6,\"title\":\"Heat\",\"year\":1995,\"genres\":[\"Action\",\"Crime\"],\"ratings\":3,"
              "\"imdbId\":113277,\"tmdbId\":949,\"score\":-0.25}]}");
    tl_buf_free(&b);
    tl_dataset_free(ds);
}

static void test_filters(void)
{
    tl_dataset *ds = two_movies();
    tl_error err;
    uint64_t mask = 0;
    CHECK_INT(tl_genre_mask_add(ds, "crime", &mask, &err), TL_OK);
    CHECK_INT(mask, 2);
    CHECK_INT(tl_genre_mask_add(ds, "Western", &mask, &err), TL_E_NOTFOUND);
    CHECK_STR(err.message, "unknown genre \"Western\"; the genres are: Action, Crime");
    int lo = -1, hi = -1;
    CHECK_INT(tl_parse_year_range("1990-1999", &lo, &hi, &err), TL_OK);
    CHECK(lo == 1990 && hi == 1999);
    CHECK_INT(tl_parse_year_range("1990-", &lo, &hi, &err), TL_OK);
    CHECK(lo == 1990 && hi == 0);
    CHECK_INT(tl_parse_year_range("-1960", &lo, &hi, &err), TL_OK);
    CHECK(lo == 0 && hi == 1960);
    CHECK_INT(tl_parse_year_range("1995", &lo, &hi, &err), TL_OK);
    CHECK(lo == 1995 && hi == 1995);
    CHECK_INT(tl_parse_year_range("2000-1990", &lo, &hi, &err), TL_E_ARG);
    CHECK_CONTAINS(err.message, "runs backwards");
    CHECK_INT(tl_parse_year_range("nineties", &lo, &hi, &err), TL_E_ARG);
    CHECK_INT(tl_parse_year_range("-", &lo, &hi, &err), TL_E_ARG);
    CHECK_INT(tl_parse_year_range("19999-", &lo, &hi, &err), TL_E_ARG);
    tl_dataset_free(ds);
}

int main(void)
{
    test_json();
    test_filters();
    return check_report("test_results");
}
