#include "check.h"
#include "towerlens/buf.h"
#include "towerlens/dataset.h"
#include "towerlens/error.h"

static void test_error_messages(void)
{
    tl_error err;
    tl_error_clear(&err);
    CHECK_INT(tl_fail_at(&err, TL_E_PARSE, "ratings.csv", 1842, "rating \"%s\" is outside 0.5-5", "7.5"), TL_E_PARSE);
    CHECK_STR(err.message, "ratings.csv:1842: rating \"7.5\" is outside 0.5-5");
    CHECK_STR(err.file, "ratings.csv");
    CHECK_INT(err.line, 1842);
    tl_fail_at(&err, TL_E_FORMAT, "x.png", 0, "not a CSV file");
    CHECK_STR(err.message, "x.png: not a CSV file");
    tl_fail(&err, TL_E_ARG, "k must be positive");
    CHECK_STR(err.message, "k must be positive");
    CHECK_INT(err.line, 0);
    CHECK_INT(tl_fail(NULL, TL_E_IO, "ignored"), TL_E_IO);
}

static void test_json(void)
{
    tl_buf b;
    tl_buf_init(&b);
    tl_buf_puts(&b, "{\"t\":");
    tl_buf_json_string(&b, "a\"b\\c\n\x01 caf\xC3\xA9 \xFF");
    tl_buf_puts(&b, ",\"n\":[");
    tl_buf_json_number(&b, 3.0);
    tl_buf_puts(&b, ",");
    tl_buf_json_number(&b, 0.25);
    tl_buf_puts(&b, ",");
    tl_buf_json_number(&b, NAN);
    tl_buf_puts(&b, "]}");
    CHECK_STR(b.data, "{\"t\":\"a\\\"b\\\\c\\u000a\\u0001 caf\xC3\xA9 \xEF\xBF\xBD\",\"n\":[3,0.25,null]}");
    char *s = tl_buf_take(&b);
    CHECK(s != NULL);
    CHECK(b.data == NULL);
    free(s);
}

static void test_dataset_lookup(void)
{
    tl_dataset *ds = calloc(1, sizeof *ds);
    uint32_t users[] = {3, 7, 40};
    ds->n_users = 3;
    ds->user_ids = malloc(sizeof users);
    memcpy(ds->user_ids, users, sizeof users);
    uint32_t idx = 99;
    tl_error err;
    CHECK_INT(tl_dataset_user_index(ds, 7, &idx, &err), TL_OK);
    CHECK_INT(idx, 1);
    CHECK_INT(tl_dataset_user_index(ds, 8, &idx, &err), TL_E_NOTFOUND);
    CHECK_CONTAINS(err.message, "unknown user 8");
    CHECK_INT(tl_dataset_movie_index(ds, 1, &idx, &err), TL_E_NOTFOUND);
    tl_dataset_free(ds);
}

int main(void)
{
    test_error_messages();
    test_json();
    test_dataset_lookup();
    return check_report("test_buf_error");
}
