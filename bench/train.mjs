#!/usr/bin/env node
// Training benchmark: preset tfrs (d=32, batch 8192, 3 epochs, Adagrad 0.1)
// on ml-latest-small with the original's split (--train-rows 80000
// --test-rows 20000 --seed 42) natively (build/towerlens train), in WASM
// under Node (web/towerlens.js, step-wise with yields; the pthread build),
// each on 1 and on 2 threads, and, with --tfjs, with TensorFlow.js
// (bench/train_tfjs.mjs) in the same run. Prints the threads each engine
// used beside seconds per epoch (wall, and process CPU because a shared
// machine inflates wall time), the ratio to TF.js, GFLOP/s of the training
// step, peak memory, the loss curve and test top-100, the 1 vs 2 thread
// speed-up, a machine check (the native kernel bench as independent
// one-thread processes at once vs alone: the speed-up the machine allows
// now), then a kernel table (bench/train_kernels.c natively and in WASM)
// and the targets, with the load average.
//
//   node bench/train.mjs [--epochs N] [--reps N] [--threads N] [--tfjs] [--tfjs-epochs N] [--no-kernels] [--no-train]
//
// Without ml-latest-small it trains on a generated set of the same shape
// (610 users, 9742 movies, 100836 ratings). Each engine runs in its own
// child process so peak memory is its own.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const SMALL = resolve(REPO, '../shared/data/ml-latest-small');
const CLI = join(REPO, 'build/towerlens');
const NATIVE_KERNELS = join(REPO, 'build/tl_bench_train');
const WASM_KERNELS = join(REPO, 'build-wasm/tl_bench_train.js');
const SPLIT = { trainRows: 80000, testRows: 20000, seed: 42 };
const BATCH = 8192, DIM = 32;

/** Flops of one epoch of the in-batch softmax step: 3 products of 2 B^2 d per batch. */
function epochFlops(trainRows, batch = BATCH, dim = DIM) {
  let f = 0;
  for (let s = 0; s < trainRows; s += batch) {
    const b = Math.min(batch, trainRows - s);
    f += 6 * b * b * dim;
  }
  return f;
}

const cpuSeconds = (c) => (c.user + c.system) / 1e6;

// ---------------------------------------------------------------- children

async function childWasm(data, epochs, threads) {
  const { createTowerlens } = await import(join(REPO, 'web/towerlens.js'));
  // the pthread build for every thread count, so 1 vs N compares one module
  const tl = await createTowerlens({ build: 'mt', threads: Math.max(threads, 2) });
  const ds = await tl.loadDataset(data);
  const tr = tl.createTrainer(ds, { preset: 'tfrs', ...SPLIT, epochs, threads });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const p = await tr.run({ stepMs: 100 });
  const wall = (performance.now() - t0) / 1e3;
  const cpu = cpuSeconds(process.cpuUsage(c0));
  const ev = tr.evaluate();
  return {
    epochs: p.history.map((e) => ({ epoch: e.epoch, loss: e.loss, seconds: e.seconds })),
    firstBatchLoss: p.firstBatchLoss, trainSeconds: p.seconds, wallSeconds: wall, cpuSeconds: cpu,
    top100: ev.metrics.test.top_100, popularityTop100: ev.baseline.test.top_100, modelHash: tr.modelHash,
    wasmMemoryBytes: tl.memoryBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024, simd: tl.simd,
    threads: tr.threads, build: tl.build.name,
  };
}

function childNative(data, epochs, threads) {
  const j = JSON.parse(execFileSync(CLI, ['train', data, '--preset', 'tfrs', '--train-rows', String(SPLIT.trainRows),
    '--test-rows', String(SPLIT.testRows), '--seed', String(SPLIT.seed), '--epochs', String(epochs),
    '--threads', String(threads), '--json'],
  { encoding: 'utf8', maxBuffer: 1 << 24 }));
  return {
    epochs: j.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, seconds: e.seconds })),
    firstBatchLoss: j.first_batch_loss, trainSeconds: j.train_seconds, cpuSeconds: j.train_cpu_seconds,
    top100: j.metrics.test.top_100, popularityTop100: j.baseline.test.top_100, modelHash: j.model_hash,
    peakRssBytes: j.peak_bytes, threads: j.threads,
  };
}

// best of `reps` calls per kernel, from JavaScript with a turn of the event
// loop between calls (the engine switches to optimised code between calls)
async function childWasmKernels(reps) {
  const require = createRequire(import.meta.url);
  const M = await require(WASM_KERNELS)();
  const out = [];
  for (let k = 0; k < 5; k++) {
    M._tl_bench_train_kernel(k, BATCH, DIM, 32, 1); // baseline-compiled warm-up
    await new Promise((r) => setImmediate(r));
    let best = Infinity, bestCpu = Infinity;
    for (let i = 0; i < reps; i++) {
      const c0 = process.cpuUsage();
      const ms = M._tl_bench_train_kernel(k, BATCH, DIM, 32, 1);
      bestCpu = Math.min(bestCpu, cpuSeconds(process.cpuUsage(c0)) * 1e3);
      best = Math.min(best, ms);
      await new Promise((r) => setImmediate(r));
    }
    const fl = M._tl_bench_train_flops(k, BATCH, DIM);
    out.push({ name: M.UTF8ToString(M._tl_bench_train_kernel_name(k)), ms: best, cpu_ms: bestCpu,
      gflops: fl ? fl / best / 1e6 : 0, gflops_cpu: fl ? fl / bestCpu / 1e6 : 0 });
  }
  return { kernels: out };
}

function childNativeKernels(reps) {
  return JSON.parse(execFileSync(NATIVE_KERNELS, ['--json', '--reps', String(reps)], { encoding: 'utf8' }));
}

if (process.argv[2] === '--child') {
  const [engine, data, n, threads] = process.argv.slice(3);
  const run = { wasm: childWasm, native: childNative, 'wasm-kernels': childWasmKernels, 'native-kernels': childNativeKernels }[engine];
  const result = engine.endsWith('kernels') ? await run(Number(n)) : await run(data, Number(n), Number(threads));
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

// ---------------------------------------------------------------- parent

function parseArgs(argv) {
  const opt = { epochs: 3, reps: 5, threads: 2, tfjs: false, tfjsEpochs: 1, kernels: true, train: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--epochs') opt.epochs = num();
    else if (a === '--reps') opt.reps = num();
    else if (a === '--threads') opt.threads = num();
    else if (a === '--tfjs') opt.tfjs = true;
    else if (a === '--tfjs-epochs') opt.tfjsEpochs = num();
    else if (a === '--no-kernels') opt.kernels = false;
    else if (a === '--no-train') opt.train = false;
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(SELF, 'utf8').split('\n').slice(1, 20).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  return opt;
}

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

function build() {
  process.stderr.write('building native (build/) and WASM (build-wasm/)...\n');
  sh('cmake', ['-S', '.', '-B', 'build', '-DCMAKE_BUILD_TYPE=Release']);
  sh('cmake', ['--build', 'build', '-j2', '--target', 'towerlens', 'tl_bench_train']);
  sh('emcmake', ['cmake', '-S', '.', '-B', 'build-wasm', '-DCMAKE_BUILD_TYPE=Release']);
  sh('cmake', ['--build', 'build-wasm', '-j2', '--target', 'towerlens_wasm', 'tl_bench_train']);
}

/** ml-latest-small, or a generated folder of the same shape (seeded, cached). */
function dataset() {
  if (existsSync(join(SMALL, 'ratings.csv'))) return { label: 'ml-latest-small', path: SMALL };
  const dir = join(tmpdir(), 'towerlens-bench', 'train-shape-610x9742x100836');
  if (!existsSync(join(dir, 'done'))) {
    mkdirSync(dir, { recursive: true });
    let s = 1n;
    const rand = () => { s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n); return Number(s >> 33n); };
    const users = 610, movies = 9742, n = 100836;
    const lines = ['userId,movieId,rating,timestamp'];
    const seen = new Set();
    while (seen.size < n) {
      const u = 1 + (rand() % users);
      const m = 1 + Math.floor(Math.pow(rand() / 2 ** 31, 2.5) * movies); // popular movies first
      if (seen.has(u * 100000 + m)) continue;
      seen.add(u * 100000 + m);
      lines.push(`${u},${m},${1 + (rand() % 9) * 0.5},${900000000 + seen.size}`);
    }
    writeFileSync(join(dir, 'ratings.csv'), lines.join('\n') + '\n');
    const mv = ['movieId,title,genres'];
    for (let m = 1; m <= movies; m++) mv.push(`${m},Movie ${m} (2000),Drama`);
    writeFileSync(join(dir, 'movies.csv'), mv.join('\n') + '\n');
    writeFileSync(join(dir, 'done'), '');
  }
  return { label: 'generated, ml-latest-small shape', path: dir };
}

function child(engine, data, n, threads = 1) {
  process.stderr.write(`  ${engine}${engine.endsWith('kernels') ? '' : `, ${threads} thread${threads > 1 ? 's' : ''}`}...\n`);
  const script = engine === 'tfjs' ? join(REPO, 'bench/train_tfjs.mjs') : SELF;
  const args = engine === 'tfjs' ? [script, '--json', '--epochs', String(n), data]
    : [SELF, '--child', engine, data ?? '-', String(n), String(threads)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const fmt = (v, digits = 1) => (v == null || Number.isNaN(v) ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const pad = (s, n) => String(s).padStart(n);

function perEpoch(r) {
  const wall = r.epochs.reduce((a, e) => a + e.seconds, 0) / r.epochs.length;
  const cpu = r.cpuSeconds != null ? r.cpuSeconds / r.epochs.length : null;
  return { wall, cpu };
}

// The peer for the thread targets: the native kernel bench as n independent
// one-thread processes at once against one alone. Processes share no data,
// so their slowdown is what the machine itself takes from n busy cores
// (shared caches, memory, a host's other guests): n x (alone / together)
// bounds any n-thread speed-up measured in the same hour.
function kernelProcess(reps) {
  const t0 = performance.now();
  return new Promise((res, rej) => execFile(NATIVE_KERNELS, ['--json', '--reps', String(reps)],
    (e) => (e ? rej(e) : res((performance.now() - t0) / 1e3))));
}

async function machineCeiling(n, reps = 4) {
  const alone = [];
  const together = [];
  for (let i = 0; i < 2; i++) {
    alone.push(await kernelProcess(reps));
    together.push(...(await Promise.all(Array.from({ length: n }, () => kernelProcess(reps)))));
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { alone: mean(alone), together: mean(together), ceiling: (n * mean(alone)) / mean(together) };
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  build();
  const data = dataset();
  const load = os.loadavg()[0];
  console.log(`towerlens training benchmark: preset tfrs (d=${DIM}, batch ${BATCH}, Adagrad 0.1) on ${data.label}, ` +
    `split ${SPLIT.trainRows}/${SPLIT.testRows} seed ${SPLIT.seed}; 1 and ${opt.threads} threads on ${os.availableParallelism()} cores; ` +
    `load average ${load.toFixed(1)}`);
  const flops = epochFlops(SPLIT.trainRows);
  const rows = [];
  const nt = opt.threads;
  const eng = {};
  if (opt.train) {
    eng.native1 = child('native', data.path, opt.epochs, 1);
    eng.nativeN = child('native', data.path, opt.epochs, nt);
    eng.wasm1 = child('wasm', data.path, opt.epochs, 1);
    eng.wasmN = child('wasm', data.path, opt.epochs, nt);
    rows.push(['native (gcc)', eng.native1], ['native (gcc)', eng.nativeN],
      ['WASM SIMD128 (Node)', eng.wasm1], ['WASM SIMD128 (Node)', eng.wasmN]);
    // TF.js' wasm backend runs one thread in Node (its threaded build needs a cross-origin isolated page)
    if (opt.tfjs) rows.push(['TF.js wasm backend', { threads: 1, ...child('tfjs', data.path, opt.tfjsEpochs) }]);
    const tfjs = rows.find(([name]) => name.startsWith('TF.js'))?.[1];
    const tfjsWall = tfjs && !tfjs.error ? perEpoch(tfjs).wall : null;
    console.log(`\n${'engine'.padEnd(22)} ${pad('threads', 7)} ${pad('s/epoch', 8)} ${pad('cpu s/ep', 8)} ${pad('vs TF.js', 8)} ` +
      `${pad('GFLOP/s', 8)} ${pad('(cpu)', 7)} ${pad('peak MB', 8)} ${pad('top-100', 8)} ${pad('pop.', 7)}  loss per epoch (first batch)`);
    for (const [name, r] of rows) {
      if (r.error) { console.log(`${name.padEnd(22)} failed: ${r.error}`); continue; }
      const e = perEpoch(r);
      const peak = r.wasmMemoryBytes ? `${fmt(r.wasmMemoryBytes / 1e6, 0)}*` : fmt(r.peakRssBytes / 1e6, 0);
      const vs = tfjsWall ? `${fmt(tfjsWall / e.wall, 1)}x` : '-';
      console.log(`${name.padEnd(22)} ${pad(r.threads ?? '-', 7)} ${pad(fmt(e.wall, 2), 8)} ${pad(fmt(e.cpu, 2), 8)} ${pad(vs, 8)} ` +
        `${pad(fmt(flops / e.wall / 1e9), 8)} ${pad(e.cpu ? fmt(flops / e.cpu / 1e9) : '-', 7)} ${pad(peak, 8)} ` +
        `${pad(fmt(r.top100, 4), 8)} ${pad(fmt(r.popularityTop100, 4), 7)}  ` +
        `${r.epochs.map((x) => fmt(x.loss, 1)).join(', ')} (${fmt(r.firstBatchLoss, 1)})`);
    }
    console.log('* WASM: WebAssembly memory reserved (never shrinks); the Node process peak RSS is ' +
      `${fmt((eng.wasmN.peakRssBytes ?? 0) / 1e6, 0)} MB. Native: process peak RSS. GFLOP/s: ${fmt(flops / 1e9)} GFLOP per epoch ` +
      '(6 B^2 d per batch) / seconds. cpu s/ep adds every thread. vs TF.js: its s/epoch / this one.');
    const done = Object.values(eng).filter((r) => !r.error);
    if (done.length) {
      const hashes = [...new Set(done.map((r) => r.modelHash))];
      console.log(`model hash: ${Object.entries(eng).map(([k, r]) => `${k} ${r.modelHash ?? '-'}`).join(', ')} ` +
        `(${hashes.length === 1 && done.length === 4 ? 'bit-identical' : 'DIFFERENT or missing'})`);
    }
  }
  let wk = null;
  if (opt.kernels) {
    const nk = child('native-kernels', null, opt.reps);
    wk = child('wasm-kernels', null, opt.reps);
    console.log(`\nkernels of one batch (B=${BATCH}, d=${DIM}, 32-row blocks), best of ${opt.reps}: GFLOP/s wall (cpu)`);
    console.log(`${'kernel'.padEnd(26)} ${pad('native ms', 10)} ${pad('GFLOP/s', 13)} ${pad('WASM ms', 10)} ${pad('GFLOP/s', 13)}`);
    for (let k = 0; k < 5; k++) {
      const a = nk.kernels?.[k], b = wk.kernels?.[k];
      const g = (x) => (x && x.gflops ? `${fmt(x.gflops)} (${fmt(x.gflops_cpu)})` : '-');
      console.log(`${(a ?? b)?.name.padEnd(26)} ${pad(fmt(a?.ms), 10)} ${pad(g(a), 13)} ${pad(fmt(b?.ms), 10)} ${pad(g(b), 13)}`);
    }
  }
  let ceiling = null;
  if (opt.train && nt > 1) {
    process.stderr.write(`  machine check: ${nt} kernel processes at once...\n`);
    ceiling = await machineCeiling(nt);
    console.log(`\nmachine check (build/tl_bench_train, ${nt} independent one-thread processes at once vs one alone, ` +
      `2 rounds): ${fmt(ceiling.alone, 2)} s alone, ${fmt(ceiling.together, 2)} s each together: ` +
      `the most ${nt} threads can give on this machine now is ${fmt(ceiling.ceiling, 2)}x`);
  }
  // targets
  console.log('\ntargets:');
  const say = (ok, text) => console.log(`  ${ok == null ? 'n/a' : ok ? 'met' : 'NOT met'}: ${text}`);
  if (opt.train && !eng.native1.error && !eng.wasm1.error) {
    const n = perEpoch(eng.native1), w = perEpoch(eng.wasm1);
    say(w.wall <= 1.5 * n.wall, `WASM within 1.5x of native per epoch (1 thread each): ${fmt(w.wall / n.wall, 2)}x wall` +
      (n.cpu && w.cpu ? `, ${fmt(w.cpu / n.cpu, 2)}x cpu` : ''));
    say(eng.wasm1.wasmMemoryBytes < 150e6, `peak memory under 150 MB: WASM memory ${fmt(eng.wasm1.wasmMemoryBytes / 1e6, 0)} MB, native RSS ${fmt(eng.native1.peakRssBytes / 1e6, 0)} MB`);
    const t = rows.find(([name]) => name.startsWith('TF.js'))?.[1];
    if (t && !t.error) say(perEpoch(t).wall >= 20 * w.wall, `WASM >= 20x faster than TF.js per epoch (1 thread each): ${fmt(perEpoch(t).wall / w.wall, 1)}x`);
    else say(null, 'WASM >= 20x faster than TF.js per epoch (run with --tfjs)');
    for (const [label, one, many] of [['native', eng.native1, eng.nativeN], ['WASM (pthread build)', eng.wasm1, eng.wasmN]]) {
      if (one.error || many.error) continue;
      const a = perEpoch(one), b = perEpoch(many);
      say(a.wall / b.wall >= 1.8, `${label} ${many.threads} threads >= 1.8x one thread: ${fmt(a.wall / b.wall, 2)}x ` +
        `(${fmt(a.wall, 2)} vs ${fmt(b.wall, 2)} s/epoch; load average ${load.toFixed(1)} before, ` +
        `${(os.loadavg()[0]).toFixed(1)} now: other work on the cores lowers it` +
        `${ceiling ? `; machine ceiling ${fmt(ceiling.ceiling, 2)}x` : ''})`);
    }
  }
  if (wk?.kernels) {
    // the batch step in the kernel table, and the same step measured over whole training epochs
    const step = wk.kernels[0];
    const w = opt.train && !eng.wasm1.error ? perEpoch(eng.wasm1) : null;
    const wall = Math.max(step.gflops, w ? flops / w.wall / 1e9 : 0);
    const cpu = Math.max(step.gflops_cpu, w?.cpu ? flops / w.cpu / 1e9 : 0);
    const text = `main kernel >= 25 GFLOP/s in WASM: batch step ${fmt(wall)} GFLOP/s wall, ${fmt(cpu)} by CPU time ` +
      '(best of the kernel table and the training epochs)';
    if (wall >= 25) say(true, text);
    else if (cpu >= 25) console.log(`  met by CPU time only (load average ${load.toFixed(1)}: wall time includes waiting for a core): ${text}`);
    else say(false, text);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
