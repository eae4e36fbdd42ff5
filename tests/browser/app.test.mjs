// The page end to end in headless Chromium with the bundled demo data:
// drop the files, train to the end, top-10 for a user, similar movies by
// title search, fold-in from three ratings, reload and find the model
// restored. Screenshots go to tests/browser/screenshots/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import {
  startSession, dropFiles, fileSpec, demoFiles, demoDir, titlesOf, countRatings,
  firstUserId, screenshot, sectionShot, ratingCounts, rateMovies, parseCsv,
} from './helpers.mjs';

const TRAIN_TIMEOUT = 240_000;

describe('towerlens page with the demo data', { timeout: 600_000 }, () => {
  let server, browser, page, problems;
  const ratingsCsv = path.join(demoDir, 'ratings.csv');
  const moviesCsv = path.join(demoDir, 'movies.csv');
  let titles, userId, topMovies, recsAfterTraining;

  before(async () => {
    ({ server, browser, page, problems } = await startSession());
    titles = titlesOf(moviesCsv);
    userId = firstUserId(ratingsCsv);
    // the most-rated movies of the demo set, for title search and rating
    topMovies = ratingCounts(ratingsCsv, titles).map(([id]) => id);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('starts the engine in a cross-origin isolated page', async () => {
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    assert.match(await page.textContent('#engine-text'), /Engine ready · WebAssembly/);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  });

  it('reads the dropped demo files and trains to the end', async () => {
    await dropFiles(page, demoFiles().map((f) => fileSpec(f)));
    await page.waitForSelector('#summary-body:not([hidden])', { timeout: 60_000 });
    const shown = Number((await page.textContent('#sum-ratings')).replace(/,/g, ''));
    assert.equal(shown, countRatings(ratingsCsv));
    // one progress row per file, each complete
    const rows = await page.$$eval('#file-progress li', (lis) => lis.map((li) => [li.querySelector('.name').textContent, li.querySelector('progress').value, li.querySelector('progress').max]));
    assert.equal(rows.length, demoFiles().length);
    for (const [name, value, max] of rows) assert.equal(value, max, `${name} read completely`);
    await page.waitForSelector('#metrics-body tr.latest', { timeout: TRAIN_TIMEOUT });
    await sectionShot(page, '#train', 'app-training');
    await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
    const epochs = await page.$$eval('#metrics-body tr:not(.baseline):not(.empty)', (trs) => trs.length);
    assert.ok(epochs >= 1, 'a metrics row per epoch');
    assert.equal(await page.$$eval('#metrics-body tr.baseline', (trs) => trs.length), 1, 'the popularity baseline row');
    const cells = await page.$$eval('#metrics-body tr.latest td', (tds) => tds.map((td) => td.textContent));
    assert.ok(cells.slice(0, 3).every((c) => /^\d\.\d{3}$/.test(c)), `metrics are numbers: ${cells}`);
    await screenshot(page, 'app-trained', { fullPage: true });
  });

  it('recommends ten movies with real titles for a user', async () => {
    await page.fill('#rec-user', String(userId));
    await page.fill('#rec-k', '10');
    await page.click('#rec-go');
    await page.waitForFunction((id) => document.querySelector('#recs-title').textContent === `Top 10 for user ${id}`, userId);
    const items = await page.$$eval('#user-recs li', (lis) => lis.map((li) => ({ id: Number(li.dataset.movieId), title: li.querySelector('.movie-title').firstChild.textContent })));
    assert.equal(items.length, 10);
    for (const item of items) assert.equal(item.title, titles.get(item.id), `movie ${item.id} shows its title from movies.csv`);
    const rated = await page.$$eval('#user-rated li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    assert.ok(rated.length > 0, "the user's own top-rated movies are shown");
    for (const id of rated) assert.ok(!items.some((i) => i.id === id), 'seen movies are excluded by default');
    recsAfterTraining = items.map((i) => i.id);
    // "Because you rated ...": a line under titles, naming movies the user rated 4 stars or more
    const because = await page.$$eval('#user-recs li .movie-because',
      (ds) => ds.map((d) => ({ text: d.textContent, ids: d.dataset.movieIds.split(' ').map(Number) })));
    assert.ok(because.length > 0, 'some recommendations say why');
    const liked = new Set(parseCsv(fs.readFileSync(ratingsCsv, 'utf8')).slice(1)
      .filter((r) => Number(r[0]) === userId && Number(r[2]) >= 4).map((r) => Number(r[1])));
    for (const b of because) {
      assert.ok(b.ids.length >= 1 && b.ids.length <= 3);
      assert.equal(b.text, `Because you rated ${b.ids.map((id) => titles.get(id)).join(', ')}`);
      for (const id of b.ids) assert.ok(liked.has(id), `user ${userId} rated movie ${id} 4 or more`);
    }
    await sectionShot(page, '#recommend', 'app-recommend');
  });

  it('finds a movie by title and lists similar movies', async () => {
    const target = topMovies[0];
    const words = titles.get(target).split(/\s+/).slice(0, 2).join(' ');
    await page.fill('#sim-query', words);
    const button = page.locator(`#sim-results .pick[data-movie-id="${target}"]`);
    await button.waitFor({ timeout: 10_000 });
    await button.click();
    await page.waitForFunction(() => document.querySelectorAll('#sim-list li:not(.empty)').length === 10);
    const ids = await page.$$eval('#sim-list li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    assert.equal(ids.length, 10);
    assert.ok(!ids.includes(target), 'a movie is not listed as similar to itself');
    for (const id of ids) assert.ok(titles.has(id));
  });

  it('recommends from three ratings given on the page (fold-in)', async () => {
    const chosen = topMovies.slice(1, 4);
    await rateMovies(page, titles, chosen, 5);
    await page.waitForSelector('#rate-go:not([disabled])');
    await page.click('#rate-go');
    await page.waitForFunction(() => document.querySelectorAll('#rate-list li:not(.empty)').length === 10);
    const ids = await page.$$eval('#rate-list li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    for (const id of chosen) assert.ok(!ids.includes(id), 'movies the visitor rated are not recommended back');
    const because = await page.$$eval('#rate-list li .movie-because',
      (ds) => ds.map((d) => ({ text: d.textContent, ids: d.dataset.movieIds.split(' ').map(Number) })));
    assert.ok(because.length > 0, 'fold-in recommendations say why');
    for (const b of because) {
      assert.ok(b.ids.every((id) => chosen.includes(id)), `only the visitor's own ratings: ${b.ids}`);
      assert.equal(b.text, `Because you rated ${b.ids.map((id) => titles.get(id)).join(', ')}`);
    }
    await sectionShot(page, '#rate', 'app-rate');
  });

  it('restores the trained model after a reload', async () => {
    await page.reload();
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    await page.waitForSelector('#model-status[data-event="restored"]', { timeout: 30_000 });
    await page.fill('#rec-user', String(userId));
    await page.click('#rec-go');
    await page.waitForFunction((id) => document.querySelector('#recs-title').textContent === `Top 10 for user ${id}`, userId);
    const ids = await page.$$eval('#user-recs li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    assert.deepEqual(ids, recsAfterTraining, 'the restored model gives the same top-10');
    // the visitor's ratings survive too
    assert.equal(await page.$$eval('#my-ratings li[data-movie-id]', (lis) => lis.length), 3);
  });

  it('reloads and works with the server gone (offline)', async () => {
    await server.close();
    await page.reload();
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    await page.waitForSelector('#model-status[data-event="restored"]', { timeout: 30_000 });
    await page.fill('#rec-user', String(userId));
    await page.click('#rec-go');
    await page.waitForFunction((id) => document.querySelector('#recs-title').textContent === `Top 10 for user ${id}`, userId);
    const ids = await page.$$eval('#user-recs li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    assert.deepEqual(ids, recsAfterTraining);
  });

  it('exports the model to a file and imports it back', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#model-export')]);
    assert.match(download.suggestedFilename(), /^towerlens-model-\d{4}-\d{2}-\d{2}\.tlm$/);
    const file = path.join(fs.mkdtempSync('/tmp/tl-model-'), download.suggestedFilename());
    await download.saveAs(file);
    assert.ok(fs.statSync(file).size > 0);
    await page.click('#model-forget');
    await page.waitForSelector('#model-status[data-event="forgotten"]');
    await page.setInputFiles('#model-file', file);
    await page.waitForSelector('#model-status[data-event="imported"]', { timeout: 30_000 });
    await page.evaluate(() => document.querySelector('#user-recs').replaceChildren());
    await page.fill('#rec-user', String(userId));
    await page.click('#rec-go');
    await page.waitForFunction(() => document.querySelectorAll('#user-recs li').length === 10);
    const ids = await page.$$eval('#user-recs li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    assert.deepEqual(ids, recsAfterTraining, 'the imported model gives the same top-10');
  });

  it('works by keyboard and on a narrow screen', async () => {
    // Tab from the top (the skip link) reaches the demo button, and focus is visible
    await page.evaluate(() => { window.scrollTo(0, 0); document.querySelector('.skip-link').focus(); });
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'demo-button');
    }
    assert.ok(reached, 'the demo button is reachable with Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused control shows a focus ring');
    // every form control has a label
    const unlabeled = await page.$$eval('input, select, textarea', (els) => els.filter((e) => e.type !== 'hidden' && !e.closest('.star-input') && e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => e.id || e.name));
    assert.deepEqual(unlabeled, []);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a 390 px screen (overflow ${overflow}px)`);
    await screenshot(page, 'app-narrow', { fullPage: true });
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.dialogs, []);
  });
});
