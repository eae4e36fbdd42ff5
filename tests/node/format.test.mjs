// The C sources keep the style of .clang-format (applied to every file once).
// Skips, saying so, where clang-format is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { REPO } from './helpers.mjs';

const have = spawnSync('clang-format', ['--version']).status === 0;

test('every C file is formatted by .clang-format', { skip: have ? false : 'SKIP: clang-format not installed' }, () => {
  const files = execFileSync('git', ['ls-files', '*.c', '*.h'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(files.length > 100, `only ${files.length} C files`);
  const r = spawnSync('clang-format', ['--dry-run', '--Werror', ...files], { cwd: REPO, encoding: 'utf8' });
  const unformatted = [...new Set([...(r.stderr || '').matchAll(/^([^:\s]+\.[ch]):\d+:\d+: error/gm)].map((m) => m[1]))];
  assert.deepEqual(unformatted, [], 'run: clang-format -i ' + unformatted.join(' '));
});
