#!/usr/bin/env bash
# Native timings of `towerlens generate` at MovieLens's shapes, up to ml-25m's
# (25M ratings) or, with --with-32m, ml-32m's. Files go to a temp dir and are
# deleted after each row. Prints a table; run it on a quiet machine.
# Usage: bench/generate.sh [--quick] [--with-32m] [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0 big32=0 build=$root/build
for a in "$@"; do
    case $a in
        --quick) quick=1 ;;
        --with-32m) big32=1 ;;
        *) build=$a ;;
    esac
done
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target towerlens -j2 >/dev/null
bin=$build/towerlens
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

shapes=("demo 600 3000 50000" "ml-latest-small 610 9742 100836" "ml-1m 6040 3706 1000209")
[ $quick = 1 ] || shapes+=("ml-25m 162000 62000 25000000")
[ $big32 = 1 ] && shapes+=("ml-32m 200948 87585 32000204")

printf '%-16s %12s %10s %8s %8s %12s %8s %9s\n' shape ratings "csv MB" "wall s" "CPU s" "ratings/CPU s" "MB/CPU s" "peak MB"
for s in "${shapes[@]}"; do
    read -r name users movies ratings <<<"$s"
    line=$("$bin" generate --users "$users" --movies "$movies" --ratings "$ratings" --seed 1 \
        --out "$out/$name" | tail -1)
    # "... ratings.csv 665.0 MB, ... in 9.81 s (CPU 9.60 s, peak RSS 9.8 MB; seed 1)"
    mb=$(sed -E 's/.*ratings\.csv ([0-9.]+) MB.*/\1/' <<<"$line")
    wall=$(sed -E 's/.* in ([0-9.]+) s \(.*/\1/' <<<"$line")
    cpu=$(sed -E 's/.*CPU ([0-9.]+) s.*/\1/' <<<"$line")
    rss=$(sed -E 's/.*peak RSS ([0-9.]+) MB.*/\1/' <<<"$line")
    awk -v n="$name" -v r="$ratings" -v mb="$mb" -v w="$wall" -v c="$cpu" -v rss="$rss" 'BEGIN {
        c2 = c > 0 ? c : 0.001
        printf "%-16s %12d %10.1f %8.2f %8.2f %12.2fM %8.0f %9.1f\n", n, r, mb, w, c, r / c2 / 1e6, mb / c2, rss }'
    rm -rf "${out:?}/$name"
done
echo "(wall = the command's own clock; CPU = user + system; peak = max RSS of the process)"
