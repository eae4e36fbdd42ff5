// Shared set-up for the browser tests: the page's own server on a free port,
// Debian's Chromium through playwright-core, and file drops onto the page.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';
import { makeZip as makeZipFromEntries } from './zip-writer.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotDir = path.join(repoRoot, 'tests/browser/screenshots');
export const fixtureDir = path.join(repoRoot, 'tests/browser/fixtures');
// TL_WEB_ROOT / TL_DATA_ROOT point the tests at another copy of the page or data
export const webRoot = process.env.TL_WEB_ROOT || path.join(repoRoot, 'web');
export const dataRoot = process.env.TL_DATA_ROOT || path.join(repoRoot, 'data');
export const demoDir = path.join(dataRoot, 'demo');
export const CHROMIUM = process.env.TL_CHROMIUM || '/usr/bin/chromium';

// Names the page can rely on; a missing prerequisite fails with what to do.
export function checkPrerequisites() {
  const problems = [];
  if (!fs.existsSync(CHROMIUM)) problems.push(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!fs.existsSync(path.join(repoRoot, 'node_modules/playwright-core'))) problems.push('playwright-core is missing: npm install');
  if (!fs.existsSync(path.join(webRoot, 'wasm'))) problems.push('web/wasm/ is missing: build the WASM module (emcmake cmake -S . -B build-wasm && cmake --build build-wasm)');
  if (!fs.existsSync(path.join(demoDir, 'ratings.csv'))) problems.push('data/demo/ratings.csv is missing');
  return problems;
}

export async function launch() {
  const { chromium } = await import('playwright-core');
  const server = await startServer({ port: 0, root: webRoot, dataDir: dataRoot });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return { server, browser };
}

// Opens the page and collects what would show a problem: page errors,
// console errors and dialogs (an alert() from injected markup).
export async function openPage(context, url, { width = 1280, height = 900 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  const problems = { pageErrors: [], consoleErrors: [], dialogs: [] };
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.consoleErrors.push(m.text()); });
  page.on('dialog', (d) => { problems.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const response = await page.goto(url);
  await page.waitForSelector('body[data-engine]', { state: 'attached', timeout: 30000 });
  return { page, response, problems };
}

export function fileSpec(file, name = path.basename(file)) {
  return { name, b64: fs.readFileSync(file).toString('base64') };
}

// Drops files on the drop zone the way a browser does: a DataTransfer
// holding File objects, dispatched as dragenter, dragover and drop.
export async function dropFiles(page, specs) {
  const dataTransfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.name.endsWith('.zip') ? 'application/zip' : 'text/csv' }));
    }
    return dt;
  }, specs);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent('#dropzone', type, { dataTransfer });
  }
  await dataTransfer.dispose();
}

export function demoFiles() {
  return fs.readdirSync(demoDir).filter((f) => /\.(csv|dat)$/.test(f)).sort().map((f) => path.join(demoDir, f));
}

// A small RFC 4180 reader for checking what the page shows against the files.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// Titles as the page shows them: the movies file's titles without the year.
export function titlesOf(moviesCsv) {
  const rows = parseCsv(fs.readFileSync(moviesCsv, 'utf8')).slice(1);
  return new Map(rows.map((r) => [Number(r[0]), r[1].replace(/\s*\((\d{4})(-\d{0,4})?\)\s*$/, '').trim()]));
}

export function countRatings(ratingsCsv) {
  const text = fs.readFileSync(ratingsCsv, 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').length - 1;
}

export function firstUserId(ratingsCsv) {
  const text = fs.readFileSync(ratingsCsv, 'utf8');
  const second = text.split('\n')[1];
  return Number(second.split(',')[0]);
}

export async function screenshot(page, name, options = {}) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, ...options });
  return file;
}

// Screenshot of one section, scrolled below the sticky top bar first.
export async function sectionShot(page, selector, name) {
  await page.evaluate((sel) => document.querySelector(sel).scrollIntoView({ block: 'start', behavior: 'instant' }), selector);
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.locator(selector).screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

// A .zip (deflate) of files inside one folder, the way GroupLens packs its releases.
export function makeZip(folder, files) {
  return makeZipFromEntries(files.map((f) => ({ name: `${folder}/${path.basename(f)}`, data: fs.readFileSync(f) })));
}

// Every user's rated movies in a ratings.csv: Map userId -> Set of movieIds.
export function ratingsByUser(ratingsCsv) {
  const byUser = new Map();
  for (const r of parseCsv(fs.readFileSync(ratingsCsv, 'utf8')).slice(1)) {
    if (r.length < 3) continue;
    const u = Number(r[0]);
    if (!byUser.has(u)) byUser.set(u, new Set());
    byUser.get(u).add(Number(r[1]));
  }
  return byUser;
}

const AXE_SOURCE = path.join(repoRoot, 'node_modules/axe-core/axe.min.js');
// The rule sets the page is held to: WCAG 2.0/2.1 A and AA, and axe's best practices.
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

// axe-core's violations on the page as it is now, as short readable lines.
// The script goes in through page.evaluate (DevTools protocol), which the
// page's CSP does not govern, so the page runs unchanged.
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(fs.readFileSync(AXE_SOURCE, 'utf8'));
  }
  const violations = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join('')}`) }))), AXE_TAGS);
  return violations.map((v) => `${v.id} (${v.help}): ${v.nodes.length} node(s), e.g. ${v.nodes.slice(0, 3).join(' | ')}`);
}

// Records every text an element shows from now on (a MutationObserver in
// the page), for states that may pass too fast to catch by polling.
export async function recordTexts(page, selector, key) {
  await page.evaluate(({ selector, key }) => {
    const node = document.querySelector(selector);
    const seen = (window.__texts ||= {})[key] = [node.textContent];
    new MutationObserver(() => { if (seen[seen.length - 1] !== node.textContent) seen.push(node.textContent); })
      .observe(node, { childList: true, characterData: true, subtree: true, attributes: true });
  }, { selector, key });
  return () => page.evaluate((key) => window.__texts[key], key);
}

// Movie ids of a ratings.csv, most-rated first, as [movieId, count]; only those with a title when titles are given.
export function ratingCounts(ratingsCsv, titles = null) {
  const counts = new Map();
  for (const r of parseCsv(fs.readFileSync(ratingsCsv, 'utf8')).slice(1)) {
    if (r.length >= 3) counts.set(Number(r[1]), (counts.get(Number(r[1])) || 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).filter(([id]) => !titles || titles.has(id));
}

// Finds each movie by title in the rate-yourself panel and gives it `stars`.
export async function rateMovies(page, titles, ids, stars) {
  for (const id of ids) {
    await page.fill('#rate-query', titles.get(id));
    const button = page.locator(`#rate-results .pick[data-movie-id="${id}"]`);
    await button.waitFor({ timeout: 10_000 });
    await button.click();
    await page.click(`#my-ratings label[for="rate-${id}-${stars}"]`);
  }
}

// The usual set-up of a test file: prerequisites checked, the server and
// Chromium started, the page open with its engine ready.
export async function startSession({ colorScheme } = {}) {
  const missing = checkPrerequisites();
  if (missing.length) throw new Error(`browser tests need:\n${missing.join('\n')}`);
  const { server, browser } = await launch();
  const context = await browser.newContext(colorScheme ? { colorScheme } : {});
  const { page, problems, response } = await openPage(context, server.url);
  await page.waitForSelector('body[data-engine="ready"]', { timeout: 30_000 });
  return { server, browser, context, page, problems, response };
}
