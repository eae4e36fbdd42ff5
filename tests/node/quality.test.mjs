// Issue 15's quality protocols (bench/quality_lib.mjs) on the bundled demo
// data: the metrics on a hand-made ranking, popularity's figures (which do
// not depend on the model) and the default model beating popularity on both
// protocols by a wide margin. One fold of the visitors protocol and one split
// seed of protocol B keep it fast; `node bench/quality.mjs --data data` runs
// them in full.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTowerlens } from '../../web/towerlens.js';
import { metricsOf, protocolB, protocolVisitors, readRatings, userFolds, catalogueOf, datasetOf, trainAll, tableOf,
  foldinScores } from '../../bench/quality_lib.mjs';
import { DEMO, TEST_TIMEOUT } from './helpers.mjs';

const close = (x, y, tol, what) => assert.ok(Math.abs(x - y) <= tol, `${what}: ${x} is not within ${tol} of ${y}`);

test('Recall@20 and NDCG@10 on a hand-made ranking', () => {
  const ranking = [5, 1, 7, 2, 9, 11, 12, 13, 14, 15, 3];
  const m = metricsOf(ranking, new Set([1, 2, 3, 100]));
  // hits at ranks 2, 4 and 11: recall 3 / min(20, 4); DCG@10 = 1/log2(3) + 1/log2(5); ideal: 4 hits first
  close(m.recall, 0.75, 1e-12, 'recall');
  const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4) + 1 / Math.log2(5);
  close(m.ndcg, (1 / Math.log2(3) + 1 / Math.log2(5)) / idcg, 1e-12, 'ndcg');
  // more than 20 relevant: recall divides by 20
  const many = new Set(Array.from({ length: 30 }, (_, i) => i));
  close(metricsOf([0, 1, 2, 99], many).recall, 3 / 20, 1e-12, 'recall over 20');
});

test('user folds: every user once, sizes within one', () => {
  const R = readRatings(DEMO);
  const folds = userFolds(R, 5, 42);
  assert.equal(folds.size, 600);
  const sizes = [0, 0, 0, 0, 0];
  for (const f of folds.values()) sizes[f]++;
  assert.deepEqual(sizes, [120, 120, 120, 120, 120]);
});

test('demo data: the default beats popularity for visitors (fold 1 of 5) and on protocol B (seed 42)', { timeout: TEST_TIMEOUT }, async () => {
  const tl = await createTowerlens({ threads: 1 });
  const R = readRatings(DEMO);
  const v = await protocolVisitors(tl, R, { folds: 5, ks: [3, 10], only: [0],
    models: [{ name: 'default', options: {} }] });
  const pop3 = v.mean[3].popularity, pop10 = v.mean[10].popularity;
  // popularity is the model-free part of the protocol: its figures pin the definition
  assert.equal(pop3.users, 120);
  assert.equal(pop10.users, 120);
  close(pop3.recall, 0.18038, 5e-5, 'popularity Recall@20, k = 3');
  close(pop3.ndcg, 0.18149, 5e-5, 'popularity NDCG@10, k = 3');
  close(pop10.recall, 0.17757, 5e-5, 'popularity Recall@20, k = 10');
  close(pop10.ndcg, 0.16672, 5e-5, 'popularity NDCG@10, k = 10');
  // the default (iALS d 64, softmax fold-in) measured 0.256 / 0.283 (k = 3) and 0.342 / 0.370 (k = 10)
  const d3 = v.mean[3].default, d10 = v.mean[10].default;
  assert.ok(d3.recall >= 1.25 * pop3.recall, `k = 3 Recall@20: default ${d3.recall} vs popularity ${pop3.recall}`);
  assert.ok(d3.ndcg >= 1.25 * pop3.ndcg, `k = 3 NDCG@10: default ${d3.ndcg} vs popularity ${pop3.ndcg}`);
  assert.ok(d10.recall >= 1.5 * pop10.recall, `k = 10 Recall@20: default ${d10.recall} vs popularity ${pop10.recall}`);
  assert.ok(d10.ndcg >= 1.5 * pop10.ndcg, `k = 10 NDCG@10: default ${d10.ndcg} vs popularity ${pop10.ndcg}`);

  const b = await protocolB(tl, DEMO, { seeds: [42], split: { testFraction: 0.2 }, models: [{ name: 'default', options: {} }] });
  close(b.popularity.recall[0], 0.2269, 5e-4, 'protocol B popularity Recall@20');
  close(b.popularity.ndcg[0], 0.2079, 5e-4, 'protocol B popularity NDCG@10');
  assert.ok(b.default.recall[0] >= 1.6 * b.popularity.recall[0], `protocol B Recall@20 ${b.default.recall[0]}`);
  assert.ok(b.default.ndcg[0] >= 1.6 * b.popularity.ndcg[0], `protocol B NDCG@10 ${b.default.ndcg[0]}`);
});

test('fast fold-in scoring (top 3d + least squares, the plain fold-in) ranks as the API does for the whole catalogue', { timeout: TEST_TIMEOUT }, async () => {
  const tl = await createTowerlens({ threads: 1 });
  const R = readRatings(DEMO);
  const keep = (i) => R.user[i] > 60;
  const ds = await datasetOf(tl, R, keep);
  const tr = await trainAll(tl, ds, { visitorPrior: 'off' }); // the fast way holds for the plain fold-in only
  const cat = catalogueOf(tr.model);
  const tab = tableOf(tr.model, cat);
  for (const u of [1, 7, 33]) {
    const profile = [];
    for (let i = 0; i < R.n && profile.length < 5; i++) if (R.user[i] === u) profile.push({ movieId: R.movie[i], rating: R.rating[i] });
    const fast = foldinScores(tr.model, cat, tab, profile);
    const exact = foldinScores(tr.model, cat, tab, profile, { exact: true });
    let worst = 0;
    for (let j = 0; j < cat.size; j++) {
      if (exact[j] === -Infinity) { assert.equal(fast[j], -Infinity); continue; }
      worst = Math.max(worst, Math.abs(fast[j] - exact[j]));
    }
    assert.ok(worst < 1e-4, `user ${u}: scores differ by ${worst}`);
  }
  tr.free();
  ds.free();
});
