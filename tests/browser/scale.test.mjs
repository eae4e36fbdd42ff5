// The page at scale: a generated MovieLens-format set of 5 million ratings
// (32,000 users, 12,000 movies; build/towerlens generate, cached in the OS
// temp dir) chosen in the file input as a visitor would, one epoch of the
// default model from the training panel, then recommendations for a user,
// all without the tab running out of memory. Skips (with a message) when the
// native CLI is not built.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPrerequisites, launch, openPage, repoRoot, screenshot } from './helpers.mjs';

const CLI = path.join(repoRoot, 'build/towerlens');
const SHAPE = { users: 32000, movies: 12000, ratings: 5_000_000, seed: 3 };
const DIR = path.join(os.tmpdir(), 'towerlens-bench',
  `gen-u${SHAPE.users}-m${SHAPE.movies}-r${SHAPE.ratings}-s${SHAPE.seed}`);
const HAVE_CLI = fs.existsSync(CLI) && spawnSync(CLI, ['generate', '--help']).status === 0;
const SKIP = HAVE_CLI ? false : `SKIP: ${CLI} is not built (cmake -S . -B build && cmake --build build); the 5M-rating page test needs it to generate data`;
const STEP_TIMEOUT = 600_000;

// The generated set, written once (same seed, same bytes).
function generated() {
  if (!fs.existsSync(path.join(DIR, 'done'))) {
    fs.mkdirSync(DIR, { recursive: true });
    execFileSync(CLI, ['generate', '--users', String(SHAPE.users), '--movies', String(SHAPE.movies),
      '--ratings', String(SHAPE.ratings), '--seed', String(SHAPE.seed), '--quiet', '--out', DIR]);
    fs.writeFileSync(path.join(DIR, 'done'), '');
  }
  return JSON.parse(execFileSync(CLI, ['stats', '--json', DIR], { encoding: 'utf8', maxBuffer: 1 << 24 }));
}

const number = (text) => Number(String(text).replace(/,/g, ''));

describe('the page with 5 million ratings', { timeout: 1_200_000, skip: SKIP }, () => {
  let server, browser, page, problems, stats, firstUser;
  const crashes = [];

  before(async () => {
    const missing = checkPrerequisites();
    assert.deepEqual(missing, [], `browser tests need:\n${missing.join('\n')}`);
    stats = generated();
    const head = Buffer.alloc(256);
    const fd = fs.openSync(path.join(DIR, 'ratings.csv'), 'r');
    fs.readSync(fd, head, 0, 256, 0);
    fs.closeSync(fd);
    firstUser = Number(head.toString().split('\n')[1].split(',')[0]);
    ({ server, browser } = await launch());
    const context = await browser.newContext();
    // the worker reports its WebAssembly memory on its messages; keep the largest
    await context.addInitScript(() => {
      const Native = self.Worker;
      self.__tlWasmBytes = 0;
      self.Worker = class extends Native {
        constructor(...args) {
          super(...args);
          this.addEventListener('message', (e) => {
            const b = e.data && e.data.wasmBytes;
            if (b > self.__tlWasmBytes) self.__tlWasmBytes = b;
          });
        }
      };
    });
    ({ page, problems } = await openPage(context, server.url));
    page.on('crash', () => crashes.push('the tab crashed (out of memory?)'));
    await page.waitForSelector('body[data-engine="ready"]', { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reads the files chosen in the file input and shows their summary', async () => {
    // as a visitor who sets the epochs first: no training starts on its own
    if (await page.isChecked('#autostart')) await page.uncheck('#autostart');
    await page.fill('#set-epochs', '1');
    const t0 = Date.now();
    await page.setInputFiles('#file-input', [path.join(DIR, 'ratings.csv'), path.join(DIR, 'movies.csv')]);
    await page.waitForFunction((n) => document.querySelector('#sum-ratings')?.textContent.replace(/,/g, '') === String(n),
      stats.ratings, { timeout: STEP_TIMEOUT });
    console.log(`# read ${stats.ratings} ratings through the page in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.equal(stats.ratings, SHAPE.ratings);
    assert.equal(number(await page.textContent('#sum-ratings')), SHAPE.ratings);
    assert.equal(number(await page.textContent('#sum-users')), stats.users);
    assert.equal(number(await page.textContent('#sum-movies')), stats.movies);
    assert.ok(stats.users > 30000 && stats.users <= SHAPE.users, `${stats.users} users`);
    assert.deepEqual(crashes, []);
  });

  it('trains one epoch of the default model from the training panel', async () => {
    const t0 = Date.now();
    await page.click('#train-start');
    await page.waitForSelector('body[data-training="done"]', { timeout: STEP_TIMEOUT });
    console.log(`# one epoch (and its evaluation) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.deepEqual(crashes, []);
    const rows = await page.$$eval('#metrics-body tr:not(.baseline):not(.empty)', (trs) => trs.length);
    assert.equal(rows, 1, 'one epoch, one metrics row');
    const cells = await page.$$eval('#metrics-body tr.latest td', (tds) => tds.map((td) => td.textContent));
    assert.ok(cells.slice(0, 3).every((c) => /^\d\.\d{3}$/.test(c)), `metrics are numbers: ${cells}`);
    // the evaluation at this size is a seeded sample, and the table says so
    const note = await page.textContent('#metrics-note');
    const m = /seeded sample, seed (\d+): ([\d,]+) of ([\d,]+) test rows, ([\d,]+) of ([\d,]+) test users/.exec(note);
    assert.ok(m, `the table names the sample: "${note}"`);
    assert.equal(m[1], '42'); // the default preset's seed
    assert.equal(number(m[4]), 2000);
    assert.ok(number(m[5]) > 30000, `${m[5]} test users`);
    assert.ok(number(m[2]) > 2000 && number(m[2]) < number(m[3]), `${m[2]} of ${m[3]} test rows`);
    const wasmBytes = await page.evaluate(() => self.__tlWasmBytes);
    console.log(`# worker WebAssembly memory after the epoch: ${(wasmBytes / 1e6).toFixed(0)} MB`);
    assert.ok(wasmBytes > 5_000_000 * 9 && wasmBytes < 2 ** 32, `${wasmBytes} bytes of WebAssembly memory`);
  });

  it('recommends ten movies for a user', async () => {
    const userId = firstUser;
    await page.fill('#rec-user', String(userId));
    await page.fill('#rec-k', '10');
    await page.click('#rec-go');
    await page.waitForFunction((id) => document.querySelector('#recs-title')?.textContent === `Top 10 for user ${id}`,
      userId, { timeout: 60_000 });
    const items = await page.$$eval('#user-recs li', (lis) => lis.map((li) => Number(li.dataset.movieId)));
    assert.equal(items.length, 10);
    assert.equal(new Set(items).size, 10);
    for (const id of items) assert.ok(Number.isInteger(id) && id >= 1, `movie ${id}`);
    await screenshot(page, 'scale-5m', { fullPage: true });
    assert.deepEqual(crashes, []);
    assert.deepEqual(problems.pageErrors, []);
  });
});
