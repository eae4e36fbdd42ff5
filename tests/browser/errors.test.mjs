// Bad input, hostile input and the server's headers: a malformed ratings
// file shows file:line:reason next to the drop zone and a good load can
// follow; a movie titled <img src=x onerror=alert(1)> renders as text; a
// GroupLens-style .zip and a folder load; CSP, COOP/COEP and MIME types.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import {
  checkPrerequisites, launch, openPage, dropFiles, fileSpec, fixtureDir, webRoot, sectionShot, makeZip, countRatings,
} from './helpers.mjs';

const XSS_TITLE = '<img src=x onerror=alert(1)>';
const xss = (f) => path.join(fixtureDir, 'xss', f);
const bad = (f) => path.join(fixtureDir, 'bad', f);

describe('towerlens page with bad and hostile files', { timeout: 600_000 }, () => {
  let server, browser, context, page, problems, response;

  before(async () => {
    const missing = checkPrerequisites();
    assert.deepEqual(missing, [], `browser tests need:\n${missing.join('\n')}`);
    ({ server, browser } = await launch());
    context = await browser.newContext();
    ({ page, problems, response } = await openPage(context, server.url));
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is served with CSP, cross-origin isolation and application/wasm', async () => {
    const h = response.headers();
    assert.equal(h['cross-origin-opener-policy'], 'same-origin');
    assert.equal(h['cross-origin-embedder-policy'], 'require-corp');
    const csp = h['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
    const wasm = fs.readdirSync(path.join(webRoot, 'wasm')).find((f) => f.endsWith('.wasm'));
    const res = await page.request.get(`${server.url}wasm/${wasm}`);
    assert.equal(res.headers()['content-type'], 'application/wasm');
    // no inline script anywhere in the page
    assert.equal(await page.$$eval('script:not([src])', (s) => s.length), 0);
    assert.equal((await page.request.get(`${server.url}../../etc/passwd`)).status(), 404);
  });

  it('shows file, line and reason for a malformed ratings file', async () => {
    await dropFiles(page, [fileSpec(bad('ratings.csv')), fileSpec(bad('movies.csv'))]);
    await page.waitForSelector('#load-errors:not([hidden])', { timeout: 30_000 });
    const where = await page.textContent('#load-errors .where');
    assert.equal(where, 'ratings.csv:3');
    assert.match(await page.textContent('#load-errors .reason'), /7\.5/);
    assert.equal(await page.isHidden('#summary-body'), true, 'no dataset was loaded');
    await sectionShot(page, '#data', 'app-error');
  });

  it('loads a good file after the failed one, without a reload', async () => {
    await dropFiles(page, [fileSpec(xss('ratings.csv')), fileSpec(xss('movies.csv'))]);
    await page.waitForSelector('#summary-body:not([hidden])', { timeout: 30_000 });
    assert.equal(await page.isHidden('#load-errors'), true, 'the old error is gone');
    assert.equal(Number((await page.textContent('#sum-ratings')).replace(/,/g, '')), countRatings(xss('ratings.csv')));
  });

  it('renders a hostile movie title as text', async () => {
    await page.waitForSelector('body[data-training="done"]', { timeout: 120_000 });
    await page.fill('#sim-query', 'onerror');
    const button = page.locator('#sim-results .pick[data-movie-id="1"]');
    await button.waitFor({ timeout: 10_000 });
    assert.equal(await button.locator('.movie-title').evaluate((n) => n.firstChild.textContent), XSS_TITLE);
    await button.click();
    await page.waitForFunction(() => document.querySelectorAll('#sim-list li:not(.empty)').length > 0);
    assert.match(await page.textContent('#sim-heading'), /<img src=x onerror=alert\(1\)>/);
    // and in a user's list: user ids who rated movie 1 are in the fixture
    const raters = fs.readFileSync(xss('ratings.csv'), 'utf8').split('\n').slice(1).filter((l) => l.split(',')[1] === '1').map((l) => l.split(',')[0]);
    await page.fill('#rec-user', raters[0]);
    await page.uncheck('#rec-exclude');
    await page.fill('#rec-k', '40');
    await page.click('#rec-go');
    await page.waitForSelector('#user-recs li[data-movie-id="1"]');
    assert.equal(await page.$$eval('img[src="x"]', (imgs) => imgs.length), 0, 'no element was created from the title');
    assert.deepEqual(problems.dialogs, [], 'no script ran');
    const texts = await page.$$eval('.movie-title', (els) => els.map((e) => e.firstChild.textContent));
    assert.ok(texts.includes(XSS_TITLE));
    assert.ok(texts.includes('Salt & Pepper "Deluxe"'), 'quotes and ampersands survive');
    await sectionShot(page, '#similar', 'app-xss');
  });

  it('reads a GroupLens-style .zip with the files inside a folder', async () => {
    const zip = await makeZip('ml-fixture', [xss('links.csv'), xss('movies.csv'), xss('ratings.csv')].filter((f) => fs.existsSync(f)));
    const file = path.join(fs.mkdtempSync('/tmp/tl-zip-'), 'ml-fixture.zip');
    fs.writeFileSync(file, zip);
    await dropFiles(page, [fileSpec(file)]);
    await page.waitForFunction(() => document.querySelector('#summary-source').textContent.includes('ratings.csv') && !document.querySelector('#dropzone').classList.contains('busy'), null, { timeout: 30_000 });
    assert.equal(await page.isHidden('#load-errors'), true);
    const names = await page.$$eval('#file-progress .name', (els) => els.map((e) => e.textContent));
    assert.ok(names.includes('ml-fixture.zip › ratings.csv'), names.join(', '));
    assert.equal(Number((await page.textContent('#sum-ratings')).replace(/,/g, '')), countRatings(xss('ratings.csv')));
  });

  it('reads a folder chosen with the folder picker', async () => {
    await page.setInputFiles('#folder-input', path.join(fixtureDir, 'xss'));
    await page.waitForFunction(() => document.querySelector('#summary-source').textContent.includes('movies.csv') && !document.querySelector('#dropzone').classList.contains('busy'), null, { timeout: 30_000 });
    assert.equal(await page.isHidden('#load-errors'), true);
    assert.equal(Number((await page.textContent('#sum-ratings')).replace(/,/g, '')), countRatings(xss('ratings.csv')));
  });

  it('reports a damaged zip next to the drop zone', async () => {
    const zip = await makeZip('ml-fixture', [xss('movies.csv'), xss('ratings.csv')]);
    zip.fill(0, 200, 260); // overwrite deflate data of the first entry
    const file = path.join(fs.mkdtempSync('/tmp/tl-zip-'), 'damaged.zip');
    fs.writeFileSync(file, zip);
    await dropFiles(page, [fileSpec(file)]);
    await page.waitForSelector('#load-errors:not([hidden])', { timeout: 30_000 });
    assert.match(await page.textContent('#load-errors'), /damaged\.zip: ml-fixture\/movies\.csv/);
    assert.deepEqual(problems.pageErrors, []);
  });
});
