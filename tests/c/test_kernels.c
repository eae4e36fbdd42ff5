#include "check.h"
#include "towerlens/kernels.h"

static float frand(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xFFFF) / 32768.0f - 1.0f;
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

int main(void)
{
    printf("kernels: %s\n", tl_kernels_simd() ? "SIMD128" : "scalar");
    test_dot_axpy_gemv();
    return check_report("test_kernels");
}
