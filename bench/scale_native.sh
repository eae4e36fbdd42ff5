#!/usr/bin/env bash
# Native scale benchmark of the default model (iALS) at ml-25m's shape:
# builds build/ (Release), generates 25M ratings (162k users, 62k movies,
# seed 1) once into $TMPDIR/towerlens-bench/ (the same folder and bytes
# bench/ingest.mjs uses) and runs build/tl_bench_scale on it: setup seconds,
# one epoch with 1 and with 2 threads (wall and CPU), the ratio, the model
# hash of each run (equal) and the peak RSS. Run it on a quiet machine.
# Usage: bench/scale_native.sh [--ratings N] [--threads 1,2] [--test-fraction F] [--json]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ratings=25000000
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --ratings) ratings=$2; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
build=$root/build
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target towerlens tl_bench_scale -j2 >/dev/null
dir=${TMPDIR:-/tmp}/towerlens-bench/gen-u162000-m62000-r$ratings-s1
if [ ! -s "$dir/ratings.csv" ]; then
    echo "generating $ratings ratings into $dir ..." >&2
    "$build/towerlens" generate --users 162000 --movies 62000 --ratings "$ratings" --seed 1 --out "$dir" --quiet
fi
exec "$build/tl_bench_scale" "$dir" "${args[@]}"
