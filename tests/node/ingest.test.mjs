// End-to-end ingest through the JS API and the real WASM build: exact
// numbers on ml-latest-small, chunk-size independence, bad-file errors.
import assert from 'node:assert/strict';
import { existsSync, openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { createTowerlens, Dataset, TowerlensError } from '../../web/towerlens.js';
import {
  DEMO, LOAD_TIMEOUT, REPO, SHARED_SMALL, SKIP_SHARED, TEST_TIMEOUT, nativeStats, utf8,
} from './helpers.mjs';

// Small files in MovieLens CSV layout, with the awkward parts of RFC 4180.
const RATINGS = 'userId,movieId,rating,timestamp\n' +
  '1,1,4.0,964982703\n' +
  '1,3,4.0,964981247\n' +
  '1,6,4.0,964982224\n' +
  '2,1,2.5,1445714835\n' +
  '2,6,5.0,1445714994\n' +
  '3,3,0.5,1306463578\n';
const MOVIES = 'movieId,title,genres\n' +
  '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n' +
  '3,"Grumpier Old Men, The ""Sequel"" (1995)",Comedy|Romance\n' +
  '6,"Heat\n(Director\'s Cut) (1995)",Action|Crime|Thriller\n' +
  '7,Amélie (Le Fabuleux destin d\'Amélie Poulain) (2001),Comedy|Romance';  // no final newline
const FIXTURE_GENRES = ['Action', 'Adventure', 'Animation', 'Children', 'Comedy', 'Crime', 'Fantasy',
  'Romance', 'Thriller'];

const fixture = () => [
  { name: 'ratings.csv', bytes: utf8(RATINGS) },
  { name: 'movies.csv', bytes: utf8(MOVIES) },
];

let tl;
before(async () => { tl = await createTowerlens(); }, { timeout: LOAD_TIMEOUT });

async function summaryOf(inputs, options) {
  const ds = await tl.loadDataset(inputs, options);
  try {
    return ds.summary();
  } finally {
    ds.free();
  }
}

/** Asserts `promise` rejects with a TowerlensError and returns it. */
async function rejection(promise) {
  const e = await promise.then(() => assert.fail('expected a TowerlensError'), (err) => err);
  assert.ok(e instanceof TowerlensError, `expected TowerlensError, got ${e?.stack ?? e}`);
  return e;
}

describe('WASM build', () => {
  test('loads with SIMD128 kernels', { timeout: TEST_TIMEOUT }, () => {
    assert.equal(tl.simd, true);
    assert.ok(tl.memoryBytes >= 1 << 20);
  });

  test('reports the version of package.json, its one source', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    assert.match(pkg.version, /^\d+\.\d+\.\d+/);
    assert.equal(tl.version, pkg.version);
  });
});

describe('small fixture', () => {
  test('summary has the exact counts', { timeout: TEST_TIMEOUT }, async () => {
    const ds = await tl.loadDataset(fixture());
    assert.ok(ds instanceof Dataset);
    assert.deepEqual(ds.files, [
      { name: 'ratings.csv', bytes: utf8(RATINGS).length, kind: 'ratings' },
      { name: 'movies.csv', bytes: utf8(MOVIES).length, kind: 'movies' },
    ]);
    const s = ds.summary();
    assert.equal(s.ratings, 6);
    assert.equal(s.users, 3);
    assert.equal(s.movies, 4);
    assert.equal(s.rated_movies, 3);
    assert.deepEqual([...s.genres].sort(), FIXTURE_GENRES);
    assert.equal(s.rating_min, 0.5);
    assert.equal(s.rating_max, 5.0);
    assert.equal(s.first_timestamp, 964981247);
    assert.equal(s.last_timestamp, 1445714994);
    assert.deepEqual(s.warnings, []);
    assert.equal(ds.numRatings, 6);
    assert.equal(ds.numUsers, 3);
    assert.ok(ds.bytesHeld > 0);
    ds.free();
  });

  test('file order, CRLF line ends and a byte-order mark do not change the summary',
    { timeout: TEST_TIMEOUT }, async () => {
      const plain = await summaryOf(fixture());
      const crlf = (s) => s.replace(/(?<!\()\n/g, '\r\n'); // keeps the line break inside the quoted title
      const reordered = await summaryOf([
        { name: 'movies.csv', bytes: utf8('\uFEFF' + crlf(MOVIES)) },
        { name: 'ratings.csv', bytes: utf8(crlf(RATINGS)) },
      ]);
      assert.deepEqual(reordered, plain);
    });

  test('chunks of 1, 2, 3, 7, 4096 bytes and whole Blobs give identical summaries',
    { timeout: TEST_TIMEOUT }, async () => {
      const whole = await summaryOf(fixture());
      for (const chunkSize of [1, 2, 3, 7, 4096]) {
        // Blobs built from several parts so stream chunks cross field boundaries too
        const ratingsBlob = new Blob([RATINGS.slice(0, 40), RATINGS.slice(40, 41), RATINGS.slice(41)]);
        const moviesBlob = new File([MOVIES.slice(0, 100), MOVIES.slice(100)], 'movies.csv');
        const s = await summaryOf([{ name: 'ratings.csv', blob: ratingsBlob }, moviesBlob], { chunkSize });
        assert.deepEqual(s, whole, `chunkSize ${chunkSize}`);
      }
    });

  test('a ratings file\'s size, known, unknown, too small or too large, never changes the dataset',
    { timeout: TEST_TIMEOUT }, async () => {
      // 150,000 ratings: the columns grow past several reservations without a size
      let text = 'userId,movieId,rating,timestamp\n';
      for (let i = 0; i < 150000; i++) text += `${Math.floor(i / 60) + 1},${(i * 7919) % 6000 + 1},${i % 4 + 1}.${i % 2 ? 5 : 0},${1000000 + i}\n`;
      const bytes = utf8(text);
      const streamOf = () => new Blob([bytes]).stream();
      const known = await summaryOf([{ name: 'ratings.csv', bytes }]);
      assert.equal(known.ratings, 150000);
      assert.equal(known.users, 2500);
      for (const size of [undefined, 100, bytes.length * 10]) {
        const s = await summaryOf([{ name: 'ratings.csv', stream: streamOf, size }], { chunkSize: 65536 });
        assert.deepEqual(s, known, `size ${size}`);
      }
    });

  test('progress reports bytes read of the total for each file, ending at the total',
    { timeout: TEST_TIMEOUT }, async () => {
      const calls = [];
      await summaryOf(fixture(), { chunkSize: 50, onProgress: (...a) => calls.push(a) });
      for (const [name, text] of [['ratings.csv', RATINGS], ['movies.csv', MOVIES]]) {
        const total = utf8(text).length;
        const mine = calls.filter((c) => c[0] === name);
        assert.deepEqual(mine[0], [name, 0, total]);
        assert.deepEqual(mine.at(-1), [name, total, total]);
        assert.equal(mine.length, 1 + Math.ceil(total / 50));
        for (let i = 1; i < mine.length; i++) assert.ok(mine[i][1] > mine[i - 1][1]);
      }
    });

  test('free() releases the dataset; using it afterwards is a STATE error', { timeout: TEST_TIMEOUT }, async () => {
    const ds = await tl.loadDataset(fixture());
    ds.free();
    ds.free();
    assert.equal(ds.freed, true);
    assert.throws(() => ds.summary(), (e) => e instanceof TowerlensError && e.code === 'STATE');
  });

  test('an aborted signal stops the load', { timeout: TEST_TIMEOUT }, async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(tl.loadDataset(fixture(), { signal: ac.signal }), { name: 'AbortError' });
  });
});

describe('bad input', () => {
  test('a rating out of range names file, line and value', { timeout: TEST_TIMEOUT }, async () => {
    const bad = RATINGS.replace('2,6,5.0,', '2,6,7.5,'); // line 6
    const e = await rejection(tl.loadDataset([{ name: 'ratings.csv', bytes: utf8(bad) }]));
    assert.equal(e.code, 'PARSE');
    assert.equal(e.file, 'ratings.csv');
    assert.equal(e.line, 6);
    assert.match(e.message, /^ratings\.csv:6: .*7\.5/);
  });

  test('the same error whatever the chunk size', { timeout: TEST_TIMEOUT }, async () => {
    const bad = new Blob([RATINGS.replace('1,6,4.0,', '1,6,four,')]); // line 4
    for (const chunkSize of [1, 7, 1 << 20]) {
      const e = await rejection(tl.loadDataset([{ name: 'r.csv', blob: bad }], { chunkSize }));
      assert.equal(e.code, 'PARSE');
      assert.equal(e.file, 'r.csv');
      assert.equal(e.line, 4);
      assert.match(e.message, /^r\.csv:4: .*four/);
    }
  });

  test('an unterminated quoted field names the line it starts on', { timeout: TEST_TIMEOUT }, async () => {
    const movies = 'movieId,title,genres\n1,Toy Story (1995),Comedy\n2,"Jumanji (1995),Adventure\n';
    const e = await rejection(tl.loadDataset([
      { name: 'ratings.csv', bytes: utf8(RATINGS) }, { name: 'movies.csv', bytes: utf8(movies) },
    ]));
    assert.equal(e.code, 'PARSE');
    assert.equal(e.file, 'movies.csv');
    assert.equal(e.line, 3);
    assert.match(e.message, /^movies\.csv:3: .*quot/);
  });

  test('an image and an empty file are the wrong kind of file', { timeout: TEST_TIMEOUT }, async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    for (const [name, bytes] of [['poster.png', png], ['empty.csv', new Uint8Array(0)]]) {
      const e = await rejection(tl.loadDataset([{ name, bytes }, { name: 'ratings.csv', bytes: utf8(RATINGS) }]));
      assert.equal(e.code, 'FORMAT', e.message);
      assert.equal(e.file, name);
      assert.ok(e.message.startsWith(`${name}:`), e.message);
    }
  });

  test('a movies file alone has no ratings to build a dataset from', { timeout: TEST_TIMEOUT }, async () => {
    const e = await rejection(tl.loadDataset([{ name: 'movies.csv', bytes: utf8(MOVIES) }]));
    assert.match(e.message, /rating/i);
  });

  test('a good load works after a failed one', { timeout: TEST_TIMEOUT }, async () => {
    await rejection(tl.loadDataset([{ name: 'ratings.csv', bytes: utf8('userId,movieId,rating,timestamp\n1,1,9,1\n') }]));
    assert.equal((await summaryOf(fixture())).ratings, 6);
  });

  test('unusable inputs are ARG and IO errors', { timeout: TEST_TIMEOUT }, async () => {
    assert.equal((await rejection(tl.loadDataset([]))).code, 'ARG');
    assert.equal((await rejection(tl.loadDataset([42]))).code, 'ARG');
    assert.equal((await rejection(tl.loadDataset([utf8(RATINGS)]))).code, 'ARG');
    assert.equal((await rejection(tl.loadDataset(fixture(), { chunkSize: 0 }))).code, 'ARG');
    const missing = await rejection(tl.loadDataset('/nonexistent/towerlens/ratings.csv'));
    assert.equal(missing.code, 'IO');
    assert.match(missing.message, /ENOENT/);
    const emptyDir = await rejection(tl.loadDataset(join(REPO, 'tests/c')));
    assert.equal(emptyDir.code, 'FORMAT');
  });
});

describe('ml-latest-small (../shared)', () => {
  const files = ['ratings.csv', 'movies.csv', 'tags.csv', 'links.csv'].map((f) => join(SHARED_SMALL, f));

  test('exact numbers from the folder path', { skip: SKIP_SHARED, timeout: TEST_TIMEOUT }, async () => {
    const ds = await tl.loadDataset(SHARED_SMALL);
    const s = ds.summary();
    assert.equal(s.ratings, 100836);
    assert.equal(s.users, 610);
    assert.equal(s.movies, 9742);
    assert.equal(s.rated_movies, 9724);
    assert.equal(s.genres.length, 20);
    assert.ok(s.genres.includes('(no genres listed)'));
    assert.equal(s.rating_min, 0.5);
    assert.equal(s.rating_max, 5.0);
    // 13 bytes a rating (user, movie, timestamp, half stars) and the user vocabulary
    assert.ok(ds.ratingBytes / s.ratings >= 13 && ds.ratingBytes / s.ratings <= 14, `${ds.ratingBytes / s.ratings} bytes per rating`);
    assert.ok(ds.bytesHeld > ds.ratingBytes);
    assert.deepEqual(ds.files.map((f) => f.name).sort(),
      ['links.csv', 'movies.csv', 'ratings.csv', 'tags.csv']);
    ds.free();
  });

  test('Blobs in odd chunk sizes and paths give the same summary', { skip: SKIP_SHARED, timeout: TEST_TIMEOUT },
    async () => {
      const viaPaths = await summaryOf(files);
      for (const chunkSize of [65_537, 1_000_003]) {
        const blobs = await Promise.all(files.map(async (f) => ({ name: f.split('/').pop(), blob: await openAsBlob(f) })));
        assert.deepEqual(await summaryOf(blobs, { chunkSize }), viaPaths, `chunkSize ${chunkSize}`);
      }
      assert.deepEqual(await summaryOf(SHARED_SMALL), viaPaths);
    });

  test('matches `towerlens stats --json` of the native build', { skip: SKIP_SHARED, timeout: TEST_TIMEOUT },
    async (t) => {
      const native = nativeStats([SHARED_SMALL]);
      if (!native) return t.skip('SKIP: native build/towerlens not built');
      assert.deepEqual(await summaryOf(SHARED_SMALL), native);
    });
});

describe('bundled demo data (data/demo)', () => {
  const skip = existsSync(DEMO) ? false : 'SKIP: data/demo is not generated yet';

  test('loads and agrees with the native CLI', { skip, timeout: TEST_TIMEOUT }, async () => {
    const s = await summaryOf(DEMO);
    assert.ok(s.ratings > 10_000, `${s.ratings} ratings`);
    assert.ok(s.users > 100 && s.movies > 1000, JSON.stringify(s));
    assert.ok(s.rated_movies <= s.movies);
    assert.equal(s.rating_min, 0.5);
    assert.equal(s.rating_max, 5.0);
    const native = nativeStats([DEMO]);
    if (native) assert.deepEqual(s, native);
  });

  test('Blob chunks give the same summary as the folder', { skip, timeout: TEST_TIMEOUT }, async () => {
    const whole = await summaryOf(DEMO);
    const names = ['ratings.csv', 'movies.csv', 'tags.csv', 'links.csv'].filter((f) => existsSync(join(DEMO, f)));
    const blobs = await Promise.all(names.map(async (n) => ({ name: n, blob: await openAsBlob(join(DEMO, n)) })));
    for (const chunkSize of [4093, 1 << 16]) assert.deepEqual(await summaryOf(blobs, { chunkSize }), whole);
  });
});
