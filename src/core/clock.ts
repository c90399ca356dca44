/**
 * Time in baton. Nothing in baton calls `setTimeout` or `Date.now()` directly:
 * every timer and every reading of the time goes through a {@link Clock}, so a
 * test can swap real time for the virtual clock of `baton/testing` and check a
 * one-hour timeout in microseconds.
 *
 * @packageDocumentation
 */

/**
 * A source of time and timers. baton's timed calls (`sleep`, `timeout`, ...)
 * take `{ clock }`; without one they use the default clock, which is
 * {@link realClock} unless a test has installed another (see `withClock` in
 * `baton/testing`).
 *
 * The timer takes its argument separately (`setTimeout(callback, ms, arg)`,
 * as Node's and browsers' `setTimeout` do) so that callers can pass a shared
 * function and a per-call object instead of allocating a closure per timer.
 *
 * @example A clock that logs every timer it sets
 * ```ts
 * import { realClock, sleep, type Clock } from 'baton';
 *
 * const loggingClock: Clock = {
 *   now: () => realClock.now(),
 *   setTimeout(callback, ms, arg) {
 *     console.log(`timer for ${ms} ms`);
 *     return realClock.setTimeout(callback, ms, arg);
 *   },
 *   clearTimeout: (handle) => realClock.clearTimeout(handle),
 * };
 * await sleep(10, { clock: loggingClock }); // logs 'timer for 10 ms'
 * ```
 */
export interface Clock {
  /** The current time in milliseconds. Only differences between readings mean anything. */
  now(): number;
  /**
   * Call `callback(arg)` once, `ms` milliseconds from now (`ms` is finite and
   * >= 0), and return a handle for {@link Clock.clearTimeout}.
   */
  setTimeout<A>(callback: (arg: A) => void, ms: number, arg: A): unknown;
  /** Cancel a timer that has not fired yet. Clearing a fired or cleared timer does nothing. */
  clearTimeout(handle: unknown): void;
}

// Node and browsers fire a timer longer than 2^31 - 1 ms at once (Node with a
// TimeoutOverflowWarning). The real clock splits such a delay into a chain of
// shorter timers so that `sleep(30 days)` really waits.
const MAX_TIMER_MS = 2_147_483_647;

class LongTimer<A> {
  handle: unknown = undefined;
  constructor(
    readonly callback: (arg: A) => void,
    public remaining: number,
    readonly arg: A,
  ) {
    this.arm();
  }
  arm(): void {
    const step = Math.min(this.remaining, MAX_TIMER_MS);
    this.remaining -= step;
    this.handle = setTimeout(fireLongTimer, step, this);
  }
}

function fireLongTimer(timer: LongTimer<unknown>): void {
  if (timer.remaining > 0) timer.arm();
  else timer.callback(timer.arg);
}

/**
 * The real clock: the platform's timers and a monotonic `performance.now()`.
 * It is the default clock.
 *
 * @example Read the time the way baton does
 * ```ts
 * import { realClock } from 'baton';
 *
 * const start = realClock.now();
 * // ... work ...
 * console.log(`took ${realClock.now() - start} ms`);
 * ```
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout<A>(callback: (arg: A) => void, ms: number, arg: A): unknown {
    if (ms > MAX_TIMER_MS) return new LongTimer(callback, ms, arg);
    return setTimeout(callback, ms, arg);
  },
  clearTimeout(handle: unknown): void {
    clearTimeout((handle instanceof LongTimer ? handle.handle : handle) as Parameters<typeof clearTimeout>[0]);
  },
};

let defaultClock: Clock = realClock;

/** The clock a timed call uses: its own `clock` option, else the default. */
export function clockOf(clock: Clock | undefined): Clock {
  return clock ?? defaultClock;
}

/**
 * Make `clock` the default for every timed call that names no clock, and
 * return the previous default. Internal: `baton/testing` wraps it.
 */
export function swapDefaultClock(clock: Clock): Clock {
  const previous = defaultClock;
  defaultClock = clock;
  return previous;
}

/** The clock timed calls use when they are given none. */
export function getDefaultClock(): Clock {
  return defaultClock;
}
