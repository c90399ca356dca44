/**
 * `map` and `mapIter`: apply a task function to every item of an input,
 * concurrently, with limits, order and cancellation.
 *
 * @packageDocumentation
 */

import type { ItemLimiter, Limiter } from '../core/limiter.js';
import { describe, expectFunction, expectInteger } from '../core/validate.js';
import { CancelledError } from '../core/errors.js';
import { Run, expectIterable, readRunOptions, warmShapes, type ItemContext } from './engine.js';

export type { ItemContext } from './engine.js';

/**
 * Options of {@link map}.
 *
 * @example At most two at a time, cancellable from outside
 * ```ts
 * import { map, sleep, type MapOptions } from 'baton';
 *
 * const controller = new AbortController(); // controller.abort() would stop the whole call
 * const options: MapOptions = { concurrency: 2, signal: controller.signal };
 * let running = 0;
 * let peak = 0;
 * const doubled = await map([1, 2, 3, 4, 5], async (n, ctx) => {
 *   peak = Math.max(peak, ++running);
 *   await sleep(10, { signal: ctx.signal });
 *   running--;
 *   return n * 2;
 * }, options);
 * console.log(doubled, peak); // [ 2, 4, 6, 8, 10 ] 2
 * ```
 */
export interface MapOptions {
  /** At most this many tasks run at once: an integer >= 1, or `Infinity` (the default). */
  concurrency?: number | undefined;
  /** One or more limiters each task must get a permit from before it starts (for example a shared `Semaphore`). */
  limiter?: Limiter | ItemLimiter | readonly (Limiter | ItemLimiter)[] | undefined;
  /** Cancels the whole call: running tasks are cancelled, no more start, and the call rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /**
   * `false` (default): fail fast, cancelling the rest on the first failure.
   * `true`: run everything and return every outcome.
   */
  settle?: boolean | undefined;
}

/**
 * A mapping function: `fn(item, ctx)` with `ctx.index` and `ctx.signal`.
 *
 * @example Write the function once, use it with map and mapIter
 * ```ts
 * import { map, mapIter, sleep, type MapFunction } from 'baton';
 *
 * const label: MapFunction<string, string> = async (name, ctx) => {
 *   await sleep(1, { signal: ctx.signal });
 *   return `${ctx.index + 1}. ${name}`;
 * };
 * console.log(await map(['ada', 'grace'], label)); // [ '1. ada', '2. grace' ]
 * for await (const line of mapIter(['alan'], label)) console.log(line); // '1. alan'
 * ```
 */
export type MapFunction<I, R> = (item: I, ctx: ItemContext) => R | PromiseLike<R>;

export class ArrayRun<I, R> extends Run<I, R> {
  readonly results: unknown[];
  resolve!: (value: unknown[]) => void;
  reject!: (reason: unknown) => void;
  readonly promise: Promise<unknown[]>;

  constructor(
    input: Iterable<I> | AsyncIterable<I>,
    fn: MapFunction<I, R>,
    concurrency: number,
    limiters: readonly (Limiter | ItemLimiter)[],
    signal: AbortSignal | undefined,
    readonly settle: boolean,
  ) {
    super(input, fn, concurrency, limiters, signal);
    this.results = Array.isArray(input) ? new Array<unknown>((input as unknown[]).length) : [];
    this.promise = new Promise<unknown[]>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  taskFulfilled(index: number, value: R): void {
    this.results[index] = this.settle ? { status: 'fulfilled', value } : value;
  }

  taskRejected(index: number, error: unknown, cancelled: boolean): void {
    if (cancelled) return; // the call itself reports the cancellation
    if (this.settle && !this.scope.cancelled) {
      this.results[index] = { status: 'rejected', reason: error };
      return;
    }
    // Fail fast; after the first failure, later ones are its consequences.
    this.fail(error);
  }

  finished(): void {
    if (this.failed) this.reject(this.failure);
    else if (this.scope.cancelledByParent) this.reject(this.scope.reason);
    else {
      if (this.results.length !== this.started) this.results.length = this.started;
      this.resolve(this.results);
    }
  }
}

/**
 * Apply `fn` to every item of `input` and resolve to the results, **in input
 * order**, whatever order they finish in.
 *
 * - `input` is any `Iterable` or `AsyncIterable`, pulled **lazily**: an item
 *   is taken only when a slot is free, so a generator of a million items
 *   never sits in memory at once.
 * - With `concurrency: n`, at most n tasks run at once and they start in
 *   input order.
 * - **Fail fast** (default): the first failure cancels the running tasks
 *   (their `ctx.signal` aborts), starts no more, waits for what runs to
 *   settle, closes the input, then rejects with that very error.
 * - `settle: true`: every item runs; the result holds
 *   `PromiseSettledResult`-shaped entries and the call never rejects for a
 *   task.
 * - `signal`: aborting cancels everything and rejects with `signal.reason`
 *   once the started tasks have settled; an already-aborted signal rejects at
 *   once and takes nothing from the input.
 * - An error thrown by the input iterator counts as a failure.
 *
 * @example Fetch 500 URLs, 10 at a time, results in order
 * ```ts
 * import { map } from 'baton';
 *
 * const urls = Array.from({ length: 500 }, (_, i) => `https://example.com/item/${i}`);
 * const bodies = await map(urls, async (url, ctx) => {
 *   const res = await fetch(url, { signal: ctx.signal });
 *   return res.text();
 * }, { concurrency: 10 });
 * ```
 * @example Collect every outcome instead of failing fast
 * ```ts
 * import { map } from 'baton';
 *
 * const outcomes = await map([1, 2, 3], async (n) => {
 *   if (n === 2) throw new Error('two');
 *   return n * 10;
 * }, { settle: true });
 * // [{ status: 'fulfilled', value: 10 }, { status: 'rejected', reason: Error('two') }, { status: 'fulfilled', value: 30 }]
 * ```
 * @throws TypeError / RangeError (as a rejection) for a bad input, function or option.
 * @see mapIter to consume results as a stream.
 */
export function map<I, R>(
  input: Iterable<I> | AsyncIterable<I>,
  fn: MapFunction<I, R>,
  options?: MapOptions & { settle?: false | undefined },
): Promise<R[]>;
export function map<I, R>(
  input: Iterable<I> | AsyncIterable<I>,
  fn: MapFunction<I, R>,
  options: MapOptions & { settle: true },
): Promise<PromiseSettledResult<Awaited<R>>[]>;
export function map<I, R>(
  input: Iterable<I> | AsyncIterable<I>,
  fn: MapFunction<I, R>,
  options?: MapOptions,
): Promise<R[] | PromiseSettledResult<Awaited<R>>[]>;
export function map<I, R>(
  input: Iterable<I> | AsyncIterable<I>,
  fn: MapFunction<I, R>,
  options?: MapOptions,
): Promise<unknown[]> {
  let run: ArrayRun<I, R>;
  try {
    expectIterable('input', input);
    expectFunction('fn', fn);
    const { concurrency, limiters, signal } = readRunOptions(options);
    const settle = options?.settle ?? false;
    expectBoolean('options.settle', settle);
    run = new ArrayRun(input, fn, concurrency, limiters, signal, settle);
  } catch (err) {
    return Promise.reject(err);
  }
  run.start();
  return run.promise;
}

export function expectBoolean(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`Expected ${name} to be a boolean, got ${describe(value)}`);
  }
}

/**
 * Options of {@link mapIter}.
 *
 * @example Results in completion order, at most six started but not consumed
 * ```ts
 * import { mapIter, sleep, type MapIterOptions } from 'baton';
 *
 * const options: MapIterOptions = { concurrency: 3, ordered: false, backpressure: 6 };
 * const finished: number[] = [];
 * const delays = [30, 10, 20];
 * for await (const ms of mapIter(delays, async (ms, ctx) => {
 *   await sleep(ms, { signal: ctx.signal });
 *   return ms;
 * }, options)) {
 *   finished.push(ms);
 * }
 * console.log(finished); // [ 10, 20, 30 ]: completion order, not input order
 * ```
 */
export interface MapIterOptions {
  /** At most this many tasks run at once: an integer >= 1, or `Infinity` (the default). */
  concurrency?: number | undefined;
  /** One or more limiters each task must get a permit from before it starts. */
  limiter?: Limiter | ItemLimiter | readonly (Limiter | ItemLimiter)[] | undefined;
  /** `true` (default): yield in input order. `false`: yield in completion order. */
  ordered?: boolean | undefined;
  /**
   * The most items that may be started but not yet consumed by the loop:
   * running, or finished and waiting in the reorder buffer. When reached, no
   * new task starts until the consumer catches up. An integer >= the
   * concurrency; default `2 * concurrency` (or `Infinity` with unlimited
   * concurrency). This bounds memory whatever the input's length.
   */
  backpressure?: number | undefined;
  /** Cancels the whole stream: the loop throws `signal.reason` once the started tasks have settled. */
  signal?: AbortSignal | undefined;
}

const EMPTY: unique symbol = Symbol('empty');

class StreamRun<I, R> extends Run<I, R> implements AsyncIterableIterator<R> {
  // Outcomes waiting for the consumer. Ordered mode keeps them by index and
  // yields from `#nextOut`: in a ring of `backpressure` slots (an index is at
  // most `backpressure` ahead of the consumer, so slots never collide), or in
  // a Map when backpressure is unbounded. Completion mode keeps a FIFO.
  // Either way the buffer holds at most `backpressure` entries.
  readonly #ring: unknown[] | undefined;
  readonly #buffer: Map<number, R> | undefined;
  #fifo: R[] = [];
  #fifoHead = 0;
  #nextOut = 0;
  #consumed = 0;
  #waiting: { resolve: (r: IteratorResult<R>) => void; reject: (e: unknown) => void } | undefined = undefined;
  #done = false;
  #started = false;
  #finishedWaiters: (() => void)[] = [];

  constructor(
    input: Iterable<I> | AsyncIterable<I>,
    fn: MapFunction<I, R>,
    concurrency: number,
    limiters: readonly (Limiter | ItemLimiter)[],
    signal: AbortSignal | undefined,
    readonly ordered: boolean,
    readonly backpressure: number,
  ) {
    super(input, fn, concurrency, limiters, signal);
    if (ordered) {
      if (backpressure === Infinity) this.#buffer = new Map<number, R>();
      else this.#ring = new Array<unknown>(backpressure).fill(EMPTY);
    }
  }

  override mayStart(): boolean {
    return this.started - this.#consumed < this.backpressure;
  }

  taskFulfilled(index: number, value: R): void {
    const ring = this.#ring;
    if (ring !== undefined) ring[index % ring.length] = value;
    else if (this.#buffer !== undefined) this.#buffer.set(index, value);
    else this.#fifo.push(value);
    if (this.#waiting !== undefined) this.#deliver();
  }

  taskRejected(_index: number, error: unknown, cancelled: boolean): void {
    if (!cancelled) this.fail(error);
    this.#deliver();
  }

  finished(): void {
    for (const resolve of this.#finishedWaiters) resolve();
    this.#finishedWaiters = [];
    this.#deliver();
  }

  #whenFinished(): Promise<void> {
    if (this.isFinished) return Promise.resolve();
    return new Promise((resolve) => this.#finishedWaiters.push(resolve));
  }

  /** The next outcome for the consumer, or EMPTY if it is not ready. */
  #take(): R | typeof EMPTY {
    const ring = this.#ring;
    if (ring !== undefined) {
      const slot = this.#nextOut % ring.length;
      const value = ring[slot];
      if (value === EMPTY) return EMPTY;
      ring[slot] = EMPTY;
      this.#nextOut++;
      return value as R;
    }
    const buffer = this.#buffer;
    if (buffer !== undefined) {
      const index = this.#nextOut;
      if (!buffer.has(index)) return EMPTY;
      const value = buffer.get(index) as R;
      buffer.delete(index);
      this.#nextOut++;
      return value;
    }
    if (this.#fifoHead >= this.#fifo.length) return EMPTY;
    const value = this.#fifo[this.#fifoHead] as R;
    this.#fifo[this.#fifoHead++] = undefined as R;
    if (this.#fifoHead > 1024 && this.#fifoHead * 2 > this.#fifo.length) {
      this.#fifo = this.#fifo.slice(this.#fifoHead);
      this.#fifoHead = 0;
    }
    return value;
  }

  // Hand the next outcome to a waiting consumer, if there is one and the
  // outcome is ready; or the end; or the failure once the run has finished.
  #deliver(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    if (!this.failed && !this.scope.cancelled) {
      const value = this.#take();
      if (value !== EMPTY) {
        this.#waiting = undefined;
        this.#consumed++;
        waiting.resolve({ done: false, value });
        this.resume();
        return;
      }
    }
    if (!this.isFinished) return;
    this.#waiting = undefined;
    this.#done = true;
    if (this.failed) waiting.reject(this.failure);
    else if (this.scope.cancelledByParent) waiting.reject(this.scope.reason);
    else waiting.resolve({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<R>> {
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    if (this.#started && this.#waiting === undefined && !this.failed && !this.scope.cancelled) {
      // Fast path: the next outcome is ready, no executor closure needed.
      const value = this.#take();
      if (value !== EMPTY) {
        this.#consumed++;
        this.resume();
        return Promise.resolve({ done: false, value });
      }
    }
    if (this.#waiting !== undefined) {
      return Promise.reject(new TypeError('mapIter: next() called again before the previous call settled; consume the stream with for await'));
    }
    return new Promise<IteratorResult<R>>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      if (!this.#started) {
        // Lazy: nothing is pulled or started until the consumer asks.
        this.#started = true;
        this.start();
      }
      this.#deliver();
    });
  }

  async return(): Promise<IteratorResult<R>> {
    if (!this.#done) {
      this.#done = true;
      // Stopping cancels what runs; a run that never started only closes the input.
      this.#started = true;
      this.stop(new CancelledError('The consumer stopped iterating'));
      await this.#whenFinished();
      // A real failure (before the exit, or of a cleanup the exit caused) is
      // never dropped: the loop that left early throws it.
      if (this.failed) throw this.failure;
    }
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<R>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Apply `fn` to every item of `input` and stream the results as an async
 * iterable: in input order (`ordered: true`, the default) or as they
 * complete (`ordered: false`).
 *
 * - Lazy and bounded: items are pulled only when a slot is free, and at most
 *   `backpressure` items (default `2 * concurrency`) are started but not yet
 *   consumed, so a slow consumer pauses the work instead of piling up
 *   results, and memory stays bounded for an endless input.
 * - The loop throws the first failure once the running tasks have been
 *   cancelled and have settled, and the input has been closed.
 * - Leaving the loop early (`break`, `return`, `throw`) stops pulling,
 *   cancels what runs, waits for it, and closes the input.
 * - `signal` cancels the stream; the loop throws `signal.reason`.
 *
 * @example Process an endless stream with bounded memory
 * ```ts
 * import { mapIter } from 'baton';
 *
 * function* ids() {
 *   for (let i = 0; ; i++) yield i;
 * }
 * for await (const square of mapIter(ids(), async (n) => n * n, { concurrency: 8 })) {
 *   if (square > 1_000) break; // cancels what runs and closes the generator
 * }
 * ```
 * @throws TypeError / RangeError at the call for a bad input, function or option.
 * @see map for the whole array at once.
 */
export function mapIter<I, R>(
  input: Iterable<I> | AsyncIterable<I>,
  fn: MapFunction<I, R>,
  options?: MapIterOptions,
): AsyncIterableIterator<Awaited<R>> {
  // Bad arguments fail at the call, like every other baton call.
  expectIterable('input', input);
  expectFunction('fn', fn);
  const { concurrency, limiters, signal } = readRunOptions(options);
  const ordered = options?.ordered ?? true;
  expectBoolean('options.ordered', ordered);
  const backpressure = options?.backpressure ?? concurrency * 2;
  expectInteger('backpressure', backpressure, 1, true);
  if (backpressure < concurrency) {
    throw new RangeError(`Expected backpressure to be at least the concurrency (${concurrency}), got ${backpressure} (number)`);
  }
  return new StreamRun(input, fn as MapFunction<I, Awaited<R>>, concurrency, limiters, signal, ordered, backpressure);
}



// Keep one instance of each run class alive (see warmShapes in engine.ts).
warmShapes.push(
  new ArrayRun<unknown, unknown>([], () => undefined, 1, [], undefined, false),
  new StreamRun<unknown, unknown>([], () => undefined, 1, [], undefined, true, 2),
);
