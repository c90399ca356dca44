// The scheduling engine under gather, map, mapIter, asCompleted, race and
// any: one loop, many faces. Each call makes one Run; the faces differ only
// in what they do with an outcome (the hooks at the bottom).
//
// Shape: up to `concurrency` worker loops, each an async function that pulls
// the next input, runs the task function, records the outcome and pulls
// again. This is the shape of the fastest hand-written limiter (C workers
// pulling the next index), so the engine costs little more than that floor:
// per task it allocates one small context object and nothing else (no
// closure, no listener, no AbortController unless the task reads
// ctx.signal, and then one of its own, linked through the scope tree).
//
// Starting workers: a new worker is launched only while no worker is idle
// (waiting for a permit or for the input to yield). With a synchronous
// input and no limiter, a worker takes its item synchronously, so the launch
// loop starts `concurrency` tasks at once, in input order. With an async
// input or a limiter, the next worker starts when the searching one got its
// item, so even an unbounded concurrency never means more than one worker
// waiting, and an item is taken only when a slot (and a permit) is free.
//
// Order of starts: items are taken in input order (async pulls are chained one
// after another, limiters are FIFO), and each worker calls the task function
// right after taking its item, so tasks start in input order.
//
// Ending: when the last worker exits, the run closes the input iterator if it
// was not exhausted (failure, cancellation, early exit), stops listening to
// the caller's signal, and only then settles.

import { CancelledError } from '../core/errors.js';
import type { ItemLimiter, Limiter, Permit } from '../core/limiter.js';
import { CancelScope, type TaskContext } from '../core/scope.js';
import { describe, expectFunction, expectInteger, expectOptions, expectSignal } from '../core/validate.js';

/**
 * What a mapping function receives besides the item.
 *
 * `ctx.signal` is the task's own: it aborts when the call fails fast, is
 * cancelled by its `signal`, or (`mapIter`) the loop is left early. It is
 * created only when the task first reads it, so tasks that never read it
 * cost nothing, and tasks that do never share their listeners.
 *
 * @example Use the index, and pass the signal on
 * ```ts
 * import { map, sleep, type ItemContext } from 'baton';
 *
 * async function resize(file: string, ctx: ItemContext): Promise<string> {
 *   await sleep(10, { signal: ctx.signal }); // stands in for real work
 *   return `${ctx.index}: ${file} resized`;
 * }
 * console.log(await map(['a.png', 'b.png'], resize)); // [ '0: a.png resized', '1: b.png resized' ]
 * ```
 */
export interface ItemContext extends TaskContext {
  /** The item's position in the input, from 0. */
  readonly index: number;
}

export class Context implements ItemContext {
  #own: CancelScope | undefined = undefined;
  constructor(
    readonly index: number,
    readonly scope: CancelScope,
  ) {}

  // A task that reads its signal gets one of its own, made on first read and
  // linked to the run's scope through the scope tree (no listener). Tasks
  // that never read it cost nothing; tasks that do never share a signal, so
  // a thousand tasks passing ctx.signal to fetch() do not pile a thousand
  // listeners onto one signal (Node would warn past ten).
  get signal(): AbortSignal {
    return (this.#own ??= new CancelScope(this.scope)).signal;
  }

  /** The task has settled: unlink its own scope, if it made one. */
  close(): void {
    this.#own?.close();
  }
}

/** Options every engine-backed call shares. */
export interface RunOptions {
  concurrency?: number | undefined;
  limiter?: AnyLimiter | readonly AnyLimiter[] | undefined;
  signal?: AbortSignal | undefined;
}

export const DONE: unique symbol = Symbol('done');
type Pulled<I> = I | typeof DONE;

const noop = (): void => {};

/** A limiter of either kind. */
export type AnyLimiter = Limiter | ItemLimiter;

function isItemLimiter(value: AnyLimiter): value is ItemLimiter {
  return typeof (value as ItemLimiter).acquireItem === 'function';
}

function isLimiter(value: unknown): value is AnyLimiter {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as Limiter).acquire === 'function' || typeof (value as ItemLimiter).acquireItem === 'function')
  );
}

/** Validate the shared options. Returns the limiters as an array (often empty). */
export function readRunOptions(options: RunOptions | undefined): { concurrency: number; limiters: readonly AnyLimiter[]; signal: AbortSignal | undefined } {
  expectOptions('options', options);
  const concurrency = options?.concurrency ?? Infinity;
  expectInteger('concurrency', concurrency, 1, true);
  const signal = options?.signal;
  expectSignal('options.signal', signal);
  const limiter = options?.limiter;
  let limiters: readonly AnyLimiter[] = [];
  if (limiter !== undefined) {
    limiters = Array.isArray(limiter) ? (limiter as readonly AnyLimiter[]) : [limiter as AnyLimiter];
    for (const l of limiters) {
      if (!isLimiter(l)) {
        throw new TypeError(`Expected limiter to be a Limiter (an object with acquire()) or an array of them, got ${describe(l)}`);
      }
    }
  }
  return { concurrency, limiters, signal };
}

/** Check that `input` is iterable or async-iterable. */
export function expectIterable(name: string, input: unknown): asserts input is Iterable<unknown> | AsyncIterable<unknown> {
  if (
    input === null ||
    input === undefined ||
    (typeof (input as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
      typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')
  ) {
    throw new TypeError(`Expected ${name} to be an Iterable or AsyncIterable, got ${describe(input)}`);
  }
}

// The run's scope tells the run when it is cancelled, so a run whose
// workers have all exited (only detached promises left) still settles.
class RunScope extends CancelScope {
  constructor(
    signal: AbortSignal | undefined,
    readonly run: { scopeCancelled(): void },
  ) {
    super(signal);
  }

  protected override onCancel(): void {
    this.run.scopeCancelled();
  }
}

export abstract class Run<I, R> {
  readonly scope: CancelScope;
  readonly fn: (item: I, ctx: ItemContext) => R | PromiseLike<R>;
  readonly concurrency: number;
  readonly limiters: readonly AnyLimiter[];
  // Limiters asked before an item is taken, and item-aware ones asked after.
  readonly #early: readonly Limiter[];
  readonly #late: readonly ItemLimiter[];
  readonly #spending: readonly Limiter[];

  // Input: an array is read by index (no iterator protocol), anything else
  // through its iterator.
  #array: readonly I[] | undefined = undefined;
  #iterator: Iterator<I> | undefined = undefined;
  #asyncIterator: AsyncIterator<I> | undefined = undefined;
  #pullChain: Promise<unknown> = Promise.resolve();
  #nextIndex = 0;
  exhausted = false;

  /** Set once nothing more may start: a failure, a cancellation, an early exit. */
  stopped = false;
  failed = false;
  failure: unknown = undefined;

  #workers = 0;
  /** Workers looking for their next item: waiting for a permit or a pull. */
  #idle = 0;
  #launching = false;
  /** Calls to the async input's next() that have not settled yet. */
  #pulling = 0;
  #finished = false;
  // Thenable inputs being awaited outside the workers (see detachThenables).
  #detached = 0;

  /**
   * Set by gather, race and any: a promise (or other thenable) in the input
   * is already running, so it takes no slot. It is awaited on the side, its
   * outcome counts while the run goes on, and a run that stops (failure,
   * cancellation) does not wait for it: the run owns only what it started.
   */
  detachThenables = false;

  constructor(
    input: Iterable<I> | AsyncIterable<I>,
    fn: (item: I, ctx: ItemContext) => R | PromiseLike<R>,
    concurrency: number,
    limiters: readonly AnyLimiter[],
    signal: AbortSignal | undefined,
  ) {
    this.fn = fn;
    this.concurrency = concurrency;
    this.limiters = limiters;
    // Plain limiters are asked before an item is taken; item-aware ones once
    // it is known; spending ones (rate limits) last of all, so no start is
    // spent while the task still waits for another permit.
    const plain = limiters.filter((l): l is Limiter => !isItemLimiter(l));
    this.#early = plain.filter((l) => l.spends !== true);
    this.#late = limiters.filter(isItemLimiter);
    this.#spending = plain.filter((l) => l.spends === true);
    this.scope = new RunScope(signal, this);
    if (Array.isArray(input)) this.#array = input as readonly I[];
    else if (typeof (input as Iterable<I>)[Symbol.iterator] === 'function') this.#iterator = (input as Iterable<I>)[Symbol.iterator]();
    else this.#asyncIterator = (input as AsyncIterable<I>)[Symbol.asyncIterator]();
  }

  /** Start the workers. Call once, after the subclass is ready. */
  start(): void {
    if (this.scope.cancelled) {
      // An already-aborted signal: start nothing, take nothing.
      this.stopped = true;
      this.#maybeFinish();
      return;
    }
    this.#launch();
    this.#maybeFinish();
  }

  /** Items taken so far (started, or about to start). */
  get started(): number {
    return this.#nextIndex;
  }

  /**
   * Record a failure that fails the whole run: the first one wins, stops
   * pulling and cancels everything running.
   */
  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = error;
    this.stop(new CancelledError('Cancelled because another task failed', { cause: error }));
  }

  /** Stop taking input and cancel what runs. */
  stop(reason: unknown): void {
    this.stopped = true;
    this.scope.cancel(reason);
    this.#maybeFinish();
  }

  /** Let more work start (after a backpressure pause, for instance). */
  resume(): void {
    this.#launch();
  }

  #launch(): void {
    // Not re-entrant: a worker that takes its item synchronously calls back
    // in here; the loop already running re-checks its conditions, so
    // launching stays a loop, never a recursion as deep as the input.
    if (this.#launching) return;
    this.#launching = true;
    while (
      this.#idle === 0 &&
      this.#workers < this.concurrency &&
      !this.exhausted &&
      !this.stopped &&
      !this.scope.cancelled &&
      this.mayStart()
    ) {
      this.#workers++;
      void this.#worker();
    }
    this.#launching = false;
  }

  async #worker(): Promise<void> {
    let searching = false;
    // The worker's own scope for limiter waits, made on first need: its
    // waits add listeners to it, never to a signal shared by all workers.
    let own: CancelScope | undefined;
    try {
      for (;;) {
        if (this.stopped || this.scope.cancelled) break;
        if (!this.mayStart()) break; // backpressure: resume() relaunches
        searching = true;
        this.#idle++;
        let permits: Permit[] | undefined;
        if (this.#early.length > 0) {
          own ??= new CancelScope(this.scope);
          permits = await this.#acquire(this.#early, undefined, undefined, own.signal);
        }
        let item: Pulled<I>;
        let async = permits !== undefined;
        const array = this.#array;
        if (array !== undefined) {
          item = this.#nextIndex < array.length ? (array[this.#nextIndex] as I) : DONE;
        } else if (this.#iterator !== undefined) {
          const r = this.#iterator.next();
          item = r.done === true ? DONE : r.value;
        } else {
          async = true;
          // A pull in flight does not hold a stopping run: the worker stops
          // waiting for it when the run is cancelled.
          own ??= new CancelScope(this.scope);
          item = (await untilCancelled(this.#pullAsync(), own.signal)) as Pulled<I>;
        }
        if (item === DONE) {
          this.exhausted = true;
          releaseAll(permits);
          break;
        }
        if (this.stopped || this.scope.cancelled) {
          // Taken while the run was stopping: it never starts.
          releaseAll(permits);
          break;
        }
        const index = this.#nextIndex++;
        if (this.detachThenables && isThenable(item)) {
          // Already running: no slot, and no limiter is asked for it (a rate
          // limit would spend a start on work baton does not start).
          this.#detach(index, item);
          releaseAll(permits);
          searching = false;
          this.#idle--;
          continue;
        }
        if (this.#late.length > 0 || this.#spending.length > 0) async = true;
        searching = false;
        this.#idle--;
        if (async) this.#launch();
        if (this.#late.length > 0) {
          // Limiters that depend on the item (a per-host limit) are asked once
          // the item is known; meanwhile other workers go on with other items.
          own ??= new CancelScope(this.scope);
          permits = await this.#acquire(this.#late, item, permits, own.signal);
          if (this.stopped || this.scope.cancelled) {
            releaseAll(permits);
            break;
          }
        }
        if (this.#spending.length > 0) {
          // A rate limit is asked last of all, once the item is taken and its
          // other permits are held, so no start is spent while the task still
          // waits for another permit. The worker counts as searching again
          // meanwhile, so waiting for the rate never launches more workers.
          searching = true;
          this.#idle++;
          own ??= new CancelScope(this.scope);
          permits = await this.#acquire(this.#spending, item, permits, own.signal);
          searching = false;
          this.#idle--;
          if (this.stopped || this.scope.cancelled) {
            releaseAll(permits);
            break;
          }
          this.#launch();
        }
        this.taskStarted(index);
        let value: R;
        const ctx = new Context(index, this.scope);
        try {
          value = await this.fn(item, ctx);
        } catch (err) {
          ctx.close();
          releaseAll(permits);
          this.taskRejected(index, err, this.scope.isCancellationOf(err));
          continue;
        }
        ctx.close();
        releaseAll(permits);
        this.taskFulfilled(index, value);
      }
    } catch (err) {
      // The input (or a limiter) failed: that fails the run, unless it is
      // the run's own cancellation reaching a limiter wait.
      if (!this.scope.isCancellationOf(err)) this.fail(err);
    }
    if (searching) this.#idle--;
    own?.close();
    this.#workers--;
    this.#maybeFinish();
  }

  async #acquire(limiters: readonly AnyLimiter[], item: I | undefined, held: Permit[] | undefined, signal: AbortSignal): Promise<Permit[]> {
    const permits: Permit[] = held ?? [];
    try {
      for (const limiter of limiters) {
        const permit =
          'acquireItem' in limiter && typeof limiter.acquireItem === 'function'
            ? await limiter.acquireItem(item, { signal })
            : ((limiter as Limiter).tryAcquire?.() ?? (await (limiter as Limiter).acquire({ signal })));
        permits.push(permit);
      }
    } catch (err) {
      releaseAll(permits);
      throw err;
    }
    return permits;
  }

  #pullAsync(): Promise<Pulled<I>> {
    const iterator = this.#asyncIterator as AsyncIterator<I>;
    this.#pulling++;
    const pulled = this.#pullChain
      .then(() => iterator.next())
      .then(
        (r) => {
          this.#pulling--;
          return r.done === true ? DONE : r.value;
        },
        (err: unknown) => {
          this.#pulling--;
          throw err;
        },
      );
    this.#pullChain = pulled.then(noop, noop);
    return pulled;
  }


  #detach(index: number, promise: PromiseLike<unknown>): void {
    this.#detached++;
    promise.then(
      (value) => {
        this.#detached--;
        if (this.#finished) return;
        if (!this.stopped) this.taskFulfilled(index, value as R);
        this.#maybeFinish();
      },
      (err: unknown) => {
        this.#detached--;
        if (this.#finished) return;
        if (!this.stopped) this.taskRejected(index, err, false);
        this.#maybeFinish();
      },
    );
  }

  /** @internal The run's scope was cancelled (its caller's signal aborted, or stop()). */
  scopeCancelled(): void {
    this.stopped = true;
    this.#maybeFinish();
  }

  #maybeFinish(): void {
    if (this.#finished || this.#workers > 0) return;
    if (this.#detached > 0 && !this.stopped && !this.scope.cancelled) return;
    if (!this.stopped && !this.exhausted && !this.scope.cancelled) {
      // Paused by backpressure, not finished.
      return;
    }
    this.#finished = true;
    void this.#close();
  }

  async #close(): Promise<void> {
    if (!this.exhausted) {
      // Stopped early: close the input so it can release what it holds.
      try {
        if (this.#iterator !== undefined) this.#iterator.return?.();
        else if (this.#asyncIterator !== undefined) {
          const iterator = this.#asyncIterator;
          if (this.#pulling > 0) {
            // The input is between items: close it once that pull ends,
            // without holding the run (which owns no such work). A failure
            // to close is left to the platform to report.
            void this.#pullChain.then(() => iterator.return?.());
          } else {
            await iterator.return?.();
          }
        }
      } catch (err) {
        if (!this.failed) {
          this.failed = true;
          this.failure = err;
        }
      }
    }
    this.scope.close();
    this.finished();
  }

  /** Whether the run has finished (every worker has exited and the input is closed). */
  get isFinished(): boolean {
    return this.#finished;
  }

  // Hooks for the faces.

  /** Whether another item may start now (backpressure). */
  mayStart(): boolean {
    return true;
  }
  /** A task is about to start. */
  taskStarted(_index: number): void {}
  abstract taskFulfilled(index: number, value: R): void;
  /** `cancelled`: the run was cancelled and the error is that cancellation. */
  abstract taskRejected(index: number, error: unknown, cancelled: boolean): void;
  /** Every worker has exited and the input is closed. */
  abstract finished(): void;
}

function releaseAll(permits: Permit[] | undefined): void {
  if (permits === undefined) return;
  for (let i = permits.length - 1; i >= 0; i--) (permits[i] as Permit).release();
}

/**
 * The function every gather-like call applies to an input: call a task
 * function; wait for a promise (or any thenable, a Task included) only until
 * the call is cancelled; pass a plain value through.
 *
 * A promise was started by someone else and cannot be cancelled, so a call
 * that fails or is cancelled stops waiting for it instead of being held up
 * by work it does not own. Its outcome still counts while the call runs.
 */
export function runInput(input: unknown, ctx: ItemContext): unknown {
  if (typeof input === 'function') return (input as (ctx: TaskContext) => unknown)(ctx);
  if (isThenable(input)) return untilCancelled(input, ctx.signal);
  return input;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

function untilCancelled(promise: PromiseLike<unknown>, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Mark thenable inputs as handled at once: they are already running, and a
 * rejection that happens while they wait for a slot must not be reported as
 * unhandled. The engine still awaits each one and sees its outcome.
 */
export function observeThenables(inputs: readonly unknown[]): void {
  for (const input of inputs) {
    if (isThenable(input)) input.then(undefined, noop);
  }
}

export { expectFunction };

// V8 drops the optimised code of the engine when the hidden classes it was
// specialised for are garbage-collected, which happens whenever a full GC
// runs while no call is alive; the next call then runs unoptimised. Keeping
// one instance of each per-task class alive keeps those classes (and the
// code) warm. See docs/benchmarks.md.
export const warmShapes: unknown[] = [new Context(0, new CancelScope())];
