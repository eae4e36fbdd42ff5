// The WASM instance and the few primitives every part of the API shares:
// heap access that survives memory growth, C strings, and turning a handle's
// error record into a TowerlensError. Nothing here knows about datasets.
import { TowerlensError, statusCode } from './errors.js';

const ST_MODULE_URL = new URL('../wasm/towerlens_core.mjs', import.meta.url);
const MT_MODULE_URL = new URL('../wasm/towerlens_core_mt.mjs', import.meta.url);

/** Threads the threaded build starts by default: min(cores, this). */
export const DEFAULT_MAX_THREADS = 16;
/** The most threads an instance may be asked for. */
export const MAX_THREADS = 64;

export const IS_NODE =
  typeof process === 'object' && typeof process.versions === 'object' &&
  typeof process.versions.node === 'string' && typeof window === 'undefined';

/**
 * Can this environment run the threaded build, and how many cores does it
 * report? {usable, reason, cores}; `reason` says why not when !usable.
 */
export async function threadSupport() {
  if (IS_NODE) {
    if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
      return { usable: false, cores: 1, reason: 'this Node has no SharedArrayBuffer' };
    }
    let os;
    try {
      await import('node:worker_threads');
      os = await import('node:os');
    } catch (e) {
      return { usable: false, cores: 1, reason: `node:worker_threads is not available (${e.message})` };
    }
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    return { usable: true, cores: Math.max(1, cores || 1), reason: '' };
  }
  const cores = Math.max(1, (typeof navigator === 'object' && navigator.hardwareConcurrency) || 1);
  if (globalThis.crossOriginIsolated !== true) {
    return { usable: false, cores, reason: 'the page is not cross-origin isolated (serve it with COOP/COEP)' };
  }
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return { usable: false, cores, reason: 'this browser has no SharedArrayBuffer' };
  }
  if (typeof Worker !== 'function') {
    return { usable: false, cores, reason: 'this context cannot start Web Workers' };
  }
  return { usable: true, cores, reason: '' };
}

/** Throws unless `threads` is a whole number from 1 to MAX_THREADS. */
export function checkThreads(threads) {
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new TowerlensError(`threads must be a whole number from 1 to ${MAX_THREADS}, got ${threads}`, { code: 'ARG' });
  }
}

function checkLoadOptions(options) {
  const build = options.build ?? 'auto';
  if (!['auto', 'st', 'mt'].includes(build)) {
    throw new TowerlensError(`build must be 'auto', 'st' or 'mt', got ${JSON.stringify(options.build)}`, { code: 'ARG' });
  }
  const threads = options.threads;
  if (threads !== undefined) checkThreads(threads);
  return { build, threads };
}

/**
 * Loads and instantiates one of the two Emscripten modules: the threaded
 * build (pthreads + SIMD128) when threads are usable and wanted, otherwise the
 * single-threaded one; a threaded build that fails to load falls back to the
 * single-threaded one and says why in `core.build.fallback`.
 * @param {{build?: 'auto'|'st'|'mt', threads?: number, moduleUrl?: string|URL,
 *   wasmBinary?: ArrayBuffer|Uint8Array, mtModuleUrl?: string|URL,
 *   mtWasmBinary?: ArrayBuffer|Uint8Array, locateFile?: Function}} options
 */
export async function loadCore(options = {}) {
  const { build, threads } = checkLoadOptions(options);
  const support = await threadSupport();
  const info = { crossOriginIsolated: IS_NODE ? null : globalThis.crossOriginIsolated === true, cores: support.cores };
  let why = ''; // why the single-threaded build runs
  if (build === 'st') why = 'the single-threaded build was asked for';
  else if (build === 'auto' && threads === 1) why = 'one thread was asked for';
  else if (!support.usable) why = support.reason;
  else if (build === 'auto' && threads === undefined && support.cores < 2) why = 'this machine reports one core';

  if (build === 'mt' && !support.usable) {
    throw new TowerlensError(`the threaded build cannot run here: ${support.reason}`, { code: 'STATE' });
  }
  if (!why) {
    const n = threads ?? Math.min(support.cores, DEFAULT_MAX_THREADS);
    const t0 = performance.now();
    try {
      const m = await instantiate(options.mtModuleUrl, MT_MODULE_URL, options.mtWasmBinary, options, n);
      return new Core(m, { ...info, name: 'mt', threads: n, fallback: '', loadMs: performance.now() - t0 });
    } catch (e) {
      if (build === 'mt') throw e;
      why = `the threaded build did not load: ${e.message}`;
    }
  }
  const t0 = performance.now();
  const m = await instantiate(options.moduleUrl, ST_MODULE_URL, options.wasmBinary, options, 0);
  return new Core(m, { ...info, name: 'st', threads: 1, fallback: why, loadMs: performance.now() - t0 });
}

// poolSize > 0: the threaded module, with that many pthread workers started up front.
async function instantiate(moduleUrl, defaultUrl, wasmBinary, options, poolSize) {
  const url = moduleUrl ? new URL(moduleUrl, defaultUrl) : defaultUrl;
  let factory;
  try {
    factory = (await import(url.href)).default;
  } catch (e) {
    throw new TowerlensError(
      `cannot load the WebAssembly module ${url.href}: ${e.message} ` +
        '(build it with `emcmake cmake -S . -B build-wasm && cmake --build build-wasm`)',
      { code: 'IO', cause: e });
  }
  const moduleArgs = {
    // the core reports through return values; stray prints go to the console
    print: (s) => console.log(s),
    printErr: (s) => console.error(s),
  };
  if (wasmBinary) moduleArgs.wasmBinary = wasmBinary;
  if (options.locateFile) moduleArgs.locateFile = options.locateFile;
  // read by the threaded module's PTHREAD_POOL_SIZE (cmake/wasm.cmake); the
  // calling thread works too, so threads - 1 workers would do, and one spare
  // lets a second trainer's pool start while the first exists
  if (poolSize) moduleArgs.tlPoolSize = poolSize;
  const workersFailed = poolSize ? watchWorkers(moduleArgs) : null;
  let module;
  try {
    module = await (workersFailed ? Promise.race([factory(moduleArgs), workersFailed]) : factory(moduleArgs));
  } catch (e) {
    if (poolSize) stopWorkers(moduleArgs);
    throw new TowerlensError(`cannot instantiate the WebAssembly module ${url.href}: ${e.message}`, { code: 'IO', cause: e });
  }
  if (poolSize) threadedModuleReady(module);
  return module;
}

// How long the pool's workers may take to start once the module is compiled
// (they take ~0.1-0.5 s each); past it the threaded build counts as failed.
const WORKER_START_MS = 30_000;

// The threaded module starts its pthread workers during the factory call; a
// worker that fails to load (a missing towerlens_core_mt.worker.js, a CSP
// that refuses it) would otherwise throw from the glue's error handler
// (crashing Node) or go unnoticed and leave the factory pending forever. The
// returned promise rejects with the reason instead. preInit runs right after
// the glue created the workers (before any of their events can arrive) and
// before it sends them the compiled module.
function watchWorkers(moduleArgs) {
  return new Promise((_, reject) => {
    moduleArgs.preInit = [() => {
      const pthreads = moduleArgs.PThread;
      if (!pthreads) return;
      const started = new WeakSet();
      let pending = pthreads.unusedWorkers.length;
      let timer = null;
      const fail = (why) => {
        clearTimeout(timer);
        reject(new TowerlensError(`a thread of the threaded build did not start: ${why}`, { code: 'IO' }));
      };
      const failed = (e) => fail((e && e.message) || 'the worker script towerlens_core_mt.worker.js did not load');
      for (const w of pthreads.unusedWorkers) {
        const onError = (e) => { if (!started.has(w)) failed(e); };
        if (typeof w.on === 'function') w.on('error', onError); // Node's worker_threads
        else w.addEventListener('error', onError);
      }
      const load = pthreads.loadWasmModuleToWorker;
      pthreads.loadWasmModuleToWorker = function (worker, onLoaded) {
        if (!timer && pending > 0) {
          timer = setTimeout(() => fail(`no answer after ${WORKER_START_MS / 1000} s`), WORKER_START_MS);
          if (IS_NODE) timer.unref?.();
        }
        load.call(this, worker, (...a) => {
          started.add(worker);
          if (--pending === 0) clearTimeout(timer);
          if (onLoaded) onLoaded(...a);
        });
        const glueOnError = worker.onerror; // what a running thread's error does
        worker.onerror = function (e) {
          if (started.has(worker)) return glueOnError.call(this, e);
          failed(e);
        };
      };
    }];
  });
}

function stopWorkers(moduleArgs) {
  const pthreads = moduleArgs.PThread;
  if (!pthreads) return;
  for (const w of [...pthreads.unusedWorkers, ...pthreads.runningWorkers]) {
    try { w.terminate(); } catch { /* already gone */ }
  }
}

// The threaded module's memory is a SharedArrayBuffer that any thread may
// grow; the glue only refreshes Module.HEAP* when the calling thread grows
// it. Make every read of a view check the current size, so the JS API's
// `m.HEAPU8` never misses memory another thread added.
const HEAP_VIEWS = {
  HEAP8: Int8Array, HEAPU8: Uint8Array, HEAP16: Int16Array, HEAPU16: Uint16Array,
  HEAP32: Int32Array, HEAPU32: Uint32Array, HEAPF32: Float32Array, HEAPF64: Float64Array,
};

function threadedModuleReady(m) {
  const memory = m.wasmMemory;
  for (const [name, View] of Object.entries(HEAP_VIEWS)) {
    let view = m[name];
    Object.defineProperty(m, name, {
      configurable: true,
      enumerable: true,
      get() {
        const buffer = memory.buffer;
        if (!view || view.buffer !== buffer) view = new View(buffer);
        return view;
      },
      set(v) { view = v; }, // the glue's own updates
    });
  }
  // Node: idle pthread workers must not keep the process alive (unref after
  // the glue attached its message listeners, which ref them again).
  if (IS_NODE && m.PThread) {
    for (const w of m.PThread.unusedWorkers) if (typeof w.unref === 'function') w.unref();
  }
}

export class Core {
  constructor(module, build = { name: 'st', threads: 1, fallback: '', crossOriginIsolated: null, cores: 1, loadMs: 0 }) {
    this.m = module;
    /** which module runs: {name: 'st'|'mt', threads, fallback, crossOriginIsolated, cores, loadMs} */
    this.build = build;
    /** set once the WASM instance trapped; every later call refuses */
    this.broken = null;
  }

  /** The current byte view of WASM memory (a new one after memory grew). */
  get heapU8() { return this.m.HEAPU8; }

  /** The current Uint32 / Float32 views of WASM memory (re-read after any call that may allocate). */
  get heapU32() { return this.m.HEAPU32; }
  get heapF32() { return this.m.HEAPF32; }

  /** A copy of the `n` uint32 values at byte address `ptr` (empty when n is 0). */
  u32s(ptr, n) { return n ? this.m.HEAPU32.slice(ptr >>> 2, (ptr >>> 2) + n) : new Uint32Array(0); }

  /** Bytes of WASM linear memory now reserved (it never shrinks: a peak). */
  get memoryBytes() { return this.m.HEAPU8.buffer.byteLength; }

  /** Reads a NUL-terminated UTF-8 string at `ptr`. */
  string(ptr) { return ptr ? this.m.UTF8ToString(ptr >>> 0) : ''; }

  /** Copies `str` into a malloc'd C string, runs fn(ptr), frees it. */
  withCString(str, fn) {
    const n = this.m.lengthBytesUTF8(str) + 1;
    const ptr = this.m._malloc(n) >>> 0;
    if (!ptr) throw new TowerlensError('out of memory copying a string into WebAssembly', { code: 'NOMEM' });
    try {
      this.m.stringToUTF8(str, ptr, n);
      return fn(ptr);
    } finally {
      this.m._free(ptr);
    }
  }

  /** Reads and frees a malloc'd C string returned by an export. */
  takeString(ptr) {
    ptr >>>= 0;
    try {
      return this.m.UTF8ToString(ptr);
    } finally {
      this.m._free(ptr);
    }
  }

  /** The last error recorded on `handle`, as a TowerlensError. */
  errorOf(handle) {
    const m = this.m;
    const status = m._tlw_error_status(handle);
    // a message-less error says what its status means ('invalid state', error.c)
    return new TowerlensError(this.string(m._tlw_error_message(handle)) || this.string(m._tlw_status_name(status)), {
      code: statusCode(status),
      status,
      file: this.string(m._tlw_error_file(handle)),
      line: m._tlw_error_line(handle),
    });
  }

  /** Throws the handle's error when `status` is not TL_OK. */
  check(handle, status) {
    if (status !== 0) throw this.errorOf(handle);
  }

  /** Refuses work after a trap: the instance's memory can no longer be trusted. */
  assertUsable() {
    if (this.broken) {
      throw new TowerlensError(
        `this towerlens instance stopped after an internal error (${this.broken}); create a new one`,
        { code: 'STATE' });
    }
  }

  /** guard() for synchronous calls: the same trap handling without a Promise. */
  guardSync(fn) {
    this.assertUsable();
    try {
      return fn();
    } catch (e) {
      throw this._trapped(e);
    }
  }

  /** A trap becomes a STATE error and marks the instance unusable; other errors pass. */
  _trapped(e) {
    if (e instanceof TowerlensError || !(e instanceof WebAssembly.RuntimeError)) return e;
    this.broken = e.message;
    return new TowerlensError(`internal error in the WebAssembly core: ${e.message}`, { code: 'STATE', cause: e });
  }

  /** Reads a malloc'd JSON string returned by an export (freeing it), or throws the handle's error for NULL. */
  takeJson(handle, ptr) {
    ptr >>>= 0;
    if (!ptr) throw this.errorOf(handle);
    return JSON.parse(this.takeString(ptr));
  }

  /**
   * Runs `fn`, turning a WebAssembly trap (a bug, never bad input) into a
   * TowerlensError and marking the instance unusable.
   */
  async guard(fn) {
    this.assertUsable();
    try {
      return await fn();
    } catch (e) {
      throw this._trapped(e);
    }
  }
}
