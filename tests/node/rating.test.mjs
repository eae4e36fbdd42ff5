// The rating head's WASM exports (src/wasm/api_rating.c) on the real build:
// weights before init, training, Protocol C beside the bias baseline,
// predictions, the head in the model file, and the same RMSE as the native
// CLI (bit-identical training); then the same through createTrainer({ratingWeight}).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createTowerlens } from '../../web/towerlens.js';
import { LOAD_TIMEOUT, NATIVE_CLI, TEST_TIMEOUT, utf8 } from './helpers.mjs';

// 150 users x 80 movies in 4 genres: users mostly watch their genre and
// rate it 4-5, other genres 1-2.5 (the data of tests/cli/predict.sh).
function generated() {
  let s = 777;
  const next = () => { s = (s * 1103515245 + 12345) % 2147483648; return s; };
  let ratings = 'userId,movieId,rating,timestamp\n';
  const seen = new Set();
  for (let u = 1; u <= 150; u++) {
    for (let k = 0; k < 30; k++) {
      const r = next();
      const m = r % 10 < 7 ? 1 + (((u % 4) + 4 * (Math.floor(r / 16) % 20)) % 80) : 1 + (Math.floor(r / 16) % 80);
      const rating = m % 4 === u % 4 ? 4 + (Math.floor(r / 256) % 3) * 0.5 : 1 + (Math.floor(r / 256) % 4) * 0.5;
      if (seen.has(`${u},${m}`)) continue;
      seen.add(`${u},${m}`);
      ratings += `${u},${m},${rating.toFixed(1)},${900000000 + u * 100 + k}\n`;
    }
  }
  const genres = ['Action', 'Comedy', 'Drama', 'Horror'];
  let movies = 'movieId,title,genres\n';
  for (let m = 1; m <= 80; m++) movies += `${m},Movie ${m} (${1990 + (m % 20)}),${genres[m % 4]}\n`;
  return { ratings, movies };
}

let tl, core, m, ds, dir;
const g = generated();
const OPTS = { dim: 16, batch: 256, epochs: 4, seed: 3 };

before(async () => {
  tl = await createTowerlens();
  core = tl._core;
  m = core.m;
  ds = await tl.loadDataset([{ name: 'ratings.csv', bytes: utf8(g.ratings) }, { name: 'movies.csv', bytes: utf8(g.movies) }]);
  dir = mkdtempSync(join(tmpdir(), 'towerlens-rating-'));
}, { timeout: LOAD_TIMEOUT });
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** A trainer handle with the given weights (null: none set), trained to the end. */
function trained(preset, weights) {
  const h = m._tlw_trainer_alloc() >>> 0;
  if (weights) core.check(h, m._tlw_trainer_set_weights(h, weights[0], weights[1]));
  core.withCString(preset, (p) => core.check(h, m._tlw_trainer_init(h, ds._handle(), p, OPTS.dim, OPTS.batch,
    OPTS.epochs, 0, OPTS.seed, 0, 0, -1, 1))); // test fraction -1: the default 0.2
  core.check(h, m._tlw_trainer_step(h, 0, 0));
  return h;
}

describe('rating head exports', { timeout: TEST_TIMEOUT }, () => {
  test('the default joint model: progress, protocol C, predictions, model file', () => {
    const h = trained('default', [1, 1]);
    try {
      assert.equal(m._tlw_trainer_has_rating_head(h), 1);
      const p = JSON.parse(core.takeString(m._tlw_trainer_progress_json(h)));
      assert.equal(p.done, true);
      assert.equal(p.history.length, OPTS.epochs);
      assert.ok(p.rating_mse > 0 && p.history.every((e) => e.rating_mse > 0), JSON.stringify(p));
      assert.ok(p.history[3].rating_mse < p.history[0].rating_mse, 'the rating error falls');

      const r = JSON.parse(core.takeString(m._tlw_trainer_rating_json(h, ds._handle())));
      assert.equal(r.rows, p.test_rows);
      assert.ok(r.mae > 0 && r.mae <= r.rmse, JSON.stringify(r));
      assert.ok(r.rmse < r.baseline_rmse, `the head beats the bias baseline on data with taste: ${JSON.stringify(r)}`);

      // user 5 likes genre 1 (movies 1, 5, 9, ...)
      const raw = m._malloc(4) >>> 0;
      const liked = m._tlw_trainer_predict_rating(h, ds._handle(), 5, 5, raw);
      const rawLiked = m.HEAPF32[raw >>> 2];
      const other = m._tlw_trainer_predict_rating(h, ds._handle(), 5, 2, 0);
      m._free(raw);
      assert.ok(liked >= 0.5 && liked <= 5 && other >= 0.5 && other <= 5);
      assert.equal(liked, Math.min(5, Math.max(0.5, rawLiked)));
      assert.ok(liked > other + 0.5, `liked ${liked}, other ${other}`);
      assert.ok(Number.isNaN(m._tlw_trainer_predict_rating(h, ds._handle(), 99999, 2, 0)));
      assert.match(core.errorOf(h).message, /99999/);
      assert.ok(Number.isNaN(m._tlw_trainer_predict_rating(h, ds._handle(), 5, 4242, 0)));
      assert.match(core.errorOf(h).message, /4242/);

      // evaluate() (the CLI's --json shape) carries protocol C too
      const ev = JSON.parse(core.takeString(m._tlw_trainer_evaluate_json(h, ds._handle(), 1, 0, 0, -1)));
      assert.equal(ev.metrics.test.rmse, r.rmse);
      assert.equal(ev.metrics.test.mae, r.mae);
      assert.equal(ev.baseline.test.rmse, r.baseline_rmse);
      assert.equal(ev.baseline.rating_name, 'bias');
      assert.ok(ev.metrics.test.top_100 >= 0);

      const mh = m._tlw_model_alloc() >>> 0;
      core.check(mh, m._tlw_model_live(mh, h, ds._handle()));
      const ptr = m._tlw_model_save(mh) >>> 0;
      assert.ok(ptr);
      const bytes = core.heapU8.slice(ptr, ptr + m._tlw_model_out_size(mh));
      m._tlw_model_free(mh);
      const text = new TextDecoder('latin1').decode(bytes);
      for (const name of ['head.w1', 'head.b2', 'head.user_bias', 'head.movie_bias', 'head.mean', '"rating_head"']) {
        assert.ok(text.includes(name), `the model file lacks ${name}`);
      }
      assert.equal(m._tlw_trainer_set_weights(h, 1, 1), 9 /* TL_E_STATE */);
      assert.match(core.errorOf(h).message, /before the trainer is set up/);

      if (existsSync(NATIVE_CLI)) { // bit-identical training: the CLI's RMSE to the last digit printed
        writeFileSync(join(dir, 'ratings.csv'), g.ratings);
        writeFileSync(join(dir, 'movies.csv'), g.movies);
        const j = JSON.parse(execFileSync(NATIVE_CLI, ['train', dir, '--preset', 'default', '--rating-weight', '1',
          '--dim', `${OPTS.dim}`, '--batch', `${OPTS.batch}`, '--epochs', `${OPTS.epochs}`, '--seed', `${OPTS.seed}`,
          '--json'], { encoding: 'utf8' }));
        assert.equal(Number(j.metrics.test.rmse.toPrecision(9)), Number(r.rmse.toPrecision(9)));
        assert.equal(Number(j.baseline.test.rmse.toPrecision(9)), Number(r.baseline_rmse.toPrecision(9)));
      }
    } finally {
      m._tlw_trainer_free(h);
    }
  });

  test('no head without a rating weight; bad weights are refused', () => {
    const h = trained('tfrs', null);
    try {
      assert.equal(m._tlw_trainer_has_rating_head(h), 0);
      assert.equal(m._tlw_trainer_rating_json(h, ds._handle()) >>> 0, 0);
      assert.match(core.errorOf(h).message, /no rating head/);
      const p = JSON.parse(core.takeString(m._tlw_trainer_progress_json(h)));
      assert.equal(p.rating_mse, undefined);
      const ev = JSON.parse(core.takeString(m._tlw_trainer_evaluate_json(h, ds._handle(), 1, 0, 0, -1)));
      assert.equal(ev.metrics.test.rmse, undefined);
      assert.equal(ev.baseline.rating_name, undefined);
    } finally {
      m._tlw_trainer_free(h);
    }
    const h2 = m._tlw_trainer_alloc() >>> 0;
    try {
      assert.notEqual(m._tlw_trainer_set_weights(h2, -1, 1), 0);
      assert.match(core.errorOf(h2).message, /ratingWeight -1/);
      core.check(h2, m._tlw_trainer_set_weights(h2, 0, 0));
      const st = core.withCString('tfrs', (p) => m._tlw_trainer_init(h2, ds._handle(), p, 8, 64, 1, 0, 1, 0, 0, 0, 1));
      assert.notEqual(st, 0);
      assert.match(core.errorOf(h2).message, /both 0/);
    } finally {
      m._tlw_trainer_free(h2);
    }
  });

  test('rating only (weights 1/0) with the original multitask preset', () => {
    const h = trained('tfrs-multitask', [1, 0]);
    try {
      const r = JSON.parse(core.takeString(m._tlw_trainer_rating_json(h, ds._handle())));
      assert.ok(r.rmse > 0 && r.rmse < 2, JSON.stringify(r));
    } finally {
      m._tlw_trainer_free(h);
    }
  });
});

describe('rating head through the JS API', { timeout: TEST_TIMEOUT }, () => {
  test('createTrainer({ratingWeight}) trains the joint model; evaluate() adds RMSE beside the bias baseline', async () => {
    const tl = await createTowerlens();
    const ds = await tl.loadDataset(join(import.meta.dirname, '../../data/demo'));
    const tr = tl.createTrainer(ds, { preset: 'default', ratingWeight: 1 });
    await tr.run({ stepMs: 100 });
    const ev = tr.evaluate();
    assert.equal(ev.baseline.rating_name, 'bias');
    assert.ok(ev.metrics.test.rmse > 0.5 && ev.metrics.test.rmse < ev.baseline.test.rmse,
      `model RMSE ${ev.metrics.test.rmse} beats the bias baseline ${ev.baseline.test.rmse}`);
    assert.ok(ev.metrics.test.mae < ev.metrics.test.rmse);
    const plain = tl.createTrainer(ds, { preset: 'default' });
    await plain.run({ stepMs: 100 });
    assert.equal(plain.evaluate().metrics.test.rmse, undefined, 'no head, no RMSE');
    assert.throws(() => tl.createTrainer(ds, { preset: 'default', ratingWeight: -1 }), /ratingWeight/);
    tr.free(); plain.free(); ds.free();
  });
});
