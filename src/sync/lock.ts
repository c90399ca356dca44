/**
 * The mutual-exclusion lock.
 *
 * @packageDocumentation
 */

import { InvalidStateError } from '../core/errors.js';
import type { AcquireOptions, Limiter, Permit } from '../core/limiter.js';
import { CancelScope } from '../core/scope.js';
import type { TaskFunction } from '../core/task.js';
import { describe, expectFunction, waitSignal } from '../core/validate.js';
import { WaiterList } from '../core/waiters.js';

let regain: (handle: LockHandle) => void;
let unlock: (lock: Lock) => void;
/** @internal The handle holding `lock`, if it is held. */
export let heldHandle: (lock: Lock) => LockHandle | undefined;
/** @internal Re-acquire `lock` for an existing handle (uncancellable, FIFO). */
export let relock: (lock: Lock, handle: LockHandle) => Promise<LockHandle>;

/**
 * Proof of holding a {@link Lock}. `release()` is idempotent; `using`
 * releases it at the end of the block.
 *
 * @example Hold a lock for a block
 * ```ts
 * import { Lock, type LockHandle } from 'baton';
 *
 * const lock = new Lock();
 * {
 *   using handle: LockHandle = await lock.acquire();
 *   console.log(lock.locked, handle.held); // true true
 * }
 * console.log(lock.locked); // false
 * ```
 */
export class LockHandle implements Permit {
  #lock: Lock;
  #held = true;

  /** @internal */
  constructor(lock: Lock) {
    this.#lock = lock;
  }

  /** Whether this handle still holds the lock. */
  get held(): boolean {
    return this.#held;
  }

  /** Release the lock (to the next waiter, if any). Calling it again does nothing. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    unlock(this.#lock);
  }

  [Symbol.dispose](): void {
    this.release();
  }

  static {
    regain = (handle) => {
      handle.#held = true;
    };
  }
}


/**
 * Options of {@link Lock.acquire} and {@link Lock.run}.
 *
 * @example Wait for a lock at most one second
 * ```ts
 * import { Lock, type LockOptions } from 'baton';
 *
 * const lock = new Lock();
 * const options: LockOptions = { signal: AbortSignal.timeout(1_000) };
 * await lock.run(() => console.log('have the lock'), options);
 * ```
 */
export interface LockOptions {
  /** Stop waiting when it aborts: rejects with `signal.reason`, and the lock is not taken. */
  signal?: AbortSignal | undefined;
}

/**
 * A mutual-exclusion lock: one holder at a time, asyncio's `Lock`.
 *
 * - **FIFO hand-off**: when the holder releases, the lock passes straight to
 *   the first waiter; nobody arriving meanwhile can barge in, so no waiter
 *   is starved.
 * - **Cancellable**: a waiter whose signal aborts leaves the line at once and
 *   rejects with `signal.reason`, without taking the lock.
 * - Not re-entrant, and not tied to a task (JavaScript has no task
 *   identity): a second `acquire()` from the same code waits like any other.
 * - Implements {@link Limiter} (weight 1), so it can serialise `map` or
 *   `gather` work too.
 *
 * Prefer holding a lock only around the shared state it protects: holding it
 * across an `await` of unrelated work (a network call) serialises all of it.
 *
 * @example Serialise writes to one file
 * ```ts
 * import { Lock } from 'baton';
 * import { appendFile } from 'node:fs/promises';
 *
 * const fileLock = new Lock();
 * async function log(line: string): Promise<void> {
 *   await fileLock.run(() => appendFile('app.log', `${line}\n`));
 * }
 * await Promise.all([log('a'), log('b')]);
 * ```
 */
export class Lock implements Limiter {
  #locked = false;
  #holder: LockHandle | undefined = undefined;
  // A waiter's data is the handle to revive (a Condition re-acquiring for
  // its holder), or undefined for a fresh acquire.
  readonly #waiters = new WaiterList<LockHandle, LockHandle | undefined>();

  static {
    unlock = (lock) => {
      const waiters = lock.#waiters;
      if (waiters.head === undefined) {
        lock.#locked = false;
        lock.#holder = undefined;
        return;
      }
      // Hand-off: the lock stays locked and passes to the first waiter.
      const handle = waiters.head.data ?? new LockHandle(lock);
      regain(handle);
      lock.#holder = handle;
      waiters.wakeHead(handle);
    };
    heldHandle = (lock) => (lock.#locked ? lock.#holder : undefined);
    relock = (lock, handle) => {
      if (!lock.#locked && lock.#waiters.length === 0) {
        lock.#locked = true;
        lock.#holder = handle;
        regain(handle);
        return Promise.resolve(handle);
      }
      return lock.#waiters.wait(handle, undefined);
    };
  }

  /** Whether someone holds the lock. */
  get locked(): boolean {
    return this.#locked;
  }

  /** How many callers wait for the lock. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Whether the lock is free and nobody waits. */
  get idle(): boolean {
    return !this.#locked && this.#waiters.length === 0;
  }

  /**
   * Wait for the lock and resolve to a {@link LockHandle}. With an
   * already-aborted signal, rejects at once.
   *
   * @throws TypeError / RangeError (as a rejection) for a bad option; `weight`, if given, must be 1.
   */
  acquire(options?: LockOptions & Pick<AcquireOptions, 'weight'>): Promise<LockHandle> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      try {
        signal = waitSignal(options);
        if (options.weight !== undefined && options.weight !== 1) {
          throw new RangeError(`Expected weight to be 1 for a Lock, got ${describe(options.weight)}`);
        }
      } catch (err) {
        return Promise.reject(err);
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
    }
    const handle = this.tryAcquire();
    if (handle !== undefined) return Promise.resolve(handle);
    return this.#waiters.wait(undefined, signal);
  }

  /** Take the lock only if it is free and nobody waits. @returns the handle, or `undefined`. */
  tryAcquire(): LockHandle | undefined {
    if (this.#locked || this.#waiters.length > 0) return undefined;
    this.#locked = true;
    const handle = new LockHandle(this);
    this.#holder = handle;
    return handle;
  }

  /** Acquire, run `fn`, release whatever its outcome, and return its result. */
  async run<T>(fn: TaskFunction<T>, options?: LockOptions): Promise<T> {
    expectFunction('fn', fn);
    const handle = await this.acquire(options);
    const scope = new CancelScope(options?.signal);
    try {
      return await fn(scope);
    } finally {
      scope.close();
      handle.release();
    }
  }
}


/** @internal */
export function notHeld(what: string): InvalidStateError {
  return new InvalidStateError(`${what} requires holding the lock: acquire it first (await condition.acquire(), or condition.run())`);
}
