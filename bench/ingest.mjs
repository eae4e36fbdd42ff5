#!/usr/bin/env node
// Ingest benchmark: reading ratings.csv natively (C), in WASM under Node
// (web/towerlens.js, fs.readSync straight into WASM memory) and with
// PapaParse 5 (header, dynamicTyping, skipEmptyLines, on the file already read
// into a string), on ml-latest-small when present and on a generated file of
// 25 million ratings. Prints one table with MB/s, rows/s, ratios vs PapaParse,
// peak memory and bytes per rating held, then the targets.
//
//   node bench/ingest.mjs [--ratings N] [--runs N] [--papa-runs N] [--no-small] [--no-large]
//                         [--fresh] [--file PATH/ratings.csv]...
//
// Each engine runs in its own child process so peak memory is its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const SMALL = resolve(REPO, '../shared/data/ml-latest-small/ratings.csv');
const NATIVE_DIR = join(REPO, 'build');
const CLI = join(NATIVE_DIR, 'towerlens');
const NATIVE_BENCH = join(NATIVE_DIR, 'tl_bench_ingest');
const STRING_LIMIT = 500e6; // V8 strings stop at 2^29 - 24 characters (~537 M)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

// ---------------------------------------------------------------- children
// `--child ENGINE FILE RUNS` measures one engine and prints one JSON line.

async function childWasm(file, runs) {
  const { createTowerlens } = await import(join(REPO, 'web/towerlens.js'));
  const tl = await createTowerlens();
  const times = [];
  let rows = 0, held = 0, ratingBytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const ds = await tl.loadDataset({ name: 'ratings.csv', path: file });
    times.push((performance.now() - t0) / 1e3);
    rows = ds.numRatings;
    held = ds.bytesHeld;
    ratingBytes = ds.ratingBytes;
    ds.free();
  }
  return { seconds: median(times), rows, heldBytes: held, ratingBytes, peakBytes: tl.memoryBytes, simd: tl.simd, runs };
}

async function childPapa(file, runs) {
  const Papa = (await import('papaparse')).default;
  const config = { header: true, dynamicTyping: true, skipEmptyLines: true };
  const size = statSync(file).size;
  if (size > STRING_LIMIT) {
    // too large for one JS string: PapaParse's own streaming from a file, same options, once
    const fs = await import('node:fs');
    const t0 = performance.now();
    const rows = await new Promise((ok, fail) => {
      let n = 0;
      Papa.parse(fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), {
        ...config, chunk: (r) => { n += r.data.length; }, complete: () => ok(n), error: fail,
      });
    });
    const seconds = (performance.now() - t0) / 1e3;
    return { seconds, rows, heldBytes: null, peakBytes: process.resourceUsage().maxRSS * 1024, runs: 1, mode: 'stream' };
  }
  const text = readFileSync(file, 'utf8');
  const times = [];
  let rows = 0, held = 0, result = null;
  for (let i = 0; i < runs; i++) {
    result = null; // the previous run's rows must not count as held by this one
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    result = Papa.parse(text, config);
    times.push((performance.now() - t0) / 1e3);
    globalThis.gc();
    held = Math.max(held, process.memoryUsage().heapUsed - before);
    rows = result.data.length;
    if (result.errors.length) throw new Error(`PapaParse: ${result.errors[0].message}`);
  }
  return { seconds: median(times), rows, heldBytes: held, peakBytes: process.resourceUsage().maxRSS * 1024, runs };
}

// The native reader: tl_bench_ingest, in a fresh process per run so its peak
// RSS is its own: `load_s` (from the file, 1 MiB reads) and `parse_s` (the
// bytes already in memory, fed in 1 MiB chunks); else `towerlens stats --json`
// timed as a whole process.
function childNative(file, runs) {
  const times = [], memTimes = [];
  if (existsSync(NATIVE_BENCH)) {
    let out;
    for (let i = 0; i < runs; i++) {
      const text = execFileSync(NATIVE_BENCH, [file, '--repeat', '1', '--json'], { encoding: 'utf8' });
      out = JSON.parse(text.trim().split('\n').pop());
      times.push(out.load_s);
      memTimes.push(out.parse_s);
    }
    return {
      seconds: median(times), memSeconds: median(memTimes), rows: out.ratings,
      heldBytes: out.held_bytes_per_rating * out.ratings, ratingBytes: out.column_bytes_per_rating * out.ratings,
      peakBytes: out.peak_rss_mb * 1e6, runs, tool: 'tl_bench_ingest',
    };
  }
  let rows = 0, peak = null;
  const hasTime = existsSync('/usr/bin/time');
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = hasTime
      ? spawnSync('/usr/bin/time', ['-f', '%M', CLI, 'stats', '--json', file], { encoding: 'utf8' })
      : spawnSync(CLI, ['stats', '--json', file], { encoding: 'utf8' });
    times.push((performance.now() - t0) / 1e3);
    if (r.status !== 0) throw new Error(`towerlens stats failed: ${r.stderr}`);
    rows = JSON.parse(r.stdout).ratings;
    if (hasTime) peak = Number(r.stderr.trim().split('\n').pop()) * 1024;
  }
  return { seconds: median(times), rows, heldBytes: null, peakBytes: peak, runs, tool: 'towerlens stats' };
}

if (process.argv[2] === '--child') {
  const [engine, file, runs] = process.argv.slice(3);
  const run = { wasm: childWasm, papa: childPapa, native: childNative }[engine];
  process.stdout.write(JSON.stringify(await run(file, Number(runs))) + '\n');
  process.exit(0);
}

// ---------------------------------------------------------------- parent

function parseArgs(argv) {
  const opt = { ratings: 25_000_000, runs: 3, papaRuns: 5, small: true, large: true, fresh: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--ratings') opt.ratings = num();
    else if (a === '--runs') opt.runs = num();
    else if (a === '--papa-runs') opt.papaRuns = num();
    else if (a === '--no-small') opt.small = false;
    else if (a === '--no-large') opt.large = false;
    else if (a === '--fresh') opt.fresh = true;
    else if (a === '--file' && i + 1 < argv.length) opt.files.push(resolve(argv[++i]));
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(SELF, 'utf8').split('\n').slice(1, 12).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
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
  sh('cmake', ['--build', 'build', '-j2', '--target', 'towerlens', 'tl_bench_ingest']);
  sh('emcmake', ['cmake', '-S', '.', '-B', 'build-wasm', '-DCMAKE_BUILD_TYPE=Release']);
  sh('cmake', ['--build', 'build-wasm', '-j2', '--target', 'towerlens_wasm']);
}

function cliHas(command) {
  const r = spawnSync(CLI, [command, '--help'], { encoding: 'utf8' });
  return r.status === 0;
}

// The generated file: cached in the temp dir (same seed, same bytes).
function generated(opt) {
  if (!cliHas('generate')) return { skip: '`towerlens generate` is not built yet' };
  const dir = join(tmpdir(), 'towerlens-bench', `gen-u162000-m62000-r${opt.ratings}-s1`);
  const file = join(dir, 'ratings.csv');
  if (opt.fresh) rmSync(dir, { recursive: true, force: true });
  if (!existsSync(join(dir, 'done'))) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`generating ${opt.ratings.toLocaleString('en-US')} ratings into ${dir}...\n`);
    sh(CLI, ['generate', '--users', '162000', '--movies', '62000', '--ratings', String(opt.ratings),
      '--seed', '1', '--quiet', '--out', dir]);
    writeFileSync(join(dir, 'done'), '');
  }
  return { file };
}

function measure(engine, file, runs) {
  process.stderr.write(`  ${engine} on ${file}...\n`);
  const args = [...(engine === 'papa' ? ['--expose-gc', '--max-old-space-size=16384'] : []), SELF, '--child', engine, file, String(runs)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const fmt = (v, digits = 0) => (v == null ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const mb = (b) => (b == null ? '-' : fmt(b / 1e6, 0));

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  build();
  const sets = [];
  if (opt.small) {
    if (existsSync(SMALL)) sets.push({ label: 'ml-latest-small', file: SMALL });
    else process.stderr.write(`SKIP ml-latest-small: ${SMALL} not found\n`);
  }
  if (opt.large) {
    const g = generated(opt);
    if (g.skip) process.stderr.write(`SKIP generated ${opt.ratings} ratings: ${g.skip}\n`);
    else sets.push({ label: `generated ${(opt.ratings / 1e6).toLocaleString('en-US')}M`, file: g.file });
  }
  for (const file of opt.files) {
    if (!existsSync(file)) throw new Error(`${file} not found`);
    sets.push({ label: file.split('/').slice(-2).join('/'), file });
  }
  if (sets.length === 0) {
    console.log('nothing to measure (no ml-latest-small, no generator)');
    return;
  }

  const rows = [];
  const checks = [];
  for (const set of sets) {
    const size = statSync(set.file).size;
    const native = measure('native', set.file, opt.runs);
    const res = {
      native,
      // the same runs' in-memory parse times, when tl_bench_ingest measured them
      ...(native.memSeconds ? { nativeMemory: { ...native, seconds: native.memSeconds, peakBytes: null } } : {}),
      wasm: measure('wasm', set.file, opt.runs),
      papa: measure('papa', set.file, opt.papaRuns),
    };
    const papaRate = res.papa.error ? null : res.papa.rows / res.papa.seconds;
    for (const [engine, r] of Object.entries(res)) {
      const name = {
        native: `native C, from file${r.tool === 'towerlens stats' ? ' (towerlens stats)' : ''}`,
        nativeMemory: 'native C, in memory',
        wasm: `WASM${r.simd ? ' SIMD128' : ''}, Node, from file`,
        papa: `PapaParse 5${r.mode === 'stream' ? ' (stream)' : ''}`,
      }[engine];
      if (r.error) {
        rows.push([set.label, name, 'failed: ' + r.error]);
        continue;
      }
      const mbs = size / 1e6 / r.seconds;
      const rps = r.rows / r.seconds;
      rows.push([set.label, name, fmt(size / 1e6, 1), fmt(r.rows), fmt(r.seconds * 1e3, 0), fmt(mbs, 0), fmt(rps / 1e6, 2),
        papaRate ? `${fmt(rps / papaRate, 1)}x` : '-', mb(r.peakBytes),
        r.peakBytes == null ? '-' : fmt(r.peakBytes / r.rows, 1),
        r.heldBytes == null ? '-' : fmt(r.heldBytes / r.rows, 1),
        r.ratingBytes == null ? '-' : fmt(r.ratingBytes / r.rows, 1), String(r.runs)]);
      r.mbs = mbs;
      r.rps = rps;
    }
    const w = res.wasm, n = res.native;
    const mark = (ok) => (ok ? 'met' : 'NOT met');
    if (!w.error && papaRate) checks.push(`${set.label}: WASM rows/s = ${fmt(w.rps / papaRate, 1)}x PapaParse (target >= 20x): ${mark(w.rps / papaRate >= 20)}`);
    if (!w.error) checks.push(`${set.label}: WASM ${fmt(w.mbs, 0)} MB/s (target >= 330): ${mark(w.mbs >= 330)}`);
    if (!n.error) checks.push(`${set.label}: native from file ${fmt(n.mbs, 0)} MB/s (target >= 600): ${mark(n.mbs >= 600)}`);
    const nm = res.nativeMemory;
    if (nm && !nm.error) checks.push(`${set.label}: native in memory ${fmt(nm.mbs, 0)} MB/s (target >= 600): ${mark(nm.mbs >= 600)}`);
    if (!w.error) checks.push(`${set.label}: WASM dataset holds ${fmt(w.ratingBytes / w.rows, 2)} bytes/rating in its rating columns and indices (target <= 12): ${mark(w.ratingBytes / w.rows <= 12)}`);
  }

  const head = ['data', 'reader', 'file MB', 'rows', 'ms', 'MB/s', 'M rows/s', 'vs Papa', 'peak MB', 'peak B/rating',
    'held B/rating', 'ratings B/rating', 'runs'];
  const table = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const line = (r) => '| ' + head.map((_, i) => (r[i] ?? '').padEnd(widths[i])).join(' | ') + ' |';
  console.log();
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log();
  console.log('MB = 10^6 bytes of ratings.csv; times are medians (PapaParse: parse only, file already a string);');
  console.log('from file = reading the file (page cache) in chunks and parsing; in memory = parsing bytes already read;');
  console.log('peak MB: WASM = WebAssembly memory reserved, native = max RSS, PapaParse = max RSS of its process;');
  console.log('held B/rating: bytes the loaded result keeps per rating (WASM: all dataset arrays incl. catalogue and');
  console.log('titles; PapaParse: JS heap held by its row objects); ratings B/rating: rating columns + user/movie indices.');
  console.log();
  for (const c of checks) console.log(c);
}

main().catch((e) => {
  console.error(`bench/ingest.mjs: ${e.message}`);
  process.exit(1);
});
