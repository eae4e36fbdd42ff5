// The rough edges a first visitor hits (issue 13, section 5): the page
// opened from disk says at once that it must be served; ratings without
// titles say so, and movies.csv dropped later adds the titles without the
// ratings again; a zip load names the entries it used and skipped; the demo
// data (generated, made-up ids) has no IMDb/TMDb links; "1 rating"; at
// 390 px the header is one line and the answer comes first.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  checkPrerequisites, launch, openPage, dropFiles, fileSpec, fixtureDir, webRoot, demoDir, countRatings, titlesOf, screenshot, ratingCounts,
} from './helpers.mjs';
import { makeZip } from './zip-writer.mjs';

const TRAIN_TIMEOUT = 240_000;
const fixtures = path.resolve(fixtureDir, '../../fixtures');

describe('rough edges a first visitor hits', { timeout: 600_000 }, () => {
  let server, browser;

  before(async () => {
    const missing = checkPrerequisites();
    assert.deepEqual(missing, [], `browser tests need:\n${missing.join('\n')}`);
    ({ server, browser } = await launch());
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opened as a file, says at once that it must be served and how', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(pathToFileURL(path.join(webRoot, 'index.html')).href);
    // set by the classic script as soon as the document is parsed, not after a timeout
    await page.waitForSelector('body[data-engine="file"]', { timeout: 5_000 });
    assert.equal(await page.isVisible('#file-notice'), true);
    const notice = await page.textContent('#file-notice');
    assert.match(notice, /needs to be served/);
    assert.match(notice, /\.\/scripts\/serve/);
    assert.match(notice, /\.\/scripts\/demo/);
    assert.match(await page.textContent('#engine-text'), /must be served/);
    assert.doesNotMatch(await page.textContent('#engine-text'), /Starting the engine/);
    await context.close();
  });

  it('served, never shows the file notice', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, server.url);
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    assert.equal(await page.isVisible('#file-notice'), false);
    await context.close();
  });

  it('ratings without movies.csv say titles are missing; movies.csv dropped later adds them', async () => {
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, server.url);
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    await page.uncheck('#autostart');
    await dropFiles(page, [fileSpec(path.join(demoDir, 'ratings.csv'))]);
    await page.waitForSelector('#summary-body:not([hidden])', { timeout: 60_000 });
    assert.equal(await page.isVisible('#titles-missing'), true);
    assert.match(await page.textContent('#titles-missing'), /No titles:.*Drop movies\.csv.*the ratings stay loaded/s);
    const ratings = countRatings(path.join(demoDir, 'ratings.csv'));
    assert.equal(Number((await page.textContent('#sum-ratings')).replace(/,/g, '')), ratings);
    // movies.csv alone: read again with the ratings kept by the worker
    await dropFiles(page, [fileSpec(path.join(demoDir, 'movies.csv'))]);
    await page.waitForSelector('#titles-missing[hidden]', { state: 'attached', timeout: 60_000 });
    assert.equal(Number((await page.textContent('#sum-ratings')).replace(/,/g, '')), ratings, 'the ratings were not dropped again');
    assert.match(await page.textContent('#summary-files'), /movies\.csv added to the files loaded before/);
    // the catalogue has the titles now
    const titles = titlesOf(path.join(demoDir, 'movies.csv'));
    const [id, title] = [...titles][0];
    await page.fill('#sim-query', title);
    await page.locator(`#sim-results .pick[data-movie-id="${id}"]`).waitFor({ timeout: 10_000 });
    assert.deepEqual(problems.pageErrors, []);
    await context.close();
  });

  it('a zip load names the entries it used and those it skipped', async () => {
    const dir = path.join(fixtures, 'ml-100k');
    const copy = fs.readFileSync(path.join(dir, 'u1.base'));
    const entries = ['README', 'u.data', 'u.genre', 'u.info', 'u.item', 'u.user'].map((f) => ({ name: `ml-100k/${f}`, data: fs.readFileSync(path.join(dir, f)) }));
    for (let k = 1; k <= 5; k++) for (const part of ['base', 'test']) entries.push({ name: `ml-100k/u${k}.${part}`, data: copy });
    const zip = Buffer.from(await makeZip(entries));
    const context = await browser.newContext();
    const { page } = await openPage(context, server.url);
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    await page.uncheck('#autostart');
    await dropFiles(page, [{ name: 'ml-100k.zip', b64: zip.toString('base64') }]);
    await page.waitForSelector('#summary-body:not([hidden])', { timeout: 60_000 });
    const text = await page.textContent('#summary-files');
    assert.match(text, /^Read ml-100k\.zip › u\.data, u\.item; skipped /);
    for (let k = 1; k <= 5; k++) for (const part of ['base', 'test']) assert.ok(text.includes(`u${k}.${part}`), `u${k}.${part} named as skipped: ${text}`);
    assert.ok(text.indexOf('u1.base') > text.indexOf('skipped'));
    await context.close();
  });

  it('the demo data (generated, made-up ids) links to no IMDb or TMDb page; one rating is "1 rating"', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, server.url);
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    await page.click('#demo-button');
    await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
    await page.fill('#rec-user', '1');
    await page.click('#rec-go');
    await page.waitForFunction(() => document.querySelectorAll('#user-recs li[data-movie-id]').length === 10);
    assert.equal(await page.$$eval('a[href*="imdb.com"], a[href*="themoviedb.org"]', (as) => as.length), 0);
    // a movie rated once, found by title
    const titles = titlesOf(path.join(demoDir, 'movies.csv'));
    const once = ratingCounts(path.join(demoDir, 'ratings.csv'), titles).filter(([, n]) => n === 1).map(([mid]) => mid);
    const unique = once.find((mid) => [...titles.values()].filter((t) => t === titles.get(mid)).length === 1);
    await page.fill('#sim-query', titles.get(unique));
    const pick = page.locator(`#sim-results .pick[data-movie-id="${unique}"]`);
    await pick.waitFor({ timeout: 10_000 });
    assert.match(await pick.textContent(), /\b1 rating\b(?!s)/);
    assert.doesNotMatch(await page.textContent('body'), /\b1 ratings\b/);
    await context.close();
  });

  it('at 390 px the header is one line, nav jumps show the heading, and recommendations come first', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, server.url, { width: 390, height: 844 });
    await page.emulateMedia({ reducedMotion: 'reduce' }); // nav jumps land at once (no smooth scrolling)
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
    const header = await page.locator('.topbar').boundingBox();
    assert.ok(header.height <= 60, `the header is one line (${header.height}px high)`);
    for (const [link, heading] of [['Recommend', '#rec-title'], ['Rate', '#rate-title'], ['Train', '#train-title']]) {
      await page.click(`.nav a:text-is("${link}")`);
      await page.waitForFunction((id) => location.hash === `#${id}`, link === 'Recommend' ? 'recommend' : link.toLowerCase());
      const top = await page.evaluate((sel) => document.querySelector(sel).getBoundingClientRect().top, heading);
      const bar = await page.evaluate(() => document.querySelector('.topbar').getBoundingClientRect().bottom);
      assert.ok(top >= bar, `${heading} is below the header after the ${link} jump (${top} < ${bar})`);
    }
    const recs = await page.locator('#user-recs').boundingBox();
    const rated = await page.locator('#user-rated').boundingBox();
    assert.ok(recs.y < rated.y, 'recommendations come before the user\'s own top-rated list');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
    await screenshot(page, 'edges-narrow-header');
    await context.close();
  });
});
