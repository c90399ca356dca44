// TaskQueue benchmark (a child process of run.mjs): add N jobs to a queue
// with a concurrency of 16, then await onIdle(); every candidate against a
// hand-written minimal queue (MinimalQueue in lib.mjs).
//
//   node --expose-gc bench/queue.mjs --n 100000 --rounds 5 [--skip '["fifo\tp-queue"]'] [--budget-ms 12000]
//
// Scenarios:
//   fifo          every job at priority 0: they start in the order added
//   priorities    5 priorities, interleaved: they start by priority, then in the order added
//   rate-limited  FIFO, and every start also passes a rate limit so high that it never waits
//                 (TaskQueue with a RateLimiter, p-queue with intervalCap/interval)
//
// Prints JSON lines on stdout (see runRounds in lib.mjs).

import { parseArgs } from 'node:util';
import { MinimalQueue, MinimalTokenBucket, PQueueClass, baton, parseSkip, runRounds, skipKey, task } from './lib.mjs';

const { RateLimiter, TaskQueue } = baton;
const CONCURRENCY = 16;
const LEVELS = 5;
// A rate limit that is never reached: a billion starts per second.
const RATE = { limit: 1_000_000_000, interval: 1_000 };

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
    warmups: { type: 'string', default: '1' },
    skip: { type: 'string', default: '[]' },
    'budget-ms': { type: 'string', default: '60000' },
  },
});
const N = Number(args.n);
const skip = parseSkip(args.skip);

// The jobs, built once, outside the timing. Each records the order in which
// it started (for the check) and returns its index.
const log = { order: new Int32Array(N), started: 0 };
const jobs = Array.from({ length: N }, (_, i) => () => {
  log.order[log.started++] = i;
  return task(i);
});
/** Priority of job i: 0..4, interleaved, so that the queue reorders all the time. */
const priorityOf = (/** @type {number} */ i) => (i * 7) % LEVELS;
const priorities = Array.from({ length: N }, (_, i) => priorityOf(i));
const addOptions = priorities.map((priority) => ({ priority }));

const reset = () => {
  log.started = 0;
};

/** @param {number} ops */
function checkFifo(ops) {
  if (log.started !== ops) throw new Error(`expected ${ops} jobs to run, ${log.started} did`);
  for (let j = 0; j < ops; j++) {
    if (log.order[j] !== j) throw new Error(`job ${log.order[j]} started in position ${j}: not in the order added`);
  }
}

/**
 * Every job ran once; after the first CONCURRENCY (which start at once,
 * whatever their priority), jobs started by priority, then in the order added.
 *
 * @param {number} ops
 */
function checkPriorities(ops) {
  if (log.started !== ops) throw new Error(`expected ${ops} jobs to run, ${log.started} did`);
  const seen = new Uint8Array(ops);
  for (let j = 0; j < ops; j++) seen[/** @type {number} */ (log.order[j])] = 1;
  if (seen.includes(0)) throw new Error('a job did not run');
  for (let j = CONCURRENCY + 1; j < ops; j++) {
    const a = /** @type {number} */ (log.order[j - 1]);
    const b = /** @type {number} */ (log.order[j]);
    const pa = priorityOf(a);
    const pb = priorityOf(b);
    if (pa < pb || (pa === pb && a > b)) throw new Error(`job ${b} (priority ${pb}) started after job ${a} (priority ${pa})`);
  }
}

/**
 * @typedef {import('./lib.mjs').RoundCandidate} RoundCandidate
 * @typedef {{ add(fn: () => unknown): Promise<unknown>, onIdle(): Promise<void> }} FifoQueue
 */

/**
 * A candidate that adds every job at the default priority.
 *
 * @param {string} name
 * @param {() => FifoQueue} make
 * @returns {RoundCandidate}
 */
function fifo(name, make) {
  return {
    name,
    before: reset,
    check: checkFifo,
    run: async (ops) => {
      const queue = make();
      for (let i = 0; i < ops; i++) void queue.add(/** @type {() => Promise<number>} */ (jobs[i]));
      await queue.onIdle();
    },
  };
}

/** @type {import('./lib.mjs').RoundScenario[]} */
const scenarios = [
  {
    name: 'fifo',
    ops: N,
    floor: fifo('hand-written queue', () => new MinimalQueue(CONCURRENCY)),
    candidates: [
      fifo('baton TaskQueue', () => new TaskQueue({ concurrency: CONCURRENCY })),
      fifo('p-queue', () => new PQueueClass({ concurrency: CONCURRENCY })),
    ],
  },
  {
    name: 'priorities',
    ops: N,
    floor: {
      name: 'hand-written queue',
      before: reset,
      check: checkPriorities,
      run: async (ops) => {
        const queue = new MinimalQueue(CONCURRENCY, { priorities: true });
        for (let i = 0; i < ops; i++) void queue.add(/** @type {() => Promise<number>} */ (jobs[i]), priorities[i]);
        await queue.onIdle();
      },
    },
    candidates: [
      {
        name: 'baton TaskQueue',
        before: reset,
        check: checkPriorities,
        run: async (ops) => {
          const queue = new TaskQueue({ concurrency: CONCURRENCY });
          for (let i = 0; i < ops; i++) void queue.add(/** @type {() => Promise<number>} */ (jobs[i]), addOptions[i]);
          await queue.onIdle();
        },
      },
      {
        name: 'p-queue',
        before: reset,
        check: checkPriorities,
        run: async (ops) => {
          const queue = new PQueueClass({ concurrency: CONCURRENCY });
          for (let i = 0; i < ops; i++) void queue.add(/** @type {() => Promise<number>} */ (jobs[i]), addOptions[i]);
          await queue.onIdle();
        },
      },
    ],
  },
  {
    name: 'rate-limited',
    ops: N,
    floor: fifo('hand-written queue', () => new MinimalQueue(CONCURRENCY, { bucket: new MinimalTokenBucket(RATE.limit, RATE.interval) })),
    candidates: [
      fifo('baton TaskQueue', () => new TaskQueue({ concurrency: CONCURRENCY, limiter: new RateLimiter(RATE) })),
      fifo('p-queue', () => new PQueueClass({ concurrency: CONCURRENCY, intervalCap: RATE.limit, interval: RATE.interval })),
    ],
  },
];

for (const scenario of scenarios) scenario.candidates = scenario.candidates.filter((c) => !skip.has(skipKey(scenario.name, c.name)));

await runRounds({ scenarios, rounds: Number(args.rounds), warmups: Number(args.warmups), budgetMs: Number(args['budget-ms']) });
