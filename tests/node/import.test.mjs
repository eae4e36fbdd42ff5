// tl.importModel through the real WASM build: hand-written factors serve the
// top-k computed by hand (tests/fixtures/factors/README.md), tables given as
// {ids, data, dim} equal the CSV, a model trained here round-trips through
// its embeddings with identical fold-in and similar answers, the user budget,
// the Spark ALS fold-in, and bad factor files as located TowerlensErrors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createTowerlens, TowerlensError } from '../../web/towerlens.js';
import { LOAD_TIMEOUT, REPO, TEST_TIMEOUT } from './helpers.mjs';

const FF = join(REPO, 'tests/fixtures/factors');
const SMALL = join(REPO, 'tests/fixtures/small');
const file = (name) => ({ name, bytes: readFileSync(join(FF, name)) });
const movies = () => file('movies.csv');
const ids = (answer) => answer.items.map((i) => i.movieId);

const isError = (code, pattern, fileName) => (e) => {
  assert.ok(e instanceof TowerlensError, `a TowerlensError, got ${e}`);
  assert.equal(e.code, code, e.message);
  assert.match(e.message, pattern);
  if (fileName) assert.equal(e.file, fileName);
  return true;
};

let tl;
before(async () => { tl = await createTowerlens({ build: 'st' }); }, { timeout: LOAD_TIMEOUT });

describe('hand-written factors', { timeout: TEST_TIMEOUT }, () => {
  let model;
  before(async () => {
    model = await tl.importModel({ movieFactors: file('movie_factors.csv'), userFactors: file('user_factors.csv'),
      movies: movies() });
  });
  after(() => model?.free());

  test('serve the top-k computed by hand', () => {
    const r = model.recommend(10, { k: 5, excludeSeen: false }); // no seen sets in imported factors
    assert.deepEqual(ids(r), [1, 3, 5, 2, 4]);
    assert.ok(Math.abs(r.items[1].score - 0.76) < 1e-6);
    assert.equal(r.items[1].title, 'Northeast');
    assert.deepEqual(ids(model.recommend(20, { k: 3, excludeSeen: false })), [2, 3, 5]);
    assert.throws(() => model.recommend(10), isError('STATE', /no record of what users rated/));
    const s = model.similar(1, { k: 2 });
    assert.deepEqual(ids(s), [5, 3]);
    assert.ok(Math.abs(s.items[0].score - Math.SQRT1_2) < 1e-6);
  });

  test('config records the import', () => {
    const c = model.config;
    assert.equal(c.preset, 'imported');
    assert.equal(c.dim, 2);
    assert.equal(c.imported.movies, 5);
    assert.equal(c.imported.users, 2);
    assert.equal(c.imported.movies_without_factors, 1);
    assert.equal(c.imported.movie_factors, 'movie_factors.csv');
    assert.equal(c.foldin.method, 'softmax');
    assert.equal(model.catalogueSize, 5);
    assert.deepEqual([...model.userIds()], [10, 20]);
  });

  test('a table as {ids, data, dim} equals the CSV, and text works as input', async () => {
    const m2 = await tl.importModel({
      movieFactors: { ids: [3, 1, 2, 4, 5], data: new Float32Array([0.6, 0.8, 1, 0, 0, 1, -1, 0, 0.5, 0.5]), dim: 2 },
      movies: readFileSync(join(FF, 'movies.csv'), 'utf8'),
    });
    try {
      assert.deepEqual(m2.embeddings().movies, model.embeddings().movies);
      assert.deepEqual(m2.similar(1, { k: 4 }), model.similar(1, { k: 4 }));
      assert.equal(m2.numUsers, 0);
    } finally {
      m2.free();
    }
  });
});

describe('export -> import round trip', { timeout: TEST_TIMEOUT }, () => {
  let ds, tr, trained, imported;
  before(async () => {
    ds = await tl.loadDataset(SMALL);
    tr = tl.createTrainer(ds, { preset: 'tfrs', epochs: 2, batchSize: 64, dim: 8, seed: 5 });
    await tr.run({ stepMs: 50 });
    trained = tl.loadModel(tr.model.save());
    const e = trained.embeddings();
    imported = await tl.importModel({
      movieFactors: { ids: e.movieIds, data: e.movies, dim: e.dim },
      userFactors: { ids: e.userIds, data: e.users, dim: e.dim },
      movies: { name: 'movies.csv', bytes: readFileSync(join(SMALL, 'movies.csv')) },
      skipUnknown: true, // the fixture rates movie 999, which its movies.csv does not list
    });
  });
  after(() => { imported?.free(); trained?.free(); tr?.free(); ds?.free(); });

  test('identical fold-in, similar and recommend answers', () => {
    const movieIds = imported.movies().map((m) => m.movieId);
    const rated = movieIds.slice(0, 4).map((movieId, i) => ({ movieId, rating: 5 - i }));
    const strip = (r) => r.items.map((i) => [i.movieId, i.score]);
    assert.equal(imported.catalogueSize, trained.catalogueSize);
    assert.equal(imported.config.imported.unknown_ids_skipped, 1);
    assert.deepEqual(strip(imported.recommendForRatings(rated, { k: 10 })), strip(trained.recommendForRatings(rated, { k: 10 })));
    assert.deepEqual(strip(imported.similar(movieIds[3], { k: 10 })), strip(trained.similar(movieIds[3], { k: 10 })));
    const u = trained.userIds()[2];
    assert.deepEqual(strip(imported.recommend(u, { k: 10, excludeSeen: false })),
      strip(trained.recommend(u, { k: 10, excludeSeen: false })));
  });

  test('over the user budget: users skipped, visitors folded in', async () => {
    const e = trained.embeddings();
    const m = await tl.importModel({
      movieFactors: { ids: e.movieIds, data: e.movies, dim: e.dim },
      userFactors: { ids: e.userIds, data: e.users, dim: e.dim },
      movies: readFileSync(join(SMALL, 'movies.csv')), maxUserMB: 0, skipUnknown: true,
    });
    try {
      assert.equal(m.numUsers, 0);
      assert.match(m.config.imported.users_skipped, /user_factors\.npy: .* over the limit/);
      assert.throws(() => m.recommend(e.userIds[0], { excludeSeen: false }), isError('NOTFOUND', /unknown user/));
      assert.equal(m.recommendForRatings([{ movieId: e.movieIds[0], rating: 5 }], { k: 3 }).items.length, 3);
    } finally {
      m.free();
    }
  });
});

test('Spark ALS fold-in recorded and used', { timeout: TEST_TIMEOUT }, async () => {
  const m = await tl.importModel({ movieFactors: file('movie_factors.csv'), movies: movies(), foldin: 'als', reg: 0.5 });
  try {
    assert.equal(m.config.foldin.method, 'als');
    assert.equal(m.config.imported.source, 'spark-als');
    // (I + 0.5 * 2 I) u = (4, 2): u = (2, 1); movie 3 scores 2.0, 5 1.5, 4 -2
    const r = m.recommendForRatings([{ movieId: 1, rating: 4 }, { movieId: 2, rating: 2 }], { k: 3 });
    assert.deepEqual(ids(r), [3, 5, 4]);
    assert.ok(Math.abs(r.items[0].score - 2) < 1e-6 && Math.abs(r.items[1].score - 1.5) < 1e-6);
  } finally {
    m.free();
  }
});

test('bad factor files are located errors; the instance stays usable', { timeout: TEST_TIMEOUT }, async () => {
  await assert.rejects(tl.importModel({ movieFactors: file('ragged.csv'), movies: movies() }),
    isError('PARSE', /^ragged\.csv:3: 3 factors, expected 2/, 'ragged.csv'));
  await assert.rejects(tl.importModel({ movieFactors: file('nan.csv'), movies: movies() }),
    isError('PARSE', /nan\.csv:3: value 1 \(e0\) "NaN" is not a finite number/));
  await assert.rejects(tl.importModel({ movieFactors: file('unknown.csv'), movies: movies() }),
    isError('NOTFOUND', /unknown\.csv:3: movie id 77 is not in the movies file/));
  await assert.rejects(tl.importModel({ movieFactors: file('duplicate.csv'), movies: movies() }),
    isError('PARSE', /duplicate\.csv:4: id 1 appears again/));
  await assert.rejects(tl.importModel({ movieFactors: file('movie_factors.csv'), userFactors: file('users_dim3.csv'),
    movies: movies() }), isError('FORMAT', /users_dim3\.csv:2: 3 factors per row, but the movie factors/));
  await assert.rejects(tl.importModel({ movieFactors: { ids: [1, 2], data: [1, 2, 3], dim: 2 }, movies: movies() }),
    isError('ARG', /ids\.length x dim/));
  await assert.rejects(tl.importModel({ movieFactors: { ids: [1], data: [NaN], dim: 1 }, movies: movies() }),
    isError('PARSE', /movie_factors\.npy: row 0 \(byte 128\): value 1 \(e0\) is NaN/));
  await assert.rejects(tl.importModel({ movies: movies() }), isError('ARG', /movieFactors and movies/));
  await assert.rejects(tl.importModel({ movieFactors: file('movie_factors.csv'), movies: movies(), foldin: 'x' }),
    isError('ARG', /foldin must be/));
  const ok = await tl.importModel({ movieFactors: file('unknown.csv'), movies: movies(), skipUnknown: true });
  try {
    assert.equal(ok.config.imported.unknown_ids_skipped, 1);
    assert.deepEqual(ok.movies().map((x) => x.movieId), [1]);
  } finally {
    ok.free();
  }
});
