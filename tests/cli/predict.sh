#!/usr/bin/env bash
# The rating head on the command line: `towerlens train --rating-weight`,
# its JSON keys, saving it, and `towerlens predict`.
#   bash tests/cli/predict.sh path/to/towerlens
set -u
bin=${1:?usage: predict.sh path/to/towerlens}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

run() {
    local want=$1
    shift
    checks=$((checks + 1))
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    [ "$got" = "$want" ] || fail "towerlens $* exited $got, expected $want (stderr: $(head -c 300 "$tmp/err"))"
}

has() {
    checks=$((checks + 1))
    grep -qF -- "$2" "$tmp/$1" || fail "$1 of the last command lacks: $2 (got: $(head -c 400 "$tmp/$1"))"
}

# Generated data with taste: 150 users and 80 movies in 4 genres; users
# watch mostly their genre and rate it high (4-5), other genres low (1-2.5).
data="$tmp/gen"
mkdir -p "$data"
awk 'BEGIN {
    print "movieId,title,genres" > "'"$data"'/movies.csv"
    split("Action Comedy Drama Horror", g, " ")
    for (m = 1; m <= 80; m++) printf "%d,Movie %d (%d),%s\n", m, m, 1990 + m % 20, g[1 + m % 4] >> "'"$data"'/movies.csv"
    print "userId,movieId,rating,timestamp" > "'"$data"'/ratings.csv"
    s = 777
    for (u = 1; u <= 150; u++) {
        for (k = 0; k < 30; k++) {
            s = (s * 1103515245 + 12345) % 2147483648
            if (s % 10 < 7) m = 1 + ((u % 4) + 4 * (int(s / 16) % 20)) % 80; else m = 1 + int(s / 16) % 80
            if (m % 4 == u % 4) r = 4 + (int(s / 256) % 3) * 0.5; else r = 1 + (int(s / 256) % 4) * 0.5
            seen[u "," m]++
            if (seen[u "," m] == 1) printf "%d,%d,%.1f,%d\n", u, m, r, 900000000 + u * 100 + k >> "'"$data"'/ratings.csv"
        }
    }
}'

# help and argument errors
run 0 predict --help
has out "usage: towerlens predict --model FILE --user U --movie M [--json]"
run 0 train --help
has out "--rating-weight W"
has out "--retrieval-weight W"
has out "tfrs-multitask"
run 2 predict --model x.tlm --user 1
has err "--movie M are required"
run 2 predict --model x.tlm --user one --movie 2
has err "--user"
run 2 train "$data" --rating-weight -1
has err "--rating-weight"
run 1 train "$data" --rating-weight 0 --retrieval-weight 0
has err "the retrieval and rating weights are both 0: there is nothing to train"

# the original's multitask preset (smaller, to stay fast), human-readable
run 0 train "$data" --preset tfrs-multitask --dim 16 --batch 200 --epochs 2 --seed 3
has out "training preset tfrs-multitask: d=16, batch 200, 2 epochs"
has out "multitask: retrieval weight 1, rating weight 1, rating head 256 -> 128 -> 1"
has out "rating train RMSE"
has out "rmse"
has out "(protocol C, clipped to 0.5-5; baseline: bias)"

# the default joint model: JSON keys, a saved model, predictions
run 0 train "$data" --preset default --rating-weight 1 --batch 256 --epochs 4 --dim 16 --seed 3 --json --out "$tmp/joint.tlm"
cp "$tmp/out" "$tmp/joint.json"
checks=$((checks + 1))
python3 - "$tmp/joint.json" <<'PY' || fail "JSON checks of the joint model failed"
import json, sys
j = json.load(open(sys.argv[1]))
c = j["config"]
assert c["rating_weight"] == 1 and c["retrieval_weight"] == 1, c
h = c["rating_head"]
assert h["biases"] is True and h["activation"] == "relu" and h["clip"] == [0.5, 5], h
t, b = j["metrics"]["test"], j["baseline"]["test"]
for k in ("rmse", "mae", "top_100"):
    assert k in t, (k, t)
assert "rmse" in b and "mae" in b and j["baseline"]["rating_name"] == "bias", j["baseline"]
assert 0 < t["mae"] <= t["rmse"] < 2.5, t
assert t["rmse"] < b["rmse"], ("the head must beat biases on data with taste", t["rmse"], b["rmse"])
PY
# a retrieval-only run has no rating keys
run 0 train "$data" --batch 256 --epochs 1 --dim 8 --json --out "$tmp/retrieval.tlm"
checks=$((checks + 1))
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert "rmse" not in j["metrics"]["test"] and "rmse" not in j["baseline"]["test"] and "rating_head" not in j["config"] and j["config"]["rating_weight"] == 0' "$tmp/out" ||
    fail "a retrieval-only run reported rating keys"

run 0 predict --model "$tmp/joint.tlm" --user 5 --movie 2 --json
has out '"userId":5,"movieId":2,"title":"Movie 2","year":1992,"rating":'
cp "$tmp/out" "$tmp/p1.json"
run 0 predict --model "$tmp/joint.tlm" --user 5 --movie 2
has out "user 5, movie 2 (Movie 2, 1992): predicted rating "
# user 5 likes genre 5 % 4 = 1 (movies 1, 5, 9, ...): a liked movie rates above a disliked one
run 0 predict --model "$tmp/joint.tlm" --user 5 --movie 5 --json
cp "$tmp/out" "$tmp/p2.json"
checks=$((checks + 1))
python3 - "$tmp/p1.json" "$tmp/p2.json" <<'PY' || fail "predictions do not follow the user's taste"
import json, sys
other, liked = (json.load(open(p)) for p in sys.argv[1:3])
assert 0.5 <= other["rating"] <= 5 and 0.5 <= liked["rating"] <= 5
assert liked["rating"] > other["rating"] + 0.5, (liked, other)
PY
# the same prediction twice (deterministic), unknown ids named, retrieval-only models refused
run 0 predict --model "$tmp/joint.tlm" --user 5 --movie 2 --json
checks=$((checks + 1))
cmp -s "$tmp/out" "$tmp/p1.json" || fail "the same prediction differed"
run 1 predict --model "$tmp/joint.tlm" --user 99999 --movie 2
has err "99999"
run 1 predict --model "$tmp/joint.tlm" --user 5 --movie 4242
has err "4242"
run 1 predict --model "$tmp/retrieval.tlm" --user 5 --movie 2
has err "has no rating head"
run 1 predict --model "$tmp/missing.tlm" --user 5 --movie 2
has err "missing.tlm"

# rating only (weights 1/0): retrieval metrics still printed, the loss is the rating loss
run 0 train "$data" --preset tfrs-multitask --retrieval-weight 0 --dim 16 --batch 200 --epochs 2 --json
checks=$((checks + 1))
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["config"]["retrieval_weight"] == 0 and "rmse" in j["metrics"]["test"] and j["epochs"][0]["loss"] < 20' "$tmp/out" ||
    fail "the rating-only run is wrong: $(head -c 300 "$tmp/out")"

echo "predict.sh: $checks checks, $failures failed"
[ "$failures" = 0 ]
