// Shared set-up of the tests of what `npm run build:dist` writes: building
// dist/ when it is missing, Debian's Chromium through playwright-core.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, CHROMIUM } from '../browser/helpers.mjs';

export const distDir = path.join(repoRoot, 'dist');

// scripts/test builds dist/ before these tests; run alone, they build it.
export function ensureDist() {
  if (fs.existsSync(path.join(distDir, 'towerlens.html')) && fs.existsSync(path.join(distDir, 'site/index.html'))) return;
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build-dist.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build:dist failed');
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// Page errors, console errors (a CSP refusal is one) and dialogs.
export function watchProblems(page) {
  const problems = { pageErrors: [], consoleErrors: [], dialogs: [] };
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.consoleErrors.push(m.text()); });
  page.on('dialog', (d) => { problems.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  return problems;
}

// Asks the recommend panel for a user's top-k; returns the movie ids shown.
export async function topK(page, userId, k = 10) {
  await page.evaluate(() => document.querySelector('#user-recs').replaceChildren());
  await page.fill('#rec-user', String(userId));
  await page.fill('#rec-k', String(k));
  await page.click('#rec-go');
  await page.waitForFunction((n) => document.querySelectorAll('#user-recs li').length === n, k, { timeout: 30_000 });
  return page.$$eval('#user-recs li', (lis) => lis.map((li) => ({ id: Number(li.dataset.movieId), title: li.querySelector('.movie-title').firstChild.textContent })));
}
