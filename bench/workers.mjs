// Worker-pool benchmark (a child process of run.mjs): N tasks submitted at
// once to a pool of 2 worker threads, every candidate against a hand-written
// minimal postMessage pool (MinimalPool in lib.mjs).
//
//   node --expose-gc bench/workers.mjs --tiny 20000 --cpu 400 --rounds 5 [--skip '["tiny\tpiscina"]'] [--budget-ms 12000]
//
// Scenarios:
//   tiny  `echo(i)`, which returns its argument: the pool's own cost per task
//   cpu   `spin(k)`, about 5 ms of CPU each (k calibrated on this machine at the start)
//
// Each pool is made once, with its 2 threads, and kept for the whole process:
// the timings are of a warm pool, not of starting threads. Prints JSON lines
// on stdout (see runRounds in lib.mjs), and a {"type":"calibration"} line.

/* global process, setTimeout -- Node globals; the lint config declares none for .mjs files */

import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MinimalPool, emit, importPools, now, parseSkip, runRounds, skipKey } from './lib.mjs';
import { spin } from './pool-tasks.mjs';

const THREADS = 2;
const TASK_MS = 5;

const { values: args } = parseArgs({
  options: {
    tiny: { type: 'string', default: '20000' },
    cpu: { type: 'string', default: '400' },
    rounds: { type: 'string', default: '5' },
    warmups: { type: 'string', default: '1' },
    skip: { type: 'string', default: '[]' },
    'budget-ms': { type: 'string', default: '60000' },
  },
});
const skip = parseSkip(args.skip);

// Calibrate the CPU task on the main thread (warmed up first): the number of
// iterations that takes about TASK_MS.
for (let i = 0; i < 20; i++) spin(200_000);
let iterations = 1_000_000;
for (;;) {
  const t0 = now();
  spin(iterations);
  const ms = now() - t0;
  if (ms > 20) {
    iterations = Math.round((iterations * TASK_MS) / ms);
    break;
  }
  iterations *= 2;
}
{
  /** @type {number[]} */
  const times = [];
  for (let i = 0; i < 9; i++) {
    const t0 = now();
    spin(iterations);
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  emit({ type: 'calibration', iterations, ms: times[4] });
}
const expected = spin(iterations);

const moduleUrl = new URL('./pool-tasks.mjs', import.meta.url);
const modulePath = fileURLToPath(moduleUrl);
const { WorkerPool, Piscina, Tinypool } = await importPools();

/**
 * A pool under test, reduced to one shape.
 *
 * @typedef {{ run(name: 'echo' | 'spin', arg: number): Promise<unknown>, close(): Promise<void> }} Pool
 * @typedef {{ name: string, make: () => Pool }} PoolMaker
 */

/** @type {PoolMaker[]} */
const makers = [
  {
    name: 'baton WorkerPool',
    make: () => {
      const pool = new WorkerPool({ module: moduleUrl, size: THREADS });
      return { run: (name, arg) => pool.run(name, [arg]), close: () => pool.close() };
    },
  },
  {
    name: 'piscina',
    make: () => {
      const pool = new Piscina({ filename: modulePath, minThreads: THREADS, maxThreads: THREADS, idleTimeout: 60_000 });
      return { run: (name, arg) => pool.run(arg, { name }), close: () => pool.destroy() };
    },
  },
  {
    name: 'tinypool',
    make: () => {
      const pool = new Tinypool({ filename: modulePath, minThreads: THREADS, maxThreads: THREADS, idleTimeout: 60_000 });
      return { run: (name, arg) => pool.run(arg, { name }), close: () => pool.destroy() };
    },
  },
];

const floorPool = new MinimalPool(new URL('./pool-floor-worker.mjs', import.meta.url), THREADS);
/** @type {Pool} */
const floor = { run: (name, arg) => floorPool.run(name, arg), close: () => floorPool.close() };

/** @type {{ name: string, ops: number, task: 'echo' | 'spin' }[]} */
const shapes = [
  { name: 'tiny', ops: Number(args.tiny), task: 'echo' },
  { name: 'cpu', ops: Number(args.cpu), task: 'spin' },
];

// One pool per candidate that runs in some scenario.
/** @type {Map<string, Pool>} */
const pools = new Map();
for (const maker of makers) {
  if (shapes.some((shape) => !skip.has(skipKey(shape.name, maker.name)))) pools.set(maker.name, maker.make());
}

/**
 * @param {string} name
 * @param {Pool} pool
 * @param {'echo' | 'spin'} task
 * @returns {import('./lib.mjs').RoundCandidate}
 */
function candidate(name, pool, task) {
  /** @type {unknown[]} */
  let results = [];
  return {
    name,
    run: async (ops) => {
      /** @type {Promise<unknown>[]} */
      const calls = new Array(ops);
      if (task === 'echo') for (let i = 0; i < ops; i++) calls[i] = pool.run('echo', i);
      else for (let i = 0; i < ops; i++) calls[i] = pool.run('spin', iterations);
      results = await Promise.all(calls);
    },
    check: (ops) => {
      if (results.length !== ops) throw new Error(`${name}: expected ${ops} results, got ${results.length}`);
      for (let i = 0; i < ops; i++) {
        const want = task === 'echo' ? i : expected;
        if (results[i] !== want) throw new Error(`${name}: result ${i} is ${String(results[i])}, expected ${want}`);
      }
      results = [];
    },
  };
}

/** @type {import('./lib.mjs').RoundScenario[]} */
const scenarios = shapes.map((shape) => ({
  name: shape.name,
  ops: shape.ops,
  floor: candidate('hand-written pool', floor, shape.task),
  candidates: makers
    .filter((maker) => !skip.has(skipKey(shape.name, maker.name)))
    .map((maker) => candidate(maker.name, /** @type {Pool} */ (pools.get(maker.name)), shape.task)),
}));

await runRounds({ scenarios, rounds: Number(args.rounds), warmups: Number(args.warmups), budgetMs: Number(args['budget-ms']) });
// Close the pools; a pool that does not close within 5 s does not hold the
// benchmark up (its threads end with the process).
setTimeout(() => process.exit(0), 5_000).unref();
await Promise.all([floor.close(), ...[...pools.values()].map((pool) => pool.close())]);
