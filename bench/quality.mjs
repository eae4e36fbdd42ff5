#!/usr/bin/env node
// Issue 15's two quality protocols, rerunnable, in one table:
//   "visitors": new visitors folded in from their first k ratings by time
//               (users in folds, never trained on), k = 3 and 10;
//   "B":        known users on seeded random splits (seen excluded), mean and
//               spread over split seeds.
// Rows: popularity (rating counts of the training users / train rows), the
// towerlens default (its model by the data's shape: the blend of iALS and
// EASE on small catalogues, iALS on large ones; visitors: fold-in through
// model.recommendForRatings), iALS d 64 and d 128 (preset ials) and EASE
// (preset ease): the default's parts alone.
// Definitions: bench/quality_lib.mjs and docs/evaluation.md ("Quality protocols").
//
//   node bench/quality.mjs [--data DIR] [--protocol visitors|B|both] [--seeds 42,1,2,3,4]
//                          [--folds 5] [--ks 3,10] [--no-ials] [--no-d128] [--no-ease] [--train-rows N --test-rows N] [--json]
// DIR defaults to ../shared/data/ml-latest-small beside the repository; any
// folder with ratings.csv + movies.csv works (data/, towerlens generate sets).
import { resolve } from 'node:path';
import { createTowerlens } from '../web/towerlens.js';
import { DEFAULT_DATA, haveData, mean, protocolB, protocolVisitors, readRatings, sd } from './quality_lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const list = (s) => s.split(',').map(Number);
let data = resolve(opt('--data', DEFAULT_DATA));
if (!haveData(data) && haveData(resolve(data, 'demo'))) data = resolve(data, 'demo'); // --data data
const protocol = opt('--protocol', 'both');
const seeds = list(opt('--seeds', '42,1,2,3,4'));
const folds = Number(opt('--folds', '5'));
const ks = list(opt('--ks', '3,10'));
const json = args.includes('--json');
const log = json ? () => {} : (s) => process.stderr.write(`  ${s}\n`);

if (!['visitors', 'B', 'both'].includes(protocol)) {
  console.error(`--protocol must be visitors, B or both, got ${protocol}`);
  process.exit(2);
}
if (!haveData(data)) {
  console.log(`SKIP: no ratings.csv + movies.csv in ${data} (--data DIR)`);
  process.exit(0);
}

const models = [{ name: 'towerlens default', options: {} }];
if (!args.includes('--no-ials')) models.push({ name: 'iALS d 64 (preset ials)', options: { preset: 'ials' } });
if (!args.includes('--no-d128')) models.push({ name: 'iALS d 128', options: { preset: 'ials', dim: 128 } });
if (!args.includes('--no-ease')) models.push({ name: 'EASE', options: { preset: 'ease' } });
const split = opt('--train-rows') ? { trainRows: Number(opt('--train-rows')), testRows: Number(opt('--test-rows')) }
  : { testFraction: 0.2 };

const tl = await createTowerlens();
const out = { data, folds, ks, seeds };
const f3 = (x) => x.toFixed(3);
const ratio = (x, p) => `${(x / p).toFixed(2)}x`;

if (protocol !== 'B') {
  const R = readRatings(data);
  const t0 = performance.now();
  const v = await protocolVisitors(tl, R, { folds, ks, models, log });
  out.visitors = v.mean;
  out.visitorsSeconds = (performance.now() - t0) / 1e3;
  if (!json) {
    console.log(`\nProtocol "visitors" on ${data}: ${folds} user folds, fold-in from the first k ratings by time; ` +
      `relevant = later movies rated >= 4; mean over users, then folds (${out.visitorsSeconds.toFixed(0)} s)\n`);
    console.log(`| model | ${ks.map((k) => `k = ${k}: Recall@20 / NDCG@10 (x popularity)`).join(' | ')} |`);
    console.log(`|---|${ks.map(() => '---').join('|')}|`);
    for (const name of Object.keys(v.mean[ks[0]])) {
      const cells = ks.map((k) => {
        const m = v.mean[k][name], p = v.mean[k].popularity;
        return `${f3(m.recall)} / ${f3(m.ndcg)}` + (name === 'popularity' ? '' : ` (${ratio(m.recall, p.recall)} / ${ratio(m.ndcg, p.ndcg)})`);
      });
      console.log(`| ${name} | ${cells.join(' | ')} |`);
    }
    console.log(`\nusers evaluated: ${ks.map((k) => `k = ${k}: ${v.mean[k].popularity.users}`).join(', ')}`);
  }
}

if (protocol !== 'visitors') {
  const t0 = performance.now();
  const b = await protocolB(tl, data, { seeds, split, models, log });
  out.B = Object.fromEntries(Object.entries(b).map(([name, r]) => [name, {
    recall: mean(r.recall), recallSd: sd(r.recall), ndcg: mean(r.ndcg), ndcgSd: sd(r.ndcg), perSeed: r }]));
  out.BSeconds = (performance.now() - t0) / 1e3;
  if (!json) {
    const how = split.trainRows ? `${split.trainRows} / ${split.testRows} rows` : 'test fraction 0.2';
    console.log(`\nProtocol B on ${data}: random split (${how}), seen excluded, all test users; ` +
      `mean ± sd over split seeds ${seeds.join(', ')} (${out.BSeconds.toFixed(0)} s)\n`);
    console.log('| model | Recall@20 | NDCG@10 | Recall@20 per seed |');
    console.log('|---|---|---|---|');
    for (const [name, r] of Object.entries(out.B)) {
      console.log(`| ${name} | ${r.recall.toFixed(4)} ± ${r.recallSd.toFixed(4)} | ${r.ndcg.toFixed(4)} ± ${r.ndcgSd.toFixed(4)} | ` +
        `${r.perSeed.recall.map((x) => x.toFixed(4)).join(', ')} |`);
    }
  }
}
if (json) console.log(JSON.stringify(out, null, 1));
