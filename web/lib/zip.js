// Streaming reader for .zip archives such as ml-latest-small.zip as
// downloaded from GroupLens. Only the central directory (at the end) is read
// up front; each entry is then inflated on demand from a slice of the Blob
// with DecompressionStream('deflate-raw'), chunk by chunk, and its CRC-32 and
// size are checked as the bytes pass. No library, no whole-file buffer.

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

export class ZipError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ZipError';
    this.code = 'ZIP';
  }
}

async function readBytes(blob, start, end) {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

// true when the Blob starts like a zip file (local header or empty archive)
export async function looksLikeZip(blob) {
  if (blob.size < 4) return false;
  const sig = new DataView((await readBytes(blob, 0, 4)).buffer).getUint32(0, true);
  return sig === SIG_LOCAL || sig === SIG_EOCD;
}

function u64(view, at) {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('zip64 field is too large');
  return Number(v);
}

async function findEndOfCentralDirectory(blob, label) {
  const tailStart = Math.max(0, blob.size - (22 + MAX_COMMENT));
  const tail = await readBytes(blob, tailStart, blob.size);
  const view = new DataView(tail.buffer);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) !== SIG_EOCD) continue;
    const commentLength = view.getUint16(i + 20, true);
    if (i + 22 + commentLength !== tail.length) continue; // a stray signature inside the comment
    const eocd = {
      at: tailStart + i,
      disk: view.getUint16(i + 4, true),
      entries: view.getUint16(i + 10, true),
      cdSize: view.getUint32(i + 12, true),
      cdOffset: view.getUint32(i + 16, true),
    };
    const needs64 = eocd.entries === 0xffff || eocd.cdSize === 0xffffffff || eocd.cdOffset === 0xffffffff;
    if (needs64 && eocd.at >= 20) {
      const loc = new DataView((await readBytes(blob, eocd.at - 20, eocd.at)).buffer);
      if (loc.getUint32(0, true) === SIG_ZIP64_LOCATOR) {
        const at64 = u64(loc, 8);
        const rec = new DataView((await readBytes(blob, at64, at64 + 56)).buffer);
        if (rec.byteLength < 56 || rec.getUint32(0, true) !== SIG_ZIP64_EOCD) {
          throw new ZipError(`${label}: the zip64 directory record is damaged`);
        }
        eocd.entries = u64(rec, 32);
        eocd.cdSize = u64(rec, 40);
        eocd.cdOffset = u64(rec, 48);
      }
    }
    if (eocd.disk !== 0) throw new ZipError(`${label}: multi-part (spanned) zip archives are not supported`);
    return eocd;
  }
  throw new ZipError(`${label}: not a zip archive, or it is truncated (no end-of-directory record found)`);
}

function decodeName(bytes, utf8Flag) {
  // Zip names without the UTF-8 flag are CP437; MovieLens names are ASCII, so
  // a lenient UTF-8 decode gives the right result for every real archive.
  void utf8Flag;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

// Lists the entries of a zip Blob. Each entry: { name, size, compressedSize,
// method, crc32, directory, stream() } where stream() yields the
// uncompressed bytes as a ReadableStream<Uint8Array>.
export async function readZip(blob, label = blob.name || 'archive.zip') {
  const eocd = await findEndOfCentralDirectory(blob, label);
  if (eocd.cdOffset + eocd.cdSize > blob.size) {
    throw new ZipError(`${label}: the file is truncated (its directory points past the end)`);
  }
  const cd = await readBytes(blob, eocd.cdOffset, eocd.cdOffset + eocd.cdSize);
  const view = new DataView(cd.buffer);
  const entries = [];
  let p = 0;
  for (let n = 0; n < eocd.entries; n++) {
    if (p + 46 > cd.length || view.getUint32(p, true) !== SIG_CENTRAL) {
      throw new ZipError(`${label}: the zip directory is damaged at entry ${n + 1}`);
    }
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc32 = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLength + extraLength + commentLength > cd.length) {
      throw new ZipError(`${label}: the zip directory is damaged at entry ${n + 1}`);
    }
    const name = decodeName(cd.subarray(p + 46, p + 46 + nameLength), flags & 0x800);
    // zip64 extra field: the 64-bit values of whichever fields are saturated
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const take = () => {
          if (q + 8 > e + 4 + len) throw new ZipError(`${label}: ${name}: damaged zip64 field`);
          const v = u64(view, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      e += 4 + len;
    }
    p = extraEnd + commentLength;
    const directory = name.endsWith('/');
    const entry = { name, size, compressedSize, method, crc32, directory, encrypted: !!(flags & 1) };
    entry.stream = () => openEntry(blob, label, entry, localOffset);
    entries.push(entry);
  }
  return entries;
}

// CRC-32 (IEEE 802.3), the checksum zip stores per entry.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32Update(crc, bytes) {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function checkStream(label, entry) {
  let crc = 0;
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.length;
      if (seen > entry.size) {
        controller.error(new ZipError(`${label}: ${entry.name}: inflates to more than the ${entry.size} bytes its directory says (damaged archive)`));
        return;
      }
      crc = crc32Update(crc, chunk);
      controller.enqueue(chunk);
    },
    flush(controller) {
      if (seen !== entry.size) {
        controller.error(new ZipError(`${label}: ${entry.name}: ended after ${seen} of ${entry.size} bytes (truncated or damaged archive)`));
      } else if (crc !== entry.crc32) {
        controller.error(new ZipError(`${label}: ${entry.name}: checksum mismatch (the archive is damaged)`));
      }
    },
  });
}

function openEntry(blob, label, entry, localOffset) {
  if (entry.directory) throw new ZipError(`${label}: ${entry.name} is a folder`);
  if (entry.encrypted) throw new ZipError(`${label}: ${entry.name} is encrypted; encrypted archives are not supported`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipError(`${label}: ${entry.name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }
  let reader = null;
  return new ReadableStream({
    async start() {
      const head = await readBytes(blob, localOffset, localOffset + 30);
      const hv = new DataView(head.buffer);
      if (head.length < 30 || hv.getUint32(0, true) !== SIG_LOCAL) {
        throw new ZipError(`${label}: ${entry.name}: local header is damaged`);
      }
      const dataStart = localOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
      if (dataStart + entry.compressedSize > blob.size) {
        throw new ZipError(`${label}: ${entry.name}: the archive is truncated`);
      }
      let stream = blob.slice(dataStart, dataStart + entry.compressedSize).stream();
      if (entry.method === 8) stream = stream.pipeThrough(new DecompressionStream('deflate-raw'));
      reader = stream.pipeThrough(checkStream(label, entry)).getReader();
    },
    async pull(controller) {
      let r;
      try {
        r = await reader.read();
      } catch (e) {
        throw e instanceof ZipError ? e : new ZipError(`${label}: ${entry.name}: cannot be inflated (${e.message || e})`);
      }
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    cancel(reason) {
      return reader && reader.cancel(reason);
    },
  });
}
