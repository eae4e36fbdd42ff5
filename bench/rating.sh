#!/usr/bin/env bash
# Rating benchmarks (docs/rating.md): builds bench/rating_bench.c natively
# (build/) and to WASM with SIMD128 (build-wasm/, run by Node), then runs
#   bench/rating.sh table   [DATA]   the weighting table (tfrs-multitask: 1/0, 0/1, 1/1), native
#   bench/rating.sh default [DATA]   the default joint model: validation/test RMSE and training
#                                    seconds, natively and in WASM under Node
# DATA defaults to ../shared/data/ml-latest-small. Extra: TL_BENCH_WASM=0 skips WASM.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-default}
data=${2:-$root/../shared/data/ml-latest-small}
[ -f "$data/ratings.csv" ] || [ -f "$data/u.data" ] || [ -f "$data/ratings.dat" ] || {
    echo "no MovieLens data at $data (give a folder)" >&2
    exit 2
}
native="$root/build"
cmake -S "$root" -B "$native" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$native" --target tl_rating_bench -j2 >/dev/null
TIMEFORMAT='(process: %R s wall, %U s user CPU)'
echo "## native"
time "$native/tl_rating_bench" "$mode" "$data"
if [ "$mode" = default ] && [ "${TL_BENCH_WASM:-1}" != 0 ]; then
    wasm="$root/build-wasm"
    emcmake cmake -S "$root" -B "$wasm" >/dev/null
    cmake --build "$wasm" --target towerlens_core -j2 >/dev/null
    NODE_PATH=/usr/share/nodejs emcc -O3 -msimd128 -ffp-contract=off -std=c11 -D_POSIX_C_SOURCE=200809L \
        -I"$root/include" "$root/bench/rating_bench.c" "$wasm/libtowerlens_core.a" -sENVIRONMENT=node \
        -sNODERAWFS=1 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB \
        --pre-js "$root/src/wasm/test_env_pre.js" -o "$wasm/rating_bench.js"
    echo
    echo "## WASM (Node $(node --version))"
    time node "$wasm/rating_bench.js" "$mode" "$data"
fi
