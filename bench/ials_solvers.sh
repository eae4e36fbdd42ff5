#!/usr/bin/env bash
# The iALS solver choice (docs/training.md, "Solver"): trains preset default
# with the exact solver and with CG at several step counts on each split
# seed (protocol B: the CLI's default split, test fraction 0.2) and prints
# the mean test Recall@20, NDCG@10 and top-100 over the seeds, each against
# the exact solver's, with the final objective and the train CPU seconds.
# Usage: bench/ials_solvers.sh [DATA_DIR] [STEPS (default 1,2,3,4,6)] [SEEDS (default 42,1,2,3,4)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-$root/../shared/data/ml-latest-small}
steps=${2:-1,2,3,4,6}
seeds=${3:-42,1,2,3,4}
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" --target towerlens -j2 >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for seed in ${seeds//,/ }; do
    "$root/build/towerlens" train "$data" --preset default --solver exact --seed "$seed" --threads 1 --json \
        >"$out/exact-$seed.json"
    for s in ${steps//,/ }; do
        "$root/build/towerlens" train "$data" --preset default --solver cg --cg-steps "$s" --seed "$seed" \
            --threads 1 --json >"$out/cg$s-$seed.json"
    done
done
uptime
node - "$out" "$steps" "$seeds" <<'JS'
const fs = require('fs');
const [dir, steps, seeds] = process.argv.slice(2);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const row = (name) => {
  const js = seeds.split(',').map((s) => JSON.parse(fs.readFileSync(`${dir}/${name}-${s}.json`, 'utf8')));
  const t = (k) => mean(js.map((j) => j.metrics.test[k]));
  return { name, r: t('recall_at_20'), n: t('ndcg_at_10'), top: t('top_100'),
           obj: mean(js.map((j) => j.epochs[j.epochs.length - 1].loss)), cpu: mean(js.map((j) => j.train_cpu_seconds)) };
};
const rows = [row('exact'), ...steps.split(',').map((s) => row(`cg${s}`))];
const pct = (a, b) => `${a >= b ? '+' : ''}${(100 * (a / b - 1)).toFixed(2)} %`;
console.log(`\nmeans over split seeds ${seeds}; one thread\n`);
console.log('| solver | Recall@20 | NDCG@10 | top-100 | vs exact: Recall@20 / NDCG@10 | final objective | train CPU s |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const x of rows) {
  const name = x.name === 'exact' ? 'exact' : `cg, ${x.name.slice(2)} step(s)`;
  console.log(`| ${name} | ${x.r.toFixed(4)} | ${x.n.toFixed(4)} | ${x.top.toFixed(4)} | ${pct(x.r, rows[0].r)} / ${pct(x.n, rows[0].n)} | ${Math.round(x.obj).toLocaleString('en-US')} | ${x.cpu.toFixed(2)} |`);
}
JS
