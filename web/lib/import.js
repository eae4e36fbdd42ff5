// tl.importModel: a Model from factors trained elsewhere (Spark ALS, ...),
// the same C import as `towerlens import` (src/wasm/api_import.c over
// import.h). Inputs are bytes, text or Blobs; tables already in JS
// ({ids, data, dim}) travel as .npy bytes so one strict reader checks all.
import { TowerlensError } from './errors.js';
import { loadModel } from './model.js';

const show = (x) => (typeof x === 'string' ? JSON.stringify(x) : Object.prototype.toString.call(x));
const isBlob = (x) => typeof Blob !== 'undefined' && x instanceof Blob;
const FOLDIN = { default: 0, als: 1, ials: 2 };

/** A .npy file (format 1.0) for a C-order little-endian array. */
function npyBytes(descr, shape, body) {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = (64 - ((10 + dict.length + 1) % 64)) % 64;
  const hlen = dict.length + pad + 1;
  const out = new Uint8Array(10 + hlen + body.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, hlen & 0xff, hlen >> 8]);
  out.set(new TextEncoder().encode(dict + ' '.repeat(pad) + '\n'), 10);
  out.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), 10 + hlen);
  return out;
}

/** {ids, data, dim} -> [table.npy, ids.npy] bytes (checked shapes; values are checked in C). */
function tableFiles(t, what) {
  const ids = t.ids instanceof Uint32Array ? t.ids : Uint32Array.from(t.ids ?? [], (v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new TowerlensError(`${what}.ids[${i}] must be a whole number from 0 to 4294967295, got ${show(v)}`, { code: 'ARG' });
    }
    return v;
  });
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data ?? []);
  const dim = t.dim ?? (ids.length ? data.length / ids.length : 0);
  if (!Number.isInteger(dim) || dim < 1 || data.length !== ids.length * dim) {
    throw new TowerlensError(`${what}: data must hold ids.length x dim numbers (got ${data.length} for ${ids.length} ids, dim ${t.dim})`,
      { code: 'ARG' });
  }
  return [npyBytes('<f4', [ids.length, dim], data), npyBytes('<u4', [ids.length], ids)];
}

/** One file input -> {name, bytes}; null when absent. */
async function fileInput(x, what, fallbackName) {
  if (x === undefined || x === null) return null;
  if (typeof x === 'string') return { name: fallbackName, bytes: new TextEncoder().encode(x) };
  if (x instanceof Uint8Array) return { name: fallbackName, bytes: x };
  if (x instanceof ArrayBuffer) return { name: fallbackName, bytes: new Uint8Array(x) };
  if (ArrayBuffer.isView(x)) return { name: fallbackName, bytes: new Uint8Array(x.buffer, x.byteOffset, x.byteLength) };
  if (isBlob(x)) return { name: x.name || fallbackName, bytes: new Uint8Array(await x.arrayBuffer()) };
  if (typeof x === 'object' && (x.bytes !== undefined || x.blob !== undefined)) {
    const inner = await fileInput(x.bytes ?? x.blob, what, fallbackName);
    return { name: typeof x.name === 'string' && x.name ? x.name : inner.name, bytes: inner.bytes };
  }
  throw new TowerlensError(`${what} must be text, bytes, a Blob/File or {name, bytes}, got ${show(x)}`, { code: 'ARG' });
}

const isTable = (x) => x && typeof x === 'object' && !isBlob(x) && !ArrayBuffer.isView(x) && 'data' in x;

/** factors (+ ids) options -> [table, ids] file inputs. */
async function factorFiles(factors, ids, what, base) {
  if (isTable(factors)) {
    if (ids !== undefined && ids !== null) {
      throw new TowerlensError(`${what}: give ids inside {ids, data, dim}, not separately`, { code: 'ARG' });
    }
    const [t, i] = tableFiles(factors, what);
    return [{ name: `${base}.npy`, bytes: t }, { name: `${base}_ids.npy`, bytes: i }];
  }
  return [await fileInput(factors, what, `${base}.csv`), await fileInput(ids, `${what} ids`, `${base}_ids`)];
}

function number(v, what, min, max, dflt) {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !(v >= min && v <= max)) {
    throw new TowerlensError(`${what} must be a number from ${min} to ${max}, got ${show(v)}`, { code: 'ARG' });
  }
  return v;
}

/**
 * Builds a model from imported factors (docs/js-api.md, "Importing factors").
 * @returns {Promise<import('./model.js').Model>} its config.imported says what was kept
 */
export async function importModel(core, options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new TowerlensError('importModel needs an options object', { code: 'ARG' });
  }
  const o = options;
  if (o.movieFactors === undefined || o.movies === undefined) {
    throw new TowerlensError('importModel needs movieFactors and movies (the movies.csv catalogue)', { code: 'ARG' });
  }
  const foldin = o.foldin ?? 'default';
  if (!(foldin in FOLDIN)) {
    throw new TowerlensError(`foldin must be 'default', 'als' or 'ials', got ${show(foldin)}`, { code: 'ARG' });
  }
  const maxUserMB = number(o.maxUserMB, 'maxUserMB', 0, 1024, 256);
  const reg = number(o.reg, 'reg', 0, 1e6, 0.1);
  const alpha = number(o.alpha, 'alpha', 0, 1e6, 1);
  const source = o.source ?? '';
  if (typeof source !== 'string') throw new TowerlensError('source must be a string', { code: 'ARG' });
  const files = [
    ...(await factorFiles(o.movieFactors, o.movieIds, 'movieFactors', 'movie_factors')),
    ...(o.userFactors === undefined || o.userFactors === null
      ? [null, null] : await factorFiles(o.userFactors, o.userIds, 'userFactors', 'user_factors')),
    await fileInput(o.movies, 'movies', 'movies.csv'),
    await fileInput(o.links, 'links', 'links.csv'),
  ];
  core.assertUsable();
  const m = core.m;
  const h = m._tlw_import_alloc() >>> 0;
  if (!h) throw new TowerlensError('out of memory starting an import', { code: 'NOMEM' });
  const allocs = [];
  const alloc = (n) => {
    const p = m._malloc(Math.max(1, n)) >>> 0;
    if (!p) throw new TowerlensError(`out of memory for ${n} bytes of import input`, { code: 'NOMEM' });
    allocs.push(p);
    return p;
  };
  try {
    const bytes = core.guardSync(() => {
      const ptrs = alloc(6 * 4), sizes = alloc(6 * 8), names = alloc(6 * 4);
      const enc = new TextEncoder();
      files.forEach((f, i) => {
        let p = 0, namePtr = 0;
        if (f) {
          p = alloc(f.bytes.byteLength);
          core.heapU8.set(f.bytes, p);
          const name = enc.encode(f.name + '\0');
          namePtr = alloc(name.length);
          core.heapU8.set(name, namePtr);
        }
        core.heapU32[(ptrs >>> 2) + i] = p;
        core.heapU32[(names >>> 2) + i] = namePtr;
        m.HEAPF64[(sizes >>> 3) + i] = f ? f.bytes.byteLength : 0;
      });
      core.withCString(source, (s) => core.check(h, m._tlw_import_run(h, ptrs, sizes, names, maxUserMB * 1048576,
        FOLDIN[foldin], reg, alpha, o.skipUnknown ? 1 : 0, s)));
      const p = m._tlw_import_model_bytes(h) >>> 0;
      return core.heapU8.slice(p, p + m._tlw_import_model_size(h));
    });
    return loadModel(core, bytes, { name: 'imported model' });
  } finally {
    if (!core.broken) {
      for (const p of allocs) m._free(p);
      m._tlw_import_free(h);
    }
  }
}
