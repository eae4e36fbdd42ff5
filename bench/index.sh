#!/usr/bin/env bash
# Native timings of the serving index and the evaluation (generated data).
# Usage: bench/index.sh [BUILD_DIR] [--model FILE [--queries N]]
#   (BUILD_DIR default: build, configured as Release; --model: top-10 on that
#   model file, one JSON line, for bench/serve.mjs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
if [[ $# -gt 0 && $1 != --* ]]; then build=$1; shift; fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target tl_index_bench -j2 >/dev/null
"$build/tl_index_bench" "$@"
