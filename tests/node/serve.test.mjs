// Serving through the JS API and the real WASM build, on the bundled demo
// data: the catalogue and a user's ratings, presets, a model trained here
// (live while training continues), top-k with seen exclusion and filters,
// similar movies, fold-in, save/load, errors; the model file and the JSON
// compared with the native CLI's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createTowerlens, Model, TowerlensError } from '../../web/towerlens.js';
import { DEMO, LOAD_TIMEOUT, NATIVE_CLI, TEST_TIMEOUT, utf8 } from './helpers.mjs';

// small and quick: 2 epochs of batch 256 over 40,000 train rows, d = 16
const OPTS = { epochs: 2, batchSize: 256, dim: 16, seed: 7 };
const CLI_OPTS = ['--preset', 'tfrs', '--epochs', '2', '--batch', '256', '--dim', '16', '--seed', '7'];
const HAVE_CLI = existsSync(NATIVE_CLI);
const SKIP_CLI = HAVE_CLI ? false : `SKIP: ${NATIVE_CLI} not built (cmake -S . -B build && cmake --build build); native comparison skipped`;

const isError = (code, pattern) => (e) => {
  assert.ok(e instanceof TowerlensError, `a TowerlensError, got ${e}`);
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

/** The demo files parsed in JS: ratings by user, titles and years by movie. */
function demoFacts() {
  const ratings = new Map();
  for (const line of readFileSync(join(DEMO, 'ratings.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [u, m, r] = line.split(',');
    if (!ratings.has(+u)) ratings.set(+u, []);
    ratings.get(+u).push({ movieId: +m, rating: +r });
  }
  const movies = new Map();
  for (const line of readFileSync(join(DEMO, 'movies.csv'), 'utf8').trim().split('\n').slice(1)) {
    const id = +line.slice(0, line.indexOf(','));
    const genres = line.slice(line.lastIndexOf(',') + 1).split('|');
    movies.set(id, { genres });
  }
  return { ratings, movies };
}

let tl, ds, tr, model, facts, users;
before(async () => {
  tl = await createTowerlens();
  ds = await tl.loadDataset(DEMO);
  facts = demoFacts();
  tr = tl.createTrainer(ds, OPTS);
  await tr.run({ stepMs: 50 });
  model = tr.model;
  users = [...facts.ratings.keys()].sort((a, b) => a - b);
}, { timeout: LOAD_TIMEOUT + TEST_TIMEOUT });

after(() => {
  tr?.free();
  ds?.free();
});

describe('dataset: catalogue, users, a user\'s ratings', { timeout: TEST_TIMEOUT }, () => {
  test('movies() is the movies file, with counts and links', () => {
    const movies = ds.movies();
    assert.equal(movies.length, facts.movies.size);
    assert.deepEqual(movies.map((m) => m.movieId), [...facts.movies.keys()].sort((a, b) => a - b));
    const first = movies[0];
    assert.deepEqual(Object.keys(first), ['movieId', 'title', 'year', 'genres', 'ratings', 'imdbId', 'tmdbId']);
    assert.deepEqual(first.genres, facts.movies.get(first.movieId).genres);
    let counted = 0;
    for (const list of facts.ratings.values()) counted += list.filter((r) => r.movieId === first.movieId).length;
    assert.equal(first.ratings, counted);
    assert.equal(typeof first.imdbId, 'number', 'links.csv was read');
  });

  test('userIds() is ascending and complete', () => {
    const ids = ds.userIds();
    assert.ok(ids instanceof Uint32Array);
    assert.deepEqual([...ids], users);
  });

  test('userRatings() best first, with a limit; file order', () => {
    const u = users[3];
    const mine = facts.ratings.get(u);
    const all = ds.userRatings(u);
    assert.equal(all.length, mine.length);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].rating >= all[i].rating, 'best-rated first');
    assert.equal(all[0].rating, Math.max(...mine.map((r) => r.rating)));
    const byId = new Map(mine.map((r) => [r.movieId, r.rating]));
    for (const r of all) assert.equal(r.rating, byId.get(r.movieId));
    assert.deepEqual(ds.userRatings(u, { limit: 5, order: 'rating' }), all.slice(0, 5));
    assert.deepEqual(ds.userRatings(u, { order: 'file' }).map((r) => r.movieId), mine.map((r) => r.movieId));
  });

  test('unknown user: NOTFOUND naming the id; bad arguments: ARG', () => {
    assert.throws(() => ds.userRatings(999999), isError('NOTFOUND', /999999/));
    assert.throws(() => ds.userRatings(-1), isError('ARG', /userId/));
    assert.throws(() => ds.userRatings(1, { order: 'date' }), isError('ARG', /order/));
    assert.throws(() => ds.userRatings(1, { limit: 1.5 }), isError('ARG', /limit/));
  });
});

describe('presets', () => {
  test('every preset of the core, with the settings the page shows', () => {
    const p = tl.presets();
    assert.ok(p.tfrs && p.default);
    assert.equal(p.tfrs.dim, 32);
    assert.equal(p.tfrs.batchSize, 8192);
    assert.equal(p.tfrs.epochs, 3);
    assert.equal(p.tfrs.learningRate, 0.1);
    assert.equal(p.tfrs.seed, 42);
    assert.equal(p.tfrs.testFraction, 0.2);
    // the list is the one the core's unknown-preset message names
    let known;
    try {
      tl.createTrainer(ds, { preset: 'no-such-preset' });
    } catch (e) {
      known = /\(known: ([^)]*)\)/.exec(e.message)[1].split(', ');
    }
    assert.deepEqual(Object.keys(p).sort(), known.sort());
  });
});

describe('recommend', { timeout: TEST_TIMEOUT }, () => {
  test('ten catalogue movies, best first, seen movies left out by default', () => {
    const u = users[0];
    const r = model.recommend(u);
    assert.equal(r.items.length, 10);
    for (let i = 1; i < 10; i++) assert.ok(r.items[i - 1].score >= r.items[i].score);
    const item = r.items[0];
    assert.deepEqual(Object.keys(item),
      ['movieId', 'title', 'year', 'genres', 'ratings', 'imdbId', 'tmdbId', 'score', 'because']);
    assert.ok(facts.movies.has(item.movieId));
    // seen = every rating of the user; every listed movie is outside them
    const rated = new Set(facts.ratings.get(u).map((x) => x.movieId));
    const withSeen = model.recommend(u, { k: 50, excludeSeen: false });
    const seenInTop = withSeen.items.filter((i) => rated.has(i.movieId));
    assert.ok(seenInTop.length > 0, 'with seen movies included, some rated movies rank in the top 50');
    assert.notDeepEqual(withSeen.items.slice(0, 10).map((i) => i.movieId), r.items.map((i) => i.movieId));
    const seen = new Set(model.recommend(u, { k: 3000, excludeSeen: false }).items.map((i) => i.movieId));
    const excluded = model.recommend(u, { k: 3000 }).items.map((i) => i.movieId);
    assert.ok(excluded.length < seen.size, 'excluding seen movies leaves fewer');
    // the excluded list is the full list minus the user's train movies, in the same order
    const trainSeen = [...seen].filter((id) => !excluded.includes(id));
    for (const id of trainSeen) assert.ok(rated.has(id), `movie ${id} left out because user ${u} rated it`);
  });

  test('genre, year and rating-count filters are respected', () => {
    const u = users[1];
    const byGenre = model.recommend(u, { k: 20, genres: ['Comedy', 'drama'] });
    assert.equal(byGenre.items.length, 20);
    for (const i of byGenre.items) assert.ok(i.genres.includes('Comedy') || i.genres.includes('Drama'), i.title);
    const byYears = model.recommend(u, { k: 20, years: '1990-1999' });
    for (const i of byYears.items) assert.ok(i.year >= 1990 && i.year <= 1999, `${i.year}`);
    assert.deepEqual(model.recommend(u, { k: 20, years: [1990, 1999] }), byYears);
    assert.deepEqual(model.recommend(u, { k: 20, years: { min: 1990, max: 1999 } }), byYears);
    const from2000 = model.recommend(u, { k: 20, years: { min: 2000 } });
    for (const i of from2000.items) assert.ok(i.year >= 2000);
    const popular = model.recommend(u, { k: 20, minRatings: 100 });
    for (const i of popular.items) assert.ok(i.ratings >= 100);
    const all = model.recommend(u, { k: 20, genres: 'Western', years: '-1960', minRatings: 10 });
    for (const i of all.items) assert.ok(i.genres.includes('Western') && i.year <= 1960 && i.ratings >= 10);
    // filtered lists are the unfiltered ranking restricted to the passing movies
    const full = model.recommend(u, { k: 3000 }).items.filter((i) => i.ratings >= 100);
    assert.deepEqual(popular.items.map((i) => i.movieId), full.slice(0, 20).map((i) => i.movieId));
  });

  test('k is clamped to the catalogue; bad k, genre, years, ids are errors', () => {
    const plain = model.recommend(users[0]);
    assert.equal(model.recommend(users[0], { k: 100000, excludeSeen: false }).items.length, ds.movies().length);
    assert.throws(() => model.recommend(users[0], { k: 0 }), isError('ARG', /k must be/));
    assert.throws(() => model.recommend(users[0], { k: 2.5 }), isError('ARG', /k must be/));
    assert.throws(() => model.recommend(users[0], { k: 100001 }), isError('ARG', /k must be/));
    assert.throws(() => model.recommend(users[0], { genres: ['Space Opera'] }),
      isError('NOTFOUND', /unknown genre "Space Opera"; the genres are: .*Comedy/));
    assert.throws(() => model.recommend(users[0], { years: 'nineties' }), isError('ARG', /year range "nineties"/));
    assert.throws(() => model.recommend(users[0], { years: '2000-1990' }), isError('ARG', /backwards/));
    assert.throws(() => model.recommend(users[0], { years: [1990.5, 2000] }), isError('ARG', /year/));
    assert.throws(() => model.recommend(users[0], { excludeSeen: 'yes' }), isError('ARG', /excludeSeen/));
    assert.throws(() => model.recommend(987654), isError('NOTFOUND', /unknown user 987654/));
    assert.throws(() => model.recommend('1'), isError('ARG', /userId/));
    assert.throws(() => model.similar(987654), isError('NOTFOUND', /unknown movie 987654/));
    // a failed query leaves the model usable, without stale filters
    model.recommend(users[0], { genres: ['Comedy'] });
    assert.throws(() => model.recommend(users[0], { genres: ['Comedy', 'Nope'] }), isError('NOTFOUND'));
    assert.deepEqual(model.recommend(users[0]), plain);
    assert.throws(() => model.recommend(987654, { years: '1990-' }), isError('NOTFOUND'));
    assert.deepEqual(model.recommend(users[0]), plain);
  });
});

describe('because you rated', { timeout: TEST_TIMEOUT }, () => {
  /** user u's highest rating of each movie */
  const ratedBy = (u) => {
    const best = new Map();
    for (const { movieId, rating } of facts.ratings.get(u)) best.set(movieId, Math.max(best.get(movieId) ?? 0, rating));
    return best;
  };
  const titles = () => new Map(ds.movies().map((m) => [m.movieId, m.title]));

  test('every reason is a movie the user rated 4 or more, at most 3, never the movie itself', () => {
    const title = titles();
    let nonEmpty = 0;
    for (const u of users.slice(0, 30)) {
      const rated = ratedBy(u);
      for (const excludeSeen of [true, false]) {
        for (const item of model.recommend(u, { k: 10, excludeSeen }).items) {
          assert.ok(Array.isArray(item.because) && item.because.length <= 3);
          if (item.because.length) nonEmpty++;
          for (const b of item.because) {
            assert.deepEqual(Object.keys(b), ['movieId', 'title', 'rating']);
            assert.ok(rated.has(b.movieId), `user ${u} rated movie ${b.movieId}`);
            assert.equal(b.rating, rated.get(b.movieId));
            assert.ok(b.rating >= 4, `a liked movie, not ${b.rating} stars`);
            assert.equal(b.title, title.get(b.movieId));
            assert.notEqual(b.movieId, item.movieId);
          }
          assert.equal(new Set(item.because.map((b) => b.movieId)).size, item.because.length);
        }
      }
    }
    assert.ok(nonEmpty > 200, `most recommendations have reasons (${nonEmpty} of 600)`);
    // a user with liked movies gets reasons; one who rated nothing 4 or more gets none
    const none = users.find((u) => [...ratedBy(u).values()].every((r) => r < 4));
    if (none !== undefined) for (const i of model.recommend(none).items) assert.deepEqual(i.because, []);
  });

  test('a visitor: only the given movies rated 4 or more; a saved and loaded model gives the same reasons', () => {
    const movies = ds.movies().slice(0, 12).map((m) => m.movieId);
    const ratings = movies.map((movieId, i) => ({ movieId, rating: [5, 4.5, 4, 1, 0.5, 3][i % 6] }));
    const liked = new Map(ratings.filter((r) => r.rating >= 4).map((r) => [r.movieId, r.rating]));
    const r = model.recommendForRatings(ratings, { k: 20 });
    assert.ok(r.items.some((i) => i.because.length > 0));
    for (const item of r.items) {
      assert.ok(item.because.length <= 3);
      for (const b of item.because) assert.equal(b.rating, liked.get(b.movieId), `movie ${b.movieId} was liked`);
    }
    const loaded = tl.loadModel(model.save());
    try {
      assert.deepEqual(loaded.recommendForRatings(ratings, { k: 20 }), r);
      for (const u of users.slice(0, 5)) assert.deepEqual(loaded.recommend(u), model.recommend(u));
    } finally {
      loaded.free();
    }
    assert.ok(!('because' in model.similar(movies[0]).items[0]));
  });
});

describe('similar and fold-in', { timeout: TEST_TIMEOUT }, () => {
  test('similar movies never include the movie itself', () => {
    for (const id of ds.movies().slice(0, 50).map((m) => m.movieId)) {
      const r = model.similar(id, { k: 10 });
      assert.equal(r.items.length, 10);
      assert.ok(!r.items.some((i) => i.movieId === id), `movie ${id} is not similar to itself`);
      for (const i of r.items) assert.ok(i.score <= 1.0001 && i.score >= -1.0001, 'a cosine');
    }
    const comedies = model.similar(1, { k: 10, genres: ['Comedy'] });
    for (const i of comedies.items) assert.ok(i.genres.includes('Comedy'));
  });

  test('fold-in from three ratings leaves the rated movies out', () => {
    const u = users[5];
    const given = facts.ratings.get(u).slice(0, 3);
    const r = model.recommendForRatings(given, { k: 10 });
    assert.equal(r.items.length, 10);
    for (const g of given) assert.ok(!r.items.some((i) => i.movieId === g.movieId), `rated movie ${g.movieId} left out`);
    const again = model.recommendForRatings(given.map((g) => ({ ...g })), { k: 10 });
    assert.deepEqual(again, r, 'deterministic');
    const other = model.recommendForRatings([{ movieId: given[0].movieId, rating: 5 }], { k: 10 });
    assert.notDeepEqual(other.items.map((i) => i.movieId), r.items.map((i) => i.movieId));
    const filtered = model.recommendForRatings(given, { k: 5, genres: ['Drama'], excludeSeen: true });
    for (const i of filtered.items) assert.ok(i.genres.includes('Drama'));
  });

  test('fold-in errors', () => {
    assert.throws(() => model.recommendForRatings([]), isError('ARG', /non-empty/));
    assert.throws(() => model.recommendForRatings([{ movieId: 1, rating: 7.5 }]), isError('ARG', /0\.5 to 5/));
    assert.throws(() => model.recommendForRatings([{ movieId: 1 }]), isError('ARG', /rating/));
    assert.throws(() => model.recommendForRatings([{ movieId: 424242, rating: 4 }]),
      isError('NOTFOUND', /unknown movie 424242/));
  });
});

describe('live model while training continues', { timeout: TEST_TIMEOUT }, () => {
  test('recommendations between training steps, mid-epoch, follow the model', async () => {
    const t = tl.createTrainer(ds, { ...OPTS, epochs: 1 });
    try {
      const live = t.model;
      assert.ok(live instanceof Model);
      assert.equal(live.live, true);
      assert.equal(t.model, live, 'the same object each time');
      const u = users[0];
      const before = live.recommend(u, { k: 5 });
      let p = t.step({ maxBatches: 40, maxMs: 0 });
      assert.equal(p.epoch, 1);
      assert.ok(p.batch > 0 && p.batch < p.batchesPerEpoch, `mid-epoch: batch ${p.batch} of ${p.batchesPerEpoch}`);
      const mid = live.recommend(u, { k: 5 });
      assert.notDeepEqual(mid.items.map((i) => i.score), before.items.map((i) => i.score), 'the scores moved');
      const midSimilar = live.similar(1, { k: 5 });
      const midFold = live.recommendForRatings([{ movieId: 1, rating: 5 }, { movieId: 2, rating: 4 }, { movieId: 3, rating: 3 }]);
      assert.equal(midFold.items.length, 10);
      // a step that ends inside a batch: answers stay those of the last completed batch
      p = t.step({ maxBatches: 0, maxMs: 0.001 });
      assert.equal(p.done, false);
      const mid2 = live.recommend(u, { k: 5 });
      // save() mid-training gives a file that loads and answers the same
      const loaded = tl.loadModel(live.save());
      assert.deepEqual(loaded.recommend(u, { k: 5 }), mid2);
      assert.deepEqual(loaded.similar(1, { k: 5 }), live.similar(1, { k: 5 }));
      loaded.free();
      await t.run({ stepMs: 20 });
      const done = live.recommend(u, { k: 5 });
      assert.notDeepEqual(done.items.map((i) => i.score), mid.items.map((i) => i.score));
      assert.notDeepEqual(live.similar(1, { k: 5 }).items.map((i) => i.score), midSimilar.items.map((i) => i.score));
      // cached norms were recomputed: the same answers as a fresh model of the final tables
      const fresh = tl.loadModel(live.save());
      assert.deepEqual(live.similar(1, { k: 5 }), fresh.similar(1, { k: 5 }), 'similar() after training moved the tables');
      const given = [{ movieId: 1, rating: 5 }, { movieId: 2, rating: 4 }, { movieId: 3, rating: 3 }];
      assert.deepEqual(live.recommendForRatings(given), fresh.recommendForRatings(given));
      assert.notDeepEqual(live.recommendForRatings(given), midFold);
      fresh.free();
    } finally {
      t.free();
    }
  });

  test('freeing the trainer or the dataset stops the live model cleanly', async () => {
    const d = await tl.loadDataset(DEMO);
    const t = tl.createTrainer(d, { ...OPTS, epochs: 1 });
    const live = t.model;
    assert.equal(live.recommend(users[0]).items.length, 10);
    d.free();
    assert.throws(() => live.recommend(users[0]), isError('STATE', /dataset/));
    t.free();
    assert.equal(live.freed, true, 'freeing the trainer frees its model');
    assert.throws(() => live.recommend(users[0]), isError('STATE'));
    live.free(); // twice is fine
  });

  test('evaluate() gives the model beside popularity on the same split', () => {
    const r = tr.evaluate();
    const e = r.metrics.test, p = r.baseline.test;
    for (const m of [e, p]) {
      for (const k of ['top_1', 'top_10', 'top_100', 'recall_at_20', 'ndcg_at_10']) assert.ok(m[k] >= 0 && m[k] <= 1, `${k}`);
    }
    assert.equal(r.baseline.name, 'popularity');
    assert.ok(r.evaluated.rows > 0 && r.evaluated.users > 0);
    assert.notEqual(p.top_100, e.top_100);
    assert.deepEqual(tr.evaluate(), r, 'deterministic');
  });
});

describe('save and load', { timeout: TEST_TIMEOUT }, () => {
  test('save -> loadModel gives identical answers and the same bytes back', () => {
    const bytes = model.save();
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 7)), 'TLMODEL');
    assert.deepEqual(tr.modelFile(), bytes, 'trainer.modelFile() is model.save()');
    const loaded = tl.loadModel(bytes);
    try {
      assert.equal(loaded.live, false);
      assert.equal(loaded.dim, OPTS.dim);
      assert.equal(loaded.numUsers, ds.numUsers);
      assert.equal(loaded.catalogueSize, ds.movies().length);
      assert.equal(loaded.config.batch_size, OPTS.batchSize);
      for (const u of users.slice(0, 20)) {
        assert.deepEqual(loaded.recommend(u, { k: 10 }), model.recommend(u, { k: 10 }));
        assert.deepEqual(loaded.recommend(u, { k: 10, excludeSeen: false, genres: ['Action'] }),
          model.recommend(u, { k: 10, excludeSeen: false, genres: ['Action'] }));
      }
      assert.deepEqual(loaded.similar(5), model.similar(5));
      const given = [{ movieId: 10, rating: 5 }, { movieId: 20, rating: 4 }, { movieId: 30, rating: 2 }];
      assert.deepEqual(loaded.recommendForRatings(given), model.recommendForRatings(given));
      assert.deepEqual(loaded.movies(), ds.movies());
      assert.deepEqual([...loaded.userIds()], users);
      assert.deepEqual(loaded.save(), bytes, 'a loaded model saves the bytes it was read from');
      const emb = loaded.embeddings();
      assert.equal(emb.users.length, ds.numUsers * OPTS.dim);
      assert.equal(emb.movies.length, ds.numMovies * OPTS.dim);
      assert.deepEqual(emb, model.embeddings());
      assert.throws(() => loaded.userRatings(users[0]), isError('STATE', /without its dataset/));
    } finally {
      loaded.free();
    }
    const withData = tl.loadModel(bytes.buffer.slice(0), { dataset: ds });
    assert.equal(withData.dataset, ds);
    // a model's userRatings are every rating of the user (train and test rows): exactly the movies excludeSeen leaves out
    for (const u of users.slice(0, 5)) {
      const all = withData.recommend(u, { k: 100000, excludeSeen: false }).items.map((i) => i.movieId);
      const shown = new Set(withData.recommend(u, { k: 100000 }).items.map((i) => i.movieId));
      const seen = all.filter((id) => !shown.has(id)).sort((a, b) => a - b);
      const mine = withData.userRatings(u);
      assert.deepEqual(mine.map((r) => r.movieId).sort((a, b) => a - b), seen);
      assert.deepEqual(model.userRatings(u), mine, 'the live model says the same');
      const everything = ds.userRatings(u);
      assert.deepEqual(mine, everything, 'test rows are among them');
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i - 1].rating >= mine[i].rating);
    }
    assert.equal(withData.userRatings(users[0], { limit: 3 }).length, 3);
    withData.free();
    withData.free();
    assert.throws(() => withData.recommend(users[0]), isError('STATE', /freed/));
  });

  test('corrupt, truncated and foreign bytes are CORRUPT errors', () => {
    const bytes = model.save();
    const flipped = bytes.slice();
    flipped[Math.floor(bytes.length / 2)] ^= 0x40;
    assert.throws(() => tl.loadModel(flipped), isError('CORRUPT', /checksum/));
    assert.throws(() => tl.loadModel(bytes.subarray(0, bytes.length - 100)), isError('CORRUPT'));
    assert.throws(() => tl.loadModel(bytes.subarray(0, 10)), isError('CORRUPT'));
    assert.throws(() => tl.loadModel(utf8('userId,movieId,rating,timestamp\n1,2,3,4\n'), { name: 'ratings.csv' }),
      (e) => isError('CORRUPT', /not a towerlens model file/)(e) && e.file === 'ratings.csv');
    assert.throws(() => tl.loadModel(new Uint8Array(0)), isError('CORRUPT'));
    assert.throws(() => tl.loadModel('model.tlm'), isError('ARG', /bytes/));
    // the instance stays usable
    assert.equal(model.recommend(users[0]).items.length, 10);
  });

  test('a dataset with other users or movies is refused', async () => {
    const other = await tl.loadDataset([
      { name: 'ratings.csv', bytes: utf8('userId,movieId,rating,timestamp\n1,1,4,1\n2,2,5,2\n') },
      { name: 'movies.csv', bytes: utf8('movieId,title,genres\n1,A (2000),Drama\n2,B (2001),Comedy\n') },
    ]);
    assert.throws(() => tl.loadModel(model.save(), { dataset: other }), isError('ARG', /trained on other data/));
    other.free();
  });
});

describe('the same as the native CLI', { timeout: TEST_TIMEOUT, skip: SKIP_CLI }, () => {
  let dir, file;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tl-serve-'));
    file = join(dir, 'demo.tlm');
    execFileSync(NATIVE_CLI, ['train', DEMO, ...CLI_OPTS, '--out', file], { encoding: 'utf8' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('model file bytes equal `towerlens train --out`', () => {
    const native = new Uint8Array(readFileSync(file));
    const mine = model.save();
    assert.equal(mine.length, native.length);
    assert.ok(Buffer.compare(Buffer.from(mine), Buffer.from(native)) === 0, 'byte for byte');
  });

  test('preset default (its own trainer): serves mid-training, and the file equals the CLI\'s', async () => {
    const t = tl.createTrainer(ds, { preset: 'default', epochs: 2, seed: 7 });
    try {
      const live = t.model;
      const before = live.recommend(users[0], { k: 5 });
      const p = t.step({ maxBatches: 1, maxMs: 0 });
      assert.ok(!p.done && p.epochsCompleted === 0, 'mid-training');
      assert.notDeepEqual(live.recommend(users[0], { k: 5 }), before);
      await t.run({ stepMs: 50 });
      const out = join(dir, 'default.tlm');
      execFileSync(NATIVE_CLI, ['train', DEMO, '--preset', 'default', '--epochs', '2', '--seed', '7', '--out', out]);
      assert.ok(Buffer.compare(Buffer.from(live.save()), readFileSync(out)) === 0, 'byte for byte');
    } finally {
      t.free();
    }
  });

  test('recommend, similar and fold-in JSON equal the CLI\'s --json', () => {
    const cli = (...args) => JSON.parse(execFileSync(NATIVE_CLI, [...args, '--model', file, '--json'], { encoding: 'utf8' }));
    const u = users[2];
    assert.deepEqual(model.recommend(u), cli('recommend', '--user', String(u)));
    assert.deepEqual(model.recommend(u, { k: 7, excludeSeen: false, genres: ['Drama', 'Comedy'], years: '1980-2005', minRatings: 20 }),
      cli('recommend', '--user', String(u), '-k', '7', '--include-seen', '--genre', 'Drama', '--genre', 'Comedy',
        '--years', '1980-2005', '--min-ratings', '20'));
    assert.deepEqual(model.similar(42, { k: 5 }), cli('similar', '--movie', '42', '-k', '5'));
    assert.deepEqual(model.recommendForRatings([{ movieId: 10, rating: 5 }, { movieId: 20, rating: 4.5 }, { movieId: 30, rating: 1 }]),
      cli('foldin', '--rated', '10:5,20:4.5,30:1'));
  });
});
