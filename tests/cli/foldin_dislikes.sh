#!/usr/bin/env bash
# Low stars are dislikes, on ml-latest-small with the default model: rating
# Alien, Psycho, The Thing, The Shining, Halloween, A Nightmare on Elm Street
# and The Exorcist 0.5 stars each vs 5 stars each gives top-10s that share at
# most 3 movies, the 0.5-star one with fewer horror films; a mix (comedies
# liked, the same horror films disliked) has fewer horror films than the
# comedies alone. The model is trained with --visitor-prior off: this checks
# the fold-in's dislikes, not the popularity prior (which at w chosen for
# this data ranks mostly popular films for any 7 ratings). Skips (passing)
# when ../shared/data/ml-latest-small is absent.
#   bash tests/cli/foldin_dislikes.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
data="$src/../shared/data/ml-latest-small"
if [ ! -f "$data/ratings.csv" ]; then
    echo "SKIP: $data not found; the ml-latest-small fold-in check is skipped"
    finish foldin_dislikes
    exit
fi
model="$tmp/default.tlm"
run 0 train "$data" --visitor-prior off --out "$model" --json
js 'o.config.preset === "default"'

horror=(1214 1219 2288 1258 1982 1347 1997)
rated() { local r=$1 out=""; for m in "${horror[@]}"; do out+="${out:+,}$m:$r"; done; echo "$out"; }
run 0 foldin --model "$model" --rated "$(rated 0.5)" --json
cp "$tmp/out" "$tmp/low.json"
run 0 foldin --model "$model" --rated "$(rated 5)" --json
cp "$tmp/out" "$tmp/high.json"
# Comedies liked: Groundhog Day, Airplane!, Ghostbusters, Monty Python and the Holy Grail, Dumb & Dumber
comedies=1265:5,2791:5,2716:5,1136:5,231:5
run 0 foldin --model "$model" --rated "$comedies" --json
cp "$tmp/out" "$tmp/comedies.json"
run 0 foldin --model "$model" --rated "$comedies,$(rated 1)" --json
cp "$tmp/out" "$tmp/mix.json"

checks=$((checks + 1))
node -e '
const fs = require("fs");
const load = (f) => JSON.parse(fs.readFileSync(process.argv[1] + "/" + f + ".json", "utf8")).items;
const [low, high, com, mix] = ["low", "high", "comedies", "mix"].map(load);
const horror = (items) => items.filter((i) => i.genres.includes("Horror")).length;
const ids = (items) => new Set(items.map((i) => i.movieId));
const shared = [...ids(low)].filter((id) => ids(high).has(id)).length;
const fails = [];
if (low.length !== 10 || high.length !== 10) fails.push("expected 10 movies each");
if (shared > 3) fails.push(`0.5 and 5 stars share ${shared} of 10 movies (at most 3)`);
if (!(horror(low) < horror(high))) fails.push(`horror films: ${horror(low)} at 0.5 stars, ${horror(high)} at 5 stars`);
if (!(horror(mix) <= horror(com))) fails.push(`horror films: ${horror(mix)} with dislikes, ${horror(com)} without`);
if (horror(mix) !== 0) fails.push(`the mix still lists ${horror(mix)} horror films`);
console.log(`horror films in the top-10: 0.5 stars ${horror(low)}, 5 stars ${horror(high)}, shared ${shared}; ` +
  `comedies ${horror(com)}, comedies + dislikes ${horror(mix)}`);
if (fails.length) { console.error(fails.join("; ")); process.exit(1); }' "$tmp" || fail "dislikes do not push similar movies down"
finish foldin_dislikes
