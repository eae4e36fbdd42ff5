#!/usr/bin/env bash
# Builds bench/rating_tune.c against the core (Release) and runs it:
#   bench/rating_tune.sh DATA [key=value]...   (see the keys in rating_tune.c)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TL_BUILD:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target towerlens_core -j2 >/dev/null
bin="$build/rating_tune"
if [ ! -x "$bin" ] || [ "$root/bench/rating_tune.c" -nt "$bin" ] || [ "$build/libtowerlens_core.a" -nt "$bin" ]; then
    cc -O3 -std=c11 -D_POSIX_C_SOURCE=200809L -ffp-contract=off -Wall -Wextra -Werror -I"$root/include" \
        "$root/bench/rating_tune.c" "$build/libtowerlens_core.a" -lm -o "$bin"
fi
exec "$bin" "$@"
