#!/usr/bin/env bash
# Evaluate on a split, then serve a model trained on everything: train
# --test-fraction 0 (or --train-rows ALL --test-rows 0) trains on every
# rating and says there are no held-out metrics; the model file records its
# training rows (info, --json); eval refuses a model that saw the test rows
# (trained on all, on another split, or on other data); saved models of
# every format version are described.
#   bash tests/cli/trained_on.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
demo="$src/data/demo"
opts=(--epochs 2 --dim 16)

run 0 train "$demo" "${opts[@]}" --test-fraction 0 --out "$tmp/all.tlm"
has out "trained on all 50000 ratings"
has out "no held-out metrics: every rating trained the model (test share 0)"
checks=$((checks + 1))
! grep -q "test metrics" "$tmp/out" || fail "metrics printed for a model without test rows"
run 0 train "$demo" "${opts[@]}" --test-fraction 0 --json
js 'o.metrics === null && o.baseline === null && !("evaluated" in o)'
js 'JSON.stringify(o.trained_on) === JSON.stringify({ratings: 50000, totalRatings: 50000, testRatings: 0, seed: 42, all: true})'
js 'o.config.split.train === 50000 && o.config.split.test === 0'
run 0 train "$demo" "${opts[@]}" --train-rows 50000 --test-rows 0 --json
js 'o.trained_on.all === true && o.metrics === null'

run 0 info --model "$tmp/all.tlm"
has out "trained on   all 50000 ratings"
has out "seen         every rating of each user"
run 0 info --model "$tmp/all.tlm" --json
js 'o.format_version === 2 && o.trained_on.all === true && o.seen === "all" && o.config.preset === "default"'

# eval refuses a model that saw the test rows
run 1 eval --model "$tmp/all.tlm" "$demo"
has err "the model was trained on all 50000 ratings, so it has no held-out rows"
run 0 train "$demo" "${opts[@]}" --seed 5 --out "$tmp/s5.tlm" --json
js 'JSON.stringify(o.trained_on) === JSON.stringify({ratings: 40000, totalRatings: 50000, testRatings: 10000, seed: 5, all: false})'
run 0 eval --model "$tmp/s5.tlm" "$demo" --seed 5 --json
js 'o.trained_on.seed === 5 && o.metrics.test.recall_at_20 > 0'
run 1 eval --model "$tmp/s5.tlm" "$demo" --seed 6
has err "the model was trained on another split (seed 5, 40000 train / 10000 test rows)"
has err "--seed 5"
run 1 eval --model "$tmp/s5.tlm" "$demo" --seed 5 --test-fraction 0.3
has err "trained on another split"
run 1 eval --model "$tmp/s5.tlm" "$fx/small" --seed 5
has err "the model was trained on other ratings"
run 1 eval --model "$tmp/s5.tlm" "$demo" --seed 5 --test-fraction 0
has err "this split has no test rows to evaluate on"

# a format-1 model: not recorded, evaluated with a note
run 0 info --model "$fx/models/v1-default.tlm" --json
js 'o.format_version === 1 && o.trained_on === null && o.seen === "train"'
run 0 eval --model "$fx/models/v1-default.tlm" "$fx/small"
has out "does not record which rows trained it"
run 0 recommend --model "$fx/models/v1-default.tlm" --user 1 -k 3 --json
js 'o.items.map(i => i.movieId).join() === "50,3,60"'
run 0 recommend --model "$fx/models/v2-default.tlm" --user 1 -k 3 --json
js 'o.items.map(i => i.movieId).join() === "50,60,70"'
finish trained_on
