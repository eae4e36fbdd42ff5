// WebAssembly memory at its limits: handles and buffers above 2 GB (where
// pointers turn negative in JS unless read with >>> 0), and a load that
// needs more memory than is left failing cleanly with the instance still usable.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createTowerlens, TowerlensError } from '../../web/towerlens.js';
import { LOAD_TIMEOUT, TEST_TIMEOUT, utf8 } from './helpers.mjs';

const RATINGS = 'userId,movieId,rating,timestamp\n1,10,4.5,100\n2,10,3.0,200\n2,20,5.0,300\n';
const input = () => [{ name: 'ratings.csv', blob: new Blob([RATINGS]) }];
const GiB = 1 << 30;

test('loads work with handles and buffers above 2 GB', { timeout: LOAD_TIMEOUT + TEST_TIMEOUT }, async () => {
  const tl = await createTowerlens();
  const m = tl._core.m; // the raw module, to push later allocations past 2 GB
  const blocks = [m._malloc(GiB + 1e8) >>> 0, m._malloc(GiB) >>> 0];
  assert.ok(blocks.every((p) => p !== 0), 'could not reserve 2.2 GB of WASM memory');
  assert.ok(tl.memoryBytes > 2 * GiB);
  const ds = await tl.loadDataset(input(), { chunkSize: 5 });
  assert.ok(ds._h > 2 ** 31, `dataset handle at ${ds._h}`);
  const s = ds.summary();
  assert.equal(s.ratings, 3);
  assert.equal(s.users, 2);
  assert.equal(s.rating_max, 5);
  ds.free();
  const bad = [{ name: 'bad.csv', bytes: utf8('userId,movieId,rating,timestamp\n1,1,6.0,1\n') }];
  await assert.rejects(tl.loadDataset(bad), (e) => e instanceof TowerlensError && e.file === 'bad.csv' && e.line === 2);
});

test('running out of WASM memory is a NOMEM error, and the instance keeps working',
  { timeout: LOAD_TIMEOUT + TEST_TIMEOUT }, async () => {
    const tl = await createTowerlens();
    const m = tl._core.m;
    const blocks = [];
    for (let p; (p = m._malloc(GiB / 2) >>> 0) !== 0;) blocks.push(p); // fill memory up to 4 GB
    assert.ok(blocks.length >= 6, `only ${blocks.length} half-GiB blocks fit`);
    const e = await tl.loadDataset(input(), { chunkSize: GiB / 2 }).then(
      () => assert.fail('expected NOMEM'), (err) => err);
    assert.ok(e instanceof TowerlensError, String(e));
    assert.equal(e.code, 'NOMEM');
    assert.match(e.message, /out of memory/);
    for (const p of blocks) m._free(p);
    const ds = await tl.loadDataset(input(), { chunkSize: GiB / 2 });
    assert.equal(ds.summary().ratings, 3);
    ds.free();
  });
