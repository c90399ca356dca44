// Shared by the benchmark scripts: the task, the hand-written baselines every
// ratio is taken against, baton and the peers, and small helpers.

/* global process, setTimeout -- Node globals; the lint config declares none for .mjs files */

import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

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

/**
 * A minimal token bucket, the floor for the rate limiters: `limit` tokens per
 * `interval` ms, refilled continuously (computed from the clock on each
 * take), holding at most `limit`. `acquire()` resolves at once while there is
 * a token and nobody waits; otherwise the caller waits in a FIFO line served
 * by one timer. No weights, no cancellation, no validation.
 */
export class MinimalTokenBucket {
  /**
   * @param {number} limit
   * @param {number} interval
   */
  constructor(limit, interval) {
    this.limit = limit;
    this.perMs = limit / interval;
    this.tokens = limit;
    this.at = performance.now();
    /** @type {(() => void)[]} */
    this.waiters = [];
    this.head = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
  }

  refill() {
    const t = performance.now();
    this.tokens = Math.min(this.limit, this.tokens + (t - this.at) * this.perMs);
    this.at = t;
  }

  /** Take a token now if there is one and nobody waits. */
  tryTake() {
    if (this.head < this.waiters.length) return false;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  /** @returns {Promise<void>} */
  acquire() {
    if (this.tryTake()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  schedule() {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.wake(), Math.max(1, Math.ceil((1 - this.tokens) / this.perMs)));
  }

  wake() {
    this.timer = undefined;
    this.refill();
    while (this.head < this.waiters.length && this.tokens >= 1) {
      this.tokens--;
      const resolve = /** @type {() => void} */ (this.waiters[this.head]);
      this.waiters[this.head++] = noop;
      resolve();
    }
    if (this.head === this.waiters.length) {
      this.waiters.length = 0;
      this.head = 0;
    } else {
      this.schedule();
    }
  }
}

/**
 * @typedef {{ fn: () => unknown, resolve: (value: unknown) => void, reject: (reason: unknown) => void, priority: number, seq: number }} MinimalJob
 */

/**
 * `a` runs before `b`: greater priority first, then in the order added.
 *
 * @param {MinimalJob} a
 * @param {MinimalJob} b
 */
const runsBefore = (a, b) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);

/**
 * A minimal job queue, the floor for TaskQueue and p-queue: `add(fn)` returns
 * a promise of `fn`'s result; at most `concurrency` jobs run at once; jobs
 * start in the order added (an array with a moving head) or, with
 * `priorities`, by priority (a binary heap on priority, then order added);
 * `onIdle()` resolves when nothing waits and nothing runs. With a `bucket`,
 * every start first takes a token from it. No cancellation, no timeouts, no
 * pause, no events, no validation.
 */
export class MinimalQueue {
  /**
   * @param {number} concurrency
   * @param {{ priorities?: boolean, bucket?: MinimalTokenBucket }} [options]
   */
  constructor(concurrency, options = {}) {
    this.concurrency = concurrency;
    this.priorities = options.priorities ?? false;
    this.bucket = options.bucket;
    this.running = 0;
    this.blocked = false;
    /** @type {(MinimalJob | undefined)[]} */
    this.jobs = [];
    this.head = 0;
    this.seq = 0;
    /** @type {(() => void)[]} */
    this.idle = [];
  }

  /**
   * @template R
   * @param {() => R | PromiseLike<R>} fn
   * @param {number} [priority]
   * @returns {Promise<R>}
   */
  add(fn, priority = 0) {
    return new Promise((resolve, reject) => {
      /** @type {MinimalJob} */
      const job = { fn, resolve: /** @type {(value: unknown) => void} */ (resolve), reject, priority, seq: this.seq++ };
      if (this.priorities) this.heapPush(job);
      else this.jobs.push(job);
      this.next();
    });
  }

  /** @returns {Promise<void>} */
  onIdle() {
    if (this.running === 0 && this.head === this.jobs.length) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle.push(resolve);
    });
  }

  next() {
    while (!this.blocked && this.running < this.concurrency && this.head < this.jobs.length) {
      const bucket = this.bucket;
      if (bucket !== undefined && !bucket.tryTake()) {
        this.blocked = true;
        void bucket.acquire().then(() => {
          this.blocked = false;
          this.start();
          this.next();
        });
        return;
      }
      this.start();
    }
  }

  start() {
    const job = this.priorities ? this.heapPop() : this.shift();
    this.running++;
    void this.run(job);
  }

  /** @param {MinimalJob} job */
  async run(job) {
    try {
      job.resolve(await job.fn());
    } catch (err) {
      job.reject(err);
    }
    this.running--;
    this.next();
    if (this.running === 0 && this.head === this.jobs.length && this.idle.length > 0) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) resolve();
    }
  }

  shift() {
    const job = /** @type {MinimalJob} */ (this.jobs[this.head]);
    this.jobs[this.head++] = undefined;
    if (this.head === this.jobs.length) {
      this.jobs.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
    return job;
  }

  /** @param {MinimalJob} job */
  heapPush(job) {
    const heap = /** @type {MinimalJob[]} */ (this.jobs);
    let i = heap.length;
    heap.push(job);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = /** @type {MinimalJob} */ (heap[parent]);
      if (!runsBefore(job, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = job;
  }

  heapPop() {
    const heap = /** @type {MinimalJob[]} */ (this.jobs);
    const top = /** @type {MinimalJob} */ (heap[0]);
    const last = /** @type {MinimalJob} */ (heap.pop());
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && runsBefore(/** @type {MinimalJob} */ (heap[right]), /** @type {MinimalJob} */ (heap[left])) ? right : left;
        const c = /** @type {MinimalJob} */ (heap[child]);
        if (!runsBefore(c, last)) break;
        heap[i] = c;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

/**
 * @typedef {{ name: string, arg: unknown, resolve: (value: unknown) => void, reject: (reason: unknown) => void }} MinimalPoolTask
 * @typedef {{ worker: Worker, reject: (reason: unknown) => void, resolve: (value: unknown) => void }} MinimalPoolSlot
 */

/**
 * A minimal pool of worker threads, the floor for WorkerPool, piscina and
 * tinypool: `size` workers started at once, one task per worker at a time,
 * a FIFO queue (an array with a moving head) when all are busy, one
 * `postMessage([name, arg])` per task and one message back (the worker is
 * bench/pool-floor-worker.mjs). A freed worker takes the next task before the
 * finished task's promise resolves. No cancellation, no timeouts, no worker
 * replacement, no error records (a worker's uncaught error rejects its task).
 */
export class MinimalPool {
  /**
   * @param {URL} url
   * @param {number} size
   */
  constructor(url, size) {
    /** @type {MinimalPoolSlot[]} */
    this.slots = [];
    /** @type {MinimalPoolSlot[]} */
    this.idle = [];
    /** @type {(MinimalPoolTask | undefined)[]} */
    this.queue = [];
    this.head = 0;
    for (let i = 0; i < size; i++) {
      /** @type {MinimalPoolSlot} */
      const slot = { worker: new Worker(url), resolve: noop, reject: noop };
      slot.worker.on('message', (/** @type {unknown} */ value) => {
        const resolve = slot.resolve;
        this.free(slot);
        resolve(value);
      });
      slot.worker.on('error', (/** @type {unknown} */ err) => slot.reject(err));
      this.slots.push(slot);
      this.idle.push(slot);
    }
  }

  /**
   * @param {string} name
   * @param {unknown} arg
   * @returns {Promise<unknown>}
   */
  run(name, arg) {
    return new Promise((resolve, reject) => {
      /** @type {MinimalPoolTask} */
      const task = { name, arg, resolve, reject };
      const slot = this.idle.pop();
      if (slot === undefined) this.queue.push(task);
      else this.start(slot, task);
    });
  }

  /**
   * @param {MinimalPoolSlot} slot
   * @param {MinimalPoolTask} task
   */
  start(slot, task) {
    slot.resolve = task.resolve;
    slot.reject = task.reject;
    slot.worker.postMessage([task.name, task.arg]);
  }

  /** @param {MinimalPoolSlot} slot */
  free(slot) {
    if (this.head === this.queue.length) {
      this.idle.push(slot);
      return;
    }
    const task = /** @type {MinimalPoolTask} */ (this.queue[this.head]);
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.start(slot, task);
  }

  async close() {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
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

/**
 * Import a peer by name. The name is a plain string to the type checker, so
 * `tsc -p bench` and the type-aware lint pass whether or not
 * bench/node_modules is installed (CI installs only the root's dependencies):
 * the types used are the ones declared here.
 *
 * @param {string} name
 * @returns {Promise<unknown>}
 */
const importPeer = (name) => import(name);

// baton as built in dist/, or the snapshot of it that run.mjs takes (so that
// a rebuild during the run cannot change what is measured).
/** @typedef {typeof import('../src/index.js')} Baton */
const batonUrl = process.env['BATON_DIST'] ?? new URL('../dist/index.js', import.meta.url).href;
/** @type {Baton} */
export const baton = unchecked(await import(batonUrl));

/**
 * @typedef {<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A) => Promise<R>} LimitedFn
 * @typedef {<I, R>(input: Iterable<I>, fn: (item: I) => PromiseLike<R>, options: { concurrency: number }) => Promise<R[]>} PMap
 * @typedef {<I, R>(input: Iterable<I>, fn: (item: I) => PromiseLike<R>, options: { concurrency: number }) => AsyncIterable<R>} PMapIterable
 * @typedef {{ addAll<R>(fns: readonly (() => PromiseLike<R>)[]): Promise<R[]>, add<R>(fn: () => R | PromiseLike<R>, options?: { priority?: number }): Promise<R>, onIdle(): Promise<void>, clear(): void }} PQueue
 * @typedef {{ concurrency?: number, intervalCap?: number, interval?: number }} PQueueOptions
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
const pLimitModule = unchecked(await importPeer('p-limit'));
export const pLimit = pLimitModule.default;

/** @type {{ default: PMap, pMapIterable: PMapIterable }} */
const pMapModule = unchecked(await importPeer('p-map'));
export const pMap = pMapModule.default;
export const pMapIterable = pMapModule.pMapIterable;

/** @type {{ default: new (options: PQueueOptions) => PQueue }} */
const pQueueModule = unchecked(await importPeer('p-queue'));
export const PQueueClass = pQueueModule.default;

/** @type {{ default: AsyncLib }} */
const asyncModule = unchecked(await importPeer('async'));
export const asyncLib = asyncModule.default;

/** @type {{ PromisePool: { withConcurrency(n: number): PromisePoolWithConcurrency } }} */
const promisePoolModule = unchecked(await importPeer('@supercharge/promise-pool'));
export const PromisePool = promisePoolModule.PromisePool;

/** @type {{ Effect: EffectModule }} */
const effectModule = unchecked(await importPeer('effect'));
export const Effect = effectModule.Effect;

/** @type {{ Sema: new (permits: number) => AsyncSema }} */
const asyncSemaModule = unchecked(await importPeer('async-sema'));
export const Sema = asyncSemaModule.Sema;

/** @type {{ Semaphore: new (permits: number) => AsyncMutexSemaphore, Mutex: new () => AsyncMutexMutex }} */
const asyncMutexModule = unchecked(await importPeer('async-mutex'));
export const AsyncMutexSemaphore = asyncMutexModule.Semaphore;
export const Mutex = asyncMutexModule.Mutex;

/**
 * @typedef {object} BottleneckOptions
 * @property {number} [reservoir]
 * @property {number} [reservoirRefreshAmount]
 * @property {number} [reservoirRefreshInterval]
 * @typedef {{ schedule<R>(fn: () => R | PromiseLike<R>): Promise<R>, disconnect(flush?: boolean): Promise<void> }} BottleneckLimiter
 * @typedef {<R>(fn: () => R) => () => Promise<R>} PThrottle
 */

/** @type {{ default: new (options: BottleneckOptions) => BottleneckLimiter }} */
const bottleneckModule = unchecked(await importPeer('bottleneck'));
export const Bottleneck = bottleneckModule.default;

/** @type {{ default: (options: { limit: number, interval: number, strict?: boolean }) => PThrottle }} */
const pThrottleModule = unchecked(await importPeer('p-throttle'));
export const pThrottle = pThrottleModule.default;

/**
 * A worker-thread pool from a peer, reduced to what the benchmark calls.
 *
 * @typedef {{ run(task: unknown, options: { name: string }): Promise<unknown>, destroy(): Promise<void> }} PeerPool
 * @typedef {{ filename: string, minThreads: number, maxThreads: number, idleTimeout: number }} PeerPoolOptions
 * @typedef {typeof import('../src/node/index.js')} BatonNode
 */

/**
 * baton/node (from the same build or snapshot as {@link baton}), piscina and
 * tinypool. Imported on demand, by the worker-pool benchmark only: the other
 * benchmark processes do not load them.
 */
export async function importPools() {
  /** @type {BatonNode} */
  const batonNode = unchecked(await import(new URL('node/index.js', batonUrl).href));
  /** @type {{ Piscina: new (options: PeerPoolOptions) => PeerPool }} */
  const piscinaModule = unchecked(await importPeer('piscina'));
  /** @type {{ Tinypool: new (options: PeerPoolOptions) => PeerPool }} */
  const tinypoolModule = unchecked(await importPeer('tinypool'));
  return { WorkerPool: batonNode.WorkerPool, Piscina: piscinaModule.Piscina, Tinypool: tinypoolModule.Tinypool };
}

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

/**
 * One candidate of a {@link runRounds} benchmark.
 *
 * @typedef {object} RoundCandidate
 * @property {string} name
 * @property {(ops: number) => Promise<void>} run The whole job of `ops` operations: what is timed.
 * @property {(ops: number) => void} [before] Untimed, right before each run (reset state).
 * @property {(ops: number) => void} [check] Untimed, right after each run: throws if the job went wrong.
 * @property {number} [opsDivisor] Run `ops / opsDivisor` operations (a candidate too slow for the full count); the floor paired with it runs the same count.
 */

/**
 * A scenario of a {@link runRounds} benchmark: its floor and the candidates
 * measured against it.
 *
 * @typedef {{ name: string, ops: number, floor: RoundCandidate, candidates: RoundCandidate[] }} RoundScenario
 */

/**
 * The key a candidate is skipped by (`--skip`, a JSON array of such keys).
 *
 * @param {string} scenario
 * @param {string} name
 */
export const skipKey = (scenario, name) => `${scenario}\t${name}`;

/**
 * The keys given with `--skip` (a JSON array of {@link skipKey}s).
 *
 * @param {string} json
 * @returns {Set<string>}
 */
export function parseSkip(json) {
  /** @type {unknown} */
  const keys = JSON.parse(json);
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new TypeError(`--skip: expected a JSON array of strings, got ${json}`);
  return new Set(/** @type {string[]} */ (keys));
}

/**
 * Run a benchmark the way run.mjs expects: every candidate (and floor) runs
 * `warmups` times unmeasured and checked, then `rounds` rounds, each running
 * every candidate once in a rotated order with its scenario's floor measured
 * right before it. Emits 'start' before each candidate's run (round -1 in the
 * warm-up) and 'sample' after it, so that the parent can tell which candidate
 * was running if this process dies or hangs; a candidate whose single run
 * takes more than `budgetMs` is not run again ('too-slow'). Ends with 'done'.
 *
 * @param {{ scenarios: RoundScenario[], rounds: number, warmups: number, budgetMs: number }} options
 */
export async function runRounds({ scenarios, rounds, warmups, budgetMs }) {
  /**
   * @param {RoundCandidate} candidate
   * @param {number} ops
   */
  const measure = async (candidate, ops) => {
    candidate.before?.(ops);
    collectGarbage();
    const t0 = now();
    await candidate.run(ops);
    const ms = now() - t0;
    candidate.check?.(ops);
    return ms;
  };
  /** @param {RoundCandidate} candidate @param {RoundScenario} scenario */
  const opsOf = (candidate, scenario) => Math.max(1, Math.round(scenario.ops / (candidate.opsDivisor ?? 1)));

  for (const scenario of scenarios) {
    for (let i = 0; i < warmups; i++) {
      await measure(scenario.floor, scenario.ops);
      for (const candidate of scenario.candidates) {
        emit({ type: 'start', scenario: scenario.name, name: candidate.name, round: -1 });
        await measure(candidate, opsOf(candidate, scenario));
      }
    }
  }
  const active = new Map(scenarios.map((scenario) => [scenario, [...scenario.candidates]]));
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      const list = /** @type {RoundCandidate[]} */ (active.get(scenario));
      if (list.length === 0) continue;
      const shift = round % list.length;
      const order = [...list.slice(shift), ...list.slice(0, shift)];
      for (const candidate of order) {
        const ops = opsOf(candidate, scenario);
        const floorMs = await measure(scenario.floor, ops);
        emit({ type: 'start', scenario: scenario.name, name: candidate.name, round });
        const ms = await measure(candidate, ops);
        emit({ type: 'sample', scenario: scenario.name, name: candidate.name, round, ms, floorMs, ops });
        if (ms > budgetMs) {
          list.splice(list.indexOf(candidate), 1);
          emit({ type: 'too-slow', scenario: scenario.name, name: candidate.name, round, ms });
        }
      }
    }
  }
  emit({ type: 'done' });
}
