/* Platform clock: the only file that knows how time is read. */
#include "towerlens/clock.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

double tl_clock_ms(void) { return emscripten_get_now(); }
#else
#include <time.h>

double tl_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
#endif

double tl_clock_default(void *ctx)
{
    (void)ctx;
    return tl_clock_ms();
}
