#!/usr/bin/env node
// Scale benchmark: WebAssembly under Node on a generated set with ml-25m's
// shape (25M ratings, 162k users, 62k movies): ingest, trainer setup, one
// epoch of the default model (iALS), the default (sampled) evaluation and
// peak memory in the single-threaded build, each against its target; then
// one epoch with 1 and 2 threads in the pthread build (when it is built) for
// each iALS solver, exact and CG, against the CG targets, with the speed-up
// (the epoch is the trainer's own clock over its batches; the visitor prior,
// chosen once before the first batch, is its own column)
// (median of --reps runs per row, rows alternating; the load average at the
// end of each run beside it), and the sampled evaluation after it (model +
// popularity) with 1 and 2 threads against its target. Every row runs in its own process, so peak
// memory is its own.
//
//   node bench/scale.mjs [--ratings N] [--threads 1,2] [--reps 3] [--no-threads] [--fresh]
//                        [--rows all|ials] [--solvers exact,cg] [--eval-only]
//
// --eval-only runs only the evaluation rows (pthread build, each thread
// count): load, set up the trainer, no training (the initial model: the
// same work as a trained one), evaluate().
//
// --rows ials runs only the iALS epoch rows (no ingest/evaluation table).
// --ratings N scales users and movies with it (ml-25m's ratings per user and
// per movie), e.g. --ratings 2500000 for a quick run. The set is generated
// once by build/towerlens and cached in $TMPDIR/towerlens-bench/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const CLI = join(REPO, 'build/towerlens');
const MT_MODULE = join(REPO, 'web/wasm/towerlens_core_mt.mjs');
const ML25M = { ratings: 25_000_000, users: 162_000, movies: 62_000 };
const TARGETS = { ingestSeconds: 10, epochSeconds: 60, peakBytes: 1.5e9, speedup: 1.7, evalSeconds: 3, evalThreads: 2 };
// issue 17: one iALS epoch by CG at ml-25m's shape, per thread count
const CG_EPOCH_TARGETS = { 1: 4, 2: 2 };
const SEED = 42;

// ---------------------------------------------------------------- child
// `--child JSON` runs one configuration and prints one JSON line.

async function child(spec) {
  const { createTowerlens } = await import(join(REPO, 'web/towerlens.js'));
  // an API without the threaded build ignores these options and runs 'st'
  const tl = await createTowerlens(spec.build === 'mt' ? { build: 'mt', threads: spec.threads } : { build: 'st' });
  const build = tl.build?.name ?? 'st';
  if (build !== spec.build) {
    return { unavailable: `asked for build ${spec.build}, got ${build}${tl.build?.fallback ? ` (${tl.build.fallback})` : ''}` };
  }
  const t0 = performance.now();
  const ds = await tl.loadDataset(spec.dir);
  const ingest = (performance.now() - t0) / 1e3;
  const bytes = ds.files.reduce((n, f) => n + f.bytes, 0);
  const summary = ds.summary();

  const t1 = performance.now();
  const trOptions = { preset: 'default', epochs: 1, seed: SEED };
  if (spec.threads) trOptions.threads = spec.threads;
  if (spec.solver) trOptions.solver = spec.solver;
  const tr = tl.createTrainer(ds, trOptions);
  const setup = (performance.now() - t1) / 1e3;

  let p = { history: [], trainRows: null }, epoch = null, epochCpu = null, prior = null;
  if (!spec.noTraining) {
    // the visitor prior is chosen once, before the first batch: its own
    // figure, outside the epoch's (one batch at most runs in its last step)
    const c1 = process.cpuUsage();
    do p = tr.step({ maxBatches: 1, maxMs: 1000 }); while (p.visitorPrior.status === 'choosing');
    const pc = process.cpuUsage(c1);
    prior = { status: p.visitorPrior.status, seconds: p.visitorPrior.seconds ?? 0, cpu: (pc.user + pc.system) / 1e6 };
    const c2 = process.cpuUsage();
    p = await tr.run({ stepMs: 1000 });
    const c = process.cpuUsage(c2);
    epoch = p.history[0].seconds; // the trainer's own clock: batches only
    epochCpu = (c.user + c.system) / 1e6; // all threads of the process, after the prior's step
  }

  let evaluation = null;
  if (spec.evaluate) {
    const t3 = performance.now();
    const c3 = process.cpuUsage();
    const ev = tr.evaluate();
    const c = process.cpuUsage(c3);
    evaluation = {
      seconds: (performance.now() - t3) / 1e3, cpu: (c.user + c.system) / 1e6, ...ev.evaluated,
      recall20: ev.metrics.test.recall_at_20, popRecall20: ev.baseline.test.recall_at_20,
      metrics: JSON.stringify([ev.metrics, ev.baseline]), // to compare across thread counts
    };
  }
  return {
    build, threads: tr.threads ?? 1, ratings: summary.ratings, users: summary.users, movies: summary.movies,
    bytes, ingest, setup, epoch, epochCpu, epochs: p.history.length, trainRows: p.trainRows, evaluation,
    hash: tr.modelHash, wasmBytes: tl.memoryBytes, rssBytes: process.resourceUsage().maxRSS * 1024,
    solver: spec.solver ?? '', load1: loadavg()[0], prior,
  };
}

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(await child(JSON.parse(process.argv[3]))) + '\n');
  process.exit(0); // pthread workers must not keep the process alive
}

// ---------------------------------------------------------------- parent

function parseArgs(argv) {
  const opt = { ratings: ML25M.ratings, threads: [1, 2], mt: true, fresh: false, reps: 3, rows: 'all', solvers: ['exact', 'cg'], evalOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ratings') {
      opt.ratings = Number(argv[++i]);
      if (!Number.isInteger(opt.ratings) || opt.ratings < 1000) throw new Error('--ratings needs a whole number >= 1000');
    } else if (a === '--threads') {
      opt.threads = String(argv[++i]).split(',').map(Number);
      if (!opt.threads.every((t) => Number.isInteger(t) && t >= 1)) throw new Error('--threads takes a list like 1,2');
    } else if (a === '--reps') {
      opt.reps = Number(argv[++i]);
      if (!Number.isInteger(opt.reps) || opt.reps < 1) throw new Error('--reps needs a whole number >= 1');
    } else if (a === '--rows') {
      opt.rows = String(argv[++i]);
      if (!['all', 'ials'].includes(opt.rows)) throw new Error('--rows takes all or ials');
    } else if (a === '--solvers') {
      opt.solvers = String(argv[++i]).split(',');
      if (!opt.solvers.every((x) => x === 'exact' || x === 'cg')) throw new Error('--solvers takes a list like exact,cg');
    } else if (a === '--no-threads') opt.mt = false;
    else if (a === '--eval-only') opt.evalOnly = true;
    else if (a === '--fresh') opt.fresh = true;
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(SELF, 'utf8').split('\n').slice(1, 26).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  return opt;
}

// The generated set, cached like bench/ingest.mjs's (same folder name, so the
// 25M set is shared with it).
function generated(opt) {
  if (!existsSync(CLI)) throw new Error('build the native CLI first: cmake -S . -B build && cmake --build build');
  const scale = opt.ratings / ML25M.ratings;
  const users = Math.max(100, Math.round(ML25M.users * scale));
  const movies = Math.max(100, Math.round(ML25M.movies * scale));
  const dir = join(tmpdir(), 'towerlens-bench', `gen-u${users}-m${movies}-r${opt.ratings}-s1`);
  if (opt.fresh) rmSync(dir, { recursive: true, force: true });
  if (!existsSync(join(dir, 'done'))) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`generating ${opt.ratings.toLocaleString('en-US')} ratings into ${dir}...\n`);
    execFileSync(CLI, ['generate', '--users', String(users), '--movies', String(movies), '--ratings', String(opt.ratings),
      '--seed', '1', '--quiet', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(join(dir, 'done'), '');
  }
  return { dir, users, movies };
}

function run(spec) {
  process.stderr.write(`  ${spec.build}${spec.solver ? `, ${spec.solver}` : ''}${spec.threads ? `, ${spec.threads} thread(s)` : ''}...\n`);
  const r = spawnSync(process.execPath, [SELF, '--child', JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const f = (v, d = 1) => (v == null ? '-' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const mb = (b) => f(b / 1e6, 0);
const verdict = (ok) => (ok ? 'met' : 'NOT met');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const g = generated(opt);
  const sizeMB = statSync(join(g.dir, 'ratings.csv')).size / 1e6;
  const loadBefore = load();
  process.stderr.write(`load average ${loadBefore}; measuring ${g.dir}\n`);

  if (opt.evalOnly) {
    const evalTable = evaluationRows(g, opt);
    console.log(`\nscale: ${g.dir}; WebAssembly under Node ${process.version}`);
    console.log(`load average before ${loadBefore}, after ${load()} (2-core machine: wall times above 1-2 are inflated)`);
    for (const line of evalTable) console.log(line);
    return;
  }
  const st = opt.rows === 'all' ? run({ dir: g.dir, build: 'st', evaluate: true }) : null;
  if (st?.error) throw new Error(`single-threaded run failed: ${st.error}`);
  const mtRuns = [];
  let mtNote = '';
  if (!opt.mt) mtNote = 'threads rows skipped (--no-threads)';
  else if (!existsSync(MT_MODULE)) mtNote = `threads build not available (${MT_MODULE} is not built)`;
  else {
    // the rows (solver x thread count) alternate, rep after rep, so that a
    // noisy moment does not fall on one row only; the table shows medians
    const keys = opt.solvers.flatMap((solver) => opt.threads.map((t) => ({ solver, t })));
    const byThreads = new Map(keys.map((k) => [`${k.solver} ${k.t}`, []]));
    reps: for (let k = 0; k < opt.reps; k++) {
      for (const { solver, t } of keys) {
        const r = run({ dir: g.dir, build: 'mt', threads: t, solver });
        if (r.unavailable || r.error) {
          mtNote = `threads build not available: ${r.unavailable || r.error}`;
          byThreads.clear();
          break reps;
        }
        byThreads.get(`${solver} ${t}`).push(r);
      }
    }
    for (const runs of byThreads.values()) {
      const sorted = [...runs].sort((a, b) => a.epoch - b.epoch);
      const mid = sorted[(sorted.length - 1) >> 1];
      mtRuns.push({ ...mid, runs, hashes: new Set(runs.map((r) => r.hash)) });
    }
  }
  const evalTable = opt.rows === 'all' && opt.mt && existsSync(MT_MODULE) ? evaluationRows(g, opt) : [];
  const loadAfter = load();

  if (st) {
    console.log(`\nscale: ${st.ratings.toLocaleString('en-US')} ratings (ratings.csv ${f(sizeMB, 0)} MB; with movies.csv ${mb(st.bytes)} MB), ` +
      `${st.users.toLocaleString('en-US')} users, ${st.movies.toLocaleString('en-US')} movies; generated, seed 1; ` +
      `WebAssembly under Node ${process.version}`);
  } else {
    console.log(`\nscale: ${g.dir} (ratings.csv ${f(sizeMB, 0)} MB); WebAssembly under Node ${process.version}; iALS rows only`);
  }
  console.log(`load average before ${loadBefore}, after ${loadAfter} (2-core machine: wall times above 1-2 are inflated)\n`);
  if (st) {
    const ev = st.evaluation;
    const rows = [
      ['ingest (loadDataset, folder)', `${f(st.ingest, 2)} s, ${f(st.bytes / 1e6 / st.ingest, 0)} MB/s`, `<= ${TARGETS.ingestSeconds} s`, verdict(st.ingest <= TARGETS.ingestSeconds)],
      ['trainer setup (preset default)', `${f(st.setup, 2)} s`, '', ''],
      [`one epoch, iALS d=64 (${st.trainRows.toLocaleString('en-US')} train rows)`, `${f(st.epoch, 2)} s`, `<= ${TARGETS.epochSeconds} s`, verdict(st.epoch <= TARGETS.epochSeconds)],
      [`evaluate() (sample: ${ev.rows.toLocaleString('en-US')} of ${ev.rows_total.toLocaleString('en-US')} test rows, ` +
        `${ev.users.toLocaleString('en-US')} of ${ev.users_total.toLocaleString('en-US')} users, seed ${ev.seed}; model + popularity)`,
      `${f(ev.seconds, 2)} s`, '', ''],
      ['peak WebAssembly memory', `${mb(st.wasmBytes)} MB`, '', ''],
      ['peak process RSS (Node + WASM)', `${mb(st.rssBytes)} MB`, `<= ${mb(TARGETS.peakBytes)} MB`, verdict(st.rssBytes <= TARGETS.peakBytes)],
    ];
    console.log('| single-threaded build | measured | target | |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\nevaluation after one epoch: Recall@20 ${f(ev.recall20, 4)} (popularity ${f(ev.popRecall20, 4)})`);
  }

  console.log(`\n| pthread build, one iALS epoch (median of ${opt.reps}) | epoch s (wall) | epoch s (CPU, all threads) | speed-up vs 1 thread | vs exact (wall, CPU) | target | each run, s (load avg at its end) | model hash | peak RSS MB | visitor prior choice, once before epoch 1: s (wall, CPU) |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  if (mtRuns.length === 0) {
    console.log(`| ${mtNote} | | | | | | | | | |`);
    return;
  }
  const find = (solver, t) => mtRuns.find((r) => r.solver === solver && r.threads === t);
  for (const r of mtRuns) {
    const base = find(r.solver, 1) ?? r, exact = find('exact', r.threads);
    const target = r.solver === 'cg' && CG_EPOCH_TARGETS[r.threads];
    console.log(`| ${r.solver}, ${r.threads} thread(s) | ${f(r.epoch, 2)} | ${f(r.epochCpu, 2)} | ${f(base.epoch / r.epoch, 2)}x | ` +
      `${exact ? `${f(exact.epoch / r.epoch, 2)}x, ${f(exact.epochCpu / r.epochCpu, 2)}x` : '-'} | ${target ? `<= ${target} s: ${verdict(r.epoch <= target)}` : ''} | ` +
      `${r.runs.map((x) => `${f(x.epoch, 2)} (${f(x.load1, 2)})`).join(', ')} | ${[...r.hashes].join(' ')} | ${mb(r.rssBytes)} | ${priorCell(r.prior)} |`);
  }
  for (const solver of opt.solvers) {
    const one = find(solver, 1), two = find(solver, 2);
    if (one && two) console.log(`\n${solver}: 2 threads vs 1: ${f(one.epoch / two.epoch, 2)}x (target >= ${TARGETS.speedup}x): ${verdict(one.epoch / two.epoch >= TARGETS.speedup)}`);
    const hashes = new Set(mtRuns.filter((r) => r.solver === solver).flatMap((r) => [...r.hashes]));
    console.log(`${solver}: models ${hashes.size === 1 ? 'identical' : 'DIFFER'} across thread counts`);
  }
  if (st) console.log(`single-threaded build's hash (the default solver) ${st.hash}`);
  console.log('(CPU well below threads x wall means the threads did not get a core each: other load on the machine)');
  for (const line of evalTable) console.log(line);
}

const priorCell = (pr) => (pr.status === 'chosen' ? `${f(pr.seconds, 2)}, ${f(pr.cpu, 2)}` : pr.status);

// The evaluation rows: evaluate() (model + popularity, the default sample)
// in the pthread build with each thread count, --reps runs alternating,
// each in its own process after one epoch (with --eval-only: on the initial
// model, no training). Returns the table's lines.
function evaluationRows(g, opt) {
  const byThreads = new Map(opt.threads.map((t) => [t, []]));
  const loadBefore = load();
  for (let k = 0; k < opt.reps; k++) {
    for (const t of opt.threads) {
      const r = run({ dir: g.dir, build: 'mt', threads: t, evaluate: true, noTraining: opt.evalOnly });
      if (r.unavailable || r.error) return [`\nevaluation rows: threads build not available: ${r.unavailable || r.error}`];
      byThreads.get(t).push(r);
    }
  }
  const loadAfter = load();
  const rows = [...byThreads.entries()].map(([threads, runs]) => {
    const sorted = [...runs].sort((a, b) => a.evaluation.seconds - b.evaluation.seconds);
    return { threads, mid: sorted[(sorted.length - 1) >> 1].evaluation, all: runs.map((r) => r.evaluation.seconds) };
  });
  const ev = rows[0].mid;
  const lines = [
    `\n| evaluate(), pthread build (median of ${opt.reps}; ${opt.evalOnly ? 'initial model, no training' : 'after one epoch'}; ` +
      `${ev.rows.toLocaleString('en-US')} test rows, ${ev.users.toLocaleString('en-US')} users; model + popularity) ` +
      '| s (wall) | s (CPU, all threads) | speed-up vs 1 thread | each run, s | target | |',
    '|---|---|---|---|---|---|---|',
  ];
  const base = rows.find((r) => r.threads === 1) ?? rows[0];
  for (const r of rows) {
    const target = r.threads === TARGETS.evalThreads ? `<= ${TARGETS.evalSeconds} s` : '';
    const met = target ? verdict(r.mid.seconds <= TARGETS.evalSeconds) : '';
    lines.push(`| ${r.threads} thread(s) | ${f(r.mid.seconds, 2)} | ${f(r.mid.cpu, 2)} | ${f(base.mid.seconds / r.mid.seconds, 2)}x | ` +
      `${r.all.map((x) => f(x, 2)).join(', ')} | ${target} | ${met} |`);
  }
  const metrics = new Set([...byThreads.values()].flat().map((r) => r.evaluation.metrics));
  lines.push(`\nevaluation metrics ${metrics.size === 1 ? 'identical' : 'DIFFER'} across thread counts and runs ` +
    `(Recall@20 ${f(ev.recall20, 4)}, popularity ${f(ev.popRecall20, 4)}); load average before ${loadBefore}, after ${loadAfter}`);
  return lines;
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
