// dist/towerlens.html opened from disk (file://) in headless Chromium with
// every network request refused: it must be self-contained, within its size
// budget, and do the whole job — dropped files, training with progress,
// top-10, fold-in, export/import of the model, the inlined demo data.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { demoFiles, demoDir, titlesOf, countRatings, firstUserId, parseCsv } from '../browser/helpers.mjs';
import { distDir, ensureDist, launchChromium, watchProblems, topK } from './helpers.mjs';
import { SINGLE_FILE_BUDGET } from '../../scripts/build-dist.mjs';

const TRAIN_TIMEOUT = 240_000;
const file = path.join(distDir, 'towerlens.html');

describe('dist/towerlens.html from disk', { timeout: 600_000 }, () => {
  let browser, context, page, problems;
  const requests = [];
  const ratingsCsv = path.join(demoDir, 'ratings.csv');
  const titles = titlesOf(path.join(demoDir, 'movies.csv'));
  const userId = firstUserId(ratingsCsv);
  let recs;

  before(async () => {
    ensureDist();
    browser = await launchChromium();
    context = await browser.newContext({ acceptDownloads: true });
    // no network at all: anything but file:, data: and blob: is refused and noted
    await context.route(/^(https?|wss?):/, (route) => { requests.push(route.request().url()); return route.abort(); });
    page = await context.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchProblems(page);
  });

  after(async () => {
    await browser?.close();
  });

  it('is one file within the 1.5 MB budget that refers to nothing outside itself', () => {
    const html = fs.readFileSync(file, 'utf8');
    const bytes = fs.statSync(file).size;
    assert.ok(bytes <= SINGLE_FILE_BUDGET, `${bytes} bytes > ${SINGLE_FILE_BUDGET}`);
    assert.ok(bytes > 300_000, 'the WebAssembly module and the demo data are inlined');
    assert.doesNotMatch(html, /<script[^>]*\ssrc=/, 'no external script');
    assert.doesNotMatch(html, /<script type="module"/, 'no module script (file:// refuses them)');
    assert.doesNotMatch(html, /<link rel="stylesheet"/, 'styles inlined');
    for (const [, url] of html.matchAll(/\s(?:src|href)="([^"]*)"/g)) {
      assert.match(url, /^(data:|#|https:\/\/)/, `${url.slice(0, 40)} is inlined or an external link`);
    }
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
  });

  it('starts the single-threaded engine on file:// without a server', async () => {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-engine]', { state: 'attached', timeout: 30_000 });
    assert.equal(await page.getAttribute('body', 'data-engine'), 'ready', await page.textContent('#engine-text'));
    assert.equal(await page.getAttribute('body', 'data-build'), 'st');
    assert.match(await page.textContent('#engine-text'), /Engine ready · WebAssembly SIMD · single-threaded build/);
  });

  it('reads dropped files and trains with progress to the end', async () => {
    await page.setInputFiles('#file-input', demoFiles());
    await page.waitForSelector('#summary-body:not([hidden])', { timeout: 60_000 });
    assert.equal(Number((await page.textContent('#sum-ratings')).replace(/,/g, '')), countRatings(ratingsCsv));
    // progress while training: the epoch bar moves before the end
    await page.waitForFunction(() => document.querySelector('#batch-progress').value > 0, null, { timeout: TRAIN_TIMEOUT });
    await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
    const epoch = await page.$eval('#epoch-progress', (p) => [p.value, p.max]);
    assert.equal(epoch[0], epoch[1], 'every epoch done');
    const cells = await page.$$eval('#metrics-body tr.latest td', (tds) => tds.map((td) => td.textContent));
    assert.ok(cells.slice(0, 3).every((c) => /^\d\.\d{3}$/.test(c)), `metrics are numbers: ${cells}`);
  });

  it('recommends ten movies with their titles for a user', async () => {
    const items = await topK(page, userId);
    assert.equal(items.length, 10);
    for (const item of items) assert.equal(item.title, titles.get(item.id));
    recs = items.map((i) => i.id);
  });

  it('recommends from three ratings (fold-in)', async () => {
    const counts = new Map();
    for (const r of parseCsv(fs.readFileSync(ratingsCsv, 'utf8')).slice(1)) counts.set(Number(r[1]), (counts.get(Number(r[1])) || 0) + 1);
    const chosen = [...counts].sort((a, b) => b[1] - a[1]).map(([id]) => id).filter((id) => titles.has(id)).slice(0, 3);
    for (const id of chosen) {
      await page.fill('#rate-query', titles.get(id));
      const button = page.locator(`#rate-results .pick[data-movie-id="${id}"]`);
      await button.waitFor({ timeout: 10_000 });
      await button.click();
      await page.click(`#my-ratings label[for="rate-${id}-5"]`);
    }
    await page.click('#rate-go');
    await page.waitForFunction(() => document.querySelectorAll('#rate-list li:not(.empty)').length === 10);
    const ids = await page.$$eval('#rate-list li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    for (const id of chosen) assert.ok(!ids.includes(id), 'rated movies are not recommended back');
  });

  it('keeps the model across a reload, or says storage is refused', async (t) => {
    await page.reload();
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    const status = page.locator('#model-status');
    await page.waitForFunction(() => {
      const s = document.querySelector('#model-status');
      return s.dataset.event === 'restored' || /does not allow storage/.test(s.textContent);
    }, null, { timeout: 30_000 });
    const restored = (await status.getAttribute('data-event')) === 'restored';
    t.diagnostic(restored ? 'IndexedDB works on file:// here: model restored' : 'storage refused on file://, the page says so');
    if (restored) {
      assert.deepEqual((await topK(page, userId)).map((i) => i.id), recs, 'the restored model gives the same top-10');
    }
  });

  it('exports the model file and imports it back', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#model-export')]);
    const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tl-single-')), download.suggestedFilename());
    await download.saveAs(saved);
    assert.ok(fs.statSync(saved).size > 0);
    await page.click('#model-forget');
    await page.waitForSelector('#model-status[data-event="forgotten"]');
    await page.setInputFiles('#model-file', saved);
    await page.waitForSelector('#model-status[data-event="imported"]', { timeout: 30_000 });
    assert.deepEqual((await topK(page, userId)).map((i) => i.id), recs, 'the imported model gives the same top-10');
  });

  it('loads the inlined demo data', async () => {
    await page.click('#demo-button');
    await page.waitForFunction((n) => Number(document.querySelector('#sum-ratings')?.textContent.replace(/,/g, '')) === n
      && !document.querySelector('#summary-body').hidden, countRatings(ratingsCsv), { timeout: 60_000 });
  });

  it('made no network request and logged no error', () => {
    assert.deepEqual(requests, []);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.dialogs, []);
  });
});

// Some browsers refuse IndexedDB to pages opened from disk (Safari throws
// from indexedDB.open). The worker is started here with open() throwing, the
// way such a browser would: the engine still runs, the page says the model
// is not kept, and the model file is the way to keep it.
describe('dist/towerlens.html where the browser refuses storage on file://', { timeout: 300_000 }, () => {
  let browser, page, problems;

  before(async () => {
    ensureDist();
    browser = await launchChromium();
    page = await browser.newPage();
    problems = watchProblems(page);
    await page.addInitScript(() => {
      const NativeWorker = window.Worker;
      const refuse = "self.indexedDB.open = () => { throw new DOMException('refused on file://', 'SecurityError'); };\n";
      window.Worker = class extends NativeWorker {
        constructor(url, options) {
          const source = document.getElementById('towerlens-worker-source').textContent;
          super(URL.createObjectURL(new Blob([refuse + source], { type: 'text/javascript' })), options);
          void url;
        }
      };
    });
  });

  after(async () => {
    await browser?.close();
  });

  it('trains, says the model is not kept here, and exports it', async () => {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-engine]', { state: 'attached', timeout: 30_000 });
    assert.equal(await page.getAttribute('body', 'data-engine'), 'ready', await page.textContent('#engine-text'));
    assert.match(await page.textContent('#model-status'), /does not allow storage/);
    await page.setInputFiles('#file-input', demoFiles());
    await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#model-export')]);
    assert.match(download.suggestedFilename(), /\.tlm$/);
    assert.deepEqual(problems.pageErrors, []);
  });
});
