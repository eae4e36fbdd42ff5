// Lists that C and JavaScript share have one source, in C: these tests read
// the C tables and compare every JS copy (and the docs that name them) with
// them, so a change on one side fails here until the other side follows.
// C sources are found by their content anywhere under src/ and include/,
// never by a fixed path, so the files may move between folders.
// No WASM build needed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { REPO } from './helpers.mjs';
import { STATUS_CODES } from '../../web/lib/errors.js';

const read = (path) => readFileSync(join(REPO, path), 'utf8');

function cFiles(dir) {
  const out = [];
  for (const e of readdirSync(join(REPO, dir), { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...cFiles(path));
    else if (/\.[ch]$/.test(e.name)) out.push(path);
  }
  return out.sort();
}
const C_SOURCES = [...cFiles('src'), ...cFiles('include')].map((path) => ({ path, text: read(path) }));

/** The one C file whose text matches `re` (and the match), wherever it lives. */
function findC(re, what) {
  const hits = C_SOURCES.filter((f) => re.test(f.text));
  assert.equal(hits.length, 1, `${what}: expected one C file matching ${re}, found ${hits.map((f) => f.path).join(', ') || 'none'}`);
  return { path: hits[0].path, match: re.exec(hits[0].text) };
}

/** C source without comments (block and line). */
const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

describe('status codes: the tl_status enum is the source', () => {
  const { path, match } = findC(/typedef enum tl_status \{([\s\S]*?)\} tl_status;/, 'tl_status');
  const body = stripComments(match[1]);
  const names = [...body.matchAll(/\bTL_(?:E_)?([A-Z0-9_]+)\s*(=\s*(\d+))?/g)];

  test(`${path}: values run 0, 1, 2, ... in order`, () => {
    assert.ok(names.length >= 2);
    names.forEach((m, i) => {
      if (m[3] !== undefined) assert.equal(Number(m[3]), i, `TL_${m[1]} = ${m[3]}`);
    });
  });

  test('web/lib/errors.js STATUS_CODES lists the enum by value', () => {
    assert.deepEqual([...STATUS_CODES], names.map((m) => m[1]));
  });

  test('towerlens.d.ts declares the same STATUS_CODES', () => {
    const dts = /STATUS_CODES: readonly \[([^\]]*)\]/.exec(read('web/towerlens.d.ts'));
    assert.ok(dts, 'STATUS_CODES in web/towerlens.d.ts');
    assert.deepEqual([...dts[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]), [...STATUS_CODES]);
  });

  test('tl_status_name names every status', () => {
    const fn = findC(/const char \*tl_status_name\(tl_status status\)\s*\{([\s\S]*?)\n\}/, 'tl_status_name');
    const cases = [...fn.match[1].matchAll(/case TL_(?:E_)?([A-Z0-9_]+):/g)].map((m) => m[1]);
    assert.deepEqual(cases, names.map((m) => m[1]));
  });

  test('the page and its worker use the upper-case codes', () => {
    for (const file of ['web/worker.js', 'web/worker-engine.js', 'web/app/worker-client.js', 'web/app/main.js']) {
      const codes = [...read(file).matchAll(/\bcode(?:: | === )'([^']*)'/g)].map((m) => m[1]);
      for (const c of codes) assert.equal(c, c.toUpperCase(), `${file}: code '${c}'`);
    }
  });
});


describe('presets: the table in the C core is the source', () => {
  const { path, match } = findC(/\} presets\[\] = \{([\s\S]*?)\n\};/, 'the preset table');
  const rows = [...stripComments(match[1]).matchAll(/\{\s*"([^"]+)",\s*"((?:[^"\\]|\\.)*)"\s*,\s*(\w+)\s*\}/g)]
    .map((m) => ({ name: m[1], about: m[2] }));
  const names = rows.map((r) => r.name);

  test(`${path}: every row has a name and a line about it`, () => {
    assert.ok(names.length >= 2, `rows parsed: ${names}`);
    assert.equal(new Set(names).size, names.length);
    for (const r of rows) assert.ok(r.about.length > 10, r.name);
  });

  test('towerlens.d.ts PresetName lists them', () => {
    const m = /export type PresetName = ([^;]*);/.exec(read('web/towerlens.d.ts'));
    assert.ok(m, 'PresetName in web/towerlens.d.ts');
    assert.deepEqual([...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]).sort(), [...names].sort());
  });

  test("the page's model choice offers every preset and no other", () => {
    const html = read('web/index.html');
    const radios = [...html.matchAll(/<input type="radio" name="preset" value="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(radios.length >= 1);
    for (const r of radios) assert.ok(names.includes(r), `radio "${r}" is not a preset`);
    // a preset without its own radio button in index.html is picked by the
    // panel's other controls, or gets a radio made from presets() at start-up
    const panel = read('web/app/train-panel.js');
    const generates = /function addPresetChoices\(\)/.test(panel) && /addPresetChoices\(\);/.test(panel);
    for (const n of names.filter((x) => !radios.includes(x))) {
      assert.ok(generates || panel.includes(`'${n}'`),
        `preset "${n}" has no radio button and web/app/train-panel.js neither names it nor makes one from presets()`);
    }
  });

  test('docs/js-api.md names every preset', () => {
    const doc = read('docs/js-api.md');
    for (const n of names) assert.ok(doc.includes(`'${n}'`), `'${n}' in docs/js-api.md`);
  });
});

describe("known file names: the native reader's folder list is the source", () => {
  const { path, match } = findC(/known_names\[\] = \{([\s\S]*?)\};/, 'the known file names');
  const names = [...stripComments(match[1]).matchAll(/"([^"]+)"/g)].map((m) => m[1]);

  test(`${path}: a list of file names`, () => {
    assert.ok(names.length >= 6, `${names}`);
    for (const n of ['ratings.csv', 'movies.csv', 'u.data', 'ratings.dat']) assert.ok(names.includes(n), n);
  });

  test('web/lib/inputs.js MOVIELENS_FILE_NAMES is the same list in the same order', async () => {
    const { MOVIELENS_FILE_NAMES } = await import('../../web/lib/inputs.js');
    assert.deepEqual([...MOVIELENS_FILE_NAMES], names);
  });

  test('web/lib/pick-files.js knows the same names', async () => {
    const { KNOWN_FILE_KINDS } = await import('../../web/lib/pick-files.js');
    assert.deepEqual([...KNOWN_FILE_KINDS.keys()].sort(), [...names].sort());
  });

  test("Node's folder message is the native reader's", () => {
    const c = findC(/"this folder holds no MovieLens data files;[\s\S]*?\);/, 'the folder message');
    const text = [...c.match[0].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');
    const js = read('web/lib/inputs.js').replace(/[`']\s*\+\s*\n\s*[`']/g, '');
    assert.ok(js.includes(text), `web/lib/inputs.js lacks: ${text}`);
  });
});
