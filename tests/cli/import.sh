#!/usr/bin/env bash
# towerlens import: export -> import round trips (CSV and .npy) serve the
# same fold-in, similar and recommend answers; hand-written factors serve
# the top-k computed by hand; the user budget; Spark ALS fold-in; bad
# factor files are file:line errors.
#   bash tests/cli/import.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
ff="$fx/factors"

# ---- hand-written factors (tests/fixtures/factors/README.md) ----
hand="$tmp/hand.tlm"
run 0 import --movie-factors "$ff/movie_factors.csv" --user-factors "$ff/user_factors.csv" --movies "$ff/movies.csv" --out "$hand" --json
js 'o.movies === 5 && o.dim === 2 && o.users === 2 && o.users_skipped === null && o.movies_without_factors === 1'
run 0 recommend --model "$hand" --user 10 -k 5 --json
js 'o.items.map(i => i.movieId).join() === "1,3,5,2,4"'
js 'Math.abs(o.items[1].score - 0.76) < 1e-6 && o.items[1].title === "Northeast" && o.items[1].year === 1992'
run 0 recommend --model "$hand" --user 20 -k 3 --json
js 'o.items.map(i => i.movieId).join() === "2,3,5"'
run 0 similar --model "$hand" --movie 1 -k 2 --json
js 'o.items.map(i => i.movieId).join() === "5,3" && Math.abs(o.items[0].score - Math.SQRT1_2) < 1e-6'
run 1 similar --model "$hand" --movie 6
has err "6"
run 0 import --movie-factors "$ff/movie_factors.csv" --movies "$ff/movies.csv" --out "$tmp/h2.tlm"
has out "imported 5 movies x 2 factors"
has out "1 movies of"

# ---- bad inputs: file:line: reason, exit 1; usage errors exit 2 ----
run 1 import --movie-factors "$ff/ragged.csv" --movies "$ff/movies.csv" --out "$tmp/x.tlm"
has err "ragged.csv:3: 3 factors, expected 2 as in line 2"
run 1 import --movie-factors "$ff/nan.csv" --movies "$ff/movies.csv" --out "$tmp/x.tlm"
has err "nan.csv:3: value 1 (e0) \"NaN\" is not a finite number"
run 1 import --movie-factors "$ff/duplicate.csv" --movies "$ff/movies.csv" --out "$tmp/x.tlm"
has err "duplicate.csv:4: id 1 appears again (first at line 2)"
run 1 import --movie-factors "$ff/unknown.csv" --movies "$ff/movies.csv" --out "$tmp/x.tlm"
has err "unknown.csv:3: movie id 77 is not in the movies file"
run 0 import --movie-factors "$ff/unknown.csv" --movies "$ff/movies.csv" --skip-unknown --out "$tmp/x.tlm" --json
js 'o.movies === 1 && o.unknown_ids_skipped === 1 && o.first_unknown_id === 77'
has err "warning: 1 factor rows name movies"
run 1 import --movie-factors "$ff/movie_factors.csv" --user-factors "$ff/users_dim3.csv" --movies "$ff/movies.csv" --out "$tmp/x.tlm"
has err "users_dim3.csv:2: 3 factors per row, but the movie factors"
run 1 import --movie-factors "$ff/movie_factors.csv" --movies "$ff/movie_factors.csv" --out "$tmp/x.tlm"
has err "movie_factors.csv"
run 1 import --movie-factors "$tmp/none.csv" --movies "$ff/movies.csv" --out "$tmp/x.tlm"
has err "none.csv"
run 1 import --movie-factors "$ff/movie_factors.csv" --movie-ids "$ff/movie_factors.csv" --movies "$ff/movies.csv" --out "$tmp/x.tlm"
has err "an ids file goes with a .npy table only"
run 2 import --movie-factors "$ff/movie_factors.csv" --out "$tmp/x.tlm"
has err "--movies FILE"
run 2 import --movie-factors "$ff/movie_factors.csv" --movies "$ff/movies.csv" --out "$tmp/x.tlm" --foldin spark
has err "--foldin must be default, als or ials"
run 0 import --help
has out "--max-user-mb"

# ---- round trip: train, export, import; the same answers ----
data="$tmp/data"
taste_data "$data"
model="$tmp/m.tlm"
run 0 train "$data" --preset tfrs --epochs 10 --batch 64 --dim 8 --seed 3 --out "$model"
run 0 export --model "$model" --out "$tmp/csv"
run 0 export --model "$model" --out "$tmp/npy" --format npy
run 0 import --movie-factors "$tmp/csv/movies.csv" --user-factors "$tmp/csv/users.csv" --movies "$data/movies.csv" --out "$tmp/ic.tlm" --json
js 'o.movies === 40 && o.users === 80 && o.dim === 8 && o.movies_without_factors === 0'
run 0 import --movie-factors "$tmp/npy/movies.npy" --movie-ids "$tmp/npy/movies_ids.npy" --user-factors "$tmp/npy/users.npy" \
    --user-ids "$tmp/npy/users_ids.npy" --movies "$data/movies.csv" --out "$tmp/in.tlm" --json
js 'o.movies === 40 && o.users === 80'

# ranked ids and scores of a command's JSON, for comparing models
ranked() { node -e 'const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
                    console.log(o.items.map(i => i.movieId + ":" + i.score).join(" "))' "$tmp/out"; }
same() { # same NAME ARGS...: the three models answer ARGS identically
    local name=$1 a b c
    shift
    run 0 "$@" --model "$model" --json; a=$(ranked)
    run 0 "$@" --model "$tmp/ic.tlm" --json; b=$(ranked)
    run 0 "$@" --model "$tmp/in.tlm" --json; c=$(ranked)
    checks=$((checks + 1))
    [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ] || fail "$name differs after export -> import: $a | $b | $c"
}
same "foldin" foldin --rated 1:5,5:4.5,9:4,13:2 -k 10
same "foldin filtered" foldin --rated 2:5,6:1 -k 5 --genre Comedy
same "similar" similar --movie 7 -k 10
same "recommend" recommend --user 5 -k 10 --include-seen

# ---- the user budget: over it users are skipped and served by fold-in ----
run 0 import --movie-factors "$tmp/csv/movies.csv" --user-factors "$tmp/csv/users.csv" --movies "$data/movies.csv" --max-user-mb 0 --out "$tmp/nu.tlm"
has out "user factors skipped"
has out "served by fold-in"
run 1 recommend --model "$tmp/nu.tlm" --user 5
has err "unknown user 5"
run 0 foldin --model "$tmp/nu.tlm" --rated 1:5,5:4.5 -k 3 --json
js 'o.items.length === 3'

# ---- Spark ALS fold-in recorded in the model and used by foldin ----
run 0 import --movie-factors "$ff/movie_factors.csv" --movies "$ff/movies.csv" --foldin als --reg 0.5 --out "$tmp/als.tlm"
has out "reg 0.5 x each visitor's rating count"
# rated 1 -> 4, 2 -> 2: (I + 0.5*2 I) u = (4, 2): u = (2, 1); 3 scores 2*0.6 + 0.8 = 2.0, 5 1.5, 4 -2
run 0 foldin --model "$tmp/als.tlm" --rated 1:4,2:2 -k 3 --json
js 'o.items.map(i => i.movieId).join() === "3,5,4" && Math.abs(o.items[0].score - 2) < 1e-6 && Math.abs(o.items[1].score - 1.5) < 1e-6'
run 0 import --movie-factors "$ff/movie_factors.csv" --movies "$ff/movies.csv" --foldin ials --reg 0.1 --alpha 40 --out "$tmp/ials.tlm"
run 0 foldin --model "$tmp/ials.tlm" --rated 1:4,2:2 -k 3 --json
js 'o.items.length === 3 && o.items[0].movieId === 3'

finish import
