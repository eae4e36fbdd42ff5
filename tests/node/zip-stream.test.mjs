// A zip entry streams straight from the inflater into the core's loader
// (web/lib/zip.js -> {name, stream} input -> loadDataset), the path the page's
// worker takes for a dropped ml-25m.zip: the loader is fed while the entry is
// still inflating, and a damaged entry fails the load with its name.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { createTowerlens } from '../../web/towerlens.js';
import { readZip } from '../../web/lib/zip.js';
import { makeZip } from '../browser/zip-writer.mjs';
import { LOAD_TIMEOUT, TEST_TIMEOUT } from './helpers.mjs';

const USERS = 5000;
const MOVIES = 3000;        // 7919 is prime to 3000, so every movie is rated
const ROWS = 1_200_000;     // about 30 MB of CSV
const RATINGS = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 0.5];

// ratings.csv with a known shape, built in 1 MB pieces
function bigRatings() {
  const parts = [Buffer.from('userId,movieId,rating,timestamp\n')];
  let lines = [];
  for (let i = 0; i < ROWS; i++) {
    const r = RATINGS[i % RATINGS.length];
    lines.push(`${(i % USERS) + 1},${((i * 7919) % MOVIES) + 1},${r.toFixed(1)},${1000000000 + i}\n`);
    if (lines.length === 40000) {
      parts.push(Buffer.from(lines.join('')));
      lines = [];
    }
  }
  parts.push(Buffer.from(lines.join('')));
  return Buffer.concat(parts);
}

let tl;
let csv;
let zip;
before(async () => {
  tl = await createTowerlens();
  csv = bigRatings();
  zip = await makeZip([{ name: 'ml-big/ratings.csv', data: csv, method: 8 }]);
}, { timeout: LOAD_TIMEOUT });

test('a tens-of-MB zip entry streams into the loader while it inflates', { timeout: TEST_TIMEOUT }, async () => {
  assert.ok(csv.length > 25e6, `entry is ${csv.length} bytes`);
  const [entry] = await readZip(new Blob([zip]), 'ml-big.zip');
  assert.equal(entry.size, csv.length);
  assert.ok(entry.compressedSize < csv.length / 2, 'the entry is deflated');

  let inflated = 0;       // bytes the inflater has produced so far
  let maxChunk = 0;
  const fedWhileInflating = []; // inflated bytes at each loader progress report
  const counted = () => entry.stream().pipeThrough(new TransformStream({
    transform(chunk, c) {
      inflated += chunk.length;
      maxChunk = Math.max(maxChunk, chunk.length);
      c.enqueue(chunk);
    },
  }));
  const chunkSize = 1 << 20;
  const ds = await tl.loadDataset({ name: 'ratings.csv', size: entry.size, stream: counted }, {
    chunkSize,
    onProgress: (name, bytes) => { if (bytes > 0) fedWhileInflating.push([bytes, inflated]); },
  });
  try {
    const s = ds.summary();
    assert.equal(s.ratings, ROWS);
    assert.equal(s.users, USERS);
    assert.equal(s.rated_movies, MOVIES);
    assert.equal(s.rating_min, 0.5);
    assert.equal(s.rating_max, 5);
    assert.equal(s.rating_mean, 2.75);
    assert.equal(s.rating_histogram['3.0'], ROWS / 10);
    assert.equal(s.first_timestamp, 1000000000);
    assert.equal(s.last_timestamp, 1000000000 + ROWS - 1);
    assert.deepEqual(ds.files, [{ name: 'ratings.csv', bytes: csv.length, kind: 'ratings' }]);
  } finally {
    ds.free();
  }
  // Streaming, not collecting: the first 1 MB chunk reached the loader when
  // only a little more than that had been inflated, and so did every later one.
  assert.ok(fedWhileInflating.length >= 25, `${fedWhileInflating.length} chunks fed`);
  const [firstFed, firstInflated] = fedWhileInflating[0];
  assert.equal(firstFed, chunkSize);
  assert.ok(firstInflated < 4 * chunkSize, `${firstInflated} bytes inflated before the first feed`);
  for (const [fed, inf] of fedWhileInflating) assert.ok(inf - fed < 4 * chunkSize + maxChunk, `${inf - fed} bytes in flight`);
});

test('a checksum mismatch in a streamed entry fails the load naming the entry', { timeout: TEST_TIMEOUT }, async () => {
  const small = Buffer.from('userId,movieId,rating,timestamp\n1,1,4.0,964982703\n2,1,3.0,964982704\n');
  const stored = Buffer.from(await makeZip([{ name: 'ml/ratings.csv', data: small, method: 0 }]));
  stored[30 + 'ml/ratings.csv'.length + 40] ^= 1; // a digit of the first row
  const [entry] = await readZip(new Blob([stored]), 'flip.zip');
  await assert.rejects(
    tl.loadDataset({ name: 'ratings.csv', size: entry.size, stream: () => entry.stream() }),
    (e) => /flip\.zip: ml\/ratings\.csv: checksum mismatch/.test(e.message),
  );
  // the engine is still usable after the failed load
  const ok = await tl.loadDataset({ name: 'ratings.csv', bytes: small });
  assert.equal(ok.numRatings, 2);
  ok.free();
});

test('stream inputs need a name and a ReadableStream', { timeout: TEST_TIMEOUT }, async () => {
  await assert.rejects(tl.loadDataset({ stream: () => new Blob(['x']).stream() }), /needs a file name/);
  await assert.rejects(tl.loadDataset({ name: 'r.csv', stream: () => 'not a stream' }), /r\.csv: stream\(\) must return a ReadableStream/);
});
