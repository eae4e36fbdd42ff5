// The model-type seam (docs/ARCHITECTURE.md "Model types"): outside
// src/models/ nothing names a model type's internals. Evaluation, serving,
// the model file, the CLI and the WASM exports reach every type through
// scorer.h and model_type.h, so a new type needs no edit there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers.mjs';

// what only a model type's own folder may use
const TYPE_INTERNALS = [
  /\bTL_LOSS_\w+/, // which trainer runs
  /\btl_rating_head\w*/, // the two-tower's rating head
  /\btl_trainer_(model|head)\b/, // a trainer's embedding tables or head
  /\btl_model_embeddings\b/,
  /\btl_embed_\w+/, /\btl_ease_\w+/, /\btl_ials_\w+\(/, /\btl_import_foldin_(solve|from_config)\b/,
  /tl_(model_file_tensor|tensor_find)\([^)]*"(users|movies|popularity|head\.[\w.]+)"/, // a type's tensor names
];
// the folders that must hold no branch per type, and the lines they may keep
const FOLDERS = ['src/cli', 'src/wasm', 'src/eval', 'src/serve', 'src/store'];
const ALLOWED = [
  /tl_ials_solver_(parse|name)\(/, // the solver option's name, checked by the config (tl_train_config_set_solver)
  // the entry points over plain embedding tables (tl_eval_retrieval, tl_index_new_embeddings) that tests and
  // benches use: they build the dot-product scorer and go through the seam like everything else
  /= tl_embed_scorer_new\(ds, emb, &sc, err\);/,
];

function sources(dir) {
  return readdirSync(join(REPO, dir)).filter((f) => /\.[ch]$/.test(f)).map((f) => `${dir}/${f}`);
}

/** Lines of `text` (comments dropped) that use a type's internals. */
export function typeBranches(path, text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const bad = [];
  code.split('\n').forEach((line, i) => {
    if (ALLOWED.some((re) => re.test(line))) return;
    const hit = TYPE_INTERNALS.find((re) => re.test(line));
    if (hit) bad.push(`${path}:${i + 1}: ${line.trim()}`);
  });
  return bad;
}

test('no per-type branch outside src/models (eval, serve, store, CLI, WASM)', () => {
  const files = FOLDERS.flatMap(sources);
  assert.ok(files.length > 40, `only ${files.length} files found`);
  const bad = files.flatMap((p) => typeBranches(p, readFileSync(join(REPO, p), 'utf8')));
  assert.deepEqual(bad, []);
});

test('the check catches a type branch and ignores comments', () => {
  assert.equal(typeBranches('x.c', 'if (cfg->loss == TL_LOSS_IALS) x();\n').length, 1);
  assert.equal(typeBranches('x.c', 'const tl_tensor *t = tl_model_file_tensor(mf, "users");\n').length, 1);
  assert.equal(typeBranches('x.c', '/* TL_LOSS_IALS in a comment */\nint a;\n').length, 0);
  assert.equal(typeBranches('x.c', 'st = tl_scorer_predict(sc, &u, &m, 1, &raw, err);\n').length, 0);
});
