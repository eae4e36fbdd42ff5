#!/usr/bin/env node
// The original model in TensorFlow.js, written the way a TF.js user would:
// tf.gather of two embedding tables, tf.matMul(U, M, false, true), softmax
// cross-entropy against the identity summed over the batch, and
// tf.train.adagrad(0.1, 0.1), on @tensorflow/tfjs-backend-wasm (SIMD, one
// thread in Node). Same data, split (splitmix64 permutation, seed 42, 80000 /
// 20000), dimension 32 and batch 8192 as towerlens' preset tfrs; the batch
// order is the same shuffle (seed + 3).
//
//   node bench/train_tfjs.mjs [--epochs N] [--batch B] [--backend wasm|cpu] [--json] DATA_DIR
//
// The wasm backend has no kernel for the gradient of tf.gather
// (UnsortedSegmentSum); this file registers one built on the backend's own
// ScatterNd, which sums duplicate indices the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const args = process.argv.slice(2);
const opt = { epochs: 1, batch: 8192, backend: 'wasm', json: false, dir: null, dim: 32 };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--epochs') opt.epochs = Number(args[++i]);
  else if (a === '--batch') opt.batch = Number(args[++i]);
  else if (a === '--backend') opt.backend = args[++i];
  else if (a === '--json') opt.json = true;
  else opt.dir = a;
}
if (!opt.dir) {
  console.error('usage: node bench/train_tfjs.mjs [--epochs N] [--batch B] [--backend wasm|cpu] [--json] DATA_DIR');
  process.exit(2);
}
const log = (...m) => { if (!opt.json) console.log(...m); };

// ---- data, vocabularies and split exactly as the C core builds them -----
function readIds(file, idColumns) {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = lines[i].split(',', idColumns);
    rows.push(f.map(Number));
  }
  return rows;
}
const ratings = readIds(join(opt.dir, 'ratings.csv'), 2);
const movieRows = readIds(join(opt.dir, 'movies.csv'), 1).map((r) => r[0]);
const userIds = [...new Set(ratings.map((r) => r[0]))].sort((a, b) => a - b);
const movieIds = [...new Set([...movieRows, ...ratings.map((r) => r[1])])].sort((a, b) => a - b);
const userIndex = new Map(userIds.map((id, i) => [id, i]));
const movieIndex = new Map(movieIds.map((id, i) => [id, i]));
const catalogue = [...new Set(movieRows)].map((id) => movieIndex.get(id)).sort((a, b) => a - b);
const rU = Int32Array.from(ratings, (r) => userIndex.get(r[0]));
const rM = Int32Array.from(ratings, (r) => movieIndex.get(r[1]));

const MASK = (1n << 64n) - 1n;
function shuffle(a, seed) { // splitmix64 Fisher-Yates, as src/base/rng.c
  let s = BigInt(seed);
  for (let i = a.length - 1; i >= 1; i--) {
    s = (s + 0x9E3779B97F4A7C15n) & MASK;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
    z ^= z >> 31n;
    const j = Number(z % BigInt(i + 1));
    const t = a[i]; a[i] = a[j]; a[j] = t;
  }
  return a;
}
const SEED = 42, NTRAIN = 80000, NTEST = 20000;
const perm = shuffle(Array.from({ length: ratings.length }, (_, i) => i), SEED);
const train = shuffle(perm.slice(0, NTRAIN), SEED + 3);
const test = perm.slice(NTRAIN, NTRAIN + NTEST);

// ---- the UnsortedSegmentSum kernel the wasm backend lacks --------------
function registerSegmentSum() {
  const scatter = tf.getKernel('ScatterNd', 'wasm');
  const reshape = tf.getKernel('Reshape', 'wasm');
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs;
      const idx = reshape.kernelFunc({ inputs: { x: segmentIds }, backend, attrs: { shape: [segmentIds.shape[0], 1] } });
      const out = scatter.kernelFunc({ inputs: { indices: idx, updates: x }, backend,
        attrs: { shape: [attrs.numSegments, ...x.shape.slice(1)] } });
      backend.disposeData(idx.dataId);
      return out;
    },
  });
}

async function main() {
  if (opt.backend === 'wasm') {
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname);
  }
  await tf.setBackend(opt.backend);
  await tf.ready();
  if (opt.backend === 'wasm') registerSegmentSum();
  log(`TF.js ${tf.version.tfjs} backend ${tf.getBackend()}: ${userIds.length} users, ${movieIds.length} movies, ` +
    `${NTRAIN}/${NTEST} split, d=${opt.dim}, batch ${opt.batch}`);

  const users = tf.variable(tf.randomUniform([userIds.length + 1, opt.dim], -0.05, 0.05, 'float32', 1));
  const movies = tf.variable(tf.randomUniform([movieIds.length + 1, opt.dim], -0.05, 0.05, 'float32', 2));
  const optimizer = tf.train.adagrad(0.1, 0.1);
  const batches = [];
  for (let s = 0; s < NTRAIN; s += opt.batch) {
    const rows = train.slice(s, s + opt.batch);
    batches.push({ u: Int32Array.from(rows, (r) => rU[r]), m: Int32Array.from(rows, (r) => rM[r]) });
  }
  const epochs = [];
  let firstBatchLoss = null;
  const c0 = process.cpuUsage();
  for (let e = 1; e <= opt.epochs; e++) {
    const t0 = performance.now();
    let sum = 0;
    for (const b of batches) {
      const loss = optimizer.minimize(() => tf.tidy(() => {
        const U = tf.gather(users, tf.tensor1d(b.u, 'int32'));
        const M = tf.gather(movies, tf.tensor1d(b.m, 'int32'));
        const logits = tf.matMul(U, M, false, true);
        return tf.losses.softmaxCrossEntropy(tf.eye(b.u.length), logits, undefined, 0, tf.Reduction.SUM);
      }), true);
      const v = (await loss.data())[0];
      loss.dispose();
      if (firstBatchLoss === null) firstBatchLoss = v;
      sum += v;
    }
    const seconds = (performance.now() - t0) / 1e3;
    epochs.push({ epoch: e, loss: sum / batches.length, seconds });
    log(`epoch ${e}: loss ${(sum / batches.length).toFixed(1)}, ${seconds.toFixed(1)} s`);
  }
  const cpuSeconds = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6;

  // protocol A top-100 over the catalogue: hit when fewer than 100 movies score higher
  const cat = tf.gather(movies, tf.tensor1d(catalogue, 'int32'));
  let hits = 0;
  for (let s = 0; s < test.length; s += 1000) {
    const rows = test.slice(s, s + 1000);
    const n = tf.tidy(() => {
      const U = tf.gather(users, tf.tensor1d(Int32Array.from(rows, (r) => rU[r]), 'int32'));
      const Mt = tf.gather(movies, tf.tensor1d(Int32Array.from(rows, (r) => rM[r]), 'int32'));
      const target = tf.sum(tf.mul(U, Mt), 1, true);
      const higher = tf.sum(tf.cast(tf.greater(tf.matMul(U, cat, false, true), target), 'int32'), 1);
      return tf.sum(tf.cast(tf.less(higher, 100), 'int32'));
    });
    hits += (await n.data())[0];
    n.dispose();
  }
  const result = {
    epochs, firstBatchLoss, cpuSeconds, top100: hits / test.length, popularityTop100: null,
    peakRssBytes: process.resourceUsage().maxRSS * 1024, backend: tf.getBackend(),
  };
  if (opt.json) console.log(JSON.stringify(result));
  else log(`test top-100 ${result.top100.toFixed(4)}, peak RSS ${(result.peakRssBytes / 1e6).toFixed(0)} MB`);
}

main().catch((e) => { console.error(e); process.exit(1); });
