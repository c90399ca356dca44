// Semaphore benchmark (a child process of run.mjs): acquire + release,
// uncontended and contended, every candidate against a hand-written minimal
// semaphore.
//
//   node --expose-gc bench/semaphores.mjs --ops 1000000 --rounds 7
//
// Prints JSON lines on stdout like throughput.mjs.

import { parseArgs } from 'node:util';
import { AsyncMutexSemaphore, MinimalSemaphore, Mutex, Sema, baton, collectGarbage, emit, now } from './lib.mjs';

const { Lock, Semaphore } = baton;

const { values: args } = parseArgs({
  options: {
    ops: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '7' },
  },
});
const OPS = Number(args.ops);
const ROUNDS = Number(args.rounds);
const PERMITS = 4;
const USERS = 100;

/**
 * A semaphore under test, reduced to one shape: `acquire()` resolves to a
 * function that releases.
 *
 * `permits` overrides the scenario's (1 for the locks); `opsDivisor` runs
 * fewer operations for a candidate too slow for the full count (its floor
 * is then measured with the same count, so the ratio stays per operation).
 *
 * @typedef {{ name: string, make: (permits: number) => () => Promise<unknown>, permits?: number, opsDivisor?: number }} Candidate
 */

/** @type {Candidate[]} */
const candidates = [
  {
    name: 'hand-written',
    make: (permits) => {
      const s = new MinimalSemaphore(permits);
      return async () => {
        await s.acquire();
        s.release();
      };
    },
  },
  {
    name: 'hand-written + permit object',
    make: (permits) => {
      const s = new MinimalSemaphore(permits);
      return async () => {
        const permit = await s.acquirePermit();
        permit.release();
      };
    },
  },
  {
    name: 'baton Semaphore acquire/release',
    make: (permits) => {
      const s = new Semaphore(permits);
      return async () => {
        const permit = await s.acquire();
        permit.release();
      };
    },
  },
  {
    name: 'baton Semaphore run()',
    make: (permits) => {
      const s = new Semaphore(permits);
      const fn = () => undefined;
      return () => s.run(fn);
    },
  },
  {
    name: 'async-sema',
    make: (permits) => {
      const s = new Sema(permits);
      return async () => {
        await s.acquire();
        s.release();
      };
    },
  },
  {
    name: 'async-mutex Semaphore',
    make: (permits) => {
      const s = new AsyncMutexSemaphore(permits);
      return async () => {
        const [, release] = await s.acquire();
        release();
      };
    },
  },
  // Mutexes: permits is always 1, compared with a hand-written semaphore(1)
  // measured in the same round ('hand-written' below runs with 1 permit).
  {
    name: 'baton Semaphore(1) as a lock',
    permits: 1,
    make: () => {
      const s = new Semaphore(1);
      return async () => {
        const permit = await s.acquire();
        permit.release();
      };
    },
  },
  {
    name: 'baton Lock',
    permits: 1,
    make: () => {
      const lock = new Lock();
      return async () => {
        const handle = await lock.acquire();
        handle.release();
      };
    },
  },
  {
    name: 'async-mutex Mutex',
    permits: 1,
    opsDivisor: 10,
    make: () => {
      const m = new Mutex();
      return async () => {
        const release = await m.acquire();
        release();
      };
    },
  },
];

/**
 * Uncontended: one user, `ops` sequential acquire + release.
 *
 * @param {() => Promise<unknown>} op
 * @param {number} ops
 */
async function uncontended(op, ops) {
  for (let i = 0; i < ops; i++) await op();
}

/**
 * Contended: `USERS` concurrent users share the semaphore, `ops` acquire +
 * release in all; with 4 permits (or 1 for a lock) most acquisitions wait in
 * line and are handed a permit by a release.
 *
 * @param {() => Promise<unknown>} op
 * @param {number} ops
 */
async function contended(op, ops) {
  const perUser = Math.ceil(ops / USERS);
  const user = async () => {
    for (let i = 0; i < perUser; i++) await op();
  };
  /** @type {Promise<void>[]} */
  const users = [];
  for (let u = 0; u < USERS; u++) users.push(user());
  await Promise.all(users);
}

const scenarios = /** @type {const} */ ([
  ['uncontended', uncontended],
  ['contended', contended],
]);

/**
 * @param {Candidate} candidate
 * @param {(op: () => Promise<unknown>, ops: number) => Promise<void>} scenario
 * @param {number} permits
 * @param {number} ops
 */
async function measure(candidate, scenario, permits, ops) {
  const op = candidate.make(permits);
  collectGarbage();
  const t0 = now();
  await scenario(op, ops);
  return now() - t0;
}

const floor = /** @type {Candidate} */ (candidates[0]);
const others = candidates.slice(1);

// Warm-up: every candidate in every scenario once, unmeasured.
for (const [, scenario] of scenarios) {
  for (const candidate of candidates) {
    await measure(candidate, scenario, candidate.permits ?? PERMITS, OPS / (candidate.opsDivisor ?? 1));
  }
}

for (let round = 0; round < ROUNDS; round++) {
  const shift = round % others.length;
  const order = [...others.slice(shift), ...others.slice(0, shift)];
  for (const [scenarioName, scenario] of scenarios) {
    for (const candidate of order) {
      const permits = candidate.permits ?? PERMITS;
      const ops = OPS / (candidate.opsDivisor ?? 1);
      const floorMs = await measure(floor, scenario, permits, ops);
      const ms = await measure(candidate, scenario, permits, ops);
      emit({ type: 'sample', scenario: scenarioName, name: candidate.name, permits, round, ms, floorMs, ops });
    }
  }
}
emit({ type: 'done' });
