// Rate limiter benchmark (a child process of run.mjs): the overhead of one
// start through a rate limiter whose rate is never reached, every candidate
// against a hand-written minimal token bucket (MinimalTokenBucket in
// lib.mjs).
//
//   node --expose-gc bench/ratelimit.mjs --ops 200000 --rounds 7 [--skip '["sequential\tbottleneck"]'] [--budget-ms 12000]
//
// Scenarios (as for the semaphores):
//   sequential  one caller: `ops` starts, one after the other
//   concurrent  100 callers, `ops` starts in all
//
// Every limiter allows a billion starts per second (strict: in any window of
// a second), far more than any candidate can make, so nothing ever waits for
// the rate: what is measured is the cost of asking. Each run builds a fresh
// limiter. Prints JSON lines on stdout (see runRounds in lib.mjs).

import { parseArgs } from 'node:util';
import { Bottleneck, MinimalTokenBucket, PQueueClass, baton, pThrottle, parseSkip, runRounds, skipKey } from './lib.mjs';

const { RateLimiter } = baton;
const LIMIT = 1_000_000_000;
const INTERVAL = 1_000;
const USERS = 100;

const { values: args } = parseArgs({
  options: {
    ops: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '7' },
    warmups: { type: 'string', default: '1' },
    skip: { type: 'string', default: '[]' },
    'budget-ms': { type: 'string', default: '60000' },
  },
});
const OPS = Number(args.ops);
const skip = parseSkip(args.skip);

// The work each start does: count itself (checked after the run).
let calls = 0;
const work = () => {
  calls++;
  return calls;
};

/**
 * One start through a limiter: resolves once `work` has run.
 *
 * @typedef {() => Promise<unknown>} Op
 * @typedef {{ name: string, make: () => { op: Op, close?: () => Promise<void> }, opsDivisor?: number }} Limiter
 */

/** @type {Limiter[]} */
const limiters = [
  {
    name: 'baton RateLimiter acquire()',
    make: () => {
      const limiter = new RateLimiter({ limit: LIMIT, interval: INTERVAL });
      return {
        op: async () => {
          await limiter.acquire();
          work();
        },
      };
    },
  },
  {
    name: 'baton RateLimiter run()',
    make: () => {
      const limiter = new RateLimiter({ limit: LIMIT, interval: INTERVAL });
      return { op: () => limiter.run(work) };
    },
  },
  {
    name: 'baton RateLimiter strict',
    make: () => {
      const limiter = new RateLimiter({ limit: LIMIT, interval: INTERVAL, strict: true });
      return {
        op: async () => {
          await limiter.acquire();
          work();
        },
      };
    },
  },
  {
    // The same rate cap (10^7 per second) with a limit below 2^25: see the
    // strict row's note in docs/benchmarks.md.
    name: 'baton RateLimiter strict (10^6 per 100 ms)',
    make: () => {
      const limiter = new RateLimiter({ limit: 1_000_000, interval: 100, strict: true });
      return {
        op: async () => {
          await limiter.acquire();
          work();
        },
      };
    },
  },
  {
    name: 'p-throttle',
    make: () => ({ op: pThrottle({ limit: LIMIT, interval: INTERVAL })(work) }),
  },
  {
    name: 'p-throttle strict',
    make: () => ({ op: pThrottle({ limit: LIMIT, interval: INTERVAL, strict: true })(work) }),
  },
  {
    name: 'p-queue intervalCap',
    make: () => {
      const queue = new PQueueClass({ intervalCap: LIMIT, interval: INTERVAL });
      return { op: () => queue.add(work) };
    },
  },
  {
    // Each job passes through several setTimeout hops (its local datastore
    // yields to the event loop on every call), about 5 ms per job: a
    // thousandth of the operations, against a floor run with the same count.
    name: 'bottleneck',
    opsDivisor: 1_000,
    make: () => {
      const limiter = new Bottleneck({ reservoir: LIMIT, reservoirRefreshAmount: LIMIT, reservoirRefreshInterval: INTERVAL });
      return { op: () => limiter.schedule(work), close: () => limiter.disconnect() };
    },
  },
];

/**
 * @param {Op} op
 * @param {number} ops
 */
async function sequential(op, ops) {
  for (let i = 0; i < ops; i++) await op();
}

/**
 * @param {Op} op
 * @param {number} ops
 */
async function concurrent(op, ops) {
  const perUser = Math.ceil(ops / USERS);
  const user = async () => {
    for (let i = 0; i < perUser; i++) await op();
  };
  /** @type {Promise<void>[]} */
  const users = [];
  for (let u = 0; u < USERS; u++) users.push(user());
  await Promise.all(users);
}

/**
 * @param {Limiter} limiter
 * @param {(op: Op, ops: number) => Promise<void>} scenario
 * @param {(ops: number) => number} perOps how many starts a run of `ops` makes (concurrent: whole users)
 * @returns {import('./lib.mjs').RoundCandidate}
 */
function candidate(limiter, scenario, perOps) {
  return {
    name: limiter.name,
    ...(limiter.opsDivisor === undefined ? {} : { opsDivisor: limiter.opsDivisor }),
    before: () => {
      calls = 0;
    },
    check: (ops) => {
      if (calls !== perOps(ops)) throw new Error(`${limiter.name}: expected ${perOps(ops)} starts, counted ${calls}`);
    },
    run: async (ops) => {
      const { op, close } = limiter.make();
      await scenario(op, ops);
      await close?.();
    },
  };
}

/** @type {Limiter} */
const floor = {
  name: 'hand-written token bucket',
  make: () => {
    const bucket = new MinimalTokenBucket(LIMIT, INTERVAL);
    return {
      op: async () => {
        await bucket.acquire();
        work();
      },
    };
  },
};

/** @type {{ name: string, scenario: (op: Op, ops: number) => Promise<void>, perOps: (ops: number) => number }[]} */
const shapes = [
  { name: 'sequential', scenario: sequential, perOps: (ops) => ops },
  // Whole users: the count of starts is rounded up to a multiple of USERS.
  { name: 'concurrent', scenario: concurrent, perOps: (ops) => Math.ceil(ops / USERS) * USERS },
];

/** @type {import('./lib.mjs').RoundScenario[]} */
const scenarios = shapes.map(({ name, scenario, perOps }) => ({
  name,
  ops: OPS,
  floor: candidate(floor, scenario, perOps),
  candidates: limiters.filter((l) => !skip.has(skipKey(name, l.name))).map((l) => candidate(l, scenario, perOps)),
}));

await runRounds({ scenarios, rounds: Number(args.rounds), warmups: Number(args.warmups), budgetMs: Number(args['budget-ms']) });
