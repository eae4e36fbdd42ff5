#!/usr/bin/env bash
# `towerlens train`: outputs, determinism, messages and exit codes.
#   bash tests/cli/train.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"

# A generated MovieLens-style folder: 120 users, 60 movies in 4 genres;
# each user rates movies of "their" genre mostly, so there is signal.
data="$tmp/gen"
mkdir -p "$data"
awk 'BEGIN {
    print "movieId,title,genres" > "'"$data"'/movies.csv"
    split("Action Comedy Drama Horror", g, " ")
    for (m = 1; m <= 60; m++) printf "%d,Movie %d (%d),%s\n", m, m, 1990 + m % 20, g[1 + m % 4] >> "'"$data"'/movies.csv"
    print "userId,movieId,rating,timestamp" > "'"$data"'/ratings.csv"
    s = 12345
    for (u = 1; u <= 120; u++) {
        for (k = 0; k < 25; k++) {
            s = (s * 1103515245 + 12345) % 2147483648
            if (s % 10 < 8) m = 1 + (u % 4) + 4 * (int(s / 16) % 15); else m = 1 + int(s / 16) % 60
            seen[u "," m]++
            if (seen[u "," m] == 1) printf "%d,%d,%.1f,%d\n", u, m, 1 + (s % 9) * 0.5, 900000000 + u * 100 + k >> "'"$data"'/ratings.csv"
        }
    }
}'
rows=$(($(wc -l <"$data/ratings.csv") - 1))

# help
run 0 train --help
has out "usage: towerlens train PATH..."
has out "--preset NAME"
has out "--train-rows N"
has out "--json"
run 0 --help
has out "train"

# argument errors
run 2 train
has err "missing PATH"
run 2 train --preset fast "$data"
has err "unknown preset \"fast\" (known: tfrs, default, tfrs-multitask, popularity, ease, blend, ials)"
run 2 train --dim 0 "$data"
has err "--dim must be"
run 2 train --test-rows 10 "$data"
has err "--test-rows needs --train-rows"
run 1 train --train-rows 100000 --test-rows 5 "$data"
has err "exceed the $rows ratings in the data"
run 1 train "$tmp/missing"
has err "$tmp/missing"
run 1 train --preset default --solver lu "$data"
has err "unknown iALS solver \"lu\" (known: exact, cg)"
run 2 train --preset default --cg-steps 0 "$data"
has err "--cg-steps must be a whole number from 1 to 64"
run 1 train --preset tfrs --solver cg "$data"
has err "solver: only the default preset's iALS has a solver choice"

# a human-readable run
run 0 train "$data" --preset tfrs --epochs 2 --batch 256 --seed 7
has out "training preset tfrs: d=32, batch 256, 2 epochs"
has out "first batch loss"
has out "epoch 1/2  loss"
has out "epoch 2/2  loss"
has out "top_100"
has out "popularity"
has out "model hash"

# --json: the documented keys, a bit-identical rerun, the first loss near B ln B
run 0 train "$data" --preset tfrs --epochs 3 --batch 256 --dim 16 --seed 7 --json --out "$tmp/model.tlm"
cp "$tmp/out" "$tmp/a.json"
for key in '"epochs":[{"epoch":1,"loss":' '"epoch":3,' '"metrics":{"test":{"top_1":' '"top_100":' \
    '"recall_at_20":' '"ndcg_at_10":' '"ndcg_at_100":' '"coverage_at_10":' '"baseline":{"name":"popularity","test":{' \
    '"peak_bytes":' '"model_hash":"' '"seconds":' '"preset":"tfrs"' '"dim":16'; do
    has out "$key"
done
checks=$((checks + 1))
python3 - "$tmp/a.json" <<'PY' || fail "JSON checks failed"
import json, math, sys
j = json.load(open(sys.argv[1]))
assert [e["epoch"] for e in j["epochs"]] == [1, 2, 3], j["epochs"]
assert j["epochs"][2]["loss"] < j["epochs"][0]["loss"], "the loss must fall"
b = 256
assert abs(j["first_batch_loss"] - b * math.log(b)) < 0.01 * b * math.log(b), j["first_batch_loss"]
for side in ("metrics", "baseline"):
    t = j[side]["test"]
    for k in ("top_1", "top_5", "top_10", "top_50", "top_100", "recall_at_20", "ndcg_at_10", "ndcg_at_100", "coverage_at_10"):
        assert 0 <= t[k] <= 1, (side, k, t[k])
    assert t["top_1"] <= t["top_5"] <= t["top_10"] <= t["top_50"] <= t["top_100"]
assert j["metrics"]["test"]["top_10"] > 0.3, j["metrics"]["test"]  # the generated data has strong signal
assert j["peak_bytes"] > 0 and len(j["model_hash"]) == 16
PY
checks=$((checks + 1))
head -c 7 "$tmp/model.tlm" | grep -q TLMODEL || fail "--out did not write a model file"
# the saved model serves: recommend reads it back
run 0 recommend --model "$tmp/model.tlm" --user 5 -k 3 --json
has out '"items":[{"movieId":'
run 0 train "$data" --preset tfrs --epochs 3 --batch 256 --dim 16 --seed 7 --json
h1=$(grep -o '"model_hash":"[0-9a-f]*"' "$tmp/a.json")
h2=$(grep -o '"model_hash":"[0-9a-f]*"' "$tmp/out")
checks=$((checks + 1))
[ -n "$h1" ] && [ "$h1" = "$h2" ] || fail "same options gave different models: $h1 vs $h2"
run 0 train "$data" --preset tfrs --epochs 3 --batch 256 --dim 16 --seed 8 --json
h3=$(grep -o '"model_hash":"[0-9a-f]*"' "$tmp/out")
checks=$((checks + 1))
[ "$h1" != "$h3" ] || fail "a different seed gave the same model"

# preset default (iALS): its own header, config keys, an objective that never rises
run 0 train "$data" --preset default --epochs 3 --dim 8
has out "training preset default: iALS d=8, 3 epochs, a0 0.1, lam 0.02, rating confidence 0.5, solver cg, 3 steps per row"
run 0 train "$data" --preset default --epochs 3 --dim 8 --solver exact
has out "rating confidence 0.5, solver exact, 4096 row solves"
has out "epoch 3/3  loss"
run 0 train "$data" --preset default --epochs 3 --dim 8 --json
for key in '"preset":"default"' '"loss":"ials","optimizer":"cg_als","cg_steps":3' '"ials_unobserved":0.1,"ials_reg":0.02,"ials_confidence":0.5'; do
    has out "$key"
done
checks=$((checks + 1))
python3 - "$tmp/out" <<'PY' || fail "iALS JSON checks failed"
import json, sys
j = json.load(open(sys.argv[1]))
l = [e["loss"] for e in j["epochs"]]
assert len(l) == 3 and l[0] >= l[1] >= l[2] > 0, l
t, p = j["metrics"]["test"], j["baseline"]["test"]
assert t["recall_at_20"] > p["recall_at_20"], (t, p)
PY

# evaluation sampling: defaults that leave small test sets whole, seeded samples
# with their counts, the same sample (and metrics) from train and eval
run 0 train "$data" --epochs 1 --batch 256 --dim 8 --seed 7 --json
checks=$((checks + 1))
python3 - "$tmp/out" "$rows" <<'PY' || fail "default evaluation coverage is wrong"
import json, sys
e = json.load(open(sys.argv[1]))["evaluated"]
test_rows = int(sys.argv[2]) - int(int(sys.argv[2]) * 0.8 + 0.5)
assert e["sampled"] is False and e["max_rows"] == 0 and e["max_users"] == 5000 and e["seed"] == 7, e
assert e["rows"] == e["rows_total"] and abs(e["rows"] - test_rows) <= 1, (e, test_rows)
assert 100 < e["users_total"] <= 120 and e["users"] <= e["users_total"], e
PY
run 0 train "$data" --epochs 1 --batch 256 --dim 8 --seed 7 --eval-rows 100 --eval-users 60 --out "$tmp/s.tlm"
has out "evaluated on a seeded sample (seed 7): 100 of "
has out "test metrics (100 rows, "
run 0 train "$data" --epochs 1 --batch 256 --dim 8 --seed 7 --eval-rows 100 --eval-users 60 --json
cp "$tmp/out" "$tmp/s1.json"
run 0 eval --model "$tmp/s.tlm" "$data" --seed 7 --eval-rows 100 --eval-users 60 --json
cp "$tmp/out" "$tmp/s2.json"
run 0 train "$data" --epochs 1 --batch 256 --dim 8 --seed 7 --eval-rows 100 --eval-users 60 --json
cp "$tmp/out" "$tmp/s3.json"
checks=$((checks + 1))
python3 - "$tmp/s1.json" "$tmp/s2.json" "$tmp/s3.json" <<'PY' || fail "sampled evaluation checks failed"
import json, sys
a, b, c = (json.load(open(f)) for f in sys.argv[1:4])
e = a["evaluated"]
assert e["sampled"] is True and e["rows"] == 100 and e["max_rows"] == 100 and e["max_users"] == 60, e
assert 0 < e["users"] <= 60 < e["users_total"] and e["rows_total"] > 100 and e["seed"] == 7, e
assert a["metrics"] == c["metrics"] and a["evaluated"] == c["evaluated"], "same seed, different metrics"
assert a["metrics"] == b["metrics"] and a["baseline"] == b["baseline"] and a["evaluated"] == b["evaluated"], \
    ("train and eval sampled differently", a["evaluated"], b["evaluated"])
PY
run 0 train "$data" --epochs 1 --batch 256 --dim 8 --seed 7 --eval-rows 0 --eval-users 0 --json
has out '"sampled":false,"max_rows":0,"max_users":0'

# the visitor prior (docs/training.md "Visitors"): off unless given, W3,W10 in the config and the file
run 1 train "$data" --visitor-prior 4
has err "--visitor-prior wants auto, off or two numbers W3,W10"
run 1 train "$data" --visitor-prior 4,-1
has err "visitor prior weights 4, -1 are outside 0-1000"
run 0 train "$data" --epochs 1 --dim 8 --test-fraction 0 --visitor-prior 4,3 --out "$tmp/prior.tlm" --json
has out '"visitor_prior":{"w3":4,"w10":3}'
run 0 info --model "$tmp/prior.tlm"
has out '"visitor_prior":{"w3":4,"w10":3}'
run 0 foldin --model "$tmp/prior.tlm" --rated 1:5,5:4,9:4.5 -k 5
has out "1. "
# chosen at training by default (preset default), said after training and kept in the file; off on request
run 0 train "$src/data/demo" --epochs 2 --test-fraction 0 --out "$tmp/auto.tlm"
has out "visitor prior: w3 "
has out "chosen on validation users"
run 0 info --model "$tmp/auto.tlm"
has out '"visitor_prior":{"auto":true,"w3":'
run 0 train "$src/data/demo" --epochs 1 --visitor-prior off --json
has out '"visitor_prior":{"status":"fixed","w3":0,"w10":0}'
run 0 train "$data" --epochs 1 --preset tfrs --json
has out '"visitor_prior":{"status":"fixed","w3":0,"w10":0}'

finish train.sh
