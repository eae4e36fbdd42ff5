/* A tiny test harness: CHECK macros count failures, main returns non-zero. */
#ifndef TL_CHECK_H
#define TL_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        check_count++;                                                               \
        if (!(cond)) {                                                               \
            check_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_INT(a, b)                                                                              \
    do {                                                                                             \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                        \
        check_count++;                                                                               \
        if (va_ != vb_) {                                                                            \
            check_failures++;                                                                        \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, va_, vb_); \
        }                                                                                            \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                \
    do {                                                                                                     \
        double va_ = (double)(a), vb_ = (double)(b);                                                         \
        check_count++;                                                                                       \
        if (!(fabs(va_ - vb_) <= (tol))) {                                                                   \
            check_failures++;                                                                                \
            fprintf(stderr, "%s:%d: %s == %.9g, expected %.9g (tol %g)\n", __FILE__, __LINE__, #a, va_, vb_, \
                    (double)(tol));                                                                          \
        }                                                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                                                             \
    do {                                                                                                            \
        const char *sa_ = (a), *sb_ = (b);                                                                          \
        check_count++;                                                                                              \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                                                \
            check_failures++;                                                                                       \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, sa_ ? sa_ : "(null)", \
                    sb_ ? sb_ : "(null)");                                                                          \
        }                                                                                                           \
    } while (0)

/* substring check, for error messages */
#define CHECK_CONTAINS(hay, needle)                                                                                 \
    do {                                                                                                            \
        const char *h_ = (hay), *n_ = (needle);                                                                     \
        check_count++;                                                                                              \
        if (!h_ || !strstr(h_, n_)) {                                                                               \
            check_failures++;                                                                                       \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, h_ ? h_ : "(null)", n_); \
        }                                                                                                           \
    } while (0)

static inline int check_report(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* Path of the shared MovieLens copy (../shared/data/ml-latest-small from the
 * source tree), or NULL with a skip message when it is absent. */
static inline const char *check_shared_small(char *buf, size_t n)
{
    const char *src = getenv("TL_SOURCE_DIR");
    snprintf(buf, n, "%s/../shared/data/ml-latest-small", src ? src : ".");
    char probe[1200];
    snprintf(probe, sizeof probe, "%s/ratings.csv", buf);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        printf("SKIP: %s not found; real MovieLens checks skipped\n", probe);
        return NULL;
    }
    fclose(f);
    return buf;
}

#endif
