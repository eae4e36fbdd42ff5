#!/usr/bin/env node
// The two WebAssembly builds under Node: load time of the single-threaded
// (st) and the threaded (mt) module, and seconds per epoch of a preset
// (default: "default", iALS) with 1..N threads in the threaded build beside
// the single-threaded build (and the ingest time of each, which shows what
// memory growth with pthreads costs the JS side), on a generated set with ml-25m's shape scaled
// to --ratings (build/towerlens generate) or on --data DIR. Every row runs in
// its own process. Prints a table; wall times on a shared machine are
// inflated (the load average is printed with it); the CPU columns (process
// CPU time, all threads) are less sensitive to that.
//
//   node bench/threads.mjs [--ratings 3000000] [--data DIR] [--threads 1,2]
//                          [--epochs 1] [--preset default] [--loads 3]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const CORES = availableParallelism();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function child(spec) {
  const t0 = performance.now();
  const { createTowerlens } = await import(join(REPO, 'web/towerlens.js'));
  const tl = await createTowerlens(spec.build === 'st' ? { build: 'st' } : { build: 'mt', threads: spec.pool });
  const loadMs = performance.now() - t0;
  if (!spec.data) return { loadMs, build: tl.build.name };
  const i0 = performance.now();
  const ic = process.cpuUsage();
  const ds = await tl.loadDataset({ path: spec.data });
  const ingest = (performance.now() - i0) / 1e3;
  const ingestCpuUsage = process.cpuUsage(ic);
  const ingestCpu = (ingestCpuUsage.user + ingestCpuUsage.system) / 1e6;
  const tr = tl.createTrainer(ds, { preset: spec.preset, epochs: spec.epochs, seed: 42, threads: spec.threads });
  const c0 = process.cpuUsage();
  const p = await tr.run({ stepMs: 1000 });
  const c = process.cpuUsage(c0);
  const epoch = p.history.reduce((s, e) => s + e.seconds, 0) / p.history.length;
  return { loadMs, build: tl.build.name, threads: tr.threads, ingest, ingestCpu, epoch, cpu: (c.user + c.system) / 1e6 / p.history.length, hash: tr.modelHash, ratings: ds.summary().ratings };
}

function run(spec) {
  const out = execFileSync(process.execPath, [SELF, '--child', JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

async function main() {
  if (args[0] === '--child') {
    console.log(JSON.stringify(await child(JSON.parse(args[1]))));
    process.exit(0); // pthread workers are unref'd, but do not wait for anything else
  }
  if (!existsSync(join(REPO, 'web/wasm/towerlens_core_mt.mjs'))) {
    console.error('build both modules first: emcmake cmake -S . -B build-wasm && cmake --build build-wasm');
    process.exit(2);
  }
  const threads = opt('--threads', [...new Set([1, 2, Math.min(CORES, 16)])].join(',')).split(',').map(Number);
  const pool = Math.max(...threads);
  const epochs = Number(opt('--epochs', '1'));
  const preset = opt('--preset', 'default');
  const loads = Number(opt('--loads', '3'));
  let data = opt('--data');
  let tmp = null;
  if (!data) {
    const n = Number(opt('--ratings', '3000000'));
    const cli = join(REPO, 'build/towerlens');
    if (!existsSync(cli)) {
      console.error('build/towerlens is missing (cmake -S . -B build && cmake --build build), or pass --data DIR');
      process.exit(2);
    }
    // ml-25m: 25M ratings, 162k users, 62k movies; scaled to n ratings
    const scale = n / 25e6;
    tmp = mkdtempSync(join(tmpdir(), 'tl-threads-'));
    data = tmp;
    execFileSync(cli, ['generate', '--out', tmp, '--users', String(Math.round(162000 * scale)), '--movies',
      String(Math.round(62000 * scale)), '--ratings', String(n), '--seed', '1', '--quiet']);
  }
  try {
    console.log(`cores ${CORES}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (before)`);
    console.log('\nmodule load (createTowerlens in a fresh process, median of', loads, 'runs)');
    console.log(`${'build'.padEnd(8)} ${'ms'.padStart(8)}`);
    for (const build of ['st', 'mt']) {
      const ms = [];
      for (let i = 0; i < loads; i++) ms.push(run({ build, pool }).loadMs);
      console.log(`${build.padEnd(8)} ${median(ms).toFixed(0).padStart(8)}   ${build === 'mt' ? `(${pool} workers started)` : ''}`);
    }
    console.log(`\npreset ${preset}, ${epochs} epoch(s), data ${data}`);
    console.log(`${'build'.padEnd(6)} ${'threads'.padStart(7)} ${'ingest s'.padStart(9)} ${'CPU s'.padStart(6)} ${'s/epoch'.padStart(9)} ${'CPU s/ep'.padStart(9)} ${'vs 1 thr'.padStart(9)}  model hash`);
    const rows = [run({ build: 'st', data, preset, epochs, threads: 1 })];
    for (const t of threads) rows.push(run({ build: 'mt', pool, data, preset, epochs, threads: t }));
    const one = rows.find((r) => r.build === 'mt' && r.threads === 1) || rows[0];
    for (const r of rows) {
      console.log(`${r.build.padEnd(6)} ${String(r.threads).padStart(7)} ${r.ingest.toFixed(2).padStart(9)} ${r.ingestCpu.toFixed(2).padStart(6)} ${r.epoch.toFixed(2).padStart(9)} ${r.cpu.toFixed(2).padStart(9)} ${(one.epoch / r.epoch).toFixed(2).padStart(8)}x  ${r.hash}`);
    }
    console.log(`(${rows[0].ratings} ratings; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} after)`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
