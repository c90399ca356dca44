/**
 * The priority queue.
 *
 * @packageDocumentation
 */

import { describe } from '../core/validate.js';
import { Queue, type QueueOptions } from './queue.js';

/**
 * Options of {@link PriorityQueue}.
 *
 * @example Highest number first, at most 100 queued
 * ```ts
 * import { PriorityQueue, type PriorityQueueOptions } from 'baton';
 *
 * const options: PriorityQueueOptions<number> = { maxsize: 100, compare: (a, b) => b - a };
 * const queue = new PriorityQueue(options);
 * queue.tryPut(1);
 * queue.tryPut(9);
 * console.log(queue.tryGet()); // 9
 * ```
 */
export interface PriorityQueueOptions<T> extends QueueOptions {
  /**
   * Orders items: negative when `a` comes out before `b`. Default: ascending
   * by `<` (numbers and strings), lowest first, as Python's `PriorityQueue`.
   */
  compare?: ((a: T, b: T) => number) | undefined;
}

interface Entry<T> {
  readonly item: T;
  readonly seq: number;
}

function ascending<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A {@link Queue} that hands out the item that sorts first (lowest first by
 * default, as Python's `PriorityQueue`; pass `compare` to choose).
 * **Stable**: items that compare equal come out in the order they were put.
 * Everything else is as on `Queue`.
 *
 * A binary heap with an insertion counter as the tie-breaker: O(log n) per
 * put and get.
 *
 * @example Urgent jobs first
 * ```ts
 * import { PriorityQueue } from 'baton';
 *
 * interface Job { priority: number; name: string }
 * const jobs = new PriorityQueue<Job>({ compare: (a, b) => a.priority - b.priority });
 * await jobs.put({ priority: 2, name: 'report' });
 * await jobs.put({ priority: 0, name: 'page the on-call' });
 * await jobs.put({ priority: 2, name: 'backup' });
 * console.log((await jobs.get()).name); // 'page the on-call'
 * console.log((await jobs.get()).name); // 'report' (put before 'backup')
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  readonly #heap: Entry<T>[] = [];
  readonly #compare: (a: T, b: T) => number;
  #seq = 0;

  /** @throws TypeError / RangeError for a bad option. */
  constructor(options?: PriorityQueueOptions<T>) {
    super(options);
    const compare = options?.compare ?? ascending;
    if (typeof compare !== 'function') {
      throw new TypeError(`Expected options.compare to be a function, got ${describe(compare)}`);
    }
    this.#compare = compare;
  }

  #before(a: Entry<T>, b: Entry<T>): boolean {
    const c = this.#compare(a.item, b.item);
    return c < 0 || (c === 0 && a.seq < b.seq);
  }

  protected override storeItem(item: T): void {
    const heap = this.#heap;
    const entry: Entry<T> = { item, seq: this.#seq++ };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry<T>;
      if (!this.#before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  protected override takeItem(): T {
    const heap = this.#heap;
    const top = heap[0] as Entry<T>;
    const last = heap.pop() as Entry<T>;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        let child = left;
        if (right < n && this.#before(heap[right] as Entry<T>, heap[left] as Entry<T>)) child = right;
        const c = heap[child] as Entry<T>;
        if (!this.#before(c, last)) break;
        heap[i] = c;
        i = child;
      }
      heap[i] = last;
    }
    return top.item;
  }

  protected override itemCount(): number {
    return this.#heap.length;
  }
}
