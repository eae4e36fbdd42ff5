/* The one platform clock (milliseconds, monotonic): emscripten_get_now in
 * WASM, clock_gettime(CLOCK_MONOTONIC) natively. Code that times itself
 * takes a tl_clock_fn so callers (and tests) can inject their own. */
#ifndef TOWERLENS_CLOCK_H
#define TOWERLENS_CLOCK_H

#ifdef __cplusplus
extern "C" {
#endif

typedef double (*tl_clock_fn)(void *ctx);

double tl_clock_ms(void);
/* tl_clock_ms as a tl_clock_fn (ctx unused). */
double tl_clock_default(void *ctx);

#ifdef __cplusplus
}
#endif
#endif
