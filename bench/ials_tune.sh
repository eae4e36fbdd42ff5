#!/usr/bin/env bash
# Builds bench/ials_tune.c (target tl_ials_tune, Release) and runs it:
#   bench/ials_tune.sh DATA [key=v1,v2,...]...   (grid keys and defaults in ials_tune.c)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TL_BUILD:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target tl_ials_tune -j2 >/dev/null
exec "$build/tl_ials_tune" "$@"
