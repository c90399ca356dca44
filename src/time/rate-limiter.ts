/**
 * Rate limiting: at most so many starts per interval.
 *
 * @packageDocumentation
 */

import { clockOf, type Clock } from '../core/clock.js';
import type { AcquireOptions, Limiter, Permit } from '../core/limiter.js';
import { CancelScope } from '../core/scope.js';
import type { TaskFunction } from '../core/task.js';
import { describe, expectFunction, expectInteger, waitSignal } from '../core/validate.js';
import { WaiterList } from '../core/waiters.js';

/**
 * Options of {@link RateLimiter}.
 *
 * @example 5 per second on average, bursts of up to 20 after a quiet spell
 * ```ts
 * import { RateLimiter, type RateLimiterOptions } from 'baton';
 *
 * const options: RateLimiterOptions = { limit: 5, interval: 1_000, burst: 20 };
 * const limiter = new RateLimiter(options);
 * console.log(limiter.available); // 20: the bucket starts full
 * ```
 */
export interface RateLimiterOptions {
  /** How many starts (units of weight) per `interval`: an integer >= 1. Required. */
  limit: number;
  /** The interval in milliseconds: a finite number > 0. Required. */
  interval: number;
  /**
   * Token bucket only: how many starts may happen at once after a quiet
   * period (the bucket's size). An integer >= 1; default `limit`.
   */
  burst?: number | undefined;
  /**
   * `true`: a sliding window, never more than `limit` starts in any window
   * of `interval` ms. `false` (default): a token bucket refilled
   * continuously at `limit / interval`, holding at most `burst` tokens.
   */
  strict?: boolean | undefined;
  /** The clock. Defaults to the default clock. */
  clock?: Clock | undefined;
}

/**
 * A snapshot of a {@link RateLimiter}.
 *
 * @example Watch a line form once the bucket is empty
 * ```ts
 * import { RateLimiter, type RateLimiterStats } from 'baton';
 *
 * const limiter = new RateLimiter({ limit: 2, interval: 1_000 });
 * await limiter.acquire();
 * await limiter.acquire();
 * const third = limiter.acquire(); // the bucket is empty: a token comes back in 500 ms
 * const stats: RateLimiterStats = limiter.stats();
 * console.log(stats); // { available: 0, waiting: 1 }
 * await third;
 * ```
 */
export interface RateLimiterStats {
  /** Starts that could happen right now without waiting. */
  readonly available: number;
  /** Callers waiting for their turn. */
  readonly waiting: number;
}

// A rate limiter's permit has nothing to give back: the start happened and
// counts against the rate whatever the work does afterwards.
const SPENT: Permit = Object.freeze({
  release(): void {},
  [Symbol.dispose](): void {},
});

function fire(limiter: RateLimiter): void {
  wake(limiter);
}

let wake: (limiter: RateLimiter) => void;

/**
 * A rate limit, as a {@link Limiter}: `acquire()` resolves when the next
 * start is allowed. Two modes:
 *
 * - **Token bucket** (default): tokens refill continuously at
 *   `limit / interval`, up to `burst` (default `limit`). Bursts up to
 *   `burst`, and over a long run exactly `limit` starts per `interval`.
 * - **Sliding window** (`strict: true`): never more than `limit` starts in
 *   any window of `interval` ms. Windows are half-open: a start at time `t`
 *   counts in `[t, t + interval)`, so with a limit of 3 per 1000 ms, three
 *   starts at 0 free the window at exactly 1000.
 *
 * Waiters are served FIFO with their `weight`; a heavy waiter at the head is
 * not overtaken. A waiter whose signal aborts leaves the line and consumes
 * nothing, so cancelled work never counts against the rate. The limiter sets
 * one timer at a time (for the head of the line), never one per waiter.
 *
 * A permit's `release()` does nothing: a start is spent once made. Combine
 * with a `Semaphore` to also bound how many run at once:
 * `map(urls, fetchOne, { limiter: [new Semaphore(4), new RateLimiter({ limit: 10, interval: 1000 })] })`.
 *
 * @example At most 10 requests per second to an API
 * ```ts
 * import { RateLimiter, map } from 'baton';
 *
 * const api = new RateLimiter({ limit: 10, interval: 1_000 });
 * const ids = [1, 2, 3];
 * const users = await map(ids, (id, ctx) => fetch(`https://api.example.com/users/${id}`, { signal: ctx.signal }), {
 *   limiter: api,
 * });
 * ```
 * @example Strict: never more than 3 in any second
 * ```ts
 * import { RateLimiter } from 'baton';
 *
 * const strict = new RateLimiter({ limit: 3, interval: 1_000, strict: true });
 * await strict.run(() => console.log('sent'));
 * ```
 */
export class RateLimiter implements Limiter {
  /** A start, once granted, is spent: asked last among several limiters. */
  readonly spends = true;
  readonly limit: number;
  readonly interval: number;
  readonly burst: number;
  readonly strict: boolean;
  readonly #clock: Clock;
  readonly #waiters: WaiterList<Permit, number>;
  #timer: unknown = undefined;

  // Token bucket state.
  #tokens: number;
  #refilledAt: number;
  // Sliding window state: the times of the last `limit` starts (one per unit
  // of weight), oldest at #head, in a ring that starts small and doubles up
  // to `limit`: memory follows the starts actually in the window, not the
  // limit (a limit of 10 million must not allocate 80 MB up front).
  #starts: Float64Array;
  #head = 0;
  #count = 0;

  static {
    wake = (limiter) => {
      limiter.#timer = undefined;
      limiter.#dispatch();
    };
  }

  /**
   * @throws TypeError / RangeError for a missing or bad option (`limit` and
   *   `interval` are both required: a half-configured limiter is an error,
   *   not silently unlimited).
   */
  constructor(options: RateLimiterOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`Expected options to be an object with limit and interval, got ${describe(options)}`);
    }
    const { limit, interval, burst, strict = false } = options;
    if (limit === undefined || interval === undefined) {
      throw new TypeError(
        `A RateLimiter needs both limit and interval (got limit ${describe(limit)}, interval ${describe(interval)})`,
      );
    }
    expectInteger('limit', limit, 1, false);
    if (typeof interval !== 'number') throw new TypeError(`Expected interval to be a number of milliseconds > 0, got ${describe(interval)}`);
    if (!(interval > 0) || interval === Infinity) {
      throw new RangeError(`Expected interval to be a finite number of milliseconds > 0, got ${describe(interval)}`);
    }
    if (typeof strict !== 'boolean') throw new TypeError(`Expected strict to be a boolean, got ${describe(strict)}`);
    if (burst !== undefined) {
      if (strict) throw new TypeError('burst applies to the token bucket only; a strict (sliding window) limiter takes limit and interval');
      expectInteger('burst', burst, 1, false);
    }
    this.limit = limit;
    this.interval = interval;
    this.strict = strict;
    this.burst = burst ?? limit;
    this.#clock = clockOf(options.clock);
    this.#tokens = this.burst;
    this.#refilledAt = this.#clock.now();
    this.#starts = new Float64Array(strict ? Math.min(limit, 64) : 0);
    this.#waiters = new WaiterList<Permit, number>(() => this.#dispatch());
  }

  /** How many starts could happen right now without waiting. */
  get available(): number {
    if (this.strict) {
      this.#expire(this.#clock.now());
      return this.limit - this.#count;
    }
    this.#refill(this.#clock.now());
    return Math.floor(this.#tokens);
  }

  /** How many callers wait. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Whether the limiter remembers nothing: nobody waits and the bucket is
   * full (or the window is empty). A fresh limiter would behave the same.
   */
  get idle(): boolean {
    if (this.#waiters.length > 0) return false;
    return this.strict ? this.available === this.limit : this.#tokensNow() >= this.burst;
  }

  #tokensNow(): number {
    this.#refill(this.#clock.now());
    return this.#tokens;
  }

  /** A snapshot: `available` and `waiting`. */
  stats(): RateLimiterStats {
    return { available: this.available, waiting: this.waiting };
  }

  /**
   * Wait for the next allowed start (of `weight` units, default 1).
   * Rejects with `signal.reason` if the signal aborts first (at once if it
   * already has), consuming nothing.
   *
   * @throws RangeError (as a rejection) if `weight` exceeds what the limiter can ever allow at once.
   */
  acquire(options?: AcquireOptions): Promise<Permit> {
    let weight = 1;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      try {
        signal = waitSignal(options);
        weight = this.#weightOf(options.weight);
      } catch (err) {
        return Promise.reject(err);
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
    }
    if (this.#waiters.length === 0 && this.#take(weight, this.#clock.now())) return Promise.resolve(SPENT);
    const waiting = this.#waiters.wait(weight, signal);
    this.#schedule();
    return waiting;
  }

  /** Start now if allowed and nobody waits. @returns a permit, or `undefined`. */
  tryAcquire(weight?: number): Permit | undefined {
    const w = this.#weightOf(weight);
    if (this.#waiters.length === 0 && this.#take(w, this.#clock.now())) return SPENT;
    return undefined;
  }

  /** Wait for the next allowed start, then run `fn` and return its result. */
  async run<T>(fn: TaskFunction<T>, options?: AcquireOptions): Promise<T> {
    expectFunction('fn', fn);
    await this.acquire(options);
    const scope = new CancelScope(options?.signal);
    try {
      return await fn(scope);
    } finally {
      scope.close();
    }
  }

  #weightOf(weight: unknown): number {
    if (weight === undefined) return 1;
    expectInteger('weight', weight, 1, false);
    const most = this.strict ? this.limit : this.burst;
    if (weight > most) {
      throw new RangeError(`Expected weight to be at most ${most} (the most this limiter allows at once), got ${describe(weight)}`);
    }
    return weight;
  }

  #refill(now: number): void {
    const elapsed = now - this.#refilledAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.limit) / this.interval);
      this.#refilledAt = now;
    }
  }

  // Drop starts that have left the window: a start at s counts in [s, s + interval).
  #expire(now: number): void {
    const starts = this.#starts;
    while (this.#count > 0 && (starts[this.#head] as number) + this.interval <= now) {
      this.#head = (this.#head + 1) % starts.length;
      this.#count--;
    }
  }

  /** Make room for `needed` starts in the window (never more than `limit`). */
  #grow(needed: number): void {
    const old = this.#starts;
    let size = Math.max(old.length, 1);
    while (size < needed) size *= 2;
    const grown = new Float64Array(Math.min(size, this.limit));
    for (let i = 0; i < this.#count; i++) grown[i] = old[(this.#head + i) % old.length] as number;
    this.#starts = grown;
    this.#head = 0;
  }

  /** Take `weight` units now if allowed. */
  #take(weight: number, now: number): boolean {
    if (this.strict) {
      this.#expire(now);
      if (this.#count + weight > this.limit) return false;
      if (this.#count + weight > this.#starts.length) this.#grow(this.#count + weight);
      const starts = this.#starts;
      for (let i = 0; i < weight; i++) {
        starts[(this.#head + this.#count) % starts.length] = now;
        this.#count++;
      }
      return true;
    }
    this.#refill(now);
    // A tiny epsilon absorbs floating-point drift in the refill arithmetic.
    if (this.#tokens + 1e-9 < weight) return false;
    this.#tokens = Math.max(0, this.#tokens - weight);
    return true;
  }

  /** When `weight` units will be allowed, as a delay from `now`. */
  #delayFor(weight: number, now: number): number {
    if (this.strict) {
      // The unit that must leave the window is the weight-th oldest beyond room.
      const mustLeave = this.#count + weight - this.limit;
      if (mustLeave <= 0) return 0; // the window has room already: serve at once
      const start = this.#starts[(this.#head + mustLeave - 1) % this.#starts.length] as number;
      return Math.max(0, start + this.interval - now);
    }
    return Math.max(0, ((weight - this.#tokens) * this.interval) / this.limit);
  }

  #dispatch(): void {
    const waiters = this.#waiters;
    const now = this.#clock.now();
    while (waiters.head !== undefined && this.#take(waiters.head.data, now)) waiters.wakeHead(SPENT);
    this.#schedule();
  }

  // One timer, for the head of the line only.
  #schedule(): void {
    const head = this.#waiters.head;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (head === undefined) return;
    const now = this.#clock.now();
    if (this.strict) this.#expire(now);
    else this.#refill(now);
    const delay = this.#delayFor(head.data, now);
    this.#timer = this.#clock.setTimeout(fire, Math.ceil(delay), this);
  }
}
