#!/usr/bin/env node
// The visitor study of issue 15: how to blend the default model's fold-in
// with a popularity prior so that a new visitor (protocol "visitors",
// bench/quality_lib.mjs) is served better than by the most-popular list, with
// a rule chosen on VALIDATION users only and checked across data sets.
//
// For each visitor (first k ratings by time folded in through the JS API):
//   score_j = z(u . m_j) + w * z(P_j)
// z = standardised over the catalogue movies not in the profile (mean 0, sd 1,
// per visitor), P_j a popularity feature of the training rows:
//   liked   log(1 + L_j), L_j = train ratings >= 4 of movie j
//   count   log(1 + C_j), C_j = train ratings of movie j (the baseline's counts)
//   recentH log(1 + sum over liked train ratings of j at or before the
//           visitor's first rating, weighted 2^(-age / H years)): at serving
//           time the visitor's "now" is after every training rating, so this
//           is a per-movie recency-weighted liked count computed at training.
// How w is chosen (nested: never on the held-out fold's users):
//   nested per k       for outer fold f, the grid w maximising, on validation
//                      users, min(Recall@20 / popularity's, NDCG@10 / popularity's);
//                      validation users = the users of the other folds g != f,
//                      each folded into a model trained without folds f and g
//                      (10 pair models for 5 folds), at most --max-val users per g
//   nested a/(k+b)     w(k) = a / (k + b), (a, b) on a grid chosen the same way
//                      on validation users pooled over the k values
//   fixed a/(k+b)      constants given with --ab A,B (no per-data-set choice)
//   oracle per k       the best grid w on the TEST users: a ceiling, not a result
//
//   node bench/studies/visitors.mjs [--data DIR] [--folds 5] [--ks 3,10]
//        [--variants liked,count,recent2] [--max-val 200] [--ab 6,2] [--json FILE]
//   node bench/studies/visitors.mjs --from FILE [--ab A,B]   (the rules again from a --json FILE's sums)
// DIR defaults to ../shared/data/ml-latest-small beside the repository.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTowerlens } from '../../web/towerlens.js';
import {
  DEFAULT_DATA, catalogueOf, countsOf, datasetOf, foldinScores, haveData, mean, readRatings, rowsByUser,
  tableOf, trainAll, userFolds, visitorsOf, metricsOf, rng,
} from '../quality_lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
let data = resolve(opt('--data', DEFAULT_DATA));
if (!haveData(data) && haveData(resolve(data, 'demo'))) data = resolve(data, 'demo');
let F = Number(opt('--folds', '5'));
let KS = opt('--ks', '3,10').split(',').map(Number);
let VARIANTS = opt('--variants', 'liked,count,recent2').split(',');
let MAX_VAL = Number(opt('--max-val', '200'));
const FIXED_AB = opt('--ab', '6,2').split(',').map(Number);
const JSON_OUT = opt('--json', '');
const FROM = opt('--from', '');
const log = (s) => process.stderr.write(`  ${s}\n`);

// the blend weights tried (w = 0: the plain fold-in; Infinity: the feature alone)
const W = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.35, 1.5,
  1.75, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 16, Infinity];
const A_GRID = [0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 30, 40, 60, 80];
const B_GRID = [0, 1, 2, 3, 5, 10, 20, 50];
const nearestW = (w) => W.reduce((best, x, i) => (Math.abs(x - w) < Math.abs(W[best] - w) ? i : best), 0);

if (!FROM && !haveData(data)) {
  console.log(`SKIP: no ratings.csv + movies.csv in ${data} (--data DIR)`);
  process.exit(0);
}

const YEAR = 365.25 * 86400;

/** per-visitor popularity feature (before log/z): Float64Array over the catalogue */
function featureFn(variant, R, cat, keep, counts) {
  if (variant === 'liked') return () => counts.liked;
  if (variant === 'count') return () => counts.count;
  const m = /^recent([0-9.]+)$/.exec(variant);
  if (!m) throw new Error(`unknown variant ${variant}`);
  const h = Number(m[1]) * YEAR;
  // liked train rows sorted by time: a visitor at t0 sums those at or before t0
  const rows = [];
  for (let i = 0; i < R.n; i++) if (keep(i) && R.rating[i] >= 4) rows.push(i);
  rows.sort((a, b) => R.time[a] - R.time[b]);
  const mv = Int32Array.from(rows, (i) => cat.index.get(R.movie[i]) ?? -1);
  const tm = Float64Array.from(rows, (i) => R.time[i]);
  return (v) => {
    const L = new Float64Array(cat.size);
    for (let r = 0; r < tm.length && tm[r] <= v.t0; r++) if (mv[r] >= 0) L[mv[r]] += 2 ** (-(v.t0 - tm[r]) / h);
    return L;
  };
}

/** z over the finite entries, into out */
function zInto(x, out, logged) {
  let n = 0, s = 0, s2 = 0;
  for (let j = 0; j < x.length; j++) {
    const v = x[j];
    if (v === -Infinity) continue;
    const y = logged ? Math.log1p(v) : v;
    n++; s += y; s2 += y * y;
  }
  const m = s / n, sdv = Math.sqrt(Math.max(s2 / n - m * m, 1e-24));
  for (let j = 0; j < x.length; j++) out[j] = x[j] === -Infinity ? -Infinity : ((logged ? Math.log1p(x[j]) : x[j]) - m) / sdv;
}

/** top 20 indices of a (ties: lower index first), -Infinity never taken */
function top20(a) {
  const s = new Float64Array(20).fill(-Infinity), ix = new Int32Array(20).fill(-1);
  for (let j = 0; j < a.length; j++) {
    const v = a[j];
    if (!(v > s[19])) continue;
    let p = 19;
    while (p > 0 && v > s[p - 1]) { s[p] = s[p - 1]; ix[p] = ix[p - 1]; p--; }
    s[p] = v; ix[p] = j;
  }
  return [...ix].filter((j) => j >= 0);
}

/**
 * One context (a model and its visitors): sums over visitors of recall and
 * NDCG for each k, variant and grid w, and for popularity (counts).
 */
function runContext(model, R, cat, keep, visitorsByK) {
  const tab = tableOf(model, cat);
  const counts = countsOf(R, cat, keep);
  const feats = Object.fromEntries(VARIANTS.map((v) => [v, featureFn(v, R, cat, keep, counts)]));
  const out = {};
  const zs = new Float64Array(cat.size), zp = new Float64Array(cat.size), blend = new Float64Array(cat.size);
  for (const k of KS) {
    const acc = { n: 0, pop: [0, 0], v: {} };
    for (const v of VARIANTS) acc.v[v] = { rec: new Float64Array(W.length), ndcg: new Float64Array(W.length) };
    for (const vis of visitorsByK[k]) {
      const s = foldinScores(model, cat, tab, vis.profile);
      const ids = (top) => top.map((j) => cat.ids[j]);
      const pc = counts.count.map((c, j) => (s[j] === -Infinity ? -Infinity : c));
      const pm = metricsOf(ids(top20(pc)), vis.relevant);
      acc.pop[0] += pm.recall; acc.pop[1] += pm.ndcg; acc.n++;
      zInto(s, zs, false);
      for (const vname of VARIANTS) {
        const P = feats[vname](vis);
        const masked = Float64Array.from(P, (x, j) => (s[j] === -Infinity ? -Infinity : x));
        zInto(masked, zp, true);
        const a = acc.v[vname];
        W.forEach((w, wi) => {
          if (w === Infinity) blend.set(zp);
          else for (let j = 0; j < cat.size; j++) blend[j] = zs[j] + w * zp[j];
          const m = metricsOf(ids(top20(blend)), vis.relevant);
          a.rec[wi] += m.recall; a.ndcg[wi] += m.ndcg;
        });
      }
    }
    out[k] = acc;
  }
  return out;
}

const tl = FROM ? null : await createTowerlens();
const R = FROM ? null : readRatings(data);
const foldOf = FROM ? null : userFolds(R, F, 42);
const byUser = FROM ? null : rowsByUser(R);
const usersOfFold = (f) => [...byUser.keys()].filter((u) => foldOf.get(u) === f);
const t0 = performance.now();

/** trains on the users outside `out` (a set of folds); returns {tr, ds, cat, keep} */
async function modelWithout(out) {
  const keep = (i) => !out.has(foldOf.get(R.user[i]));
  const ds = await datasetOf(tl, R, keep);
  const tr = await trainAll(tl, ds);
  return { tr, ds, cat: catalogueOf(tr.model), keep };
}

function visitorsFor(users, cat, cap, seed) {
  let us = users;
  if (cap > 0 && us.length > cap) { // a seeded sample of the validation users
    const g = rng(seed);
    us = [...us];
    for (let i = us.length - 1; i > 0; i--) { const j = Math.floor(g() * (i + 1)); [us[i], us[j]] = [us[j], us[i]]; }
    us = us.slice(0, cap).sort((a, b) => a - b);
  }
  const inCat = new Set(cat.ids);
  return Object.fromEntries(KS.map((k) => [k, visitorsOf(R, byUser, us, k, inCat)]));
}

let test = []; // test[f] = context sums on fold f
let val = Array.from({ length: F }, () => []); // val[f] = validation context sums for outer fold f
if (FROM) { // the sums a run saved with --json: the rules again without training
  const saved = JSON.parse(readFileSync(FROM, 'utf8'));
  ({ test, val } = saved.sums);
  ({ F, KS, VARIANTS, data, MAX_VAL } = saved);
  if (JSON.stringify(saved.W) !== JSON.stringify(W)) throw new Error(`${FROM} was saved with another grid of w`);
} else {
for (let f = 0; f < F; f++) {
  const m = await modelWithout(new Set([f]));
  test[f] = runContext(m.tr.model, R, m.cat, m.keep, visitorsFor(usersOfFold(f), m.cat, 0, 0));
  m.tr.free(); m.ds.free();
  log(`outer fold ${f + 1}/${F} done (${((performance.now() - t0) / 1e3).toFixed(0)} s)`);
}
for (let f = 0; f < F; f++) {
  for (let g = f + 1; g < F; g++) {
    const m = await modelWithout(new Set([f, g]));
    val[f].push(runContext(m.tr.model, R, m.cat, m.keep, visitorsFor(usersOfFold(g), m.cat, MAX_VAL, 1000 + g)));
    val[g].push(runContext(m.tr.model, R, m.cat, m.keep, visitorsFor(usersOfFold(f), m.cat, MAX_VAL, 1000 + f)));
    m.tr.free(); m.ds.free();
    log(`pair model without folds ${f + 1},${g + 1} done (${((performance.now() - t0) / 1e3).toFixed(0)} s)`);
  }
}
}

// ---- selection and the table ----
/** pooled validation means for outer fold f: {pop: [rec, ndcg], rec(v, wi), ndcg(v, wi)} */
function pooled(ctxs, k) {
  let n = 0, pr = 0, pn = 0;
  for (const c of ctxs) { n += c[k].n; pr += c[k].pop[0]; pn += c[k].pop[1]; }
  return {
    n, pop: [pr / n, pn / n],
    rec: (v, wi) => ctxs.reduce((a, c) => a + c[k].v[v].rec[wi], 0) / n,
    ndcg: (v, wi) => ctxs.reduce((a, c) => a + c[k].v[v].ndcg[wi], 0) / n,
  };
}
const objective = (p, v, wi) => Math.min(p.rec(v, wi) / p.pop[0], p.ndcg(v, wi) / p.pop[1]);
const argmax = (n, fn) => { let b = 0, bv = -Infinity; for (let i = 0; i < n; i++) { const x = fn(i); if (x > bv) { bv = x; b = i; } } return b; };

/** test figures (mean over folds of per-fold user means) when fold f uses grid index wiOf(f, k) */
function testFigures(v, wiOf) {
  const res = {};
  for (const k of KS) {
    const recs = [], ndcgs = [], ws = [];
    for (let f = 0; f < F; f++) {
      const wi = wiOf(f, k), c = test[f][k];
      recs.push(c.v[v].rec[wi] / c.n); ndcgs.push(c.v[v].ndcg[wi] / c.n); ws.push(W[wi]);
    }
    res[k] = { recall: mean(recs), ndcg: mean(ndcgs), ws };
  }
  return res;
}
const popFig = Object.fromEntries(KS.map((k) => [k, {
  recall: mean(test.map((t) => t[k].pop[0] / t[k].n)), ndcg: mean(test.map((t) => t[k].pop[1] / t[k].n)),
  users: test.reduce((a, t) => a + t[k].n, 0),
}]));

const rows = [];
rows.push({ name: 'popularity (rating counts)', fig: popFig });
rows.push({ name: 'towerlens default fold-in (w = 0)', fig: testFigures(VARIANTS[0], () => 0) });
const chosen = {};
for (const v of VARIANTS) {
  rows.push({ name: `${v}: nested per k`, fig: testFigures(v, (f, k) => argmax(W.length, (wi) => objective(pooled(val[f], k), v, wi))) });
  // a / (k + b) chosen on validation pooled over the ks
  const abOf = [];
  for (let f = 0; f < F; f++) {
    let best = null;
    for (const a of A_GRID) for (const b of B_GRID) {
      const o = mean(KS.map((k) => objective(pooled(val[f], k), v, nearestW(a / (k + b)))));
      if (!best || o > best.o) best = { a, b, o };
    }
    abOf.push(best);
  }
  chosen[v] = abOf.map(({ a, b }) => [a, b]);
  rows.push({ name: `${v}: nested a/(k+b)`, fig: testFigures(v, (f, k) => nearestW(abOf[f].a / (k + abOf[f].b))), ab: abOf });
  rows.push({ name: `${v}: fixed w = ${FIXED_AB[0]}/(k+${FIXED_AB[1]})`, fig: testFigures(v, (f, k) => nearestW(FIXED_AB[0] / (k + FIXED_AB[1]))) });
  rows.push({ name: `${v}: oracle per k (test; ceiling)`, fig: testFigures(v, (f, k) => argmax(W.length, (wi) => {
    const c = test[f][k]; return Math.min(c.v[v].rec[wi] / c.pop[0], c.v[v].ndcg[wi] / c.pop[1]);
  })) });
}

// validation curves (pooled over all outer folds) for reading off a rule
const curves = {};
for (const v of VARIANTS) {
  curves[v] = {};
  for (const k of KS) {
    const all = val.flat();
    const p = pooled(all, k);
    curves[v][k] = W.map((w, wi) => ({ w, recall: p.rec(v, wi) / p.pop[0], ndcg: p.ndcg(v, wi) / p.pop[1] }));
  }
}

const f3 = (x) => x.toFixed(3), r2 = (x, p) => (x / p).toFixed(2);
console.log(`\nVisitor study on ${data}: ${F} user folds, ${popFig[KS[0]].users} test visitors at k = ${KS[0]}; ` +
  `validation: pair models, at most ${MAX_VAL} users per fold (${((performance.now() - t0) / 1e3).toFixed(0)} s)\n`);
console.log(`| rule | ${KS.map((k) => `k = ${k}: Recall@20 / NDCG@10 (x popularity) [w per fold]`).join(' | ')} |`);
console.log(`|---|${KS.map(() => '---').join('|')}|`);
for (const r of rows) {
  const cells = KS.map((k) => {
    const m = r.fig[k], p = popFig[k];
    const ws = m.ws ? ` [${[...new Set(m.ws)].join(', ')}]` : '';
    return `${f3(m.recall)} / ${f3(m.ndcg)} (${r2(m.recall, p.recall)}x / ${r2(m.ndcg, p.ndcg)}x)${ws}`;
  });
  console.log(`| ${r.name} | ${cells.join(' | ')} |`);
}
console.log('\n(a, b) chosen per outer fold:', Object.entries(chosen).map(([v, ab]) => `${v}: ${ab.map((x) => `${x[0]}/(k+${x[1]})`).join(' ')}`).join('; '));
console.log('\nvalidation curves (all validation users pooled), w: Recall@20 / NDCG@10 as multiples of popularity:');
for (const v of VARIANTS) for (const k of KS) {
  console.log(`  ${v} k=${k}: ${curves[v][k].filter((c, i) => i % 2 === 0 || c.w === Infinity).map((c) => `${c.w}: ${c.recall.toFixed(2)}/${c.ndcg.toFixed(2)}`).join('  ')}`);
}
if (JSON_OUT && !FROM) {
  const plain = (x) => JSON.parse(JSON.stringify(x, (key, v) => (v instanceof Float64Array ? [...v] : v)));
  writeFileSync(JSON_OUT, JSON.stringify({ data, F, KS, W, VARIANTS, MAX_VAL, rows, chosen, curves, sums: plain({ test, val }) }));
}
