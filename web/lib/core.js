// The WASM instance and the few primitives every part of the API shares:
// heap access that survives memory growth, C strings, and turning a handle's
// error record into a TowerlensError. Nothing here knows about datasets.
import { TowerlensError, statusCode } from './errors.js';

const DEFAULT_MODULE_URL = new URL('../wasm/towerlens_core.mjs', import.meta.url);

export const IS_NODE =
  typeof process === 'object' && typeof process.versions === 'object' &&
  typeof process.versions.node === 'string' && typeof window === 'undefined';

/**
 * Loads and instantiates the Emscripten module.
 * @param {{moduleUrl?: string|URL, wasmBinary?: ArrayBuffer|Uint8Array, locateFile?: Function}} options
 */
export async function loadCore(options = {}) {
  const url = options.moduleUrl ? new URL(options.moduleUrl, DEFAULT_MODULE_URL) : DEFAULT_MODULE_URL;
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
  if (options.wasmBinary) moduleArgs.wasmBinary = options.wasmBinary;
  if (options.locateFile) moduleArgs.locateFile = options.locateFile;
  let module;
  try {
    module = await factory(moduleArgs);
  } catch (e) {
    throw new TowerlensError(`cannot instantiate the WebAssembly module: ${e.message}`, { code: 'IO', cause: e });
  }
  return new Core(module);
}

export class Core {
  constructor(module) {
    this.m = module;
    /** set once the WASM instance trapped; every later call refuses */
    this.broken = null;
  }

  /** The current byte view of WASM memory (a new one after memory grew). */
  get heapU8() { return this.m.HEAPU8; }

  /** The current Uint32 / Float32 views of WASM memory (re-read after any call that may allocate). */
  get heapU32() { return this.m.HEAPU32; }
  get heapF32() { return this.m.HEAPF32; }

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
    return new TowerlensError(this.string(m._tlw_error_message(handle)) || statusCode(status), {
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
