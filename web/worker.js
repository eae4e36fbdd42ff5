// The one Web Worker of the page. It owns the WASM instance (through the JS
// API in towerlens.js), the dataset and the model; the page only sends typed
// requests and renders what comes back. See docs/web-app.md for the protocol.
//
// page -> worker   { id, type, ...args }                (requests, one reply each)
// worker -> page   { type: 'reply', id, result }
//                  { type: 'error', id?, code, message, file, line }
//                  { type: 'progress', phase: 'read'|'train'|'evaluate', ... }   (≤ ~10/s)
//                  { type: 'dataset', summary, files }   a dataset is ready
//                  { type: 'training', state, ... }       idle|running|stopped|done
//                  { type: 'epoch', epoch, metrics, baseline }
//                  { type: 'model', ... }                 model saved / restored / forgotten

import { Engine } from './worker-engine.js';
import { readZip, looksLikeZip } from './lib/zip.js';
import { pickMovieLensFiles, baseName } from './lib/pick-files.js';
import { openStore } from './lib/idb.js';

const PROGRESS_INTERVAL_MS = 100; // progress messages are throttled to ~10/s
const STEP_MS = 40;               // one training call runs at most this long
// links.csv of the demo is not fetched: its IMDb/TMDb ids are made up (the
// data is generated, data/README.md) and would link to real, unrelated films.
const DEMO_FILES = ['ratings.csv', 'movies.csv', 'tags.csv'];
const MAX_STORED_DATA_BYTES = 1 << 30; // data above 1 GiB is not copied into IndexedDB
// Files that complete loaded ratings instead of replacing them: dropped alone
// while a dataset is loaded, they are read again together with its files.
const COMPANION_FILES = new Set(['movies.csv', 'movies.dat', 'u.item', 'links.csv', 'tags.csv', 'tags.dat']);
// After each epoch the test split is evaluated; on big data a seeded sample
// (seed: the trainer's) keeps that to seconds: at most 2,000 users with test
// rows (protocol B ranks for them, protocol A takes their test rows), fewer
// than the API's default because it runs every epoch (docs/evaluation.md).
// The table says how many were evaluated.
const EVAL_OPTIONS = { maxUsers: 2000 };

let engine = null;       // the JS API, through worker-engine.js
let store = null;        // IndexedDB wrapper, or null without storage
let ready = null;        // promise of the initialisation
const state = {
  dataset: null,         // summary of the loaded dataset
  inputs: [],            // [{ file, path }] the dataset was read from: a later drop of movies.csv (tags, links) adds to them
  source: 'files',       // how they came: 'files' | 'folder' | 'demo'
  model: null,           // { config, epochsDone, savedAt, source } or null
  training: 'idle',      // idle | running | stopped | done
  config: null,          // training config of the current model
  history: [],           // [{ epoch, metrics }]
  baseline: null,        // popularity metrics on the same split
  pass: null,            // 'split' | 'refit' | 'all' (see run below)
  serving: null,         // { ratings, totalRatings, all } the model that answers was trained on, or null when unknown
  movies: null,          // catalogue cache for title search
  users: null,           // sorted raw user ids for suggestions
  loading: false,
};

// ---------------------------------------------------------------- messaging

function post(msg, transfer) {
  self.postMessage(msg, transfer || []);
}

// Turns anything thrown into the error message shape; the API's errors carry
// code/file/line, and a "file:line: reason" message is parsed as a fallback.
function errorShape(e) {
  const out = {
    code: (e && (e.code || e.status)) || 'ERROR',
    message: (e && e.message) || String(e),
    file: (e && e.file) || '',
    line: (e && Number(e.line)) || 0,
  };
  if (!out.file) {
    const m = /^([^:\n]+?):(\d+): /.exec(out.message);
    if (m) {
      out.file = m[1];
      out.line = Number(m[2]);
    }
  }
  return out;
}

function throttle(fn) {
  let last = 0;
  return (msg, force = false) => {
    const now = performance.now();
    if (force || now - last >= PROGRESS_INTERVAL_MS) {
      last = now;
      fn(msg);
    }
  };
}
const postReadProgress = throttle((m) => post(m));
const postTrainProgress = throttle((m) => post(m));

// Lets queued messages (stop, recommend, ...) run between training steps.
// A MessageChannel task is not clamped like nested setTimeout(0).
const tick = (() => {
  const ch = new MessageChannel();
  const waiting = [];
  ch.port1.onmessage = () => waiting.shift()();
  return () => new Promise((resolve) => { waiting.push(resolve); ch.port2.postMessage(0); });
})();

// ---------------------------------------------------------------- start-up

async function init() {
  engine = await Engine.open();
  store = await openStore();
  const build = buildInfo();
  let restored = null;
  try {
    restored = await restore();
  } catch (e) {
    post({ type: 'error', ...errorShape(e), file: '', line: 0, message: e && e.explained ? e.message : `could not restore what this browser kept: ${errorShape(e).message}` });
  }
  return { build, restored, persistent: !!store };
}

function buildInfo() {
  return { ...engine.build(), crossOriginIsolated: self.crossOriginIsolated === true };
}

// Reloads the files and the model kept in IndexedDB by an earlier visit.
async function restore() {
  if (!store) return null;
  const data = await store.get('data');
  const saved = await store.get('model');
  if (!data && !saved) return null;
  if (data && data.files && data.files.length) {
    await loadInputs(data.files.map((f) => ({ file: f.blob, path: f.name })), data.source, false);
  }
  if (saved && saved.bytes) {
    try {
      await engine.loadModel(new Uint8Array(saved.bytes));
    } catch (e) {
      // the data stays loaded (and kept); the page says why the model did not come back
      const reason = errorShape(e).message;
      post({ type: 'model', event: 'unreadable', reason });
      throw Object.assign(new Error(`the model saved in this browser could not be restored (${reason}); ${state.dataset ? 'the data is loaded: train a new model' : 'train a new model after loading data'}`), { code: e && e.code, explained: true });
    }
    state.config = saved.config || null;
    state.history = saved.history || [];
    state.baseline = saved.baseline || null;
    state.model = { config: state.config, savedAt: saved.savedAt, epochsDone: saved.epochsDone || 0, source: 'restored' };
    state.training = 'done'; // a restored model serves; training it further means a new run
    state.pass = null;
    state.serving = servingFrom(null) || saved.serving || null;
    refreshCaches();
    post({ type: 'model', event: 'restored', ...modelMessage(saved.bytes.byteLength) });
    post(trainingMessage({ resumable: false, restored: true }));
  }
  return { dataset: !!state.dataset, model: !!state.model };
}

function modelMessage(bytes) {
  return { savedAt: state.model && state.model.savedAt, bytes, config: state.config, epochsDone: state.model ? state.model.epochsDone : 0, history: state.history, baseline: state.baseline };
}

// ---------------------------------------------------------------- loading data

// inputs: [{ file: Blob|File, path: string }]; path has folders for folder drops.
// Returns the sources to read, what was skipped, and the inputs worth keeping
// for a reload (a zip whole; of a folder only the files that were read).
async function expandInputs(inputs) {
  const sources = [];
  const skipped = [];
  const keep = [];
  const loose = [];
  const fromFolder = [];
  for (const input of inputs) {
    const name = input.path || input.file.name || 'file';
    if (/\.zip$/i.test(name) || (await looksLikeZip(input.file))) {
      const entries = (await readZip(input.file, baseName(name))).filter((e) => !e.directory);
      const { picked, skipped: rest } = pickMovieLensFiles(entries, (e) => e.name);
      if (picked.length === 0) {
        throw Object.assign(new Error(`${baseName(name)}: the archive holds no MovieLens files (ratings.csv, movies.csv, u.data, ratings.dat, ...)`), { code: 'FORMAT', file: baseName(name) });
      }
      for (const e of picked) sources.push({ name: baseName(e.name), size: e.size, stream: () => e.stream(), from: baseName(name) });
      for (const e of rest) skipped.push(e.name);
      keep.push(input);
    } else if (name.includes('/')) {
      fromFolder.push(input);
    } else {
      loose.push(input);
    }
  }
  if (fromFolder.length) {
    const { picked, skipped: rest } = pickMovieLensFiles(fromFolder, (i) => i.path);
    for (const i of picked) sources.push({ name: baseName(i.path), size: i.file.size, blob: i.file });
    for (const i of rest) skipped.push(i.path);
    keep.push(...picked);
  }
  for (const i of loose) sources.push({ name: baseName(i.path || i.file.name), size: i.file.size, blob: i.file });
  keep.push(...loose);
  return { sources, skipped, keep };
}

// movies.csv (or tags, links) dropped alone after the ratings: the earlier
// File objects plus the new ones, a newer file replacing one of the same name.
function withCompanions(inputs) {
  const names = inputs.map((i) => baseName(i.path || i.file.name).toLowerCase());
  if (!state.dataset || !state.inputs.length || !names.every((n) => COMPANION_FILES.has(n))) return null;
  const kept = state.inputs.filter((i) => !names.includes(baseName(i.path || i.file.name).toLowerCase()));
  return { inputs: [...kept, ...inputs], added: inputs.map((i) => baseName(i.path || i.file.name)) };
}

async function loadInputs(inputs, source, persist) {
  if (state.loading) throw Object.assign(new Error('files are already being read; wait for them to finish'), { code: 'BUSY' });
  const merged = withCompanions(inputs);
  if (merged) {
    inputs = merged.inputs;
    source = state.source === 'demo' ? 'files' : state.source;
  }
  state.loading = true;
  try {
    if (state.training === 'running') stopTraining();
    const { sources, skipped, keep } = await expandInputs(inputs);
    if (sources.length === 0) throw Object.assign(new Error('no files to read'), { code: 'ARG' });
    const files = sources.map((s) => ({ name: s.name, size: s.size, from: s.from || '' }));
    post({ type: 'progress', phase: 'read', files, index: 0, bytes: 0, total: files[0].size, done: false });
    const onBytes = (index, bytes, total) => {
      const finished = bytes >= total;
      postReadProgress({ type: 'progress', phase: 'read', index, file: files[index] ? files[index].name : '', bytes, total, done: finished }, finished);
    };
    const summary = await engine.load(sources, onBytes);
    // the old model belongs to the old data
    state.dataset = summary;
    state.inputs = keep;
    state.source = source;
    state.model = null;
    state.config = null;
    state.history = [];
    state.baseline = null;
    state.training = 'idle';
    state.pass = null;
    state.serving = null;
    refreshCaches();
    if (persist && store) await persistData(keep, source);
    const added = merged ? merged.added : [];
    // no movies file: the loader names the rated movies but knows no title
    const titlesMissing = movieCatalogue().every((m) => !m.title);
    post({ type: 'dataset', summary: state.dataset, files, skipped, added, titlesMissing, source, wasmBytes: engine.memoryBytes() });
    post({ type: 'training', state: 'idle', history: [], baseline: null });
    return { summary: state.dataset, files, skipped, added, titlesMissing };
  } finally {
    state.loading = false;
  }
}

async function persistData(inputs, source) {
  const total = inputs.reduce((n, i) => n + i.file.size, 0);
  try {
    await store.delete('model');
    if (total > MAX_STORED_DATA_BYTES) {
      await store.delete('data');
      return;
    }
    await store.put('data', { source, savedAt: Date.now(), files: inputs.map((i) => ({ name: i.path || i.file.name, blob: i.file })) });
  } catch (e) {
    post({ type: 'error', code: 'STORAGE', message: `the data could not be kept in this browser: ${errorShape(e).message}`, file: '', line: 0 });
  }
}

async function loadDemo() {
  const base = new URL('./data/demo/', self.location.href);
  const inputs = [];
  for (const name of DEMO_FILES) {
    const res = await fetch(new URL(name, base));
    if (!res.ok) {
      if (name === 'ratings.csv' || name === 'movies.csv') {
        throw Object.assign(new Error(`demo data: ${name} could not be fetched (HTTP ${res.status}); is the server serving data/demo/?`), { code: 'IO', file: name });
      }
      continue;
    }
    const blob = await res.blob();
    inputs.push({ file: new File([blob], name, { type: 'text/csv' }), path: name });
  }
  return loadInputs(inputs, 'demo', true);
}

// Caches for suggestions and title search (strings only; no numbers computed).
function refreshCaches() {
  state.movies = null;
  state.users = null;
}

function movieCatalogue() {
  if (!state.movies) {
    state.movies = engine.movies().map((m) => ({ ...m, key: fold(`${m.title} ${m.year || ''}`) }));
  }
  return state.movies;
}

function userIds() {
  if (!state.users) state.users = Array.from(engine.users(), (u) => (typeof u === 'object' ? u.userId : u));
  return state.users;
}

// case- and accent-insensitive key for title search
function fold(s) {
  return String(s).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

function searchMovies(query, limit = 12) {
  const q = fold(query).trim();
  if (!q) return [];
  const words = q.split(/\s+/);
  const hits = [];
  for (const m of movieCatalogue()) {
    if (!words.every((w) => m.key.includes(w))) continue;
    const starts = m.key.startsWith(q) ? 1 : 0;
    hits.push({ m, starts });
  }
  hits.sort((a, b) => b.starts - a.starts || (b.m.ratings || 0) - (a.m.ratings || 0) || a.m.title.localeCompare(b.m.title));
  return hits.slice(0, limit).map((h) => { const { key, ...rest } = h.m; void key; return rest; });
}

function suggestUsers(prefix, limit = 20) {
  const p = String(prefix || '').trim();
  const ids = userIds();
  const out = [];
  for (const id of ids) {
    if (String(id).startsWith(p)) {
      out.push(id);
      if (out.length >= limit) break;
    }
  }
  return { ids: out, total: ids.length, first: ids[0] };
}

// ---------------------------------------------------------------- training

// A run has one or two passes over the data with the same settings:
//   'split' trains on the train share and is evaluated on the held-out rows
//           after every epoch; then
//   'refit' trains the model that answers requests on every rating (the split
//           model serves until it is done);
//   'all'   with test share 0: one pass on every rating, no held-out metrics.
const run = {
  started: 0,        // performance.now() when the current running stretch began
  elapsed: 0,        // ms of earlier stretches: training, evaluation, refit and saving
  pausedMs: 0,       // ms of evaluation and saving (not counted in throughput and time left)
  lastEpochSeen: 0,  // last epoch of the current pass handled by endOfEpoch
  generation: 0,     // bumped by every trainLoop: an older loop (a restart while running) stops at its next await
};

function requireData() {
  if (!state.dataset) throw Object.assign(new Error('load a dataset first (drop files or try the demo data)'), { code: 'STATE' });
}

function passes() {
  return state.pass === 'all' ? 1 : 2;
}

function trainingMessage(extra = {}) {
  return { type: 'training', state: state.training, config: state.config, history: state.history, baseline: state.baseline, pass: state.pass, serving: state.serving, ...extra };
}

// What the page says about the model that answers: { ratings, totalRatings, all, share }
function servingFrom(p) {
  const total = state.dataset ? state.dataset.ratings : 0;
  const t = engine.trainedOn();
  if (t && Number.isFinite(t.ratings)) return { ratings: t.ratings, totalRatings: t.totalRatings ?? total, all: !!t.all };
  if (p && Number.isFinite(p.trainRows)) return { ratings: p.trainRows, totalRatings: p.trainRows + (p.testRows || 0), all: !p.testRows };
  return null;
}

async function startTraining(config) {
  requireData();
  if (state.training === 'running') stopTraining();
  state.pass = config.testFraction === 0 ? 'all' : 'split';
  engine.startTraining(config);
  state.config = config;
  state.history = [];
  state.baseline = null;
  state.model = { config, savedAt: 0, epochsDone: 0, source: 'trained' };
  state.serving = null;
  run.elapsed = 0;
  run.pausedMs = 0;
  run.lastEpochSeen = 0;
  state.training = 'running';
  post(trainingMessage());
  trainLoop();
  return { started: true };
}

function stopTraining() {
  if (state.training !== 'running') return { state: state.training };
  state.training = 'stopped';
  run.elapsed += performance.now() - run.started;
  post(trainingMessage({ resumable: true }));
  return { state: 'stopped' };
}

function resumeTraining() {
  if (state.training === 'running') return { state: 'running' };
  if (state.training !== 'stopped' || !state.config) {
    throw Object.assign(new Error('nothing to resume: start training first'), { code: 'STATE' });
  }
  if (!state.dataset) throw Object.assign(new Error('this model was restored without its data; drop the data again to continue training'), { code: 'STATE' });
  trainLoop();
  return { state: 'running' };
}

// Reads a progress record from the API into one fixed shape. The trainer
// reports `epoch` = 1-based epoch of the last completed batch and `batch` =
// batches completed in it (0 before the first batch). The one quantity
// shown for progress is the last finished epoch's loss per rating
// (`history`): for the default model the whole objective after the epoch,
// which never rises; for tfrs the epoch's mean loss.
function readProgress(p) {
  const epochs = p.epochs || (state.config && state.config.epochs) || 1;
  const batches = p.batches || p.batchesPerEpoch || 1;
  const completed = p.epochsCompleted ?? null;
  const history = Array.isArray(p.history) ? p.history : [];
  const last = history[history.length - 1];
  return {
    epoch: Math.max(1, p.epoch || 1),
    epochs,
    batch: p.batch || 0,
    batches,
    examples: p.examples ?? p.examplesSeen ?? 0,
    objective: last ? last.lossPerExample : undefined,
    objectiveEpoch: last ? last.epoch : 0,
    examplesPerSecond: p.examplesPerSecond || 0,
    epochFinished: completed !== null && completed > run.lastEpochSeen,
    finishedEpoch: completed !== null ? completed : p.epoch,
    finished: !!(p.finished ?? p.done),
    trainRows: p.trainRows,
    testRows: p.testRows,
  };
}

async function trainLoop() {
  const gen = ++run.generation;
  const current = () => gen === run.generation;
  state.training = 'running';
  run.started = performance.now();
  post(trainingMessage());
  while (state.training === 'running' && current()) {
    let p;
    try {
      p = readProgress(engine.step(STEP_MS));
    } catch (e) {
      state.training = 'stopped';
      run.elapsed += performance.now() - run.started;
      post({ type: 'error', ...errorShape(e), message: `training stopped: ${errorShape(e).message}` });
      post(trainingMessage({ resumable: false }));
      return;
    }
    const elapsed = run.elapsed + (performance.now() - run.started);
    const passIndex = state.pass === 'refit' ? 1 : 0;
    const passFraction = Math.min(1, ((p.epoch - 1) + p.batch / p.batches) / p.epochs);
    const fraction = p.finished ? (passIndex + 1) / passes() : (passIndex + passFraction) / passes();
    const training = Math.max(0, elapsed - run.pausedMs);
    const eta = fraction > 0 && !(p.finished && passIndex + 1 === passes()) ? (training / fraction) * (1 - fraction) / 1000 : 0;
    postTrainProgress({ type: 'progress', phase: 'train', pass: state.pass, passes: passes(), ...p, passFraction: p.finished ? 1 : passFraction, fraction, elapsedSeconds: elapsed / 1000, etaSeconds: eta }, p.epochFinished || p.finished);
    if (p.epochFinished || p.finished) await endOfEpoch(p, current);
    if (!current()) return;
    if (p.finished && state.pass === 'split') {
      startRefit(p);
    } else if (p.finished) {
      await finishRun(p);
      return;
    }
    await tick();
  }
}

// The split run is measured; now the same settings on every rating.
function startRefit() {
  try {
    engine.startRefit(state.config);
  } catch (e) {
    // the split model keeps serving
    state.training = 'done';
    post({ type: 'error', ...errorShape(e), message: `the final model on all ratings could not start: ${errorShape(e).message}` });
    post(trainingMessage({ elapsedSeconds: (run.elapsed + performance.now() - run.started) / 1000 }));
    return;
  }
  state.pass = 'refit';
  run.lastEpochSeen = 0;
  post(trainingMessage());
}

async function finishRun(p) {
  if (state.pass === 'refit') engine.finishRefit();
  state.serving = servingFrom(p);
  state.model.epochsDone = p.epochs;
  await saveModel(true);
  state.training = 'done';
  run.elapsed += performance.now() - run.started;
  run.started = performance.now();
  post(trainingMessage({ elapsedSeconds: run.elapsed / 1000 }));
}

async function endOfEpoch(p, current) {
  const epoch = p.finishedEpoch || p.epoch;
  if (epoch <= run.lastEpochSeen) return;
  run.lastEpochSeen = epoch;
  if (state.pass !== 'split') {
    // no held-out rows: nothing to evaluate; the split model (if any) keeps serving until the last epoch
    if (state.pass === 'all') state.model.epochsDone = epoch;
    post({ type: 'epoch', pass: state.pass, epoch, epochs: p.epochs, metrics: null, objective: p.objective, baseline: state.baseline, wasmBytes: engine.memoryBytes() });
    return;
  }
  const paused = performance.now();
  post({ type: 'progress', phase: 'evaluate', what: 'model', pass: state.pass, epoch, epochs: p.epochs });
  await tick(); // let the page show "evaluating" before the call
  if (!current()) return;
  let metrics = null;
  try {
    const r = engine.evaluate(EVAL_OPTIONS);
    metrics = r.metrics ? { ...r.metrics, sampled: r.sampled, evaluated: r.evaluated } : null;
    if (r.baseline) state.baseline = r.baseline;
  } catch (e) {
    post({ type: 'error', ...errorShape(e), message: `evaluation: ${errorShape(e).message}` });
  }
  state.history.push({ epoch, metrics });
  state.model.epochsDone = epoch;
  state.serving = servingFrom(p);
  post({ type: 'epoch', pass: state.pass, epoch, epochs: p.epochs, metrics, objective: p.objective, baseline: state.baseline, serving: state.serving, wasmBytes: engine.memoryBytes() });
  await saveModel(false);
  run.pausedMs += performance.now() - paused; // evaluation and saving do not count toward throughput/ETA
}

async function saveModel(finished) {
  if (!store) return;
  try {
    const bytes = engine.save();
    const copy = bytes.slice().buffer; // own buffer, not a view on WASM memory
    state.model.savedAt = Date.now();
    await store.put('model', { bytes: copy, savedAt: state.model.savedAt, config: state.config, history: state.history, baseline: state.baseline, epochsDone: state.model.epochsDone, finished: !!finished, serving: state.serving });
    post({ type: 'model', event: 'saved', ...modelMessage(copy.byteLength) });
  } catch (e) {
    post({ type: 'error', code: 'STORAGE', message: `the model could not be kept in this browser: ${errorShape(e).message}`, file: '', line: 0 });
  }
}

// ---------------------------------------------------------------- serving

function requireModel() {
  if (!state.model) throw Object.assign(new Error('train a model first (or import one)'), { code: 'STATE' });
}

function filters(a) {
  const f = { k: a.k || 10 };
  if (a.excludeSeen !== undefined) f.excludeSeen = !!a.excludeSeen;
  if (a.genres && a.genres.length) f.genres = a.genres;
  if (a.years && (a.years[0] || a.years[1])) f.years = [a.years[0] || 0, a.years[1] || 9999];
  if (a.minRatings) f.minRatings = a.minRatings;
  return f;
}

function recommend(a) {
  requireModel();
  const userId = Number(a.userId);
  if (!Number.isInteger(userId) || userId < 0) {
    throw Object.assign(new Error(`"${a.userId}" is not a user id (a whole number)`), { code: 'ARG' });
  }
  const result = engine.recommend(userId, filters(a));
  let rated = [];
  try {
    rated = engine.userRatings(userId, a.ratedLimit || 10);
  } catch {
    rated = []; // a model imported without its data knows no ratings
  }
  return { userId, items: result.items || result, rated, epochsDone: state.model.epochsDone, training: state.training, pass: state.pass, serving: state.serving };
}

function similar(a) {
  requireModel();
  const r = engine.similar(Number(a.movieId), { k: a.k || 10 });
  return { movieId: Number(a.movieId), items: r.items || r };
}

function foldin(a) {
  requireModel();
  const ratings = (a.ratings || []).map((r) => ({ movieId: Number(r.movieId), rating: Number(r.rating) }));
  const r = engine.recommendForRatings(ratings, filters(a));
  return { items: r.items || r, epochsDone: state.model.epochsDone, serving: state.serving };
}

function exportModel() {
  requireModel();
  const bytes = engine.save().slice();
  return { bytes: bytes.buffer, name: `towerlens-model-${new Date().toISOString().slice(0, 10)}.tlm` };
}

async function importModel(file) {
  if (state.training === 'running') stopTraining();
  const bytes = new Uint8Array(await file.arrayBuffer());
  await engine.loadModel(bytes);
  state.config = null;
  state.history = [];
  state.baseline = null;
  state.model = { config: null, savedAt: Date.now(), epochsDone: 0, source: 'imported' };
  state.training = 'done';
  state.pass = null;
  state.serving = servingFrom(null);
  refreshCaches();
  if (store) {
    try {
      await store.put('model', { bytes: bytes.buffer, savedAt: state.model.savedAt, config: null, history: [], baseline: null, epochsDone: 0, finished: true, serving: state.serving });
    } catch (e) {
      post({ type: 'error', code: 'STORAGE', message: `the model could not be kept in this browser: ${errorShape(e).message}`, file: '', line: 0 });
    }
  }
  post({ type: 'model', event: 'imported', name: file.name, ...modelMessage(bytes.byteLength) });
  post(trainingMessage({ resumable: false }));
  return { bytes: bytes.byteLength };
}

async function forget() {
  if (store) await store.clear();
  post({ type: 'model', event: 'forgotten' });
  return { forgotten: true };
}

// ---------------------------------------------------------------- dispatch

const handlers = {
  init: () => ready,
  load: (m) => loadInputs(m.inputs, m.source || 'files', true),
  loadDemo: () => loadDemo(),
  train: (m) => startTraining(m.config),
  stop: () => stopTraining(),
  resume: () => resumeTraining(),
  presets: () => engine.presets(),
  recommend: (m) => recommend(m),
  similar: (m) => similar(m),
  foldin: (m) => foldin(m),
  searchMovies: (m) => searchMovies(m.query, m.limit),
  suggestUsers: (m) => suggestUsers(m.prefix, m.limit),
  export: () => exportModel(),
  import: (m) => importModel(m.file),
  forget: () => forget(),
};

self.onmessage = async (event) => {
  const msg = event.data || {};
  const handler = handlers[msg.type];
  try {
    if (!handler) throw Object.assign(new Error(`unknown request "${msg.type}"`), { code: 'ARG' });
    if (msg.type !== 'init') await ready;
    const result = await handler(msg);
    const transfer = result && result.bytes instanceof ArrayBuffer ? [result.bytes] : [];
    post({ type: 'reply', id: msg.id, result }, transfer);
  } catch (e) {
    post({ type: 'error', id: msg.id, request: msg.type, ...errorShape(e) });
  }
};

ready = init();
ready.catch((e) => post({ type: 'error', code: 'INIT', message: `the engine could not start: ${errorShape(e).message}`, file: '', line: 0 }));
