// The threaded WASM build (web/wasm/towerlens_core_mt.mjs): how
// createTowerlens picks a build, the fallback to the single-threaded one,
// and training results that do not depend on the build or the thread count.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { createTowerlens, DEFAULT_MAX_THREADS, MAX_THREADS, TowerlensError } from '../../web/towerlens.js';
import { DEMO, LOAD_TIMEOUT, REPO } from './helpers.mjs';

const MT_MODULE = join(REPO, 'web/wasm/towerlens_core_mt.mjs');
const SKIP_MT = existsSync(MT_MODULE)
  ? false
  : `SKIP: ${MT_MODULE} not built (emcmake cmake -S . -B build-wasm && cmake --build build-wasm)`;
const CORES = availableParallelism();
const TIMEOUT = 600_000;

// The default model on the demo set (its CG solver, or `solver`): its model hash and file bytes.
async function trainDemo(tl, threads, solver) {
  const ds = await tl.loadDataset([DEMO]);
  const tr = tl.createTrainer(ds, { preset: 'default', epochs: 2, ...(threads ? { threads } : {}), ...(solver ? { solver } : {}) });
  const p = await tr.run({ stepMs: 1000 });
  assert.equal(p.done, true);
  const userId = ds.userIds()[0];
  const recs = tr.model.recommend(userId, { k: 5 }).items.map((r) => r.movieId);
  const out = { threads: tr.threads, hash: tr.modelHash, bytes: tr.modelFile(), loss: p.history.map((e) => e.loss), recs };
  tr.free();
  ds.free();
  return out;
}

describe('build selection', { skip: SKIP_MT, timeout: TIMEOUT }, () => {
  test('Node with worker_threads and several cores gets the threaded build', { skip: CORES < 2 && 'SKIP: one core' }, async () => {
    const tl = await createTowerlens();
    const b = tl.build;
    assert.equal(b.name, 'mt');
    assert.equal(b.simd, true);
    assert.equal(b.threads, Math.min(CORES, DEFAULT_MAX_THREADS));
    assert.ok(b.threads >= 2);
    assert.equal(tl.threads, b.threads);
    assert.equal(b.fallback, '');
    assert.equal(b.crossOriginIsolated, null); // not a page
  });

  test('{threads: 1} and {build: "st"} pick the single-threaded build and say why', async () => {
    const one = await createTowerlens({ threads: 1 });
    assert.equal(one.build.name, 'st');
    assert.equal(one.build.threads, 1);
    assert.match(one.build.fallback, /one thread was asked for/);
    const st = await createTowerlens({ build: 'st', threads: 4 });
    assert.equal(st.build.name, 'st');
    assert.match(st.build.fallback, /single-threaded build was asked for/);
  });

  test('{build: "mt", threads: N} starts N threads', async () => {
    const tl = await createTowerlens({ build: 'mt', threads: 3 });
    assert.equal(tl.build.name, 'mt');
    assert.equal(tl.threads, 3);
  });

  test('a threaded module that cannot load falls back, or rejects when it was asked for', async () => {
    const missing = new URL('file:///nonexistent/towerlens_core_mt.mjs');
    const tl = await createTowerlens({ mtModuleUrl: missing, threads: 2 });
    assert.equal(tl.build.name, 'st');
    assert.match(tl.build.fallback, /threaded build did not load: cannot load the WebAssembly module file:\/\/\/nonexistent/);
    await assert.rejects(createTowerlens({ build: 'mt', mtModuleUrl: missing }), (e) => e instanceof TowerlensError && e.code === 'IO');
  });

  test('a pthread worker that cannot start falls back with the reason, without hanging or crashing', async () => {
    // the threaded module without its towerlens_core_mt.worker.js beside it
    const dir = mkdtempSync(join(tmpdir(), 'tl-mt-'));
    try {
      for (const f of ['towerlens_core_mt.mjs', 'towerlens_core_mt.wasm', 'package.json']) {
        copyFileSync(join(REPO, 'web/wasm', f), join(dir, f));
      }
      const tl = await createTowerlens({ mtModuleUrl: pathToFileURL(join(dir, 'towerlens_core_mt.mjs')), threads: 2 });
      assert.equal(tl.build.name, 'st');
      assert.match(tl.build.fallback, /a thread of the threaded build did not start: Cannot find module .*towerlens_core_mt\.worker\.js/);
      const ds = await tl.loadDataset([DEMO]); // the fallback works
      assert.ok(ds.numRatings > 0);
      ds.free();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad options are ARG errors', async () => {
    for (const opts of [{ build: 'gpu' }, { threads: 0 }, { threads: 1.5 }, { threads: MAX_THREADS + 1 }]) {
      await assert.rejects(createTowerlens(opts), (e) => e.code === 'ARG', JSON.stringify(opts));
    }
  });

  test('createTrainer refuses more threads than the instance started', async () => {
    const tl = await createTowerlens({ build: 'mt', threads: 2 });
    const ds = await tl.loadDataset([DEMO]);
    assert.throws(() => tl.createTrainer(ds, { preset: 'default', threads: 3 }), (e) => e.code === 'ARG' && /more than the 2/.test(e.message));
    assert.throws(() => tl.createTrainer(ds, { threads: -1 }), (e) => e.code === 'ARG');
    ds.free();
  });
});

describe('results do not depend on the build or the thread count', { skip: SKIP_MT, timeout: TIMEOUT }, () => {
  let st, stExact;
  before(async () => {
    const tl = await createTowerlens({ build: 'st' });
    st = await trainDemo(tl);
    stExact = await trainDemo(tl, 0, 'exact');
  }, { timeout: LOAD_TIMEOUT * 5 });

  test('the default model with 1 and 2 threads is bit-identical to the single-threaded build', async () => {
    const mt = await createTowerlens({ build: 'mt', threads: 2 });
    const one = await trainDemo(mt, 1);
    const two = await trainDemo(mt, 2);
    const dflt = await trainDemo(mt); // the instance's threads
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2);
    assert.equal(dflt.threads, 2);
    assert.equal(st.threads, 1);
    assert.match(st.hash, /^[0-9a-f]{16}$/);
    for (const r of [one, two, dflt]) {
      assert.equal(r.hash, st.hash);
      assert.deepEqual(r.loss, st.loss);
      assert.deepEqual(r.recs, st.recs);
      assert.ok(Buffer.from(r.bytes).equals(Buffer.from(st.bytes)), 'model files differ');
    }
    assert.equal(st.recs.length, 5);
  });

  test('the exact solver too, and it differs from CG', async () => {
    const mt = await createTowerlens({ build: 'mt', threads: 2 });
    const one = await trainDemo(mt, 1, 'exact');
    const two = await trainDemo(mt, 2, 'exact');
    assert.notEqual(stExact.hash, st.hash);
    for (const r of [one, two]) {
      assert.equal(r.hash, stExact.hash);
      assert.deepEqual(r.loss, stExact.loss);
      assert.ok(Buffer.from(r.bytes).equals(Buffer.from(stExact.bytes)), 'model files differ');
    }
  });
});
