/**
 * Deadlines for task functions.
 *
 * @packageDocumentation
 */

import { clockOf, type Clock } from '../core/clock.js';
import { TimeoutError } from '../core/errors.js';
import { CancelScope } from '../core/scope.js';
import type { TaskFunction } from '../core/task.js';
import { expectDuration, expectFunction, expectOptions, expectSignal } from '../core/validate.js';

/**
 * Options of {@link timeout}.
 *
 * @example A deadline that the caller can also cancel
 * ```ts
 * import { sleep, timeout, type TimeoutOptions } from 'baton';
 *
 * const controller = new AbortController();
 * const options: TimeoutOptions = { signal: controller.signal };
 * const work = timeout(5_000, (ctx) => sleep(60_000, { signal: ctx.signal }), options);
 * controller.abort(new Error('user pressed stop'));
 * await work.catch((err: unknown) => console.log((err as Error).message)); // 'user pressed stop'
 * ```
 */
export interface TimeoutOptions {
  /** The caller's signal: aborting it cancels `fn` too, and the call rejects with its reason. */
  signal?: AbortSignal | undefined;
  /** The clock the deadline runs on. Defaults to the default clock. */
  clock?: Clock | undefined;
}

// The deadline's scope remembers its duration, so the timer needs no closure.
class DeadlineScope extends CancelScope {
  constructor(
    parent: AbortSignal | undefined,
    readonly ms: number,
  ) {
    super(parent);
  }
}

function expire(scope: DeadlineScope): void {
  scope.cancel(new TimeoutError(scope.ms));
}

/**
 * Run `fn` with a deadline `ms` milliseconds from now. At the deadline,
 * `fn`'s `ctx.signal` aborts with a {@link TimeoutError}; when `fn` then
 * rejects with a cancellation, `timeout` rejects with that `TimeoutError`.
 *
 * Structured: `timeout` always waits for `fn` to settle, so nothing it
 * started outlives it. Cancellation is cooperative, as in asyncio and Trio:
 * if `fn` ignores its signal and returns a value after the deadline, that
 * value is returned, not thrown away; if it fails with its own error, that
 * error is thrown.
 *
 * Deadlines nest: pass `ctx.signal` on, and an inner `timeout` with a longer
 * deadline still ends at the outer one (rejecting with the outer
 * `TimeoutError`). A nested deadline never extends an outer one.
 *
 * `ms` may be `Infinity` (no deadline). An already-aborted `signal` rejects
 * at once without running `fn`. The timer and the listener on `signal` are
 * removed when the call settles.
 *
 * @example Give a request two seconds
 * ```ts
 * import { TimeoutError, timeout } from 'baton';
 *
 * try {
 *   const res = await timeout(2_000, (ctx) => fetch('https://example.com/', { signal: ctx.signal }));
 *   console.log(res.status);
 * } catch (err) {
 *   if (err instanceof TimeoutError) console.log('too slow');
 *   else throw err;
 * }
 * ```
 * @throws TypeError / RangeError for a bad `ms`, `fn` or option.
 */
export async function timeout<T>(ms: number, fn: TaskFunction<T>, options?: TimeoutOptions): Promise<T> {
  expectDuration('ms', ms, true);
  expectFunction('fn', fn);
  expectOptions('options', options);
  const signal = options?.signal;
  expectSignal('options.signal', signal);
  if (signal?.aborted) throw signal.reason;
  const clock = clockOf(options?.clock);
  const scope = new DeadlineScope(signal, ms);
  const handle = ms === Infinity ? undefined : clock.setTimeout(expire, ms, scope);
  try {
    return await fn(scope);
  } catch (err) {
    // The deadline (or the caller) cancelled fn and fn obeyed: report why.
    if (scope.isCancellationOf(err)) throw scope.reason;
    throw err;
  } finally {
    if (handle !== undefined) clock.clearTimeout(handle);
    scope.close();
  }
}
