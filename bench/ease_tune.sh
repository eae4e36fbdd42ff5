#!/usr/bin/env bash
# Builds bench/ease_tune.c (target tl_ease_tune, Release) and runs it:
#   bench/ease_tune.sh DATA [key=v1,v2,...]...   (keys and defaults in ease_tune.c)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TL_BUILD:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target tl_ease_tune -j2 >/dev/null
exec "$build/tl_ease_tune" "$@"
