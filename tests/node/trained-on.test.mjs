// Evaluate on a split, then serve a model trained on everything: testFraction
// 0 trains on every rating and has no held-out metrics; models say which
// rows trained them (trainedOn), saved and reloaded too; options are range
// checked with messages naming the range; model files of every released
// format version load (tests/fixtures/models).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createTowerlens, TowerlensError, TRAINER_LIMITS } from '../../web/towerlens.js';
import { DEMO, LOAD_TIMEOUT, REPO, TEST_TIMEOUT } from './helpers.mjs';

const SMALL = join(REPO, 'tests/fixtures/small');
const FIXTURES = join(REPO, 'tests/fixtures/models');
const QUICK = { preset: 'default', epochs: 2, dim: 16 };

const isError = (code, pattern) => (e) => {
  assert.ok(e instanceof TowerlensError, `a TowerlensError, got ${e}`);
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

let tl, ds;
before(async () => {
  tl = await createTowerlens();
  ds = await tl.loadDataset(DEMO);
}, { timeout: LOAD_TIMEOUT });

after(() => ds?.free());

describe('training on every rating', { timeout: TEST_TIMEOUT }, () => {
  test('testFraction 0: all rows train, evaluate() is a STATE error, trainedOn says all', async () => {
    const tr = tl.createTrainer(ds, { ...QUICK, testFraction: 0 });
    try {
      const p = await tr.run({ stepMs: 50 });
      assert.equal(p.trainRows, ds.numRatings);
      assert.equal(p.testRows, 0);
      assert.throws(() => tr.evaluate(), isError('STATE', /no held-out rows/));
      assert.deepEqual(tr.model.trainedOn,
        { ratings: ds.numRatings, totalRatings: ds.numRatings, testRatings: 0, seed: 42, all: true });
      const loaded = tl.loadModel(tr.model.save());
      assert.deepEqual(loaded.trainedOn, tr.model.trainedOn, 'the model file records it');
      assert.equal(loaded.formatVersion, 2);
      assert.equal(loaded.recommend(1, { k: 10 }).items.length, 10);
      loaded.free();
    } finally {
      tr.free();
    }
  });

  test('the default split: trainedOn names the train share, the seed and the held-out rows', async () => {
    const tr = tl.createTrainer(ds, { ...QUICK, seed: 9 });
    try {
      await tr.run({ stepMs: 50 });
      const want = { ratings: 40000, totalRatings: 50000, testRatings: 10000, seed: 9, all: false };
      assert.deepEqual(tr.model.trainedOn, want);
      assert.equal(tr.model.formatVersion, 2);
      assert.ok(tr.evaluate().metrics.test.recall_at_20 >= 0);
      const loaded = tl.loadModel(tr.modelFile());
      assert.deepEqual(loaded.trainedOn, want);
      loaded.free();
    } finally {
      tr.free();
    }
  });

  test('take/skip sizes: trainRows every row and testRows 0 trains on all', () => {
    const tr = tl.createTrainer(ds, { ...QUICK, trainRows: ds.numRatings, testRows: 0 });
    try {
      assert.equal(tr.model.trainedOn.all, true);
      assert.throws(() => tr.evaluate(), isError('STATE', /no held-out rows/));
    } finally {
      tr.free();
    }
  });
});

describe('options are range-checked before anything starts', () => {
  const cases = [
    [{ testFraction: 0.6 }, /testFraction must be a number from 0 to 0\.5 \(0 = train on every rating\), got 0\.6/],
    [{ testFraction: -0.1 }, /testFraction must be a number from 0 to 0\.5/],
    [{ testFraction: '0.2' }, /testFraction must be a number/],
    [{ epochs: 0 }, /epochs must be a whole number from 1 to 100000, got 0/],
    [{ epochs: 2.5 }, /epochs must be a whole number from 1 to 100000/],
    [{ dim: -4 }, /dim must be a whole number from 1 to 1024, got -4/],
    [{ dim: 2048 }, /dim must be a whole number from 1 to 1024/],
    [{ batchSize: 0 }, /batchSize must be a whole number from 1 to 1048576/],
    [{ learningRate: 0 }, /learningRate must be a number from 0\.000001 to 100|learningRate must be a number from 1e-6 to 100/],
    [{ learningRate: 1000 }, /learningRate must be a number from .* to 100/],
    [{ seed: -1 }, /seed must be a whole number from 0 to 9007199254740991/],
    [{ ratingWeight: -1 }, /ratingWeight must be a number from 0 to 1000000/],
    [{ trainRows: -1 }, /trainRows must be a whole number from 0 to 4294967295/],
  ];
  for (const [options, pattern] of cases) {
    test(JSON.stringify(options), () => {
      assert.throws(() => tl.createTrainer(ds, options), isError('ARG', pattern));
    });
  }

  test('TRAINER_LIMITS lists the ranges the messages name', () => {
    assert.deepEqual([...TRAINER_LIMITS.testFraction], [0, 0.5]);
    assert.deepEqual([...TRAINER_LIMITS.epochs], [1, 100000]);
    assert.deepEqual([...TRAINER_LIMITS.dim], [1, 1024]);
    assert.ok(Object.isFrozen(TRAINER_LIMITS));
  });

  test('the bounds themselves are accepted', () => {
    const tr = tl.createTrainer(ds, { preset: 'tfrs', testFraction: 0.5, epochs: 1, dim: 1, batchSize: 1, learningRate: 100 });
    assert.equal(tr.progress.testRows, 25000);
    tr.free();
  });
});

describe('model files of every released format version', { timeout: TEST_TIMEOUT }, () => {
  test('v1-default.tlm loads and recommends; it lacks the rows record and test-row seen sets', async () => {
    const m = tl.loadModel(readFileSync(join(FIXTURES, 'v1-default.tlm')), { name: 'v1-default.tlm' });
    try {
      assert.equal(m.formatVersion, 1);
      assert.equal(m.trainedOn, null);
      assert.equal(m.hasSeen, true);
      assert.equal(m.config.preset, 'default');
      assert.equal(m.dim, 64);
      const r = m.recommend(1, { k: 3 });
      // user 1 rated movie 3 in the test rows, which a format-1 file does not know
      assert.deepEqual(r.items.map((i) => i.movieId), [50, 3, 60]);
      assert.ok(Math.abs(r.items[0].score - 0.131259203) < 1e-6);
      const small = await tl.loadDataset(SMALL);
      const withData = tl.loadModel(readFileSync(join(FIXTURES, 'v1-default.tlm')), { dataset: small });
      assert.deepEqual(withData.userRatings(1).map((x) => x.movieId).sort((a, b) => a - b), [1, 6]);
      withData.free();
      small.free();
    } finally {
      m.free();
    }
  });

  test('v1-tfrs-multitask.tlm loads with its rating head', () => {
    const m = tl.loadModel(readFileSync(join(FIXTURES, 'v1-tfrs-multitask.tlm')));
    try {
      assert.equal(m.formatVersion, 1);
      assert.deepEqual(m.recommend(1, { k: 3 }).items.map((i) => i.movieId), [80, 60, 100]);
      assert.equal(m.config.rating_head.type, 'mlp');
      assert.equal(m.embeddings().users.length, 4 * 32);
    } finally {
      m.free();
    }
  });

  test('v2-default.tlm: every rating of user 1 is seen, the rows record is there', async () => {
    const m = tl.loadModel(readFileSync(join(FIXTURES, 'v2-default.tlm')));
    try {
      assert.equal(m.formatVersion, 2);
      assert.deepEqual(m.trainedOn, { ratings: 7, totalRatings: 9, testRatings: 2, seed: 42, all: false });
      assert.deepEqual(m.recommend(1, { k: 3 }).items.map((i) => i.movieId), [50, 60, 70]);
    } finally {
      m.free();
    }
  });

  test('a file of a newer version says which versions this build reads', () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'v2-default.tlm')));
    bytes[8] = 3;
    assert.throws(() => tl.loadModel(bytes), isError('CORRUPT', /format version 3; this build of towerlens reads versions 1 to 2/));
  });
});
