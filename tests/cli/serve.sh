#!/usr/bin/env bash
# Serving from a model file: recommend, similar, foldin, export; filters,
# seen exclusion, JSON shape, messages and exit codes.
#   bash tests/cli/serve.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
export TMPJSON="$tmp/train.json"

data="$tmp/data"
taste_data "$data"
model="$tmp/m.tlm"
run 0 train "$data" --preset tfrs --epochs 20 --batch 64 --dim 8 --seed 3 --out "$model" --json
[ -s "$model" ] || fail "train --out wrote no model file"
cp "$tmp/out" "$tmp/train.json"

# eval on the same files and split reproduces train's numbers exactly
run 0 eval --model "$model" "$data" --seed 3 --json
js 'JSON.stringify(o.metrics) === JSON.stringify(require(process.env.TMPJSON).metrics)'
js 'JSON.stringify(o.baseline) === JSON.stringify(require(process.env.TMPJSON).baseline)'
js 'o.unknown_users === 0 && o.unknown_movies === 0 && o.metrics.test.top_100 > 0'
run 0 eval --model "$model" "$data" --seed 3
has out "test metrics"
has out "recall_at_20"
run 1 eval --model "$tmp/none.tlm" "$data"
has err "cannot open the model file"
run 2 eval "$data"
has err "--model FILE is required"

run 0 recommend --help
has out "--include-seen"
run 0 recommend --model "$model" --user 5 -k 5 --json
js 'o.items.length === 5'
js 'o.items.every(i => ["movieId","title","year","genres","score","ratings"].every(k => k in i))'
js 'o.items.every((i, n) => n === 0 || o.items[n - 1].score >= i.score)'
# seen movies (train split of user 5) never come back by default; with
# --include-seen the whole ranking is back, so some are
run 0 recommend --model "$model" --user 5 -k 40 --json
js 'o.items.length < 40'
n_unseen=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).items.length)' "$tmp/out")
run 0 recommend --model "$model" --user 5 -k 40 --include-seen --json
js 'o.items.length === 40'
[ "$n_unseen" -lt 40 ] || fail "seen movies were not excluded"
# user 5 likes genre 1 = Comedy (m % 4 == 1): the top unseen pick is a Comedy
run 0 recommend --model "$model" --user 5 -k 1 --include-seen --json
js 'o.items[0].genres.includes("Comedy")'
# filters
run 0 recommend --model "$model" --user 5 -k 10 --genre drama --include-seen --json
js 'o.items.length === 10 && o.items.every(i => i.genres.includes("Drama"))'
run 0 recommend --model "$model" --user 5 -k 40 --years 1990-1999 --include-seen --json
js 'o.items.length === 10 && o.items.every(i => i.year >= 1990 && i.year <= 1999)'
run 0 recommend --model "$model" --user 5 -k 3 --include-seen
has out "1. "
# errors
run 1 recommend --model "$model" --user 999 -k 5
has err "unknown user 999"
run 2 recommend --model "$model" --user abc
has err "--user must be a MovieLens id"
run 1 recommend --model "$model" --user 5 --genre Western
has err "unknown genre \"Western\"; the genres are: Action, Comedy, Drama, Horror"
run 1 recommend --model "$model" --user 5 --years 1999-1990
has err "runs backwards"
run 2 recommend --user 5
has err "--model FILE and --user U are required"
run 1 recommend --model "$tmp/nothing.tlm" --user 5
has err "cannot open the model file"
head -c 1000 "$model" >"$tmp/cut.tlm"
run 1 recommend --model "$tmp/cut.tlm" --user 5
has err "corrupt model file"
run 1 recommend --model "$data/movies.csv" --user 5
has err "not a towerlens model file"

# similar: never the movie itself; titles with commas and quotes survive
run 0 similar --model "$model" --movie 7 -k 5 --json
js 'o.items.length === 5 && o.items.every(i => i.movieId !== 7)'
run 0 similar --model "$model" --movie 40 -k 39 --json
js 'o.items.some(i => i.title === "Heat, the \"Movie\"" && i.year === 1987)'
run 1 similar --model "$model" --movie 4242
has err "unknown movie 4242"

# foldin: a new visitor who likes Horror (m % 4 == 3) gets Horror, never what they rated
run 0 foldin --model "$model" --rated 3:5,7:4.5,11:5 -k 3 --json
js 'o.items.length === 3 && o.items.every(i => ![3, 7, 11].includes(i.movieId))'
js 'o.items[0].genres.includes("Horror")'
run 1 foldin --model "$model" --rated 3:9
has err "rating \"9\" for movie 3 is not a number from 0.5 to 5"
run 1 foldin --model "$model" --rated 3-5
has err "--rated must look like MOVIE:RATING"
run 1 foldin --model "$model" --rated 3:5,4242:4
has err "unknown movie 4242"

# export: ids beside vectors, no out-of-vocabulary row
run 0 export --model "$model" --out "$tmp/csv"
checks=$((checks + 1))
[ "$(head -1 "$tmp/csv/movies.csv")" = "movieId,e0,e1,e2,e3,e4,e5,e6,e7" ] || fail "movies.csv header"
checks=$((checks + 1))
[ "$(wc -l <"$tmp/csv/movies.csv")" = 41 ] && [ "$(wc -l <"$tmp/csv/users.csv")" = 81 ] || fail "export row counts"
run 0 export --model "$model" --out "$tmp/npy" --format npy
checks=$((checks + 1))
[ "$(head -c 6 "$tmp/npy/users.npy" | tail -c 5)" = "NUMPY" ] || fail "users.npy magic"
checks=$((checks + 1))
[ $(( $(stat -c %s "$tmp/npy/movies.npy") % 64 )) = $(( (40 * 8 * 4) % 64 )) ] || fail "movies.npy size"
run 2 export --model "$model" --out "$tmp/x" --format parquet
has err "--format must be csv or npy"

finish serve.sh
