#!/usr/bin/env bash
# Fold-in quality on ml-latest-small (trains a preset first; tfrs takes minutes).
# Usage: bench/foldin_quality.sh [DATA_DIR] [EPOCHS (0 = the preset's)] [PRESET (tfrs|default)] [SOLVER (exact|cg)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-$root/../shared/data/ml-latest-small}
build=$root/build
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target towerlens_core -j2 >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -O3 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$root/include" "$root/bench/foldin_quality.c" \
   "$build/libtowerlens_core.a" -lm -o "$out/foldin_quality"
"$out/foldin_quality" "$data" ${2:-0} ${3:-tfrs} ${4:+"$4"}
