#include <stdint.h>

#include "check.h"
#include "towerlens/kernels.h"

static float frand(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

static void fill(float *x, size_t n, unsigned *s, float scale)
{
    for (size_t i = 0; i < n; i++) x[i] = frand(s) * scale;
}

/* the SIMD path (in WASM) and the portable path must agree to 1e-5 relative */
static void test_dot_axpy_gemv(void)
{
    unsigned s = 7;
    for (size_t n = 0; n < 70; n++) {
        float a[70] = {0}, b[70] = {0}, y1[70] = {0}, y2[70] = {0};
        for (size_t i = 0; i < n; i++) {
            a[i] = frand(&s);
            b[i] = frand(&s);
            y1[i] = y2[i] = frand(&s);
        }
        float d = tl_dot(a, b, n), ds = tl_dot_scalar(a, b, n);
        double ref = 0, mag = 0;
        for (size_t i = 0; i < n; i++) ref += (double)a[i] * b[i], mag += fabs((double)a[i] * b[i]);
        CHECK_NEAR(d, ds, 1e-5 * (mag + 1e-6));
        CHECK_NEAR(d, ref, 1e-5 * (mag + 1e-6));
        tl_axpy(0.5f, a, y1, n);
        tl_axpy_scalar(0.5f, a, y2, n);
        for (size_t i = 0; i < n; i++) CHECK_NEAR(y1[i], y2[i], 1e-6);
    }
    float M[5 * 9], x[9], o1[5], o2[5];
    for (int i = 0; i < 45; i++) M[i] = frand(&s);
    for (int i = 0; i < 9; i++) x[i] = frand(&s);
    tl_gemv(M, 5, 9, x, 9, o1);
    tl_gemv_scalar(M, 5, 9, x, 9, o2);
    for (int r = 0; r < 5; r++) CHECK_NEAR(o1[r], o2[r], 1e-5);
}

/* Bit equality is what determinism needs; the 1e-5 relative check against
 * a double reference guards the arithmetic itself. */
static int close_rel(double got, double ref, double mag) { return fabs(got - ref) <= 1e-5 * (mag + 1e-12); }

static void test_gemm_sizes(size_t m, size_t n, size_t dim)
{
    unsigned s = (unsigned)(m * 131 + n * 17 + dim);
    size_t lda = dim + 3, ldb = dim + 1, ldc = n + 5;
    float *A = calloc(m * lda + 1, sizeof(float)), *B = calloc(n * ldb + 1, sizeof(float));
    float *P = calloc(tl_panel_floats(n, dim) + 1, sizeof(float));
    float *C1 = calloc(m * ldc + 1, sizeof(float)), *C2 = calloc(m * ldc + 1, sizeof(float));
    fill(A, m * lda, &s, 1.0f);
    fill(B, n * ldb, &s, 1.0f);
    tl_pack_panels(B, n, ldb, dim, P);

    /* C = A B^T */
    tl_gemm_abt(A, m, lda, P, n, dim, C1, ldc);
    tl_gemm_abt_scalar(A, m, lda, P, n, dim, C2, ldc);
    int same = 1, near = 1;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double ref = 0, mag = 0;
            for (size_t k = 0; k < dim; k++) {
                ref += (double)A[i * lda + k] * B[j * ldb + k];
                mag += fabs((double)A[i * lda + k] * B[j * ldb + k]);
            }
            same &= C1[i * ldc + j] == C2[i * ldc + j];
            near &= close_rel(C1[i * ldc + j], ref, mag);
        }
    CHECK(same);
    CHECK(near);

    /* the same with the row maxima */
    float *C3 = calloc(m * ldc + 1, sizeof(float)), *C4 = calloc(m * ldc + 1, sizeof(float));
    float *mx1 = calloc(m + 1, sizeof(float)), *mx2 = calloc(m + 1, sizeof(float));
    tl_gemm_abt_max(A, m, lda, P, n, dim, C3, ldc, mx1);
    tl_gemm_abt_max_scalar(A, m, lda, P, n, dim, C4, ldc, mx2);
    int max_ok = 1;
    for (size_t i = 0; i < m; i++) {
        float want = -INFINITY;
        for (size_t j = 0; j < n; j++) {
            if (C1[i * ldc + j] > want) want = C1[i * ldc + j];
            max_ok &= C3[i * ldc + j] == C1[i * ldc + j] && C4[i * ldc + j] == C1[i * ldc + j];
        }
        max_ok &= mx1[i] == want && mx2[i] == want;
    }
    CHECK(max_ok);
    free(C3), free(C4), free(mx1), free(mx2);

    /* C = A B with A m x n (reuse the first n columns of a wider A') */
    size_t ld2 = n + 2, ldo = dim + 4;
    float *G = calloc(m * ld2 + 1, sizeof(float)), *Bn = calloc(n * ldb + 1, sizeof(float));
    float *O1 = calloc(m * ldo + 1, sizeof(float)), *O2 = calloc(m * ldo + 1, sizeof(float));
    fill(G, m * ld2, &s, 1.0f);
    fill(Bn, n * ldb, &s, 1.0f);
    for (size_t i = 0; i < m * ldo; i++) O1[i] = O2[i] = 99.0f; /* overwritten, never read */
    tl_gemm_ab(G, m, ld2, Bn, n, ldb, dim, O1, ldo);
    tl_gemm_ab_scalar(G, m, ld2, Bn, n, ldb, dim, O2, ldo);
    same = near = 1;
    for (size_t i = 0; i < m; i++)
        for (size_t c = 0; c < dim; c++) {
            double ref = 0, mag = 0;
            for (size_t j = 0; j < n; j++) {
                ref += (double)G[i * ld2 + j] * Bn[j * ldb + c];
                mag += fabs((double)G[i * ld2 + j] * Bn[j * ldb + c]);
            }
            same &= O1[i * ldo + c] == O2[i * ldo + c];
            near &= close_rel(O1[i * ldo + c], ref, mag);
        }
    CHECK(same);
    CHECK(near);

    /* C += A^T B with A m x n, B m x dim, C n x dim starting non-zero */
    float *Bm = calloc(m * ldb + 1, sizeof(float));
    float *D1 = calloc(n * ldo + 1, sizeof(float)), *D2 = calloc(n * ldo + 1, sizeof(float));
    fill(Bm, m * ldb, &s, 1.0f);
    fill(D1, n * ldo, &s, 0.5f);
    memcpy(D2, D1, n * ldo * sizeof(float));
    float *D0 = malloc(n * ldo * sizeof(float) + 1);
    memcpy(D0, D1, n * ldo * sizeof(float));
    tl_gemm_atb_acc(G, m, ld2, n, Bm, ldb, dim, D1, ldo);
    tl_gemm_atb_acc_scalar(G, m, ld2, n, Bm, ldb, dim, D2, ldo);
    same = near = 1;
    for (size_t j = 0; j < n; j++)
        for (size_t c = 0; c < dim; c++) {
            double ref = D0[j * ldo + c], mag = fabs(ref);
            for (size_t i = 0; i < m; i++) {
                ref += (double)G[i * ld2 + j] * Bm[i * ldb + c];
                mag += fabs((double)G[i * ld2 + j] * Bm[i * ldb + c]);
            }
            same &= D1[j * ldo + c] == D2[j * ldo + c];
            near &= close_rel(D1[j * ldo + c], ref, mag);
        }
    CHECK(same);
    CHECK(near);
    if (!same || !near) fprintf(stderr, "  (gemm sizes m=%zu n=%zu dim=%zu)\n", m, n, dim);

    free(A), free(B), free(P), free(C1), free(C2), free(G), free(Bn), free(O1), free(O2), free(Bm), free(D1), free(D2),
        free(D0);
}

static void test_gemms(void)
{
    static const size_t ms[] = {1, 3, 4, 7, 32, 37, 70};
    static const size_t ns[] = {1, 5, 8, 13, 64, 300, 600};
    static const size_t ds[] = {1, 3, 8, 12, 32, 33};
    for (size_t a = 0; a < sizeof ms / sizeof *ms; a++)
        for (size_t b = 0; b < sizeof ns / sizeof *ns; b++)
            for (size_t c = 0; c < sizeof ds / sizeof *ds; c++) test_gemm_sizes(ms[a], ns[b], ds[c]);
    /* an empty sum over n = 0 still writes zeros */
    float C[8] = {5, 5, 5, 5, 5, 5, 5, 5}, A[1] = {0}, B[8] = {0};
    tl_gemm_ab(A, 1, 1, B, 0, 8, 8, C, 8);
    for (int i = 0; i < 8; i++) CHECK(C[i] == 0.0f);
}

static void test_exp_log(void)
{
    double worst = 0;
    for (float x = -87.0f; x <= 88.0f; x += 0.0137f) {
        double ref = exp((double)x);
        double rel = fabs((double)tl_expf(x) - ref) / ref;
        if (rel > worst) worst = rel;
    }
    printf("tl_expf worst relative error on [-87, 88]: %.3g (%.2f ulp)\n", worst, worst / 5.96e-8);
    CHECK(worst < 2.5 * 5.96e-8); /* ~2 ulp */
    CHECK(tl_expf(0.0f) == 1.0f);
    CHECK_NEAR(tl_expf(1.0f), 2.718281828, 3e-7);
    CHECK_NEAR(tl_expf(-200.0f), exp(-87.0), 1e-42); /* clamped */

    double lworst = 0;
    for (double x = 1e-300; x < 1e300; x *= 1.37) {
        double err = fabs(tl_log(x) - log(x));
        double rel = err / (fabs(log(x)) + 1e-300);
        if (rel > lworst) lworst = rel;
    }
    for (double x = 0.5; x < 3; x += 0.000913) {
        double l = log(x);
        if (l == 0) continue;
        double rel = fabs(tl_log(x) - l) / fabs(l);
        if (rel > lworst) lworst = rel;
    }
    printf("tl_log worst relative error: %.3g\n", lworst);
    CHECK(lworst < 4e-16);
    CHECK(tl_log(1.0) == 0.0);
    CHECK_NEAR(tl_log(8192.0), 9.010913347279288, 1e-14);
    CHECK(tl_log(0.0) == -INFINITY);
    CHECK(isnan(tl_log(-1.0)));
    CHECK_NEAR(tl_log(4.9e-324), -744.44007192138, 1e-9); /* subnormal */
}

static void test_softmax(void)
{
    unsigned s = 3;
    for (size_t n = 1; n < 40; n++) {
        float x1[40], x2[40], x0[40];
        fill(x0, n, &s, 8.0f);
        if (n > 5) x0[3] = -100.0f; /* below the flush threshold */
        memcpy(x1, x0, sizeof x0);
        memcpy(x2, x0, sizeof x0);
        float m1, s1, m2, s2;
        tl_softmax_row(x1, n, &m1, &s1);
        tl_softmax_row_scalar(x2, n, &m2, &s2);
        CHECK(memcmp(x1, x2, n * sizeof(float)) == 0);
        CHECK(m1 == m2 && s1 == s2);
        double mx = -1e30, sum = 0;
        for (size_t i = 0; i < n; i++) mx = x0[i] > mx ? x0[i] : mx;
        for (size_t i = 0; i < n; i++) sum += exp((double)x0[i] - mx);
        CHECK_NEAR(m1, mx, 0);
        CHECK_NEAR(s1, sum, 1e-5 * sum);
        double total = 0;
        for (size_t i = 0; i < n; i++) {
            double p = exp((double)x0[i] - mx) / sum;
            CHECK_NEAR(x1[i], p, 1e-6 * (p + 1e-30) + (x0[i] - mx < -64 ? 1e-27 : 0));
            total += x1[i];
        }
        CHECK_NEAR(total, 1.0, 1e-5);

        /* the exponentials alone, with a given shift */
        float y1[40], y2[40], shift = (float)mx + 0.25f;
        memcpy(y1, x0, sizeof x0);
        memcpy(y2, x0, sizeof x0);
        float e1 = tl_exp_shifted_row(y1, n, shift), e2 = tl_exp_shifted_row_scalar(y2, n, shift);
        CHECK(e1 == e2);
        CHECK(memcmp(y1, y2, n * sizeof(float)) == 0);
        double esum = 0;
        for (size_t i = 0; i < n; i++) {
            double want = x0[i] - shift < -64 ? 0 : exp((double)x0[i] - shift);
            CHECK_NEAR(y1[i], want, 2e-7 * want);
            esum += want;
        }
        CHECK_NEAR(e1, esum, 1e-6 * esum);
    }
}

/* The double dot of the iALS Cholesky: bit-identical to its scalar twin
 * (and so across builds), within rounding of a long-double reference. */
static void test_dot_f64(void)
{
    unsigned s = 11;
    double a[70], b[70];
    for (size_t i = 0; i < 70; i++) {
        a[i] = frand(&s) * 3.0 + frand(&s) * 1e-6;
        b[i] = frand(&s) - frand(&s) * 1e-7;
    }
    for (size_t n = 0; n <= 70; n++) {
        double d = tl_dot_f64(a, b, n), ds = tl_dot_f64_scalar(a, b, n);
        long double ref = 0, mag = 0;
        for (size_t i = 0; i < n; i++) ref += (long double)a[i] * b[i], mag += fabsl((long double)a[i] * b[i]);
        CHECK(memcmp(&d, &ds, sizeof d) == 0);
        CHECK_NEAR(d, (double)ref, 1e-14 * (double)(mag + 1e-300));
    }
    /* the two-row form the Cholesky uses gives the same bits */
    for (size_t n = 0; n <= 69; n++) {
        double s0, s1, r0 = tl_dot_f64_scalar(a, b, n), r1 = tl_dot_f64_scalar(a + 1, b, n);
        tl_dot_f64x2(a, a + 1, b, n, &s0, &s1);
        CHECK(memcmp(&s0, &r0, sizeof s0) == 0 && memcmp(&s1, &r1, sizeof s1) == 0);
    }
    /* a hand sum: lanes (1*1 + 5*5) (2*2) (3*3) (4*4), fold (26 + 4) + (9 + 16), tail 6*6 */
    double x[6] = {1, 2, 3, 4, 5, 6};
    CHECK(tl_dot_f64(x, x, 6) == 91.0);
}

/* The iALS rank-m update: C += A^T B on 4-row bands of a 64 x 64 lower
 * triangle (n = 4 columns of A at an offset, dim a multiple of 8 or the
 * edge), the SIMD drivers against the scalar twins, bit for bit. */
static void test_atb_bands(void)
{
    unsigned s = 5;
    for (size_t d = 6; d <= 70; d += 32) {
        size_t m = 37;
        float *X = malloc(m * d * sizeof(float)), *Y = malloc(m * d * sizeof(float));
        float *C1 = calloc(d * d, sizeof(float)), *C2 = calloc(d * d, sizeof(float));
        fill(X, m * d, &s, 1.0f);
        fill(Y, m * d, &s, 1.0f);
        for (size_t j0 = 0; j0 < d; j0 += 4) {
            size_t nb = d - j0 < 4 ? d - j0 : 4, width = (j0 + nb + 7) & ~(size_t)7;
            if (width > d) width = d;
            tl_gemm_atb_acc(X + j0, m, d, nb, Y, d, width, C1 + j0 * d, d);
            tl_gemm_atb_acc_scalar(X + j0, m, d, nb, Y, d, width, C2 + j0 * d, d);
        }
        CHECK(memcmp(C1, C2, d * d * sizeof(float)) == 0);
        double ref = 0;
        for (size_t i = 0; i < m; i++) ref += (double)X[i * d + d - 1] * Y[i * d + 2];
        CHECK_NEAR(C1[(d - 1) * d + 2], ref, 1e-4);
        free(X);
        free(Y);
        free(C1);
        free(C2);
    }
}

/* The evaluation's kernels: tl_gemm_abt_dots must give every score bit for
 * bit as tl_dot / tl_gemv give it (the metrics stay the same), at every
 * shape (odd users, movies not a multiple of 4, dims with a tail), and
 * tl_find_above the same index as its scalar twin. */
static void test_eval_kernels(void)
{
    unsigned s = 99;
    const size_t dims[] = {1, 3, 4, 7, 32, 64, 65};
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++)
        for (size_t m = 1; m <= 5; m++)
            for (size_t n = 1; n <= 13; n += 3) {
                size_t dim = dims[di], lda = dim + 2, ldb = dim + 1, ldc = n + 3;
                float *A = calloc(m * lda, sizeof(float)), *B = calloc(n * ldb, sizeof(float));
                float *C1 = calloc(m * ldc, sizeof(float)), *C2 = calloc(m * ldc, sizeof(float));
                float *g = calloc(n, sizeof(float));
                fill(A, m * lda, &s, 1.0f);
                fill(B, n * ldb, &s, 1.0f);
                tl_gemm_abt_dots(A, m, lda, B, n, ldb, dim, C1, ldc);
                tl_gemm_abt_dots_scalar(A, m, lda, B, n, ldb, dim, C2, ldc);
                int same = 1;
                for (size_t i = 0; i < m; i++) {
                    tl_gemv(B, n, ldb, A + i * lda, dim, g);
                    for (size_t j = 0; j < n; j++) {
                        float c = C1[i * ldc + j];
                        same &= memcmp(&c, &C2[i * ldc + j], sizeof c) == 0 && memcmp(&c, &g[j], sizeof c) == 0;
                        double ref = 0, mag = 0;
                        for (size_t k = 0; k < dim; k++) {
                            ref += (double)A[i * lda + k] * B[j * ldb + k];
                            mag += fabs((double)A[i * lda + k] * B[j * ldb + k]);
                        }
                        same &= close_rel(c, ref, mag);
                    }
                }
                CHECK(same);
                free(A), free(B), free(C1), free(C2), free(g);
            }
    float x[37];
    for (size_t i = 0; i < 37; i++) x[i] = (float)i * 0.5f - 4.0f;
    x[5] = NAN;
    x[30] = INFINITY;
    const float ts[] = {-INFINITY, -10.0f, -4.0f, 0.0f, 7.25f, 13.9f, 14.0f, INFINITY, NAN};
    for (size_t t = 0; t < sizeof ts / sizeof ts[0]; t++)
        for (size_t from = 0; from < 37; from += 5)
            for (size_t n = 0; from + n <= 37; n += 4)
                CHECK_INT(tl_find_above(x + from, n, ts[t]), tl_find_above_scalar(x + from, n, ts[t]));
    CHECK_INT(tl_find_above(x, 37, 3.0f), 15);     /* x[15] = 3.5 */
    CHECK_INT(tl_find_above(x, 37, 13.9f), 30);    /* only +inf is above */
    CHECK_INT(tl_find_above(x, 37, INFINITY), 37); /* nothing, NaN neither */
    CHECK_INT(tl_find_above(x, 5, -INFINITY), 0);
}

/* The Cholesky solve against its scalar twin (same bits) and against b:
 * A = M M^T + d I is positive definite; a zero matrix is refused. */
static void test_cholesky(void)
{
    enum { D = 13 };
    double M[D * D], A[D * D], A2[D * D], b[D], x[D], x2[D], inv[D];
    for (size_t i = 0; i < D * D; i++) M[i] = (double)((i * 37 + 11) % 19) / 19.0 - 0.5;
    for (size_t i = 0; i < D; i++) {
        b[i] = (double)i - 6.0;
        for (size_t j = 0; j < D; j++) {
            double s = i == j ? (double)D : 0.0;
            for (size_t k = 0; k < D; k++) s += M[i * D + k] * M[j * D + k];
            A[i * D + j] = s;
        }
    }
    double orig[D * D];
    memcpy(orig, A, sizeof A);
    memcpy(A2, A, sizeof A);
    CHECK_INT(tl_cholesky_solve_f64(A, b, x, inv, D), 1);
    CHECK_INT(tl_cholesky_solve_f64_scalar(A2, b, x2, inv, D), 1);
    CHECK(memcmp(x, x2, sizeof x) == 0);
    double worst = 0.0;
    for (size_t i = 0; i < D; i++) {
        double r = -b[i];
        for (size_t j = 0; j < D; j++) r += orig[i * D + j] * x[j];
        if (fabs(r) > worst) worst = fabs(r);
    }
    CHECK(worst < 1e-9);
    memset(A, 0, sizeof A);
    CHECK_INT(tl_cholesky_solve_f64(A, b, x, inv, D), 0);
}

int main(void)
{
    printf("kernels: %s\n", tl_kernels_simd() ? "SIMD128" : "scalar");
    test_dot_axpy_gemv();
    test_dot_f64();
    test_cholesky();
    test_atb_bands();
    test_gemms();
    test_exp_log();
    test_softmax();
    test_eval_kernels();
    return check_report("test_kernels");
}
