// Shared by the Node tests: where things are, and one WASM instance per file.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_SMALL = resolve(REPO, '../shared/data/ml-latest-small');
export const HAVE_SHARED = existsSync(join(SHARED_SMALL, 'ratings.csv'));
export const SKIP_SHARED = HAVE_SHARED ? false : `SKIP: ${SHARED_SMALL} not found; real MovieLens checks skipped`;
export const DEMO = join(REPO, 'data/demo');
export const NATIVE_CLI = join(REPO, 'build/towerlens');

// a failed WASM load must fail the test, not hang the run
export const LOAD_TIMEOUT = 60_000;
export const TEST_TIMEOUT = 120_000;

export const utf8 = (s) => new TextEncoder().encode(s);

/** `towerlens stats --json PATH...` from the native build (build/), or null when it is not built. */
export function nativeStats(paths) {
  if (!existsSync(NATIVE_CLI)) return null;
  if (spawnSync(NATIVE_CLI, ['stats', '--help']).status !== 0) return null; // CLI without `stats`
  return JSON.parse(execFileSync(NATIVE_CLI, ['stats', '--json', ...paths], { encoding: 'utf8' }));
}
