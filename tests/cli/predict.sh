#!/usr/bin/env bash
# The rating head on the command line: `towerlens train --rating-weight`,
# its JSON keys, saving it, and `towerlens predict`.
#   bash tests/cli/predict.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"

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
run 1 train "$data" --preset tfrs --rating-weight 0 --retrieval-weight 0
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
js 'o.config.rating_weight === 1 && o.config.retrieval_weight === 1'
js 'o.config.rating_head.biases === true && o.config.rating_head.activation === "relu" && o.config.rating_head.clip.join() === "0.5,5"'
js '["rmse", "mae", "top_100"].every((k) => k in o.metrics.test)'
js '"rmse" in o.baseline.test && "mae" in o.baseline.test && o.baseline.rating_name === "bias"'
js '0 < o.metrics.test.mae && o.metrics.test.mae <= o.metrics.test.rmse && o.metrics.test.rmse < 2.5'
js 'o.metrics.test.rmse < o.baseline.test.rmse' # the head beats biases on data with taste
# towerlens eval on the saved joint model: the same protocol C numbers train printed
run 0 eval --model "$tmp/joint.tlm" "$data" --seed 3 --json
checks=$((checks + 1))
node -e 'const [a, b] = process.argv.slice(1).map((p) => JSON.parse(require("fs").readFileSync(p, "utf8")));
         process.exit(a.metrics.test.rmse === b.metrics.test.rmse && a.baseline.test.rmse === b.baseline.test.rmse &&
                      a.metrics.test.mae === b.metrics.test.mae ? 0 : 1);' "$tmp/out" "$tmp/joint.json" ||
    fail "eval of the saved joint model differs from train: $(head -c 300 "$tmp/out")"
# a retrieval-only run has no rating keys
run 0 train "$data" --preset tfrs --batch 256 --epochs 1 --dim 8 --json --out "$tmp/retrieval.tlm"
js '!("rmse" in o.metrics.test) && !("rmse" in o.baseline.test) && !("rating_head" in o.config) && o.config.rating_weight === 0'

run 0 predict --model "$tmp/joint.tlm" --user 5 --movie 2 --json
has out '"userId":5,"movieId":2,"title":"Movie 2","year":1992,"rating":'
cp "$tmp/out" "$tmp/p1.json"
run 0 predict --model "$tmp/joint.tlm" --user 5 --movie 2
has out "user 5, movie 2 (Movie 2, 1992): predicted rating "
# user 5 likes genre 5 % 4 = 1 (movies 1, 5, 9, ...): a liked movie rates above a disliked one
run 0 predict --model "$tmp/joint.tlm" --user 5 --movie 5 --json
cp "$tmp/out" "$tmp/p2.json"
checks=$((checks + 1))
node -e 'const [o, l] = process.argv.slice(1).map((p) => JSON.parse(require("fs").readFileSync(p, "utf8")));
         process.exit(o.rating >= 0.5 && o.rating <= 5 && l.rating >= 0.5 && l.rating <= 5 && l.rating > o.rating + 0.5 ? 0 : 1);' \
    "$tmp/p1.json" "$tmp/p2.json" || fail "predictions do not follow the user's taste: $(cat "$tmp/p1.json" "$tmp/p2.json")"
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
js 'o.config.retrieval_weight === 0 && "rmse" in o.metrics.test && o.epochs[0].loss < 20'

finish predict.sh
