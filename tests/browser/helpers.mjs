// Shared set-up for the browser tests: the page's own server on a free port,
// Debian's Chromium through playwright-core, and file drops onto the page.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

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
  const page = await context.newPage({ viewport: { width, height } });
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

// Builds a .zip (deflate) in memory the way GroupLens packs its releases:
// every file inside one folder. Uses CompressionStream, so no library.
export async function makeZip(folder, files) {
  const crcTable = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (b) => { let c = ~0; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return ~c >>> 0; };
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const file of files) {
    const data = fs.readFileSync(file);
    const name = Buffer.from(`${folder}/${path.basename(file)}`);
    const deflated = Buffer.from(await new Response(new Blob([data]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x800, 6); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(deflated.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(0x800, 8); central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(deflated.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, deflated);
    centrals.push(central, name);
    offset += local.length + name.length + deflated.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
