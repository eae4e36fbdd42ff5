// Accessibility with axe-core (npm, run inside the page): every state of the
// page — empty, loaded, training, recommendations, similar movies, rated by
// the visitor, a load error — has zero violations of WCAG 2.0/2.1 A and AA
// and axe's best practices, in light and in dark mode.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  startSession, dropFiles, fileSpec, demoDir, fixtureDir, titlesOf, axeViolations, ratingCounts, rateMovies,
} from './helpers.mjs';

const TRAIN_TIMEOUT = 240_000;

for (const colorScheme of ['light', 'dark']) {
  describe(`accessibility of every state of the page (axe-core, ${colorScheme})`, { timeout: 600_000 }, () => {
    let server, browser, page;

    async function expectClean(state) {
      const found = await axeViolations(page);
      assert.deepEqual(found, [], `${state} (${colorScheme}): ${found.length} axe violation(s)`);
    }

    before(async () => {
      ({ server, browser, page } = await startSession({ colorScheme }));
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    it('empty', async () => {
      await expectClean('empty page');
    });

    it('load error', async () => {
      await dropFiles(page, [fileSpec(path.join(fixtureDir, '../../fixtures/bad/rating_out_of_range.csv'), 'ratings.csv')]);
      await page.waitForSelector('#load-errors:not([hidden])', { timeout: 30_000 });
      await expectClean('load error');
    });

    it('loaded, then training', async () => {
      await page.uncheck('#autostart');
      await page.click('#demo-button');
      await page.waitForSelector('#summary-body:not([hidden])', { timeout: 60_000 });
      await expectClean('loaded');
      await page.fill('#set-epochs', '200'); // long enough to look at it while it runs
      await page.click('#train-start');
      await page.waitForSelector('#metrics-body tr.latest', { timeout: TRAIN_TIMEOUT });
      assert.equal(await page.getAttribute('body', 'data-training'), 'running');
      await expectClean('training');
      await page.click('#train-stop');
      await page.waitForSelector('body[data-training="stopped"]');
      // a field with a message is part of the training panel's states
      await page.fill('#set-epochs', '0');
      await page.click('#train-start');
      await page.waitForSelector('#set-epochs[aria-invalid="true"]');
      await expectClean('settings with a message');
      await page.fill('#set-epochs', '');
      await page.fill('#set-test', '0');
      await page.click('#train-start');
      await page.waitForSelector('body[data-training="done"]', { timeout: TRAIN_TIMEOUT });
      await expectClean('trained');
    });

    it('recommendations', async () => {
      await page.fill('#rec-user', '1');
      await page.click('#rec-go');
      await page.waitForFunction(() => document.querySelectorAll('#user-recs li[data-movie-id]').length === 10);
      await page.waitForFunction(() => document.querySelectorAll('#user-rated li[data-movie-id]').length > 0);
      await expectClean('recommendations');
    });

    it('similar movies', async () => {
      const titles = titlesOf(path.join(demoDir, 'movies.csv'));
      const top = ratingCounts(path.join(demoDir, 'ratings.csv'), titles).map(([id]) => id);
      await page.fill('#sim-query', titles.get(top[0]));
      const pick = page.locator(`#sim-results .pick[data-movie-id="${top[0]}"]`);
      await pick.waitFor({ timeout: 10_000 });
      await expectClean('title search results');
      await pick.click();
      await page.waitForFunction(() => document.querySelectorAll('#sim-list li[data-movie-id]').length === 10);
      await expectClean('similar movies');
      await rateMovies(page, titles, top.slice(1, 4), 4);
      await page.click('#rate-go');
      await page.waitForFunction(() => document.querySelectorAll('#rate-list li[data-movie-id]').length === 10);
      await expectClean('rated by the visitor');
    });
  });
}
