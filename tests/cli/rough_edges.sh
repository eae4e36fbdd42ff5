#!/usr/bin/env bash
# What first users hit: train defaults to the default model (tfrs one flag
# away), --lr says what it does per preset, counts read "1 rating" not
# "1 ratings", test shares are range-checked, scripts/demo --help prints help
# naming itself without installing or building anything.
#   bash tests/cli/rough_edges.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
small="$fx/small"

run 0 train --help
has out "default (the default model: iALS with rating-value confidence, blended per user with EASE"
has out "used when --preset is not given: iALS d=64, 8 epochs"
has out "iALS solves each row in closed form (exact or CG) and has no learning rate"
has out "0 trains on every rating"
run 0 train "$small" --epochs 1 --dim 4
has out "training preset default: iALS d=4"
run 0 train "$small" --preset tfrs --epochs 1 --dim 4 --batch 8
has out "training preset tfrs: d=4, batch 8"

# plurals: in the small fixture movie 50 has 1 rating and 1 test user is evaluated
run 0 train "$small" --epochs 1 --dim 4 --out "$tmp/m.tlm"
has out "test metrics (2 rows, 1 user)"
run 0 recommend --model "$tmp/m.tlm" --user 1 -k 12 --include-seen
has out "[id 50, 1 rating;"
has out "[id 1, 3 ratings;"
checks=$((checks + 1))
! grep -qE '(^|[^0-9])1 (ratings|users|movies|rows)' "$tmp/out" || fail "a plural after 1: $(grep -E '(^|[^0-9])1 (ratings|users|movies|rows)' "$tmp/out")"
run 0 stats "$small"
has out "warning      1 rating of 1 movie that is not in the movies file"

# test shares: 0 to 0.5
run 2 train "$small" --test-fraction 0.6
has err "--test-fraction must be a number from 0 to 0.5"
run 2 eval --model "$tmp/m.tlm" "$small" --test-fraction 0.7
has err "--test-fraction must be a number from 0 to 0.5"
run 2 train "$small" --epochs 0
has err "--epochs must be a whole number from 1 to 100000"

# scripts/demo --help: help naming itself, at once, nothing installed or built
checks=$((checks + 1))
mkdir -p "$tmp/bin" && ln -s "$(command -v cat)" "$tmp/bin/cat"
if out=$(timeout 10 env PATH="$tmp/bin" /bin/bash "$src/scripts/demo" --help 2>&1); then
    case "$out" in
    *"usage: scripts/demo"*"--port N"*) ;;
    *) fail "scripts/demo --help printed: $out" ;;
    esac
else
    fail "scripts/demo --help failed (with only cat on PATH it must not try to install or build): $out"
fi
finish rough_edges
