/* The streaming tokenizer on its own: RFC 4180 cases, the "::" layout,
 * errors, and the same records for every chunking. */
#include "check.h"
#include "towerlens/buf.h"
#include "towerlens/csv.h"

/* Tokenizes `text` in chunks of `chunk` bytes (0 = whole) and renders the
 * records as "[f1|f2]" lines with line-break counts, or "ERROR n@k". */
static void render(const char *text, size_t len, uint8_t sep, int dbl, int quoting, size_t chunk, size_t max_record,
                   tl_buf *out)
{
    tl_csv c;
    tl_csv_init(&c, sep, dbl, quoting, max_record);
    tl_buf_reset(out);
    size_t step = chunk ? chunk : (len ? len : 1);
    int failed = 0;
    for (size_t off = 0; off < len && !failed; off += step) {
        const uint8_t *p = (const uint8_t *)text + off;
        size_t n = len - off < step ? len - off : step;
        while (n) {
            size_t used;
            tl_csv_result r = tl_csv_push(&c, p, n, &used);
            p += used;
            n -= used;
            if (r == TL_CSV_ERROR) {
                tl_buf_printf(out, "ERROR %d@%u", (int)c.error, c.error_newlines);
                failed = 1;
                break;
            }
            if (r == TL_CSV_RECORD) {
                tl_buf_puts(out, "[");
                for (size_t i = 0; i < tl_csv_count(&c); i++) {
                    size_t flen;
                    const char *f = tl_csv_field(&c, i, &flen);
                    CHECK_INT(strlen(f), flen); /* NUL-terminated */
                    tl_buf_printf(out, "%s%s", i ? "|" : "", f);
                }
                tl_buf_printf(out, "]%u\n", c.newlines);
            }
        }
    }
    if (!failed) {
        tl_csv_result r = tl_csv_finish(&c);
        if (r == TL_CSV_ERROR) {
            tl_buf_printf(out, "ERROR %d@%u", (int)c.error, c.error_newlines);
        } else if (r == TL_CSV_RECORD) {
            tl_buf_puts(out, "[");
            for (size_t i = 0; i < tl_csv_count(&c); i++) {
                size_t flen;
                tl_buf_printf(out, "%s%s", i ? "|" : "", tl_csv_field(&c, i, &flen));
            }
            tl_buf_printf(out, "]%u end\n", c.newlines);
        }
    }
    tl_csv_free(&c);
}

static void expect_records(const char *text, uint8_t sep, int dbl, int quoting, const char *want)
{
    static const size_t chunks[] = {1, 2, 3, 7, 4096, 0};
    tl_buf b;
    tl_buf_init(&b);
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        render(text, strlen(text), sep, dbl, quoting, chunks[k], 0, &b);
        if (strcmp(b.data ? b.data : "", want)) fprintf(stderr, "  chunk %zu:\n%s", chunks[k], b.data ? b.data : "");
        CHECK_STR(b.data ? b.data : "", want);
    }
    tl_buf_free(&b);
}

static void test_rfc4180(void)
{
    expect_records("a,b,c\n1,2,3\n", ',', 0, 1, "[a|b|c]0\n[1|2|3]0\n");
    expect_records("a,b\r\n1,2\r\n", ',', 0, 1, "[a|b]0\n[1|2]0\n");
    expect_records("a,b\n1,2", ',', 0, 1, "[a|b]0\n[1|2]0 end\n");     /* no final newline */
    expect_records("a,b\r\n1,2\r", ',', 0, 1, "[a|b]0\n[1|2]0 end\n"); /* final CR */
    expect_records("1,\"a, b\",3\n", ',', 0, 1, "[1|a, b|3]0\n");      /* comma in quotes */
    expect_records("1,\"say \"\"hi\"\"\",3\n", ',', 0, 1, "[1|say \"hi\"|3]0\n");
    expect_records("1,\"two\nlines\",3\n4,5,6\n", ',', 0, 1, "[1|two\nlines|3]1\n[4|5|6]0\n");
    expect_records("1,\"crlf\r\ninside\"\r\n", ',', 0, 1, "[1|crlf\r\ninside]1\n");
    expect_records("\"\",\"\"\n", ',', 0, 1, "[|]0\n");
    expect_records(",,\n", ',', 0, 1, "[||]0\n");
    expect_records("\n\r\nx\n", ',', 0, 1, "[]0\n[]0\n[x]0\n"); /* blank lines are empty records */
    expect_records("a\rb,c\n", ',', 0, 1, "[a\rb|c]0\n");       /* a lone CR is text */
    expect_records("\"q\"\r\n", ',', 0, 1, "[q]0\n");
    expect_records("x,\"a\"\"\"\n", ',', 0, 1, "[x|a\"]0\n");
}

static void test_unquoted_layouts(void)
{
    /* ml-1m: "::" separates, a single ':' is text, quotes are text */
    expect_records("1::Star Wars: Episode IV (1977)::Action|Sci-Fi\n", ':', 1, 0,
                   "[1|Star Wars: Episode IV (1977)|Action|Sci-Fi]0\n");
    expect_records("1::a:\n", ':', 1, 0, "[1|a:]0\n");
    expect_records("1::a:", ':', 1, 0, "[1|a:]0 end\n");
    expect_records("1:::b\n", ':', 1, 0, "[1|:b]0\n");
    expect_records("1::\"q\"x::2\n", ':', 1, 0, "[1|\"q\"x|2]0\n");
    /* ml-100k */
    expect_records("196\t242\t3\t881250949\n", '\t', 0, 0, "[196|242|3|881250949]0\n");
    expect_records("1|Toy \"Story\"|x\n", '|', 0, 0, "[1|Toy \"Story\"|x]0\n");
}

static void test_errors(void)
{
    expect_records("a,\"b\n", ',', 0, 1, "ERROR 1@0");              /* unterminated at the end */
    expect_records("a\n1,\"b\nc\nd", ',', 0, 1, "[a]0\nERROR 1@0"); /* reported where the quote opened */
    expect_records("a,b\"c\n", ',', 0, 1, "ERROR 2@0");             /* stray quote */
    expect_records("a,\"b\"c\n", ',', 0, 1, "ERROR 3@0");           /* text after closing quote */
    expect_records("a,\"b\nx\"c\n", ',', 0, 1, "ERROR 3@1");        /* ... on the record's second line */
    expect_records("a,\"b\"\rc\n", ',', 0, 1, "ERROR 3@0");

    tl_buf b;
    tl_buf_init(&b);
    render("a,b\0c\n", 6, ',', 0, 1, 0, 0, &b);
    CHECK_STR(b.data, "ERROR 4@0");
    render("a,\"b\0\"\n", 7, ',', 0, 1, 1, 0, &b);
    CHECK_STR(b.data, "ERROR 4@0");
    /* the record limit counts raw bytes */
    render("abcdefgh\nabcdefghi\n", 19, ',', 0, 1, 0, 9, &b);
    CHECK_STR(b.data, "[abcdefgh]0\nERROR 5@0");
    render("abcdefgh\nabcdefghi\n", 19, ',', 0, 1, 1, 9, &b);
    CHECK_STR(b.data, "[abcdefgh]0\nERROR 5@0");
    tl_buf_free(&b);

    /* after an error the tokenizer stays failed */
    tl_csv c;
    tl_csv_init(&c, ',', 0, 1, 0);
    size_t used;
    CHECK_INT(tl_csv_push(&c, (const uint8_t *)"a\"b", 3, &used), TL_CSV_ERROR);
    CHECK_INT(tl_csv_push(&c, (const uint8_t *)"x\n", 2, &used), TL_CSV_ERROR);
    CHECK_INT(tl_csv_finish(&c), TL_CSV_ERROR);
    CHECK_STR(tl_csv_error_text(TL_CSV_E_UNTERMINATED), "unterminated quoted field");
    tl_csv_free(&c);
}

static void test_idle(void)
{
    tl_csv c;
    tl_csv_init(&c, ',', 0, 1, 0);
    size_t used;
    CHECK(tl_csv_idle(&c));
    CHECK_INT(tl_csv_push(&c, (const uint8_t *)"1,2", 3, &used), TL_CSV_MORE);
    CHECK(!tl_csv_idle(&c));
    CHECK_INT(tl_csv_push(&c, (const uint8_t *)"\n3", 2, &used), TL_CSV_RECORD);
    CHECK_INT(used, 1);
    CHECK(tl_csv_idle(&c));
    CHECK(!tl_csv_blank(&c));
    CHECK_INT(tl_csv_finish(&c), TL_CSV_MORE);
    tl_csv_free(&c);
}

int main(void)
{
    test_rfc4180();
    test_unquoted_layouts();
    test_errors();
    test_idle();
    return check_report("test_csv");
}
