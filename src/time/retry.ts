/**
 * Retrying failed work with backoff.
 *
 * @packageDocumentation
 */

import { clockOf, type Clock } from '../core/clock.js';
import { CancelledError } from '../core/errors.js';
import { CancelScope, type TaskContext } from '../core/scope.js';
import { describe, expectDuration, expectFunction, expectInteger, expectOptions, expectSignal } from '../core/validate.js';
import { sleep } from './sleep.js';

/**
 * What a retried function receives.
 *
 * @example Say which attempt is running
 * ```ts
 * import { retry, type RetryContext } from 'baton';
 *
 * async function loadConfig(ctx: RetryContext): Promise<unknown> {
 *   if (ctx.attempt > 1) console.log(`attempt ${ctx.attempt}`);
 *   const res = await fetch('https://config.example.com/app.json', { signal: ctx.signal });
 *   if (!res.ok) throw new Error(`HTTP ${res.status}`);
 *   return res.json();
 * }
 * const config = await retry(loadConfig, { retries: 2 });
 * ```
 */
export interface RetryContext extends TaskContext {
  /** The attempt number, from 1. */
  readonly attempt: number;
}

/**
 * Options of {@link retry}.
 *
 * @example Five retries, 200 ms doubling up to 5 s, logged, and stoppable
 * ```ts
 * import { retry, type RetryOptions } from 'baton';
 *
 * const stop = new AbortController(); // abort it on shutdown: the wait ends at once
 * const options: RetryOptions = {
 *   retries: 5,
 *   minDelay: 200,
 *   maxDelay: 5_000,
 *   factor: 2,
 *   jitter: 'full',
 *   retryIf: (err) => !(err instanceof SyntaxError), // a malformed body will not get better
 *   onRetry: (err, attempt, delay) => console.warn(`attempt ${attempt} failed (${String(err)}); next in ${delay} ms`),
 *   signal: stop.signal,
 * };
 * const health = await retry(async (ctx) => {
 *   const res = await fetch('https://api.example.com/health', { signal: ctx.signal });
 *   if (!res.ok) throw new Error(`HTTP ${res.status}`);
 *   return res.json() as Promise<{ ok: boolean }>;
 * }, options);
 * ```
 */
export interface RetryOptions {
  /** How many times to retry after the first attempt: an integer >= 0 or Infinity. Default 3. */
  retries?: number | undefined;
  /** The base delay before the first retry, in ms. Default 100. */
  minDelay?: number | undefined;
  /** The longest delay between attempts, in ms (a server's `retryAfter` hint may exceed it). Default 30,000. */
  maxDelay?: number | undefined;
  /** How much the delay grows per retry: delay n = min(maxDelay, minDelay * factor^(n-1)). Default 2. */
  factor?: number | undefined;
  /**
   * `'full'` (default): wait a random time between 0 and the computed delay
   * ("full jitter"), which spreads retries of many clients apart.
   * `'none'`: wait exactly the computed delay.
   */
  jitter?: 'full' | 'none' | undefined;
  /**
   * Whether an error is worth retrying (default: every real failure). Never
   * consulted for a cancellation.
   */
  retryIf?: ((error: unknown, attempt: number) => boolean | PromiseLike<boolean>) | undefined;
  /** Called before each wait, with the error, the attempt that failed and the delay about to be waited. */
  onRetry?: ((error: unknown, attempt: number, delay: number) => void) | undefined;
  /** Cancels the attempt in flight and any wait; retry then rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** The clock the waits run on. Defaults to the default clock. */
  clock?: Clock | undefined;
  /** The random source for jitter, returning [0, 1). Default `Math.random`. */
  random?: (() => number) | undefined;
}

/**
 * Whether an error asks not to be retried: the retry's own signal aborted,
 * or an explicit cancellation (`CancelledError`, `AbortError`). A deadline
 * inside an attempt (`TimeoutError` while the retry's own signal is intact)
 * is that attempt's failure, and is retried: per-attempt timeouts are the
 * most common reason to retry.
 */
function isStop(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  if (error instanceof CancelledError) return true;
  const { name, code } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'BATON_CANCELLED';
}

function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const hint = (error as { retryAfter?: unknown }).retryAfter;
  return typeof hint === 'number' && hint >= 0 && Number.isFinite(hint) ? hint : undefined;
}

function recordAttempts(error: unknown, attempts: number): void {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, 'attempts', { value: attempts, configurable: true, writable: true, enumerable: false });
  }
}

class Attempt extends CancelScope implements RetryContext {
  constructor(
    parent: AbortSignal | undefined,
    readonly attempt: number,
  ) {
    super(parent);
  }
}

/**
 * Run `fn` until it succeeds, retrying failures with exponential backoff.
 *
 * - `fn(ctx)` gets `ctx.attempt` (from 1) and `ctx.signal`.
 * - Between attempts it waits `min(maxDelay, minDelay * factor^(n-1))` ms,
 *   with full jitter by default. If the error carries a `retryAfter` hint in
 *   ms (as an HTTP 429/503 `Retry-After` would give), that wait is used
 *   instead.
 * - It never retries a cancellation: when `signal` aborts, the attempt in
 *   flight is cancelled, a wait stops at once, and `retry` rejects with
 *   `signal.reason`. An explicit cancellation thrown by `fn`
 *   (`CancelledError`, `AbortError`) is not retried either. A
 *   `TimeoutError` from a deadline *inside* an attempt is that attempt's
 *   failure and is retried.
 * - `retryIf(error, attempt)` can refuse a retry (a 400 is not worth
 *   another try).
 * - When it gives up it rejects with the **last** error, unchanged, with
 *   the number of attempts made recorded on it as `error.attempts` (when the
 *   error is an extensible object).
 *
 * @example Retry a flaky request, honouring the server's Retry-After
 * ```ts
 * import { retry } from 'baton';
 *
 * class HttpError extends Error {
 *   constructor(readonly status: number, readonly retryAfter?: number) {
 *     super(`HTTP ${status}`);
 *   }
 * }
 * const body = await retry(
 *   async (ctx) => {
 *     const res = await fetch('https://api.example.com/data', { signal: ctx.signal });
 *     if (res.status === 429) throw new HttpError(429, Number(res.headers.get('retry-after') ?? 1) * 1_000);
 *     if (!res.ok) throw new HttpError(res.status);
 *     return res.json();
 *   },
 *   { retries: 5, retryIf: (err) => !(err instanceof HttpError) || err.status === 429 || err.status >= 500 },
 * );
 * ```
 * @throws TypeError / RangeError (as a rejection) for a bad option.
 */
export async function retry<T>(fn: (ctx: RetryContext) => T | PromiseLike<T>, options?: RetryOptions): Promise<T> {
  expectFunction('fn', fn);
  expectOptions('options', options);
  const retries = options?.retries ?? 3;
  expectInteger('retries', retries, 0, true);
  const minDelay = options?.minDelay ?? 100;
  expectDuration('minDelay', minDelay, false);
  const maxDelay = options?.maxDelay ?? 30_000;
  expectDuration('maxDelay', maxDelay, true);
  if (maxDelay < minDelay) {
    throw new RangeError(`Expected maxDelay to be at least minDelay (${minDelay}), got ${describe(maxDelay)}`);
  }
  const factor = options?.factor ?? 2;
  if (typeof factor !== 'number') throw new TypeError(`Expected factor to be a finite number >= 1, got ${describe(factor)}`);
  if (!(factor >= 1) || factor === Infinity) {
    throw new RangeError(`Expected factor to be a finite number >= 1, got ${describe(factor)}`);
  }
  const jitter = options?.jitter ?? 'full';
  if (jitter !== 'full' && jitter !== 'none') {
    throw new TypeError(`Expected jitter to be 'full' or 'none', got ${describe(jitter)}`);
  }
  const retryIf = options?.retryIf;
  if (retryIf !== undefined) expectFunction('retryIf', retryIf);
  const onRetry = options?.onRetry;
  if (onRetry !== undefined) expectFunction('onRetry', onRetry);
  const random = options?.random ?? Math.random;
  expectFunction('random', random);
  const signal = options?.signal;
  expectSignal('options.signal', signal);
  const clock = clockOf(options?.clock);
  if (signal?.aborted) throw signal.reason;

  for (let attempt = 1; ; attempt++) {
    const ctx = new Attempt(signal, attempt);
    try {
      return await fn(ctx);
    } catch (error) {
      if (ctx.isCancellationOf(error) && signal?.aborted) throw signal.reason;
      if (attempt > retries || isStop(error, signal) || (retryIf !== undefined && !(await retryIf(error, attempt)))) {
        recordAttempts(error, attempt);
        throw error;
      }
      const hint = retryAfterOf(error);
      const base = Math.min(maxDelay, minDelay * factor ** (attempt - 1));
      const delay = hint ?? (jitter === 'full' ? Math.floor(random() * base) : base);
      onRetry?.(error, attempt, delay);
      ctx.close(); // the attempt is over: drop its listener before waiting
      await sleep(delay, { signal, clock });
    } finally {
      ctx.close();
    }
  }
}
