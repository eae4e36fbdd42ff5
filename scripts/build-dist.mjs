#!/usr/bin/env node
// npm run build:dist — writes what a user can take away, from web/ and the
// WebAssembly builds (built first when missing or stale):
//   dist/towerlens.html   one self-contained page that works opened from disk
//                         (file://): page, styles, a classic Blob-URL worker,
//                         the single-threaded SIMD module and the demo data
//                         inlined; size budget 1.5 MB
//   dist/site/            the page as a static site for any host: a service
//                         worker adds COOP/COEP, so it gets threads after one
//                         reload even where the host sends no such headers
// Options: --out DIR (default dist), --no-wasm (use the WASM builds as they
// are, never run cmake), --check-package (only check that web/wasm/ holds
// both builds, for `npm pack`). See README "Open it from disk", "Put it on a
// static host".
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const distSrc = path.join(web, 'dist-src');
const buildWasm = path.join(root, 'build-wasm');
export const SINGLE_FILE_BUDGET = 1.5e6; // bytes
// Fixed base of the single-file worker's relative URLs (a Blob URL has none);
// web/dist-src/single-worker.js answers fetches below it from inlined data.
const SINGLE_BASE = 'https://towerlens.invalid/';
// What the npm package and dist/site need from web/wasm/.
export const WASM_FILES = [
  'towerlens_core.mjs', 'towerlens_core.wasm',
  'towerlens_core_mt.mjs', 'towerlens_core_mt.wasm', 'towerlens_core_mt.worker.js', 'package.json',
];
const CLASSIC_GLUE = path.join(buildWasm, 'dist/towerlens_core_classic.js');
const CLASSIC_WASM = path.join(buildWasm, 'dist/towerlens_core_classic.wasm');

function fail(message) {
  console.error(`build-dist: ${message}`);
  process.exit(1);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function missingWasm() {
  return WASM_FILES.map((f) => path.join(web, 'wasm', f)).concat(CLASSIC_GLUE, CLASSIC_WASM)
    .filter((f) => !fs.existsSync(f));
}

// Both ES-module builds (web/wasm/) and the classic build (build-wasm/dist/).
function buildWasmModules() {
  if (!fs.existsSync(path.join(buildWasm, 'CMakeCache.txt'))) {
    run('emcmake', ['cmake', '-S', '.', '-B', 'build-wasm', '-DCMAKE_BUILD_TYPE=Release']);
  }
  run('cmake', ['--build', 'build-wasm', '--target', 'towerlens_wasm', 'towerlens_wasm_classic', '-j2']);
}

const sha256 = (text) => `'sha256-${crypto.createHash('sha256').update(text).digest('base64')}'`;
const gzipBase64 = (bytes) => zlib.gzipSync(bytes, { level: 9 }).toString('base64');
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;

// Inline script text must not end its <script> element early.
function scriptText(js, what) {
  if (/<!--/.test(js)) fail(`${what} contains "<!--", which an inline <script> cannot hold`);
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

async function bundle(entry, options) {
  const esbuild = await import('esbuild').catch(() => fail('esbuild is missing: npm ci'));
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    keepNames: true,
    write: false,
    logLevel: 'warning',
    external: ['node:*'], // the JS API's Node-only paths, never run in a browser
    ...options,
  });
  return result.outputFiles[0].text;
}

// The JS API loads its WebAssembly glue with import(url); in the single file
// there is nothing to import, so every import() of a computed URL becomes a
// call the worker's prelude answers (web/dist-src/single-worker.js).
function dynamicImportPlugin(counter) {
  return {
    name: 'towerlens-inline-wasm',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => {
        const source = fs.readFileSync(args.path, 'utf8');
        const contents = source.replace(/\bimport\((?=\s*[^'"`\s])/g, () => {
          counter.n++;
          return '__towerlensImport(';
        });
        return { contents, loader: 'js' };
      });
    },
  };
}

function dataUri(file) {
  const type = { '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' }[path.extname(file)];
  return `data:${type};base64,${fs.readFileSync(file).toString('base64')}`;
}

function demoFiles() {
  const dir = path.join(root, 'data/demo');
  // the files the worker's demo button fetches (links.csv's ids are made up: not shipped)
  return fs.readdirSync(dir).filter((f) => f.endsWith('.csv') && f !== 'links.csv').sort().map((f) => path.join(dir, f));
}

async function buildSingleFile(out) {
  // the file:// notice (app/file-check.js and its #file-notice) is for the served page only: this one works from disk
  const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8')
    .replace(/ *<script src="app\/file-check\.js"[^>]*><\/script>\n?/, '')
    .replace(/ *<div [^>]*id="file-notice"[^>]*>[\s\S]*?<\/div>\n?/, '');
  const entry = /<script type="module" src="([^"]+)"><\/script>\s*/.exec(html);
  if (!entry) fail('web/index.html has no <script type="module" src=…> to bundle');

  // the worker: classic glue + inlined assets + prelude + the bundled worker.js
  const counter = { n: 0 };
  const workerBundle = await bundle(path.join(web, 'worker.js'), {
    define: { 'import.meta.url': JSON.stringify(`${SINGLE_BASE}web/lib/module.js`), 'self.location.href': JSON.stringify(SINGLE_BASE) },
    plugins: [dynamicImportPlugin(counter)],
  });
  if (counter.n === 0) fail('the JS API no longer loads its glue with import(url): update dynamicImportPlugin');
  const demo = Object.fromEntries(demoFiles().map((f) => [path.basename(f), gzipBase64(fs.readFileSync(f))]));
  const assets = { wasm: gzipBase64(fs.readFileSync(CLASSIC_WASM)), demo };
  const workerJs = scriptText([
    fs.readFileSync(CLASSIC_GLUE, 'utf8'),
    `var TOWERLENS_ASSETS = ${JSON.stringify(assets)};`,
    fs.readFileSync(path.join(distSrc, 'single-worker.js'), 'utf8'),
    workerBundle,
  ].join('\n'), 'the worker');

  // the page: Worker redirect + the bundled page modules, run at the end of <body>
  const pageBundle = await bundle(path.join(web, entry[1]), { define: { 'import.meta.url': 'document.baseURI' } });
  const pageJs = scriptText(`${fs.readFileSync(path.join(distSrc, 'single-page.js'), 'utf8')}\n${pageBundle}`, 'the page');

  let css = '';
  let page = html.replace(entry[0], '').replace(/<link rel="stylesheet" href="([^"]+)">/g, (_, href) => {
    css += fs.readFileSync(path.join(web, href), 'utf8');
    return '<style>__CSS__</style>';
  });
  if (/<\/style/i.test(css)) fail('app.css contains "</style"');
  // (function replacements: the inlined text holds `$` patterns)
  page = page.replace('<style>__CSS__</style>', () => `<style>${css}</style>`).replace(/<style>__CSS__<\/style>/g, '');
  page = page.replace(/(src|href)="([^":#]+\.(?:svg|png|ico))"/g, (all, attr, file) => {
    const f = path.join(web, file);
    return fs.existsSync(f) ? `${attr}="${dataUri(f)}"` : all;
  });
  // Nothing is fetched: inline code allowed by hash, the worker from a Blob
  // URL, WebAssembly compiled from bytes, images from data: URIs.
  const csp = [
    "default-src 'none'", `script-src ${sha256(pageJs)} 'wasm-unsafe-eval'`, 'worker-src blob:',
    `style-src ${sha256(css)}`, 'img-src data: blob:', 'connect-src data: blob:', "object-src 'none'",
    "base-uri 'none'", "form-action 'none'",
  ].join('; ');
  const withCsp = page.replace(/(<meta http-equiv="Content-Security-Policy" content=")[^"]*(">)/, (_, a, b) => `${a}${csp}${b}`);
  if (withCsp === page) fail('web/index.html has no Content-Security-Policy <meta> to replace');
  page = withCsp.replace('<html', '<html data-dist="single-file"').replace('</body>', () =>
    `<script type="text/x-towerlens-worker" id="towerlens-worker-source">${workerJs}</script>\n<script>${pageJs}</script>\n</body>`);

  const file = path.join(out, 'towerlens.html');
  fs.writeFileSync(file, page);
  return { file, bytes: Buffer.byteLength(page) };
}

function copyDir(from, to, skip = () => false) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    if (skip(src)) continue;
    if (entry.isDirectory()) copyDir(src, path.join(to, entry.name), skip);
    else fs.copyFileSync(src, path.join(to, entry.name));
  }
}

function buildSite(out) {
  const site = path.join(out, 'site');
  fs.rmSync(site, { recursive: true, force: true });
  copyDir(web, site, (f) => f === distSrc);
  copyDir(path.join(root, 'data/demo'), path.join(site, 'data/demo'));
  // the service worker adds COOP/COEP; coi.js reloads once into isolation
  const sw = fs.readFileSync(path.join(web, 'sw.js'), 'utf8');
  const on = sw.replace('const ADD_ISOLATION_HEADERS = false;', 'const ADD_ISOLATION_HEADERS = true;');
  if (on === sw) fail('web/sw.js has no "const ADD_ISOLATION_HEADERS = false;" to turn on');
  fs.writeFileSync(path.join(site, 'sw.js'), on);
  fs.copyFileSync(path.join(distSrc, 'coi.js'), path.join(site, 'coi.js'));
  const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
  const withCoi = html.replace(/<script type="module"/, '<script src="coi.js"></script>\n  $&');
  if (withCoi === html) fail('web/index.html has no module <script> to put coi.js before');
  fs.writeFileSync(path.join(site, 'index.html'), withCoi);
  let bytes = 0;
  const count = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) e.isDirectory() ? count(path.join(d, e.name)) : (bytes += fs.statSync(path.join(d, e.name)).size); };
  count(site);
  return { dir: site, bytes };
}

async function main() {
  const args = process.argv.slice(2);
  const outArg = args.indexOf('--out');
  const out = path.resolve(root, outArg >= 0 ? args[outArg + 1] : 'dist');
  if (args.includes('--check-package')) {
    const missing = WASM_FILES.filter((f) => !fs.existsSync(path.join(web, 'wasm', f)));
    if (missing.length) fail(`web/wasm/ lacks ${missing.join(', ')}: build it first (npm run build:wasm)`);
    return;
  }
  if (!args.includes('--no-wasm')) buildWasmModules();
  const missing = missingWasm();
  if (missing.length) fail(`missing ${missing.map((f) => path.relative(root, f)).join(', ')}: run without --no-wasm`);
  fs.mkdirSync(out, { recursive: true });
  const single = await buildSingleFile(out);
  const site = buildSite(out);
  console.log(`build-dist: ${path.relative(root, single.file)} ${kB(single.bytes)} (budget ${kB(SINGLE_FILE_BUDGET)})`);
  console.log(`build-dist: ${path.relative(root, site.dir)}/ ${kB(site.bytes)}`);
  if (single.bytes > SINGLE_FILE_BUDGET) fail(`${path.relative(root, single.file)} is over its budget`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
