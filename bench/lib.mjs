// Shared by the benchmark scripts: the task, the hand-written baselines every
// ratio is taken against, baton and the peers, and small helpers.

/* global process -- a Node global; the lint config declares none for .mjs files */

import { performance } from 'node:perf_hooks';

// ---------------------------------------------------------------------------
// The task

/**
 * The task every throughput benchmark runs: an async function that returns
 * its item, so it resolves at once and the timings are the libraries' own
 * overhead per task.
 *
 * @param {number} x
 */
// eslint-disable-next-line @typescript-eslint/require-await -- an async function that resolves at once, on purpose
export const task = async (x) => x;

// ---------------------------------------------------------------------------
// The hand-written baselines: the smallest code that does the job correctly,
// with no options, no cancellation and no validation. The practical floor for
// a JavaScript implementation.

/**
 * The floor for "map with a concurrency limit": `concurrency` async worker
 * loops, each taking the next index and storing its result into a
 * preallocated array.
 *
 * @template I, R
 * @param {readonly I[]} items
 * @param {(item: I) => Promise<R>} fn
 * @param {number} concurrency
 * @returns {Promise<R[]>}
 */
export async function floorMap(items, fn, concurrency) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(/** @type {I} */ (items[i]));
    }
  };
  /** @type {Promise<void>[]} */
  const workers = [];
  for (let k = 0; k < concurrency && k < items.length; k++) workers.push(worker());
  await Promise.all(workers);
  return results;
}

/**
 * A hand-written ordered streaming map (an async generator): keeps a window
 * of at most `concurrency` started tasks, in input order, and yields the
 * oldest one's result. Pulls the input lazily, so memory is bounded by the
 * window.
 *
 * @template I, R
 * @param {Iterable<I>} input
 * @param {(item: I) => Promise<R>} fn
 * @param {number} concurrency
 * @returns {AsyncGenerator<R, void, undefined>}
 */
export async function* floorStream(input, fn, concurrency) {
  /** @type {(Promise<R> | undefined)[]} */
  let window = [];
  let head = 0;
  for (const item of input) {
    window.push(fn(item));
    if (window.length - head >= concurrency) {
      const oldest = /** @type {Promise<R>} */ (window[head]);
      window[head++] = undefined;
      if (head > 1024) {
        window = window.slice(head);
        head = 0;
      }
      yield await oldest;
    }
  }
  while (head < window.length) yield await /** @type {Promise<R>} */ (window[head++]);
}

const noop = () => {};

/**
 * What the API of baton's Semaphore needs on top of {@link MinimalSemaphore}:
 * `acquire()` resolves to a permit object whose `release()` is idempotent.
 * A reference row, to tell the cost of that object from the rest.
 */
class MinimalPermit {
  /** @param {MinimalSemaphore} semaphore */
  constructor(semaphore) {
    /** @type {MinimalSemaphore | undefined} */
    this.semaphore = semaphore;
  }

  release() {
    const semaphore = this.semaphore;
    if (semaphore === undefined) return;
    this.semaphore = undefined;
    semaphore.release();
  }
}

/**
 * A minimal counting semaphore: a counter and a FIFO of resolve functions (an
 * array with a moving head). Fair (no barging past waiters); no
 * cancellation, no weights, no double-release protection.
 */
export class MinimalSemaphore {
  /** @param {number} permits */
  constructor(permits) {
    this.available = permits;
    /** @type {(() => void)[]} */
    this.queue = [];
    this.head = 0;
  }

  /** @returns {Promise<void>} */
  acquire() {
    if (this.available > 0 && this.head === this.queue.length) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.queue.push(resolve);
    });
  }

  /**
   * {@link acquire}, resolving to a permit object instead of nothing.
   *
   * @returns {Promise<MinimalPermit>}
   */
  acquirePermit() {
    if (this.available > 0 && this.head === this.queue.length) {
      this.available--;
      return Promise.resolve(new MinimalPermit(this));
    }
    return new Promise((resolve) => {
      this.queue.push(() => resolve(new MinimalPermit(this)));
    });
  }

  release() {
    if (this.head < this.queue.length) {
      const resolve = /** @type {() => void} */ (this.queue[this.head]);
      this.queue[this.head++] = noop;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      resolve(); // the permit goes straight to the next waiter
    } else {
      this.available++;
    }
  }
}

// ---------------------------------------------------------------------------
// baton and the peers
//
// Loaded here with the types of what the benchmark calls, so that the
// type-aware lint passes whether or not dist/ is built and bench/node_modules
// is installed (the root `npm ci` and CI install neither).

/**
 * `value`, typed as what the caller declares (`T` is inferred from the
 * declared type of the variable it is assigned to). A function boundary,
 * because the type-aware lint sees through a JSDoc cast of an `any`.
 *
 * @template T
 * @param {unknown} value
 * @returns {T}
 */
function unchecked(value) {
  return /** @type {T} */ (value);
}

// baton as built in dist/, or the snapshot of it that run.mjs takes (so that
// a rebuild during the run cannot change what is measured).
/** @typedef {typeof import('../src/index.js')} Baton */
/** @type {Baton} */
export const baton = unchecked(await import(process.env['BATON_DIST'] ?? new URL('../dist/index.js', import.meta.url).href));

/**
 * @typedef {<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A) => Promise<R>} LimitedFn
 * @typedef {<I, R>(input: Iterable<I>, fn: (item: I) => PromiseLike<R>, options: { concurrency: number }) => Promise<R[]>} PMap
 * @typedef {<I, R>(input: Iterable<I>, fn: (item: I) => PromiseLike<R>, options: { concurrency: number }) => AsyncIterable<R>} PMapIterable
 * @typedef {{ addAll<R>(fns: readonly (() => PromiseLike<R>)[]): Promise<R[]> }} PQueue
 * @typedef {{ mapLimit<I, R>(items: readonly I[], limit: number, fn: (item: I) => PromiseLike<R>): Promise<R[]> }} AsyncLib
 * @typedef {{ for<I>(items: readonly I[]): { useCorrespondingResults(): { process<R>(fn: (item: I) => PromiseLike<R>): Promise<{ results: unknown[] }> } } }} PromisePoolWithConcurrency
 * @typedef {{ acquire(): Promise<unknown>, release(): void }} AsyncSema
 * @typedef {{ acquire(): Promise<[number, () => void]> }} AsyncMutexSemaphore
 * @typedef {{ acquire(): Promise<() => void> }} AsyncMutexMutex
 */
/**
 * An Effect, opaque here.
 *
 * @template R
 * @typedef {{ readonly __result?: R }} EffectOf
 */
/**
 * @typedef {object} EffectModule
 * @property {<I, R>(items: Iterable<I>, fn: (item: I) => EffectOf<R>, options: { concurrency: number }) => EffectOf<R[]>} forEach
 * @property {<R>(fn: () => PromiseLike<R>) => EffectOf<R>} promise
 * @property {<R>(effect: EffectOf<R>) => Promise<R>} runPromise
 */

/** @type {{ default: (concurrency: number) => LimitedFn }} */
const pLimitModule = unchecked(await import('p-limit'));
export const pLimit = pLimitModule.default;

/** @type {{ default: PMap, pMapIterable: PMapIterable }} */
const pMapModule = unchecked(await import('p-map'));
export const pMap = pMapModule.default;
export const pMapIterable = pMapModule.pMapIterable;

/** @type {{ default: new (options: { concurrency: number }) => PQueue }} */
const pQueueModule = unchecked(await import('p-queue'));
export const PQueueClass = pQueueModule.default;

/** @type {{ default: AsyncLib }} */
// @ts-expect-error -- async ships no type declarations: AsyncLib above is what is used here
const asyncModule = unchecked(await import('async'));
export const asyncLib = asyncModule.default;

/** @type {{ PromisePool: { withConcurrency(n: number): PromisePoolWithConcurrency } }} */
const promisePoolModule = unchecked(await import('@supercharge/promise-pool'));
export const PromisePool = promisePoolModule.PromisePool;

/** @type {{ Effect: EffectModule }} */
const effectModule = unchecked(await import('effect'));
export const Effect = effectModule.Effect;

/** @type {{ Sema: new (permits: number) => AsyncSema }} */
const asyncSemaModule = unchecked(await import('async-sema'));
export const Sema = asyncSemaModule.Sema;

/** @type {{ Semaphore: new (permits: number) => AsyncMutexSemaphore, Mutex: new () => AsyncMutexMutex }} */
const asyncMutexModule = unchecked(await import('async-mutex'));
export const AsyncMutexSemaphore = asyncMutexModule.Semaphore;
export const Mutex = asyncMutexModule.Mutex;

// ---------------------------------------------------------------------------
// Helpers

/** Milliseconds, high resolution. */
export const now = () => performance.now();

/** Run a full garbage collection if node was started with --expose-gc. */
export function collectGarbage() {
  const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

/**
 * Write one JSON line to stdout (synchronous on a pipe on Linux, so a line
 * written before a crash is not lost).
 *
 * @param {Record<string, unknown>} record
 */
export function emit(record) {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/**
 * The median of a non-empty list of numbers.
 *
 * @param {readonly number[]} values
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const at = (/** @type {number} */ i) => /** @type {number} */ (sorted[i]);
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}
