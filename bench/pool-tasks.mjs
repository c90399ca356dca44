// The worker module of the worker-pool benchmark (bench/workers.mjs): the
// functions every pool runs, by name. baton's WorkerPool, piscina and tinypool
// load this module in their workers; the hand-written pool's worker
// (pool-floor-worker.mjs) imports it.

/**
 * The tiny task: returns its argument. What is measured is the pool's cost
 * per task (messages, queueing, promises).
 *
 * @param {number} x
 */
export function echo(x) {
  return x;
}

/**
 * The CPU task: `iterations` rounds of an FNV-1a style hash, about 1 ns
 * each, with a result that depends on every round (so nothing is optimised
 * away). bench/workers.mjs picks `iterations` for about 5 ms.
 *
 * @param {number} iterations
 */
export function spin(iterations) {
  let hash = 2166136261;
  for (let i = 0; i < iterations; i++) {
    hash ^= i & 0xff;
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}
