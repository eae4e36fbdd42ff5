/* Exact field parsers shared by every reader (MovieLens layouts, your own
 * CSVs, ids typed by people): no locale, no strtod, every byte checked. */
#ifndef TOWERLENS_NUMBERS_H
#define TOWERLENS_NUMBERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Field parsers. They accept exactly: digits for ids (0..4294967295) and
 * timestamps (0..INT64_MAX); ratings as digits with an optional fraction,
 * a multiple of 0.5 from 0.5 to 5 (returned in half stars, 1..10). */
typedef enum tl_num {
    TL_NUM_OK = 0,
    TL_NUM_EMPTY,
    TL_NUM_NOT_NUMBER,
    TL_NUM_NEGATIVE,
    TL_NUM_TOO_LARGE,
    TL_NUM_OUT_OF_RANGE, /* rating outside 0.5-5 */
    TL_NUM_NOT_HALF      /* rating not a multiple of 0.5 */
} tl_num;

tl_num tl_parse_u32(const char *s, size_t n, uint32_t *out);
tl_num tl_parse_timestamp(const char *s, size_t n, int64_t *out);
tl_num tl_parse_half(const char *s, size_t n, uint8_t *out);

/* 1 when s[0..n) is one or more ASCII digits. */
int tl_all_digits(const char *s, size_t n);

#ifdef __cplusplus
}
#endif

#endif
