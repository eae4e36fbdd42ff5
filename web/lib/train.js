// Training in WebAssembly, a step at a time: a Trainer owns a core trainer
// handle (the split, the model, Adagrad state). step() runs a bounded amount
// of work and returns progress; run() repeats it, yielding to the event loop
// between steps so a worker stays responsive (and so the engine can swap in
// its optimised code for the hot kernels).
import { TowerlensError } from './errors.js';
import { liveModel } from './model.js';
import { checkThreads } from './core.js';
import { whole } from './args.js';

/** The seeded sample `evaluate()` takes by default (TL_EVAL_SAMPLE_USERS in
 * include/towerlens/eval.h, the CLI's default): at most this many users with
 * test rows; protocol B ranks for them, protocol A takes their test rows.
 * See docs/evaluation.md. */
export const EVAL_SAMPLE_USERS = 5000;

const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ core, handle }) => { if (!core.broken) core.m._tlw_trainer_free(handle); })
  : null;

/** Resolves on the next turn of the event loop (setImmediate in Node, a message elsewhere). */
export function nextTurn() {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
      ch.port2.postMessage(0);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The allowed range of every createTrainer option, [min, max] inclusive (the
 * core's limits: TL_MAX_DIM, TL_MAX_BATCH, TL_MAX_EPOCHS in include/towerlens,
 * TL_MAX_TEST_FRACTION in split.h). An option left out takes the preset's
 * value; testFraction 0 trains on every rating (no held-out rows).
 */
export const TRAINER_LIMITS = Object.freeze({
  epochs: Object.freeze([1, 100000]),
  batchSize: Object.freeze([1, 1 << 20]),
  dim: Object.freeze([1, 1024]),
  learningRate: Object.freeze([1e-6, 100]),
  seed: Object.freeze([0, Number.MAX_SAFE_INTEGER]),
  testFraction: Object.freeze([0, 0.5]),
  trainRows: Object.freeze([0, 2 ** 32 - 1]),
  testRows: Object.freeze([0, 2 ** 32 - 1]),
  ratingWeight: Object.freeze([0, 1e6]),
  retrievalWeight: Object.freeze([0, 1e6]),
  cgSteps: Object.freeze([1, 64]),
});

const shown = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A whole-number option in its TRAINER_LIMITS range; `fallback` when left out. */
const wholeOption = (options, name, fallback) => {
  const v = options[name];
  if (v === undefined) return fallback;
  const [min, max] = TRAINER_LIMITS[name];
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new TowerlensError(`${name} must be a whole number from ${min} to ${max}, got ${shown(v)}`, { code: 'ARG' });
  }
  return v;
};

/** A number option in its TRAINER_LIMITS range; `fallback` when left out. */
const numberOption = (options, name, fallback, hint = '') => {
  const v = options[name];
  if (v === undefined) return fallback;
  const [min, max] = TRAINER_LIMITS[name];
  if (typeof v !== 'number' || !(v >= min && v <= max)) {
    throw new TowerlensError(`${name} must be a number from ${min} to ${max}${hint}, got ${shown(v)}`, { code: 'ARG' });
  }
  return v;
};

/** Camel-case progress from the core's JSON. */
// The visitor prior as the core reports it (tl_prior_choice_json)
function visitorPriorOf(v) {
  const out = { status: v.status, w3: v.w3, w10: v.w10 };
  if (v.status === 'chosen') {
    Object.assign(out, { users3: v.users3, users10: v.users10, auxUsers: v.aux_users, auxRows: v.aux_rows,
      k3: { recall: v.k3.recall, ndcg: v.k3.ndcg, popularityRecall: v.k3.popularity_recall, popularityNdcg: v.k3.popularity_ndcg },
      k10: { recall: v.k10.recall, ndcg: v.k10.ndcg, popularityRecall: v.k10.popularity_recall, popularityNdcg: v.k10.popularity_ndcg },
      seconds: v.seconds });
  }
  return out;
}

// options.visitorPrior: undefined (the preset's), 'auto', 'off' or [w3, w10]
function visitorPriorMode(v) {
  if (v === undefined) return [0, 0, 0];
  if (v === 'auto') return [1, 0, 0];
  if (v === 'off') return [2, 0, 0];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && x >= 0 && x <= 1000)) return [3, v[0], v[1]];
  throw new TowerlensError(`visitorPrior must be 'auto', 'off' or [w3, w10] with weights 0-1000, got ${shown(v)}`, { code: 'ARG' });
}

function progressOf(p) {
  return {
    epoch: p.epoch,
    batch: p.batch,
    batchesPerEpoch: p.batches_per_epoch,
    epochs: p.epochs,
    epochsCompleted: p.epochs_completed,
    examplesSeen: p.examples_seen,
    runningLoss: p.running_loss,
    epochLoss: p.epoch_loss,
    lastBatchLoss: p.last_batch_loss,
    firstBatchLoss: p.first_batch_loss,
    seconds: p.seconds,
    examplesPerSecond: p.examples_per_second,
    done: p.done,
    trainRows: p.train_rows,
    testRows: p.test_rows,
    visitorPrior: visitorPriorOf(p.visitor_prior),
    history: p.history.map((e) => ({
      epoch: e.epoch, loss: e.loss, lossPerExample: e.loss_per_example, seconds: e.seconds,
    })),
  };
}

/**
 * @param {import('./core.js').Core} core
 * @param {import('./dataset.js').Dataset} dataset
 * @param {object} options  see Trainer in docs/js-api.md
 */
export function createTrainer(core, dataset, options = {}) {
  const m = core.m;
  if (options === null || typeof options !== 'object') {
    throw new TowerlensError(`options must be an object, got ${shown(options)}`, { code: 'ARG' });
  }
  const preset = options.preset ?? 'tfrs';
  if (typeof preset !== 'string') throw new TowerlensError('preset must be a string', { code: 'ARG' });
  // 0 / -1 tell the core "the preset's value"
  const dim = wholeOption(options, 'dim', 0);
  const batch = wholeOption(options, 'batchSize', 0);
  const epochs = wholeOption(options, 'epochs', 0);
  const trainRows = wholeOption(options, 'trainRows', 0);
  const testRows = wholeOption(options, 'testRows', 0);
  const seed = wholeOption(options, 'seed', -1);
  const lr = numberOption(options, 'learningRate', 0);
  const testFraction = numberOption(options, 'testFraction', -1, ' (0 = train on every rating)');
  if (testRows && !trainRows) {
    throw new TowerlensError('testRows needs trainRows (or use testFraction)', { code: 'ARG' });
  }
  if (!dataset || dataset._core !== core) {
    throw new TowerlensError('createTrainer needs a Dataset loaded by this towerlens instance', { code: 'ARG' });
  }
  const ratingWeight = numberOption(options, 'ratingWeight', 0);
  const retrievalWeight = numberOption(options, 'retrievalWeight', 1);
  const solver = options.solver ?? '';
  if (typeof solver !== 'string') throw new TowerlensError(`solver must be 'exact' or 'cg', got ${solver}`, { code: 'ARG' });
  const cgSteps = wholeOption(options, 'cgSteps', 0);
  const [priorMode, w3, w10] = visitorPriorMode(options.visitorPrior);
  const threads = trainerThreads(core, options.threads);
  const dsHandle = dataset._handle();
  const h = m._tlw_trainer_alloc() >>> 0;
  if (!h) throw new TowerlensError('out of memory creating a trainer', { code: 'NOMEM' });
  try {
    // a rating head (the multitask model) is set up with the trainer
    if (ratingWeight > 0 || retrievalWeight !== 1) core.check(h, m._tlw_trainer_set_weights(h, ratingWeight, retrievalWeight));
    if (solver || cgSteps) core.withCString(solver, (s) => core.check(h, m._tlw_trainer_set_solver(h, s, cgSteps)));
    if (priorMode) core.check(h, m._tlw_trainer_set_visitor_prior(h, priorMode, w3, w10));
    core.withCString(preset, (p) => core.check(h, m._tlw_trainer_init(h, dsHandle, p, dim, batch, epochs, lr, seed,
      trainRows, testRows, testFraction, threads)));
  } catch (e) {
    m._tlw_trainer_free(h);
    throw e;
  }
  return new Trainer(core, h, dataset);
}

// The threads a trainer asks the core for: the instance's pool by default.
// The threaded build cannot run more threads than its pool of workers; the
// single-threaded build accepts any count and runs serially.
function trainerThreads(core, requested) {
  const pool = core.build.threads;
  if (requested === undefined || requested === 0) return pool;
  checkThreads(requested);
  if (core.build.name === 'mt' && requested > pool) {
    throw new TowerlensError(
      `threads: ${requested} is more than the ${pool} this instance started; pass {threads: ${requested}} to createTowerlens()`,
      { code: 'ARG' });
  }
  return requested;
}

export class Trainer {
  /** @internal use Towerlens.createTrainer */
  constructor(core, handle, dataset) {
    this._core = core;
    this._h = handle;
    this._dataset = dataset;
    this._model = null;
    finalizer?.register(this, { core, handle }, this);
  }

  _handle() {
    if (!this._h) throw new TowerlensError('this trainer was freed', { code: 'STATE' });
    this._core.assertUsable();
    return this._h;
  }

  _guardSync(fn) {
    try {
      return fn();
    } catch (e) {
      if (e instanceof TowerlensError || !(e instanceof WebAssembly.RuntimeError)) throw e;
      this._core.broken = e.message;
      throw new TowerlensError(`internal error in the WebAssembly core: ${e.message}`, { code: 'STATE', cause: e });
    }
  }

  /** Progress now: {epoch, batch, batchesPerEpoch, examplesSeen, runningLoss, epochLoss, ..., done, history}. */
  get progress() {
    const h = this._handle();
    const ptr = this._core.m._tlw_trainer_progress_json(h) >>> 0;
    if (!ptr) throw this._core.errorOf(h);
    return progressOf(JSON.parse(this._core.takeString(ptr)));
  }

  /**
   * Runs at most `maxBatches` batches (0: no limit) or `maxMs` (alias `maxMillis`) milliseconds
   * (0: no limit; checked after every block of logit rows, so a step may end
   * inside a batch), at least one block, and returns the progress.
   */
  step({ maxBatches = 0, maxMs, maxMillis } = {}) {
    const h = this._handle();
    maxMs = maxMs ?? maxMillis ?? 100;
    whole(maxBatches, 'maxBatches', 0, 2 ** 32 - 1);
    if (typeof maxMs !== 'number' || !(maxMs >= 0)) throw new TowerlensError(`maxMs must be >= 0, got ${maxMs}`, { code: 'ARG' });
    this._guardSync(() => this._core.check(h, this._core.m._tlw_trainer_step(h, maxBatches, maxMs)));
    return this.progress;
  }

  /**
   * Trains to the end in steps of `stepMs`, yielding to the event loop
   * between steps; `onProgress(progress)` after each step; `signal` aborts
   * between steps (the model stays usable). Resolves with the last progress.
   */
  async run({ stepMs = 100, onProgress, signal } = {}) {
    let p = this.progress;
    while (!p.done) {
      signal?.throwIfAborted();
      p = this.step({ maxMs: stepMs });
      onProgress?.(p);
      await nextTurn();
    }
    return p;
  }

  /**
   * Test metrics on the split's test rows, in the shape `towerlens train
   * --json` prints: {metrics: {test: {top_1, top_5, top_10, top_50, top_100,
   * recall_at_20, ndcg_at_10, ndcg_at_100, coverage_at_10}}, baseline: {name:
   * 'popularity', test: {...}} (null with baseline: false), evaluated: {rows,
   * users, rows_total, users_total, sampled, max_rows, max_users, seed}}.
   * Large test sets are sampled (seeded), as by the CLI: at most `maxUsers`
   * users with test rows (default EVAL_SAMPLE_USERS; protocol B ranks for
   * them, protocol A takes their test rows), then protocol A on at most
   * `maxRows` of those rows (default 0); 0 = all; `seed` defaults to the
   * trainer's seed.
   */
  evaluate({ maxRows = 0, maxUsers = EVAL_SAMPLE_USERS, seed, baseline = true } = {}) {
    const h = this._handle();
    const ds = this._dataset._handle();
    whole(maxRows, 'maxRows', 0, 2 ** 32 - 1);
    whole(maxUsers, 'maxUsers', 0, 2 ** 32 - 1);
    const s = seed === undefined ? -1 : whole(seed, 'seed', 0, Number.MAX_SAFE_INTEGER);
    const ptr = this._guardSync(() =>
      this._core.m._tlw_trainer_evaluate_json(h, ds, baseline ? 1 : 0, maxRows, maxUsers, s) >>> 0);
    if (!ptr) throw this._core.errorOf(h);
    return JSON.parse(this._core.takeString(ptr));
  }

  /** FNV-1a of the model tables (16 hex digits): the native CLI's model_hash for the same files and options. */
  get modelHash() { return this._core.string(this._core.m._tlw_trainer_model_hash(this._handle())); }

  /** Threads this trainer runs on: its `threads` option in the threaded build, 1 in the single-threaded build. */
  get threads() { return this._core.m._tlw_trainer_threads(this._handle()); }

  /** Bytes the trainer holds in WASM memory (model, optimiser state, batch buffers). */
  get bytesHeld() { return this._core.m._tlw_trainer_bytes(this._handle()); }

  /**
   * The model being trained, serving recommendations while training goes on
   * (each query sees the tables as they are after the last completed batch);
   * its seen sets are every rating of the dataset (train and test rows), so
   * `excludeSeen` never recommends a movie the user rated. The same object until it is freed;
   * freeing the trainer frees it.
   */
  get model() {
    const h = this._handle();
    if (!this._model || this._model.freed) this._model = liveModel(this._core, this, h, this._dataset);
    return this._model;
  }

  /** The trained model as a towerlens model file (the bytes `towerlens train --out` writes): `model.save()`. */
  modelFile() {
    return this.model.save();
  }

  get freed() { return this._h === 0; }

  /** Releases the WASM memory; safe to call twice. */
  free() {
    if (!this._h) return;
    this._model?.free(); // it borrows the trainer's tables
    this._model = null;
    finalizer?.unregister(this);
    if (!this._core.broken) this._core.m._tlw_trainer_free(this._h);
    this._h = 0;
  }
}

/** The presets: {tfrs: {about, epochs, batchSize, dim, learningRate, seed, testFraction}, default: {...}}. */
export function presets(core) {
  const ptr = core.m._tlw_presets_json() >>> 0;
  if (!ptr) throw new TowerlensError('out of memory listing the presets', { code: 'NOMEM' });
  return JSON.parse(core.takeString(ptr));
}
