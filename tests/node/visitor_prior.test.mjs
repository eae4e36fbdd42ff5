// The visitor prior chosen at training (docs/training.md "Visitors"), through
// the JS API: on by default for preset 'default', reported in
// progress.visitorPrior and the model's config, the same choice (every figure,
// to the bit) as the native CLI's on the same data and options, 'off' and
// [w3, w10] as options, bad values refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createTowerlens } from '../../web/towerlens.js';
import { DEMO, NATIVE_CLI, TEST_TIMEOUT } from './helpers.mjs';

const OPTIONS = { preset: 'default', epochs: 2, seed: 42, testFraction: 0.2 };

test('the default chooses the prior at training, as the native CLI does', { timeout: TEST_TIMEOUT }, async () => {
  const tl = await createTowerlens({ threads: 1 });
  const ds = await tl.loadDataset({ path: DEMO });
  const tr = tl.createTrainer(ds, OPTIONS);
  assert.equal(tr.progress.visitorPrior.status, 'choosing');
  const p = await tr.run({ stepMs: 50 });
  const v = p.visitorPrior;
  assert.equal(v.status, 'chosen');
  // the figures tests/c/test_prior_choose.c records (natively and in WASM)
  assert.equal(v.w3, 0.800000012); // 0.8f printed with 9 digits
  assert.equal(v.w10, 0.0500000007);
  assert.equal(v.users3, 120);
  assert.equal(v.users10, 120);
  assert.ok(v.k3.recall >= v.k3.popularityRecall && v.k10.ndcg >= v.k10.popularityNdcg);
  assert.deepEqual(tr.model.config.visitor_prior, { auto: true, w3: 0.800000012, w10: 0.0500000007 });
  if (existsSync(NATIVE_CLI)) {
    const out = JSON.parse(execFileSync(NATIVE_CLI, ['train', DEMO, '--epochs', '2', '--seed', '42', '--threads', '2', '--json'],
      { encoding: 'utf8', maxBuffer: 1 << 26 }));
    const n = out.visitor_prior;
    assert.deepEqual([n.status, n.w3, n.w10, n.users3, n.users10, n.aux_users, n.aux_rows],
      [v.status, v.w3, v.w10, v.users3, v.users10, v.auxUsers, v.auxRows]);
    assert.deepEqual([n.k3.recall, n.k3.ndcg, n.k10.recall, n.k10.ndcg, n.k3.popularity_recall],
      [v.k3.recall, v.k3.ndcg, v.k10.recall, v.k10.ndcg, v.k3.popularityRecall]);
    assert.equal(out.model_hash, tr.modelHash);
  }
  tr.free();

  const off = tl.createTrainer(ds, { ...OPTIONS, visitorPrior: 'off' });
  assert.deepEqual((await off.run()).visitorPrior, { status: 'fixed', w3: 0, w10: 0 });
  off.free();
  const fixed = tl.createTrainer(ds, { ...OPTIONS, visitorPrior: [4, 3] });
  assert.deepEqual((await fixed.run()).visitorPrior, { status: 'fixed', w3: 4, w10: 3 });
  fixed.free();
  for (const bad of ['sometimes', [1], [-1, 2], 5]) {
    assert.throws(() => tl.createTrainer(ds, { ...OPTIONS, visitorPrior: bad }), (e) => e.code === 'ARG' && /visitorPrior/.test(e.message));
  }
  ds.free();
});
