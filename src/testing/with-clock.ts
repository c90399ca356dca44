/**
 * Making a clock the default for a block of test code.
 *
 * @packageDocumentation
 */

import { getDefaultClock, swapDefaultClock, type Clock } from '../core/clock.js';
import { describe, expectFunction } from '../core/validate.js';

function expectClock(clock: unknown): asserts clock is Clock {
  const c = clock as Partial<Clock> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.now !== 'function' ||
    typeof c.setTimeout !== 'function' ||
    typeof c.clearTimeout !== 'function'
  ) {
    throw new TypeError(`Expected clock to be a Clock (now, setTimeout, clearTimeout), got ${describe(clock)}`);
  }
}

/**
 * Run `fn` with `clock` as the default clock: every timed call that names no
 * `clock` (`sleep`, `timeout`, ...) uses it until `fn` settles, then the
 * previous default comes back, whatever `fn`'s outcome.
 *
 * The default clock is one global setting, so blocks must not overlap: run
 * tests that use `withClock` one at a time (Vitest and node:test run the
 * tests of a file one after another by default).
 *
 * @example Test a retry loop's waits without waiting
 * ```ts
 * import { sleep } from 'baton';
 * import { VirtualClock, withClock } from 'baton/testing';
 *
 * const clock = new VirtualClock();
 * await withClock(clock, async () => {
 *   await sleep(60_000); // no clock option: the virtual one is used
 * });
 * console.log(clock.now()); // 60000
 * ```
 * @throws TypeError if `clock` is not a Clock or `fn` is not a function.
 */
export async function withClock<T>(clock: Clock, fn: () => T | PromiseLike<T>): Promise<T> {
  expectClock(clock);
  expectFunction('fn', fn);
  const installed = installClock(clock);
  try {
    return await fn();
  } finally {
    installed.restore();
  }
}

// Installed clocks, oldest first. The default is the newest one still
// installed, so handles may be restored in any order.
const installed: Clock[] = [];
let base: Clock | undefined;

/**
 * Make `clock` the default clock until the returned handle is disposed
 * (`using`), or its `restore()` is called. Handy in `beforeEach`/`afterEach`.
 *
 * @example Install a virtual clock for one block
 * ```ts
 * import { sleep } from 'baton';
 * import { VirtualClock, installClock } from 'baton/testing';
 *
 * const clock = new VirtualClock();
 * {
 *   using _installed = installClock(clock);
 *   await sleep(5_000);
 * }
 * console.log(clock.now()); // 5000
 * ```
 * @throws TypeError if `clock` is not a Clock.
 */
export function installClock(clock: Clock): InstalledClock {
  expectClock(clock);
  if (installed.length === 0) base = getDefaultClock();
  const entry = { clock };
  installed.push(clock);
  swapDefaultClock(clock);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    installed.splice(installed.lastIndexOf(entry.clock), 1);
    swapDefaultClock(installed.at(-1) ?? (base as Clock));
  };
  return { clock, restore, [Symbol.dispose]: restore };
}

/**
 * The handle {@link installClock} returns.
 *
 * @example Restore by hand
 * ```ts
 * import { VirtualClock, installClock, type InstalledClock } from 'baton/testing';
 *
 * const installed: InstalledClock = installClock(new VirtualClock());
 * installed.restore();
 * ```
 */
export interface InstalledClock extends Disposable {
  /** The installed clock. */
  readonly clock: Clock;
  /** Put the previous default clock back. Idempotent. */
  restore(): void;
}
