// `npm run demo`, the README's main command, run as users run it: a child
// Node process on the built package (npm test builds before it runs the
// tests). It must exit by itself with code 0 and print a report whose facts
// hold: results in order, the concurrency limit kept, fail fast cancelling
// the rest, settle counting every outcome, the race's loser cancelled, the
// chain run in order. Durations vary with the machine and are never asserted.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { root } from './subprocess.js';

let result: SpawnSyncReturns<string>;
let out = '';

/** The numbers the first match of `pattern` captures. */
function numbers(pattern: RegExp): number[] {
  const match = pattern.exec(out);
  expect(match, `no match for ${String(pattern)} in:\n${out}`).not.toBeNull();
  return (match ?? []).slice(1).map(Number);
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
  }
  // The hang guard: a demo that leaves a handle open never exits, and is
  // killed instead of stalling the suite.
  result = spawnSync(process.execPath, [join(root, 'demo', 'main.mjs')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  out = result.stdout;
}, 70_000);

describe('the demo (npm run demo)', () => {
  test('exits by itself with code 0, prints nothing on stderr, and no progress line when piped', () => {
    expect(result.error).toBeUndefined();
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(out).not.toContain('\r');
    expect(out).toMatch(/\nReport\n[\s\S]*server closed, nothing left running\n$/);
  });

  test('1: map() returns 500 results in input order, with at most 10 requests and 10 sockets at once', () => {
    expect(out).toContain('1. 500 URLs through map(), concurrency 10');
    expect(out).toContain('results: 500, in order: yes');
    const [peakRequests = NaN] = numbers(/peak concurrent requests: (\d+) \(limit 10\), as seen by the server/);
    expect(peakRequests).toBeGreaterThanOrEqual(1);
    expect(peakRequests).toBeLessThanOrEqual(10);
    const [peakSockets = NaN, connections = NaN, requests = NaN] = numbers(
      /peak open sockets: (\d+); (\d+) connections for (\d+) requests/,
    );
    expect(peakSockets).toBeLessThanOrEqual(10);
    expect(connections).toBeLessThanOrEqual(10);
    expect(requests).toBe(500);
  });

  test('2: fail fast rejects with the task\'s own error and cancels the rest; settle counts 499 fulfilled, 1 rejected', () => {
    expect(out).toContain('map() rejected with HttpError: GET /broken/137 answered 500');
    expect(out).toContain('the very error the task threw: yes');
    const [started = NaN, completed = NaN, failed = NaN, cancelled = NaN, neverStarted = NaN] = numbers(
      /started (\d+), completed (\d+), failed (\d+), cancelled (\d+), never started (\d+)/,
    );
    expect(failed).toBe(1);
    expect(cancelled).toBeGreaterThanOrEqual(1);
    expect(cancelled).toBeLessThanOrEqual(9);
    expect(completed + failed + cancelled).toBe(started);
    expect(started + neverStarted).toBe(500);
    expect(neverStarted).toBeGreaterThan(0);
    const [abortedAtServer = NaN, cancelledAgain = NaN] = numbers(
      /the server saw (\d+) of the (\d+) cancelled requests aborted mid-flight/,
    );
    expect(cancelledAgain).toBe(cancelled);
    expect(abortedAtServer).toBeLessThanOrEqual(cancelled);

    expect(out).toContain('500 outcomes, in order: yes');
    expect(out).toContain('499 fulfilled, 1 rejected (#137: GET /broken/137 answered 500)');
  });

  test('3: the race is won by the fast mirror, and the slow one is cancelled (the server saw its request aborted)', () => {
    expect(out).toContain('winner: mirror a ("the file, from mirror a")');
    expect(out).toContain('loser: mirror b cancelled (AbortError); the server saw its request aborted: yes');
    expect(out).toContain('race: mirror a won; mirror b cancelled: yes');
  });

  test('4: wait() with a timeout splits done and pending without cancelling; the pending are then cancelled', () => {
    const [done = NaN, pending = NaN] = numbers(/wait: done (\d+), pending (\d+); pending cancelled: yes/);
    expect(done + pending).toBe(5);
    expect(pending).toBeGreaterThanOrEqual(1);
    expect(out).toContain('wait() cancelled nothing: the pending tasks are still running: yes');
    expect(out).toMatch(/then task\.cancel\(\) on each pending task: .*job-3000ms cancelled/);
  });

  test('5: the chain runs login -> token -> data -> submit strictly in order, beside independent work that overlaps', () => {
    expect(out).toContain('chain order: login -> token -> data -> submit; sequential: yes');
    expect(out).toMatch(/submitted: receipt r-\d+/);
    expect(out).toContain('independent work overlapped: yes');
    const chain = out
      .split('\n')
      .filter((line) => /^\s+\+\s*\d+ ms {2}chain {2}/.test(line))
      .map((line) => line.replace(/^.* chain {2}/, ''));
    expect(chain).toEqual([
      'login started',
      'login done',
      'token started',
      'token done',
      'data started',
      'data done',
      'submit started',
      'submit done',
    ]);
  });
});
