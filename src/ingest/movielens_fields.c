/* Field rules shared by the fast and the general ingest paths: titles and
 * years, text encodings (numbers and ratings: base/numbers.c). */
#include <stdio.h>
#include <string.h>

#include "towerlens/dataset.h"
#include "towerlens/movielens.h"
#include "towerlens/numbers.h"

void tl_ml_quote(char *out, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    const size_t shown = n > 60 ? 57 : n;
    if (cap < 8) {
        if (cap) out[0] = '\0';
        return;
    }
    out[o++] = '"';
    for (size_t i = 0; i < shown && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') o += (size_t)snprintf(out + o, cap - o, "\\x%02X", c);
        else out[o++] = (char)c;
    }
    if (shown < n && o + 5 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = '\0';
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* "1995", "1995-", "1994-1998", "2006\u20132007", "2006\u2013" */
static int year_range(const char *s, size_t n, int *year)
{
    if (n < 4 || !tl_all_digits(s, 4)) return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (y == 0) return 0;
    const char *rest = s + 4;
    size_t m = n - 4;
    if (m > 0) {
        if (rest[0] == '-') {
            rest++;
            m--;
        } else if (m >= 3 && (unsigned char)rest[0] == 0xE2 && (unsigned char)rest[1] == 0x80 &&
                   (unsigned char)rest[2] == 0x93) {
            rest += 3;
            m -= 3;
        } else {
            return 0;
        }
        if (m != 0 && !(m == 4 && tl_all_digits(rest, 4))) return 0;
    }
    *year = y;
    return 1;
}

void tl_ml_split_title(const char *s, size_t n, size_t *title_start, size_t *title_len, int *year)
{
    size_t b = 0, e = n;
    while (b < e && is_space(s[b])) b++;
    while (e > b && is_space(s[e - 1])) e--;
    *title_start = b;
    *title_len = e - b;
    *year = TL_NO_YEAR;
    if (e - b < 6 || s[e - 1] != ')') return;
    size_t open = e - 1;
    while (open > b && s[open - 1] != '(') open--;
    if (open == b) return; /* no '(' */
    int y;
    if (!year_range(s + open, e - 1 - open, &y)) return;
    size_t t = open - 1; /* the '(' */
    while (t > b && is_space(s[t - 1])) t--;
    *year = y;
    if (t > b) *title_len = t - b; /* "(1995)" alone keeps its text as the title */
}

int tl_ml_is_utf8(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
        else return 0;
        if (n - i < len) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

size_t tl_ml_latin1_to_utf8(const uint8_t *s, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c < 0x80) {
            out[o++] = c;
        } else {
            out[o++] = (uint8_t)(0xC0 | (c >> 6));
            out[o++] = (uint8_t)(0x80 | (c & 0x3F));
        }
    }
    return o;
}

const char *const tl_ml_100k_genres[19] = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western",
};
