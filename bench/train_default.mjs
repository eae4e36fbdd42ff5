#!/usr/bin/env node
// Preset "default" (its model by the data's shape: the blend of iALS and EASE
// on ml-latest-small; include/towerlens/train.h)
// on ml-latest-small with the original's split (--train-rows 80000
// --test-rows 20000 --seed 42): natively (build/towerlens train --json) and
// in WASM under Node (web/towerlens.js, step-wise, 100 ms steps), each in
// its own process. Prints training seconds (wall and process CPU: a shared
// machine inflates wall time), the test metrics beside popularity, and the
// model hash (equal hashes = bit-identical tables native vs WASM), then a
// visitor's fold-in latency in WASM against issue 15's 50 ms.
//
//   node bench/train_default.mjs [--data DIR] [--preset NAME]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const DATA = resolve(opt('--data', join(REPO, '../shared/data/ml-latest-small')));
const PRESET = opt('--preset', 'default');
const SPLIT = { trainRows: 80000, testRows: 20000, seed: 42 };
const cpuSeconds = (c) => (c.user + c.system) / 1e6;
const FOLDIN_TARGET_MS = 50; // issue 15: a visitor's fold-in

async function childWasm() {
  const { createTowerlens } = await import(join(REPO, 'web/towerlens.js'));
  const tl = await createTowerlens();
  const ds = await tl.loadDataset({ path: DATA });
  const tr = tl.createTrainer(ds, { preset: PRESET, ...SPLIT });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const p = await tr.run({ stepMs: 100 });
  const wall = (performance.now() - t0) / 1e3;
  const cpu = cpuSeconds(process.cpuUsage(c0));
  const ev = tr.evaluate();
  const m = ev.metrics.test, pop = ev.baseline.test;
  const foldin = visitorLatency(ds, tr.model);
  return { engine: 'WASM (Node, 1 thread)', wall, cpu, m, pop, hash: tr.modelHash, simd: tl.simd, mb: tl.memoryBytes / 2 ** 20, foldin };
}

// A visitor's fold-in as the rate-yourself panel asks for it
// (recommendForRatings, top 10, with "because"): the first k ratings in file
// order of every 10th user (ids ascending) as the profile; ms per call,
// median and 90th percentile, after one warm-up call.
function visitorLatency(ds, model) {
  const out = {};
  const users = [...ds.userIds()].filter((_, i) => i % 10 === 0);
  for (const k of [3, 10]) {
    const ms = [];
    for (const [i, u] of users.entries()) {
      const given = ds.userRatings(u, { order: 'file', limit: k }).map((r) => ({ movieId: r.movieId, rating: r.rating }));
      const t0 = performance.now();
      model.recommendForRatings(given, { k: 10 });
      if (i > 0) ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    out[k] = { calls: ms.length, median: ms[(ms.length - 1) >> 1], p90: ms[Math.floor(0.9 * (ms.length - 1))] };
  }
  return out;
}

function native() {
  const cli = join(REPO, 'build/towerlens');
  const j = JSON.parse(execFileSync(cli, ['train', DATA, '--preset', PRESET, '--train-rows', String(SPLIT.trainRows),
    '--test-rows', String(SPLIT.testRows), '--seed', String(SPLIT.seed), '--json'], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  return { engine: 'native', wall: j.train_seconds, cpu: j.train_cpu_seconds, m: j.metrics.test, pop: j.baseline.test,
    hash: j.model_hash };
}

if (args[0] === '--child-wasm') {
  process.stdout.write(JSON.stringify(await childWasm()));
} else {
  if (!existsSync(join(DATA, 'ratings.csv'))) {
    console.log(`SKIP: no ratings.csv in ${DATA}`);
    process.exit(0);
  }
  const rows = [];
  if (existsSync(join(REPO, 'build/towerlens'))) rows.push(native());
  else console.log('native: build/towerlens not built (cmake -S . -B build && cmake --build build)');
  if (existsSync(join(REPO, 'web/wasm/towerlens_core.mjs'))) {
    rows.push(JSON.parse(execFileSync(process.execPath, [SELF, '--child-wasm', '--data', DATA, '--preset', PRESET],
      { encoding: 'utf8', maxBuffer: 1 << 24 })));
  } else console.log('WASM: web/wasm/towerlens_core.mjs not built (emcmake cmake -S . -B build-wasm && cmake --build build-wasm)');
  const f = (x) => x.toFixed(4);
  console.log(`preset ${PRESET} on ${DATA}, split ${SPLIT.trainRows}/${SPLIT.testRows} seed ${SPLIT.seed}\n`);
  console.log('| engine | train s (wall) | train s (CPU) | WASM memory MB (peak) | Recall@20 | NDCG@10 | top-100 | model hash |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.engine} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.mb ? r.mb.toFixed(0) : ''} | ${f(r.m.recall_at_20)} | ${f(r.m.ndcg_at_10)} | ${f(r.m.top_100)} | ${r.hash} |`);
  if (rows.length) {
    const p = rows[0].pop;
    console.log(`| popularity | | | | ${f(p.recall_at_20)} | ${f(p.ndcg_at_10)} | ${f(p.top_100)} | |`);
  }
  if (rows.length === 2) console.log(`\nnative and WASM models ${rows[0].hash === rows[1].hash ? 'are bit-identical' : 'DIFFER'}`);
  const w = rows.find((r) => r.foldin);
  if (w) {
    console.log(`\n| visitor fold-in in WASM (recommendForRatings, top 10 with because; first k ratings of every 10th user) | calls | median ms | p90 ms | target |`);
    console.log('|---|---|---|---|---|');
    for (const [k, x] of Object.entries(w.foldin))
      console.log(`| k = ${k} | ${x.calls} | ${x.median.toFixed(1)} | ${x.p90.toFixed(1)} | median <= ${FOLDIN_TARGET_MS} ms: ${x.median <= FOLDIN_TARGET_MS ? 'met' : 'NOT met'} |`);
    console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2-core machine)`);
  }
}
