/**
 * The FIFO queue for producers and consumers.
 *
 * @packageDocumentation
 */

import { InvalidStateError, QueueShutDownError } from '../core/errors.js';
import { describe, expectOptions, expectSignal, waitSignal } from '../core/validate.js';
import { WaiterList } from '../core/waiters.js';

/**
 * Options of {@link Queue}, `LifoQueue` and (with `compare`) `PriorityQueue`.
 *
 * @example A bounded queue: producers wait when it holds 100 items
 * ```ts
 * import { Queue, type QueueOptions } from 'baton';
 *
 * const options: QueueOptions = { maxsize: 100 };
 * const queue = new Queue<string>(options);
 * console.log(queue.maxsize); // 100
 * ```
 */
export interface QueueOptions {
  /** The most items the queue holds; `put` waits while it is full. 0 or `Infinity` (the default): unbounded. */
  maxsize?: number | undefined;
}

/**
 * Options of the waiting calls of a queue (`put`, `get`, `join`).
 *
 * @example A consumer that stops on shutdown of the program
 * ```ts
 * import { Queue, type QueueWaitOptions } from 'baton';
 *
 * const queue = new Queue<string>();
 * const stop = new AbortController();
 * const options: QueueWaitOptions = { signal: stop.signal };
 * const next = queue.get(options);
 * stop.abort();
 * await next.catch(() => console.log('no item taken')); // the item, if any, stays queued
 * ```
 */
export interface QueueWaitOptions {
  /** Stop waiting when it aborts: rejects with `signal.reason`; a cancelled `put` enqueues nothing, a cancelled `get` takes nothing. */
  signal?: AbortSignal | undefined;
}

/**
 * Options of {@link Queue.shutdown}.
 *
 * @example Abandon the queued work
 * ```ts
 * import { Queue, type ShutdownOptions } from 'baton';
 *
 * const queue = new Queue<number>();
 * queue.tryPut(1);
 * const options: ShutdownOptions = { immediate: true };
 * queue.shutdown(options);
 * console.log(queue.size); // 0
 * ```
 */
export interface ShutdownOptions {
  /** `true`: drop the queued items now (they count as done for `join()`); getters fail at once. */
  immediate?: boolean | undefined;
}

// A growable ring buffer: O(1) push and shift, memory proportional to the
// items held (it never keeps a consumed prefix alive, unlike array.shift()
// patterns that copy, or index-based arrays that only grow).
class Ring<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  length = 0;

  push(item: T): void {
    const items = this.#items;
    if (this.length === items.length) {
      const bigger = new Array<T | undefined>(items.length * 2);
      for (let i = 0; i < this.length; i++) bigger[i] = items[(this.#head + i) % items.length];
      this.#items = bigger;
      this.#head = 0;
    }
    this.#items[(this.#head + this.length) % this.#items.length] = item;
    this.length++;
  }

  shift(): T {
    const items = this.#items;
    const item = items[this.#head] as T;
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) % items.length;
    this.length--;
    return item;
  }

  pop(): T {
    const items = this.#items;
    const index = (this.#head + this.length - 1) % items.length;
    const item = items[index] as T;
    items[index] = undefined;
    this.length--;
    return item;
  }
}

/**
 * An async FIFO queue between producers and consumers: asyncio's `Queue`,
 * with Python 3.13's `shutdown`.
 *
 * - `put(item)` waits while the queue is full (`maxsize`); `get()` waits
 *   while it is empty. Both take `{ signal }`: **a cancelled `get` never
 *   swallows an item** (it stays for the next getter) and **a cancelled
 *   `put` never enqueues**. Waiting getters and putters are each served in
 *   FIFO order.
 * - `tryPut` / `tryGet` never wait.
 * - `join()` resolves once every item put has been marked done with
 *   `taskDone()`.
 * - `shutdown()`: later `put`s fail with {@link QueueShutDownError}, waiting
 *   putters fail, and getters drain what is left, then fail.
 *   `shutdown({ immediate: true })` also drops the items (counting them as
 *   done, so `join()` can resolve) and fails waiting getters at once. No
 *   waiting `put` or `get` is ever left pending.
 * - `for await (const item of queue)` takes items until shutdown, then ends.
 *
 * An unbounded queue (the default) is hidden memory: give producers that can
 * outrun consumers a `maxsize`, so they wait instead.
 *
 * @example Producer and consumers
 * ```ts
 * import { Queue } from 'baton';
 *
 * const queue = new Queue<number>({ maxsize: 10 });
 * const consumers = [1, 2].map(async () => {
 *   let sum = 0;
 *   for await (const n of queue) {
 *     sum += n;
 *     queue.taskDone();
 *   }
 *   return sum;
 * });
 * for (let i = 1; i <= 100; i++) await queue.put(i);
 * await queue.join(); // every item processed
 * queue.shutdown(); // the consumers' loops end
 * const sums = await Promise.all(consumers);
 * console.log(sums.reduce((a, b) => a + b)); // 5050
 * ```
 */
export class Queue<T> implements AsyncIterable<T> {
  readonly #maxsize: number;
  #unfinished = 0;
  #shutDown = false;
  readonly #getters = new WaiterList<T>();
  // A waiting putter's data is its item: it enters the queue only when the
  // putter is woken, so a cancelled put never enqueues.
  readonly #putters = new WaiterList<void, T>();
  readonly #joiners = new WaiterList<void>();

  /** @throws TypeError / RangeError if `maxsize` is not an integer >= 0 or Infinity. */
  constructor(options?: QueueOptions) {
    expectOptions('options', options);
    const maxsize = options?.maxsize ?? 0;
    if (typeof maxsize !== 'number' || !(maxsize === Infinity || (Number.isInteger(maxsize) && maxsize >= 0))) {
      const E = typeof maxsize === 'number' ? RangeError : TypeError;
      throw new E(`Expected options.maxsize to be an integer >= 0 or Infinity, got ${describe(maxsize)}`);
    }
    this.#maxsize = maxsize === 0 ? Infinity : maxsize;
  }

  /** The capacity (`Infinity` when unbounded). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** How many items are queued. */
  get size(): number {
    return this.itemCount();
  }

  /** Whether no item is queued. */
  get empty(): boolean {
    return this.itemCount() === 0;
  }

  /** Whether the queue holds `maxsize` items. */
  get full(): boolean {
    return this.itemCount() >= this.#maxsize;
  }

  /** Items put and not yet marked done with `taskDone()`. */
  get unfinished(): number {
    return this.#unfinished;
  }

  /** Whether `shutdown()` has been called. */
  get isShutDown(): boolean {
    return this.#shutDown;
  }

  /**
   * Put `item`, waiting while the queue is full.
   *
   * @throws QueueShutDownError (as a rejection) if the queue is or gets shut down before the item is in.
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = waitSignal(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#shutDown) return Promise.reject(new QueueShutDownError());
    if (this.#accept(item)) return Promise.resolve();
    return this.#putters.wait(item, signal);
  }

  /**
   * Put `item` if there is room now.
   *
   * @returns whether the item was put.
   * @throws QueueShutDownError if the queue has been shut down.
   */
  tryPut(item: T): boolean {
    if (this.#shutDown) throw new QueueShutDownError();
    return this.#accept(item);
  }

  /**
   * Take the next item, waiting while the queue is empty.
   *
   * @throws QueueShutDownError (as a rejection) once the queue is shut down and empty.
   */
  get(options?: QueueWaitOptions): Promise<T> {
    let signal: AbortSignal | undefined;
    try {
      signal = waitSignal(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.itemCount() > 0) return Promise.resolve(this.#take());
    if (this.#shutDown) return Promise.reject(new QueueShutDownError());
    return this.#getters.wait(undefined, signal);
  }

  /**
   * Take the next item if there is one.
   *
   * @returns the item, or `undefined` if the queue is empty.
   * @throws QueueShutDownError if the queue is shut down and empty.
   */
  tryGet(): T | undefined {
    if (this.itemCount() > 0) return this.#take();
    if (this.#shutDown) throw new QueueShutDownError();
    return undefined;
  }

  /**
   * Mark one item taken with `get` as processed. When every item put has
   * been marked, `join()` resolves.
   *
   * @throws InvalidStateError if called more times than items were put.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new InvalidStateError('taskDone() called more times than there were items put');
    }
    if (--this.#unfinished === 0) this.#releaseJoiners();
  }

  /**
   * Resolve once every item put has been marked done with `taskDone()` (at
   * once if none is outstanding).
   */
  join(options?: QueueWaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = waitSignal(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#unfinished === 0) return Promise.resolve();
    return this.#joiners.wait(undefined, signal);
  }

  /**
   * Shut the queue down (Python 3.13's meaning). Later `put`s and waiting
   * putters fail with {@link QueueShutDownError}; getters take what is left,
   * then fail. With `immediate: true`, the queued items are dropped (and
   * counted as done, so `join()` resolves when nothing else is outstanding)
   * and waiting getters fail at once. Idempotent.
   */
  shutdown(options?: ShutdownOptions): void {
    expectOptions('options', options);
    const immediate = options?.immediate ?? false;
    if (typeof immediate !== 'boolean') {
      throw new TypeError(`Expected options.immediate to be a boolean, got ${describe(immediate)}`);
    }
    this.#shutDown = true;
    if (immediate) {
      let dropped = 0;
      while (this.itemCount() > 0) {
        this.takeItem();
        dropped++;
      }
      this.#unfinished = Math.max(0, this.#unfinished - dropped);
      if (this.#unfinished === 0) this.#releaseJoiners();
    }
    this.#putters.rejectAll(new QueueShutDownError());
    // Waiting getters only exist while the queue is empty.
    if (this.itemCount() === 0) this.#getters.rejectAll(new QueueShutDownError());
  }

  /**
   * Take items until the queue is shut down and drained, then end. Waits
   * without a signal: inside a task group, prefer {@link Queue.items} with the
   * task's signal, so the loop stops when the group is cancelled.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new QueueIterator(this, undefined);
  }

  /**
   * Like `for await (const item of queue)`, but each wait takes `signal`:
   * the loop ends at shutdown, and throws `signal.reason` if the signal
   * aborts (taking no item).
   *
   * @example A worker that stops with its task group
   * ```ts
   * import { Queue, taskGroup } from 'baton';
   *
   * const queue = new Queue<string>();
   * await taskGroup(async (group) => {
   *   group.spawn(async (ctx) => {
   *     for await (const job of queue.items({ signal: ctx.signal })) {
   *       console.log('working on', job);
   *       queue.taskDone();
   *     }
   *   });
   *   await queue.put('first', { signal: group.signal });
   *   await queue.join({ signal: group.signal });
   *   queue.shutdown();
   * });
   * ```
   */
  items(options?: QueueWaitOptions): AsyncIterableIterator<T> {
    expectOptions('options', options);
    const signal = options?.signal;
    expectSignal('options.signal', signal);
    return new QueueIterator(this, signal);
  }

  // Storage hooks, as in Python's Queue (_put/_get/_qsize): subclasses change
  // the order by overriding these three.

  /** Store an item. */
  protected storeItem(item: T): void {
    this.#ring.push(item);
  }

  /** Remove and return the next item (there is one). */
  protected takeItem(): T {
    return this.#ring.shift();
  }

  /** How many items are stored. */
  protected itemCount(): number {
    return this.#ring.length;
  }

  readonly #ring = new Ring<T>();

  #accept(item: T): boolean {
    if (this.#getters.head !== undefined) {
      // Someone waits, so the queue is empty: hand the item straight over.
      this.#unfinished++;
      this.#getters.wakeHead(item);
      return true;
    }
    if (this.itemCount() >= this.#maxsize) return false;
    this.storeItem(item);
    this.#unfinished++;
    return true;
  }

  #take(): T {
    const item = this.takeItem();
    // Room was made: let the first waiting putter in.
    const putter = this.#putters.head;
    if (putter !== undefined) {
      this.storeItem(putter.data);
      this.#unfinished++;
      this.#putters.wakeHead(undefined);
    }
    return item;
  }

  #releaseJoiners(): void {
    const joiners = this.#joiners;
    while (joiners.head !== undefined) joiners.wakeHead(undefined);
  }
}

class QueueIterator<T> implements AsyncIterableIterator<T> {
  constructor(
    readonly queue: Queue<T>,
    readonly signal: AbortSignal | undefined,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<T>> {
    try {
      return { done: false, value: await this.queue.get({ signal: this.signal }) };
    } catch (err) {
      if (err instanceof QueueShutDownError) return { done: true, value: undefined };
      throw err;
    }
  }

  return(): Promise<IteratorResult<T>> {
    return Promise.resolve({ done: true, value: undefined });
  }
}

