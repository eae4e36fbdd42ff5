// dist/site/ on a plain static host that sends no COOP/COEP (a tiny server
// written here, like GitHub Pages or an S3 bucket): the first load runs the
// single-threaded build; once the site's service worker controls the page it
// reloads once into the threaded build with a thread per core; after that
// first visit everything works with the server gone.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { demoDir, countRatings, firstUserId } from '../browser/helpers.mjs';
import { distDir, ensureDist, launchChromium, watchProblems, topK } from './helpers.mjs';

const TRAIN_TIMEOUT = 240_000;
const site = path.join(distDir, 'site');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.csv': 'text/csv',
};

// Files and nothing else: no COOP, COEP or CSP headers. The answer to
// /sw.js waits until `releaseServiceWorker()`, so the test sees the first,
// uncontrolled load settle before the service worker can take over.
function staticServer(root) {
  let release;
  const swReleased = new Promise((resolve) => { release = resolve; });
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    if (url.pathname === '/sw.js') await swReleased;
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(data);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/`,
    releaseServiceWorker: release,
    close: () => new Promise((done) => { for (const s of sockets) s.destroy(); server.close(done); }),
  })));
}

describe('dist/site/ on a static host without COOP/COEP', { timeout: 600_000 }, () => {
  let server, browser, page, problems;
  const userId = firstUserId(path.join(demoDir, 'ratings.csv'));
  const demoRatings = countRatings(path.join(demoDir, 'ratings.csv'));
  let recs, cores;

  before(async () => {
    ensureDist();
    server = await staticServer(site);
    browser = await launchChromium();
    const context = await browser.newContext();
    page = await context.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchProblems(page);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs the single-threaded build on the first load', async () => {
    await page.goto(server.url);
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    assert.equal(await page.getAttribute('body', 'data-build'), 'st');
    assert.match(await page.textContent('#engine-text'), /single-threaded build \(page not cross-origin isolated\)/);
    cores = await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 16));
  });

  it('reloads once into the threaded build when its service worker takes over', async () => {
    const reloaded = page.waitForEvent('load', { timeout: 30_000 });
    server.releaseServiceWorker();
    await reloaded;
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 60_000 });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal(await page.getAttribute('body', 'data-build'), 'mt', await page.textContent('#engine-text'));
    assert.ok(cores >= 2, `this machine reports ${cores} cores`);
    assert.equal(await page.getAttribute('body', 'data-threads'), String(cores));
    assert.match(await page.textContent('#engine-text'), new RegExp(`threads build · ${cores} threads`));
  });

  it('trains on the demo data with threads and recommends', async () => {
    await page.click('#demo-button');
    await page.waitForFunction((n) => Number(document.querySelector('#sum-ratings')?.textContent.replace(/,/g, '')) === n,
      demoRatings, { timeout: 60_000 });
    await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
    recs = (await topK(page, userId)).map((i) => i.id);
    assert.equal(recs.length, 10);
  });

  it('works offline after the first visit: reload, threads, train on the demo data', async () => {
    await server.close();
    await page.reload();
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 60_000 });
    assert.equal(await page.getAttribute('body', 'data-build'), 'mt', 'still cross-origin isolated from the cache');
    await page.waitForSelector('#model-status[data-event="restored"]', { timeout: 30_000 });
    assert.deepEqual((await topK(page, userId)).map((i) => i.id), recs, 'the kept model gives the same top-10');
    // the demo files come from the service worker's cache; training again gives the same model
    await page.evaluate(() => document.querySelector('#sum-ratings')?.replaceChildren());
    await page.click('#demo-button');
    await page.waitForFunction((n) => Number(document.querySelector('#sum-ratings')?.textContent.replace(/,/g, '')) === n,
      demoRatings, { timeout: 60_000 });
    await page.waitForSelector('body[data-training="running"]', { timeout: 30_000 });
    await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
    assert.deepEqual((await topK(page, userId)).map((i) => i.id), recs, 'trained offline: the same top-10');
    assert.deepEqual(problems.pageErrors, []);
  });
});
