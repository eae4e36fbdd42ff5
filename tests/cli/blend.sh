#!/usr/bin/env bash
# The blend model type (iALS + EASE per user) end to end: `train --preset
# blend` on data/demo (the weight chosen on validation, the same model on 1
# and 2 threads), then recommend, similar (EASE's B column), foldin (the
# iALS part's), eval, info and export on the saved model.
#   bash tests/cli/blend.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
demo="$src/data/demo"
m="$tmp/blend.tlm"

run 0 train "$demo" --preset blend --out "$m" --json
js 'o.config.model === "blend" && o.config.blend_weight === "validation" && o.config.lambda === 200'
# above popularity on protocol B by far and at least as good as the default (measured: 0.4266 / 0.4409
# against popularity 0.2269 / 0.2079 and the default 0.4247 / 0.4303)
js 'o.metrics.test.recall_at_20 > 1.5 * o.baseline.test.recall_at_20'
js 'o.metrics.test.ndcg_at_10 > 1.5 * o.baseline.test.ndcg_at_10'
js 'o.metrics.test.recall_at_20 > 0.42 && o.metrics.test.ndcg_at_10 > 0.43'
js 'o.model_hash === "033e22aaec9a8cb1"'
run 0 train "$demo" --preset blend --threads 1 --json
js 'o.model_hash === "033e22aaec9a8cb1"'

run 0 info --model "$m"
has out '"model":"blend"'

run 0 recommend --model "$m" --user 1 -k 5 --json
js 'o.items.length === 5 && o.items[0].movieId === 594 && o.items.every((x, i) => i === 0 || x.score <= o.items[i - 1].score)'

# similar movies: the EASE model's own list
run 0 train "$demo" --preset ease --out "$tmp/ease.tlm"
run 0 similar --model "$tmp/ease.tlm" --movie 23 -k 5 --json
ease_similar=$(node -e 'const o = JSON.parse(process.argv[1]); console.log(o.items.map((x) => x.movieId).join(","))' "$(cat "$tmp/out")")
run 0 similar --model "$m" --movie 23 -k 5 --json
js "o.items.map((x) => x.movieId).join(',') === '$ease_similar'"

# a visitor: the default model's fold-in (the blend's iALS part is the default model)
run 0 train "$demo" --preset default --out "$tmp/default.tlm"
run 0 foldin --model "$tmp/default.tlm" --rated 23:5,96:4.5,594:1 -k 5 --json
default_foldin=$(node -e 'const o = JSON.parse(process.argv[1]); console.log(o.items.map((x) => x.movieId).join(","))' "$(cat "$tmp/out")")
run 0 foldin --model "$m" --rated 23:5,96:4.5,594:1 -k 5 --json
js "o.items.map((x) => x.movieId).join(',') === '$default_foldin'"

run 0 eval --model "$m" "$demo" --json
js 'Math.abs(o.metrics.test.recall_at_20 - 0.426555129) < 1e-6'

run 0 export --model "$m" --out "$tmp/ex"
[ -s "$tmp/ex/movies.csv" ] && [ -s "$tmp/ex/ease.counts.csv" ] || fail "export wrote no movies.csv / ease.counts.csv"

finish blend
