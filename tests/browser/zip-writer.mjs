// Writes .zip archives for tests (the page's reader is web/lib/zip.js):
// deflate via CompressionStream('deflate-raw') or stored entries, optionally
// with zip64 size fields, so the reader can be checked on every layout it
// claims to read. Not a general-purpose writer.
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes) {
  let c = ~0;
  for (const x of bytes) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

async function deflateRaw(data) {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return Buffer.from(await new Response(stream).arrayBuffer());
}

// entries: [{ name, data: Buffer|Uint8Array, method?: 0|8, zip64?: bool, flags?: number }]
// A name ending in '/' is a folder entry. Returns a Buffer.
export async function makeZip(entries, { comment = '', zip64End = false } = {}) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = Buffer.from(e.data || []);
    const method = e.name.endsWith('/') ? 0 : e.method ?? 8;
    const body = method === 8 ? await deflateRaw(data) : data;
    const crc = crc32(data);
    const flags = 0x800 | (e.flags || 0);
    const zip64 = !!e.zip64;
    // zip64: the 32-bit fields say 0xFFFFFFFF and an extra field holds the sizes (and offset)
    const extraLocal = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    const extraCentral = zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (zip64) {
      extraLocal.writeUInt16LE(1, 0); extraLocal.writeUInt16LE(16, 2);
      extraLocal.writeBigUInt64LE(BigInt(data.length), 4); extraLocal.writeBigUInt64LE(BigInt(body.length), 12);
      extraCentral.writeUInt16LE(1, 0); extraCentral.writeUInt16LE(24, 2);
      extraCentral.writeBigUInt64LE(BigInt(data.length), 4); extraCentral.writeBigUInt64LE(BigInt(body.length), 12);
      extraCentral.writeBigUInt64LE(BigInt(offset), 20);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(zip64 ? 45 : 20, 4); local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64 ? 0xffffffff : body.length, 18); local.writeUInt32LE(zip64 ? 0xffffffff : data.length, 22);
    local.writeUInt16LE(name.length, 26); local.writeUInt16LE(extraLocal.length, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(zip64 ? 45 : 20, 4); cd.writeUInt16LE(zip64 ? 45 : 20, 6);
    cd.writeUInt16LE(flags, 8); cd.writeUInt16LE(method, 10); cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20); cd.writeUInt32LE(zip64 ? 0xffffffff : data.length, 24);
    cd.writeUInt16LE(name.length, 28); cd.writeUInt16LE(extraCentral.length, 30);
    cd.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    parts.push(local, name, extraLocal, body);
    central.push(cd, name, extraCentral);
    offset += local.length + name.length + extraLocal.length + body.length;
  }
  const cdBytes = Buffer.concat(central);
  const commentBytes = Buffer.from(comment);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64End ? 0xffff : entries.length, 8); end.writeUInt16LE(zip64End ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64End ? 0xffffffff : cdBytes.length, 12); end.writeUInt32LE(zip64End ? 0xffffffff : offset, 16);
  end.writeUInt16LE(commentBytes.length, 20);
  if (!zip64End) return Buffer.concat([...parts, cdBytes, end, commentBytes]);
  // zip64 end of central directory record + locator, before the classic record
  const rec = Buffer.alloc(56);
  rec.writeUInt32LE(0x06064b50, 0); rec.writeBigUInt64LE(44n, 4); rec.writeUInt16LE(45, 12); rec.writeUInt16LE(45, 14);
  rec.writeBigUInt64LE(BigInt(entries.length), 24); rec.writeBigUInt64LE(BigInt(entries.length), 32);
  rec.writeBigUInt64LE(BigInt(cdBytes.length), 40); rec.writeBigUInt64LE(BigInt(offset), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0); loc.writeBigUInt64LE(BigInt(offset + cdBytes.length), 8); loc.writeUInt32LE(1, 16);
  return Buffer.concat([...parts, cdBytes, rec, loc, end, commentBytes]);
}
