#!/usr/bin/env node
// The page in headless Chromium on ml-latest-small (issue 13): time from the
// drop of the four files to a top-10 for user 1 from the model that answers,
// with the page's defaults (test share 20 %: the split run with its held-out
// metrics, then the final model on all ratings) and with test share 0 (one
// run on all ratings, nothing evaluated). The split run's end is when the
// page before issue 13 was done (it served the split model): that is the
// time "without the refit". One table, each row with its ratio to the
// test-share-0 run of the same round.
//
//   node bench/page.mjs [--data DIR] [--rounds N]
//
// DIR defaults to ../shared/data/ml-latest-small (relative to the repo).
// Needs what scripts/test-browser needs (Chromium, playwright-core, web/wasm).
// Timestamps are taken inside the page (performance.now()) at the drop, at
// the worker's events and at the recommend reply; a row reports the lowest
// of its rounds (other work on a shared machine only ever adds time).
import fs from 'node:fs';
import path from 'node:path';
import { launch, openPage, dropFiles, repoRoot, checkPrerequisites } from '../tests/browser/helpers.mjs';

function parseArgs(argv) {
  const opt = { data: path.join(repoRoot, '../shared/data/ml-latest-small'), rounds: 1 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data') opt.data = argv[++i];
    else if (argv[i] === '--rounds') opt.rounds = Number(argv[++i]);
    else if (argv[i] === '--help') {
      console.log('usage: node bench/page.mjs [--data DIR] [--rounds N]');
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!Number.isInteger(opt.rounds) || opt.rounds < 1) throw new Error('--rounds needs a whole number >= 1');
  return opt;
}

// One drop and training run in a fresh browser context; returns ms since the drop.
async function measure(browser, url, specs, testPercent) {
  const context = await browser.newContext();
  const { page } = await openPage(context, url);
  await page.waitForSelector('body[data-engine="ready"]', { timeout: 60_000 });
  await page.fill('#set-test', testPercent);
  await page.evaluate(() => {
    const t = (window.__bench = { marks: {} });
    const app = window.towerlensApp;
    const mark = (name) => { if (!(name in t.marks)) t.marks[name] = performance.now() - t.drop; };
    app.client.on('dataset', () => mark('loaded'));
    app.client.on('training', (m) => {
      if (m.pass === 'refit') mark('split');
      if (m.state === 'done') {
        mark('trained');
        app.client.request('recommend', { userId: 1, k: 10, excludeSeen: true }).then((r) => { mark('recommended'); t.items = r.items.length; t.serving = m.serving; });
      }
    });
    document.addEventListener('drop', () => { t.drop = performance.now(); }, { capture: true, once: true });
  });
  await dropFiles(page, specs);
  await page.waitForFunction(() => 'recommended' in window.__bench.marks, null, { timeout: 1_200_000, polling: 200 });
  const result = await page.evaluate(() => window.__bench);
  await context.close();
  return result;
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const problems = checkPrerequisites();
  if (problems.length) throw new Error(problems.join('\n'));
  const names = ['ratings.csv', 'movies.csv', 'links.csv', 'tags.csv'].filter((f) => fs.existsSync(path.join(opt.data, f)));
  if (!names.includes('ratings.csv')) throw new Error(`${opt.data}: no ratings.csv (pass --data DIR)`);
  const specs = names.map((name) => ({ name, b64: fs.readFileSync(path.join(opt.data, name)).toString('base64') }));
  const { server, browser } = await launch();
  const best = {};
  const keep = (key, v) => { if (Number.isFinite(v)) best[key] = Math.min(best[key] ?? Infinity, v); };
  let served = null;
  try {
    for (let round = 0; round < opt.rounds; round++) {
      const all = await measure(browser, server.url, specs, '0');
      const split = await measure(browser, server.url, specs, '');
      keep('loaded', split.marks.loaded);
      keep('split', split.marks.split);
      keep('refit', split.marks.recommended);
      keep('all', all.marks.recommended);
      served = { split: split.serving, all: all.serving, items: split.items };
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const rows = [
    ['drop → data loaded (summary shown)', best.loaded],
    ['drop → split run and held-out metrics done (the old page: split model serves)', best.split],
    ['drop → top-10 from the model on all ratings, after split + metrics + refit (page default)', best.refit],
    ['drop → top-10 with test share 0 (one run on all ratings, no metrics)', best.all],
  ];
  console.log(`ml-latest-small in the page (${opt.data}), headless Chromium, ${opt.rounds} round(s), best of rounds`);
  console.log('| step | time | ratio to test share 0 |');
  console.log('|---|---|---|');
  for (const [name, ms] of rows) console.log(`| ${name} | ${s(ms)} | ${(ms / best.all).toFixed(2)} |`);
  console.log(`serving after the default run: ${JSON.stringify(served.split)}; after test share 0: ${JSON.stringify(served.all)}; top-10 had ${served.items} movies`);
}

main().catch((e) => {
  console.error(`bench/page.mjs: ${e.message}`);
  process.exit(1);
});
