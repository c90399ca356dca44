// Run a small ES module in a fresh Node process from inside the package, so
// that `import ... from 'baton'` resolves through package.json's exports to
// the built dist/ (npm test builds before it runs the tests).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Run `source` as an ES module in a child Node process. A hang guard kills it
 * after `killAfterMs`: a process that does not exit by itself fails the test
 * (status null, signal SIGKILL) instead of stalling the suite.
 */
export function runModule(name: string, source: string, killAfterMs = 15_000): SpawnSyncReturns<string> {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
  }
  const dir = join(root, '.tmp', 'subprocess');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  return spawnSync(process.execPath, [file], {
    cwd: root,
    encoding: 'utf8',
    timeout: killAfterMs,
    killSignal: 'SIGKILL',
  });
}
