#!/usr/bin/env bash
# Data that is not MovieLens: an interactions CSV read by column names
# (string ids, no rating = implicit feedback), an items file for titles,
# train -> model file -> recommend / similar / foldin with the string ids in
# the JSON, and errors naming file:line or the columns found.
#   bash tests/cli/owndata.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"

# 60 users "cust-N", 24 items "sku-N" in 3 groups; user u buys the items of
# group u % 3 (and a few others). Columns in an unusual order, no rating.
d="$tmp/shop"
mkdir -p "$d"
awk -v dir="$d" 'BEGIN {
    print "bought_at,sku,customer" > dir "/events.csv"
    for (u = 0; u < 60; u++)
        for (i = 0; i < 24; i++)
            if (i % 3 == u % 3 || (i + u) % 11 == 0)
                printf "%d,sku-%d,cust-%d\n", 1700000000 + u * 50 + i, i, u >> dir "/events.csv"
    print "sku,name" > dir "/items.csv"
    for (i = 0; i < 24; i++) printf "sku-%d,\"Item %d, group %d\"\n", i, i, i % 3 >> dir "/items.csv"
}'
cols=(--format csv --user-col customer --item-col sku --time-col bought_at --items "$d/items.csv" --title-col name)

run 0 stats "$d/events.csv" "${cols[@]}" --json
js 'o.users === 60 && o.movies === 24 && o.implicit === true && o.rating_min === 5 && o.first_timestamp === 1700000000'

model="$tmp/shop.tlm"
run 0 train "$d/events.csv" "${cols[@]}" --preset default --epochs 8 --dim 8 --seed 5 --out "$model" --json
js 'o.metrics.test.ndcg_at_10 > o.baseline.test.ndcg_at_10 + 0.2'

run 0 recommend --model "$model" --user cust-4 -k 5 --include-seen --json
# cust-4 is in group 1: its best items are group 1's
js 'o.items.length === 5 && o.items.every((x) => typeof x.movieId === "string" && /^sku-\d+$/.test(x.movieId))'
js 'o.items.every((x) => Number(x.movieId.slice(4)) % 3 === 1)'
js 'o.items[0].title.startsWith("Item ") && o.items[0].title.endsWith(", group " + (Number(o.items[0].movieId.slice(4)) % 3))'

run 0 similar --model "$model" --movie sku-6 -k 3 --json
js 'o.items.every((x) => x.movieId !== "sku-6" && Number(x.movieId.slice(4)) % 3 === 0)'

run 0 foldin --model "$model" --rated sku-2:5,sku-5:5,sku-8:5 -k 3 --json
js 'o.items.every((x) => Number(x.movieId.slice(4)) % 3 === 2 && !["sku-2", "sku-5", "sku-8"].includes(x.movieId))'

run 0 recommend --model "$model" --user cust-4 -k 2
has out "[id sku-"

# eval on the same files gives train's numbers; on other files it refuses to line string ids up
run 0 eval --model "$model" "$d/events.csv" "${cols[@]}" --seed 5 --json
js 'o.metrics.test.ndcg_at_10 > o.baseline.test.ndcg_at_10 + 0.2'
printf 'sku,customer\nsku-1,cust-0\nsku-2,cust-77\n' >"$tmp/other.csv"
run 1 eval --model "$model" "$tmp/other.csv" --user-col customer --item-col sku
has err "the user ids differ (number 2 in byte order: \"cust-1\" vs \"cust-77\")"

run 1 recommend --model "$model" --user cust-999
has err "unknown user \"cust-999\""
run 1 similar --model "$model" --movie 6
has err "unknown movie \"6\""

# numeric ids in such a file stay numbers, exactly as MovieLens ids
printf 'item_id,user_id\n10,1\n20,1\n10,2\n30,2\n20,3\n30,3\n10,4\n' >"$tmp/num.csv"
run 0 train "$tmp/num.csv" --format csv --epochs 2 --dim 4 --test-fraction 0.2 --out "$tmp/num.tlm"
run 0 recommend --model "$tmp/num.tlm" --user 1 --json --include-seen
js 'o.items.length === 3 && o.items.every((x) => typeof x.movieId === "number")'
run 2 recommend --model "$tmp/num.tlm" --user abc
has err "--user must be a MovieLens id"

# MovieLens' ratings.csv read by column names is the same data: same summary, same model
run 0 stats "$fx/small/ratings.csv" --json
cp "$tmp/out" "$tmp/ml.json"
run 0 stats "$fx/small/ratings.csv" --format csv --user-col userId --item-col movieId --rating-col rating --time-col timestamp --json
cmp -s "$tmp/out" "$tmp/ml.json" || fail "ratings.csv read by column names gives another summary: $(cat "$tmp/out")"
run 0 train "$fx/small/ratings.csv" --preset default --epochs 2 --dim 8 --json
hash=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).model_hash)' "$tmp/out")
run 0 train "$fx/small/ratings.csv" --user-col userId --item-col movieId --rating-col rating --preset default --epochs 2 --dim 8 --json
js "o.model_hash === '$hash'"

# errors: the columns found, file:line, bad options
run 1 stats "$d/events.csv" --format csv --user-col user_id --item-col sku
has err "events.csv:1: no column \"user_id\" in the header; its columns are: \"bought_at\", \"sku\", \"customer\""
printf 'u,i,r\na,b,4\na,c,nine\n' >"$tmp/bad.csv"
run 1 stats "$tmp/bad.csv" --user-col u --item-col i --rating-col r
has err "bad.csv:3: rating \"nine\" is not a number"
run 1 stats "$d/events.csv" --format parquet
has err "--format must be movielens or csv"
run 1 stats "$d/events.csv" --format movielens --user-col customer
has err "need --format csv"
# without the options, it is still read as MovieLens and refused as before
run 1 stats "$d/events.csv"
has err "events.csv"

finish owndata
