// The page's zip reader (web/lib/zip.js) and file picker (web/lib/pick-files.js)
// under Node, which has Blob, DecompressionStream and CompressionStream too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readZip, looksLikeZip, crc32Update } from '../../web/lib/zip.js';
import { pickMovieLensFiles } from '../../web/lib/pick-files.js';
import { makeZip, crc32 } from '../browser/zip-writer.mjs';

const enc = (s) => Buffer.from(s);
const ratings = enc('userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.0,964981247\n');
// large and repetitive, so deflate gives several output chunks
const movies = enc('movieId,title,genres\n' + Array.from({ length: 5000 }, (_, i) => `${i + 1},"Movie, number ${i + 1} (1999)",Drama|Comedy`).join('\n') + '\n');

async function text(entry) {
  const parts = [];
  for await (const chunk of entry.stream()) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

test('reads deflated and stored entries inside a folder', async () => {
  const zip = await makeZip([
    { name: 'ml-test/', data: '' },
    { name: 'ml-test/ratings.csv', data: ratings, method: 0 },
    { name: 'ml-test/movies.csv', data: movies, method: 8 },
  ], { comment: 'made by a test' });
  const blob = new Blob([zip]);
  assert.equal(await looksLikeZip(blob), true);
  const entries = await readZip(blob, 'ml-test.zip');
  assert.deepEqual(entries.map((e) => [e.name, e.directory, e.method, e.size]), [
    ['ml-test/', true, 0, 0],
    ['ml-test/ratings.csv', false, 0, ratings.length],
    ['ml-test/movies.csv', false, 8, movies.length],
  ]);
  assert.ok(entries[2].compressedSize < movies.length / 4, 'movies.csv was deflated');
  assert.deepEqual(await text(entries[1]), ratings);
  assert.deepEqual(await text(entries[2]), movies);
  // a stream can be opened again (a retry after a failed load)
  assert.deepEqual(await text(entries[2]), movies);
});

test('reads zip64 size fields and the zip64 end record', async () => {
  const zip = await makeZip([{ name: 'a/ratings.csv', data: ratings, zip64: true }], { zip64End: true });
  const [entry] = await readZip(new Blob([zip]), 'z64.zip');
  assert.equal(entry.size, ratings.length);
  assert.deepEqual(await text(entry), ratings);
});

test('CRC-32 matches the reference value', () => {
  assert.equal(crc32Update(0, enc('123456789')), 0xcbf43926);
  assert.equal(crc32Update(crc32Update(0, enc('12345')), enc('6789')), 0xcbf43926, 'chunked');
  assert.equal(crc32(movies), crc32Update(0, movies));
});

test('damaged, truncated and foreign archives fail with the archive and entry named', async () => {
  const zip = await makeZip([{ name: 'ml/movies.csv', data: movies }]);
  const damaged = Buffer.from(zip);
  damaged.fill(0x55, 60, 90);
  const [entry] = await readZip(new Blob([damaged]), 'bad.zip');
  await assert.rejects(text(entry), /^.*bad\.zip: ml\/movies\.csv: /);

  await assert.rejects(readZip(new Blob([zip.subarray(0, zip.length - 30)]), 'cut.zip'), /cut\.zip: not a zip archive, or it is truncated/);
  await assert.rejects(readZip(new Blob([ratings]), 'ratings.zip'), /ratings\.zip: not a zip archive/);
  assert.equal(await looksLikeZip(new Blob([ratings])), false);

  // a stored entry whose bytes were changed: same size, wrong checksum
  const stored = Buffer.from(await makeZip([{ name: 'r.csv', data: ratings, method: 0 }]));
  stored[30 + 'r.csv'.length + 5] ^= 1;
  const [s] = await readZip(new Blob([stored]), 'flip.zip');
  await assert.rejects(text(s), /flip\.zip: r\.csv: checksum mismatch/);
});

test('encrypted entries and unknown methods are refused with a reason', async () => {
  const zip = await makeZip([
    { name: 'secret.csv', data: ratings, method: 0, flags: 1 },
  ]);
  const [e] = await readZip(new Blob([zip]), 'enc.zip');
  assert.throws(() => e.stream(), /enc\.zip: secret\.csv is encrypted/);
  const other = Buffer.from(await makeZip([{ name: 'x.csv', data: ratings, method: 0 }]));
  // method 12 (bzip2) in both headers
  other.writeUInt16LE(12, 8);
  other.writeUInt16LE(12, other.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
  const [x] = await readZip(new Blob([other]), 'bz.zip');
  assert.throws(() => x.stream(), /bz\.zip: x\.csv uses compression method 12/);
});

test('picks one file of each MovieLens kind and skips the rest', () => {
  const names = [
    'ml-25m/README.txt', 'ml-25m/genome-scores.csv', 'ml-25m/genome-tags.csv', 'ml-25m/links.csv',
    'ml-25m/movies.csv', 'ml-25m/ratings.csv', 'ml-25m/tags.csv', '__MACOSX/ml-25m/._ratings.csv',
  ];
  const { picked, skipped } = pickMovieLensFiles(names, (n) => n);
  assert.deepEqual(picked, ['ml-25m/links.csv', 'ml-25m/movies.csv', 'ml-25m/ratings.csv', 'ml-25m/tags.csv']);
  assert.deepEqual(skipped, ['ml-25m/README.txt', 'ml-25m/genome-scores.csv', 'ml-25m/genome-tags.csv']);

  // ml-100k: u.data and u.item, never the split copies of u.data
  const k100 = ['ml-100k/u.data', 'ml-100k/u.item', 'ml-100k/u1.base', 'ml-100k/ua.test', 'ml-100k/u.user', 'ml-100k/u.genre'];
  assert.deepEqual(pickMovieLensFiles(k100, (n) => n).picked, ['ml-100k/u.data', 'ml-100k/u.item']);

  // an unknown layout: every CSV/DAT goes to the loader, which detects kinds by content
  assert.deepEqual(pickMovieLensFiles(['x/my-ratings.csv', 'x/notes.txt', 'x/films.dat'], (n) => n).picked, ['x/my-ratings.csv', 'x/films.dat']);
});
