// Data that is not MovieLens through the JS API and the real WASM build:
// fromInteractions (arrays, string ids, implicit feedback, titles), files
// read by column names, string ids through train -> model -> recommend /
// similar / fold-in and a saved model file, and errors naming the line or
// the array index.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createTowerlens, TowerlensError } from '../../web/towerlens.js';
import { LOAD_TIMEOUT, NATIVE_CLI, TEST_TIMEOUT, utf8 } from './helpers.mjs';

// 45 users "cust-N" and 18 items "sku-N" in 3 groups: user u buys the items of group u % 3
function shop() {
  const users = [], items = [], timestamps = [];
  for (let u = 0; u < 45; u++) {
    for (let i = 0; i < 18; i++) {
      if (i % 3 !== u % 3 && (i + u) % 7 !== 0) continue;
      users.push(`cust-${u}`);
      items.push(`sku-${i}`);
      timestamps.push(1700000000 + u * 40 + i);
    }
  }
  const itemTitles = Object.fromEntries(Array.from({ length: 18 }, (_, i) => [`sku-${i}`, `Item ${i}, "group" ${i % 3}`]));
  return { users, items, timestamps, itemTitles };
}
const group = (id) => Number(id.slice(4)) % 3;

let tl;
let dir;
before(async () => {
  tl = await createTowerlens({ build: 'st' });
  dir = mkdtempSync(join(tmpdir(), 'tl-owndata-'));
}, { timeout: LOAD_TIMEOUT });
after(() => rmSync(dir, { recursive: true, force: true }));

describe('fromInteractions', { timeout: TEST_TIMEOUT }, () => {
  test('arrays with string ids: train, recommend, similar and fold-in answer with the string ids', async () => {
    const ds = await tl.fromInteractions(shop());
    const s = ds.summary();
    assert.equal(s.users, 45);
    assert.equal(s.movies, 18);
    assert.equal(s.implicit, true);
    assert.equal(s.rating_min, 5);
    assert.equal(s.first_timestamp, 1700000000);
    const cat = ds.movies();
    assert.equal(cat[0].movieId, 'sku-0');
    assert.equal(cat.find((m) => m.movieId === 'sku-4').title, 'Item 4, "group" 1');

    const tr = tl.createTrainer(ds, { preset: 'default', epochs: 8, dim: 8, seed: 5 });
    await tr.run({ stepMs: 20 });
    const model = tr.model;
    const rec = model.recommend('cust-4', { k: 4, excludeSeen: false });
    assert.equal(rec.items.length, 4);
    for (const x of rec.items) {
      assert.equal(typeof x.movieId, 'string');
      assert.equal(group(x.movieId), 1, `cust-4 is in group 1, got ${x.movieId}`);
    }
    const sim = model.similar('sku-6', { k: 3 });
    assert.ok(sim.items.every((x) => x.movieId !== 'sku-6' && group(x.movieId) === 0), JSON.stringify(sim.items));
    const fold = model.recommendForRatings([{ movieId: 'sku-2', rating: 5 }, { movieId: 'sku-5', rating: 5 },
      { movieId: 'sku-8', rating: 5 }], { k: 3 });
    assert.ok(fold.items.every((x) => group(x.movieId) === 2 && !['sku-2', 'sku-5', 'sku-8'].includes(x.movieId)));
    assert.throws(() => model.recommend('cust-999'), (e) => e.code === 'NOTFOUND' && /unknown user "cust-999"/.test(e.message));
    assert.throws(() => model.similar(6), (e) => e.code === 'NOTFOUND' && /unknown movie "6"/.test(e.message));

    // the model file keeps the string ids (SIDS section)
    const bytes = tr.modelFile();
    const loaded = tl.loadModel(bytes);
    assert.deepEqual(loaded.recommend('cust-4', { k: 4, excludeSeen: false }), rec);
    if (existsSync(NATIVE_CLI)) { // and the native CLI reads them from the same file
      writeFileSync(join(dir, 'shop.tlm'), bytes);
      const out = JSON.parse(execFileSync(NATIVE_CLI, ['recommend', '--model', join(dir, 'shop.tlm'), '--user', 'cust-4',
        '-k', '4', '--include-seen', '--json'], { encoding: 'utf8' }));
      assert.deepEqual(out.items.map((x) => x.movieId), rec.items.map((x) => x.movieId));
    }
    loaded.free();
    tr.free();
    ds.free();
  });

  test('numbers stay numbers; ratings and timestamps; explicit feedback', async () => {
    const ds = await tl.fromInteractions({ users: [1, 1, 2, 3], items: [10, 20, 10, 30], ratings: [4, 2.5, 5, 1],
      timestamps: [5, 6, 7, 8] });
    const s = ds.summary();
    assert.equal(s.implicit, undefined);
    assert.equal(s.rating_histogram['2.5'], 1);
    assert.equal(s.last_timestamp, 8);
    assert.deepEqual([...ds.userIds()], [1, 2, 3]);
    assert.deepEqual(ds.movies().map((m) => m.movieId), [10, 20, 30]);
    ds.free();
  });

  test('bad arrays are ARG errors naming the index', async () => {
    const bad = (data, re) => assert.rejects(tl.fromInteractions(data), (e) => e instanceof TowerlensError && re.test(e.message));
    await bad({ users: ['a'], items: ['b', 'c'] }, /same length/);
    await bad({ users: [], items: [] }, /no interactions/);
    await bad({ users: ['a', ''], items: ['b', 'c'] }, /users\[1\] must be a non-empty string/);
    await bad({ users: ['a', 'b'], items: ['b', -1] }, /items\[1\]/);
    await bad({ users: ['a', 'b'], items: ['b', 'c'], ratings: [4, 'x'] }, /ratings\[1\] must be a number/);
    // range is checked by the core: the CSV line is turned back into the index
    await bad({ users: ['a', 'b', 'c'], items: ['x', 'y', 'z'], ratings: [4, 5, 9] }, /^interactions\[2\]: rating "9" is outside 0.5-5/);
  });
});

describe('loadDataset with columns', { timeout: TEST_TIMEOUT }, () => {
  test('a CSV read by column names, any order, quoted, with an items file', async () => {
    const events = 'when,item,who\n5,"sku,1",ann\n6,b-2,ann\n7,"sku,1",bob\n';
    const titles = 'name,item\n"Shoe, red",sku,1\n';
    const ds = await tl.loadDataset([{ name: 'events.csv', bytes: utf8(events) }], {
      columns: { user: 'who', item: 'item', time: 'when' },
      items: { name: 'titles.csv', bytes: utf8('name,item\n"Shoe, red","sku,1"\nHat,b-2\n') },
      itemColumns: { title: 'name' },
    });
    assert.deepEqual(ds.files.map((f) => [f.name, f.kind]), [['events.csv', 'ratings'], ['titles.csv', 'movies']]);
    assert.deepEqual(ds.movies().map((m) => [m.movieId, m.title]), [['b-2', 'Hat'], ['sku,1', 'Shoe, red']]);
    ds.free();
    await assert.rejects(tl.loadDataset([{ name: 'events.csv', bytes: utf8(events) }], { columns: { user: 'user', item: 'item' } }),
      (e) => e.code === 'FORMAT' && e.message === 'events.csv:1: no column "user" in the header; its columns are: "when", "item", "who"');
    await assert.rejects(tl.loadDataset([{ name: 'e.csv', bytes: utf8('u,i\na,b\nc\n') }], { columns: { user: 'u', item: 'i' } }),
      (e) => e.code === 'PARSE' && e.file === 'e.csv' && e.line === 3);
    await assert.rejects(tl.loadDataset([{ name: 'e.csv', bytes: utf8(titles) }], { columns: { user: 3, item: 'i' } }),
      (e) => e.code === 'ARG' && /columns.user must be a non-empty column name/.test(e.message));
  });
});
