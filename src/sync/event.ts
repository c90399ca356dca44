/**
 * The event: a flag that tasks can wait for.
 *
 * @packageDocumentation
 */

import { waitSignal } from '../core/validate.js';
import { WaiterList } from '../core/waiters.js';

/**
 * Options of {@link Event.wait}.
 *
 * @example Stop waiting for an event on shutdown
 * ```ts
 * import { Event, type EventWaitOptions } from 'baton';
 *
 * const ready = new Event();
 * const shutdown = new AbortController();
 * const options: EventWaitOptions = { signal: shutdown.signal };
 * const waiting = ready.wait(options);
 * shutdown.abort();
 * await waiting.catch(() => console.log('stopped waiting'));
 * ```
 */
export interface EventWaitOptions {
  /** Stop waiting when it aborts: rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/**
 * A flag that starts cleared; `wait()` resolves once it is set. asyncio's
 * `Event`. Setting it wakes every waiter, in the order they started waiting;
 * while it is set, `wait()` resolves at once. `clear()` makes later waits
 * wait again.
 *
 * @example Wait until the service is ready
 * ```ts
 * import { Event } from 'baton';
 *
 * const ready = new Event();
 * const worker = (async () => {
 *   await ready.wait();
 *   console.log('ready, starting');
 * })();
 * ready.set();
 * await worker;
 * ```
 */
export class Event {
  #set = false;
  readonly #waiters = new WaiterList<void>();

  /** Whether the flag is set. */
  get isSet(): boolean {
    return this.#set;
  }

  /** How many callers are waiting. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Set the flag and wake every waiter. */
  set(): void {
    if (this.#set) return;
    this.#set = true;
    const waiters = this.#waiters;
    while (waiters.head !== undefined) waiters.wakeHead(undefined);
  }

  /** Clear the flag. */
  clear(): void {
    this.#set = false;
  }

  /**
   * Resolve once the flag is set (at once if it is). With an already-aborted
   * signal, rejects at once; if the signal aborts while waiting, rejects
   * with its reason.
   */
  wait(options?: EventWaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = waitSignal(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#set) return Promise.resolve();
    return this.#waiters.wait(undefined, signal);
  }
}
