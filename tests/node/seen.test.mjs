// Serving never shows a movie the user rated: on the bundled demo data with
// the default split (20 % test rows), for every user, no top-10 movie is
// among that user's ratings in any split, through the JS API's live trainer
// model and through a saved and reloaded model file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createTowerlens } from '../../web/towerlens.js';
import { DEMO, LOAD_TIMEOUT, TEST_TIMEOUT } from './helpers.mjs';

/** Every user's rated movies (all rows of ratings.csv), parsed in JS. */
function ratedByUser() {
  const rated = new Map();
  for (const line of readFileSync(join(DEMO, 'ratings.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [u, m] = line.split(',');
    if (!rated.has(+u)) rated.set(+u, new Set());
    rated.get(+u).add(+m);
  }
  return rated;
}

/** Users whose top-10 holds a movie they rated: [[user, movieId], ...]. */
function leaks(model, rated, options) {
  const found = [];
  for (const [u, mine] of rated) {
    for (const item of model.recommend(u, { k: 10, ...options }).items) {
      if (mine.has(item.movieId)) found.push([u, item.movieId]);
    }
  }
  return found;
}

let tl, ds, tr, rated;
before(async () => {
  tl = await createTowerlens();
  ds = await tl.loadDataset(DEMO);
  rated = ratedByUser();
  tr = tl.createTrainer(ds, { preset: 'default', epochs: 2 }); // the default split: 20 % test rows
  await tr.run({ stepMs: 50 });
}, { timeout: LOAD_TIMEOUT + TEST_TIMEOUT });

after(() => {
  tr?.free();
  ds?.free();
});

describe('seen sets span every split', { timeout: TEST_TIMEOUT }, () => {
  test('the split has test rows, and a model ranks rated test-row movies high when they are not left out', () => {
    assert.ok(tr.progress.testRows > 0);
    assert.equal(rated.size, ds.numUsers);
    // without exclusion rated movies fill the top-10: the check below is not vacuous
    assert.ok(leaks(tr.model, rated, { excludeSeen: false }).length > rated.size);
  });

  test('live trainer model: no user is recommended a movie they rated, in any split', () => {
    assert.deepEqual(leaks(tr.model, rated), []);
  });

  test('saved and reloaded model: the same, with and without its dataset', () => {
    const bytes = tr.model.save();
    for (const options of [{}, { dataset: ds }]) {
      const loaded = tl.loadModel(bytes, options);
      try {
        assert.equal(loaded.hasSeen, true);
        assert.deepEqual(leaks(loaded, rated), []);
      } finally {
        loaded.free();
      }
    }
  });

  test('userRatings lists every rating of the user, test rows included', () => {
    for (const u of [...rated.keys()].slice(0, 50)) {
      const mine = tr.model.userRatings(u).map((r) => r.movieId).sort((a, b) => a - b);
      assert.deepEqual(mine, [...rated.get(u)].sort((a, b) => a - b));
    }
  });
});
