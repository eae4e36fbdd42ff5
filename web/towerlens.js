// towerlens JS API: one ES module for Node 20 and browser module Workers.
// The C core does all the work in WebAssembly; this layer moves bytes into
// WASM memory and turns handles and error records into objects.
// Reference: docs/js-api.md; types: towerlens.d.ts.
import { loadCore } from './lib/core.js';
export { MAX_THREADS, DEFAULT_MAX_THREADS, threadSupport } from './lib/core.js';
import { loadDataset } from './lib/ingest.js';
import { createTrainer, presets } from './lib/train.js';
import { loadModel } from './lib/model.js';
import { fromInteractions, loadInteractions } from './lib/interactions.js';
import { importModel } from './lib/import.js';

export { TowerlensError, STATUS_CODES } from './lib/errors.js';
export { Dataset } from './lib/dataset.js';
export { Trainer, EVAL_SAMPLE_USERS, TRAINER_LIMITS } from './lib/train.js';
export { Model, MAX_K } from './lib/model.js';
export { MOVIELENS_FILE_NAMES } from './lib/inputs.js';
export { FILE_KINDS, DEFAULT_CHUNK_SIZE } from './lib/ingest.js';

export class Towerlens {
  /** @internal use createTowerlens() */
  constructor(core) {
    this._core = core;
  }

  /** the towerlens version (package.json's, compiled into the core: tlw_version) */
  get version() { return this._core.string(this._core.m._tlw_version()); }

  /** true when the core runs WASM SIMD128 kernels */
  get simd() { return this._core.m._tlw_kernels_simd() === 1; }

  /** threads training uses by default: the threaded build's pool size, 1 in the single-threaded build */
  get threads() { return this._core.build.threads; }

  /**
   * Which WebAssembly module runs: {name: 'mt'|'st', simd, threads,
   * crossOriginIsolated (null in Node), cores, fallback (why 'st' runs, '' for
   * 'mt'), loadMs}.
   */
  get build() {
    const b = this._core.build;
    return {
      name: b.name, simd: this.simd, threads: b.threads, crossOriginIsolated: b.crossOriginIsolated,
      cores: b.cores, fallback: b.fallback, loadMs: b.loadMs,
    };
  }

  /** bytes of WASM memory reserved; memory never shrinks, so this is the peak */
  get memoryBytes() { return this._core.memoryBytes; }

  /**
   * Reads MovieLens files into a dataset, streaming each in chunks.
   * @param inputs File/Blob objects, {name, blob}, {name, bytes}, or in Node
   *   paths / {name, path} (a folder contributes its MovieLens files)
   * @param options {onProgress(fileName, bytesRead, totalBytes), chunkSize, signal}
   * @returns {Promise<import('./lib/dataset.js').Dataset>}
   */
  loadDataset(inputs, options = {}) {
    if (options.columns !== undefined) { // your own data, read by column names (docs/own-data.md)
      return this._core.guard(() => loadInteractions(this._core, inputs, options));
    }
    return this._core.guard(() => loadDataset(this._core, inputs, options));
  }

  /**
   * A dataset from arrays, without any file: users[i] interacted with
   * items[i] (ids: strings or whole numbers), optionally ratings[i] (0.5-5
   * stars; without them, implicit feedback) and timestamps[i] (seconds);
   * itemTitles maps item ids to titles (object or Map). See docs/own-data.md.
   * @returns {Promise<import('./lib/dataset.js').Dataset>}
   */
  fromInteractions(data, options = {}) {
    return this._core.guard(() => fromInteractions(this._core, data, options));
  }

  /**
   * Splits `dataset` and sets up step-wise training of the two-tower model.
   * @param dataset a Dataset of this instance
   * @param options {preset, dim, batchSize, epochs, learningRate, seed,
   *   trainRows, testRows, testFraction, threads}; unset numbers come from the
   *   preset; threads defaults to this instance's `threads`
   * @returns {import('./lib/train.js').Trainer}
   */
  createTrainer(dataset, options = {}) {
    this._core.assertUsable();
    return createTrainer(this._core, dataset, options);
  }

  /** The training presets and their settings: {tfrs: {about, epochs, batchSize, dim, learningRate, seed, testFraction}, ...}. */
  presets() {
    this._core.assertUsable();
    return presets(this._core);
  }

  /**
   * Reads a towerlens model file (what Model.save() or `towerlens train
   * --out` wrote). Damaged or foreign bytes are a CORRUPT error.
   * @param bytes Uint8Array | ArrayBuffer
   * @param options {dataset, name}: `dataset` (holding the model's users and
   *   movies) lets the model answer userRatings(); `name` is used in messages
   * @returns {import('./lib/model.js').Model}
   */
  loadModel(bytes, options = {}) {
    this._core.assertUsable();
    return loadModel(this._core, bytes, options);
  }

  /**
   * Builds a model from factors trained elsewhere (Spark ALS itemFactors and,
   * within maxUserMB, userFactors) and a movies file; see docs/spark.md.
   * @param options {movieFactors, movieIds, userFactors, userIds, movies,
   *   links, maxUserMB, foldin: 'default'|'als'|'ials', reg, alpha,
   *   skipUnknown, source}; files as text, bytes, Blob/File or {name, bytes};
   *   factors also as {ids, data: Float32Array, dim}
   * @returns {Promise<import('./lib/model.js').Model>} config.imported says what was kept
   */
  importModel(options) {
    return this._core.guard(() => importModel(this._core, options));
  }
}

/**
 * Loads the WebAssembly core and returns a Towerlens instance: the threaded
 * build when threads are usable (a cross-origin isolated page, or Node) and
 * the machine has more than one core, else the single-threaded build.
 * @param options {build: 'auto'|'st'|'mt', threads} choose the build and
 *   the threads (default min(cores, 16); threads: 1 picks the single-threaded
 *   build); {moduleUrl, wasmBinary, mtModuleUrl, mtWasmBinary, locateFile} to
 *   load the modules from elsewhere than web/wasm/ beside this file
 */
export async function createTowerlens(options = {}) {
  return new Towerlens(await loadCore(options));
}
