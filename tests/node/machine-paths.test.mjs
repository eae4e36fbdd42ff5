// No path of a developer's machine in the repository: docs and code point
// to files in the repo (or describe what lives elsewhere), never to someone's
// home, work or scratch folders. Scans every tracked text file.
//   allowed: `../shared/data/ml-*` (the MovieLens copy beside the checkout
//   that tests and benchmarks look for), `~/Downloads/` (a reader's download
//   in README examples), and /tmp only where code really makes a temporary
//   file: `${TMPDIR:-/tmp}`, mkdtemp('/tmp/...'), mkstemp "/tmp/...XXXXXX".
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO } from './helpers.mjs';

const FORBIDDEN = [
  [/(?<![\w.$-])\/(?:work|home|root|Users|mnt|scratch)\/[\w.-]/, 'an absolute path of a machine'],
  [/[A-Za-z]:\\\\?Users\\/, 'a Windows home folder'],
  [/(?<![\w.$-])~\/(?!Downloads\/)[\w.-]/, 'a home-folder path'],
  [/(?<![\w.$-])\/tmp\//, 'a /tmp path'],
  [/\.\.\/shared\/(?!data\/ml-)/, 'a folder beside the checkout other than the MovieLens copy'],
  [/(?<![\w.-])shared\/notes\//, 'notes outside the repository'],
];

// where /tmp is a real temporary file: the shell default, a mkdtemp prefix, a mkstemp template
const TEMP_OK = [/\$\{TMPDIR:-\/tmp\}/g, /mkdtempSync\(['"]\/tmp\/[\w.-]*['"]/g, /"\/tmp\/\w*XXXXXX"/g];

// data files (CSV fixtures, the demo set, fuzz seeds, model files) hold no paths of ours
// (and this file, whose examples below are what it looks for)
const SKIP = /^(data\/|tests\/fixtures\/|tests\/fuzz\/corpus_|package-lock\.json$|tests\/node\/machine-paths\.test\.mjs$)/;

function trackedFiles() {
  return execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
}

test('no tracked file names a path of a developer machine', { skip: gitMissing() }, () => {
  const problems = [];
  let scanned = 0;
  for (const file of trackedFiles()) {
    if (SKIP.test(file)) continue;
    let text;
    try {
      text = readFileSync(join(REPO, file));
    } catch {
      continue; // listed but deleted in the working tree
    }
    if (text.includes(0)) continue; // binary
    scanned++;
    text.toString('utf8').split('\n').forEach((line, i) => {
      let rest = line;
      for (const ok of TEMP_OK) rest = rest.replace(ok, '');
      for (const [re, what] of FORBIDDEN) {
        if (re.test(rest)) problems.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 160)}`);
      }
    });
  }
  assert.ok(scanned > 100, `only ${scanned} files scanned`);
  assert.deepEqual(problems, []);
});

test('the check catches what it is for', () => {
  const hits = (line) => {
    let rest = line;
    for (const ok of TEMP_OK) rest = rest.replace(ok, '');
    return FORBIDDEN.some(([re]) => re.test(rest));
  };
  for (const bad of ['see /work/notes/x.md', 'cd /home/anna/study', '~/proj/numpy', '/tmp/study1/run.py',
    '../shared/notes/toolchain.md', 'C:\\Users\\bob', 'data in /Users/bob/ml']) {
    assert.ok(hits(bad), bad);
  }
  for (const good of ['../shared/data/ml-latest-small', 'towerlens stats ~/Downloads/ml-latest-small',
    'dir=${TMPDIR:-/tmp}/towerlens-bench', "fs.mkdtempSync('/tmp/tl-zip-')", 'char p[] = "/tmp/tl_storeXXXXXX";',
    'src/core/loader.c', '$TMPDIR/towerlens-bench/x', 'web/lib/inputs.js']) {
    assert.ok(!hits(good), good);
  }
});

function gitMissing() {
  try {
    execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: REPO, stdio: 'ignore' });
    return false;
  } catch {
    return 'SKIP: not a git checkout';
  }
}
