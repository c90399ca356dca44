/**
 * Cancellable sleeping on baton's clock.
 *
 * @packageDocumentation
 */

import { clockOf, type Clock } from '../core/clock.js';
import { expectDuration, expectOptions, expectSignal } from '../core/validate.js';

/**
 * Options of {@link sleep}.
 *
 * @example A sleep that a controller can cut short
 * ```ts
 * import { sleep, type SleepOptions } from 'baton';
 *
 * const controller = new AbortController();
 * const options: SleepOptions = { signal: controller.signal };
 * const nap = sleep(10_000, options);
 * controller.abort();
 * await nap.catch(() => console.log('woken early'));
 * ```
 */
export interface SleepOptions {
  /** Stops the sleep early: the promise rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** The clock to sleep on. Defaults to the default clock (real time, unless a test installed a virtual one). */
  clock?: Clock | undefined;
}

// One object per sleep, doubling as the abort listener: no closures.
class Sleeper {
  handle: unknown = undefined;
  resolve!: () => void;
  reject!: (reason: unknown) => void;
  constructor(
    readonly clock: Clock,
    readonly signal: AbortSignal | undefined,
  ) {}

  handleEvent(): void {
    // The signal aborted: stop the timer, reject with the signal's reason.
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.reject((this.signal as AbortSignal).reason);
  }
}

function wake(sleeper: Sleeper): void {
  sleeper.signal?.removeEventListener('abort', sleeper);
  sleeper.resolve();
}

/**
 * Wait `ms` milliseconds. With a `signal`, the wait stops as soon as it
 * aborts and the promise rejects with `signal.reason` (at once if it has
 * already aborted). `sleep(Infinity, { signal })` waits until the signal
 * aborts. The timer and the listener are removed whichever way it ends, so a
 * finished or aborted sleep never keeps the process alive.
 *
 * Delays longer than the platform's timer limit (about 24.8 days) are
 * honoured, not fired at once as a raw `setTimeout` would.
 *
 * @example Back off for a while, unless cancelled
 * ```ts
 * import { sleep } from 'baton';
 *
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 50);
 * try {
 *   await sleep(10_000, { signal: controller.signal });
 * } catch (err) {
 *   console.log((err as Error).name); // 'AbortError'
 * }
 * ```
 * @throws TypeError / RangeError if `ms` is not a number >= 0 (or Infinity).
 */
export function sleep(ms: number, options?: SleepOptions): Promise<void> {
  expectDuration('ms', ms, true);
  expectOptions('options', options);
  const signal = options?.signal;
  expectSignal('options.signal', signal);
  if (signal?.aborted) return Promise.reject(signal.reason);
  const clock = clockOf(options?.clock);
  const sleeper = new Sleeper(clock, signal);
  const promise = new Promise<void>((resolve, reject) => {
    sleeper.resolve = resolve;
    sleeper.reject = reject;
  });
  if (ms !== Infinity) sleeper.handle = clock.setTimeout(wake, ms, sleeper);
  signal?.addEventListener('abort', sleeper, { once: true });
  return promise;
}
