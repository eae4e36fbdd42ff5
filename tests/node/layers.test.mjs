// The include layering rule of docs/ARCHITECTURE.md, checked on the sources:
// every #include of the core goes to the same layer or one above it (a lower
// rank); public headers never include internal ones; the CLI and the WASM
// exports include only "towerlens.h" and headers of their own folder. The
// layer table is read from docs/ARCHITECTURE.md, so the doc is the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, posix } from 'node:path';
import { REPO } from './helpers.mjs';

/** Rows `| rank | layer | folders | public headers | ... |` under "## Layers". */
export function readLayerTable(markdown) {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Layers'));
  if (!section) throw new Error('docs/ARCHITECTURE.md has no "## Layers" section');
  const layers = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || !/^\d+$/.test(cells[1])) continue;
    const names = (cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    layers.push({ rank: Number(cells[1]), name: cells[2], folders: names(cells[3]), headers: names(cells[4]) });
  }
  return layers;
}

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else if (/\.[ch]$/.test(name)) out.push(p);
  }
  return out;
}

/**
 * Checks files = [{ path, text }] (paths relative to the repo, with '/')
 * against layers; returns a list of violations (empty when the rule holds).
 */
export function checkLayers(files, layers, exists) {
  const folderRank = new Map();
  const headerRank = new Map();
  for (const l of layers) {
    for (const f of l.folders) folderRank.set(f, l.rank);
    for (const h of l.headers) {
      if (headerRank.has(h)) return [`public header ${h} is in two layers`];
      headerRank.set(h, l.rank);
    }
  }
  const rankOf = (path) => {
    let m = path.match(/^include\/towerlens\/([a-z0-9_]+\.h)$/);
    if (m) return headerRank.get(m[1]);
    m = path.match(/^src\/(.+)\/[^/]+$/);
    if (!m) return undefined;
    // a folder belongs to the nearest listed folder above it (src/models/ease: models)
    for (let f = m[1]; f; f = f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '')
      if (folderRank.has(f)) return folderRank.get(f);
    return undefined;
  };
  const bad = [];
  for (const { path, text } of files) {
    const front = /^src\/(cli|wasm)\//.test(path);
    const isPublic = path.startsWith('include/');
    const own = rankOf(path);
    if (!front && path !== 'include/towerlens.h' && own === undefined) {
      bad.push(`${path}: in no layer of docs/ARCHITECTURE.md`);
      continue;
    }
    text.split('\n').forEach((line, i) => {
      const m = line.match(/^\s*#\s*include\s+"([^"]+)"/);
      if (!m) return;
      const inc = m[1];
      const where = `${path}:${i + 1}: #include "${inc}"`;
      // where the include resolves: next to the file, then include/, then src/
      const candidates = [posix.normalize(posix.join(posix.dirname(path), inc)), `include/${inc}`, `src/${inc}`];
      const target = candidates.find(exists);
      if (!target) return bad.push(`${where}: no such file`);
      if (front) {
        if (target !== 'include/towerlens.h' && posix.dirname(target) !== posix.dirname(path))
          bad.push(`${where}: the CLI and WASM layers include only "towerlens.h" and their own headers`);
        return;
      }
      if (isPublic && !target.startsWith('include/')) return bad.push(`${where}: a public header includes an internal one`);
      const rank = rankOf(target);
      if (rank === undefined) return bad.push(`${where}: target in no layer`);
      if (rank > own) bad.push(`${where}: upward include (layer ${own} includes layer ${rank})`);
    });
  }
  return bad;
}

const layers = readLayerTable(readFileSync(join(REPO, 'docs/ARCHITECTURE.md'), 'utf8'));
const sources = ['include', 'src'].flatMap((d) => listFiles(join(REPO, d)));
const files = sources.map((p) => ({ path: relative(REPO, p).split('\\').join('/'), text: readFileSync(p, 'utf8') }));
const exists = (p) => existsSync(join(REPO, p)) && statSync(join(REPO, p)).isFile();

test('the layer table names every core folder and public header once', () => {
  assert.ok(layers.length >= 8, `only ${layers.length} layers read from docs/ARCHITECTURE.md`);
  const folders = new Set(files.map((f) => f.path.match(/^src\/(.+)\/[^/]+$/)?.[1]).filter(Boolean));
  for (const f of folders) {
    if (f === 'cli' || f === 'wasm') continue;
    const top = f.split('/')[0];
    assert.ok(layers.some((l) => l.folders.includes(f) || l.folders.includes(top)), `src/${f} is in no layer`);
  }
  const headers = readdirSync(join(REPO, 'include/towerlens'));
  for (const h of headers) assert.equal(layers.filter((l) => l.headers.includes(h)).length, 1, `include/towerlens/${h}`);
  for (const l of layers) for (const h of l.headers) assert.ok(headers.includes(h), `the table names ${h}, which does not exist`);
  // the umbrella header includes every public header
  const umbrella = readFileSync(join(REPO, 'include/towerlens.h'), 'utf8');
  for (const h of headers) assert.match(umbrella, new RegExp(`#include "towerlens/${h}"`), `towerlens.h misses ${h}`);
});

test('no include goes up a layer, and the front ends include only towerlens.h', () => {
  assert.ok(files.length > 100, `only ${files.length} sources found`);
  assert.deepEqual(checkLayers(files, layers, exists), []);
});

test('include guards: TOWERLENS_NAME_H for public headers, TL_FOLDER_NAME_H for internal ones', () => {
  for (const { path, text } of files) {
    if (!path.endsWith('.h')) continue;
    const name = path.split('/').pop().slice(0, -2).toUpperCase();
    const want = path.startsWith('include/')
      ? (path === 'include/towerlens.h' ? 'TOWERLENS_H' : `TOWERLENS_${name}_H`)
      : `TL_${posix.dirname(path).slice(4).replaceAll('/', '_').toUpperCase()}_${name}_H`;
    assert.match(text, new RegExp(`#ifndef ${want}\n#define ${want}\n`), `${path}: include guard should be ${want}`);
  }
});

test('naming: what src/ headers declare is internal (tl__name), what include/ declares is public (tl_name)', () => {
  const declared = (text) => [...text.matchAll(/\b(tl_{1,2}[a-z0-9_]+)\s*\(/g)].map((m) => m[1]);
  for (const { path, text } of files) {
    if (!path.endsWith('.h') || /^src\/(cli|wasm)\//.test(path)) continue;
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '');
    for (const name of declared(code)) {
      // a declaration or an inline definition at the start of a line
      if (!new RegExp(`^[^\\s#].*\\b${name}\\s*\\(`, 'm').test(code)) continue;
      if (path.startsWith('include/')) assert.ok(!name.startsWith('tl__'), `${path}: public header declares internal ${name}`);
    }
  }
  for (const { path, text } of files.filter((f) => f.path.startsWith('src/') && f.path.endsWith('.h') && !/^src\/(cli|wasm)\//.test(f.path))) {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of code.matchAll(/^(?:static inline |extern )?[a-z_][\w ]*?[\s*](tl_[a-z0-9][a-z0-9_]*)\s*\(/gm))
      assert.fail(`${path}: internal function ${m[1]} should be named tl__${m[1].slice(3)}`);
  }
});

test('the check catches an upward include, an internal header in a public one, and a front end reaching inside', () => {
  const toy = [
    { rank: 1, name: 'base', folders: ['base'], headers: ['buf.h'] },
    { rank: 2, name: 'data', folders: ['data'], headers: ['dataset.h'] },
  ];
  const have = new Set(['include/towerlens.h', 'include/towerlens/buf.h', 'include/towerlens/dataset.h', 'src/base/simd4.h', 'src/data/seen_internal.h']);
  const bad = checkLayers(
    [
      { path: 'src/base/buf.c', text: '#include "towerlens/buf.h"\n#include "towerlens/dataset.h"\n' },
      { path: 'src/data/dataset.c', text: '#include "towerlens/buf.h"\n#include "base/simd4.h"\n#include "seen_internal.h"\n' },
      { path: 'include/towerlens/dataset.h', text: '#include "base/simd4.h"\n' },
      { path: 'src/cli/main.c', text: '#include "towerlens.h"\n#include "towerlens/buf.h"\n' },
    ],
    toy,
    (p) => have.has(p),
  );
  assert.equal(bad.length, 3, bad.join('\n'));
  assert.match(bad[0], /src\/base\/buf\.c:2: .*upward include \(layer 1 includes layer 2\)/);
  assert.match(bad[1], /include\/towerlens\/dataset\.h:1: .*public header includes an internal one/);
  assert.match(bad[2], /src\/cli\/main\.c:2: .*only "towerlens.h"/);
});
