#!/usr/bin/env bash
# Fold-in quality on ml-latest-small (trains a preset first; tfrs takes minutes).
# Usage: bench/foldin_quality.sh [DATA_DIR] [EPOCHS (0 = the preset's)] [PRESET (tfrs|default)] [SOLVER (exact|cg)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-$root/../shared/data/ml-latest-small}
build=$root/build
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target tl_foldin_quality -j2 >/dev/null
"$build/tl_foldin_quality" "$data" ${2:-0} ${3:-tfrs} ${4:+"$4"}
