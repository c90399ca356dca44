// Throughput benchmark (a child process of run.mjs): N tasks that resolve at
// once, concurrency 16, every candidate against the hand-written floor.
//
//   node --expose-gc bench/throughput.mjs --n 100000 --rounds 7 [--skip a,b] [--budget-ms 60000]
//
// Prints one JSON line per measurement on stdout ({"type":"sample",...}) so
// the parent keeps what was measured even if this process dies (out of
// memory), and a final {"type":"done"} line.

import { parseArgs } from 'node:util';
import {
  Effect,
  PQueueClass,
  PromisePool,
  asyncLib,
  baton,
  collectGarbage,
  emit,
  floorMap,
  floorStream,
  now,
  pLimit,
  pMap,
  task,
} from './lib.mjs';

const { gather, limit, map, mapIter } = baton;
const CONCURRENCY = 16;

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '7' },
    skip: { type: 'string', default: '' },
    'budget-ms': { type: 'string', default: '60000' },
  },
});
const N = Number(args.n);
const ROUNDS = Number(args.rounds);
const skip = new Set(args.skip.split(',').filter(Boolean));
// A candidate whose single run takes longer than this is not run again.
const budgetMs = Number(args['budget-ms']);

/**
 * An input: the items, and task functions for gather and p-queue (built
 * outside the timing).
 *
 * @param {number} n
 */
function makeInput(n) {
  const items = Array.from({ length: n }, (_, i) => i);
  return { items, thunks: items.map((x) => () => task(x)) };
}

/** @typedef {ReturnType<typeof makeInput>} Input */

/**
 * Every candidate: a name and a function that runs the whole job and
 * resolves to the results in input order.
 *
 * @type {{ name: string, run: (input: Input) => Promise<readonly unknown[]> }[]}
 */
const all = [
  { name: 'hand-written floor', run: ({ items }) => floorMap(items, task, CONCURRENCY) },
  { name: 'baton map', run: ({ items }) => map(items, task, { concurrency: CONCURRENCY }) },
  { name: 'baton gather', run: ({ thunks }) => gather(thunks, { concurrency: CONCURRENCY }) },
  {
    name: 'baton mapIter',
    run: async ({ items }) => {
      /** @type {number[]} */
      const out = new Array(items.length);
      let k = 0;
      for await (const value of mapIter(items, task, { concurrency: CONCURRENCY })) out[k++] = value;
      return out;
    },
  },
  {
    name: 'baton limit()',
    run: ({ items }) => {
      const limited = limit(CONCURRENCY);
      return Promise.all(items.map((x) => limited(task, x)));
    },
  },
  {
    name: 'hand-written streaming',
    run: async ({ items }) => {
      /** @type {number[]} */
      const out = new Array(items.length);
      let k = 0;
      for await (const value of floorStream(items, task, CONCURRENCY)) out[k++] = value;
      return out;
    },
  },
  { name: 'Promise.all (no limit)', run: ({ items }) => Promise.all(items.map(task)) },
  { name: 'async.mapLimit', run: ({ items }) => asyncLib.mapLimit(items, CONCURRENCY, task) },
  {
    name: 'Effect.forEach',
    run: ({ items }) =>
      Effect.runPromise(Effect.forEach(items, (x) => Effect.promise(() => task(x)), { concurrency: CONCURRENCY })),
  },
  { name: 'p-map', run: ({ items }) => pMap(items, task, { concurrency: CONCURRENCY }) },
  {
    name: '@supercharge/promise-pool',
    run: async ({ items }) => {
      const { results } = await PromisePool.withConcurrency(CONCURRENCY).for(items).useCorrespondingResults().process(task);
      return results;
    },
  },
  {
    name: 'p-limit',
    run: ({ items }) => {
      const limited = pLimit(CONCURRENCY);
      return Promise.all(items.map((x) => limited(task, x)));
    },
  },
  {
    name: 'p-queue',
    run: ({ thunks }) => new PQueueClass({ concurrency: CONCURRENCY }).addAll(thunks),
  },
];
const candidates = all.filter((c) => !skip.has(c.name));

/**
 * @param {readonly unknown[]} results
 * @param {number} n
 * @param {string} name
 */
function check(results, n, name) {
  if (results.length !== n) throw new Error(`${name}: expected ${n} results, got ${results.length}`);
  for (const i of [0, 1, 15, 16, n >> 1, n - 1]) {
    if (results[i] !== i) throw new Error(`${name}: result ${i} is ${String(results[i])}`);
  }
}

/**
 * @param {(typeof candidates)[number]} candidate
 * @param {Input} input
 */
async function measure(candidate, input) {
  collectGarbage();
  const t0 = now();
  const results = await candidate.run(input);
  const ms = now() - t0;
  check(results, input.items.length, candidate.name);
  return ms;
}

// Warm-up, unmeasured: every candidate runs the job a few times on (at most)
// 100,000 items, enough for the optimising compiler to settle, and is
// checked for correct, ordered results.
{
  const warm = makeInput(Math.min(N, 100_000));
  for (let i = 0; i < 2; i++) for (const candidate of candidates) await measure(candidate, warm);
}

// Measured rounds. Each round runs every candidate once, in a rotated order
// (so no candidate always runs right after the same neighbour), and measures
// the floor right before each candidate: each ratio pairs a candidate with a
// floor measured at the same moment of the run, which cancels most of the
// drift and the noise from other work on the machine.
const input = makeInput(N);
const floor = /** @type {(typeof candidates)[number]} */ (candidates[0]);
const active = candidates.slice(1);
for (let round = 0; round < ROUNDS; round++) {
  const shift = round % active.length;
  const order = [...active.slice(shift), ...active.slice(0, shift)];
  for (const candidate of order) {
    const floorMs = await measure(floor, input);
    emit({ type: 'start', name: candidate.name, round });
    const ms = await measure(candidate, input);
    emit({ type: 'sample', name: candidate.name, round, ms, floorMs });
    // Too slow to run again within the time budget: its first rounds stand.
    if (ms > budgetMs) {
      active.splice(active.indexOf(candidate), 1);
      emit({ type: 'too-slow', name: candidate.name, round, ms });
    }
  }
}
emit({ type: 'done' });
