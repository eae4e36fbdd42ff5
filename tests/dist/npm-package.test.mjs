// The npm package: `npm pack` holds both WebAssembly builds, the JS API, its
// types and a README; `npm publish --dry-run` passes; the tarball installed
// into a fresh project (offline: the package has no dependencies) trains in
// Node 20 from its default .wasm locations, a ten-line browser app bundled
// with esbuild runs it in Chromium (the .wasm found through
// new URL(…, import.meta.url)), and unbundled (an import map) the default
// locations work in Chromium too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { repoRoot, demoDir, firstUserId, countRatings } from '../browser/helpers.mjs';
import { launchChromium, watchProblems } from './helpers.mjs';
import { WASM_FILES } from '../../scripts/build-dist.mjs';

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const userId = firstUserId(path.join(demoDir, 'ratings.csv'));

// The app a developer writes: ten lines, the .wasm files found through
// new URL(…, import.meta.url) beside the bundle.
const BROWSER_APP = `import { createTowerlens } from 'towerlens';
const wasm = (name) => new URL('./wasm/' + name, import.meta.url);
const tl = await createTowerlens({ moduleUrl: wasm('towerlens_core.mjs'), mtModuleUrl: wasm('towerlens_core_mt.mjs') });
const files = await Promise.all(['ratings.csv', 'movies.csv'].map(async (name) => ({ name, blob: await (await fetch(name)).blob() })));
const dataset = await tl.loadDataset(files);
const trainer = tl.createTrainer(dataset, { preset: 'default', epochs: 2 });
await trainer.run();
const { items } = trainer.model.recommend(${userId}, { k: 10 });
document.body.dataset.result = JSON.stringify({ build: tl.build.name, simd: tl.simd, ids: items.map((m) => m.movieId) });
`;

const NODE_APP = `import { createTowerlens } from 'towerlens';
const [ratings, movies, build] = process.argv.slice(2);
const tl = await createTowerlens({ build });
const dataset = await tl.loadDataset([ratings, movies]);
const trainer = tl.createTrainer(dataset, { preset: 'default', epochs: 2 });
await trainer.run();
const { items } = trainer.model.recommend(${userId}, { k: 10 });
console.log(JSON.stringify({ resolved: import.meta.resolve('towerlens'), wasm: import.meta.resolve('towerlens/wasm/towerlens_core.wasm'), build: tl.build.name, simd: tl.simd, ids: items.map((m) => m.movieId) }));
`;

// Unbundled: an import map names the installed package, whose default
// locations (wasm/ beside towerlens.js) find the .wasm files.
const IMPORT_MAP_PAGE = `<!doctype html><title>import map</title>
<script type="importmap">{"imports": {"towerlens": "/node_modules/towerlens/web/towerlens.js"}}</script>
<script type="module">
import { createTowerlens } from 'towerlens';
const tl = await createTowerlens();
const dataset = await tl.loadDataset([{ name: 'ratings.csv', blob: await (await fetch('/site/ratings.csv')).blob() }]);
document.body.dataset.result = JSON.stringify({ build: tl.build.name, ratings: dataset.summary().ratings });
</script>`;

describe('the npm package', { timeout: 600_000 }, () => {
  let tmp, tarball, project, files, nodeIds;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-npm-'));
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp], repoRoot));
    tarball = path.join(tmp, packed[0].filename);
    files = packed[0].files.map((f) => f.path);
    project = path.join(tmp, 'app');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('packs both WebAssembly builds, the JS API, its types and a README', () => {
    for (const f of WASM_FILES) assert.ok(files.includes(`web/wasm/${f}`), `web/wasm/${f} in the package`);
    for (const f of ['web/towerlens.js', 'web/towerlens.d.ts', 'README.md', 'LICENSE', 'package.json']) assert.ok(files.includes(f), f);
    for (const f of fs.readdirSync(path.join(repoRoot, 'web/lib'))) assert.ok(files.includes(`web/lib/${f}`), `web/lib/${f}`);
    assert.ok(!files.some((f) => /^(src|tests|build|data|dist)\//.test(f)), `only what users need: ${files.join(' ')}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    assert.equal(manifest.private, undefined, 'publishable');
    assert.deepEqual(manifest.dependencies ?? {}, {}, 'no runtime dependencies: installs offline');
  });

  it('passes npm publish --dry-run', () => {
    const out = npm(['publish', '--dry-run', '--offline'], repoRoot);
    assert.match(out, /\+ towerlens@\d+\.\d+\.\d+/);
  });

  it('installs offline into a fresh project and trains in Node from the default .wasm locations', () => {
    npm(['install', tarball, '--offline', '--no-audit', '--no-fund'], project);
    fs.writeFileSync(path.join(project, 'train.mjs'), NODE_APP);
    const installed = path.join(project, 'node_modules/towerlens/web/towerlens.js');
    const run = (build) => JSON.parse(execFileSync(process.execPath,
      ['train.mjs', path.join(demoDir, 'ratings.csv'), path.join(demoDir, 'movies.csv'), build],
      { cwd: project, encoding: 'utf8', timeout: 300_000 }).trim().split('\n').pop());
    const st = run('st');
    assert.equal(st.resolved, `file://${installed}`, 'towerlens resolves to the installed package');
    assert.ok(fs.existsSync(new URL(st.wasm)), `towerlens/wasm/* names the package's builds: ${st.wasm}`);
    assert.equal(st.build, 'st');
    assert.equal(st.simd, true);
    assert.equal(st.ids.length, 10);
    const mt = run('auto');
    assert.equal(mt.build, 'mt', 'Node picks the threaded build from the package');
    assert.deepEqual(mt.ids, st.ids, 'the same model from both builds');
    nodeIds = st.ids;
  });

  it('bundles a ten-line browser app with esbuild that trains in Chromium; unbundled, the default locations work', async () => {
    assert.ok(fs.existsSync(path.join(project, 'node_modules/towerlens')), 'installed by the test before');
    const esbuild = await import('esbuild');
    const site = path.join(project, 'site');
    fs.writeFileSync(path.join(project, 'app.js'), BROWSER_APP);
    assert.ok(BROWSER_APP.trim().split('\n').length <= 10);
    await esbuild.build({
      absWorkingDir: project, entryPoints: ['app.js'], bundle: true, format: 'esm', platform: 'browser',
      outfile: path.join(site, 'app.js'), logLevel: 'error',
    });
    fs.cpSync(path.join(project, 'node_modules/towerlens/web/wasm'), path.join(site, 'wasm'), { recursive: true });
    for (const f of ['ratings.csv', 'movies.csv']) fs.copyFileSync(path.join(demoDir, f), path.join(site, f));
    fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>app</title><script type="module" src="app.js"></script>');
    fs.writeFileSync(path.join(project, 'import-map.html'), IMPORT_MAP_PAGE);

    const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.csv': 'text/csv' };
    const server = http.createServer((req, res) => {
      const file = path.join(project, new URL(req.url, 'http://x').pathname.replace(/\/$/, '/index.html'));
      fs.readFile(file, (err, data) => (err ? res.writeHead(404).end()
        : res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' }).end(data)));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await launchChromium();
    const open = async (where) => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      await page.goto(`http://127.0.0.1:${server.address().port}/${where}`);
      await page.waitForSelector('body[data-result]', { state: 'attached', timeout: 240_000 })
        .catch((e) => { throw new Error(`${e.message}\n${JSON.stringify(problems)}`); });
      assert.deepEqual(problems.pageErrors, []);
      return JSON.parse(await page.getAttribute('body', 'data-result'));
    };
    try {
      const result = await open('site/');
      assert.equal(result.build, 'st', 'no COOP/COEP here: the single-threaded build');
      assert.equal(result.simd, true);
      assert.deepEqual(result.ids, nodeIds, 'the same top-10 as in Node');
      const unbundled = await open('import-map.html');
      assert.deepEqual(unbundled, { build: 'st', ratings: countRatings(path.join(demoDir, 'ratings.csv')) });
    } finally {
      await browser.close();
      server.close();
    }
  });
});
