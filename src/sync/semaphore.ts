/**
 * The counting semaphore.
 *
 * @packageDocumentation
 */

import type { AcquireOptions, Limiter, Permit } from '../core/limiter.js';
import { CancelScope } from '../core/scope.js';
import type { TaskFunction } from '../core/task.js';
import { describe, expectFunction, expectInteger, waitSignal } from '../core/validate.js';
import { WaiterList, type Waiter } from '../core/waiters.js';

class SemaphorePermit implements Permit {
  #semaphore: Semaphore | undefined;
  constructor(
    semaphore: Semaphore,
    readonly weight: number,
  ) {
    this.#semaphore = semaphore;
  }

  release(): void {
    const semaphore = this.#semaphore;
    if (semaphore === undefined) return;
    this.#semaphore = undefined;
    giveBack(semaphore, this.weight);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

let giveBack: (semaphore: Semaphore, weight: number) => void;

function tooHeavy(weight: number, permits: number): RangeError {
  return new RangeError(`Expected weight to be at most the semaphore's permits (${permits}), got ${describe(weight)}`);
}

/**
 * Options of {@link Semaphore.run}.
 *
 * @example A heavy job takes three of four permits, and can be cancelled
 * ```ts
 * import { Semaphore, sleep, type SemaphoreRunOptions } from 'baton';
 *
 * const cpu = new Semaphore(4);
 * const controller = new AbortController(); // controller.abort() stops the wait, or the job
 * const options: SemaphoreRunOptions = { weight: 3, signal: controller.signal };
 * const result = await cpu.run(async (ctx) => {
 *   console.log(cpu.available); // 1
 *   await sleep(10, { signal: ctx.signal }); // ctx.signal aborts with options.signal
 *   return 'encoded';
 * }, options);
 * console.log(result, cpu.available); // 'encoded' 4
 * ```
 */
export interface SemaphoreRunOptions {
  /** Stop waiting for a permit when it aborts; also `fn`'s `ctx.signal`. */
  signal?: AbortSignal | undefined;
  /** How many permits the call takes (default 1). */
  weight?: number | undefined;
}

/**
 * A counting semaphore: at most `permits` units held at once.
 *
 * - `acquire({ signal, weight })` resolves to a {@link Permit}; its
 *   `release()` is idempotent and `using` releases it.
 * - **Fair**: waiters are served strictly in arrival order. A heavy request at
 *   the head of the line is never overtaken by lighter ones behind it, and
 *   `tryAcquire` never barges past waiters.
 * - **Cancellable**: a waiter whose signal aborts leaves the line at once,
 *   takes nothing and rejects with `signal.reason`; under any interleaving of
 *   acquire, release and cancel, every permit comes back.
 * - `permits` can be changed at run time: raising it serves waiters at once;
 *   lowering it takes effect as holders release, and a waiter heavier than
 *   the new total fails with a `RangeError` instead of blocking the line.
 * - A `weight` above `permits` could never be served, so it fails at once
 *   with a `RangeError` (and every acquire fails on a `Semaphore(0)` until
 *   `permits` is raised).
 *
 * Built on baton's one abort-aware FIFO waiter list, like every other waiting
 * primitive in baton. Implements {@link Limiter}, so `map`, `gather`,
 * `mapIter` and `asCompleted` accept it as `limiter`.
 *
 * @example Keep at most 10 files open
 * ```ts
 * import { Semaphore } from 'baton';
 * import { readFile } from 'node:fs/promises';
 *
 * const files = new Semaphore(10);
 * const paths = ['a.txt', 'b.txt'];
 * const contents = await Promise.all(
 *   paths.map((path) => files.run((ctx) => readFile(path, { encoding: 'utf8', signal: ctx.signal }))),
 * );
 * ```
 * @example Weighted permits
 * ```ts
 * import { Semaphore } from 'baton';
 *
 * const memory = new Semaphore(1024); // MiB
 * {
 *   using _big = await memory.acquire({ weight: 512 });
 *   console.log(memory.available); // 512
 * }
 * ```
 */
export class Semaphore implements Limiter {
  #permits: number;
  #available: number;
  readonly #waiters: WaiterList<Permit, number>;

  static {
    giveBack = (semaphore, weight) => {
      semaphore.#available += weight;
      semaphore.#dispatch();
    };
  }

  /**
   * @param permits how many units may be held at once: an integer >= 0.
   * @throws TypeError / RangeError if `permits` is not an integer >= 0.
   */
  constructor(permits: number) {
    expectInteger('permits', permits, 0, false);
    this.#permits = permits;
    this.#available = permits;
    this.#waiters = new WaiterList<Permit, number>(() => this.#dispatch());
  }

  /** The total number of permits. Settable: raising it serves waiters at once. */
  get permits(): number {
    return this.#permits;
  }

  set permits(value: number) {
    expectInteger('permits', value, 0, false);
    this.#available += value - this.#permits;
    this.#permits = value;
    // A waiter heavier than the new total could never be served: it fails
    // now rather than blocking the line forever.
    const waiters = this.#waiters;
    for (let waiter = waiters.head; waiter !== undefined; ) {
      const next = waiter.next;
      if (waiter.data > value) waiters.reject(waiter, tooHeavy(waiter.data, value));
      waiter = next;
    }
    this.#dispatch();
  }

  /** Units free right now (negative after `permits` was lowered below what is held). */
  get available(): number {
    return this.#available;
  }

  /** How many callers are waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Whether nothing is held and nobody waits. */
  get idle(): boolean {
    return this.#available === this.#permits && this.#waiters.length === 0;
  }

  /**
   * Wait for `weight` units (default 1) and resolve to a permit holding them.
   * With an already-aborted signal, rejects at once with its reason.
   *
   * @throws TypeError / RangeError (as a rejection) if `weight` is not an
   *   integer between 1 and `permits`.
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
    } else if (this.#permits === 0) {
      return Promise.reject(tooHeavy(1, 0));
    }
    if (this.#waiters.length === 0 && this.#available >= weight) {
      this.#available -= weight;
      return Promise.resolve(new SemaphorePermit(this, weight));
    }
    return this.#waiters.wait(weight, signal);
  }

  /**
   * Take `weight` units (default 1) only if they are free now and nobody is
   * waiting (no barging past the line).
   *
   * @returns the permit, or `undefined`.
   */
  tryAcquire(weight?: number): Permit | undefined {
    const w = this.#weightOf(weight);
    if (this.#waiters.length === 0 && this.#available >= w) {
      this.#available -= w;
      return new SemaphorePermit(this, w);
    }
    return undefined;
  }

  /**
   * Acquire, run `fn`, release (whatever `fn`'s outcome), and return `fn`'s
   * result. `fn`'s `ctx.signal` aborts with `signal`.
   */
  async run<T>(fn: TaskFunction<T>, options?: SemaphoreRunOptions): Promise<T> {
    expectFunction('fn', fn);
    const permit = await this.acquire(options);
    const scope = new CancelScope(options?.signal);
    try {
      return await fn(scope);
    } finally {
      scope.close();
      permit.release();
    }
  }

  #weightOf(weight: unknown): number {
    const w = weight ?? 1;
    expectInteger('weight', w, 1, false);
    if (w > this.#permits) throw tooHeavy(w, this.#permits);
    return w;
  }

  // Serve waiters from the head while the head's weight fits. Stopping at the
  // first head that does not fit is what keeps a heavy request from being
  // starved by light ones behind it.
  #dispatch(): void {
    const waiters = this.#waiters;
    for (let head: Waiter<Permit, number> | undefined = waiters.head; head !== undefined; head = waiters.head) {
      const weight = head.data;
      if (weight > this.#available) return;
      this.#available -= weight;
      waiters.wakeHead(new SemaphorePermit(this, weight));
    }
  }
}
