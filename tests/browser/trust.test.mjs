// What a visitor sees must be right (issue 13), on the bundled demo data
// with the page's defaults (test share 20 %): no recommended movie is one
// the user rated in any split, for every user, from the split model and from
// the final one; after the held-out metrics the model that answers is
// trained on all ratings, and the page says so; test share 0 trains once;
// out-of-range settings never start training; low stars push films down in
// the rate-yourself panel; a model saved by the first file format restores.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import {
  startSession, openPage, demoDir, repoRoot, ratingsByUser, countRatings, titlesOf, recordTexts, ratingCounts, rateMovies,
} from './helpers.mjs';

const TRAIN_TIMEOUT = 240_000;
const ratingsCsv = path.join(demoDir, 'ratings.csv');

// Top-10 (movies they rated hidden, the page's default) for every user, through the page's worker protocol.
function recommendAll(page, users) {
  return page.evaluate(async (ids) => {
    const out = {};
    for (const userId of ids) {
      const r = await window.towerlensApp.client.request('recommend', { userId, k: 10, excludeSeen: true, ratedLimit: 1 });
      out[userId] = r.items.map((m) => m.movieId);
    }
    return out;
  }, users);
}

function leaks(recs, byUser) {
  const found = [];
  for (const [user, items] of Object.entries(recs)) {
    const rated = byUser.get(Number(user));
    for (const id of items) if (rated.has(id)) found.push(`user ${user}: movie ${id}`);
  }
  return found;
}

describe('what a visitor sees is right (demo data, page defaults)', { timeout: 900_000 }, () => {
  let server, browser, page, problems;
  const byUser = ratingsByUser(ratingsCsv);
  const users = [...byUser.keys()].sort((a, b) => a - b);
  const total = countRatings(ratingsCsv);
  const totalText = total.toLocaleString('en-US');

  before(async () => {
    ({ server, browser, page, problems } = await startSession());
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('never recommends a movie the user rated, in any split, for every user (split model, then the final one)', async () => {
    // stop the run as soon as the first split epoch is measured: the split model serves
    await page.evaluate(() => {
      const app = window.towerlensApp;
      app.client.on('epoch', (m) => {
        if (m.pass === 'split' && !window.__stopSent) { window.__stopSent = true; app.client.request('stop'); }
      });
    });
    const servingTexts = await recordTexts(page, '#train-serving', 'serving');
    // the status line and the epoch bar's label, together, whenever either changes
    await page.evaluate(() => {
      const pairs = (window.__pairs = []);
      const read = () => `${document.querySelector('#train-state').textContent} || ${document.querySelector('#epoch-label').textContent}`;
      const observer = new MutationObserver(() => { const p = read(); if (pairs[pairs.length - 1] !== p) pairs.push(p); });
      for (const sel of ['#train-state', '#epoch-label']) observer.observe(document.querySelector(sel), { childList: true, characterData: true, subtree: true });
    });
    await page.click('#demo-button');
    await page.waitForSelector('body[data-training="stopped"]', { timeout: TRAIN_TIMEOUT });
    assert.equal(await page.getAttribute('body', 'data-pass'), 'split', 'stopped inside the split run');
    assert.match(await page.textContent('#train-serving'), /trained on the 80 % train share \([\d,]+ of [\d,]+ ratings\)/);
    const fromSplit = leaks(await recommendAll(page, users), byUser);
    assert.deepEqual(fromSplit, [], `the split model recommends movies the user rated (${fromSplit.length})`);

    await page.click('#train-resume');
    await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
    const fromFinal = leaks(await recommendAll(page, users), byUser);
    assert.deepEqual(fromFinal, [], 'the final model recommends movies the user rated');
    // what the page said about the model that answers, in order
    const said = (await servingTexts()).filter(Boolean);
    assert.ok(said.some((t) => /train share.*the final model on all ratings is training/.test(t)), `the refit was announced: ${said.join(' | ')}`);
    assert.equal(said[said.length - 1], `Answers come from the model trained on all ${totalText} ratings.`);
    // "Evaluating epoch N of M" only ever beside "… epoch N of M"
    const pairs = await page.evaluate(() => window.__pairs);
    const evaluating = pairs.filter((p) => /^Evaluating epoch/.test(p));
    assert.ok(evaluating.length >= 8, `the evaluations were shown: ${pairs.join(" ; ")}`);
    for (const p of evaluating) {
      const [, n, m] = /^Evaluating epoch (\d+) of (\d+)/.exec(p);
      assert.ok(p.endsWith(`epoch ${n} of ${m}`), `status and bar agree: ${p}`);
    }
  });

  it('after the held-out metrics, the model trained on all ratings answers, and the page says so', async () => {
    // held-out metrics of the split run stay in the table
    const rows = await page.$$eval('#metrics-body tr:not(.baseline):not(.empty)', (trs) => trs.length);
    assert.equal(rows, 8, 'a metrics row for each of the 8 epochs of the split run');
    assert.match(await page.textContent('#train-state'), /^Finished in .+ \(training, evaluation, the final model and saving\)\. The model is ready\.$/);
    // bars full, one progress quantity named the same in the box and the chart
    const bars = await page.$$eval('#epoch-progress, #batch-progress', (ps) => ps.map((p) => [p.value, p.max]));
    for (const [value, max] of bars) assert.equal(value, max, 'bars reach 100 % when done');
    assert.equal(await page.textContent('#stat-loss-name'), await page.textContent('#chart-name'));
    assert.equal(await page.textContent('#stat-eta'), 'done');
    const userId = users[0];
    await page.fill('#rec-user', String(userId));
    await page.click('#rec-go');
    await page.waitForFunction((id) => document.querySelector('#recs-title').textContent === `Top 10 for user ${id}`, userId);
    assert.equal(await page.textContent('#rec-serving'), `Answers come from the model trained on all ${totalText} ratings.`);
  });

  it('test share 0 trains once on every rating and says there are no held-out metrics', async () => {
    const passes = await recordTexts(page, '#train-state', 'states');
    await page.fill('#set-test', '0');
    await page.click('#train-start');
    await page.waitForSelector('body[data-training="running"]');
    await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
    assert.equal(await page.getAttribute('body', 'data-pass'), 'all');
    assert.match(await page.textContent('#metrics-body'), /No held-out metrics: with a test share of 0 every rating trains the model\./);
    assert.equal(await page.$$eval('#metrics-body tr.baseline', (trs) => trs.length), 0);
    assert.equal(await page.textContent('#train-serving'), `Answers come from the model trained on all ${totalText} ratings.`);
    const said = (await passes()).slice(1); // the first is the line before this run
    assert.ok(!said.some((t) => /final model|held-out ratings/.test(t)), `one pass, nothing evaluated: ${said.join(' | ')}`);
    assert.match(said[said.length - 1], /^Finished in .+ \(training and saving\)\. The model is ready\.$/);
    await page.fill('#set-test', '');
  });

  it('checks every settings field before anything starts', async () => {
    const runs = await page.evaluate(() => {
      window.__runs = 0;
      window.towerlensApp.client.on('training', (m) => { if (m.state === 'running') window.__runs++; });
    });
    void runs;
    const cases = [
      ['#set-test', '60', /Test share \(%\) must be a whole number from 0 to 50/],
      ['#set-epochs', '0', /Epochs must be a whole number from 1 to 200/],
      ['#set-dim', '-8', /Embedding size must be a whole number from 4 to 512/],
      ['#set-batch', 'lots', /"lots" is not a number: Batch size must be a whole number from 16 to 65536/],
      ['#set-lr', '0.1.2', /"0\.1\.2" is not a number: Learning rate must be a number from 0\.0001 to 10/],
      ['#set-seed', '1.5', /Seed must be a whole number from 0 to 4294967295/],
    ];
    for (const [sel, value] of cases) await page.fill(sel, value);
    await page.click('#train-start');
    for (const [sel, , message] of cases) {
      assert.match(await page.textContent(`${sel}-error`), message, `${sel} names its range`);
      assert.equal(await page.getAttribute(sel, 'aria-invalid'), 'true');
      assert.equal(await page.getAttribute(sel, 'aria-describedby'), `${sel.slice(1)}-error`);
    }
    assert.match(await page.textContent('#train-state'), /Training did not start/);
    assert.equal(await page.evaluate(() => window.__runs), 0, 'training did not start');
    assert.equal(await page.getAttribute('body', 'data-training'), 'done', 'the model trained before still serves');
    // fixed values clear their messages
    for (const [sel] of cases) await page.fill(sel, '');
    for (const [sel] of cases) assert.equal(await page.textContent(`${sel}-error`), '');
  });

  it('low stars are dislikes: the same five films at 1 star and at 5 stars give top-10s sharing at most 3 movies', async () => {
    const titles = titlesOf(path.join(demoDir, 'movies.csv'));
    const chosen = ratingCounts(ratingsCsv, titles).slice(0, 5).map(([id]) => id);
    await rateMovies(page, titles, chosen, 5);
    await page.click('#rate-go');
    await page.waitForFunction(() => document.querySelectorAll('#rate-list li:not(.empty)').length === 10);
    const liked = await page.$$eval('#rate-list li', (lis) => lis.map((li) => li.dataset.movieId).join(','));
    for (const id of chosen) await page.click(`#my-ratings label[for="rate-${id}-1"]`);
    // each change refreshes the list; wait for the one from all five at 1 star
    await page.waitForFunction((ids) => ids.every((id) => document.getElementById(`rate-${id}-1`).checked), chosen);
    const disliked = await page.evaluate(async (ids) => {
      const r = await window.towerlensApp.client.request('foldin', { ratings: ids.map((movieId) => ({ movieId, rating: 1 })), k: 10 });
      return r.items.map((m) => m.movieId).join(',');
    }, chosen);
    await page.waitForFunction((want) => [...document.querySelectorAll('#rate-list li')].map((li) => li.dataset.movieId).join(',') === want, disliked);
    const a = liked.split(',');
    const b = disliked.split(',');
    const shared = a.filter((id) => b.includes(id)).length;
    assert.ok(shared <= 3, `1-star and 5-star ratings share ${shared} of 10 movies (${liked} / ${disliked})`);
    for (const id of chosen) assert.ok(!b.includes(String(id)), 'rated films are not recommended back');
    await page.click('#rate-clear');
  });

  it('restores a model saved in IndexedDB by the first model file format', async () => {
    const bytes = fs.readFileSync(path.join(repoRoot, 'tests/fixtures/models/v1-default.tlm'));
    const fresh = await browser.newContext();
    const { page: p2, problems: p2problems } = await openPage(fresh, server.url);
    await p2.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    // the record the page's worker writes (web/worker.js saveModel), as version 0.1.0 wrote it
    await p2.evaluate(async (b64) => {
      const buf = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
      const db = await new Promise((resolve, reject) => { const r = indexedDB.open('towerlens', 1); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      await new Promise((resolve, reject) => {
        const t = db.transaction('state', 'readwrite');
        t.objectStore('state').put({ bytes: buf, savedAt: Date.UTC(2026, 0, 5), config: { preset: 'default' }, history: [], baseline: null, epochsDone: 8, finished: true }, 'model');
        t.oncomplete = resolve;
        t.onerror = () => reject(t.error);
      });
      db.close();
    }, bytes.toString('base64'));
    await p2.reload();
    await p2.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    await p2.waitForSelector('#model-status[data-event="restored"]', { timeout: 30_000 });
    // a user of tests/fixtures/small, which the model was trained on
    await p2.fill('#rec-user', '1');
    await p2.click('#rec-go');
    await p2.waitForFunction(() => document.querySelector('#recs-title').textContent === 'Top 10 for user 1');
    const ids = await p2.$$eval('#user-recs li[data-movie-id]', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    assert.ok(ids.length > 0, 'the restored model recommends');
    assert.equal(await p2.textContent('#rec-serving'), 'Answers come from a saved model that does not record which ratings it learned from.');
    assert.deepEqual(p2problems.pageErrors, []);
    await fresh.close();
  });

  it('a saved model the engine cannot read: says why, and keeps the data', async () => {
    const fresh = await browser.newContext();
    const { page: p3 } = await openPage(fresh, server.url);
    await p3.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    await p3.uncheck('#autostart');
    await p3.click('#demo-button'); // the worker keeps the files in IndexedDB
    await p3.waitForSelector('#summary-body:not([hidden])', { timeout: 60_000 });
    await p3.evaluate(async () => {
      const db = await new Promise((resolve, reject) => { const r = indexedDB.open('towerlens', 1); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      await new Promise((resolve, reject) => {
        const t = db.transaction('state', 'readwrite');
        t.objectStore('state').put({ bytes: new TextEncoder().encode('not a towerlens model').buffer, savedAt: Date.now(), config: null, history: [], baseline: null, epochsDone: 1, finished: true }, 'model');
        t.oncomplete = resolve;
        t.onerror = () => reject(t.error);
      });
      db.close();
    });
    await p3.reload();
    await p3.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    await p3.waitForFunction(() => /could not be restored/.test(document.querySelector('#model-status').textContent), null, { timeout: 30_000 });
    assert.match(await p3.textContent('#model-status'), /the data is loaded: train a new model/);
    assert.equal(Number((await p3.textContent('#sum-ratings')).replace(/,/g, '')), total, 'the data is kept');
    assert.equal(await p3.isEnabled('#train-start'), true);
    await fresh.close();
  });

  it('ran without page errors or dialogs', () => {
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.dialogs, []);
  });
});
