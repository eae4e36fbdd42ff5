#!/usr/bin/env bash
# The EASE model type end to end: `train --preset ease` on data/demo
# (protocol A/B beside popularity), then recommend, similar, foldin, eval,
# info and export on the saved model.
#   bash tests/cli/ease.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
demo="$src/data/demo"
m="$tmp/ease.tlm"

run 0 train "$demo" --preset ease --out "$m" --json
js 'o.config.model === "ease" && o.config.preset === "ease" && o.config.lambda === 200 && o.config.min_count === 5'
js 'o.baseline.name === "popularity"'
# EASE well above popularity on protocol B (measured: 0.406 vs 0.227, 0.411 vs 0.208)
js 'o.metrics.test.recall_at_20 > 1.5 * o.baseline.test.recall_at_20'
js 'o.metrics.test.ndcg_at_10 > 1.5 * o.baseline.test.ndcg_at_10'
js 'o.model_hash === "826f5ee28f118f7e"'
[ -s "$m" ] || fail "no model file written"

run 0 info --model "$m"
has out '"model":"ease"'

run 0 recommend --model "$m" --user 1 -k 5 --json
js 'o.items.length === 5 && o.items[0].movieId === 594 && o.items.every((x, i) => i === 0 || x.score <= o.items[i - 1].score)'

run 0 similar --model "$m" --movie 23 -k 5 --json
js 'o.items.length === 5 && o.items.every((x) => x.movieId !== 23 && x.score > -1000)'

run 0 foldin --model "$m" --rated 23:5,96:4.5,594:4 -k 5 --json
js 'o.items.length === 5 && o.items.every((x) => ![23, 96, 594].includes(x.movieId))'

run 0 eval --model "$m" "$demo" --json
js 'Math.abs(o.metrics.test.recall_at_20 - 0.406043049) < 1e-6 && o.baseline.name === "popularity"'

run 0 export --model "$m" --out "$tmp/ex"
[ -s "$tmp/ex/ease.counts.csv" ] || fail "export wrote no ease.counts.csv"
head -1 "$tmp/ex/ease.counts.csv" | grep -q '^movieId,e0$' || fail "ease.counts.csv header"

finish ease
