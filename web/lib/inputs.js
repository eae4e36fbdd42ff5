// Turns what callers pass to loadDataset into uniform sources, each able to
// stream its bytes into WASM memory in chunks. Node paths are read with
// fs.readSync straight into the heap; Blobs/Files through blob.stream();
// {name, stream()} sources (a zip entry inflating as it is read) chunk by
// chunk as the stream yields them; Uint8Arrays by copying slices. No source
// ever becomes one JS string or one whole buffer.
//
// A source is {name, size, open()}; open() resolves to a reader whose
// read(heap, dst, n) writes up to n bytes at WASM address dst (heap() gives
// the current HEAPU8, which memory growth replaces) and resolves to the count
// written, fewer than n only at the end of the file; close() releases it.
import { IS_NODE } from './core.js';
import { TowerlensError } from './errors.js';

/** Files a folder contributes: the names MovieLens releases use (the same
 * list and order as the native reader's folder rule, known_names in
 * loader_paths.c; tests/node/shared-lists.test.mjs compares them). */
export const MOVIELENS_FILE_NAMES = Object.freeze([
  'links.csv', 'movies.csv', 'ratings.csv', 'tags.csv', // ml-latest(-small), ml-25m, ml-32m
  'u.data', 'u.item',                                    // ml-100k
  'movies.dat', 'ratings.dat', 'tags.dat',               // ml-1m, ml-10m
]);

let nodeModules = null;
async function node() {
  if (!nodeModules) {
    const [fs, path] = await Promise.all([import('node:fs'), import('node:path')]);
    nodeModules = { fs, path };
  }
  return nodeModules;
}

function ioError(name, what, e) {
  return new TowerlensError(`${name}: ${what}: ${e.message}`, { code: 'IO', file: name, cause: e });
}

const isBlob = (x) => typeof Blob !== 'undefined' && x instanceof Blob;

/**
 * @param {Array|any} inputs  one input or a list: File/Blob, {name, blob},
 *   {name, bytes}, {name, stream, size?} (stream() returns a
 *   ReadableStream<Uint8Array>, read once, chunk by chunk), and in Node path
 *   strings or {name?, path} (a folder contributes its MovieLens files)
 * @returns {Promise<Array<{name: string, size: number, open: Function}>>}
 */
export async function resolveInputs(inputs) {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) throw new TowerlensError('no input files given', { code: 'ARG' });
  const sources = [];
  for (const input of list) {
    if (isBlob(input)) {
      sources.push(blobSource(input.name ?? `input ${sources.length + 1}`, input));
    } else if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
      throw new TowerlensError('raw bytes need a file name: pass {name, bytes}', { code: 'ARG' });
    } else if (input && typeof input === 'object' && isBlob(input.blob)) {
      sources.push(blobSource(input.name ?? input.blob.name ?? `input ${sources.length + 1}`, input.blob));
    } else if (input && typeof input === 'object' && typeof input.stream === 'function') {
      if (typeof input.name !== 'string' || !input.name) {
        throw new TowerlensError('a stream input needs a file name: pass {name, stream}', { code: 'ARG' });
      }
      const size = input.size ?? 0;
      if (!Number.isSafeInteger(size) || size < 0) {
        throw new TowerlensError(`${input.name}: size must be a whole number of bytes, got ${input.size}`, { code: 'ARG' });
      }
      sources.push(streamSource(input.name, size, () => input.stream()));
    } else if (input && typeof input === 'object' && input.bytes !== undefined) {
      const bytes = input.bytes instanceof ArrayBuffer ? new Uint8Array(input.bytes) : input.bytes;
      if (!(bytes instanceof Uint8Array)) {
        throw new TowerlensError(`${input.name ?? 'input'}: bytes must be a Uint8Array or ArrayBuffer`, { code: 'ARG' });
      }
      sources.push(bytesSource(String(input.name ?? `input ${sources.length + 1}`), bytes));
    } else if (typeof input === 'string' || (input && typeof input === 'object' && typeof input.path === 'string')) {
      if (!IS_NODE) {
        throw new TowerlensError('file paths can only be read under Node; in a browser pass File or Blob objects',
          { code: 'ARG' });
      }
      const path = typeof input === 'string' ? input : input.path;
      sources.push(...(await pathSources(path, typeof input === 'string' ? undefined : input.name)));
    } else {
      throw new TowerlensError(
        `unsupported input ${Object.prototype.toString.call(input)}: pass a File/Blob, {name, bytes}, or a path in Node`,
        { code: 'ARG' });
    }
  }
  return sources;
}

function bytesSource(name, bytes) {
  return {
    name,
    size: bytes.length,
    async open() {
      let off = 0;
      return {
        async read(heap, dst, n) {
          const k = Math.min(n, bytes.length - off);
          heap().set(bytes.subarray(off, off + k), dst);
          off += k;
          return k;
        },
        close() {},
      };
    },
  };
}

function blobSource(name, blob) {
  return streamSource(name, blob.size, () => blob.stream());
}

// size is what progress reports as the total (0 when unknown)
function streamSource(name, size, openStream) {
  return {
    name,
    size,
    async open() {
      const stream = openStream();
      if (!stream || typeof stream.getReader !== 'function') {
        throw new TowerlensError(`${name}: stream() must return a ReadableStream`, { code: 'ARG' });
      }
      const reader = stream.getReader();
      let pending = null; // the unread tail of the last stream chunk
      let finished = false;
      return {
        // fills the whole request unless the stream ends, so chunk sizes seen
        // by the core do not depend on how the browser slices the stream
        async read(heap, dst, n) {
          let written = 0;
          while (written < n) {
            if (!pending || pending.length === 0) {
              if (finished) break;
              const { value, done } = await reader.read();
              if (done) { finished = true; break; }
              pending = value;
              continue;
            }
            const k = Math.min(n - written, pending.length);
            heap().set(pending.subarray(0, k), dst + written);
            pending = pending.subarray(k);
            written += k;
          }
          return written;
        },
        close() {
          if (!finished) reader.cancel().catch(() => {});
        },
      };
    },
  };
}

async function pathSources(path, name) {
  const { fs, path: p } = await node();
  let st;
  try {
    st = fs.statSync(path);
  } catch (e) {
    throw ioError(name ?? path, 'cannot open', e);
  }
  if (!st.isDirectory()) return [fileSource(name ?? p.basename(path), path, st.size)];
  let entries;
  try {
    entries = fs.readdirSync(path);
  } catch (e) {
    throw ioError(path, 'cannot list the folder', e);
  }
  const files = MOVIELENS_FILE_NAMES.filter((f) => entries.includes(f));
  if (files.length === 0) {
    throw new TowerlensError(`${path}: this folder holds no MovieLens data files; expected ratings.csv and ` +
      'movies.csv (ml-latest, ml-25m), u.data and u.item (ml-100k) or ratings.dat and movies.dat (ml-1m)',
    { code: 'FORMAT', file: path });
  }
  return files.map((f) => {
    const full = p.join(path, f);
    return fileSource(f, full, fs.statSync(full).size);
  });
}

function fileSource(name, path, size) {
  return {
    name,
    size,
    async open() {
      const { fs } = await node();
      let fd;
      try {
        fd = fs.openSync(path, 'r');
      } catch (e) {
        throw ioError(name, 'cannot open', e);
      }
      let pos = 0;
      return {
        async read(heap, dst, n) {
          let written = 0;
          try {
            // straight into WASM memory: no intermediate Buffer
            while (written < n) {
              const k = fs.readSync(fd, heap(), dst + written, n - written, pos);
              if (k === 0) break;
              written += k;
              pos += k;
            }
          } catch (e) {
            throw ioError(name, `read failed at byte ${pos}`, e);
          }
          return written;
        },
        close() {
          fs.closeSync(fd);
        },
      };
    },
  };
}
