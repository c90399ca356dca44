/**
 * The limiter interface: anything that hands out permits limits work.
 *
 * @packageDocumentation
 */

/**
 * A grant from a {@link Limiter}. Give it back with `release()` (idempotent:
 * a second call does nothing) or let `using` do it.
 *
 * @example Release with `using`
 * ```ts
 * import { Semaphore } from 'baton';
 *
 * const semaphore = new Semaphore(2);
 * {
 *   using _permit = await semaphore.acquire();
 *   // at most two callers are here at once
 * } // released here, even if the block throws
 * ```
 */
export interface Permit extends Disposable {
  /** Give the permit back. Calling it again does nothing. */
  release(): void;
}

/**
 * Options of {@link Limiter.acquire}.
 *
 * @example Give up on a permit after 100 ms
 * ```ts
 * import { Semaphore, TimeoutError, timeout, type AcquireOptions } from 'baton';
 *
 * const pool = new Semaphore(1);
 * const held = await pool.acquire(); // someone else holds the only permit
 * try {
 *   await timeout(100, async (ctx) => {
 *     const options: AcquireOptions = { signal: ctx.signal, weight: 1 };
 *     using _permit = await pool.acquire(options);
 *     // ... use the resource; released when the block ends
 *   });
 * } catch (err) {
 *   console.log(err instanceof TimeoutError, pool.waiting); // true 0: it left the line, took nothing
 * }
 * held.release();
 * console.log(pool.available); // 1
 * ```
 */
export interface AcquireOptions {
  /** Stop waiting when it aborts: the promise rejects with `signal.reason` and nothing is taken. */
  signal?: AbortSignal | undefined;
  /** How many units to take at once (default 1). */
  weight?: number | undefined;
}

/**
 * Anything that limits work: `acquire()` waits until the work may start and
 * resolves to a {@link Permit} to release when it is done. `Semaphore`
 * implements it; `map`, `mapIter`, `gather` and `asCompleted` accept one (or
 * several) as `limiter`, beside the plain `concurrency` number, so an
 * in-process limit can be swapped for another kind without touching the rest
 * of the code.
 *
 * A limiter must be FIFO and must honour `signal`: a waiter whose signal
 * aborts leaves the line, takes nothing, and rejects with `signal.reason`.
 *
 * @example Share one limit between two maps
 * ```ts
 * import { Semaphore, map } from 'baton';
 *
 * const sockets = new Semaphore(10); // at most 10 requests at once, across both calls
 * const [pages, images] = await Promise.all([
 *   map(['/a', '/b'], (path, ctx) => fetch(`https://example.com${path}`, { signal: ctx.signal }), { limiter: sockets }),
 *   map(['/x.png'], (path, ctx) => fetch(`https://example.com${path}`, { signal: ctx.signal }), { limiter: sockets }),
 * ]);
 * ```
 */
export interface Limiter {
  /**
   * Whether the limiter holds no state worth keeping: nothing held, nobody
   * waiting, no recent starts to remember. Optional; `keyed()` drops idle
   * per-key limiters to keep memory proportional to the active keys.
   */
  readonly idle?: boolean;
  /**
   * True when a permit is spent the moment it is granted and never given
   * back (a rate limit). Optional. Where several limiters guard one piece of
   * work, baton asks spending limiters last, so a start is not spent while
   * the work still waits for another limiter.
   */
  readonly spends?: boolean;
  /** Wait for a permit. Rejects with `signal.reason` if the signal aborts first. */
  acquire(options?: AcquireOptions): Promise<Permit>;
  /** Take a permit only if one is free now and nobody is waiting. Optional: limiters that can answer at once provide it. */
  tryAcquire?(weight?: number): Permit | undefined;
}

/**
 * A limiter whose permit depends on the item being processed, such as a
 * per-host limit (see `keyed`). `map`, `mapIter`, `gather` and `asCompleted`
 * accept one as `limiter` and ask it with the item once the item is taken;
 * other limiters are asked before.
 *
 * @example A limiter that lets even and odd numbers through separately
 * ```ts
 * import { Semaphore, map, type ItemLimiter } from 'baton';
 *
 * const even = new Semaphore(1);
 * const odd = new Semaphore(1);
 * const byParity: ItemLimiter<number> = {
 *   acquireItem: (n, options) => (n % 2 === 0 ? even : odd).acquire(options),
 * };
 * await map([1, 2, 3, 4], async (n) => n, { limiter: byParity as ItemLimiter });
 * ```
 */
export interface ItemLimiter<I = unknown> {
  /** Wait for a permit for `item`. Rejects with `signal.reason` if the signal aborts first. */
  acquireItem(item: I, options?: AcquireOptions): Promise<Permit>;
}

/**
 * @internal Order limiters for acquisition: those whose permits can be given
 * back first, spending ones (rate limits) last, keeping the given order
 * otherwise.
 */
export function spendingLast<L extends Partial<Pick<Limiter, 'spends'>>>(limiters: readonly L[]): readonly L[] {
  if (!limiters.some((l) => l.spends === true)) return limiters;
  return [...limiters.filter((l) => l.spends !== true), ...limiters.filter((l) => l.spends === true)];
}
