#!/usr/bin/env node
// Ingest benchmark: reading ratings.csv natively (C), in WASM under Node
// (web/towerlens.js, fs.readSync straight into WASM memory) and with
// PapaParse 5 (header, dynamicTyping, skipEmptyLines, on the file already read
// into a string), on ml-latest-small when present and on a generated file of
// 25 million ratings. Prints one table with MB/s, rows/s, ratios vs PapaParse,
// peak memory and bytes per rating held, then the targets.
//
//   node bench/ingest.mjs [--ratings N] [--runs N] [--procs N] [--papa-runs N] [--no-small]
//                         [--no-large] [--fresh] [--file PATH/ratings.csv]...
//
// Native and WASM are measured the same way: --procs processes (default 2),
// each loading the file 1 + --runs times (default 3), freeing each dataset
// before the next. The first load of a process is "cold" (fresh memory),
// reported as the median over processes; the others are "warm", reported as
// the median of all of them. Targets are checked on the warm figures.
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

// one WASM instance: 1 cold load, then `runs` warm ones
async function childWasm(file, runs) {
  const { createTowerlens } = await import(join(REPO, 'web/towerlens.js'));
  const tl = await createTowerlens();
  // (no CPU time here: Node's process CPU time includes V8's compiler and GC threads)
  const times = [];
  let rows = 0, held = 0, ratingBytes = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const ds = await tl.loadDataset({ name: 'ratings.csv', path: file });
    times.push((performance.now() - t0) / 1e3);
    rows = ds.numRatings;
    held = ds.bytesHeld;
    ratingBytes = ds.ratingBytes;
    ds.free();
  }
  return {
    cold: [times[0]], warm: times.slice(1), rows, heldBytes: held, ratingBytes, peakBytes: tl.memoryBytes, simd: tl.simd,
  };
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

// The native reader: tl_bench_ingest in this child process's place, loading
// the file 1 + runs times from disk (cold, then warm) and as many times from
// memory (`parse_runs_s`, bytes already read, fed in 1 MiB chunks; all warm);
// peak RSS is after its first load. Without it, `towerlens stats --json`
// timed as a whole process (cold only).
function childNative(file, runs) {
  if (existsSync(NATIVE_BENCH)) {
    const run = (extra) => JSON.parse(execFileSync(NATIVE_BENCH, [file, '--repeat', String(runs + 1), '--json', ...extra],
      { encoding: 'utf8' }).trim().split('\n').pop());
    const out = run([]);
    // the same in a process whose allocator keeps freed memory, as WASM memory does (glibc only)
    let keep = null;
    try { keep = run(['--keep-freed']); } catch { keep = null; }
    return {
      cold: [out.load_s[0]], warm: out.load_s.slice(1), memory: out.parse_runs_s,
      coldCpu: [out.load_cpu_s[0]], warmCpu: out.load_cpu_s.slice(1), memoryCpu: out.parse_runs_cpu_s,
      keepWarm: keep ? keep.load_s.slice(1) : undefined, keepWarmCpu: keep ? keep.load_cpu_s.slice(1) : undefined,
      keepFaults: keep ? keep.warm_load_faults : undefined,
      coldFaults: out.cold_load_faults, warmFaults: out.warm_load_faults, rows: out.ratings,
      heldBytes: out.held_bytes_per_rating * out.ratings, ratingBytes: out.column_bytes_per_rating * out.ratings,
      peakBytes: out.peak_rss_mb * 1e6, tool: 'tl_bench_ingest',
    };
  }
  const hasTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', CLI, 'stats', '--json', file], { encoding: 'utf8' })
    : spawnSync(CLI, ['stats', '--json', file], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1e3;
  if (r.status !== 0) throw new Error(`towerlens stats failed: ${r.stderr}`);
  const peak = hasTime ? Number(r.stderr.trim().split('\n').pop()) * 1024 : null;
  return { cold: [seconds], warm: [], rows: JSON.parse(r.stdout).ratings, heldBytes: null, peakBytes: peak, tool: 'towerlens stats' };
}

if (process.argv[2] === '--child') {
  const [engine, file, runs] = process.argv.slice(3);
  const run = { wasm: childWasm, papa: childPapa, native: childNative }[engine];
  process.stdout.write(JSON.stringify(await run(file, Number(runs))) + '\n');
  process.exit(0);
}

// ---------------------------------------------------------------- parent

function parseArgs(argv) {
  const opt = { ratings: 25_000_000, runs: 3, procs: 2, papaRuns: 5, small: true, large: true, fresh: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--ratings') opt.ratings = num();
    else if (a === '--runs') opt.runs = num();
    else if (a === '--procs') opt.procs = num();
    else if (a === '--papa-runs') opt.papaRuns = num();
    else if (a === '--no-small') opt.small = false;
    else if (a === '--no-large') opt.large = false;
    else if (a === '--fresh') opt.fresh = true;
    else if (a === '--file' && i + 1 < argv.length) opt.files.push(resolve(argv[++i]));
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(SELF, 'utf8').split('\n').slice(1, 16).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
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

function measureOnce(engine, file, runs) {
  const args = [...(engine === 'papa' ? ['--expose-gc', '--max-old-space-size=16384'] : []), SELF, '--child', engine, file, String(runs)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// native and WASM: `procs` processes, their cold and warm times pooled
const POOLED = ['cold', 'warm', 'memory', 'coldCpu', 'warmCpu', 'memoryCpu', 'keepWarm', 'keepWarmCpu'];
function measure(engine, file, runs, procs) {
  process.stderr.write(`  ${engine} on ${file}...\n`);
  if (engine === 'papa') return measureOnce(engine, file, runs);
  let all = null;
  for (let p = 0; p < procs; p++) {
    const r = measureOnce(engine, file, runs);
    if (r.error) return r;
    if (!all) {
      all = { ...r, procs: 0 };
      for (const k of POOLED) if (r[k]) all[k] = [...r[k]];
    }
    else {
      for (const k of POOLED) if (r[k]) all[k].push(...r[k]);
      all.peakBytes = Math.max(all.peakBytes ?? 0, r.peakBytes ?? 0) || all.peakBytes;
    }
    all.procs++;
  }
  return all;
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
  const mark = (ok) => (ok ? 'met' : 'NOT met');
  for (const set of sets) {
    const size = statSync(set.file).size;
    const native = measure('native', set.file, opt.runs, opt.procs);
    const wasm = measure('wasm', set.file, opt.runs, opt.procs);
    const papa = measure('papa', set.file, opt.papaRuns);
    const papaRate = papa.error ? null : papa.rows / papa.seconds;
    // one table row per (engine, cold/warm); `seconds` is the median of `times`
    const lines = [];
    const split = (r, label, coldLabel) => {
      if (r.error) return lines.push({ name: label, error: r.error });
      const n = r.procs, w = r.warm.length;
      const cpu = (xs) => (xs && xs.length ? median(xs) : null);
      lines.push({ key: 'cold', name: `${label}, cold: 1st load ${coldLabel}`, r, seconds: median(r.cold), cpu: cpu(r.coldCpu), runs: `${n} x 1st`, faults: r.coldFaults });
      if (w) lines.push({ key: 'warm', name: `${label}, warm: later loads, same process`, r, seconds: median(r.warm), cpu: cpu(r.warmCpu), runs: `${n} x ${w / n}`, faults: r.warmFaults });
      return null;
    };
    split(native, `native C${native.tool === 'towerlens stats' ? ' (towerlens stats)' : ''}, from file`, 'in a process');
    const nativeLines = lines.splice(0);
    if (native.keepWarm) nativeLines.push({ key: 'keep', name: 'native C, from file, warm, allocator keeps freed memory', r: native, seconds: median(native.keepWarm), cpu: median(native.keepWarmCpu), runs: `${native.procs} x ${native.keepWarm.length / native.procs}`, faults: native.keepFaults });
    if (native.memory) nativeLines.push({ key: 'memory', name: 'native C, in memory, warm (bytes already read)', r: { ...native, peakBytes: null }, seconds: median(native.memory), cpu: native.memoryCpu ? median(native.memoryCpu) : null, runs: `${native.procs} x ${native.memory.length / native.procs}` });
    split(wasm, `WASM${wasm.simd ? ' SIMD128' : ''}, Node, from file`, 'in an instance');
    const wasmLines = lines.splice(0);
    const papaLines = papa.error ? [{ name: 'PapaParse 5', error: papa.error }]
      : [{ key: 'papa', name: `PapaParse 5${papa.mode === 'stream' ? ' (stream, once)' : ', string already read'}`, r: papa, seconds: papa.seconds, runs: String(papa.runs) }];
    const result = {};
    for (const [engine, list] of [['native', nativeLines], ['wasm', wasmLines], ['papa', papaLines]]) {
      for (const l of list) {
        if (l.error) {
          rows.push([set.label, l.name, 'failed: ' + l.error]);
          continue;
        }
        const r = l.r;
        const mbs = size / 1e6 / l.seconds;
        const rps = r.rows / l.seconds;
        rows.push([set.label, l.name, fmt(size / 1e6, 1), fmt(r.rows), fmt(l.seconds * 1e3, 1), fmt(mbs, 0),
          l.cpu ? fmt(size / 1e6 / l.cpu, 0) : '-', fmt(rps / 1e6, 2),
          papaRate ? `${fmt(rps / papaRate, 1)}x` : '-', mb(r.peakBytes),
          r.peakBytes == null ? '-' : fmt(r.peakBytes / r.rows, 1),
          r.heldBytes == null ? '-' : fmt(r.heldBytes / r.rows, 1),
          r.ratingBytes == null ? '-' : fmt(r.ratingBytes / r.rows, 1), l.faults == null ? '-' : fmt(l.faults), l.runs]);
        result[`${engine}.${l.key}`] = { mbs, rps, r, cpuMbs: l.cpu ? size / 1e6 / l.cpu : null };
      }
    }
    const byCpu = (x) => (x && x.cpuMbs ? ` (${fmt(x.cpuMbs, 0)} by CPU time)` : '');
    const wc = result['wasm.cold'], ww = result['wasm.warm'], nc = result['native.cold'], nw = result['native.warm'], nm = result['native.memory'];
    if (ww && papaRate) checks.push(`${set.label}: WASM warm rows/s = ${fmt(ww.rps / papaRate, 1)}x PapaParse (target >= 20x): ${mark(ww.rps / papaRate >= 20)}`);
    if (ww) checks.push(`${set.label}: WASM warm ${fmt(ww.mbs, 0)} MB/s${byCpu(ww)} (target >= 330): ${mark(ww.mbs >= 330)}${wc ? `; cold ${fmt(wc.mbs, 0)} MB/s${byCpu(wc)}` : ''}`);
    if (nw) checks.push(`${set.label}: native from file, warm ${fmt(nw.mbs, 0)} MB/s${byCpu(nw)} (target >= 600): ${mark(nw.mbs >= 600)}${nc ? `; cold ${fmt(nc.mbs, 0)} MB/s${byCpu(nc)}` : ''}`);
    else if (nc) checks.push(`${set.label}: native from file, cold only ${fmt(nc.mbs, 0)} MB/s (target >= 600 on warm loads): not measured`);
    const nk = result['native.keep'];
    if (nk) checks.push(`${set.label}: native from file, warm, allocator keeping freed memory as WASM memory does: ${fmt(nk.mbs, 0)} MB/s${byCpu(nk)} (for comparison; the target is checked on the default allocator above)`);
    if (nm) checks.push(`${set.label}: native in memory, warm ${fmt(nm.mbs, 0)} MB/s${byCpu(nm)} (target >= 600): ${mark(nm.mbs >= 600)}`);
    if (ww) checks.push(`${set.label}: WASM dataset holds ${fmt(ww.r.ratingBytes / ww.r.rows, 2)} bytes/rating in its rating columns and indices (target <= 16: 13 with per-rating timestamps): ${mark(ww.r.ratingBytes / ww.r.rows <= 16)}`);
  }

  const head = ['data', 'reader', 'file MB', 'rows', 'ms', 'MB/s', 'MB/s by CPU', 'M rows/s', 'vs Papa', 'peak MB', 'peak B/rating',
    'held B/rating', 'ratings B/rating', 'page faults', 'loads'];
  const table = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const line = (r) => '| ' + head.map((_, i) => (r[i] ?? '').padEnd(widths[i])).join(' | ') + ' |';
  console.log();
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log();
  console.log('MB = 10^6 bytes of ratings.csv; times are medians (PapaParse: parse only, file already a string);');
  console.log('cold = the first load in a fresh process / WASM instance (median over processes): its memory is new to');
  console.log('the process, and on virtual machines each first touch of a page costs microseconds; warm = the later');
  console.log('loads in the same process, each after the previous dataset was freed (median of all); loads = processes');
  console.log('x loads each; page faults = native minor faults per load (median); targets are checked on warm loads');
  console.log('by the wall clock; MB/s by CPU = native loads timed by the process CPU time (user + system, median),');
  console.log('steadier than the wall clock when other jobs share the cores (not for WASM: Node\'s process CPU time');
  console.log('includes V8\'s compiler and GC threads);');
  console.log('from file = reading the file (page cache) in chunks and parsing; in memory = parsing bytes already read;');
  console.log('allocator keeps freed memory = tl_bench_ingest --keep-freed: glibc told not to return freed memory to the');
  console.log('kernel (WASM memory never shrinks), so warm native loads reuse pages: the loader without page faults;');
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
