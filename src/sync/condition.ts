/**
 * The condition variable.
 *
 * @packageDocumentation
 */

import { describe, expectFunction, expectInteger, expectOptions, expectSignal } from '../core/validate.js';
import { WaiterList } from '../core/waiters.js';
import type { TaskFunction } from '../core/task.js';
import { Lock, heldHandle, notHeld, relock, type LockHandle, type LockOptions } from './lock.js';

/**
 * A condition variable over a {@link Lock} (its own by default): asyncio's
 * `Condition`. Hold the lock, check your predicate, and `wait()` until
 * another holder `notify()`s.
 *
 * - `wait()` releases the lock, waits for a notification, and re-acquires
 *   the lock before it returns, **also when it is cancelled** (the
 *   cancellation is thrown after the lock is back), so code after it always
 *   holds the lock.
 * - Waiters are woken in FIFO order; `notify(n)` wakes up to n.
 * - Calling `wait`, `waitFor` or `notify` without the lock held throws an
 *   `InvalidStateError`.
 *
 * @example A bounded buffer
 * ```ts
 * import { Condition } from 'baton';
 *
 * const items: number[] = [];
 * const changed = new Condition();
 * async function take(): Promise<number> {
 *   return changed.run(async () => {
 *     await changed.waitFor(() => items.length > 0);
 *     return items.shift() as number;
 *   });
 * }
 * const taken = take();
 * await changed.run(() => {
 *   items.push(42);
 *   changed.notify();
 * });
 * console.log(await taken); // 42
 * ```
 */
export class Condition {
  readonly #lock: Lock;
  readonly #waiters = new WaiterList<void>();

  /** @param lock the lock to use (shared with other code), or a new one. */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError(`Expected lock to be a Lock, got ${describe(lock)}`);
    }
    this.#lock = lock ?? new Lock();
  }

  /** The condition's lock. */
  get lock(): Lock {
    return this.#lock;
  }

  /** Whether the lock is held. */
  get locked(): boolean {
    return this.#lock.locked;
  }

  /** How many callers wait for a notification. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Acquire the lock (see {@link Lock.acquire}). */
  acquire(options?: LockOptions): Promise<LockHandle> {
    return this.#lock.acquire(options);
  }

  /** Run `fn` holding the lock (see {@link Lock.run}). */
  run<T>(fn: TaskFunction<T>, options?: LockOptions): Promise<T> {
    return this.#lock.run(fn, options);
  }

  /**
   * Release the lock, wait until notified, re-acquire the lock. If `signal`
   * aborts while waiting, the lock is re-acquired first, then the call
   * rejects with `signal.reason`.
   *
   * @throws InvalidStateError (as a rejection) if the lock is not held.
   */
  async wait(options?: LockOptions): Promise<void> {
    expectOptions('options', options);
    const signal = options?.signal;
    expectSignal('options.signal', signal);
    const handle = heldHandle(this.#lock);
    if (handle === undefined) throw notHeld('Condition.wait()');
    if (signal?.aborted) throw signal.reason;
    handle.release();
    let cancelled = false;
    let reason: unknown;
    try {
      await this.#waiters.wait(undefined, signal);
    } catch (err) {
      cancelled = true;
      reason = err;
    }
    await relock(this.#lock, handle);
    if (cancelled) throw reason;
  }

  /**
   * Wait until `predicate()` is truthy, checking it first and after each
   * notification, and return its value. Holds the lock when it returns.
   *
   * @throws InvalidStateError (as a rejection) if the lock is not held.
   */
  async waitFor<R>(predicate: () => R, options?: LockOptions): Promise<R> {
    expectFunction('predicate', predicate);
    let result = predicate();
    while (!result) {
      await this.wait(options);
      result = predicate();
    }
    return result;
  }

  /**
   * Wake up to `n` waiters (default 1), in FIFO order.
   *
   * @throws InvalidStateError if the lock is not held.
   */
  notify(n = 1): void {
    expectInteger('n', n, 0, true);
    if (heldHandle(this.#lock) === undefined) throw notHeld('Condition.notify()');
    const waiters = this.#waiters;
    for (let i = 0; i < n && waiters.head !== undefined; i++) waiters.wakeHead(undefined);
  }

  /**
   * Wake every waiter.
   *
   * @throws InvalidStateError if the lock is not held.
   */
  notifyAll(): void {
    this.notify(Infinity);
  }
}
