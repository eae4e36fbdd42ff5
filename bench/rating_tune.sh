#!/usr/bin/env bash
# Builds bench/rating_tune.c (CMake target tl_rating_tune, Release) and runs it:
#   bench/rating_tune.sh DATA [key=value]...   (see the keys in rating_tune.c)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TL_BUILD:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target tl_rating_tune -j2 >/dev/null
exec "$build/tl_rating_tune" "$@"
