// Which WebAssembly build the page runs: the threaded one (pthreads + SIMD128)
// when scripts/serve makes the page cross-origin isolated (COOP/COEP), the
// single-threaded one when it does not (--no-isolation). Both train the
// demo data and recommend; the status line says which build runs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../scripts/serve.mjs';
import { checkPrerequisites, launch, openPage, demoDir, firstUserId, webRoot, dataRoot, screenshot } from './helpers.mjs';

const TRAIN_TIMEOUT = 240_000;
const CORES = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;

// Demo data, two epochs of the default model, then ten recommendations for a user.
async function trainAndRecommend(page) {
  await page.click('#demo-button');
  await page.waitForSelector('#summary-body:not([hidden])', { timeout: 60_000 });
  await page.waitForSelector('#train-start:not([disabled])', { timeout: 30_000 });
  await page.fill('#set-epochs', '2');
  await page.click('#train-start');
  await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
  const userId = firstUserId(path.join(demoDir, 'ratings.csv'));
  await page.fill('#rec-user', String(userId));
  await page.fill('#rec-k', '10');
  await page.click('#rec-go');
  await page.waitForFunction((id) => document.querySelector('#recs-title').textContent === `Top 10 for user ${id}`, userId);
  return page.$$eval('#user-recs li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
}

describe('the page picks the WebAssembly build', { timeout: 600_000 }, () => {
  let browser, isolated, plain, broken, brokenRoot;

  before(async () => {
    const missing = checkPrerequisites();
    assert.deepEqual(missing, [], `browser tests need:\n${missing.join('\n')}`);
    assert.ok(fs.existsSync(path.join(webRoot, 'wasm/towerlens_core_mt.worker.js')),
      'web/wasm/ has no threaded build: emcmake cmake -S . -B build-wasm && cmake --build build-wasm');
    ({ server: isolated, browser } = await launch());
    plain = await startServer({ port: 0, root: webRoot, dataDir: dataRoot, isolate: false });
    // a copy of the page whose threaded build lacks its pthread worker script
    brokenRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-web-'));
    fs.cpSync(webRoot, brokenRoot, { recursive: true, dereference: true });
    fs.rmSync(path.join(brokenRoot, 'wasm/towerlens_core_mt.worker.js'));
    broken = await startServer({ port: 0, root: brokenRoot, dataDir: dataRoot });
  });

  after(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
    await broken?.close();
    if (brokenRoot) fs.rmSync(brokenRoot, { recursive: true, force: true });
  });

  it('cross-origin isolated: the threads build with a thread per core, training and recommending', async () => {
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, isolated.url);
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal(await page.getAttribute('body', 'data-build'), 'mt');
    const threads = Number(await page.getAttribute('body', 'data-threads'));
    assert.equal(threads, Math.min(CORES, 16));
    assert.ok(threads >= 2, `${threads} threads on ${CORES} cores`);
    assert.equal(await page.textContent('#engine-text'), `Engine ready · WebAssembly SIMD · threads build · ${threads} threads`);
    const recs = await trainAndRecommend(page);
    assert.equal(recs.length, 10);
    await screenshot(page, 'threads-mt-status', { clip: { x: 0, y: 0, width: 1280, height: 120 } });
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
    await context.close();
  });

  it('not isolated (scripts/serve --no-isolation): the single-threaded build, and it still trains', async () => {
    const context = await browser.newContext();
    const { page, response, problems } = await openPage(context, plain.url);
    assert.equal(response.headers()['cross-origin-embedder-policy'], undefined);
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    assert.equal(await page.getAttribute('body', 'data-build'), 'st');
    assert.equal(await page.getAttribute('body', 'data-threads'), '1');
    assert.equal(await page.textContent('#engine-text'),
      'Engine ready · WebAssembly SIMD · single-threaded build (page not cross-origin isolated)');
    assert.match(await page.getAttribute('#engine-status', 'title'), /not cross-origin isolated \(serve it with COOP\/COEP\)/);
    const recs = await trainAndRecommend(page);
    assert.equal(recs.length, 10);
    await screenshot(page, 'threads-st-status', { clip: { x: 0, y: 0, width: 1280, height: 120 } });
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
    await context.close();
  });

  it('isolated, but the threaded build cannot start its workers: the single-threaded build, and why', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, broken.url);
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 60_000 });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal(await page.getAttribute('body', 'data-build'), 'st');
    assert.equal(await page.textContent('#engine-text'),
      'Engine ready · WebAssembly SIMD · single-threaded build (the threaded build did not load)');
    assert.match(await page.getAttribute('#engine-status', 'title'),
      /a thread of the threaded build did not start: the worker script towerlens_core_mt\.worker\.js did not load/);
    await page.click('#demo-button');
    await page.waitForSelector('#summary-body:not([hidden])', { timeout: 60_000 });
    await context.close();
  });
});
