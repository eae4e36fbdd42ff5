/* The field parsers every reader shares: unsigned ids, timestamps, ratings
 * in half stars (exact decimal rules, no locale, no strtod). */
#include <string.h>

#include "towerlens/numbers.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int tl_all_digits(const char *s, size_t n)
{
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i])) return 0;
    return 1;
}

tl_num tl_parse_u32(const char *s, size_t n, uint32_t *out)
{
    if (n == 0) return TL_NUM_EMPTY;
    if (s[0] == '-' && tl_all_digits(s + 1, n - 1)) return TL_NUM_NEGATIVE;
    if (!tl_all_digits(s, n)) return TL_NUM_NOT_NUMBER;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX) return TL_NUM_TOO_LARGE;
    }
    *out = (uint32_t)v;
    return TL_NUM_OK;
}

tl_num tl_parse_timestamp(const char *s, size_t n, int64_t *out)
{
    if (n == 0) return TL_NUM_EMPTY;
    if (s[0] == '-' && tl_all_digits(s + 1, n - 1)) return TL_NUM_NEGATIVE;
    if (!tl_all_digits(s, n)) return TL_NUM_NOT_NUMBER;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10) return TL_NUM_TOO_LARGE;
        v = v * 10 + d;
    }
    *out = (int64_t)v;
    return TL_NUM_OK;
}

/* Exact decimal reasoning on the digits, so "4.50" is 9 half stars and
 * "3.7" is rejected, with no floating point involved. */
tl_num tl_parse_half(const char *s, size_t n, uint8_t *out)
{
    if (n == 0) return TL_NUM_EMPTY;
    int negative = s[0] == '-';
    const char *p = s + negative, *end = s + n;
    const char *int_begin = p;
    while (p < end && is_digit(*p)) p++;
    size_t int_len = (size_t)(p - int_begin);
    const char *frac = p;
    size_t frac_len = 0;
    if (p < end && *p == '.') {
        frac = ++p;
        while (p < end && is_digit(*p)) p++;
        frac_len = (size_t)(p - frac);
        if (frac_len == 0) return TL_NUM_NOT_NUMBER;
    }
    if (int_len == 0 || p != end) return TL_NUM_NOT_NUMBER;

    unsigned ip = 0; /* integer part, saturated: anything above 5 is out of range */
    for (size_t i = 0; i < int_len; i++) {
        ip = ip * 10 + (unsigned)(int_begin[i] - '0');
        if (ip > 100) ip = 100;
    }
    int frac_zero = 1, frac_half = frac_len > 0 && frac[0] == '5';
    for (size_t i = 0; i < frac_len; i++) {
        if (frac[i] != '0') frac_zero = 0;
        if (i > 0 && frac[i] != '0') frac_half = 0;
    }
    /* fraction < .5 when its first digit is below 5 */
    int below_half = frac_len == 0 || frac[0] < '5';
    if (negative) return TL_NUM_OUT_OF_RANGE;
    if (ip > 5 || (ip == 5 && !frac_zero) || (ip == 0 && below_half)) return TL_NUM_OUT_OF_RANGE;
    if (!frac_zero && !frac_half) return TL_NUM_NOT_HALF;
    *out = (uint8_t)(ip * 2 + (frac_half ? 1 : 0));
    return TL_NUM_OK;
}
