// Shared by bench/quality.mjs, bench/studies/visitors.mjs and
// tests/node/quality.test.mjs: the two quality protocols of issue 15 over the
// JS API (web/towerlens.js).
//
// Protocol "visitors": users in F folds (seeded shuffle); for each fold a
// model is trained on the other folds' users only; each held-out user with at
// least k + 3 ratings is folded in from their FIRST k ratings by time (with
// their stars); relevant = their LATER movies rated >= 4 (catalogue movies);
// the profile is never ranked; Recall@20 = hits in the top 20 / min(20,
// relevant), NDCG@10 binary; mean over users, then over folds. Users with no
// relevant movie are not counted.
//
// Protocol B: trainer.evaluate() on seeded random splits (the core's).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DATA = join(REPO, '../shared/data/ml-latest-small');

/** true when DIR holds the MovieLens CSV layout (ratings.csv + movies.csv) */
export const haveData = (dir) => existsSync(join(dir, 'ratings.csv')) && existsSync(join(dir, 'movies.csv'));

/** ratings.csv (userId,movieId,rating,timestamp) as columns, in file order */
export function readRatings(dir) {
  const text = readFileSync(join(dir, 'ratings.csv'), 'latin1');
  const lines = text.split('\n');
  const n = lines.length;
  const user = new Int32Array(n), movie = new Int32Array(n), time = new Float64Array(n);
  const rating = new Float32Array(n);
  let r = 0;
  for (let i = 1; i < n; i++) {
    const l = lines[i];
    if (l.length < 4) continue;
    const a = l.indexOf(','), b = l.indexOf(',', a + 1), c = l.indexOf(',', b + 1);
    user[r] = +l.slice(0, a); movie[r] = +l.slice(a + 1, b);
    rating[r] = +l.slice(b + 1, c); time[r] = +l.slice(c + 1);
    r++;
  }
  return { n: r, user: user.subarray(0, r), movie: movie.subarray(0, r), rating: rating.subarray(0, r),
    time: time.subarray(0, r), dir };
}

/** mulberry32: a small seeded generator (deterministic across runs) */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Map userId -> fold (0..F-1): the distinct users, ascending, shuffled with the seed, dealt round-robin */
export function userFolds(R, F, seed = 42) {
  const ids = [...new Set(R.user)].sort((x, y) => x - y);
  const g = rng(seed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(g() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const fold = new Map();
  ids.forEach((u, i) => fold.set(u, i % F));
  return fold;
}

/** A dataset of the rows keep(i) says, with the data's movies.csv (the whole catalogue) */
export async function datasetOf(tl, R, keep) {
  const parts = ['userId,movieId,rating,timestamp\n'];
  for (let i = 0; i < R.n; i++) if (keep(i)) parts.push(`${R.user[i]},${R.movie[i]},${R.rating[i]},${R.time[i]}\n`);
  const bytes = new TextEncoder().encode(parts.join(''));
  return tl.loadDataset([{ name: 'ratings.csv', bytes }, { path: join(R.dir, 'movies.csv') }]);
}

/** Trains preset `default` (options merged) on every row of ds; returns the trainer */
export async function trainAll(tl, ds, options = {}) {
  const tr = tl.createTrainer(ds, { preset: 'default', testFraction: 0, seed: 42, ...options });
  await tr.run({ stepMs: 200 });
  return tr;
}

/**
 * Per-user rows sorted by time (ties: file order): Map userId -> row indices.
 */
export function rowsByUser(R) {
  const m = new Map();
  for (let i = 0; i < R.n; i++) {
    let l = m.get(R.user[i]);
    if (!l) m.set(R.user[i], (l = []));
    l.push(i);
  }
  for (const l of m.values()) l.sort((a, b) => R.time[a] - R.time[b] || a - b);
  return m;
}

/**
 * The visitors of one fold for profile size k: [{user, profile: [{movieId,
 * rating}], t0 (time of the first rating), relevant: Set<movieId>}] for the
 * held-out users with >= k + 3 ratings and at least one relevant movie.
 */
export function visitorsOf(R, byUser, users, k, catalogue) {
  const out = [];
  for (const u of users) {
    const rows = byUser.get(u);
    if (!rows || rows.length < k + 3) continue;
    const profile = rows.slice(0, k).map((i) => ({ movieId: R.movie[i], rating: R.rating[i] }));
    const inProfile = new Set(profile.map((p) => p.movieId));
    const relevant = new Set();
    for (const i of rows.slice(k)) {
      const m = R.movie[i];
      if (R.rating[i] >= 4 && !inProfile.has(m) && catalogue.has(m)) relevant.add(m);
    }
    if (relevant.size > 0) out.push({ user: u, profile, t0: R.time[rows[0]], relevant });
  }
  return out;
}

/** Recall@20 and NDCG@10 of a ranking (array of movieIds, best first) */
export function metricsOf(ranking, relevant) {
  let hits20 = 0, dcg = 0;
  const n = Math.min(20, ranking.length);
  for (let r = 0; r < n; r++) {
    if (relevant.has(ranking[r])) {
      hits20++;
      if (r < 10) dcg += 1 / Math.log2(r + 2);
    }
  }
  let idcg = 0;
  for (let r = 0; r < Math.min(10, relevant.size); r++) idcg += 1 / Math.log2(r + 2);
  return { recall: hits20 / Math.min(20, relevant.size), ndcg: dcg / idcg };
}

/**
 * Top `n` catalogue indices by score (descending; ties: lower movieId, i.e.
 * lower index, first), leaving out indices in `skip`.
 */
export function topN(scores, n, skip) {
  const best = []; // sorted descending, at most n: [score, index]
  for (let j = 0; j < scores.length; j++) {
    const s = scores[j];
    if (best.length === n && !(s > best[n - 1][0])) continue;
    if (skip.has(j)) continue;
    let p = best.length;
    while (p > 0 && s > best[p - 1][0]) p--;
    best.splice(p, 0, [s, j]);
    if (best.length > n) best.pop();
  }
  return best.map((b) => b[1]);
}

/** The catalogue: movieIds ascending and the index of each */
export function catalogueOf(model) {
  const ids = model.movies().map((m) => m.movieId).sort((a, b) => a - b);
  const index = new Map(ids.map((id, j) => [id, j]));
  return { ids, index, size: ids.length };
}

/**
 * What fast fold-in scoring needs of a model: its movie table in catalogue
 * order ({dim, table: Float64Array size x dim}) and the movies it knows.
 */
export function tableOf(model, cat) {
  const e = model.embeddings();
  const d = e.dim, table = new Float64Array(cat.size * d);
  e.movieIds.forEach((id, r) => {
    const j = cat.index.get(id);
    if (j !== undefined) for (let c = 0; c < d; c++) table[j * d + c] = e.movies[r * d + c];
  });
  return { dim: d, table, known: new Set(e.movieIds) };
}

/** Solves the d x d symmetric positive definite system A x = b (Cholesky, double) in place into b */
function solveSpd(A, b, d) {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j];
      for (let k = 0; k < j; k++) s -= A[i * d + k] * A[j * d + k];
      A[i * d + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / A[j * d + j];
    }
  }
  for (let i = 0; i < d; i++) { let s = b[i]; for (let k = 0; k < i; k++) s -= A[i * d + k] * b[k]; b[i] = s / A[i * d + i]; }
  for (let i = d - 1; i >= 0; i--) { let s = b[i]; for (let k = i + 1; k < d; k++) s -= A[k * d + i] * b[k]; b[i] = s / A[i * d + i]; }
  return b;
}

/**
 * The model's fold-in scores u . m_j (towerlens' own fold-in, through
 * model.recommendForRatings) for every catalogue movie, as a Float64Array
 * indexed like cat.ids; the profile's movies get -Infinity (never ranked).
 * Asking the API for every movie costs a JSON of the whole catalogue per
 * visitor, so it asks for the top 3d and recovers the folded vector u from
 * those scores (printed with 9 digits: exact floats) by least squares
 * against their embeddings, then scores the catalogue in JS. `exact: true`
 * asks for the whole catalogue instead (the check that both agree:
 * tests/node/quality.test.mjs). The fast way holds for the plain fold-in
 * only: with the visitor prior (the default's, chosen at training) a score
 * is u . m_j + c p_j, so protocolVisitors asks for the whole catalogue
 * (exact, its default). Profile movies unknown to the model are left
 * out of the fold-in.
 */
export function foldinScores(model, cat, tab, profile, { exact = false } = {}) {
  const given = profile.filter((p) => tab.known.has(p.movieId));
  const s = new Float64Array(cat.size);
  const d = tab.dim, M = tab.table;
  if (given.length > 0 && (exact || d === 0)) { // d 0: no tables to recover u from (EASE)
    s.fill(-Infinity);
    for (const it of model.recommendForRatings(given, { k: cat.size }).items) s[cat.index.get(it.movieId)] = it.score;
  } else if (given.length > 0) {
    const k = Math.min(3 * d, cat.size - given.length);
    const items = model.recommendForRatings(given, { k }).items;
    const A = new Float64Array(d * d), b = new Float64Array(d);
    for (const it of items) {
      const o = cat.index.get(it.movieId) * d;
      for (let p = 0; p < d; p++) {
        const mp = M[o + p];
        b[p] += mp * it.score;
        for (let q = 0; q <= p; q++) A[p * d + q] += mp * M[o + q];
      }
    }
    let tr = 0;
    for (let p = 0; p < d; p++) tr += A[p * d + p];
    for (let p = 0; p < d; p++) A[p * d + p] += 1e-12 * tr / d + 1e-300;
    const u = solveSpd(A, b, d);
    for (let j = 0; j < cat.size; j++) {
      let v = 0;
      const o = j * d;
      for (let p = 0; p < d; p++) v += M[o + p] * u[p];
      s[j] = Math.fround(v);
    }
  } // nothing to fold in: every movie scores 0 (ties: the catalogue order)
  for (const p of profile) { const j = cat.index.get(p.movieId); if (j !== undefined) s[j] = -Infinity; }
  return s;
}

/** Per catalogue index: training rating counts, liked (>= 4) counts, of the rows keep(i) says */
export function countsOf(R, cat, keep) {
  const count = new Float64Array(cat.size), liked = new Float64Array(cat.size);
  for (let i = 0; i < R.n; i++) {
    if (!keep(i)) continue;
    const j = cat.index.get(R.movie[i]);
    if (j === undefined) continue;
    count[j]++;
    if (R.rating[i] >= 4) liked[j]++;
  }
  return { count, liked };
}

/** mean over users of {recall, ndcg} for rankings by `scoreFn(visitor)` (a Float64Array over the catalogue) */
export function evaluateVisitors(visitors, cat, scoreFn) {
  let rec = 0, ndcg = 0;
  for (const v of visitors) {
    const skip = new Set(v.profile.map((p) => cat.index.get(p.movieId)).filter((j) => j !== undefined));
    const top = topN(scoreFn(v), 20, skip).map((j) => cat.ids[j]);
    const m = metricsOf(top, v.relevant);
    rec += m.recall; ndcg += m.ndcg;
  }
  const n = Math.max(1, visitors.length);
  return { recall: rec / n, ndcg: ndcg / n, users: visitors.length };
}

export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sd = (xs) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

/** z-standardised copy of the finite entries of x (mean 0, sd 1 over them); -Infinity stays */
export function zscore(x) {
  let n = 0, s = 0, s2 = 0;
  for (const v of x) if (Number.isFinite(v)) { n++; s += v; s2 += v * v; }
  const m = s / n, sdv = Math.sqrt(Math.max(s2 / n - m * m, 1e-24));
  const out = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) out[j] = Number.isFinite(x[j]) ? (x[j] - m) / sdv : -Infinity;
  return out;
}

/**
 * Protocol "visitors" for a list of models ({name, options}) and
 * popularity: returns {mean: {k: {name: {recall, ndcg, users}}}} (means over
 * folds of the per-fold means over users) and perFold; `only` (fold indices)
 * evaluates those folds only.
 */
export async function protocolVisitors(tl, R, { folds = 5, ks = [3, 10], seed = 42, models, exact = true, only = null, log = () => {} }) {
  const foldOf = userFolds(R, folds, seed);
  const byUser = rowsByUser(R);
  const perFold = []; // [{k: {name: {...}}}]
  for (let f = 0; f < folds; f++) {
    if (only && !only.includes(f)) continue; // a subset of the folds (the fast test)
    const train = (i) => foldOf.get(R.user[i]) !== f;
    const held = [...byUser.keys()].filter((u) => foldOf.get(u) === f);
    const ds = await datasetOf(tl, R, train);
    const res = {};
    let cat = null, counts = null;
    for (const spec of models) {
      const t0 = performance.now();
      const tr = await trainAll(tl, ds, spec.options);
      if (!cat) {
        cat = catalogueOf(tr.model);
        counts = countsOf(R, cat, train);
      }
      const tab = tableOf(tr.model, cat);
      for (const k of ks) {
        const vs = visitorsOf(R, byUser, held, k, new Set(cat.ids));
        res[k] ??= {};
        if (!res[k].popularity) res[k].popularity = evaluateVisitors(vs, cat, () => counts.count);
        res[k][spec.name] = evaluateVisitors(vs, cat, (v) => foldinScores(tr.model, cat, tab, v.profile, { exact }));
      }
      log(`fold ${f + 1}/${folds}: ${spec.name} trained and folded in (${((performance.now() - t0) / 1e3).toFixed(1)} s)`);
      tr.free();
    }
    ds.free();
    perFold.push(res);
  }
  const out = {};
  for (const k of ks) {
    out[k] = {};
    for (const name of Object.keys(perFold[0][k])) {
      const rs = perFold.map((p) => p[k][name]);
      out[k][name] = { recall: mean(rs.map((r) => r.recall)), ndcg: mean(rs.map((r) => r.ndcg)),
        users: rs.reduce((a, r) => a + r.users, 0) };
    }
  }
  return { mean: out, perFold };
}

/**
 * Protocol B over split seeds: for each seed a random split (trainRows +
 * testRows, or testFraction), every model trained and evaluated with
 * trainer.evaluate() (all test users: maxUsers 0), popularity beside.
 * Returns {name: {recall: [..per seed], ndcg: [..]}}.
 */
export async function protocolB(tl, dir, { seeds = [42, 1, 2, 3, 4], split, models, log = () => {} }) {
  const ds = await tl.loadDataset({ path: dir });
  const out = {};
  for (const seed of seeds) {
    let popDone = false;
    for (const spec of models) {
      const tr = tl.createTrainer(ds, { preset: 'default', ...split, ...spec.options, seed });
      await tr.run({ stepMs: 200 });
      const ev = tr.evaluate({ maxUsers: 0, baseline: !popDone });
      const add = (name, m) => {
        out[name] ??= { recall: [], ndcg: [] };
        out[name].recall.push(m.recall_at_20); out[name].ndcg.push(m.ndcg_at_10);
      };
      if (!popDone) { add('popularity', ev.baseline.test); popDone = true; }
      add(spec.name, ev.metrics.test);
      tr.free();
    }
    log(`seed ${seed}: done`);
  }
  ds.free();
  return out;
}
