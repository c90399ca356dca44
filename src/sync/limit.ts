/**
 * `limit(n)`: a concurrency limit in the shape of p-limit.
 *
 * @packageDocumentation
 */

import { CancelledError } from '../core/errors.js';
import { describe, expectInteger } from '../core/validate.js';

/**
 * A function that runs `fn(...args)` once fewer than `concurrency` calls are
 * running, and resolves to its result. See {@link limit}.
 *
 * @example Wrap calls through the limit
 * ```ts
 * import { limit, type LimitFunction } from 'baton';
 *
 * const limited: LimitFunction = limit(2);
 * const length = await limited(async (s: string) => s.length, 'hello');
 * console.log(length, limited.activeCount, limited.pendingCount); // 5 0 0
 * ```
 */
export interface LimitFunction {
  <A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R>;
  /** Calls running now. */
  readonly activeCount: number;
  /** Calls waiting for a slot. */
  readonly pendingCount: number;
  /** The limit. Settable: raising it starts waiting calls at once. */
  concurrency: number;
  /**
   * Drop every waiting call: each one's promise rejects with `reason`, a
   * `CancelledError` by default (none is left pending). Running calls go on.
   */
  clearQueue(reason?: unknown): void;
}

// One queued call. The linked list keeps memory proportional to what waits,
// with O(1) push and shift and no array that grows with the input.
class Job {
  next: Job | undefined = undefined;
  constructor(
    readonly fn: (...args: unknown[]) => unknown,
    readonly args: unknown[],
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
  ) {}
}

class Limit {
  active = 0;
  pending = 0;
  head: Job | undefined = undefined;
  tail: Job | undefined = undefined;

  constructor(public concurrency: number) {}

  // Run a queued job. One await in an async method is V8's cheapest way to
  // follow a promise (cheaper than two .then() calls), and the job's promise
  // is settled with plain values, never adopting a thenable.
  async run(job: Job): Promise<void> {
    this.active++;
    try {
      job.resolve(await job.fn(...job.args));
    } catch (err) {
      job.reject(err);
    }
    this.active--;
    this.drain();
  }

  /**
   * Run a call that found a free slot. Its promise is a new one (not the
   * function's), so a failure nobody awaits is still reported as unhandled.
   */
  async runNow(fn: (...args: unknown[]) => unknown, args: unknown[]): Promise<unknown> {
    this.active++;
    try {
      return await fn(...args);
    } finally {
      this.active--;
      this.drain();
    }
  }

  drain(): void {
    while (this.active < this.concurrency) {
      const job = this.head;
      if (job === undefined) return;
      this.head = job.next;
      if (this.head === undefined) this.tail = undefined;
      this.pending--;
      void this.run(job);
    }
  }
}

/**
 * Make a function that runs at most `concurrency` calls at once and queues
 * the rest in FIFO order: the p-limit shape, for code already written that
 * way. Prefer `map` or `gather` for a batch (they also cancel and keep
 * order), and {@link Semaphore} for a limit with cancellation and weights.
 *
 * `limited(fn, ...args)` resolves or rejects with `fn`'s outcome. A failure
 * does not affect other calls. `clearQueue()` rejects every waiting call with
 * a `CancelledError`, so no promise is ever left pending.
 *
 * @example At most two downloads at a time
 * ```ts
 * import { limit } from 'baton';
 *
 * const limited = limit(2);
 * const urls = ['https://example.com/a', 'https://example.com/b', 'https://example.com/c'];
 * const pages = await Promise.all(urls.map((url) => limited(() => fetch(url).then((r) => r.text()))));
 * ```
 * @throws TypeError / RangeError if `concurrency` is not an integer >= 1 or Infinity.
 */
export function limit(concurrency: number): LimitFunction {
  expectInteger('concurrency', concurrency, 1, true);
  const state = new Limit(concurrency);
  const limited = (<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R> => {
    if (typeof fn !== 'function') {
      return Promise.reject(new TypeError(`Expected fn to be a function, got ${describe(fn)}`));
    }
    if (state.active < state.concurrency && state.head === undefined) {
      return state.runNow(fn as (...args: unknown[]) => unknown, args) as Promise<R>;
    }
    return new Promise<R>((resolve, reject) => {
      const job = new Job(fn as (...args: unknown[]) => unknown, args, resolve as (value: unknown) => void, reject);
      if (state.tail === undefined) state.head = job;
      else state.tail.next = job;
      state.tail = job;
      state.pending++;
    });
  }) as LimitFunction;
  Object.defineProperties(limited, {
    activeCount: { get: () => state.active, enumerable: true },
    pendingCount: { get: () => state.pending, enumerable: true },
    concurrency: {
      get: () => state.concurrency,
      set: (value: unknown) => {
        expectInteger('concurrency', value, 1, true);
        state.concurrency = value;
        state.drain();
      },
      enumerable: true,
    },
    clearQueue: {
      value: (reason?: unknown) => {
        let job = state.head;
        state.head = state.tail = undefined;
        state.pending = 0;
        const why = reason === undefined ? new CancelledError('The call was cleared from the limit queue') : reason;
        while (job !== undefined) {
          job.reject(why);
          job = job.next;
        }
      },
    },
  });
  return limited;
}
