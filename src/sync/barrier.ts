/**
 * The barrier: parties wait for each other.
 *
 * @packageDocumentation
 */

import { BrokenBarrierError } from '../core/errors.js';
import { expectInteger, waitSignal } from '../core/validate.js';
import { WaiterList, type Waiter } from '../core/waiters.js';

/**
 * Options of {@link Barrier.wait}.
 *
 * @example Give up waiting for the other parties after a while
 * ```ts
 * import { Barrier, type BarrierWaitOptions } from 'baton';
 *
 * const barrier = new Barrier(2);
 * const options: BarrierWaitOptions = { signal: AbortSignal.timeout(1_000) };
 * await barrier.wait(options).catch((err: unknown) => console.log((err as Error).name)); // 'TimeoutError'
 * ```
 */
export interface BarrierWaitOptions {
  /** Stop waiting when it aborts: this party rejects with `signal.reason` and the barrier breaks for the others. */
  signal?: AbortSignal | undefined;
}

/**
 * A barrier for `parties` tasks: each `wait()` blocks until `parties` have
 * arrived, then all are released together and each receives its arrival
 * index (0 for the first). asyncio's `Barrier`. The barrier is cyclic: once
 * released, it is ready for the next round.
 *
 * Breaking: `abort()`, or a waiting party whose signal aborts, breaks the
 * barrier: every party waiting rejects with a {@link BrokenBarrierError}
 * (the cancelled one with its own `signal.reason`), and so does every later
 * `wait()` until `reset()`. `reset()` rejects current waiters with
 * `BrokenBarrierError` and makes the barrier usable again.
 *
 * @example Start three workers' second phase together
 * ```ts
 * import { Barrier } from 'baton';
 *
 * const barrier = new Barrier(3);
 * const worker = async (name: string): Promise<void> => {
 *   // ... phase one ...
 *   const index = await barrier.wait();
 *   console.log(name, 'arrived', index);
 *   // ... phase two, all together ...
 * };
 * await Promise.all([worker('a'), worker('b'), worker('c')]);
 * ```
 */
export class Barrier {
  readonly #parties: number;
  #arrived = 0;
  #broken = false;
  readonly #waiters: WaiterList<number, number>;

  /** @throws TypeError / RangeError if `parties` is not an integer >= 1. */
  constructor(parties: number) {
    expectInteger('parties', parties, 1, false);
    this.#parties = parties;
    this.#waiters = new WaiterList<number, number>((waiter) => this.#leave(waiter));
  }

  /** How many parties must arrive. */
  get parties(): number {
    return this.#parties;
  }

  /** How many parties are waiting now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Arrive and wait for the others. Resolves with this party's arrival index
   * once `parties` have arrived.
   *
   * @throws BrokenBarrierError (as a rejection) if the barrier is or becomes broken.
   */
  wait(options?: BarrierWaitOptions): Promise<number> {
    let signal: AbortSignal | undefined;
    try {
      signal = waitSignal(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#broken) return Promise.reject(new BrokenBarrierError());
    const index = this.#arrived++;
    if (this.#arrived < this.#parties) return this.#waiters.wait(index, signal);
    // The last party: release everyone with their own index; a new round begins.
    this.#arrived = 0;
    const waiters = this.#waiters;
    while (waiters.head !== undefined) waiters.wakeHead(waiters.head.data);
    return Promise.resolve(index);
  }

  /** Break the barrier: everyone waiting, and every later `wait()`, rejects with `BrokenBarrierError`. */
  abort(): void {
    this.#broken = true;
    this.#arrived = 0;
    this.#waiters.rejectAll(new BrokenBarrierError());
  }

  /** Reject whoever waits with `BrokenBarrierError`, then make the barrier whole and empty again. */
  reset(): void {
    this.#waiters.rejectAll(new BrokenBarrierError('The barrier was reset'));
    this.#arrived = 0;
    this.#broken = false;
  }

  #leave(_waiter: Waiter<number, number>): void {
    // A party gave up: the others can never all arrive.
    this.abort();
  }
}
