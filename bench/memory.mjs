// Memory benchmark (a child process of run.mjs, one fresh process per
// candidate): stream the results of a 10,000,000-item generator through a
// concurrency-limited streaming map and report how much the resident set
// grew.
//
//   node --expose-gc bench/memory.mjs --candidate "baton mapIter" --n 10000000 --concurrency 100
//
// Prints one JSON line: baseline RSS (after imports and a full GC), the peak
// RSS seen (the larger of the kernel's maxRSS and RSS sampled every 65,536
// items) and their difference.

/* global process -- a Node global; the lint config declares none for .mjs files */

import { parseArgs } from 'node:util';
import { baton, collectGarbage, emit, floorStream, now, pMapIterable, task } from './lib.mjs';

const { mapIter } = baton;

const { values: args } = parseArgs({
  options: {
    candidate: { type: 'string', default: 'baton mapIter' },
    n: { type: 'string', default: '10000000' },
    concurrency: { type: 'string', default: '100' },
  },
});
const N = Number(args.n);
const CONCURRENCY = Number(args.concurrency);

function* numbers() {
  for (let i = 0; i < N; i++) yield i;
}

/** @type {Record<string, () => AsyncIterable<number>>} */
const candidates = {
  'baton mapIter': () => mapIter(numbers(), task, { concurrency: CONCURRENCY }),
  'baton mapIter (ordered: false)': () => mapIter(numbers(), task, { concurrency: CONCURRENCY, ordered: false }),
  'hand-written streaming': () => floorStream(numbers(), task, CONCURRENCY),
  'p-map pMapIterable': () => pMapIterable(numbers(), task, { concurrency: CONCURRENCY }),
};
const make = candidates[args.candidate];
if (make === undefined) throw new Error(`Unknown candidate ${args.candidate}; known: ${Object.keys(candidates).join(', ')}`);

const KB = 1024;
collectGarbage();
const baselineRss = process.memoryUsage.rss();
const startMaxRss = process.resourceUsage().maxRSS * KB;
let sampledPeak = baselineRss;
let count = 0;
let sum = 0;
let inOrder = true;
const t0 = now();
for await (const value of make()) {
  if (value !== count) inOrder = false;
  sum += value;
  count++;
  if ((count & 0xffff) === 0) {
    const rss = process.memoryUsage.rss();
    if (rss > sampledPeak) sampledPeak = rss;
  }
}
const ms = now() - t0;
const endMaxRss = process.resourceUsage().maxRSS * KB;
// maxRSS is the peak over the process's whole life: it says something about
// the run only if the run raised it.
const peakRss = endMaxRss > startMaxRss ? Math.max(endMaxRss, sampledPeak) : sampledPeak;
if (count !== N || sum !== (N * (N - 1)) / 2) throw new Error(`${args.candidate}: got ${count} results summing to ${sum}`);
emit({
  type: 'memory',
  name: args.candidate,
  n: N,
  concurrency: CONCURRENCY,
  ms,
  inOrder,
  baselineRss,
  peakRss,
  growth: peakRss - baselineRss,
});
