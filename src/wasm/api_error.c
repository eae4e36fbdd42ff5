/* Reading the last error of any handle, and facts about the build. */
#include "handle.h"
#include "towerlens.h"

EMSCRIPTEN_KEEPALIVE int tlw_error_status(const tlw_handle *h) { return h ? (int)h->err.status : TL_E_ARG; }

/* A double, because JavaScript receives uint64 results as BigInt pairs. */
EMSCRIPTEN_KEEPALIVE double tlw_error_line(const tlw_handle *h) { return h ? (double)h->err.line : 0; }

EMSCRIPTEN_KEEPALIVE const char *tlw_error_file(const tlw_handle *h) { return h ? h->err.file : ""; }

EMSCRIPTEN_KEEPALIVE const char *tlw_error_message(const tlw_handle *h) { return h ? h->err.message : "no handle"; }

EMSCRIPTEN_KEEPALIVE const char *tlw_status_name(int status) { return tl_status_name((tl_status)status); }

/* The version of package.json, which CMakeLists.txt passes as TL_VERSION. */
EMSCRIPTEN_KEEPALIVE const char *tlw_version(void) { return TL_VERSION; }

EMSCRIPTEN_KEEPALIVE int tlw_kernels_simd(void) { return tl_kernels_simd(); }
