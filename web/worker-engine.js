// The worker's one point of contact with the towerlens JS API
// (towerlens.js). Everything the page can ask for maps to one method here,
// so the names the page depends on are listed in one place (see
// docs/web-app.md, "Engine methods the page uses").
import { createTowerlens, TowerlensError } from './towerlens.js';

function missing(name) {
  return new TowerlensError(`this build of the towerlens engine has no ${name}() yet`, { code: 'STATE' });
}

function call(obj, name, ...args) {
  if (!obj || typeof obj[name] !== 'function') throw missing(name);
  return obj[name](...args);
}

export class Engine {
  // The threaded build when the page is cross-origin isolated, with a
  // thread per core (createTowerlens' default); trainers use them all.
  static async open() {
    return new Engine(await createTowerlens());
  }

  constructor(tl) {
    this.tl = tl;
    this.dataset = null;  // Dataset of the JS API
    this.trainer = null;  // step-wise trainer of the current model
    this.refit = null;    // trainer of the final model on all ratings, while it trains (this.model still serves)
    this.model = null;    // the model serving recommend/similar/fold-in (live while training)
    this.baseline = null; // popularity metrics of the current trainer's split
  }

  // WebAssembly memory reserved (it grows, never shrinks)
  memoryBytes() {
    return this.tl.memoryBytes;
  }

  // Which WebAssembly module runs: the API's Towerlens.build ({ name:
  // 'mt'|'st', simd, threads, crossOriginIsolated, cores, fallback, loadMs }).
  build() {
    return this.tl.build;
  }

  // sources: [{ name, size, blob } | { name, size, stream() }]
  // onFile(index, name, size) when a file starts, onBytes(index, bytes, total).
  // The previous dataset stays loaded if this one fails.
  async load(sources, onBytes) {
    let index = -1;
    const onProgress = (name, bytes, total) => {
      if (bytes === 0) index++;
      onBytes(Math.max(0, index), bytes, total);
    };
    const inputs = sources.map((s) => (s.blob ? { name: s.name, blob: s.blob } : { name: s.name, size: s.size, stream: s.stream }));
    // zip entries stream straight from the inflater into the core's loader
    const dataset = await this.tl.loadDataset(inputs, { onProgress });
    this.dropModel();
    if (this.dataset) this.dataset.free();
    this.dataset = dataset;
    return dataset.summary();
  }

  dropModel() {
    if (this.refit && this.refit.free) this.refit.free();
    this.refit = null;
    if (this.trainer && this.trainer.free) this.trainer.free();
    if (this.model && this.model !== this.trainer && this.model.free) this.model.free();
    this.trainer = null;
    this.model = null;
    this.baseline = null;
  }

  // The model's data first: an imported model may come from other data than
  // the loaded dataset (a trainer's model serves the loaded dataset's).

  // Catalogue for title search: [{ movieId, title, year, genres, ratings, imdbId, tmdbId }]
  movies() {
    return call(this.model || this.dataset, 'movies');
  }

  // Raw user ids, ascending.
  users() {
    return call(this.model || this.dataset, 'userIds');
  }

  // A user's own ratings, best first: [{ movieId, title, year, genres, rating }];
  // a model's are those it trained on (what excludeSeen hides); a model
  // imported without its data throws: it knows no ratings.
  userRatings(userId, limit) {
    return call(this.model || this.dataset, 'userRatings', userId, { limit, order: 'rating' });
  }

  // { name: { dim, batchSize, epochs, learningRate, seed, testFraction } }; {} until the API has it
  presets() {
    return typeof this.tl.presets === 'function' ? this.tl.presets() : {};
  }

  startTraining(config) {
    if (!this.dataset) throw new TowerlensError('load a dataset first', { code: 'STATE' });
    this.dropModel();
    this.trainer = call(this.tl, 'createTrainer', this.dataset, config);
    this.model = this.trainer.model; // serves while training goes on
  }

  // After the split run: trains the same settings on every rating
  // (testFraction 0) beside it; the split model keeps serving until
  // finishRefit().
  startRefit(config) {
    if (!this.dataset) throw new TowerlensError('load a dataset first', { code: 'STATE' });
    if (this.refit && this.refit.free) this.refit.free();
    this.refit = call(this.tl, 'createTrainer', this.dataset, { ...config, testFraction: 0 });
  }

  // The model trained on every rating replaces the split one.
  finishRefit() {
    const refit = this.refit;
    this.refit = null;
    if (this.trainer && this.trainer.free) this.trainer.free();
    this.trainer = refit;
    this.model = refit.model;
  }

  // Runs training for at most maxMs, never past the end of the current
  // epoch (so that every epoch of the split run is evaluated, however fast
  // training is); returns the trainer's progress record.
  step(maxMs) {
    const t = this.refit || this.trainer;
    const p = t && t.progress;
    const per = (p && p.batchesPerEpoch) || 0;
    const done = (p && p.batch) || 0;
    const maxBatches = per && done > 0 && done < per ? per - done : per;
    return call(t, 'step', { maxMs, maxBatches });
  }

  // Which rows the serving model learned from: the API's model.trainedOn
  // ({ ratings, totalRatings, testRatings, seed, all }), or null when the
  // API or an old model file does not say.
  trainedOn() {
    const t = this.model ? this.model.trainedOn : undefined;
    return t && typeof t === 'object' ? t : null;
  }

  // Test metrics of the model and of popularity on the same split:
  // { metrics, baseline, sampled, evaluated } with the core's metric names.
  // Popularity does not change while training runs: it is measured once per trainer.
  evaluate(options = {}) {
    const r = call(this.trainer, 'evaluate', { ...options, baseline: !this.baseline });
    if (!this.baseline) this.baseline = r.baseline.test;
    const sampled = !!r.evaluated.sampled;
    return { metrics: r.metrics.test, baseline: this.baseline, sampled, evaluated: { ...r.evaluated, sampled } };
  }

  recommend(userId, options) {
    return call(this.model, 'recommend', userId, options);
  }

  similar(movieId, options) {
    return call(this.model, 'similar', movieId, options);
  }

  recommendForRatings(ratings, options) {
    return call(this.model, 'recommendForRatings', ratings, options);
  }

  // Model file bytes (a copy the caller owns).
  save() {
    return call(this.model, 'save');
  }

  // Replaces the model with one read from bytes; the loaded dataset (if
  // any) stays, for the user's own ratings and for training a new model.
  async loadModel(bytes) {
    let model;
    try {
      model = await call(this.tl, 'loadModel', bytes, { dataset: this.dataset || undefined });
    } catch (e) {
      // ARG with a dataset: the model was trained on other data; serve it without the dataset's ratings
      if (!(this.dataset && e && e.code === 'ARG')) throw e;
      model = await call(this.tl, 'loadModel', bytes);
    }
    this.dropModel();
    this.model = model;
    return model;
  }

  hasModel() {
    return !!this.model;
  }
}
