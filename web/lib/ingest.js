// loadDataset: streams every source through one loader handle of the core
// (begin / feed chunks / end per file, then finish) and wraps the result.
import { Dataset } from './dataset.js';
import { TowerlensError } from './errors.js';
import { resolveInputs } from './inputs.js';

export const DEFAULT_CHUNK_SIZE = 4 << 20;

/** tl_file_kind names, by value. */
export const FILE_KINDS = Object.freeze(['unknown', 'ratings', 'movies', 'tags', 'links', 'ignored']);

/**
 * @param {import('./core.js').Core} core
 * @param {*} inputs  see resolveInputs
 * @param {{onProgress?: (fileName: string, bytesRead: number, totalBytes: number) => void,
 *          chunkSize?: number, signal?: AbortSignal}} options
 */
export async function loadDataset(core, inputs, options = {}) {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1 << 30) {
    throw new TowerlensError(`chunkSize must be an integer from 1 to 2^30, got ${chunkSize}`, { code: 'ARG' });
  }
  const onProgress = options.onProgress ?? (() => {});
  const signal = options.signal;
  const sources = await resolveInputs(inputs);
  const m = core.m;

  const h = m._tlw_loader_new() >>> 0;
  if (!h) throw new TowerlensError('out of memory creating a loader', { code: 'NOMEM' });
  try {
    const buf = m._tlw_loader_chunk(h, chunkSize) >>> 0;
    if (!buf) throw core.errorOf(h);
    const heap = () => m.HEAPU8; // re-read: feeding may grow memory
    const files = [];
    for (const [index, src] of sources.entries()) {
      signal?.throwIfAborted();
      core.withCString(src.name, (namePtr) => core.check(h, m._tlw_loader_begin(h, namePtr)));
      options.onBegin?.(h, index); // interactions.js: read this file by column names
      // a known size lets a ratings file reserve its columns once (no copies while growing)
      if (src.size > 0) core.check(h, m._tlw_loader_size_hint(h, src.size));
      onProgress(src.name, 0, src.size);
      const reader = await src.open();
      let bytesRead = 0;
      try {
        for (;;) {
          const n = await reader.read(heap, buf, chunkSize);
          if (n === 0) break;
          core.check(h, m._tlw_loader_feed(h, buf, n));
          bytesRead += n;
          onProgress(src.name, bytesRead, Math.max(src.size, bytesRead));
          if (n < chunkSize) break;
          signal?.throwIfAborted();
        }
      } finally {
        reader.close();
      }
      core.check(h, m._tlw_loader_end(h));
      files.push({ name: src.name, bytes: bytesRead, kind: FILE_KINDS[m._tlw_loader_last_kind(h)] ?? 'unknown' });
    }
    const ds = m._tlw_loader_finish(h) >>> 0;
    if (!ds) throw core.errorOf(h);
    return new Dataset(core, ds, files);
  } finally {
    m._tlw_loader_free(h);
  }
}
