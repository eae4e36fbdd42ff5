/* tl_gemv works eight rows at a time; every row must still be bit-identical
 * to tl_dot of that row (serving, evaluation and fold-in rank by it, and
 * native and WASM must agree bit for bit). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "towerlens/kernels.h"

static float frand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (float)((*s >> 8) & 0xffff) / 65536.0f - 0.5f;
}

int main(void)
{
    unsigned s = 11;
    enum { MAXR = 21, MAXN = 41, LD = 48 };
    float *M = malloc(sizeof(float) * MAXR * LD), x[MAXN], out[MAXR + 1];
    for (int i = 0; i < MAXR * LD; i++) M[i] = frand(&s);
    for (int i = 0; i < MAXN; i++) x[i] = frand(&s) * 3.0f;
    int mismatches = 0;
    for (size_t rows = 0; rows <= MAXR; rows++)
        for (size_t n = 0; n <= MAXN; n++) {
            for (size_t ld = n; ld <= n + 7 && ld <= LD; ld += 7) {
                out[rows] = 12345.0f; /* a guard: nothing past `rows` is written */
                tl_gemv(M, rows, ld ? ld : 1, x, n, out);
                for (size_t r = 0; r < rows; r++) {
                    float want = tl_dot(M + r * (ld ? ld : 1), x, n);
                    if (memcmp(&out[r], &want, sizeof want) != 0) mismatches++;
                }
                if (out[rows] != 12345.0f) mismatches++;
            }
        }
    CHECK_INT(mismatches, 0);
    /* and the values are dot products */
    tl_gemv(M, 5, LD, x, 33, out);
    double ref = 0;
    for (int i = 0; i < 33; i++) ref += (double)M[2 * LD + i] * x[i];
    CHECK_NEAR(out[2], ref, 1e-4);
    free(M);
    return check_report("test_gemv");
}
