#!/usr/bin/env bash
# Serving never shows a rated movie: `train --out` on the bundled demo data
# with the default split (20 % test rows), then `recommend` on the model file
# for every user; no top-10 movie may be among the user's ratings in any
# split (the model file's seen sets hold train and test rows alike).
#   bash tests/cli/seen.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
demo="$src/data/demo"
model="$tmp/demo.tlm"
run 0 train "$demo" --preset default --epochs 2 --out "$model" --json
js 'o.config.split.test === 10000'

# every user's top-10 as "user,movie" lines, with and without seen movies
users=$(tail -n +2 "$demo/ratings.csv" | cut -d, -f1 | sort -un)
for u in $users; do
    "$bin" recommend --model "$model" --user "$u" -k 10 | sed -n "s/.*\[id \([0-9]*\),.*/$u,\1/p"
done >"$tmp/recs"
for u in $(echo "$users" | head -50); do
    "$bin" recommend --model "$model" --user "$u" -k 10 --include-seen | sed -n "s/.*\[id \([0-9]*\),.*/$u,\1/p"
done >"$tmp/recs_seen"
tail -n +2 "$demo/ratings.csv" | cut -d, -f1,2 | sort -u >"$tmp/rated"

checks=$((checks + 1))
[ "$(wc -l <"$tmp/recs")" = "$(($(echo "$users" | wc -l) * 10))" ] || fail "expected 10 movies per user"
checks=$((checks + 1))
n_users=$(echo "$users" | wc -l)
[ "$(cut -d, -f1 "$tmp/recs" | sort -u | wc -l)" = "$n_users" ] || fail "not every user got recommendations"
checks=$((checks + 1))
leaked=$(sort -u "$tmp/recs" | comm -12 - "$tmp/rated")
[ -z "$leaked" ] || fail "recommended movies the user rated (user,movie): $(echo "$leaked" | head -5 | tr '\n' ' ')"
# the check is not vacuous: with --include-seen rated movies do rank in the top-10
checks=$((checks + 1))
[ -n "$(sort -u "$tmp/recs_seen" | comm -12 - "$tmp/rated")" ] || fail "--include-seen shows no rated movie"
finish seen
